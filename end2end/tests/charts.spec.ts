import { test, expect, Page } from "@playwright/test";

// public/vendor/echarts.min.js is a custom build holding only the series and components listed
// in scripts/echarts-entry.mjs. A production ECharts build drops an unregistered series or
// component silently, so this test records every option the pages hand to ECharts and checks
// that ECharts built a model for each part of it. (The Gantt's annotation pins, a scatter
// series, exist only once a note does; timeline.spec.ts reads them back through getOption.)

const COMPONENTS = [
  "title", "legend", "tooltip", "grid", "xAxis", "yAxis", "visualMap", "dataZoom", "toolbox",
  "graphic", "polar", "radar", "geo", "dataset", "calendar", "singleAxis", "parallel", "brush",
  "timeline", "axisPointer",
];
const SERIES_PARTS = ["markLine", "markArea", "markPoint"];

async function recordOptions(page: Page) {
  await page.addInitScript(() => {
    let wrapped: any;
    Object.defineProperty(window, "echarts", {
      configurable: true,
      get: () => wrapped,
      set(lib: any) {
        wrapped = Object.assign({}, lib, {
          init(el: any, ...rest: any[]) {
            const chart = lib.init(el, ...rest);
            const setOption = chart.setOption.bind(chart);
            chart.setOption = (option: any, ...more: any[]) => {
              el.__options = (el.__options ?? []).concat([JSON.parse(JSON.stringify(option))]);
              return setOption(option, ...more);
            };
            return chart;
          },
        });
      },
    });
  });
}

/** Parts of the recorded options that ECharts did not build, per chart container. */
async function missingParts(page: Page, components: string[], seriesParts: string[]) {
  return page.evaluate(
    ({ components, seriesParts }) => {
      const missing: string[] = [];
      let charts = 0;
      for (const el of Array.from(document.querySelectorAll("div")) as any[]) {
        if (!el.__options) continue;
        charts++;
        const model = (window as any).echarts.getInstanceByDom(el).getModel();
        const option = el.__options[el.__options.length - 1];
        const series = [].concat(option.series ?? []) as any[];
        const built = model.getSeries().map((s: any) => s.subType);
        for (const s of series) {
          if (!built.includes(s.type)) missing.push(`${el.id}: series ${s.type}`);
          for (const part of seriesParts) {
            if (s[part] && !model.getComponent(part)) missing.push(`${el.id}: ${part}`);
          }
        }
        for (const key of Object.keys(option)) {
          if (components.includes(key) && !model.getComponent(key)) missing.push(`${el.id}: ${key}`);
        }
      }
      return { charts, missing };
    },
    { components, seriesParts },
  );
}

const PAGES: [string, string[]][] = [
  ["/?range=1y", ["chart-revenue-mix", "chart-site-revenue", "chart-power", "chart-risk-fan"]],
  ["/fleet", ["chart-fleet-status"]],
  ["/timeline", ["chart-gantt"]],
  ["/estimators", ["chart-cash-fan"]],
  ["/device?id=sim-asic-00000&hours=1", []],
];

for (const [path, ids] of PAGES) {
  test(`every chart part on ${path} is in the ECharts bundle`, async ({ page }) => {
    const logged: string[] = [];
    page.on("console", (m) => {
      if (m.text().includes("[ECharts]")) logged.push(m.text());
    });
    await recordOptions(page);
    await page.goto(path);
    await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
    for (const id of ids) {
      await expect(page.locator(`#${id}`)).toHaveAttribute("data-chart-ready", "true", { timeout: 20_000 });
    }
    await expect(page.locator("[data-chart-ready=true]").first()).toBeVisible({ timeout: 20_000 });
    const { charts, missing } = await missingParts(page, COMPONENTS, SERIES_PARTS);
    expect(charts).toBeGreaterThan(0);
    expect(missing).toEqual([]);
    expect(logged).toEqual([]);
  });
}
