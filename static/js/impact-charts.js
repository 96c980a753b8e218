// Draws the dashboards' impact charts: each canvas[data-chart] names the JSON script holding
// its figures per unit (agreements/dashboard.py); a select[data-chart-unit] picks the unit
// shown, since different units never share an axis. Right to left when the page is.
(function () {
  "use strict";

  var PALETTE = ["#8a8f98", "#1f7a4d", "#c98a1b"];
  var LABEL_MAX = 26;

  function size(canvas, spec, labels) {
    if (spec.horizontal) {
      canvas.parentNode.style.height = Math.max(220, 40 * labels + 90) + "px";
    }
  }

  function data(spec, unit) {
    var figures = spec.units[unit];
    return {
      labels: figures.labels,
      datasets: spec.series.map(function (label, index) {
        return { label: label, data: figures.data[index], backgroundColor: PALETTE[index % PALETTE.length], borderWidth: 0 };
      })
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    var units = Object.keys(spec.units);
    if (!units.length) {
      return;
    }
    var rtl = document.documentElement.dir === "rtl";
    var valueAxis = { beginAtZero: true, ticks: { precision: 0 } };
    // Long clause kinds and partner names are shortened on the axis; the tooltip has them whole.
    var categoryAxis = {
      ticks: {
        autoSkip: false,
        callback: function (value) {
          var label = String(this.getLabelForValue(value));
          return label.length > LABEL_MAX ? label.slice(0, LABEL_MAX - 1) + "…" : label;
        }
      }
    };
    var scales;
    if (spec.horizontal) {
      valueAxis.reverse = rtl;
      categoryAxis.position = rtl ? "right" : "left";
      scales = { x: valueAxis, y: categoryAxis };
    } else {
      categoryAxis.reverse = rtl;
      valueAxis.position = rtl ? "right" : "left";
      scales = { x: categoryAxis, y: valueAxis };
    }
    var select = document.querySelector('select[data-chart-unit="' + canvas.id + '"]');
    var unit = select ? select.value : units[0];
    size(canvas, spec, spec.units[unit].labels.length);
    var chart = new Chart(canvas, {
      type: "bar",
      data: data(spec, unit),
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
    if (select) {
      select.addEventListener("change", function () {
        size(canvas, spec, spec.units[select.value].labels.length);
        chart.data = data(spec, select.value);
        chart.update();
      });
    }
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
