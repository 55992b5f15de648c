// The parts of ECharts that Rigshift's charts use, bundled by scripts/tools.sh into
// public/vendor/echarts.min.js as the global `echarts` (the wasm bindings and embed.js call
// `echarts.init`, `getInstanceByDom`, `registerTheme`). A chart builder that starts using
// another series type or component must add it here: ECharts then logs
// "[ECharts] ... is used but not imported" and the browser tests fail on that message.
import * as echarts from "echarts/core";
import { BarChart, HeatmapChart, LineChart, ScatterChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import langIT from "echarts/lib/i18n/langIT.js";

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

// Month and day names on time axes for Italian pages and embeds (init with { locale: "IT" }).
echarts.registerLocale("IT", langIT);

globalThis.echarts = echarts;
