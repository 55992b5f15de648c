import { test, expect } from "@playwright/test";
import { ACCOUNTS } from "../playwright.config";

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

test.describe("as an operator", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("scans a range from the fleet page and finds the miner there", async ({ page }) => {
    await page.goto("/login?next=/fleet");
    await page.getByLabel("User name").fill("operator");
    await page.getByLabel("Password").fill(ACCOUNTS.operator);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/fleet$/);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    // A simulated ASIC's address (host:port) from the table, scanned as a /32.
    const row = page.getByTestId("device-table").locator("tbody tr").filter({ hasText: "TH/s" }).first();
    const address = await row.locator("td").first().getAttribute("title");
    const [host, port] = address!.split(":");
    const form = page.getByTestId("scan-form");
    await form.getByLabel("Range (CIDR)").fill(`${host}/32`);
    await form.getByLabel("Port").fill(port);
    await form.getByRole("button", { name: "Scan" }).click();
    await expect(page.getByTestId("scan-summary")).toContainText("1 miner found among 1 addresses");
    const found = page.getByTestId("scan-found").locator("tbody tr");
    await expect(found).toHaveCount(1);
    await expect(found.first()).toContainText(address!);
    await expect(found.first()).toContainText("registered");
    // A range too large is refused with the reason, on the page.
    await form.getByLabel("Range (CIDR)").fill("10.0.0.0/8");
    await form.getByRole("button", { name: "Scan" }).click();
    await expect(page.getByTestId("scan-panel").getByRole("alert")).toContainText("/16");
  });
});

test("a viewer gets no scan form", async ({ page }) => {
  await page.goto("/fleet");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.getByTestId("device-table")).toBeVisible();
  await expect(page.getByTestId("scan-panel")).toHaveCount(0);
});
