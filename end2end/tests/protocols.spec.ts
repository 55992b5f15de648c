import { test, expect } from "@playwright/test";

// The e2e server's simulated fleet (300 ASICs) puts a machine of each newer API at fixed slots:
// 11 Whatsminer API v3, 27 Braiins OS REST, 35 Auradine FluxOS, 39 a Bitaxe on AxeOS; 51 is a
// Whatsminer v3 with a PSU fault and 65 a LuxOS miner stopped by NOPIC protection.
const ONLINE = [
  { id: "sim-asic-00011", model: "M60S", firmware: "Whatsminer" },
  { id: "sim-asic-00027", model: "S21Pro", firmware: "Braiins OS" },
  { id: "sim-asic-00035", model: "AT2880", firmware: "FluxOS" },
  { id: "sim-asic-00039", model: "BitaxeGamma", firmware: "AxeOS" },
];

async function row(page, id: string, lang = "en") {
  await page.goto(`/fleet?lang=${lang}&q=${encodeURIComponent(id)}`);
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  return page.getByTestId("device-table").locator("tbody tr").filter({ hasText: id });
}

/// The figure in a cell ("184.1 TH/s", "3,402 W") as a number.
function figure(text: string): number {
  return Number(text.replace(/[^0-9.]/g, ""));
}

test("a miner of each newer API shows its hashrate and power on the fleet page", async ({ page }) => {
  for (const d of ONLINE) {
    const r = await row(page, d.id);
    await expect(r.locator("td").nth(3)).toHaveText(d.model, { timeout: 20_000 });
    await expect(r).toHaveAttribute("data-status", "online");
    const cells = r.locator("td");
    expect(figure(await cells.nth(5).innerText()), d.id).toBeGreaterThan(0.5);
    const power = cells.nth(9);
    expect(figure(await power.innerText()), d.id).toBeGreaterThan(10);
    // Where the power figure comes from is said beside it (FluxOS: its PSU's meter).
    await expect(power).toHaveAttribute("data-power-source", d.model === "AT2880" ? "psu" : "miner");
  }
});

const FAULTS = [
  {
    id: "sim-asic-00065",
    code: "protection_stop",
    label: { en: "Stopped by protection", it: "Fermo per protezione" },
    words: {
      en: ["stopped by the firmware's protection", "LuxOS NOPIC_PROTECTION", "Miner shutdown due to NOPIC protection."],
      it: ["fermato dalla protezione del firmware", "LuxOS NOPIC_PROTECTION"],
    },
    docs: { en: "maker's page", it: "pagina del produttore" },
  },
  {
    id: "sim-asic-00051",
    code: "psu_fault",
    label: { en: "PSU fault", it: "Guasto alimentatore" },
    words: {
      en: ["power supply fault", "Whatsminer 264", "Power xfer error."],
      it: ["guasto dell'alimentatore", "Whatsminer 264"],
    },
    docs: null,
  },
];

for (const lang of ["en", "it"] as const) {
  test(`a NOPIC-stopped LuxOS miner and a Whatsminer PSU fault say why (${lang})`, async ({ page }) => {
    for (const f of FAULTS) {
      const r = await row(page, f.id, lang);
      const reason = r.locator("td.reason");
      await expect(reason).toHaveAttribute("data-reason", f.code, { timeout: 30_000 });
      for (const words of f.words[lang]) {
        await expect(reason).toContainText(words);
      }
      if (f.docs) {
        const link = reason.locator("a.reason-docs");
        await expect(link).toHaveText(f.docs[lang]);
        await expect(link).toHaveAttribute("href", /^https:\/\/docs\.luxor\.tech\//);
        await expect(link).toHaveAttribute("rel", /noopener/);
      }
      // The filter names the reason in the reader's language.
      await expect(page.getByTestId("reason-filter").locator(`a[data-reason="${f.code}"]`)).toContainText(f.label[lang]);
    }
  });
}
