import { test, expect } from "@playwright/test";

test("the fleet page updates live from the stream without a reload", async ({ page }) => {
  await page.goto("/fleet");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const hashrate = page.getByTestId("live-hashrate").locator(".kpi-value");
  await expect(hashrate).toHaveText(/[0-9.]+ [PE]H\/s/, { timeout: 20_000 });
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const lastCycle = page.getByTestId("live-lag").locator(".kpi-note");
  const first = await lastCycle.textContent();
  // The simulator drifts and the poller cycles; the summary the stream pushes must change.
  await expect(lastCycle).not.toHaveText(first!, { timeout: 20_000 });
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test("problems come first and the filters live in the URL", async ({ page }) => {
  await page.goto("/fleet");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const rows = page.getByTestId("device-table").locator("tbody tr");
  await expect(rows.first()).toHaveAttribute("data-status", /offline|degraded/, { timeout: 20_000 });
  await page.getByRole("navigation", { name: "Status filter" }).getByRole("link", { name: "Degraded" }).click();
  await expect(page).toHaveURL(/status=degraded/);
  await expect(rows.first()).toHaveAttribute("data-status", "degraded");
  const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-status")));
  expect(new Set(statuses)).toEqual(new Set(["degraded"]));
});

test("the status map has one cell per device and a device opens its history", async ({ page }) => {
  await page.goto("/fleet");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#chart-fleet-status")).toHaveAttribute("data-chart-ready", "true", { timeout: 20_000 });
  const cells = await page.evaluate(() => {
    const inst = (window as any).echarts.getInstanceByDom(document.getElementById("chart-fleet-status"));
    return inst.getOption().series[0].data.length;
  });
  const total = await page.getByTestId("live-online").locator(".kpi-value").textContent();
  expect(cells).toBe(parseInt(total!.split("/")[1]));

  await page.getByTestId("device-table").locator("tbody tr").first().getByRole("link").click();
  await expect(page).toHaveURL(/\/device\?id=/);
  await expect(page.getByTestId("device-state")).toContainText("Last seen");
  await expect(page.locator("#chart-device-work")).toHaveAttribute("data-chart-ready", "true", { timeout: 20_000 });
});
