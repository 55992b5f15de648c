#!/usr/bin/env node
// The bytes a first visit moves, measured in Chromium: a new browser profile signs in (the
// sign-in form's POST, no page of the app loaded), then opens each path with an empty cache and
// sums what the browser fetched (Resource Timing `transferSize`: compressed bodies plus
// headers) once the page has hydrated and gone quiet. Per file, largest first.
//
//   node scripts/first-visit.mjs --base http://127.0.0.1:3000 --user admin --password … [/ /fleet]
import { commandLine, launch } from "./browser-session.mjs";

const { base, user, password, paths: rest } = commandLine();
const paths = rest();
const browser = await launch();
for (const p of paths) {
  // A new context per path: nothing cached from an earlier page.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const signIn = await context.request.post(`${base}/auth/login`, {
    form: { username: user, password, next: "/" },
    headers: { origin: base },
    maxRedirects: 0,
  });
  if (![200, 303].includes(signIn.status())) throw new Error(`sign-in: ${signIn.status()}`);
  const page = await context.newPage();
  await page.goto(`${base}${p}`);
  await page.locator("body[data-hydrated=true]").waitFor({ timeout: 30000 });
  await page.waitForLoadState("networkidle");
  const files = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const res = performance.getEntriesByType("resource");
    return [nav, ...res].map((r) => ({ name: new URL(r.name).pathname, bytes: r.transferSize, body: r.encodedBodySize }));
  });
  const total = files.reduce((n, f) => n + f.bytes, 0);
  console.log(`${p}: ${total.toLocaleString("en")} B on the wire in ${files.length} files`);
  for (const f of files.sort((a, b) => b.bytes - a.bytes).slice(0, 8)) {
    console.log(`  ${String(f.bytes).padStart(9)}  ${f.name}`);
  }
  await context.close();
}
await browser.close();
