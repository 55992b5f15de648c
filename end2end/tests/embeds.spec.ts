import { test, expect, APIRequestContext, request as playwrightRequest, Page } from "@playwright/test";
import http from "node:http";
import { ACCOUNTS } from "../playwright.config";

const DASHBOARD = "http://127.0.0.1:3100";
const ALLOWED = "http://127.0.0.1:3101"; // listed on the embed token
const STRANGER = "http://127.0.0.1:3102"; // not listed

/** An "IR site": any page it serves frames the URL given in ?src=. */
function irSite(port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const src = new URL(req.url ?? "/", `http://127.0.0.1:${port}`).searchParams.get("src") ?? "";
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><title>IR</title><h1>Investor relations</h1>
      <iframe id="embed" src="${src.replace(/"/g, "&quot;")}" width="360" height="420" style="border:0"></iframe>`);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

let servers: http.Server[] = [];
let admin: APIRequestContext;

async function createEmbed(view: string): Promise<{ id: number; token: string }> {
  const r = await admin.post("/api/v1/embeds", {
    headers: { origin: DASHBOARD },
    data: { name: `e2e ${view}`, view, origins: [ALLOWED] },
  });
  expect(r.status()).toBe(201);
  const body = await r.json();
  return { id: body.embed.id, token: body.embed.token };
}

test.beforeAll(async () => {
  servers = [await irSite(3101), await irSite(3102)];
  admin = await playwrightRequest.newContext({ baseURL: DASHBOARD });
  const login = await admin.post("/auth/login", {
    headers: { origin: DASHBOARD },
    form: { username: "admin", password: ACCOUNTS.admin, next: "/" },
    maxRedirects: 0,
  });
  expect(login.status()).toBe(303);
});

test.afterAll(async () => {
  await admin.dispose();
  servers.forEach((s) => s.close());
});

/** The embed's document inside the IR page, if the browser let it load. */
async function framedEmbed(page: Page) {
  await page.waitForLoadState("load");
  const frame = page.frames().find((f) => f !== page.mainFrame());
  return frame && frame.url().startsWith(DASHBOARD) ? frame : null;
}

test.describe("embeds", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("render inside an allowed IR page, and stay blank anywhere else", async ({ page, browser }) => {
    const { id, token } = await createEmbed("revenue_mix");
    const embedUrl = `${DASHBOARD}/embed/revenue-mix?token=${token}`;
    const refused: string[] = [];
    page.on("console", (m) => { if (/frame-ancestors|X-Frame-Options|Refused to display/i.test(m.text())) refused.push(m.text()); });

    // Allowed origin: the chart draws, 320 px wide is enough, and it says what it is.
    await page.setViewportSize({ width: 400, height: 600 });
    await page.goto(`${ALLOWED}/?src=${encodeURIComponent(embedUrl)}`);
    const embed = page.frameLocator("#embed");
    await expect(embed.locator("#chart")).toHaveAttribute("data-chart-ready", "true");
    await expect(embed.locator("h1")).toHaveText("Monthly revenue: bitcoin mining and AI leases");
    await expect(embed.locator(".as-of")).toContainText("As of");
    await expect(embed.locator(".fls")).toContainText("forward-looking");
    const frame = await framedEmbed(page);
    expect(frame).not.toBeNull();
    const metrics = await frame!.evaluate(() => {
      const paint = performance.getEntriesByType("paint").find((p) => p.name === "first-contentful-paint");
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      const bytes = nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0);
      const canvas = document.querySelector("#chart canvas") as HTMLCanvasElement;
      const d = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let drawn = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) drawn++;
      return { fcp: paint ? paint.startTime : -1, bytes, html: nav.transferSize, drawn, width: document.documentElement.clientWidth };
    });
    console.log(`embed metrics: ${JSON.stringify(metrics)}`);
    expect(metrics.drawn).toBeGreaterThan(2000);
    expect(metrics.fcp).toBeGreaterThan(0);
    expect(metrics.width).toBeLessThanOrEqual(360);

    // An origin not on the token: the browser refuses to render it.
    await page.goto(`${STRANGER}/?src=${encodeURIComponent(embedUrl)}`);
    expect(await framedEmbed(page)).toBeNull();
    await expect(page.frameLocator("#embed").locator("#chart")).toHaveCount(0);

    // A dashboard page, even from the allowed origin: refused (X-Frame-Options DENY).
    await page.goto(`${ALLOWED}/?src=${encodeURIComponent(`${DASHBOARD}/login`)}`);
    expect(await framedEmbed(page)).toBeNull();
    await expect(page.frameLocator("#embed").locator("form")).toHaveCount(0);

    // Revoked: blank from the allowed origin too — for a new visitor at once (a browser that
    // cached the page keeps it for at most Cache-Control's 60 s).
    const r = await admin.delete(`/api/v1/embeds/${id}`, { headers: { origin: DASHBOARD } });
    expect(r.status()).toBe(204);
    const visitor = await browser.newPage({ viewport: { width: 400, height: 600 } });
    visitor.on("console", (m) => { if (/frame-ancestors|Refused to display/i.test(m.text())) refused.push(m.text()); });
    await visitor.goto(`${ALLOWED}/?src=${encodeURIComponent(embedUrl)}`);
    expect(await framedEmbed(visitor)).toBeNull();
    await expect(visitor.frameLocator("#embed").locator("#chart")).toHaveCount(0);
    await visitor.close();
    expect(refused.length, refused.join("\n")).toBeGreaterThanOrEqual(3);
  });

  test("the embed's scripts are cached by visitors for an hour", async () => {
    for (const path of ["/vendor/echarts.min.js", "/embed-assets/embed.js", "/embed-assets/embed.css"]) {
      const r = await admin.get(path);
      expect(r.status(), path).toBe(200);
      expect(r.headers()["cache-control"], path).toBe("public, max-age=3600");
    }
  });

  test("dark theme and the fleet summary show totals only", async ({ page }) => {
    const { token } = await createEmbed("fleet_summary");
    await page.goto(`${ALLOWED}/?src=${encodeURIComponent(`${DASHBOARD}/embed/fleet-summary?token=${token}&theme=dark`)}`);
    const embed = page.frameLocator("#embed");
    await expect(embed.locator("html")).toHaveAttribute("data-theme", "dark");
    await expect(embed.locator(".tile")).toHaveCount(5);
    await expect(embed.locator(".tile").first()).toContainText(/\d+ of \d+/);
    await expect(embed.locator("body")).not.toContainText("127.0.0.1");
  });

  test("the kpis embed shows the sector's KPIs in an allowed IR page and nowhere else", async ({ page }) => {
    const { token } = await createEmbed("kpis");
    const src = `${DASHBOARD}/embed/kpis?token=${token}`;
    await page.goto(`${ALLOWED}/?src=${encodeURIComponent(src)}`);
    const embed = page.frameLocator("#embed");
    await expect(embed.locator("h1")).toHaveText("Sector KPIs, last 30 days");
    await expect(embed.locator(".tile")).toHaveCount(6);
    const backlog = embed.locator(".tile").filter({ hasText: "Contracted AI backlog" });
    await expect(backlog.locator(".tile-value")).toHaveText(/^\$[\d.,]+(k|M|B)?$/);
    await expect(embed.locator(".fls")).toHaveCount(1);
    await page.goto(`${STRANGER}/?src=${encodeURIComponent(src)}`);
    expect(await framedEmbed(page)).toBeNull();
  });
});

test.describe("admin", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("creates an embed and gets the iframe code with a live preview", async ({ page }) => {
    await page.goto("/login?next=/admin");
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill(ACCOUNTS.admin);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    const form = page.getByTestId("embed-form");
    await form.getByLabel("Name").fill("IR timeline");
    await form.getByLabel("View").selectOption("timeline");
    await form.getByLabel("Origins allowed to frame it (one per line, e.g. https://ir.example.com)").fill("https://ir.example.com");
    await form.getByRole("button", { name: "Create embed" }).click();
    const row = page.getByTestId("embed-row").filter({ hasText: "IR timeline" });
    await expect(row).toHaveCount(1);
    await row.getByRole("button", { name: "Snippet" }).click();
    const code = page.getByTestId("snippet-code");
    await expect(code).toHaveValue(/^<iframe src="http:\/\/127\.0\.0\.1:3100\/embed\/timeline\?token=rse_[0-9a-f]{64}&theme=light" width="100%" height="420"/);
    await page.getByLabel("Theme").last().selectOption("dark");
    await expect(code).toHaveValue(/theme=dark/);
    const preview = page.frameLocator("iframe.embed-preview");
    await expect(preview.locator("#chart")).toHaveAttribute("data-chart-ready", "true");
  });
});
