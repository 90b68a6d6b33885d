// The public summary of an evaluation: its tables are the figures; the charts (Chart.js, about
// 200 KB) are loaded only when the citizen asks for them, so that the page stays light on a
// phone (tests/e2e/test_evaluations.py weighs it). The button names the scripts to load, in order.
(function () {
  "use strict";
  function load(sources, done) {
    if (!sources.length) { done(); return; }
    var script = document.createElement("script");
    script.src = sources[0];
    script.onload = function () { load(sources.slice(1), done); };
    document.head.appendChild(script);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-load-charts]");
    if (!button) return;
    button.disabled = true;
    load(button.getAttribute("data-load-charts").split(" "), function () {
      button.hidden = true;
      document.dispatchEvent(new CustomEvent("evaluation:charts-loaded"));
    });
  });
})();
