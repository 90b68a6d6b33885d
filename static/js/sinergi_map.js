/* Sinergi: the one map set-up every map of the portal uses (Leaflet, all local).
 *
 *   var map = SinergiMap.create(element, { tileUrl, attribution, ...Leaflet map options });
 *   SinergiMap.drawAreas(map, areas);   // [{name, level, lat, lon, boundary?}]
 *
 * With a tile URL (the SINERGI_MAP_TILE_URL setting, e.g. a self-hosted tile server) the map
 * shows those tiles. Without one it draws the offline base layer: Natural Earth 1:10m land,
 * coastlines and national borders (world-atlas, vendored in static/vendor/world-atlas/) on a
 * sea-blue background, so a map is never dots on grey and nothing is fetched from a third party.
 * The base layer is loaded once per page (the browser caches the files), at 1:50m for the
 * country-wide views and 1:10m from zoom 6 on, and only the land around Indonesia is kept, so
 * that panning and zooming stay light. The element's data-base-map ("ready", "failed") and
 * data-base-map-scale ("coarse", "fine") say what is drawn.
 *
 * The data's URLs come from this script tag's data-base-map (1:10m) and data-base-map-coarse
 * (1:50m) attributes (hashed static URLs in production). Area names go into the DOM as text only.
 */
(function () {
  "use strict";

  if (typeof L === "undefined") return;

  var script = document.currentScript;
  // Two scales of the same Natural Earth data: 1:50m (230 KB compressed) for the country-wide
  // views, 1:10m (900 KB) fetched only once a map is zoomed in to where its detail shows.
  var BASE_URLS = {
    coarse: script ? script.dataset.baseMapCoarse || "" : "",
    fine: script ? script.dataset.baseMap || "" : "",
  };
  var FINE_FROM_ZOOM = 6;
  var INDONESIA = [[-11, 95], [6, 141]];
  // Land kept from the world file: Indonesia and its neighbours (lon 85..160 E, lat 25 S..25 N).
  var REGION = { west: 85, east: 160, south: -25, north: 25 };
  var SEA = "#cfe2f3";

  // The area names' look, the same on the staff and the public pages.
  if (!document.getElementById("sinergi-map-style")) {
    var style = document.createElement("style");
    style.id = "sinergi-map-style";
    style.textContent =
      ".leaflet-tooltip.area-label{background:rgba(255,255,255,.85);border:0;box-shadow:none;color:#0b2e4f;" +
      "font-weight:600;font-size:.75rem;padding:0 .25rem}" +
      ".leaflet-tooltip.area-label::before{display:none}.leaflet-tooltip.area-label.regency{font-size:.85rem}";
    document.head.appendChild(style);
  }

  var basePromises = {};
  function loadBase(scale) {
    var url = BASE_URLS[scale] || BASE_URLS.fine;
    if (basePromises[url]) return basePromises[url];
    if (!url || typeof topojson === "undefined") return Promise.reject(new Error("no base map"));
    basePromises[url] = fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (topology) {
        var land = topojson.feature(topology, topology.objects.land);
        // Borders between countries only (a and b differ): coastlines come from the land fill.
        var borders = topojson.mesh(topology, topology.objects.countries, function (a, b) { return a !== b; });
        return { land: clip(land), borders: clipLines(borders) };
      });
    return basePromises[url];
  }

  function ringBox(ring) {
    var box = { west: 180, east: -180, south: 90, north: -90 };
    ring.forEach(function (c) {
      if (c[0] < box.west) box.west = c[0];
      if (c[0] > box.east) box.east = c[0];
      if (c[1] < box.south) box.south = c[1];
      if (c[1] > box.north) box.north = c[1];
    });
    return box;
  }
  // Rings cut at the antimeridian (Fiji; Eurasia at Chukotka) jump from 180 to -180 and would
  // draw as a band across the whole map: move their far-east points past 180 instead.
  function unwrap(ring) {
    var box = ringBox(ring);
    if (box.east - box.west <= 180) return ring;
    return ring.map(function (c) { return c[0] < -150 ? [c[0] + 360, c[1]] : c; });
  }
  function inRegion(box) {
    return box.east >= REGION.west && box.west <= REGION.east && box.north >= REGION.south && box.south <= REGION.north;
  }
  // Keep the polygons (outer ring's box) that touch the region, one feature each: Leaflet then
  // skips the islands outside the view instead of clipping one huge shape at every zoom.
  function clip(collection) {
    var features = [];
    (collection.features || [collection]).forEach(function (feature) {
      var g = feature.geometry;
      if (!g) return;
      var list = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      list.forEach(function (polygon) {
        polygon = polygon.map(unwrap);
        if (inRegion(ringBox(polygon[0]))) {
          features.push({ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: polygon } });
        }
      });
    });
    return { type: "FeatureCollection", features: features };
  }
  function clipLines(feature) {
    var g = feature.geometry || feature;
    var lines = g.type === "LineString" ? [g.coordinates] : g.coordinates || [];
    return {
      type: "FeatureCollection",
      features: lines
        .map(unwrap)
        .filter(function (line) { return inRegion(ringBox(line)); })
        .map(function (line) { return { type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: line } }; }),
    };
  }

  function addBaseLayer(map, element) {
    element.classList.add("map-no-tiles", "map-offline-base");
    element.style.background = SEA;
    var pane = map.createPane("basemap");
    pane.style.zIndex = 200; // where tiles would be: under the areas (400) and the markers (600)
    pane.style.pointerEvents = "none";
    // Its own SVG renderer, so the base layer's paths are told apart from the data's.
    var renderer = L.svg({ pane: "basemap", padding: 0.5 });
    var shown = null; // {scale, layers}
    function draw(scale, base) {
      var layers = L.layerGroup([
        L.geoJSON(base.land, {
          pane: "basemap",
          renderer: renderer,
          interactive: false,
          style: { color: "#7d98b3", weight: 1, fillColor: "#f4f1e6", fillOpacity: 1, className: "base-land" },
        }),
        L.geoJSON(base.borders, {
          pane: "basemap",
          renderer: renderer,
          interactive: false,
          style: { color: "#9a8f7a", weight: 1, dashArray: "4 3", fill: false, className: "base-border" },
        }),
      ]).addTo(map);
      if (shown) map.removeLayer(shown.layers);
      shown = { scale: scale, layers: layers };
      element.dataset.baseMap = "ready";
      element.dataset.baseMapScale = scale;
    }
    // The scale the view needs: the fine one once zoomed in (or when there is no coarse file).
    function wanted() {
      return !BASE_URLS.coarse || map.getZoom() >= FINE_FROM_ZOOM ? "fine" : "coarse";
    }
    function update() {
      var scale = wanted();
      if (shown && shown.scale === scale) return;
      loadBase(scale)
        .then(function (base) {
          if (wanted() !== scale) return; // the user zoomed on meanwhile
          var first = !shown;
          draw(scale, base);
          if (first) element.dispatchEvent(new CustomEvent("sinergi:base-map-ready"));
        })
        .catch(function () {
          if (!shown) element.dataset.baseMap = "failed"; // the sea and the areas still orient
        });
    }
    map.whenReady(update); // once the page has set the view
    map.on("zoomend", update);
  }

  /* A Leaflet map on `element`: tiles when options.tileUrl (or data-tile-url) is set, else the
   * offline base layer. A scale bar always. Extra options are passed to L.map. */
  function create(element, options) {
    options = Object.assign({}, options || {});
    var tileUrl = options.tileUrl !== undefined ? options.tileUrl : element.dataset.tileUrl || "";
    var attribution = options.attribution !== undefined ? options.attribution : element.dataset.tileAttribution || "";
    delete options.tileUrl;
    delete options.attribution;
    // maxZoom on the map itself: without a tile layer Leaflet has none, and markercluster needs one.
    var mapOptions = Object.assign({ maxZoom: 18, attributionControl: Boolean(tileUrl) }, options);
    var map = L.map(element, mapOptions);
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: attribution, maxZoom: mapOptions.maxZoom }).addTo(map);
    } else {
      addBaseLayer(map, element);
    }
    map.sinergiHasTiles = Boolean(tileUrl);
    L.control.scale({ imperial: false }).addTo(map);
    return map;
  }

  /* The areas under the data: an area's boundary (GeoJSON) when it has one, else a dot at its
   * centroid, with its name. Regencies (and provinces) are bigger and named even when zoomed
   * out; districts get their names when there are few enough of them or no tiles. Returns the
   * points ([lat, lon]) to fit the map to. */
  function drawAreas(map, areas, options) {
    options = options || {};
    areas = areas || [];
    var hasTiles = map.sinergiHasTiles;
    var layer = L.layerGroup().addTo(map);
    if (!map.getPane("areaLabels")) {
      // The names go in a pane under the markers (600): they must never hide an incident or a count.
      map.createPane("areaLabels").style.zIndex = 450;
    }
    var labelAll = options.labelAll !== undefined ? options.labelAll : !hasTiles && areas.length <= 40;
    var points = [];
    areas.forEach(function (area) {
      var regency = area.level <= 2;
      var tooltip = {
        permanent: labelAll || (regency && !hasTiles),
        direction: "right",
        pane: "areaLabels",
        className: "area-label" + (regency ? " regency" : ""),
      };
      if (area.boundary) {
        try {
          var shape = L.geoJSON(area.boundary, {
            interactive: true,
            style: { color: "#0b2e4f", weight: regency ? 2 : 1, fillOpacity: 0.04, className: "area-shape" },
          });
          var bounds = shape.getBounds();
          if (bounds.isValid()) {
            shape.bindTooltip(area.name, Object.assign({}, tooltip, { direction: "center" })).addTo(layer);
            points.push(bounds.getSouthWest(), bounds.getNorthEast());
            return;
          }
        } catch (error) {
          // A boundary Leaflet cannot read: fall back to the centroid.
        }
      }
      if (area.lat === null || area.lat === undefined || area.lon === null || area.lon === undefined) return;
      L.circleMarker([area.lat, area.lon], {
        radius: regency ? 6 : 4,
        color: "#0b2e4f",
        weight: 1,
        fillColor: regency ? "#0b2e4f" : "#6c8aa6",
        fillOpacity: hasTiles ? 0.35 : 0.6,
        className: "area-centroid",
      })
        .bindTooltip(area.name, tooltip)
        .addTo(layer);
      points.push(L.latLng(area.lat, area.lon));
    });
    return points;
  }

  /* Fit the map to points (a margin around them), one point at `zoom`, none: Indonesia. */
  function fit(map, points, pad, zoom) {
    if (points.length > 1) map.fitBounds(L.latLngBounds(points).pad(pad === undefined ? 0.3 : pad));
    else if (points.length === 1) map.setView(points[0], zoom || 12);
    else map.fitBounds(INDONESIA);
  }

  window.SinergiMap = { create: create, drawAreas: drawAreas, fit: fit, INDONESIA: INDONESIA };
})();
