import { test, expect, Page, request as playwrightRequest } from "@playwright/test";
import { ACCOUNTS, ITALIAN } from "../playwright.config";

const DASHBOARD = "http://127.0.0.1:3100";

async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

async function signIn(page: Page, name: string, password: string) {
  await page.goto("/login");
  await page.locator("input[name=username]").fill(name);
  await page.locator("input[name=password]").fill(password);
  await page.locator("form.login-card button[type=submit]").click();
  await expect(page.getByTestId("whoami")).toContainText(name);
}

test.describe("languages", () => {
  test.use({ storageState: { cookies: [], origins: [] }, locale: "en-US" });

  test("an Italian user reads the dashboard in Italian, and can switch back to English", async ({ browser }) => {
    // She chooses Italian once, in the nav; the choice is saved with her account.
    const first = await browser.newContext({ locale: "en-US" });
    const page1 = await first.newPage();
    await signIn(page1, ITALIAN.name, ITALIAN.password);
    await expect(page1.locator("h1")).toHaveText("Overview");
    await page1.getByTestId("lang-switch").getByRole("button", { name: "IT" }).click();
    await expect(page1.locator("html")).toHaveAttribute("lang", "it");
    await expect(page1.locator("h1")).toHaveText("Panoramica");
    await first.close();

    // A new browser (English, no cookies): after signing in, everything is Italian.
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await signIn(page, ITALIAN.name, ITALIAN.password);
    await expect(page.locator("html")).toHaveAttribute("lang", "it");
    await hydrated(page);
    await expect(page.locator("h1")).toHaveText("Panoramica");
    await expect(page.getByRole("navigation", { name: "Principale" }).getByRole("link", { name: "Parco macchine" })).toBeVisible();
    await expect(page.getByTestId("kpi-hashrate")).toContainText("Hashrate del parco");
    await expect(page.getByTestId("sim-banner")).toContainText("DATI SIMULATI");
    await expect(page.getByTestId("sim-banner")).toContainText("da non utilizzare per decisioni di investimento");
    // Italian numbers: thousands with a dot, decimals with a comma; dates with Italian months.
    await expect(page.getByTestId("kpi-mining-mw")).toContainText(/^MW mining\d{1,3}(\.\d{3})*,\d MW/);
    await expect(page.getByTestId("history-provenance")).toContainText(/Aggiornato al \d{1,2} (gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic) \d{4}/);

    await page.goto("/fleet");
    await hydrated(page);
    await expect(page.locator("h1")).toHaveText("Parco macchine");
    await expect(page.getByTestId("device-table").locator("th").first()).toHaveText("Dispositivo");
    await expect(page.getByTestId("live-online")).toContainText("Dispositivi attivi");

    await page.goto("/timeline");
    await hydrated(page);
    await expect(page.locator("h1")).toHaveText("Piano di conversione");
    await expect(page.getByTestId("kpi-done")).toContainText("Milestone completate");

    // Back to English: the page comes back in English, and stays so on reload.
    await page.getByTestId("lang-switch").getByRole("button", { name: "EN" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.locator("h1")).toHaveText("Conversion timeline");
    await page.reload();
    await hydrated(page);
    await expect(page.locator("h1")).toHaveText("Conversion timeline");
    expect(errors).toEqual([]);
    await context.close();
  });

  test("an embed with ?lang=it is in Italian", async ({ page }) => {
    const admin = await playwrightRequest.newContext({ baseURL: DASHBOARD });
    const login = await admin.post("/auth/login", {
      headers: { origin: DASHBOARD },
      form: { username: "admin", password: ACCOUNTS.admin, next: "/" },
      maxRedirects: 0,
    });
    expect(login.status()).toBe(303);
    const r = await admin.post("/api/v1/embeds", {
      headers: { origin: DASHBOARD },
      data: { name: "e2e italiano", view: "revenue_mix", origins: [DASHBOARD] },
    });
    expect(r.status()).toBe(201);
    const { embed } = await r.json();
    await admin.dispose();
    await page.goto(`/embed/revenue-mix?token=${embed.token}&lang=it`);
    await expect(page.locator("html")).toHaveAttribute("lang", "it");
    await expect(page.locator(".as-of")).toContainText(/Aggiornato al \d{1,2} (gen|feb|mar|apr|mag|giu|lug|ago|set|ott|nov|dic) \d{4}/);
    await expect(page.locator(".fls")).toContainText("stime previsionali");
    await expect(page.locator(".simulated")).toContainText("DATI SIMULATI");
    await expect(page.locator("#chart")).toHaveAttribute("data-chart-ready", "true");
  });

  test("the API reference renders from the served document", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await page.goto("/api/docs");
    await expect(page.locator(".swagger-ui .info .title")).toContainText("Rigshift API");
    await expect(page.locator(".opblock-summary-path", { hasText: "/annotations/{id}" }).first()).toBeVisible();
    await expect(page.locator(".opblock-tag", { hasText: "timeline" })).toBeVisible();
    expect(violations).toEqual([]);
  });
});
