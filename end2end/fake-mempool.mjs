// A mempool-compatible API on loopback for the browser tests: replays the recorded answers in
// server/tests/fixtures/mempool (historical prices priced per requested day). No internet.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "server", "tests", "fixtures", "mempool");
const read = (f) => fs.readFileSync(path.join(dir, f), "utf8");
const port = Number(process.argv[2] ?? 3199);

http
  .createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    let body = null;
    if (url.pathname === "/api/v1/prices") body = read("prices.json");
    else if (url.pathname === "/api/blocks/tip/height") body = read("tip-height.txt");
    else if (url.pathname.startsWith("/api/v1/mining/reward-stats/")) body = read("reward-stats-100.json");
    else if (url.pathname.startsWith("/api/v1/mining/hashrate/")) body = read("hashrate-3d.json");
    else if (url.pathname.startsWith("/api/v1/mining/blocks/fees/")) body = read("blocks-fees-1w.json");
    else if (url.pathname === "/api/v1/historical-price") {
      const ts = Number(url.searchParams.get("timestamp"));
      const day = new Date(ts * 1000).getUTCDate();
      body = read("historical-price.json")
        .replace('"time":1499904000', `"time":${ts}`)
        .replace('"USD":2254.9', `"USD":${20000 + 100 * day}`);
    } else if (url.pathname === "/health") body = "ok";
    res.writeHead(body === null ? 404 : 200, { "content-type": "application/json" });
    res.end(body ?? "not found");
  })
  .listen(port, "127.0.0.1");
