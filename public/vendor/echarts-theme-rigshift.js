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

  // Numbers in the page's language: value-axis labels and tooltips (the option arrives as JSON,
  // which cannot carry the formatter functions this needs). Dates on time axes follow the
  // ECharts locale the caller passes to init ("IT" is registered by the bundle).
  window.rigshiftLocalize = function (option, lang) {
    if (!lang || lang === "en") return option;
    var locale = lang === "it" ? "it-IT" : lang;
    var fmt = function (v) {
      return typeof v === "number" ? v.toLocaleString(locale, { maximumFractionDigits: 2 }) : v;
    };
    [].concat(option.yAxis || [], option.xAxis || []).forEach(function (axis) {
      if (axis.type !== "value") return;
      var template = (axis.axisLabel && axis.axisLabel.formatter) || "{value}";
      if (typeof template !== "string") return;
      axis.axisLabel = Object.assign({}, axis.axisLabel, {
        formatter: function (v) { return template.replace("{value}", fmt(v)); }
      });
    });
    [].concat(option.tooltip || []).forEach(function (t) { t.valueFormatter = fmt; });
    return option;
  };
  window.rigshiftLocale = function (lang) { return lang === "it" ? "IT" : "EN"; };
})();
