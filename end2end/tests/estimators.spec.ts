import { test, expect } from "@playwright/test";

async function hydrated(page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

test("moving a slider changes the payback without any network request", async ({ page }) => {
  await page.goto("/estimators");
  await hydrated(page);
  await expect(page.locator("#chart-conversion")).toHaveAttribute("data-chart-ready", "true");
  const payback = page.getByTestId("payback").locator(".kpi-value");
  const before = await payback.textContent();

  // Chromium re-reads the favicon when the URL changes; anything else would be the app.
  const requests: string[] = [];
  page.on("request", (r) => { if (!r.url().endsWith("/favicon.svg")) requests.push(r.url()); });
  const slider = page.locator('input[name="kwm"]');
  await slider.fill("250");
  await expect(payback).not.toHaveText(before!);
  await expect(page).toHaveURL(/kwm=250/);
  expect(requests).toEqual([]);

  // The URL reproduces the scenario in a fresh page.
  const shared = page.url();
  const other = await page.context().newPage();
  await other.goto(shared);
  await expect(other.getByTestId("payback").locator(".kpi-value")).toHaveText((await payback.textContent())!);
});

test("the GPU estimator recomputes locally and explains what bounds it", async ({ page }) => {
  await page.goto("/estimators");
  await hydrated(page);
  const result = page.getByTestId("gpu-result");
  await expect(result).toContainText("memory bandwidth");
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.locator('select[name="workload"]').selectOption("training");
  await expect(result).toContainText("compute");
  await page.locator('select[name="gpu"]').selectOption("A100-80GB");
  await expect(page.locator("#gpu-estimator [role=alert]")).toContainText("FP8");
  expect(requests).toEqual([]);
});

test("SHA-256d runs on the server and in the browser, and fills the ASIC comparison", async ({ page }) => {
  // The SIMD worker module loads only when the button is pressed.
  const workerWasm: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("sha256-worker")) workerWasm.push(new URL(r.url()).pathname);
  });
  await page.goto("/estimators");
  await hydrated(page);
  await page.getByRole("button", { name: /Measure on the server/ }).click();
  await expect(page.getByTestId("sha-server").locator(".kpi-value")).toHaveText(/[0-9.]+ MH\/s/, { timeout: 20_000 });
  const table = page.getByTestId("asic-table");
  await expect(table).not.toContainText("measure first");
  expect(workerWasm).toEqual([]);
  await page.getByRole("button", { name: /Measure in this browser/ }).click();
  await expect(page.getByTestId("sha-browser").locator(".kpi-value")).toHaveText(/[0-9.]+ MH\/s/, { timeout: 20_000 });
  // One worker per core, each on wasm SIMD (headless Chromium has both).
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = page.getByTestId("sha-browser-threads");
  await expect(threads).toContainText(`on ${cores} thread`);
  await expect(threads).toContainText("wasm SIMD");
  expect(parseFloat((await threads.textContent())!.split("·")[1])).toBeGreaterThan(0.5);
  expect(workerWasm).toContain("/vendor/sha256-worker.wasm");
  const rates = await page.locator('[data-testid^="sha-"] .kpi-value').allTextContents();
  for (const r of rates) expect(parseFloat(r)).toBeGreaterThan(0.05);
});
