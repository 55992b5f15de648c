#!/usr/bin/env node
// Soak bench of the release build: the simulated fleet, 50 live-stream clients and 100 req/s of
// pages and API calls for 10 minutes, sampling the server's resident memory every 10 s. Reports
// memory after the first minute (warm), at the end, the growth between, and request latency.
//
//   scripts/build.sh && node scripts/soak-bench.mjs [--minutes 10] [--streams 50] [--rate 100] [--routes /,/fleet]
//
// A bench, not a test: it takes ten minutes and its numbers go in docs/PERFORMANCE.md.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MINUTES = Number(arg("minutes", "10"));
const STREAMS = Number(arg("streams", "50"));
const RATE = Number(arg("rate", "100"));
const PORT = Number(arg("port", "3391"));
const BASE = `http://127.0.0.1:${PORT}`;
const BIN = path.resolve(arg("bin", "target/release/rigshift"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigshift-soak-"));
const DB = `sqlite://${dir}/soak.db`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${BASE}${url}`, { method, agent, headers }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

function rssKb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

execFileSync(BIN, ["user", "add", "viewer", "--role", "viewer", "--database-url", DB], { input: "soak-bench-viewer\n", stdio: ["pipe", "ignore", "inherit"] });
const log = fs.openSync(path.join(dir, "server.log"), "w");
// Limits off: one bench process stands for many browsers.
const server = spawn(BIN, ["serve", "--addr", `127.0.0.1:${PORT}`, "--metrics-addr", "off", "--database-url", DB,
  "--api-rate", "0", "--max-streams-per-client", String(STREAMS + 10)], { stdio: ["ignore", log, log] });
try {
  for (let i = 0; ; i++) {
    try { if ((await request("GET", "/api/v1/health")).status === 200) break; } catch {}
    if (i > 200) throw new Error("server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  const login = await request("POST", "/auth/login", {
    headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE },
    body: new URLSearchParams({ username: "viewer", password: "soak-bench-viewer", next: "/" }).toString(),
  });
  const cookie = (login.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  let events = 0;
  const streams = [];
  for (let i = 0; i < STREAMS; i++) {
    const req = http.get(`${BASE}/api/v1/stream`, { headers: { cookie } }, (res) => {
      if (res.statusCode !== 200) throw new Error(`stream ${i}: ${res.statusCode}`);
      res.on("data", (c) => { events += (c.toString().match(/event: fleet/g) ?? []).length; });
    });
    streams.push(req);
  }
  const routes = arg("routes", "/,/api/v1/fleet,/timeline,/api/v1/revenue?from=2026-01-01&to=2026-06-30,/fleet").split(",");
  const latencies = [];
  let errors = 0;
  const samples = [];
  const t0 = performance.now();
  const end = t0 + MINUTES * 60_000;
  let nextSample = t0;
  let i = 0;
  while (performance.now() < end) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const url = routes[i % routes.length];
    request("GET", url, { headers: { cookie, "accept-encoding": "gzip, br" } })
      .then((r) => { if (r.status !== 200) errors++; latencies.push(performance.now() - due); })
      .catch(() => errors++);
    i++;
    if (performance.now() >= nextSample) {
      samples.push({ s: Math.round((performance.now() - t0) / 1000), kb: rssKb(server.pid) });
      nextSample += 10_000;
    }
  }
  await new Promise((r) => setTimeout(r, 2000));
  samples.push({ s: Math.round((performance.now() - t0) / 1000), kb: rssKb(server.pid) });
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  const warm = samples.find((x) => x.s >= Math.min(60, MINUTES * 30)) ?? samples[0];
  const last = samples[samples.length - 1];
  const peak = Math.max(...samples.map((x) => x.kb));
  console.log(`soak bench · ${os.cpus().length} cores (${os.cpus()[0].model}) · ${new Date().toISOString()}`);
  console.log(`${MINUTES} min · ${STREAMS} live streams (${events} fleet events received) · ${RATE} req/s over ${routes.join(", ")}`);
  console.log(`requests ${latencies.length + errors}, errors ${errors}, p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`);
  console.log(`RSS at start ${(samples[0].kb / 1024).toFixed(1)} MB, after 1 min ${(warm.kb / 1024).toFixed(1)} MB, at end ${(last.kb / 1024).toFixed(1)} MB, peak ${(peak / 1024).toFixed(1)} MB`);
  console.log(`growth after warm-up: ${((last.kb - warm.kb) / 1024).toFixed(1)} MB over ${((last.s - warm.s) / 60).toFixed(1)} min`);
  console.log(`RSS samples (s:MB): ${samples.filter((_, k) => k % 6 === 0).map((x) => `${x.s}:${(x.kb / 1024).toFixed(1)}`).join(" ")}`);
  for (const s of streams) s.destroy();
} finally {
  server.kill("SIGTERM");
}
