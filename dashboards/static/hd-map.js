/* helpende-data map behaviour (EUPL-1.2). One GeoJSON, restyled per layer; no network access.
 *
 * helpendeMap(map, cfg): cfg.data is a FeatureCollection whose features carry
 *   c (code), n (name), k (one class per layer: a number into the layer's colours, or
 *   "b" = beschermd, "w" = te weinig huishoudens/inwoners, "n" = geen gegevens) and
 *   d (per indicator: ["p", count, rate, rateLow, rateHigh, ratio, ratioLow, ratioHigh, signal]
 *   when published, [state, signal] when not; a hidden figure is absent, never 0).
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

  window.helpendeMap = function (map, cfg) {
    var active = 0;
    var renderer = L.svg({padding: 0.5});

    function fill(k) {
      if (k === "b") { return "url(#hd-hatch)"; }
      if (k === "w") { return "url(#hd-dots)"; }
      if (typeof k === "number") { return cfg.layers[active].colours[k]; }
      return cfg.style.noDataFill;
    }

    function style(feature) {
      return {fillColor: fill(feature.properties.k[active]), fillOpacity: 1, color: "#525252",
              weight: 0.7, opacity: 1};
    }

    function tooltip(layer) {
      var p = layer.feature.properties;
      var spec = cfg.layers[active];
      var ind = cfg.indicators[spec.indicator];
      var d = p.d[spec.indicator];
      var lines = ["<b>" + esc(p.n) + "</b> (" + esc(p.c) + ")", "<i>" + esc(spec.title) + "</i>"];
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
    var tip = L.DomUtil.create("div", "hd-tooltip", map.getContainer());
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

    var legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "hd-legend");
      div.id = "hd-legend";
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    legend.addTo(map);
    function showLegend() {
      document.getElementById("hd-legend").innerHTML = cfg.layers[active].legend;
    }
    showLegend();

    var bases = {};
    cfg.layers.forEach(function (spec, index) {
      var group = L.layerGroup();
      group.hdIndex = index;
      bases[esc(spec.title)] = group;
      if (index === 0) { group.addTo(map); }
    });
    L.control.layers(bases, null, {collapsed: false, position: "topright"}).addTo(map);
    map.on("baselayerchange", function (event) {
      active = event.layer.hdIndex;
      areas.setStyle(style);
      tag();
      showLegend();
    });

    var panel = L.control({position: "topleft"});
    panel.onAdd = function () {
      var div = L.DomUtil.create("div", "hd-panel");
      div.innerHTML = cfg.panel;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    panel.addTo(map);
    // Keep the areas clear of the explanation panel on screens wide enough for both.
    var panelWidth = panel.getContainer().offsetWidth;
    var wide = map.getSize().x > 2.5 * panelWidth;
    map.fitBounds(cfg.bounds, wide ? {paddingTopLeft: [panelWidth + 20, 10], paddingBottomRight: [10, 10]} : {});
    return {areas: areas, active: function () { return cfg.layers[active].key; }};
  };
})();
