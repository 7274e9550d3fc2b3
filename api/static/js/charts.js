/* dutygraph pages: draw the charts whose data the page carries as JSON.
 *
 * The server writes each chart's data into <script type="application/json" id="…-data"> with Jinja's tojson
 * filter (so plan text can never become code) and this script reads it back with JSON.parse. Chart.js is the
 * vendored copy under /static/vendor/chart.js/; if it is missing, the data tables next to each chart still
 * show every number.
 */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;
  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1f2328";
  Chart.defaults.animation = false; // a still picture: nothing moves for people who read, or for tests

  var COLOURS = {
    lead: "#b42318",
    assist: "#1d63c4",
    responsible: "#6941c6",
    involved: "#8a8f98",
  };

  function readData(id) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function drawDeadlines() {
    var canvas = document.getElementById("deadline-chart");
    var data = readData("deadline-chart-data");
    if (!canvas || !data) {
      return;
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: "到期任务数 tasks due", data: data.counts, backgroundColor: COLOURS.assist }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function drawRoles() {
    var canvas = document.getElementById("role-chart");
    var data = readData("role-chart-data");
    if (!canvas || !data) {
      return;
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series) {
          return { label: series.label, data: series.values, backgroundColor: COLOURS[series.key] || "#555" };
        }),
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: true, ticks: { autoSkip: false } },
        },
      },
    });
  }

  drawDeadlines();
  drawRoles();
})();
