import { test, expect, Page } from "@playwright/test";
import { ACCOUNTS, LIVE_PORT } from "../playwright.config";

async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

test("every overview KPI says where its figure comes from", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  // The default server: bundled snapshot then simulated market, simulated fleet.
  await expect(page.getByTestId("kpi-hashprice-source")).toContainText("simulated after the bundled snapshot");
  await expect(page.getByTestId("kpi-mining-mw-source")).toContainText("conversion timeline");
  await expect(page.getByTestId("history-provenance")).toContainText("modelled from site capacity");
  // Once the simulated fleet has been polled, today's fleet hashrate is measured by it.
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId("kpi-hashrate-source").innerText();
      },
      { timeout: 45_000, intervals: [2_000] },
    )
    .toMatch(/measured by \d+ polled ASICs \(simulated\)/);
  await expect(page.getByTestId("sim-banner")).toContainText("(market figures and fleet)");
});

test("with a live market and no simulator, no banner says SIMULATED", async ({ browser }) => {
  // A fresh context: the live server has its own accounts and session.
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  const base = `http://127.0.0.1:${LIVE_PORT}`;
  await page.goto(`${base}/login`);
  await page.getByLabel("User name").fill("viewer");
  await page.getByLabel("Password").fill(ACCOUNTS.viewer);
  await page.getByRole("button", { name: /sign in/i }).click();
  await expect(page).toHaveURL(`${base}/`);
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId("kpi-hashprice-source").innerText();
      },
      { timeout: 30_000, intervals: [1_000] },
    )
    .toMatch(/^live · mempool · 127\.0\.0\.1:3199 · \d\d:\d\d UTC$/);
  await hydrated(page);
  await expect(page.getByTestId("kpi-hashprice")).toContainText("block 698767");
  await expect(page.getByTestId("sim-banner")).toHaveCount(0);
  await expect(page.getByTestId("stale-banner")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText("SIMULATED");
  await context.close();
});
