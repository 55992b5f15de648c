import { test, expect, Page, Browser } from "@playwright/test";
import { ACCOUNTS } from "../playwright.config";

async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

async function signIn(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("User name").fill("operator");
  await page.getByLabel("Password").fill(ACCOUNTS.operator);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText("operator");
  return page;
}

/** Today's AI lease revenue at a site, as the API (and the overview, from the same cache) has it. */
async function aiRevenueToday(page: Page, site: string): Promise<number> {
  return page.evaluate(async (site) => {
    const today = new Date().toISOString().slice(0, 10);
    const r = await fetch(`/api/v1/revenue?from=${today}&to=${today}&site=${site}`);
    const body = await r.json();
    return body.days[0].ai_lease_usd;
  }, site);
}

function priceInput(page: Page, contract: string) {
  return page.locator(`[data-testid="contract-row"][data-id="${contract}"] input[name="price"]`);
}

test.describe("the company's own sites", () => {
  test("an operator edits a contract's price on /sites/{id}: the overview moves at once; a stale edit is refused", async ({ browser }) => {
    const page = await signIn(browser);
    await page.goto("/sites");
    await hydrated(page);
    // The demo company says it is one, on every page.
    await expect(page.getByTestId("demo-banner")).toContainText("Illustrative demo company");
    await expect(page.getByTestId("site-row")).toHaveCount(3);
    await page.getByRole("link", { name: "Pecos Ridge" }).click();
    await expect(page).toHaveURL(/\/sites\/pecos-ridge$/);
    await hydrated(page);
    await expect(page.getByTestId("site-name")).toContainText("Pecos Ridge");

    const before = await aiRevenueToday(page, "pecos-ridge");
    await page.goto("/");
    await hydrated(page);
    const kpiBefore = await page.getByTestId("kpi-ai-usd").innerText();

    // A second tab opens the same contract before the first one saves.
    const stale = await page.context().newPage();
    await stale.goto("/sites/pecos-ridge");
    await hydrated(stale);

    await page.goto("/sites/pecos-ridge");
    await hydrated(page);
    const price = priceInput(page, "pecos-colo-a");
    await expect(price).toHaveValue("135");
    await price.fill("270");
    await page.locator('[data-testid="contract-row"][data-id="pecos-colo-a"]').getByTestId("save-contract").click();
    await expect.poll(() => aiRevenueToday(page, "pecos-ridge")).toBeCloseTo(before * 2, 2);

    // The overview's AI revenue moved with it, without waiting for a cache to expire.
    await page.goto("/");
    await hydrated(page);
    await expect(page.getByTestId("kpi-ai-usd")).not.toHaveText(kpiBefore);

    // The stale tab saves against version 1: refused, and it shows what is stored now.
    const stalePrice = priceInput(stale, "pecos-colo-a");
    await stalePrice.fill("150");
    await stale.locator('[data-testid="contract-row"][data-id="pecos-colo-a"]').getByTestId("save-contract").click();
    await expect(stale.getByTestId("contract-error")).toContainText("270");
    expect(await aiRevenueToday(page, "pecos-ridge")).toBeCloseTo(before * 2, 2);

    // In Italian: the page in the reader's words, and the price put back.
    await page.goto("/sites/pecos-ridge?lang=it");
    await hydrated(page);
    await expect(page.locator("html")).toHaveAttribute("lang", "it");
    await expect(page.getByRole("heading", { name: "Contratti di locazione" })).toBeVisible();
    await expect(page.getByTestId("demo-banner")).toContainText("Società dimostrativa");
    const itPrice = priceInput(page, "pecos-colo-a");
    await expect(itPrice).toHaveValue("270");
    await itPrice.fill("135");
    await page.locator('[data-testid="contract-row"][data-id="pecos-colo-a"]').getByRole("button", { name: "Salva" }).click();
    await expect.poll(() => aiRevenueToday(page, "pecos-ridge")).toBeCloseTo(before, 2);
    await page.goto("/?lang=it");
    await hydrated(page);
    await expect(page.getByTestId("kpi-ai-usd")).toBeVisible();
    await page.context().close();
  });

  test("a viewer reads the sites but has no form", async ({ page }) => {
    await page.goto("/sites/muskogee");
    await hydrated(page);
    await expect(page.getByTestId("site-name")).toContainText("Muskogee");
    await expect(page.getByTestId("contract-row")).toHaveCount(2);
    await expect(page.getByTestId("save-contract")).toHaveCount(0);
    await expect(page.getByTestId("save-site")).toHaveCount(0);
  });
});
