/* An agency's vital objects (squares) and cameras (dots) on the shared map, from the page's
 * json_script "assets-map-data" (names go in as text only, never HTML). */
(function () {
  "use strict";
  var box = document.getElementById("assets-map");
  var source = document.getElementById("assets-map-data");
  if (!box || !source || typeof SinergiMap === "undefined") return;
  var points = JSON.parse(source.textContent);
  var map = SinergiMap.create(box, { scrollWheelZoom: false });
  var bounds = [];
  points.forEach(function (p) {
    var latlng = [p.lat, p.lon];
    bounds.push(latlng);
    var vital = p.kind === "vital_object";
    var marker = L.circleMarker(latlng, {
      radius: vital ? 9 : 6,
      color: vital ? "#842029" : "#0b2e4f",
      weight: 2,
      fillColor: vital ? "#dc3545" : "#0d6efd",
      fillOpacity: 0.8,
      className: vital ? "asset-vital-object" : "asset-camera",
    });
    marker.bindTooltip(function () { var s = document.createElement("span"); s.textContent = p.name; return s; });
    if (p.url) {
      marker.bindPopup(function () {
        var a = document.createElement("a");
        a.href = p.url;
        a.textContent = p.name;
        return a;
      });
    }
    marker.addTo(map);
  });
  box.dataset.points = String(bounds.length);
  SinergiMap.fit(map, bounds, 0.3, 14);
})();
