/* The desk's small map: open incidents (dots) and the areas of active threats (rings) in the
 * jurisdiction, from the page's json_script "desk-map-data" (text only, never HTML). */
(function () {
  "use strict";
  var box = document.getElementById("desk-map");
  var source = document.getElementById("desk-map-data");
  if (!box || !source || typeof SinergiMap === "undefined") return;
  var data = JSON.parse(source.textContent);
  var map = SinergiMap.create(box, { scrollWheelZoom: false });
  var COLOURS = { 1: "#0d6efd", 2: "#ffc107", 3: "#fd7e14", 4: "#dc3545" };
  var bounds = [];
  function link(url, id, text) {
    var a = document.createElement("a");
    a.href = url.replace(/0\/$/, id + "/");
    a.textContent = text;
    return a;
  }
  data.threats.forEach(function (t) {
    var latlng = [t.lat, t.lon];
    bounds.push(latlng);
    L.circleMarker(latlng, { radius: 14, color: COLOURS[t.severity] || "#6c757d", weight: 3, fill: false, className: "desk-threat" })
      .bindPopup(function () { return link(box.dataset.threatUrl, t.id, t.title); })
      .addTo(map);
  });
  data.incidents.forEach(function (i) {
    var latlng = [i.lat, i.lon];
    bounds.push(latlng);
    L.circleMarker(latlng, { radius: 5, color: "#212529", weight: 1, fillColor: COLOURS[i.severity] || "#6c757d", fillOpacity: 0.85, className: "desk-incident" })
      .bindPopup(function () { return link(box.dataset.incidentUrl, i.id, i.ref); })
      .addTo(map);
  });
  box.dataset.points = String(bounds.length);
  SinergiMap.fit(map, bounds, 0.3, 12);
})();
