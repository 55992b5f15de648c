import { test, expect, Page } from "@playwright/test";
import { ACCOUNTS } from "../playwright.config";

async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** The option ECharts holds for the chart in #id. */
async function chartOption(page: Page, id: string) {
  return page.evaluate((id) => {
    const el = document.getElementById(id);
    const inst = el && (window as any).echarts.getInstanceByDom(el);
    return inst ? JSON.parse(JSON.stringify(inst.getOption())) : null;
  }, id);
}

test.describe("as an operator", () => {
  // Start signed out: this test signs in through the form itself.
  test.use({ storageState: { cookies: [], origins: [] } });

  test("signs in, annotates the timeline, and sees the note after a reload on the timeline and the overview", async ({ page }) => {
    await page.goto("/timeline");
    await expect(page).toHaveURL(/\/login\?next=/);
    await page.getByLabel("User name").fill("operator");
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("login-error")).toContainText("Wrong user name or password");
    await page.getByLabel("User name").fill("operator");
    await page.getByLabel("Password").fill(ACCOUNTS.operator);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/timeline$/);
    await hydrated(page);
    await expect(page.getByTestId("whoami")).toContainText("operator");

    // A note dated ten days ago, inside the overview's default range; its text tries markup.
    const day = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    const text = "Energised **16 MW** for tenant A <script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">";
    const form = page.getByTestId("annotation-form");
    await form.getByLabel("About").selectOption("pecos-ridge");
    await form.getByLabel("Date (optional)").fill(day);
    await form.getByLabel("Note").fill(text);
    await form.getByRole("button", { name: "Add note" }).click();
    const note = page.getByTestId("annotation").filter({ hasText: "Energised" });
    await expect(note).toHaveCount(1);

    await page.reload();
    await hydrated(page);
    await expect(note).toHaveCount(1);
    // Markdown bold is rendered; the markup is shown as the text it is and never runs.
    await expect(note.locator("strong")).toHaveText("16 MW");
    await expect(note).toContainText("<script>window.__pwned = 1</script>");
    expect(await note.locator("script, img").count()).toBe(0);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();

    // Pinned on the Gantt chart…
    await expect(page.locator("#chart-gantt")).toHaveAttribute("data-chart-ready", "true");
    const gantt = await chartOption(page, "chart-gantt");
    const pins = gantt.series.find((s: any) => s.name === "Annotations");
    const names: string[] = pins.data.map((d: any) => d.name);
    expect(names.some((n) => n.startsWith("Energised 16 MW for tenant A ‹script›")), names.join(" | ")).toBe(true);

    // An operator adds a milestone to a roadmap; it joins the table.
    const add = page.getByTestId("new-milestone");
    await add.getByLabel("Site").selectOption("baie-comeau");
    await add.getByLabel("Kind").selectOption("retrofit");
    await add.getByLabel("Title", { exact: true }).fill("South substation upgrade");
    await add.getByLabel("Planned start").fill("2027-11-01");
    await add.getByLabel("Planned end").fill("2028-02-01");
    await add.getByLabel("MW", { exact: true }).fill("45");
    await add.getByRole("button", { name: "Add milestone" }).click();
    await expect(page.getByTestId("milestone").filter({ hasText: "South substation upgrade" })).toHaveCount(1);

    // …and marked on the overview's revenue chart on its day.
    await page.goto("/");
    await hydrated(page);
    await expect(page.locator("#chart-revenue-mix")).toHaveAttribute("data-chart-ready", "true");
    const mix = await chartOption(page, "chart-revenue-mix");
    const marks = mix.series.flatMap((s: any) => (s.markLine ? s.markLine.data : []));
    const mark = marks.find((m: any) => String(m.name).startsWith("Energised 16 MW"));
    expect(mark, JSON.stringify(marks)).toBeTruthy();
    expect(mark.xAxis).toBe(day);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  });
});

test("a viewer reads the timeline but gets no edit controls", async ({ page }) => {
  await page.goto("/timeline");
  await hydrated(page);
  await expect(page.getByTestId("whoami")).toContainText("viewer");
  const rows = page.getByTestId("milestone");
  expect(await rows.count()).toBeGreaterThanOrEqual(10);
  await expect(page.locator(".badge.status-slipped").first()).toBeVisible();
  await expect(page.getByTestId("annotation-form")).toHaveCount(0);
  await expect(rows.first().getByRole("button", { name: "Edit" })).toHaveCount(0);
  await expect(page.locator("#chart-gantt")).toHaveAttribute("data-chart-ready", "true");
  const drawn = await page.evaluate(() => {
    const c = document.querySelector("#chart-gantt canvas") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  expect(drawn).toBeGreaterThan(5000);
});

test.describe("two operators", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("a stale edit shows both texts and loses neither", async ({ page, browser }) => {
    const signIn = async (p: Page) => {
      await p.goto("/login?next=/timeline");
      await p.getByLabel("User name").fill("operator");
      await p.getByLabel("Password").fill(ACCOUNTS.operator);
      await p.getByRole("button", { name: "Sign in" }).click();
      await expect(p).toHaveURL(/\/timeline$/);
      await hydrated(p);
    };
    await signIn(page);
    const form = page.getByTestId("annotation-form");
    await form.getByLabel("About").selectOption("muskogee");
    await form.getByLabel("Note").fill("Crane booked for week 3");
    await form.getByRole("button", { name: "Add note" }).click();
    const note = page.getByTestId("annotation").filter({ hasText: "Crane booked for week 3" });
    await expect(note).toHaveCount(1);

    // Both open the note for editing; the other one saves first.
    await note.getByRole("button", { name: "Edit" }).click();
    const other = await browser.newPage();
    await signIn(other);
    const theirs = other.getByTestId("annotation").filter({ hasText: "Crane booked for week 3" });
    await theirs.getByRole("button", { name: "Edit" }).click();
    await theirs.getByTestId("annotation-edit").locator("textarea").fill("Crane moved to week 4");
    await theirs.getByRole("button", { name: "Save" }).click();
    await expect(other.getByTestId("annotation").filter({ hasText: "Crane moved to week 4" })).toHaveCount(1);
    await other.close();

    const mine = note.getByTestId("annotation-edit");
    await mine.locator("textarea").fill("Crane booked, week 3 confirmed by vendor");
    await mine.getByRole("button", { name: "Save" }).click();
    const conflict = mine.getByTestId("conflict");
    await expect(conflict).toContainText("saved version 2 while you were editing");
    await expect(conflict).toContainText("Crane moved to week 4");
    await expect(mine.locator("textarea")).toHaveValue("Crane booked, week 3 confirmed by vendor");

    await conflict.getByRole("button", { name: "Save mine over it" }).click();
    const saved = page.getByTestId("annotation").filter({ hasText: "week 3 confirmed by vendor" });
    await expect(saved).toHaveCount(1);
    await saved.getByRole("button", { name: "History" }).click();
    const history = saved.getByTestId("annotation-history").locator("li");
    await expect(history).toHaveCount(3);
    await expect(history.nth(1)).toContainText("Crane moved to week 4");
  });
});
