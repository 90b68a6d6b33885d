/* Survey results' charts (Chart.js, vendored): each <canvas data-chart="key"> draws the series
   of that key from the page's JSON (<script id="survey-charts" type="application/json">).
   Without JavaScript the tables and bars beside each canvas say the same. */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("survey-charts");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var series = data[canvas.dataset.chart];
      if (!series) { return; }
      var kind = canvas.dataset.kind || series.kind || "bar";
      var datasets = [{ label: canvas.dataset.label || "", data: series.values, backgroundColor: "#0b2e4f", borderColor: "#0b2e4f" }];
      if (series.scores && canvas.dataset.scores) {
        datasets.push({ type: "line", label: canvas.dataset.scores, data: series.scores, yAxisID: "y1",
                        borderColor: "#f2a900", backgroundColor: "#f2a900" });
      }
      var scales = { y: { beginAtZero: true, ticks: { precision: canvas.dataset.max ? undefined : 0 } } };
      if (canvas.dataset.max) { scales.y.max = Number(canvas.dataset.max); }
      if (datasets.length > 1) { scales.y1 = { position: "right", min: 25, max: 100, grid: { drawOnChartArea: false } }; }
      canvas.parentElement.classList.remove("d-none");
      new Chart(canvas, {
        type: kind,
        data: { labels: series.labels, datasets: datasets },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
                   indexAxis: canvas.dataset.horizontal ? "y" : "x",
                   plugins: { legend: { display: datasets.length > 1 } }, scales: scales }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
