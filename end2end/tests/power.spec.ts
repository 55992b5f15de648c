import { test, expect, Page } from "@playwright/test";

// The browser tests' server buys Pecos Ridge's power at HB_WEST with a week of prices that spike
// every afternoon (playwright.config.ts): the overview draws price against strike with the
// curtailed intervals shaded, says where the power cost comes from, and the calculator names the
// flexibility a conversion gives up — in English and in Italian.

async function powerOption(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(page.locator("#chart-power")).toHaveAttribute("data-chart-ready", "true", { timeout: 20_000 });
  return page.evaluate(() => {
    const el = document.getElementById("chart-power")!;
    const chart = (window as any).echarts.getInstanceByDom(el);
    const option = chart.getOption();
    return {
      canvases: el.querySelectorAll("canvas").length,
      names: option.series.map((s: any) => s.name),
      bands: (option.series[0].markArea?.data ?? []).length,
      points: option.xAxis[0].data.length,
    };
  });
}

for (const [lang, title, price, strike, note] of [
  ["en", "Power price against the strike, last 7 days", "HB_WEST price ($/MWh)", "Strike ($/MWh)", "pecos-ridge: index · HB_WEST"],
  ["it", "Prezzo dell'energia e prezzo di soglia, ultimi 7 giorni", "Prezzo HB_WEST ($/MWh)", "Prezzo di soglia ($/MWh)", "pecos-ridge: indice · HB_WEST"],
]) {
  test(`the overview draws price against strike with curtailment shaded (${lang})`, async ({ page }) => {
    await page.goto(`/?lang=${lang}`);
    await expect(page.getByRole("heading", { name: title })).toBeVisible();
    const o = await powerOption(page);
    expect(o.canvases).toBeGreaterThan(0);
    expect(o.names).toEqual([price, strike]);
    // One spike a day, each curtailed: seven or eight shaded bands in the week.
    expect(o.bands).toBeGreaterThanOrEqual(7);
    expect(o.points).toBeGreaterThan(600);
    await expect(page.getByTestId("power-provenance")).toContainText(note);
    const csv = page.locator("#chart-power").locator("xpath=ancestor::div[contains(@class,'panel')]").locator("a[href*='curtailment.csv']");
    await expect(csv).toHaveCount(1);
  });
}

test("the calculator names the flexibility a conversion of Pecos Ridge gives up", async ({ page }) => {
  await page.goto("/estimators?kwm=150");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const row = page.getByTestId("flexibility").locator("tr[data-site=pecos-ridge]");
  await expect(row).toBeVisible({ timeout: 20_000 });
  const value = await row.getByTestId("flexibility-value").innerText();
  expect(Number(value.replace(/[^0-9.-]/g, ""))).toBeGreaterThan(0);
});
