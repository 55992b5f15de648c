import { test, expect } from "@playwright/test";

// The e2e server runs the simulator's four GPU nodes, each with one faulty GPU.
const FAULTS = [
  { id: "sim-gpu-node-000/gpu6", code: "thermal_throttle", en: "thermal throttle", it: "rallentamento termico" },
  { id: "sim-gpu-node-001/gpu3", code: "fatal_xid", en: "fatal Xid 79: fallen off the bus", it: "Xid fatale 79: caduta dal bus" },
  { id: "sim-gpu-node-002/gpu5", code: "row_remap_pending", en: "needs reset: a row remap is pending", it: "da resettare: una rimappatura di riga è in attesa" },
  { id: "sim-gpu-node-003/gpu1", code: "power_cap", en: "power cap: clocks held down by the power limit", it: "limite di potenza: frequenze ridotte dal limite di potenza" },
];

for (const lang of ["en", "it"] as const) {
  test(`each faulty GPU shows its one reason on the fleet page (${lang})`, async ({ page }) => {
    for (const f of FAULTS) {
      await page.goto(`/fleet?lang=${lang}&q=${encodeURIComponent(f.id)}`);
      await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
      const row = page.getByTestId("device-table").locator("tbody tr").filter({ hasText: f.id });
      const reason = row.locator("td.reason");
      await expect(reason).toHaveAttribute("data-reason", f.code, { timeout: 20_000 });
      await expect(reason).toContainText(f[lang]);
    }
  });
}

test("the reason filter keeps only that reason, and the device page says what to do", async ({ page }) => {
  await page.goto("/fleet");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const filter = page.getByTestId("reason-filter");
  await filter.locator('a[data-reason="fatal_xid"]').click();
  await expect(page).toHaveURL(/reason=fatal_xid/);
  const reasons = page.getByTestId("device-table").locator("tbody td.reason");
  await expect(reasons.first()).toHaveAttribute("data-reason", "fatal_xid");
  const codes = await reasons.evaluateAll((tds) => tds.map((td) => td.getAttribute("data-reason")));
  expect(new Set(codes)).toEqual(new Set(["fatal_xid"]));

  await page.goto("/device?id=sim-gpu-node-001%2Fgpu3&lang=it");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const panel = page.getByTestId("device-reason");
  await expect(panel).toHaveAttribute("data-reason", "fatal_xid");
  await expect(panel).toContainText("Cosa fare");
  await expect(panel).toContainText("nvidia-smi -r");
  await expect(page.getByTestId("gpu-health")).toContainText("Ultimo Xid");
  await expect(page.getByTestId("gpu-health")).toContainText("79");
});

test("the SLA ledger lists the contracts with their availability and credit (en, it)", async ({ page }) => {
  await page.goto("/sla");
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
  const ledger = page.getByTestId("sla-ledger");
  const row = ledger.locator('tr[data-contract="muskogee-gpu-1"]');
  await expect(row).toHaveAttribute("data-source", /measured|not_measured/);
  await expect(row).toContainText("99.9 %");
  await expect(ledger).toContainText("Availability");
  await page.goto("/sla?lang=it");
  await expect(page.getByTestId("sla-ledger")).toContainText("Disponibilità");
  await expect(page.getByTestId("sla-ledger").locator('tr[data-contract="muskogee-gpu-1"]')).toContainText("99,9 %");
});
