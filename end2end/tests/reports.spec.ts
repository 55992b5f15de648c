import { test, expect, Page, Browser, request as playwrightRequest } from "@playwright/test";
import http from "node:http";
import { ACCOUNTS } from "../playwright.config";

const DASHBOARD = "http://127.0.0.1:3100";
const ALLOWED = "http://127.0.0.1:3104"; // the IR site listed on the production embed's token
// A month of the bundled history (whole months run to 2025-10): closed here, never elsewhere.
const MONTH = "2025-10";

async function signIn(browser: Browser, who: "admin" | "viewer"): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("User name").fill(who);
  await page.getByLabel("Password").fill(ACCOUNTS[who]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(who);
  return page;
}

function irSite(port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const src = new URL(req.url ?? "/", `http://127.0.0.1:${port}`).searchParams.get("src") ?? "";
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><title>IR</title><iframe id="embed" src="${src.replace(/"/g, "&quot;")}" width="420" height="560" style="border:0"></iframe>`);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

test.describe("the monthly close", () => {
  test("an admin closes a month on /reports, restates it, and it prints on A4 landscape without cut rows", async ({ browser }) => {
    const page = await signIn(browser, "admin");
    await page.goto("/reports");
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    const form = page.getByTestId("close-month");
    await form.getByLabel("Month (YYYY-MM)").fill(MONTH);
    await form.getByRole("button", { name: "Close month" }).click();
    await expect(page).toHaveURL(new RegExp(`/reports/${MONTH}$`));
    const update = page.getByTestId("production-update");
    await expect(update).toHaveAttribute("data-version", "1");
    await expect(page.getByTestId("report-footnote")).toContainText("Unaudited, estimated.");
    // The figures are the API's, as frozen.
    const api = await page.evaluate(async (m) => (await fetch(`/api/v1/reports/${m}`)).json(), MONTH);
    const btc = api.figures.total.btc_produced as number;
    const shown = await page.getByTestId("company-figures").locator('tr[data-figure="btc_produced"] td').nth(1).innerText();
    expect(Number(shown.replace(/,/g, ""))).toBeCloseTo(btc, 3);
    await expect(page.getByTestId("site-figures").locator("thead th")).toHaveCount(1 + api.figures.sites.length);
    await expect(page.getByTestId("contract-register").locator("tbody tr")).not.toHaveCount(0);
    // A restatement with a reason: version 2, both versions linked.
    await page.getByTestId("restate-month").getByLabel(/Reason/).fill("congestion credits arrived");
    await page.getByTestId("restate-month").getByRole("button", { name: "Restate" }).click();
    await expect(update).toHaveAttribute("data-version", "2");
    await expect(page.getByRole("link", { name: "v1" })).toBeVisible();
    // The CSV link answers with this version's CSV.
    const csvHref = await page.getByTestId("report-csv").getAttribute("href");
    const csv = await page.evaluate(async (h) => (await fetch(h!)).text(), csvHref);
    expect(csv.trim().split("\n").pop()).toBe("# version 2; unaudited, estimated");
    // Printed: A4 landscape pages, every table within the page's width, rows never split,
    // headers repeated, the forms and navigation gone.
    await page.emulateMedia({ media: "print" });
    await page.setViewportSize({ width: 1032, height: 730 }); // 297 mm − 2 × 12 mm at 96 dpi
    const layout = await page.evaluate(() => {
      const tables = [...document.querySelectorAll(".report-table")] as HTMLElement[];
      return {
        tables: tables.length,
        overflowing: tables.filter((t) => t.scrollWidth > t.parentElement!.clientWidth + 1).length,
        rowsSplittable: tables.flatMap((t) => [...t.querySelectorAll("tr")]).filter((r) => getComputedStyle(r).breakInside !== "avoid").length,
        headersRepeat: tables.every((t) => !t.tHead || getComputedStyle(t.tHead).display === "table-header-group"),
        formsShown: [...document.querySelectorAll("form.edit-form, .topbar")].filter((e) => getComputedStyle(e).display !== "none").length,
      };
    });
    expect(layout.tables).toBeGreaterThanOrEqual(3);
    expect(layout).toMatchObject({ overflowing: 0, rowsSplittable: 0, headersRepeat: true, formsShown: 0 });
    const pdf = await page.pdf({ format: "A4", landscape: true, preferCSSPageSize: true });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    await page.context().close();
  });

  test("a viewer reads the report in Italian but cannot close or restate", async ({ browser }) => {
    const page = await signIn(browser, "viewer");
    await page.goto(`/reports/${MONTH}?lang=it`);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await expect(page.getByTestId("production-update")).toContainText("Aggiornamento di produzione");
    await expect(page.getByTestId("report-footnote")).toContainText("Dati non sottoposti a revisione");
    await expect(page.getByTestId("restate-month")).toHaveCount(0);
    await page.goto("/reports?lang=it");
    await expect(page.getByTestId("closed-months").locator(`tr[data-month="${MONTH}"]`)).toHaveCount(2);
    await expect(page.getByTestId("close-month")).toHaveCount(0);
    await page.context().close();
  });

  test("the production embed shows only closed months, framed by the IR site, in both languages", async ({ page }) => {
    const server = await irSite(3104);
    const admin = await playwrightRequest.newContext({ baseURL: DASHBOARD });
    try {
      const login = await admin.post("/auth/login", { headers: { origin: DASHBOARD }, form: { username: "admin", password: ACCOUNTS.admin, next: "/" }, maxRedirects: 0 });
      expect(login.status()).toBe(303);
      const created = await admin.post("/api/v1/embeds", { headers: { origin: DASHBOARD }, data: { name: "IR production", view: "production", origins: [ALLOWED] } });
      expect(created.status()).toBe(201);
      const token = (await created.json()).embed.token as string;
      // Not closed: refused, whatever frames it.
      const open = await admin.get(`/embed/production?token=${token}&month=2025-07`);
      expect(open.status()).toBe(404);
      expect(await open.text()).toContain("has not been closed");
      for (const [lang, words] of [["en", "Unaudited, estimated."], ["it", "Dati non sottoposti a revisione"]]) {
        const src = `${DASHBOARD}/embed/production?token=${token}&month=${MONTH}&lang=${lang}`;
        await page.goto(`${ALLOWED}/?src=${encodeURIComponent(src)}`);
        const embed = page.frameLocator("#embed");
        await expect(embed.locator("table.production")).toHaveAttribute("data-month", MONTH);
        await expect(embed.locator("table.production tbody tr")).toHaveCount(14);
        await expect(embed.locator(".footnote")).toContainText(words);
        await expect(embed.locator("html")).toHaveAttribute("lang", lang);
      }
    } finally {
      await admin.dispose();
      server.close();
    }
  });
});
