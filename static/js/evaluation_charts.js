// PLACEHOLDER (evalflow): replaced by evalreport's file at merge
// Draws the evaluation's charts (canvas[data-chart]) with the vendored Chart.js.
