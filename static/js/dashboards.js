// Draws the dashboard charts with Chart.js from the figures the page carries in a
// json_script block. The same figures are in the table under each chart, and each canvas
// has a text summary as its accessible name, so nothing depends on this script running.
(function () {
  "use strict";

  // GOV.UK palette, ordered from Outstanding to Requires improvement.
  var GRADE_COLOURS = ["#00703c", "#1d70b8", "#f47738", "#d4351c"];

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function gradesChart(canvas, data) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.grades.map(function (grade, i) {
          return { label: grade.label, data: grade.data, backgroundColor: GRADE_COLOURS[i % GRADE_COLOURS.length] };
        })
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { title: { display: true, text: "Audits by final grade" } },
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  function goodOrBetterChart(canvas, data) {
    // Gaps, not lines, across months without audits (spanGaps false); national and target as lines.
    var datasets = [{ label: (data.scope || "") + " % good or better", data: data.good_or_better_pct, borderColor: "#1d70b8", backgroundColor: "#1d70b8", spanGaps: false }];
    if (data.national_pct) {
      datasets.push({ label: "National", data: data.national_pct, borderColor: "#505a5f", backgroundColor: "#505a5f", borderDash: [6, 4], spanGaps: false, pointRadius: 2 });
    }
    if (data.target_pct !== null && data.target_pct !== undefined) {
      datasets.push({ label: "Target (" + data.target_pct + "%)", data: data.labels.map(function () { return data.target_pct; }), borderColor: "#d4351c", backgroundColor: "#d4351c", borderDash: [2, 3], pointRadius: 0 });
    }
    return new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: datasets
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { title: { display: true, text: "% of audits graded good or better" } },
        scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } }
      }
    });
  }

  function draw() {
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = read(canvas.dataset.source);
      if (!data) { return; }
      if (canvas.dataset.chart === "grades") { gradesChart(canvas, data); }
      if (canvas.dataset.chart === "good-or-better") { goodOrBetterChart(canvas, data); }
      canvas.dataset.drawn = "true";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
