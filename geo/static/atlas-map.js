/* Mountain Atlas map script: draws one map state from its artefacts.
 *
 * The page (built with folium by geo/mapping.py) creates the Leaflet map and calls
 * AtlasMap.start(map, specName, bounds). The spec (a per-state JSON) lists the layers bottom to
 * top: raster images, TopoJSON countries with a style and tooltip per country, GeoJSON shapes
 * and points; plus the legend and the labels in the page's language. Files are fetched by
 * relative URL from the folder the page was served from, or read from an inline JSON island
 * (static exports opened from disk). Every tooltip and the legend arrive as escaped HTML.
 */
(function () {
  "use strict";

  function inlineFiles() {
    var el = document.getElementById("atlas-inline");
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }
  var INLINE = inlineFiles();

  function getJSON(name) {
    if (INLINE && Object.prototype.hasOwnProperty.call(INLINE, name)) {
      return Promise.resolve(INLINE[name]);
    }
    return fetch(name, {credentials: "same-origin"}).then(function (r) {
      if (!r.ok) throw new Error(name);
      return r.json();
    }).catch(function () { throw new Error(name); });
  }

  function imageURL(name) {
    return (INLINE && INLINE["data:" + name]) || name;
  }

  /* TopoJSON (quantised, delta-encoded arcs) to GeoJSON geometry, per the specification. */
  function topoFeatures(topo, objectName) {
    var tf = topo.transform, arcs = topo.arcs, decoded = new Array(arcs.length);
    function arc(i) {
      var k = i < 0 ? ~i : i, pts = decoded[k];
      if (!pts) {
        var x = 0, y = 0, src = arcs[k];
        pts = new Array(src.length);
        for (var j = 0; j < src.length; j++) {
          if (tf) { x += src[j][0]; y += src[j][1];
            pts[j] = [x * tf.scale[0] + tf.translate[0], y * tf.scale[1] + tf.translate[1]];
          } else { pts[j] = src[j]; }
        }
        decoded[k] = pts;
      }
      return i < 0 ? pts.slice().reverse() : pts;
    }
    function ring(ids) {
      var out = [];
      for (var i = 0; i < ids.length; i++) {
        var p = arc(ids[i]);
        for (var j = i ? 1 : 0; j < p.length; j++) out.push(p[j]);
      }
      return out;
    }
    function geom(g) {
      if (g.type === "Polygon") return {type: "Polygon", coordinates: g.arcs.map(ring)};
      if (g.type === "MultiPolygon") return {type: "MultiPolygon", coordinates: g.arcs.map(function (p) { return p.map(ring); })};
      if (g.type === "LineString") return {type: "LineString", coordinates: ring(g.arcs)};
      if (g.type === "MultiLineString") return {type: "MultiLineString", coordinates: g.arcs.map(ring)};
      return null;
    }
    var obj = topo.objects[objectName], list = obj.type === "GeometryCollection" ? obj.geometries : [obj];
    return list.map(function (g) {
      return {type: "Feature", id: g.id, properties: g.properties || {}, geometry: geom(g)};
    }).filter(function (f) { return f.geometry; });
  }

  function styleOf(s) {
    return {fillColor: s[0], color: s[1], weight: s[2], fillOpacity: s[3], opacity: 1, dashArray: s[4] || null};
  }

  function vectorLayer(spec, features, keyOf) {
    var drawn = [];
    features.forEach(function (f, i) {
      var entry = spec.features[keyOf(f, i)];
      if (entry) { f.properties.__s = entry[0]; f.properties.__t = entry[1]; drawn.push(f); }
    });
    return L.geoJSON({type: "FeatureCollection", features: drawn}, {
      style: function (f) { return styleOf(spec.styles[f.properties.__s]); },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, Object.assign(styleOf(spec.styles[f.properties.__s]), {radius: 6}));
      },
      onEachFeature: function (f, layer) {
        if (f.properties.__t) layer.bindTooltip(f.properties.__t, {sticky: true, pane: TIP_PANE});
      }
    });
  }

  function buildLayer(spec) {
    if (spec.type === "empty") return Promise.resolve(L.layerGroup());
    if (spec.type === "image") {
      return Promise.resolve(L.imageOverlay(imageURL(spec.url), spec.bounds, {interactive: false, opacity: spec.opacity || 1,
        alt: spec.title}));
    }
    return getJSON(spec.url).then(function (data) {
      if (spec.type === "topojson") {
        return vectorLayer(spec, topoFeatures(data, spec.object), function (f) { return f.id; });
      }
      return vectorLayer(spec, data.features, function (f, i) { return String(i); });
    });
  }

  /* The opened legend keeps clear of the controls at the top (zoom buttons, layer control), and on a
   * narrow map (< 600 px wide) takes at most 40 % of the map's height; its body scrolls. */
  function fitLegend(map, box, btn) {
    var el = map.getContainer(), top0 = el.getBoundingClientRect().top, topEnd = 0;
    el.querySelectorAll(".leaflet-top .leaflet-control").forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (r.height) topEnd = Math.max(topEnd, r.bottom - top0);
    });
    var size = map.getSize(), bottom = box.getBoundingClientRect().bottom - top0;
    var room = bottom - topEnd - 10;  // everything between the top controls and the legend's foot
    if (size.x < 600) room = Math.min(room, 0.4 * size.y);
    box.style.setProperty("--ma-room", Math.max(room - btn.offsetHeight, 24) + "px");
  }

  function legendControl(map, spec) {
    var ctl = L.control({position: "bottomright"});
    ctl.onAdd = function () {
      var box = L.DomUtil.create("div", "ma-legend");
      var btn = L.DomUtil.create("button", "ma-legend-toggle", box);
      btn.type = "button";
      var body = L.DomUtil.create("div", "ma-legend-body", box);
      body.id = "ma-legend-body";
      body.innerHTML = spec.legend_html;  // escaped on the server
      btn.setAttribute("aria-controls", body.id);
      function set(open) {
        box.classList.toggle("ma-collapsed", !open);
        btn.setAttribute("aria-expanded", open ? "true" : "false");
        btn.textContent = (open ? "▾ " : "▸ ") + spec.labels.legend;
        btn.title = open ? spec.labels.hide_legend : spec.labels.show_legend;
        if (open && box.parentNode) fitLegend(map, box, btn);
      }
      set(window.innerWidth >= 600 && window.innerHeight >= 360);
      L.DomEvent.on(btn, "click", function (e) { L.DomEvent.stop(e); set(box.classList.contains("ma-collapsed")); });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      map.on("resize", function () { fitLegend(map, box, btn); });
      ctl.fit = function () { fitLegend(map, box, btn); };
      return box;
    };
    ctl.addTo(map);
    ctl.fit();
    return ctl;
  }

  /* A short hint in the middle of the map (how to zoom or move it): show() puts it up for 1.2 s. */
  function mapHint(map, text) {
    var box = L.DomUtil.create("div", "ma-hint", map.getContainer()), timer = null;
    box.textContent = text;
    function hide() { box.classList.remove("ma-show"); }
    return {
      show: function () { box.classList.add("ma-show"); clearTimeout(timer); timer = setTimeout(hide, 1200); },
      hide: hide
    };
  }

  /* The wheel scrolls the page; Ctrl/⌘ + wheel (or pinch, or the buttons) zooms the map. */
  function wheelManners(map, labels) {
    var hint = mapHint(map, labels.wheel_hint);
    map.getContainer().addEventListener("wheel", function (e) {
      if (e.ctrlKey || e.metaKey) return;  // Leaflet zooms
      e.stopPropagation();  // Leaflet never sees it; the browser scrolls the page
      hint.show();
    }, {capture: true});
  }

  /* On a touch screen one finger scrolls the page and two fingers move and zoom the map, as the
   * wheel scrolls the page and Ctrl/⌘ + wheel zooms it: a map that fills a phone's screen would
   * otherwise catch every swipe of a reader scrolling past it (an embed in an article the same).
   * The browser decides what a touch may do when it lands, so the container always lets it pan
   * the page; Leaflet's one-finger drag stays off for touches (two fingers are its pinch, which
   * also pans) and on for the mouse. */
  function touchManners(map, labels) {
    var el = map.getContainer(), hint = mapHint(map, labels.touch_hint);
    el.style.touchAction = "pan-x pan-y";
    el.addEventListener("touchstart", function (e) {
      if (e.touches.length === 1) {
        map.dragging.disable();
      } else {
        hint.hide();
      }
    }, {capture: true, passive: true});
    el.addEventListener("touchmove", function (e) { if (e.touches.length === 1) hint.show(); }, {capture: true, passive: true});
    el.addEventListener("mousedown", function () { map.dragging.enable(); }, {capture: true});
  }

  /* Tooltips are never hidden by the legend or the other controls: they live in a pane above the
   * control corners (a pane inside the map pane cannot rise above them), kept where the map pane is. */
  var TIP_PANE = "matips";
  function tooltipPane(map) {
    var pane = map.createPane(TIP_PANE, map.getContainer()), mapPane = map.getPane("mapPane");
    function follow() { L.DomUtil.setPosition(pane, L.DomUtil.getPosition(mapPane) || L.point(0, 0)); }
    map.on("move zoom viewreset zoomend moveend resize", follow);
    follow();
  }

  function problem(map, text) {
    var box = L.DomUtil.create("div", "ma-problem", map.getContainer());
    box.setAttribute("role", "alert");
    box.textContent = text;
  }

  /* Keep the view's bounds in frame while the frame is being sized, until the user moves the map
   * (one finger on a touch screen scrolls the page: see touchManners). */
  function keepFitted(map, bounds) {
    var moved = false, el = map.getContainer();
    function mark(e) {
      if (e.type === "pointerdown" && e.pointerType === "touch") return;
      if (e.type === "touchstart" && e.touches.length < 2) return;
      moved = true;
    }
    ["pointerdown", "touchstart", "keydown"].forEach(function (ev) { el.addEventListener(ev, mark, {capture: true, passive: true}); });
    el.addEventListener("wheel", function (e) { if (e.ctrlKey || e.metaKey) moved = true; }, {capture: true});
    map.fitBounds(bounds, {animate: false});
    map.on("resize", function () { if (!moved) map.fitBounds(bounds, {animate: false}); });
  }

  function start(map, specName, bounds, labels) {
    window.AtlasMap.map = map;
    tooltipPane(map);
    keepFitted(map, bounds);
    wheelManners(map, labels);
    touchManners(map, labels);
    return getJSON(specName).then(function (spec) {
      spec.labels = labels;
      if (spec.tiles) {
        L.tileLayer(spec.tiles.url, {attribution: spec.tiles.attribution, maxZoom: 19}).addTo(map);
      }
      return Promise.all(spec.layers.map(function (l) {
        return buildLayer(l).then(function (layer) { return {spec: l, layer: layer}; },
                                  function () { return {spec: l, error: true}; });
      })).then(function (built) {
        var overlays = {}, missing = [];
        built.forEach(function (b) {
          if (b.error) { missing.push(b.spec.url); return; }
          if (overlays[b.spec.title]) { overlays[b.spec.title].addLayer(b.layer); return; }  // one entry per layer
          b.layer.addTo(map);
          overlays[b.spec.title] = b.layer;
        });
        L.control.layers(null, overlays, {collapsed: true, position: "topright"}).addTo(map);
        legendControl(map, spec);
        if (missing.length) problem(map, spec.labels.load_error + " " + missing.join(", "));
        document.documentElement.setAttribute("data-atlas", "drawn");
      });
    }, function (err) {
      problem(map, labels.load_error + " " + err.message);
      document.documentElement.setAttribute("data-atlas", "failed");
    });
  }

  window.AtlasMap = {start: start, topoFeatures: topoFeatures};
})();
