import { test, expect, Page, Browser } from "@playwright/test";
import { ACCOUNTS } from "../playwright.config";

// The dashboard's Content-Security-Policy must not break anything: hydration (nonce'd inline
// script), lazy route chunks (wasm compiled under 'wasm-unsafe-eval'), ECharts, the SHA-256d
// workers. Violations are collected from the page itself.

async function fresh(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ storageState: undefined });
  const page = await context.newPage();
  await page.addInitScript(() => {
    (window as any).__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      (window as any).__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return page;
}

async function signIn(page: Page, who: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("User name").fill(who);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(who);
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as any).__cspViolations ?? []);
}

test("every page hydrates and draws under the strict CSP, with no violation", async ({ browser }) => {
  const page = await fresh(browser);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(m.text());
  });
  await signIn(page, "admin", ACCOUNTS.admin);
  for (const path of ["/", "/fleet", "/timeline", "/estimators", "/admin", "/account"]) {
    await page.goto(path);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get("content-security-policy"));
    expect(csp).toContain("'nonce-");
    expect(await violations(page), path).toEqual([]);
  }
  // The overview a crowd gets from memory (server::page_cache) hydrates and draws the same:
  // every answer names a nonce of its own, and the kept page's scripts carry it. Three loads in
  // a row: a minute turning over costs one render at most, so one of them is kept.
  const seen: { cache: string; nonce: string }[] = [];
  for (let i = 0; i < 3; i++) {
    const response = await page.goto("/");
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    await expect(page.locator(".chart canvas").first()).toBeVisible();
    const csp = response!.headers()["content-security-policy"];
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0);
    seen.push({ cache: response!.headers()["x-page-cache"], nonce });
  }
  expect(new Set(seen.map((s) => s.nonce)).size, JSON.stringify(seen)).toBe(3);
  expect(seen.filter((s) => s.cache === "hit").length, JSON.stringify(seen)).toBeGreaterThan(0);
  expect(await violations(page)).toEqual([]);
  // Workers and their wasm, under worker-src 'self'.
  await page.goto("/estimators");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("button", { name: /Measure in this browser/ }).click();
  await expect(page.getByTestId("sha-browser").locator(".kpi-value")).toHaveText(/[0-9.]+ MH\/s/, { timeout: 20_000 });
  expect(await violations(page)).toEqual([]);
  expect(errors).toEqual([]);
});

test("a user changes their password on the account page; their other browser is signed out; an admin disables them", async ({ browser }) => {
  const admin = await fresh(browser);
  await signIn(admin, "admin", ACCOUNTS.admin);
  const name = `e2e-${Date.now() % 100000}`;
  await admin.goto("/admin");
  await expect(admin.locator("body")).toHaveAttribute("data-hydrated", "true");
  const users = admin.locator(".panel", { has: admin.getByRole("heading", { name: "Users" }) });
  await users.getByLabel("Name").fill(name);
  await users.getByLabel("Password (10+ characters)").fill("first-password-1");
  await users.getByRole("button", { name: "Add user" }).click();
  await expect(admin.getByTestId("users")).toContainText(name);

  const laptop = await fresh(browser);
  await signIn(laptop, name, "first-password-1");
  const phone = await fresh(browser);
  await signIn(phone, name, "first-password-1");

  await laptop.goto("/account");
  await expect(laptop.locator("body")).toHaveAttribute("data-hydrated", "true");
  await expect(laptop.getByTestId("account-who")).toContainText(name);
  await expect(laptop.getByTestId("sessions").locator("tbody tr")).toHaveCount(2);
  await expect(laptop.getByTestId("sessions")).toContainText("this session");
  await laptop.getByLabel("Current password").fill("first-password-1");
  await laptop.getByLabel("New password (10+ characters)").fill("second-password-2");
  await laptop.getByLabel("New password again").fill("second-password-2");
  await laptop.getByRole("button", { name: "Change password" }).click();
  await expect(laptop.getByTestId("password-changed")).toBeVisible();
  await expect(laptop.getByTestId("sessions").locator("tbody tr")).toHaveCount(1);
  // The phone's session ended: its next page load goes to the login page.
  await phone.goto("/timeline");
  await expect(phone).toHaveURL(/\/login/);

  // The admin disables the user from the admin page: the laptop is signed out at once.
  await admin.reload();
  await expect(admin.locator("body")).toHaveAttribute("data-hydrated", "true");
  const row = admin.locator(`tr[data-user="${name}"]`);
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("disabled");
  await laptop.goto("/fleet");
  await expect(laptop).toHaveURL(/\/login/);
  await expect(admin.getByTestId("audit-log")).toContainText("user.disable");
  expect(await violations(admin)).toEqual([]);
});
