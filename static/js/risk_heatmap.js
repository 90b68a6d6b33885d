/* Sinergi: the risk heat map's map. Each area with a known centre is a circle whose size and
 * colour follow its highest risk score (1-25); the colours are computed by the server so the
 * map and the table agree. The map itself (tiles or the offline base layer) comes from
 * SinergiMap (static/js/sinergi_map.js). Names go into the DOM as text, never as HTML. */
(function () {
  "use strict";

  var box = document.getElementById("risk-map");
  var data = document.getElementById("risk-points");
  if (!box || !data || typeof L === "undefined" || typeof SinergiMap === "undefined") return;
  var points = JSON.parse(data.textContent);

  var map = SinergiMap.create(box, { scrollWheelZoom: false });

  function popup(point) {
    var wrap = document.createElement("div");
    var title = document.createElement("a");
    title.className = "fw-semibold d-block mb-1";
    title.href = point.url;
    title.textContent = point.name + " · " + point.score;
    wrap.appendChild(title);
    point.hazards
      .slice()
      .sort(function (a, b) { return b.score - a.score; })
      .forEach(function (hazard) {
        var line = document.createElement("div");
        line.className = "small";
        line.textContent = hazard.name + ": " + hazard.score;
        wrap.appendChild(line);
      });
    return wrap;
  }

  var bounds = [];
  // Biggest first, so that small circles stay on top and clickable.
  points
    .slice()
    .sort(function (a, b) { return b.score - a.score; })
    .forEach(function (point) {
      var latlng = [point.lat, point.lon];
      bounds.push(latlng);
      L.circleMarker(latlng, {
        radius: 6 + point.score * 0.9,
        color: "#212529",
        weight: 1,
        fillColor: point.colour,
        fillOpacity: 0.75,
        className: "risk-circle",
      })
        // Without tiles the names are the only landmarks: show them, unless they would crowd the map.
        .bindTooltip(point.name + " · " + point.score, {
          direction: "right",
          permanent: !box.dataset.tileUrl && points.length <= 30,
          className: "area-label",
          offset: [6 + point.score * 0.9, 0],
        })
        .bindPopup(function () { return popup(point); })
        .addTo(map);
    });
  SinergiMap.fit(map, bounds, 0.35, 12);
})();
