import { test, expect, Page, Browser } from "@playwright/test";
import path from "node:path";
import { ACCOUNTS } from "../playwright.config";

// Executives read the dashboard on a phone: at 390×844 no page may scroll sideways, and every
// page passes axe-core's WCAG 2 A/AA rules.
const PHONE = { width: 390, height: 844 };
const AXE = path.resolve(__dirname, "../../node_modules/axe-core/axe.min.js");

async function signedIn(browser: Browser, who: keyof typeof ACCOUNTS): Promise<Page> {
  // axe-core is injected as an inline script, which the dashboard's CSP rightly refuses.
  const context = await browser.newContext({ viewport: PHONE, storageState: undefined, bypassCSP: true });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("User name").fill(who);
  await page.getByLabel("Password").fill(ACCOUNTS[who]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(who);
  return page;
}

/** Horizontal overflow of the document, in CSS pixels (0 when it fits). */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** WCAG 2 A/AA violations, each as "rule: target, …". */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const axe = (window as any).axe;
    return axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
  });
  return result.violations.map(
    (v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(" ")).slice(0, 5).join(", ")}`,
  );
}

async function check(page: Page, url: string, ready: (p: Page) => Promise<void>) {
  await page.goto(url);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await ready(page);
  expect(await overflow(page), `${url} scrolls sideways`).toBeLessThanOrEqual(0);
  expect(await axeViolations(page), `${url} accessibility`).toEqual([]);
}

const chartDrawn = (id: string) => async (p: Page) =>
  expect(p.locator(`#${id}`)).toHaveAttribute("data-chart-ready", "true", { timeout: 20_000 });

test("every page fits a phone and passes WCAG 2 A/AA", async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await signedIn(browser, "admin");
  await check(page, "/", chartDrawn("chart-revenue-mix"));
  await check(page, "/fleet", async (p) => {
    await chartDrawn("chart-fleet-status")(p);
    await expect(p.getByTestId("device-table").locator("tbody tr").first()).toBeVisible();
  });
  const device = await page.getByTestId("device-table").locator("tbody tr a").first().getAttribute("href");
  await check(page, device!, chartDrawn("chart-device-work"));
  await check(page, "/timeline", chartDrawn("chart-gantt"));
  await check(page, "/estimators", async (p) => {
    await expect(p.locator("#chart-conversion")).toHaveAttribute("data-chart-ready", "true", { timeout: 20_000 });
  });
  await check(page, "/admin", async (p) => {
    await expect(p.getByRole("heading", { name: "Users" })).toBeVisible();
  });
  // A wide table scrolls inside its panel, not the page.
  await page.goto("/fleet");
  const table = page.getByTestId("device-table");
  await expect(table.locator("tbody tr").first()).toBeVisible();
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  await page.context().close();
});

test("the sign-in page fits a phone and passes WCAG 2 A/AA", async ({ browser }) => {
  // axe-core is injected as an inline script, which the dashboard's CSP rightly refuses.
  const context = await browser.newContext({ viewport: PHONE, storageState: undefined, bypassCSP: true });
  const page = await context.newPage();
  await page.goto("/login");
  expect(await overflow(page)).toBeLessThanOrEqual(0);
  expect(await axeViolations(page)).toEqual([]);
  await context.close();
});
