// Draws a report's chart from the JSON in #report-chart-data (see reports/definitions.py).
// Right to left when the page is: categories run from the right, the value axis sits on
// the right, legends and tooltips read right to left.
(function () {
  "use strict";

  var PALETTE = ["#1f7a4d", "#c98a1b", "#2f6db5", "#b5452f", "#6b5aa8", "#4f9da6", "#8a8f98"];

  function draw() {
    var source = document.getElementById("report-chart-data");
    var canvas = document.getElementById("report-chart");
    if (!source || !canvas || typeof Chart === "undefined") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var rtl = document.documentElement.dir === "rtl";
    var printing = document.body.classList.contains("report-print");
    var font = getComputedStyle(document.body).fontFamily;

    Chart.defaults.font.family = font;
    Chart.defaults.font.size = 13;
    Chart.defaults.color = "#333";

    var doughnut = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (dataset, index) {
      var color = doughnut ? spec.labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; })
                           : PALETTE[index % PALETTE.length];
      return { label: dataset.label, data: dataset.data, backgroundColor: color, borderWidth: doughnut ? 1 : 0 };
    });

    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: printing ? false : { duration: 300 },
      locale: document.documentElement.lang || "ar",
      plugins: {
        legend: {
          display: doughnut || datasets.length > 1,
          position: doughnut ? (rtl ? "left" : "right") : "top",
          rtl: rtl,
          textDirection: rtl ? "rtl" : "ltr",
          align: rtl ? "end" : "start"
        },
        tooltip: { rtl: rtl, textDirection: rtl ? "rtl" : "ltr" }
      }
    };

    if (!doughnut) {
      var valueAxis = {
        beginAtZero: true,
        stacked: !!spec.stacked,
        ticks: { precision: 0 }
      };
      if (spec.percent) {
        valueAxis.max = 100;
        valueAxis.ticks.callback = function (value) { return value + "%"; };
      }
      var categoryAxis = { stacked: !!spec.stacked, ticks: { autoSkip: false } };
      options.indexAxis = spec.horizontal ? "y" : "x";
      if (spec.horizontal) {
        // Bars grow from the right edge in RTL; partner names sit on the right.
        valueAxis.reverse = rtl;
        categoryAxis.position = rtl ? "right" : "left";
        options.scales = { x: valueAxis, y: categoryAxis };
      } else {
        // First category on the right in RTL; the value axis on the right too.
        categoryAxis.reverse = rtl;
        valueAxis.position = rtl ? "right" : "left";
        options.scales = { x: categoryAxis, y: valueAxis };
      }
    }

    if (spec.horizontal) {
      // Room for each bar, whatever the number of partners.
      canvas.parentNode.style.height = Math.max(260, 36 * spec.labels.length + 80) + "px";
    }

    new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options });
  }

  function printButton() {
    var button = document.getElementById("print-button");
    if (button) {
      button.addEventListener("click", function () { window.print(); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw();
    printButton();
  });
})();
