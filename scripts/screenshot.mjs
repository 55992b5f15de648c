#!/usr/bin/env node
// Signs in to a running Rigshift and saves full-page screenshots of the given paths after
// hydration (what a user sees, charts drawn), with the time each page took to hydrate.
//
//   node scripts/screenshot.mjs --base http://127.0.0.1:3000 --user admin --password … --out shots / /fleet
import fs from "node:fs";
import path from "node:path";
import { commandLine, launch } from "./browser-session.mjs";

const { opt, base, user, password, paths: rest } = commandLine();
const out = opt("out", "target/screenshots");
const width = Number(opt("width", "1440"));
const height = Number(opt("height", "900"));
const paths = rest();
fs.mkdirSync(out, { recursive: true });
const browser = await launch();
const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
await page.goto(`${base}/login`);
await page.getByLabel("User name").fill(user);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL((u) => !u.pathname.startsWith("/login"));
for (const p of paths) {
  const t0 = Date.now();
  const resp = await page.goto(`${base}${p}`);
  const html = (await resp.body()).length;
  await page.locator("body[data-hydrated=true]").waitFor({ timeout: 30000 });
  const hydrated = Date.now() - t0;
  await page.waitForTimeout(1500);
  const file = path.join(out, `${p.replace(/[^a-z0-9]+/gi, "_") || "root"}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`${p}: HTML ${html} B, hydrated in ${hydrated} ms → ${file}`);
}
if (errors.length) console.log(`console errors: ${errors.join(" | ")}`);
await browser.close();
