import { defineConfig } from "@playwright/test";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const port = 3100;
const db = "sqlite://target/e2e.db";
/** A second server with real-figure sources only: no simulator, the market from a local mempool. */
export const LIVE_PORT = 3103;
const liveDb = "sqlite://target/e2e-live.db";
const mempoolPort = 3199;

/** Accounts the browser tests sign in with (created before the server starts). */
export const ACCOUNTS = {
  viewer: "viewer-password-e2e",
  operator: "operator-password-e2e",
  admin: "admin-password-e2e",
} as const;
/** A viewer who reads the dashboard in Italian (she chooses it in the i18n test). */
export const ITALIAN = { name: "lucia", password: "lucia-password-e2e" } as const;
export const VIEWER_STATE = path.join(root, "target", "e2e-viewer-state.json");

const addUsers = Object.entries(ACCOUNTS)
  .map(([name, pw]) => `printf '%s\\n' '${pw}' | target/release/rigshift user add ${name} --role ${name} --database-url ${db}`)
  .concat(`printf '%s\\n' '${ITALIAN.password}' | target/release/rigshift user add ${ITALIAN.name} --role viewer --database-url ${db}`)
  .join(" && ");

const power = [
  "node end2end/power-week.mjs target/e2e-prices.csv",
  `target/release/rigshift power terms pecos-ridge end2end/pecos-power.json --database-url ${db}`,
  `target/release/rigshift power import target/e2e-prices.csv --database-url ${db}`,
  // Forward inputs: a GPU rental index (the overview marks the GPU leases to it) and a
  // hashprice forward curve (the projection's first months are priced on it).
  "node end2end/forward-inputs.mjs target/e2e-gpu-index.csv target/e2e-curve.csv",
  `target/release/rigshift gpu-index import target/e2e-gpu-index.csv --database-url ${db}`,
  `target/release/rigshift forwards import target/e2e-curve.csv --database-url ${db}`,
].join(" && ");

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  // On CI (scripts/test.sh sets CI) a committed `test.only` fails the run instead of shrinking it.
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The JSON report is what scripts/test.sh counts against its floor.
  reporter: [
    ["list"],
    ["json", { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? path.join(root, "target", "playwright.json") }],
  ],
  outputDir: "./test-results",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      // Debian's chromium: Playwright cannot download its own browsers on these machines.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [
    // Signs in as a viewer once; the other tests start from that session.
    { name: "sign-in", testMatch: /auth\.setup\.ts/ },
    { name: "chromium", dependencies: ["sign-in"], use: { storageState: VIEWER_STATE } },
  ],
  webServer: [
    {
      // The release build against a fresh SQLite file, with the simulator on (the defaults), and
      // one account per role.
      // Pecos Ridge buys power at the HB_WEST index, with a week of prices ending today.
      command: `rm -f target/e2e.db target/e2e.db-wal target/e2e.db-shm && ${addUsers} && ${power} && target/release/rigshift serve --addr 127.0.0.1:${port} --database-url ${db}`,
      cwd: root,
      url: `http://127.0.0.1:${port}/api/v1/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: `node end2end/fake-mempool.mjs ${mempoolPort}`,
      cwd: root,
      url: `http://127.0.0.1:${mempoolPort}/health`,
      timeout: 20_000,
      reuseExistingServer: false,
    },
    {
      command: `rm -f target/e2e-live.db target/e2e-live.db-wal target/e2e-live.db-shm && printf '%s\\n' '${ACCOUNTS.viewer}' | target/release/rigshift user add viewer --role viewer --database-url ${liveDb} && target/release/rigshift serve --addr 127.0.0.1:${LIVE_PORT} --metrics-addr off --database-url ${liveDb} --simulator=false --market-url http://127.0.0.1:${mempoolPort}`,
      cwd: root,
      url: `http://127.0.0.1:${LIVE_PORT}/api/v1/health`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
