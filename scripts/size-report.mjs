#!/usr/bin/env node
// First-load bytes per route of the built site (target/site, from scripts/build.sh): the main
// wasm and JS glue, the route's split chunks, CSS, ECharts and its theme, raw / gzip / brotli as
// served (the build's .gz and .br files). Sizes in bytes and KB (1,000 bytes). HTML is not here: it depends on the data; scripts/load-bench.mjs
// reports it.
//
//   node scripts/size-report.mjs [site-dir]
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

const site = path.resolve(process.argv[2] ?? "target/site");
const pkg = path.join(site, "pkg");
const files = fs.readdirSync(pkg).filter((f) => !f.endsWith(".gz") && !f.endsWith(".br"));
const find = (re) => files.find((f) => re.test(f));

function sizes(rel) {
  const file = path.join(site, rel);
  const raw = fs.readFileSync(file);
  // What the server sends: the build's own .br and .gz files when they are there.
  const shipped = (ext, compress) => (fs.existsSync(`${file}.${ext}`) ? fs.statSync(`${file}.${ext}`).size : compress(raw).length);
  const br = shipped("br", (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
  const gzip = shipped("gz", (b) => zlib.gzipSync(b, { level: 9 }));
  return { raw: raw.length, gzip, br };
}
const sum = (list) =>
  list.reduce((a, f) => {
    const s = sizes(f);
    return { raw: a.raw + s.raw, gzip: a.gzip + s.gzip, br: a.br + s.br };
  }, { raw: 0, gzip: 0, br: 0 });

const mainWasm = `pkg/${find(/^rigshift\..*\.wasm$/) ?? find(/^rigshift(_bg)?\.wasm$/)}`;
const js = `pkg/${find(/^rigshift\..*\.js$/) ?? "rigshift.js"}`;
const css = `pkg/${find(/^rigshift\..*\.css$/) ?? "rigshift.css"}`;
const splitJs = find(/^__wasm_split\..*\.js$/);
const manifestFile = find(/^__wasm_split_manifest.*\.json$/);
const manifest = manifestFile ? JSON.parse(fs.readFileSync(path.join(pkg, manifestFile), "utf8")) : {};
const vendor = ["vendor/echarts.min.js", "vendor/echarts-theme-rigshift.js"];
const shared = [js, css, ...vendor, ...(splitJs ? [`pkg/${splitJs}`, `pkg/${manifestFile}`] : [])];

/** The chunk files a lazy route loads, from the split manifest. */
function chunks(route) {
  const key = Object.keys(manifest).find((k) => k.startsWith(`__${route}_route_view`));
  if (!key) return [];
  return manifest[key].map((name) => {
    const f = files.find((x) => x.startsWith(`${name}.`) && x.endsWith(".wasm")) ?? `${name}.wasm`;
    return `pkg/${f}`;
  });
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`.padStart(10);
const row = (name, s) => console.log(`${name.padEnd(34)}${kb(s.raw)}${kb(s.gzip)}${kb(s.br)}`);
console.log(`site: ${site}`);
console.log(`${"".padEnd(34)}${"raw".padStart(10)}${"gzip".padStart(10)}${"brotli".padStart(10)}`);
row("main wasm (every page)", sizes(mainWasm));
row("JS glue + split loader", sum([js, ...(splitJs ? [`pkg/${splitJs}`, `pkg/${manifestFile}`] : [])]));
row("CSS", sizes(css));
row("ECharts + theme", sum(vendor));
for (const [route, url] of [["overview", "/"], ["fleet", "/fleet"], ["device", "/device"], ["timeline", "/timeline"], ["estimators", "/estimators"], ["admin", "/admin"]]) {
  const own = chunks(route);
  const wasm = sum([mainWasm, ...own]);
  const total = sum([mainWasm, ...own, ...shared]);
  console.log(`\n${url}`);
  row("  wasm (main + route chunks)", wasm);
  row("  first load without HTML", total);
}
