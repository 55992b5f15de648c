// Registers the "rigshift" ECharts theme (the wasm side only names it). Colours mirror the CSS
// custom properties in style/main.css; semantic series colours are set by the chart builders.
(function () {
  if (typeof echarts === "undefined") return;
  var text = "#e6eaf2", muted = "#94a3b8", line = "#24304d";
  var axis = {
    axisLine: { lineStyle: { color: line } },
    axisTick: { lineStyle: { color: line } },
    axisLabel: { color: muted },
    splitLine: { lineStyle: { color: "rgba(148,163,184,0.12)" } },
    nameTextStyle: { color: muted }
  };
  echarts.registerTheme("rigshift", {
    backgroundColor: "transparent",
    textStyle: { color: text, fontFamily: "Inter, Segoe UI, system-ui, sans-serif" },
    color: ["#f7931a", "#8b7cf6", "#22c55e", "#38bdf8", "#f43f5e", "#eab308"],
    legend: { textStyle: { color: text } },
    tooltip: { backgroundColor: "#18223a", borderColor: line, textStyle: { color: text } },
    categoryAxis: axis,
    valueAxis: axis,
    timeAxis: axis
  });
})();
