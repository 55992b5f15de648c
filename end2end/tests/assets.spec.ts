import { test, expect } from "@playwright/test";

// The release build ships content-hashed, precompressed files and splits the wasm by route.

test("hashed assets are immutable and come precompressed with brotli", async ({ page, request }) => {
  await page.goto("/");
  const html = await page.content();
  const assets = [...html.matchAll(/(?:href|src)="(\/pkg\/[^"]+)"/g)].map((m) => m[1]);
  const wasm = assets.find((a) => a.endsWith(".wasm"));
  expect(wasm, "the page preloads its wasm").toBeTruthy();
  expect(assets.some((a) => a.endsWith(".css"))).toBe(true);
  for (const asset of assets) {
    // A content hash in the name: rigshift.<hash>.<ext>.
    expect(asset).toMatch(/\/pkg\/rigshift\.[A-Za-z0-9_-]{16,}\.(js|wasm|css)$/);
    const r = await request.get(asset, { headers: { "accept-encoding": "br" } });
    expect(r.status(), asset).toBe(200);
    expect(r.headers()["cache-control"], asset).toBe("public, max-age=31536000, immutable");
    expect(r.headers()["content-encoding"], asset).toBe("br");
  }
  const gz = await request.get(wasm!, { headers: { "accept-encoding": "gzip" } });
  expect(gz.headers()["content-encoding"]).toBe("gzip");
  // A name that is not in the build is a plain 404, never cached.
  const missing = await request.get("/pkg/rigshift.AAAAAAAAAAAAAAAAAAAAAA.wasm");
  expect(missing.status()).toBe(404);
  expect(missing.headers()["cache-control"]).toBeUndefined();
});

test("the overview loads no page chunk; opening the fleet loads its chunk and works", async ({ page }) => {
  const wasm: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname);
  });
  await page.goto("/");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#chart-revenue-mix")).toHaveAttribute("data-chart-ready", "true");
  expect(wasm.filter((p) => /split_|chunk_/.test(p))).toEqual([]);
  expect(wasm).toHaveLength(1);

  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Fleet" }).click();
  await expect(page).toHaveURL(/\/fleet$/);
  await expect(page.locator("#chart-fleet-status")).toHaveAttribute("data-chart-ready", "true", { timeout: 20_000 });
  await expect(page.getByTestId("device-table").locator("tbody tr").first()).toBeVisible();
  expect(wasm.some((p) => p.includes("fleet_route_view"))).toBe(true);
  expect(wasm.some((p) => p.includes("timeline_route_view") || p.includes("admin_route_view"))).toBe(false);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});
