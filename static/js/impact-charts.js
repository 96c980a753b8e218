// Draws the dashboards' impact charts: each canvas[data-chart] names the JSON script
// holding its spec (agreements/dashboard.py). Right to left when the page is.
(function () {
  "use strict";

  var PALETTE = ["#8a8f98", "#1f7a4d", "#c98a1b"];

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var rtl = document.documentElement.dir === "rtl";
    var datasets = spec.datasets.map(function (dataset, index) {
      return { label: dataset.label, data: dataset.data, backgroundColor: PALETTE[index % PALETTE.length], borderWidth: 0 };
    });
    var valueAxis = { beginAtZero: true, ticks: { precision: 0 } };
    var categoryAxis = { ticks: { autoSkip: false } };
    var scales;
    if (spec.horizontal) {
      valueAxis.reverse = rtl;
      categoryAxis.position = rtl ? "right" : "left";
      scales = { x: valueAxis, y: categoryAxis };
      canvas.parentNode.style.height = Math.max(220, 44 * spec.labels.length + 90) + "px";
    } else {
      categoryAxis.reverse = rtl;
      valueAxis.position = rtl ? "right" : "left";
      scales = { x: categoryAxis, y: valueAxis };
    }
    new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: { duration: 300 },
        locale: document.documentElement.lang || "ar",
        indexAxis: spec.horizontal ? "y" : "x",
        scales: scales,
        plugins: {
          legend: { position: "top", rtl: rtl, textDirection: rtl ? "rtl" : "ltr", align: rtl ? "end" : "start" },
          tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Chart === "undefined") {
      return;
    }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 12;
    Chart.defaults.color = "#333";
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
