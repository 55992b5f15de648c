#!/usr/bin/env node
// Fleet-scale bench of the release build, everything in separate processes as in production:
// `rigshift simulate` processes (15,000 devices each, over several loopback addresses) serve the
// fleet, one `rigshift serve --fleet …` polls it, and this script measures the server's own CPU
// and memory from /proc: polling alone, then with N browsers on the live stream.
//
//   scripts/build.sh && node scripts/fleet-bench.mjs [--devices 100000] [--cycle 30] [--streams 1000] [--seconds 60]
//
// Reports polls/s (from the server's metrics), poll lag, server CPU per poll, CPU added by the
// stream clients, and resident memory. A bench, not a test: numbers go to docs/PERFORMANCE.md.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const DEVICES = Number(arg("devices", "100000"));
const CYCLE = Number(arg("cycle", "30"));
const STREAMS = Number(arg("streams", "1000"));
const SECONDS = Number(arg("seconds", "60"));
const PER_PROCESS = 15000;
const PORT = 3392, METRICS = 3393;
const BIN = path.resolve(arg("bin", "target/release/rigshift"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rigshift-fleet-"));
const DB = `sqlite://${dir}/fleet.db`;
const TICK = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim());
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / TICK;
}
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;

function get(port, url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: url, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    }).on("error", reject);
  });
}

/** Sum of a metric family's samples in a Prometheus exposition. */
function metricSum(text, name) {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(name) && (line[name.length] === " " || line[name.length] === "{")) sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

let cookie = "";
/** The fleet summary as the live stream sends it. */
function summary() {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port: PORT, path: "/api/v1/stream", headers: { cookie } }, (res) => {
      let buf = "";
      res.on("data", (c) => {
        buf += c;
        const m = /event: fleet\ndata: (.*)\n/.exec(buf);
        if (m) { req.destroy(); resolve(JSON.parse(m[1])); }
      });
    });
    req.on("error", reject);
  });
}

try {
  // Simulators: 8 loopback addresses per process, distinct device numbers.
  const fleets = [];
  for (let p = 0, first = 0; first < DEVICES; p++, first += PER_PROCESS) {
    const n = Math.min(PER_PROCESS, DEVICES - first);
    const out = path.join(dir, `fleet-${p}.toml`);
    const lo = 2 + p * 8;
    const sim = spawn(BIN, ["simulate", "--asics", String(n), "--first-index", String(first), "--listen", `127.0.${lo >> 8}.${lo & 255}-127.0.${(lo + 7) >> 8}.${(lo + 7) & 255}`, "--fleet-out", out], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, RUST_LOG: "warn" } });
    children.push(sim);
    fleets.push(out);
  }
  for (const f of fleets) { for (let i = 0; !fs.existsSync(f); i++) { if (i > 600) throw new Error(`${f} not written`); await sleep(100); } }
  const merged = path.join(dir, "fleet.toml");
  fs.writeFileSync(merged, fleets.map((f) => fs.readFileSync(f, "utf8")).join("\n"));
  execFileSync(BIN, ["user", "add", "viewer", "--role", "viewer", "--database-url", DB], { input: "fleet-bench-viewer\n", stdio: ["pipe", "ignore", "inherit"] });
  const log = fs.openSync(path.join(dir, "server.log"), "w");
  const t0 = Date.now();
  const server = spawn(BIN, ["serve", "--addr", `127.0.0.1:${PORT}`, "--metrics-addr", `127.0.0.1:${METRICS}`, "--database-url", DB, "--simulator=false", "--fleet", merged,
    "--poll-interval-secs", String(CYCLE), "--poll-concurrency", "1024", "--api-rate", "0", "--max-streams-per-client", String(STREAMS + 10)], { stdio: ["ignore", log, log], env: { ...process.env, RUST_LOG: "warn" } });
  children.push(server);
  for (let i = 0; ; i++) { try { if ((await get(PORT, "/api/v1/health")).status === 200) break; } catch {} if (i > 1200) throw new Error("server did not start"); await sleep(100); }
  console.log(`fleet bench · ${os.cpus().length} cores (${os.cpus()[0].model}) · ${new Date().toISOString()}`);
  console.log(`${DEVICES} simulated ASICs in ${fleets.length} simulate processes · ${CYCLE} s cycle · server up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const login = await new Promise((resolve, reject) => {
    const body = new URLSearchParams({ username: "viewer", password: "fleet-bench-viewer", next: "/" }).toString();
    const req = http.request({ host: "127.0.0.1", port: PORT, path: "/auth/login", method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: `http://127.0.0.1:${PORT}` } }, resolve);
    req.on("error", reject); req.end(body);
  });
  cookie = (login.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  // One full cycle to settle (first polls are spread over the first cycle).
  await sleep((CYCLE + 5) * 1000);
  const measure = async (label) => {
    const m0 = await get(METRICS, "/metrics");
    const c0 = cpuSeconds(server.pid), w0 = Date.now();
    await sleep(SECONDS * 1000);
    const c1 = cpuSeconds(server.pid), w1 = Date.now();
    const m1 = await get(METRICS, "/metrics");
    const polls = metricSum(m1.text, "rigshift_poll_duration_seconds_count") - metricSum(m0.text, "rigshift_poll_duration_seconds_count");
    const wall = (w1 - w0) / 1000, cpu = c1 - c0;
    const s = await summary();
    console.log(`${label}: ${(polls / wall).toFixed(0)} polls/s (target ${(DEVICES / CYCLE).toFixed(0)}), server CPU ${(cpu / wall * 100).toFixed(1)} % of a core` +
      `, ${(cpu / Math.max(polls, 1) * 1000).toFixed(3)} ms CPU per poll, lag ${s.poll_lag_ms} ms, ${s.online + s.degraded}/${s.devices} answering, RSS ${rssMb(server.pid).toFixed(0)} MB`);
    return cpu / wall;
  };
  const idle = await measure("polling, no stream clients");
  const streams = [];
  let events = 0;
  for (let i = 0; i < STREAMS; i++) {
    const req = http.get({ host: "127.0.0.1", port: PORT, path: "/api/v1/stream", headers: { cookie }, agent: false }, (res) => {
      res.on("data", (c) => { events += (c.toString().match(/event: fleet/g) ?? []).length; });
    });
    req.on("error", () => {});
    streams.push(req);
    if (i % 100 === 99) await sleep(50);
  }
  await sleep(5000);
  const e0 = events;
  const busy = await measure(`polling, ${STREAMS} stream clients`);
  console.log(`stream clients add ${((busy - idle) * 100).toFixed(1)} % of a core (${((events - e0) / SECONDS).toFixed(0)} fleet events/s delivered)`);
  for (const s of streams) s.destroy();
} finally {
  for (const c of children) c.kill("SIGTERM");
}
