/* Sinergi: an evaluation's charts (Chart.js, vendored). Each <canvas data-chart-config="ID">
   draws the Chart.js configuration the server wrote into <script id="ID" type="application/json">
   (templates/coordination/evaluations/partials/figures.html, built by presenters.py). No inline
   script; without JavaScript the tables beside each canvas give the same figures. Labels reach
   the canvas through Chart.js, never as HTML. */
(function () {
  "use strict";
  function draw() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-chart-config]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.chartConfig);
      if (!source || canvas.dataset.drawn) { return; }
      var config = JSON.parse(source.textContent);
      delete config.height;
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
      canvas.parentElement.classList.remove("d-none");
      canvas.dataset.drawn = "1";
      new Chart(canvas, config);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
  // A figures block swapped in by htmx draws its own charts.
  document.addEventListener("htmx:afterSettle", draw);
})();
