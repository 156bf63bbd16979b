// Draws an improvement plan's measure charts with Chart.js from the figures the page carries in
// its "plan-charts" json_script block (each measure's table on the page holds the same figures).
(function () {
  "use strict";
  var data = document.getElementById("plan-charts");
  if (!window.Chart || !data) return;
  var charts = JSON.parse(data.textContent);
  charts.forEach(function (c) {
    var canvas = document.getElementById(c.id);
    if (!canvas) return;
    var flat = function (v) { return c.months.map(function () { return v; }); };
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: c.months,
        datasets: [
          { label: c.label, data: c.values, borderColor: "#1d70b8", backgroundColor: "#1d70b8", spanGaps: true },
          { label: "Target", data: flat(c.target), borderColor: "#00703c", borderDash: [6, 4], pointRadius: 0 },
          { label: "Baseline", data: flat(c.baseline), borderColor: "#505a5f", borderDash: [2, 3], pointRadius: 0 }
        ]
      },
      options: {
        animation: false, maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: { y: { suggestedMin: c.unit === "%" ? 0 : undefined, suggestedMax: c.unit === "%" ? 100 : undefined } }
      }
    });
  });
})();
