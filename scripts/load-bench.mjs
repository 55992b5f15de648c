#!/usr/bin/env node
// Open-loop load bench of the release build: requests leave at a fixed rate whether or not the
// earlier ones have answered (so a slow server shows as latency, not as a lower rate), and each
// latency counts from the moment its request was due. Reports p50 / p99 / max per route and rate,
// and the size of each answer.
//
//   scripts/build.sh && node scripts/load-bench.mjs [--seconds 10] [--rates 50,100,200] [--routes overview,embed] [--bin path]
//
// It starts its own server (target/release/rigshift, fresh SQLite file, simulated fleet), signs
// in as a viewer, creates one embed as an admin, and stops the server at the end.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SECONDS = Number(arg("seconds", "10"));
const RATES = arg("rates", "50,100,200").split(",").map(Number);
// --routes overview,fleet,api,embed (all four unless named).
const ROUTES = arg("routes", "overview,fleet,api,embed").split(",");
const PORT = Number(arg("port", "3390"));
const BASE = `http://127.0.0.1:${PORT}`;
const BIN = path.resolve(arg("bin", "target/release/rigshift"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigshift-load-"));
const DB = `sqlite://${dir}/bench.db`;
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function request(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${BASE}${url}`, { method, agent, headers }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on("data", (c) => {
        bytes += c.length;
        if (chunks.length < 64) chunks.push(c);
      });
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, bytes, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

async function signIn(user, password) {
  const r = await request("POST", "/auth/login", {
    headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE },
    body: new URLSearchParams({ username: user, password, next: "/" }).toString(),
  });
  const cookie = (r.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  if (!cookie) throw new Error(`sign-in as ${user} failed: ${r.status}`);
  return cookie;
}

async function waitHealthy() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await request("GET", "/api/v1/health")).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("server did not start");
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function run(url, headers, rate, seconds = SECONDS) {
  const total = Math.round(rate * seconds);
  const latencies = [];
  // Refused (503 busy) answers apart: under overload they must come fast, and the accepted
  // ones must stay fast.
  const refused = [];
  let errors = 0;
  const start = performance.now() + 50;
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      request("GET", url, { headers })
        .then((r) => {
          const ms = performance.now() - due;
          if (r.status === 503) refused.push(ms);
          else {
            if (r.status !== 200) errors++;
            latencies.push(ms);
          }
        })
        .catch(() => errors++),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  refused.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50) ?? NaN,
    p99: percentile(latencies, 99) ?? NaN,
    max: latencies[latencies.length - 1] ?? NaN,
    errors,
    refused: refused.length,
    refusedP99: percentile(refused, 99) ?? NaN,
  };
}

const pw = { viewer: "load-bench-viewer", admin: "load-bench-admin" };
for (const [name, password] of Object.entries(pw)) {
  execFileSync(BIN, ["user", "add", name, "--role", name, "--database-url", DB], { input: `${password}\n`, stdio: ["pipe", "ignore", "inherit"] });
}
// The server's log goes to a file: it would drown the table (kept if the bench fails).
const log = fs.openSync(path.join(dir, "server.log"), "w");
// The per-client API rate limit is off: one bench client stands for many browsers.
const server = spawn(BIN, ["serve", "--addr", `127.0.0.1:${PORT}`, "--metrics-addr", "off", "--database-url", DB, "--api-rate", "0"], {
  stdio: ["ignore", log, log],
});
let failed = true;
try {
  await waitHealthy();
  const viewer = await signIn("viewer", pw.viewer);
  const admin = await signIn("admin", pw.admin);
  const created = await request("POST", "/api/v1/embeds", {
    headers: { cookie: admin, origin: BASE, "content-type": "application/json" },
    body: JSON.stringify({ name: "load bench", view: "revenue_mix", origins: ["https://ir.example.com"] }),
  });
  if (created.status !== 201) throw new Error(`creating an embed: ${created.status} ${created.text}`);
  const token = JSON.parse(created.text).embed.token;
  // Let the poller finish a cycle so /fleet shows a populated fleet.
  await new Promise((r) => setTimeout(r, 3000));
  const routes = [
    ["overview", "/", { cookie: viewer }],
    ["fleet", "/fleet", { cookie: viewer }],
    ["api", "/api/v1/fleet", { cookie: viewer }],
    ["embed", `/embed/revenue-mix?token=${token}`, {}],
  ]
    .filter(([key]) => ROUTES.includes(key))
    .map(([, url, auth]) => [url, auth]);
  console.log(`load bench · ${os.cpus().length} cores (${os.cpus()[0].model}) · ${new Date().toISOString()}`);
  console.log(`open loop, ${SECONDS} s per rate, latency from the moment each request was due\n`);
  console.log(`p50/p99/max of the answered requests; 503 = refused as busy, with the p99 of their wait`);
  console.log(`${"route".padEnd(26)}${"bytes".padStart(9)}${"gzip".padStart(9)}${"rate".padStart(7)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"max ms".padStart(9)}${"errors".padStart(8)}${"503".padStart(7)}${"503 p99".padStart(9)}`);
  for (const [url, auth] of routes) {
    const plain = await request("GET", url, { headers: auth });
    const gz = await request("GET", url, { headers: { ...auth, "accept-encoding": "gzip" } });
    const label = url.startsWith("/embed") ? "/embed/revenue-mix" : url;
    for (const rate of RATES) {
      // A short warm-up at the rate, then the measured run.
      await run(url, { ...auth, "accept-encoding": "gzip, br" }, Math.min(rate, 50), 2);
      const r = await run(url, { ...auth, "accept-encoding": "gzip, br" }, rate);
      console.log(
        `${label.padEnd(26)}${String(plain.bytes).padStart(9)}${String(gz.bytes).padStart(9)}${String(rate).padStart(7)}` +
          `${r.p50.toFixed(1).padStart(9)}${r.p99.toFixed(1).padStart(9)}${r.max.toFixed(1).padStart(9)}${String(r.errors).padStart(8)}` +
          `${String(r.refused).padStart(7)}${r.refusedP99.toFixed(1).padStart(9)}`,
      );
    }
  }
  failed = false;
} finally {
  server.kill("SIGTERM");
  agent.destroy();
  if (failed) console.error(`server log: ${path.join(dir, "server.log")}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}
