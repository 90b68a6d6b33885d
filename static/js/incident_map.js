/* Sinergi: incident maps (Leaflet, all local under static/vendor/).
 *
 * - [data-mini-map]: one incident's point on its detail page;
 * - [data-picker-map]: click to set the latitude/longitude inputs of the incident form;
 * - #incident-map: every incident the user may see in the visible box, clustered, fetched from
 *   /api/v1/incidents.geojson with the page's filters and refetched (debounced) on pan and zoom.
 *
 * Every map is made by SinergiMap.create (static/js/sinergi_map.js): the tiles of
 * SINERGI_MAP_TILE_URL when set, else the offline base layer (land, coasts, borders), with the
 * areas of the user's jurisdiction (shape or centroid, named) drawn by SinergiMap.drawAreas.
 * Text from the server goes into the DOM with textContent only: titles are user input.
 */
(function () {
  "use strict";

  if (typeof L === "undefined" || typeof SinergiMap === "undefined") return;

  var SEVERITY_CLASS = { Unknown: 0, Minor: 1, Moderate: 2, Severe: 3, Extreme: 4 };
  var ZONE_LABELS = { "Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };

  function dot(severity) {
    var level = typeof severity === "number" ? severity : SEVERITY_CLASS[severity];
    return L.divIcon({
      className: "incident-dot sev-" + (level === undefined ? 0 : level),
      iconSize: [16, 16],
      iconAnchor: [8, 8],
      popupAnchor: [0, -8],
    });
  }

  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // --- One incident's point ------------------------------------------------------------------
  document.querySelectorAll("[data-mini-map]").forEach(function (box) {
    var lat = parseFloat(box.dataset.lat);
    var lon = parseFloat(box.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) return;
    var map = SinergiMap.create(box, { scrollWheelZoom: false }).setView([lat, lon], 14);
    L.marker([lat, lon], { icon: dot(4), title: box.dataset.label || "" }).addTo(map);
    L.circle([lat, lon], { radius: 250, weight: 1, color: "#b02a37", fillOpacity: 0.08 }).addTo(map);
  });

  // --- The form's coordinate picker ----------------------------------------------------------
  document.querySelectorAll("[data-picker-map]").forEach(function (box) {
    var latInput = document.getElementById(box.dataset.latInput);
    var lonInput = document.getElementById(box.dataset.lonInput);
    if (!latInput || !lonInput) return;
    var map = SinergiMap.create(box, { scrollWheelZoom: false });
    var areaPoints = SinergiMap.drawAreas(map, json("map-areas"));
    var marker = null;

    function current() {
      var lat = parseFloat(latInput.value);
      var lon = parseFloat(lonInput.value);
      return isNaN(lat) || isNaN(lon) ? null : L.latLng(lat, lon);
    }
    function place(latlng, zoom) {
      if (!marker) marker = L.marker(latlng, { icon: dot(3), draggable: true }).addTo(map);
      marker.setLatLng(latlng);
      marker.off("dragend").on("dragend", function () {
        write(marker.getLatLng());
      });
      if (zoom) map.setView(latlng, zoom);
    }
    function write(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = L.Util.wrapNum(latlng.lng, [-180, 180], true).toFixed(6);
      latInput.dispatchEvent(new Event("change", { bubbles: true }));
    }

    var start = current();
    if (start) place(start, 14);
    else SinergiMap.fit(map, areaPoints, 0.3, 12);

    map.on("click", function (event) {
      write(event.latlng);
      place(event.latlng);
    });
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("input", function () {
        var latlng = current();
        if (latlng) place(latlng, Math.max(map.getZoom(), 12));
      });
    });
    // A liaison on the spot: the phone's GPS fills the coordinates (HTTPS or localhost only).
    var gps = box.parentElement.querySelector("[data-use-position]");
    if (gps && navigator.geolocation && window.isSecureContext) {
      gps.classList.remove("d-none");
      gps.addEventListener("click", function () {
        gps.disabled = true;
        navigator.geolocation.getCurrentPosition(
          function (position) {
            var latlng = L.latLng(position.coords.latitude, position.coords.longitude);
            write(latlng);
            place(latlng, 16);
            gps.disabled = false;
          },
          function () {
            gps.disabled = false;
            gps.title = gps.dataset.error || "";
            gps.classList.add("btn-outline-danger");
          },
          { enableHighAccuracy: true, timeout: 15000 }
        );
      });
    }
    document.addEventListener("sinergi:area-picked", function (event) {
      if (!current() && event.detail.lat !== null && event.detail.lon !== null) {
        map.setView([event.detail.lat, event.detail.lon], 12);
      }
    });
  });

  // --- The incident map ----------------------------------------------------------------------
  var box = document.getElementById("incident-map");
  if (!box) return;

  var labels = json("map-labels") || {};
  var form = document.getElementById("map-filters");
  var statusLine = document.getElementById("map-status");
  var map = SinergiMap.create(box, { worldCopyJump: true });
  var detailUrl = box.dataset.detailUrl; // ".../incidents/0/": 0 is replaced by the id

  // A generous margin: incidents lie around the centres, not on them.
  SinergiMap.fit(map, SinergiMap.drawAreas(map, json("map-areas")), 0.5, 12);

  var clusters = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50, chunkedLoading: true });
  map.addLayer(clusters);

  function popup(props) {
    var wrap = el("div", "incident-popup");
    wrap.appendChild(el("div", "font-monospace small text-body-secondary", props.reference));
    var link = el("a", "fw-semibold d-block mb-1", props.title);
    link.href = detailUrl.replace(/\/0\/$/, "/" + encodeURIComponent(props.id) + "/");
    link.setAttribute("data-testid", "popup-link");
    wrap.appendChild(link);
    var facts = el("div", "small");
    var parts = [
      (labels.categories || {})[props.category] || props.category,
      (labels.severities || {})[props.severity] || props.severity,
      (labels.statuses || {})[props.status] || props.status,
    ];
    facts.textContent = parts.filter(Boolean).join(" · ");
    wrap.appendChild(facts);
    if (props.occurred_at) {
      var when = new Date(props.occurred_at);
      if (!isNaN(when)) {
        // In the zone of the incident's area with its label (WIB/WITA/WIT), never the browser's.
        var options = { dateStyle: "medium", timeStyle: "short" };
        var label = ZONE_LABELS[props.timezone];
        if (label) options.timeZone = props.timezone;
        var text = when.toLocaleString(document.documentElement.lang || undefined, options);
        wrap.appendChild(el("div", "small text-body-secondary", label ? text + " " + label : text));
      }
    }
    return wrap;
  }

  function params() {
    var query = new URLSearchParams();
    if (form) {
      new FormData(form).forEach(function (value, key) {
        if (value === "") return;
        if (key === "occurred_before") value = value + "T23:59:59";
        if (key === "occurred_after") value = value + "T00:00:00";
        query.append(key, value);
      });
    }
    return query;
  }

  function bbox() {
    var b = map.getBounds();
    function clamp(v, lo, hi) {
      return Math.min(hi, Math.max(lo, v));
    }
    var west = b.getWest(), east = b.getEast();
    if (east - west >= 360) { west = -180; east = 180; }
    west = L.Util.wrapNum(west, [-180, 180], true);
    east = L.Util.wrapNum(east, [-180, 180], true);
    if (west > east) { west = -180; east = 180; } // the box crosses the antimeridian
    return [west, clamp(b.getSouth(), -90, 90), east, clamp(b.getNorth(), -90, 90)]
      .map(function (v) { return v.toFixed(5); })
      .join(",");
  }

  function say(text, kind) {
    if (!statusLine) return;
    statusLine.textContent = text;
    statusLine.className = "small " + (kind === "error" ? "text-danger" : "text-body-secondary");
  }

  var inFlight = null;
  function load() {
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    var query = params();
    query.set("bbox", bbox());
    box.setAttribute("aria-busy", "true");
    say(labels.loading || "Loading…");
    fetch(box.dataset.geojsonUrl + "?" + query.toString(), {
      credentials: "same-origin",
      headers: { Accept: "application/geo+json, application/json" },
      signal: inFlight.signal,
    })
      .then(function (response) {
        if (!response.ok) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            var detail = Object.keys(body).map(function (k) { return [].concat(body[k]).join(" "); }).join(" ");
            throw new Error(detail || String(response.status));
          });
        }
        return response.json();
      })
      .then(function (collection) {
        clusters.clearLayers();
        var markers = [];
        (collection.features || []).forEach(function (feature) {
          if (!feature.geometry || feature.geometry.type !== "Point") return;
          var c = feature.geometry.coordinates;
          var props = feature.properties || {};
          var marker = L.marker([c[1], c[0]], { icon: dot(props.severity), title: props.title || "" });
          marker.bindPopup(function () { return popup(props); });
          markers.push(marker);
        });
        clusters.addLayers(markers);
        var template = markers.length === 1 ? labels.count_one : labels.count_other;
        var text = (template || "%s incidents in view").replace("%s", markers.length.toLocaleString());
        if (collection.truncated) text += " · " + (labels.truncated || "only the newest are shown: zoom in");
        say(text);
        box.dataset.featureCount = String(markers.length);
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        say((labels.error || "The incidents could not be loaded.") + " " + error.message, "error");
      })
      .finally(function () {
        box.removeAttribute("aria-busy");
      });
  }

  var timer = null;
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  }
  map.on("moveend", soon);

  if (form) {
    form.addEventListener("change", function () {
      // The page URL keeps the filters (not the box), so a reload or a shared link shows the same.
      var shown = new URLSearchParams();
      new FormData(form).forEach(function (value, key) { if (value !== "") shown.append(key, value); });
      history.replaceState(null, "", window.location.pathname + (shown.toString() ? "?" + shown : ""));
      soon();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      load();
    });
  }
  load();
})();
