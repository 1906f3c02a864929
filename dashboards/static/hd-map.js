/* helpende-data map behaviour (EUPL-1.2). One GeoJSON, restyled per layer; no network access.
 *
 * helpendeMap(map, cfg): cfg.data is a FeatureCollection whose features carry
 *   c (code), n (name), k (one class per layer: a number into the layer's colours, or
 *   "b" = beschermd, "w" = te weinig huishoudens/inwoners, "n" = geen gegevens) and
 *   d (per indicator: ["p", count, rate, rateLow, rateHigh, ratio, ratioLow, ratioHigh, signal]
 *   when published, [state, signal] when not; a hidden figure is absent, never 0) and
 *   l (label point [lon, lat]) and s (short name for the label, when it differs from n). cfg.gemeenten names the gemeenten by code; cfg.outlines (region
 *   maps) holds the gemeente borders as one line geometry and each gemeente's label point.
 *
 * Layout: three panels (explanation top left, layer choice top right, legend bottom right), each a
 * <details> the reader can fold. At rest each is folded when it would cover more than a fifth of
 * the map, and the map is fitted so that no panel covers any wijk of the selected area.
 */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (ch) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
    });
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) { return "—"; }
    return value.toFixed(digits).replace(".", ",");
  }

  function svgEl(name, attrs) {
    var el = document.createElementNS(SVGNS, name);
    Object.keys(attrs).forEach(function (key) { el.setAttribute(key, attrs[key]); });
    return el;
  }

  function addPatterns(svg, cfg) {
    var defs = svg.querySelector("defs") || svg.insertBefore(svgEl("defs", {}), svg.firstChild);
    var hatch = svgEl("pattern", {id: "hd-hatch", patternUnits: "userSpaceOnUse", width: 7, height: 7,
                                  patternTransform: "rotate(45)"});
    hatch.appendChild(svgEl("rect", {width: 7, height: 7, fill: cfg.style.hiddenFill}));
    hatch.appendChild(svgEl("line", {x1: 0, y1: 0, x2: 0, y2: 7, stroke: cfg.style.hatch, "stroke-width": 2.5}));
    var dots = svgEl("pattern", {id: "hd-dots", patternUnits: "userSpaceOnUse", width: 6, height: 6});
    dots.appendChild(svgEl("rect", {width: 6, height: 6, fill: cfg.style.fewFill}));
    dots.appendChild(svgEl("circle", {cx: 3, cy: 3, r: 1.3, fill: cfg.style.hatch}));
    defs.appendChild(hatch);
    defs.appendChild(dots);
  }

  var LABEL_FONT = "12px system-ui, 'Segoe UI', Arial, sans-serif";
  var GEMEENTE_FONT = "bold 13px system-ui, 'Segoe UI', Arial, sans-serif";
  var MAX_SHARE = 0.2;  // a panel at rest covers at most this share of the map (tests allow 0.25)

  var measurer = document.createElement("canvas").getContext("2d");
  function textWidth(text, font) {
    measurer.font = font;
    return measurer.measureText(text).width;
  }

  function box(className, summary, open) {
    var details = L.DomUtil.create("details", "hd-box " + className);
    var head = L.DomUtil.create("summary", "", details);
    head.innerHTML = summary;
    details.open = open;
    L.DomEvent.disableClickPropagation(details);
    L.DomEvent.disableScrollPropagation(details);
    return details;
  }

  window.helpendeMap = function (map, cfg) {
    var active = 0;
    var renderer = L.svg({padding: 0.5});
    var container = map.getContainer();
    var gemeenten = cfg.gemeenten || {};

    function gemeenteOf(code) { return "GM" + String(code).substr(2, 4); }

    function fill(k) {
      if (k === "b") { return "url(#hd-hatch)"; }
      if (k === "w") { return "url(#hd-dots)"; }
      if (typeof k === "number") { return cfg.layers[active].colours[k]; }
      return cfg.style.noDataFill;
    }

    function style(feature) {
      return {fillColor: fill(feature.properties.k[active]), fillOpacity: cfg.background ? 0.72 : 1,
              color: "#525252", weight: 0.7, opacity: 1};
    }

    function tooltip(layer) {
      var p = layer.feature.properties;
      var spec = cfg.layers[active];
      var ind = cfg.indicators[spec.indicator];
      var d = p.d[spec.indicator];
      var gm = gemeenteOf(p.c);
      var lines = ["<b>" + esc(p.n) + "</b> (" + esc(p.c) + ")",
                   "gemeente " + esc(gemeenten[gm] || gm), "<i>" + esc(spec.title) + "</i>"];
      if (!d) {
        lines.push(esc(ind.label) + ": " + esc(cfg.labels.noData));
      } else if (d[0] === "p") {
        lines.push(esc(ind.label) + ": " + d[1] + " (afgerond op " + ind.base + ")");
        lines.push(esc(ind.per) + ": " + fmt(d[2], 1) + " (95%-interval " + fmt(d[3], 1) + " – " + fmt(d[4], 1) + ")");
        lines.push(esc(ind.ratio) + ": " + fmt(d[5], 2) + " (95%-interval " + fmt(d[6], 2) + " – " + fmt(d[7], 2) + ")");
      } else {
        lines.push(esc(ind.label) + ": " + esc(d[0] === "w" ? cfg.labels.few : cfg.labels.hidden));
      }
      var signal = d ? d[d[0] === "p" ? 8 : 1] : null;
      if (signal) {
        var estimated = d[0] !== "p" && cfg.signals[signal] !== cfg.labels.hidden;
        lines.push((estimated ? "signaal (geschat; het aantal zelf blijft beschermd): " : "signaal: ") +
                   "<b>" + esc(cfg.signals[signal]) + "</b>");
      }
      lines.push("periode: " + esc(cfg.period));
      if (cfg.synthetic) { lines.push('<span class="hd-synth-tip">SYNTHETISCHE demonstratiedata</span>'); }
      return lines.join("<br>");
    }

    // The tooltip is a sibling of the controls (not in Leaflet's tooltip pane, which always stays
    // below them), so the explanation panel and legend never hide it.
    var tip = L.DomUtil.create("div", "hd-tooltip", container);
    tip.id = "hd-tooltip";
    tip.setAttribute("role", "tooltip");
    function placeTip(event) {
      var size = map.getSize(), p = event.containerPoint, w = tip.offsetWidth, h = tip.offsetHeight;
      var x = p.x + 16, y = p.y + 16;
      if (x + w > size.x - 4) { x = Math.max(4, p.x - 16 - w); }
      if (y + h > size.y - 4) { y = Math.max(4, p.y - 16 - h); }
      tip.style.left = x + "px";
      tip.style.top = y + "px";
    }
    function showTip(layer, event) {
      tip.innerHTML = tooltip(layer);
      tip.style.display = "block";
      placeTip(event);
    }

    var areas = L.geoJSON(cfg.data, {
      renderer: renderer,
      style: style,
      onEachFeature: function (feature, layer) {
        layer.on("mouseover", function (event) {
          layer.setStyle({weight: 2.5, color: "#000000"});
          layer.bringToFront();
          showTip(layer, event);
        });
        layer.on("mousemove", placeTip);
        layer.on("click", function (event) { showTip(layer, event); });  // touch screens
        layer.on("mouseout", function () { areas.resetStyle(layer); tip.style.display = "none"; });
      }
    }).addTo(map);
    addPatterns(map.getPanes().overlayPane.querySelector("svg"), cfg);

    // Gemeente borders above the wijken (never catching the mouse), names and wijk names above those.
    function pane(name, z) {
      var el = map.createPane(name);
      el.style.zIndex = z;
      el.style.pointerEvents = "none";
      return el;
    }
    if (cfg.outlines) {
      pane("hd-outlines", 420);
      L.geoJSON(cfg.outlines.lines, {pane: "hd-outlines", interactive: false,
                                     renderer: L.svg({pane: "hd-outlines", padding: 0.5}),
                                     style: {color: "#1a1a1a", weight: 2.4, opacity: 0.9, fill: false}}).addTo(map);
    }

    // Keyboard (WCAG 2.1.1, 1.4.13): every area is a tab stop named after the area; focus shows the
    // same tooltip as hovering, next to the area's centre (panned into view first); Enter or Space
    // shows it again, Escape hides it. No bringToFront here: moving a focused element drops its focus.
    function atCentre(layer) {
      var centre = layer.getBounds().getCenter();
      map.panInside(centre, {padding: [60, 60], animate: false});
      return {containerPoint: map.latLngToContainerPoint(centre)};
    }
    areas.eachLayer(function (layer) {
      var el = layer.getElement(), p = layer.feature.properties;
      el.setAttribute("tabindex", "0");
      el.setAttribute("role", "button");
      el.setAttribute("aria-label", p.n + " (" + p.c + ")");
      el.setAttribute("aria-describedby", "hd-tooltip");
      el.addEventListener("focus", function () {
        layer.setStyle({weight: 3, color: "#000000"});
        showTip(layer, atCentre(layer));
      });
      el.addEventListener("blur", function () { areas.resetStyle(layer); tip.style.display = "none"; });
      el.addEventListener("keydown", function (event) {
        if (event.key === "Escape") {
          tip.style.display = "none";
        } else if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          showTip(layer, atCentre(layer));
        }
      });
    });

    function tag() {
      areas.eachLayer(function (layer) {
        var el = layer.getElement();
        var k = layer.feature.properties.k[active];
        el.setAttribute("data-code", layer.feature.properties.c);
        el.setAttribute("data-klasse", k === null ? "n" : String(k));
      });
    }
    tag();

    // Names: gemeenten first, then wijken from large to small. A wijk's name is shown once the wijk
    // is wide enough on screen to hold it; a name that would overlap one already placed is left out.
    var labelPane = pane("hd-labels", 450);
    var labels = [];
    function addLabel(text, lonlat, kind, layer) {
      var el = L.DomUtil.create("div", "hd-label hd-label-" + kind, labelPane);
      el.textContent = text;
      el.setAttribute("aria-hidden", "true");
      labels.push({el: el, ll: L.latLng(lonlat[1], lonlat[0]), kind: kind, layer: layer,
                   w: textWidth(text, kind === "g" ? GEMEENTE_FONT : LABEL_FONT) + 4, h: kind === "g" ? 16 : 14});
    }
    if (cfg.outlines) {
      cfg.outlines.names.forEach(function (g) { addLabel(g.n, g.l, "g", null); });
    }
    var wijkLabels = [];
    areas.eachLayer(function (layer) {
      var b = layer.getBounds();
      wijkLabels.push([(b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()), layer]);
    });
    wijkLabels.sort(function (a, b) { return b[0] - a[0]; });
    wijkLabels.forEach(function (item) {
      var p = item[1].feature.properties;
      addLabel(p.s || p.n, p.l, "w", item[1]);
    });

    function placeLabels() {
      var size = map.getSize(), placed = [];
      function free(r) {
        if (r[0] < 0 || r[1] < 0 || r[2] > size.x || r[3] > size.y) { return false; }
        return placed.every(function (q) { return !(r[0] < q[2] && q[0] < r[2] && r[1] < q[3] && q[1] < r[3]); });
      }
      labels.forEach(function (label) {
        var c = map.latLngToContainerPoint(label.ll), show = true, dy = 0;
        if (label.layer) {
          var b = label.layer.getBounds();
          var sw = map.latLngToContainerPoint(b.getSouthWest()), ne = map.latLngToContainerPoint(b.getNorthEast());
          show = (ne.x - sw.x) >= 0.85 * label.w && (sw.y - ne.y) >= 1.2 * label.h;
        }
        // a gemeente name may move up or down a line or two to make room; a wijk name stays put
        var shifts = label.layer ? [0] : [0, 1, -1, 2, -2], r = null;
        for (var i = 0; show && i < shifts.length && !r; i += 1) {
          var y = c.y + shifts[i] * label.h;
          var box = [c.x - label.w / 2 - 2, y - label.h / 2 - 1, c.x + label.w / 2 + 2, y + label.h / 2 + 1];
          if (free(box)) { r = box; dy = shifts[i] * label.h; }
        }
        show = show && r !== null;
        if (show) {
          placed.push(r);
          var at = map.latLngToLayerPoint(label.ll);
          label.el.style.left = at.x + "px";
          label.el.style.top = (at.y + dy) + "px";
        }
        label.el.style.display = show ? "block" : "none";
        label.el.classList.toggle("hd-label-on", show);
      });
      labelPane.style.display = "";
    }
    map.on("zoomstart", function () { labelPane.style.display = "none"; });
    map.on("moveend resize", placeLabels);

    // Panels. Open at rest when they take at most MAX_SHARE of the map; the reader folds or unfolds them.
    var legendBody, chooser;
    var layersControl = L.control({position: "topright"});
    layersControl.onAdd = function () {
      chooser = box("hd-layers leaflet-control-layers", 'Kaartlaag: <span class="hd-active"></span>', true);
      var set = L.DomUtil.create("fieldset", "leaflet-control-layers-base", chooser);
      cfg.layers.forEach(function (spec, index) {
        var label = L.DomUtil.create("label", "", set);
        var input = L.DomUtil.create("input", "", label);
        input.type = "radio";
        input.name = "hd-laag";
        input.value = String(index);
        input.checked = index === 0;
        label.appendChild(document.createTextNode(" " + spec.title));
        input.addEventListener("change", function () { if (input.checked) { choose(index); } });
      });
      return chooser;
    };
    layersControl.addTo(map);

    var legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
      var details = box("hd-legend-box", "Legenda", true);
      legendBody = L.DomUtil.create("div", "hd-legend", details);
      legendBody.id = "hd-legend";
      return details;
    };
    legend.addTo(map);

    function choose(index) {
      active = index;
      areas.setStyle(style);
      tag();
      legendBody.innerHTML = cfg.layers[active].legend +
        (cfg.outlines ? '<div class="hd-row"><i class="hd-border"></i>gemeentegrens</div>' : "");
      chooser.querySelector(".hd-active").textContent = cfg.layers[active].title;
    }
    choose(0);

    var panel = L.control({position: "topleft"});
    panel.onAdd = function () {
      var details = box("hd-panel", esc(cfg.title) + ' <span class="hd-more">· over deze kaart</span>', true);
      var body = L.DomUtil.create("div", "hd-panel-body", details);
      body.innerHTML = cfg.panel;
      return details;
    };
    panel.addTo(map);
    L.control.scale({imperial: false, metric: true, position: "bottomleft", maxWidth: 120}).addTo(map);

    var boxes = [panel.getContainer(), chooser, legend.getContainer()];
    function share(el) {
      var size = map.getSize();
      return (el.offsetWidth * el.offsetHeight) / (size.x * size.y);
    }
    function rest() {
      var size = map.getSize();
      // The explanation and the layer choice open on a large screen only (their headings say what is
      // shown); the legend wherever it fits.
      panel.getContainer().open = size.x >= 900 && size.y >= 600;
      chooser.open = size.x >= 900;
      legend.getContainer().open = true;
      boxes.forEach(function (el) {
        if (share(el) > MAX_SHARE) { el.open = false; }
      });
    }

    // Fit the selected area into what the panels leave free. Each corner's controls are kept clear
    // either beside the area or above/below it; of the 16 ways, the one that allows the largest zoom wins.
    function corners() {
      var outer = container.getBoundingClientRect(), out = [];
      [["top", "left"], ["top", "right"], ["bottom", "left"], ["bottom", "right"]].forEach(function (pos) {
        var corner = container.querySelector(".leaflet-" + pos[0] + ".leaflet-" + pos[1]), w = 0, h = 0;
        Array.prototype.forEach.call(corner ? corner.children : [], function (el) {
          var r = el.getBoundingClientRect();
          if (!r.width || !r.height) { return; }
          w = Math.max(w, pos[1] === "left" ? r.right - outer.left : outer.right - r.left);
          h = Math.max(h, pos[0] === "top" ? r.bottom - outer.top : outer.bottom - r.top);
        });
        out.push({top: pos[0] === "top", left: pos[1] === "left", w: w, h: h});
      });
      return out;
    }
    function fit() {
      var bounds = L.latLngBounds(cfg.bounds), all = corners(), best = null, margin = 8;
      for (var mask = 0; mask < 16; mask += 1) {
        var pad = {l: margin, r: margin, t: margin, b: margin};
        all.forEach(function (c, i) {
          if (mask & (1 << i)) {
            if (c.left) { pad.l = Math.max(pad.l, c.w + margin); } else { pad.r = Math.max(pad.r, c.w + margin); }
          } else if (c.top) { pad.t = Math.max(pad.t, c.h + margin); } else { pad.b = Math.max(pad.b, c.h + margin); }
        });
        var size = map.getSize(), free = L.point(size.x - pad.l - pad.r, size.y - pad.t - pad.b);
        if (free.x < 60 || free.y < 60) { continue; }
        var zoom = map.getBoundsZoom(bounds, false, L.point(pad.l + pad.r, pad.t + pad.b));
        if (isFinite(zoom) && (!best || zoom > best.zoom)) { best = {zoom: zoom, pad: pad}; }
      }
      if (!best) { best = {pad: {l: margin, r: margin, t: margin, b: margin}}; }
      map.fitBounds(bounds, {paddingTopLeft: [best.pad.l, best.pad.t], paddingBottomRight: [best.pad.r, best.pad.b],
                             animate: false});
      placeLabels();
      return best.pad;
    }
    rest();
    fit();
    // Printing (and the print preview) changes the page size: lay out again for paper.
    if (window.matchMedia) {
      var print = window.matchMedia("print");
      var relayout = function () { map.invalidateSize({animate: false}); fit(); };
      if (print.addEventListener) { print.addEventListener("change", relayout); }
      window.addEventListener("beforeprint", relayout);
      window.addEventListener("afterprint", relayout);
    }
    var api = {areas: areas, fit: fit, labels: placeLabels, rest: rest,
               active: function () { return cfg.layers[active].key; }};
    window.helpendeMapApi = api;
    return api;
  };
})();
