/* The public alerts' map (/peringatan/peta/): one ring per located area of each alert, coloured
 * by severity, from the page's json_script "public-alert-points" (text only, never HTML). A
 * ring's popup names the area and the alert and links to its card in the list under the map.
 * Deferred, like the map scripts it needs: the list is the page before any of it runs. */
(function () {
  "use strict";
  var box = document.getElementById("public-alert-map");
  var source = document.getElementById("public-alert-points");
  if (!box || !source || typeof SinergiMap === "undefined") return;
  var points = JSON.parse(source.textContent);
  var map = SinergiMap.create(box, { scrollWheelZoom: false }); // tiles: the box's data-tile-url
  var COLOURS = { 1: "#6ea8fe", 2: "#ffc107", 3: "#e8590c", 4: "#b02a37" };
  var bounds = [];
  points.forEach(function (p) {
    var latlng = [p.lat, p.lon];
    bounds.push(latlng);
    L.circleMarker(latlng, {
      radius: 12, color: COLOURS[p.severity] || "#6c757d", weight: 3, fillOpacity: 0.25, className: "public-alert-ring",
    }).bindPopup(function () {
      var div = document.createElement("div");
      var strong = document.createElement("strong");
      strong.textContent = p.area;
      var link = document.createElement("a");
      link.href = "#alert-" + p.id;
      link.textContent = p.headline;
      div.appendChild(strong);
      div.appendChild(document.createElement("br"));
      div.appendChild(link);
      return div;
    }).addTo(map);
  });
  box.dataset.points = String(bounds.length);
  SinergiMap.fit(map, bounds, 0.3, 11); // none: all of Indonesia
})();
