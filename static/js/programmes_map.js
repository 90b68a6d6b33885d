/* Programmes on the shared map (SinergiMap), from the page's json_script "programme-map-data":
 * one dot per programme, coloured by status; titles go in as text only, never HTML. */
(function () {
  "use strict";
  var box = document.getElementById("programme-map");
  var source = document.getElementById("programme-map-data");
  if (!box || !source || typeof SinergiMap === "undefined") return;
  var COLOURS = { planned: "#6c757d", approved: "#0d6efd", held: "#0dcaf0", reported: "#198754", cancelled: "#dc3545" };
  var points = JSON.parse(source.textContent);
  var map = SinergiMap.create(box, { scrollWheelZoom: false });
  var bounds = [];
  points.forEach(function (p) {
    var latlng = [p.lat, p.lon];
    bounds.push(latlng);
    var colour = COLOURS[p.status] || "#0b2e4f";
    var marker = L.circleMarker(latlng, {
      radius: 8, color: "#0b2e4f", weight: 2, fillColor: colour, fillOpacity: 0.85, className: "programme-point",
    });
    marker.bindTooltip(function () { var s = document.createElement("span"); s.textContent = p.name; return s; });
    marker.bindPopup(function () {
      var wrap = document.createElement("div");
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = p.name;
      var status = document.createElement("div");
      status.className = "small text-body-secondary";
      status.textContent = p.label;
      wrap.appendChild(a);
      wrap.appendChild(status);
      return wrap;
    });
    marker.addTo(map);
  });
  box.dataset.points = String(bounds.length);
  SinergiMap.fit(map, bounds, 0.3, 14);
})();
