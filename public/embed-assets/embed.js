// Draws an embed's chart from the option the server put inline (no app, no wasm). At narrow
// widths the Gantt's row labels give way to the bars; tooltips still name every row.
(function () {
  "use strict";
  var el = document.getElementById("chart");
  var source = document.getElementById("chart-option");
  if (!el || !source || !window.echarts) return;
  var lang = document.documentElement.lang || "en";
  var option = JSON.parse(source.textContent);
  if (window.rigshiftLocalize) option = window.rigshiftLocalize(option, lang);
  var dark = document.documentElement.getAttribute("data-theme") === "dark";
  var narrow = function () { return el.clientWidth < 520; };
  var shape = function (o) {
    [].concat(o.yAxis || []).forEach(function (axis) {
      if (axis.type === "category") {
        axis.axisLabel = Object.assign({}, axis.axisLabel, { show: !narrow() });
      }
    });
    // The legend wraps at narrow widths: give it room above the plot.
    [].concat(o.grid || []).forEach(function (grid) { grid.top = narrow() ? 72 : 40; });
    o.backgroundColor = "transparent";
    return o;
  };
  var locale = window.rigshiftLocale ? window.rigshiftLocale(lang) : "EN";
  var chart = window.echarts.init(el, dark ? "rigshift" : null, { renderer: "canvas", locale: locale });
  chart.setOption(shape(option));
  el.setAttribute("data-chart-ready", "true");
  window.addEventListener("resize", function () {
    chart.setOption(shape(option));
    chart.resize();
  });
})();
