import { test, expect, Page } from "@playwright/test";

async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Series count and x-axis length of the ECharts instance in #id, as ECharts itself reports. */
async function chartShape(page: Page, id: string) {
  return page.evaluate((id) => {
    const el = document.getElementById(id);
    const inst = el && (window as any).echarts.getInstanceByDom(el);
    if (!inst) return null;
    const o = inst.getOption();
    return { series: o.series.length, points: o.xAxis[0].data.length, first: o.xAxis[0].data[0] };
  }, id);
}

/** Non-transparent pixels drawn on the chart's canvas. */
async function drawnPixels(page: Page, id: string) {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`#${id} canvas`) as HTMLCanvasElement | null;
    if (!canvas) return 0;
    const ctx = canvas.getContext("2d")!;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
  }, id);
}

test("overview serves real numbers in its HTML before any script runs", async ({ request }) => {
  const res = await request.get("/");
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(html).toContain("SIMULATED DATA");
  expect(html).toMatch(/<div class="kpi-value">[0-9.]+ EH\/s<\/div>/);
  expect(html).toMatch(/<div class="kpi-value">\$[0-9.]+[kM]?<\/div>/);
  expect(res.headers()["x-frame-options"]).toBe("DENY");
});

test("overview hydrates and both charts draw", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByTestId("sim-banner")).toContainText("SIMULATED DATA");
  await expect(page.getByTestId("kpi-hashrate")).toContainText("EH/s");
  await expect(page.locator("#chart-revenue-mix")).toHaveAttribute("data-chart-ready", "true");
  await expect(page.locator("#chart-site-revenue")).toHaveAttribute("data-chart-ready", "true");
  const mix = await chartShape(page, "chart-revenue-mix");
  expect(mix?.series).toBe(4);
  expect(mix?.points).toBeGreaterThan(600);
  const sites = await chartShape(page, "chart-site-revenue");
  expect(sites?.series).toBe(2);
  expect(sites?.points).toBe(3);
  await expect.poll(() => drawnPixels(page, "chart-revenue-mix")).toBeGreaterThan(2000);
  await expect.poll(() => drawnPixels(page, "chart-site-revenue")).toBeGreaterThan(2000);
  expect(errors).toEqual([]);
});

test("changing the time range redraws the chart without a reload", async ({ page }) => {
  await page.goto("/?range=6m");
  await hydrated(page);
  await expect(page.locator("#chart-revenue-mix")).toHaveAttribute("data-chart-ready", "true");
  const before = await chartShape(page, "chart-revenue-mix");
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole("link", { name: "2023 – 2029" }).click();
  await expect(page).toHaveURL(/range=all/);
  await expect.poll(async () => (await chartShape(page, "chart-revenue-mix"))?.first).toBe("2023-01-01");
  const after = await chartShape(page, "chart-revenue-mix");
  // Seven years arrive as weekly averages: a few hundred rows, not 2,557 days.
  expect(after!.points).toBeLessThanOrEqual(1000);
  expect(after!.points).toBeGreaterThan(300);
  expect(after!.points).not.toBe(before!.points);
  await expect(page.getByTestId("history-provenance")).toContainText("chart: weekly averages");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await expect(page.getByRole("link", { name: "2023 – 2029" })).toHaveAttribute("aria-current", "true");
  // Loaded directly, the server-rendered page says so too (no mismatch after hydration).
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("history-provenance")).toContainText("chart: weekly averages");
});

test("unknown pages answer 404 with a way back", async ({ page }) => {
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});

test("the CSV link of a chart holds exactly the data the chart draws", async ({ page }) => {
  await page.goto("/?range=6m");
  await hydrated(page);
  await expect(page.locator("#chart-revenue-mix")).toHaveAttribute("data-chart-ready", "true");
  const drawn = await page.evaluate(() => {
    const inst = (window as any).echarts.getInstanceByDom(document.getElementById("chart-revenue-mix"));
    const o = inst.getOption();
    const cell = (v: any) => (v === null || v === undefined || v === "-" ? "" : String(v));
    const rows = [["date", ...o.series.map((s: any) => s.name)].join(",")];
    o.xAxis[0].data.forEach((d: string, i: number) => rows.push([d, ...o.series.map((s: any) => cell(s.data[i]))].join(",")));
    return rows;
  });
  const href = await page.getByTestId("csv-revenue-mix").getAttribute("href");
  expect(href).toBe("/api/v1/export/revenue-mix.csv?range=6m");
  const csv = await (await page.request.get(href!)).text();
  // Numbers as ECharts holds them (JS prints 12.0 as 12).
  const normalise = (line: string) => line.split(",").map((c) => (c !== "" && !isNaN(Number(c)) ? String(Number(c)) : c)).join(",");
  expect(csv.trim().split("\n").map(normalise)).toEqual(drawn.map(normalise));
});
