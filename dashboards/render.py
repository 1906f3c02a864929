"""Folium choropleths of a release, in Dutch, readable at a glance.

Each map has one layer per indicator (rate) plus the risk score for meldingen, switchable; classes
from mapclassify; hidden areas hatched in a neutral grey, never in a data colour; a legend that
always shows; tooltips with value, rate, interval and signal; an explanation panel; a banner when
the release holds synthetic data.
"""

from __future__ import annotations

import html
import math

import folium
import geopandas as gpd
import mapclassify
import pandas as pd
from branca.element import Element
from folium.plugins import StripePattern

from dashboards.data import map_table
from insights.disclosure.primary import Status
from insights.indicators import INDICATORS
from insights.release import Release

__all__ = ["region_map", "render_release_maps", "HIDDEN_LABEL"]

HIDDEN_LABEL = "beschermd: te weinig waarnemingen"
FEW_HOUSEHOLDS_LABEL = "te weinig huishoudens om te tonen"
HIDDEN_FILL = "#d9d9d9"
# ColorBrewer, colour-blind safe: sequential YlOrBr for rates, diverging PuOr for the score.
SEQUENTIAL = ["#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"]
DIVERGING = ["#542788", "#998ec3", "#f7f7f7", "#f1a340", "#b35806"]
SMR_BREAKS = [0.8, 0.95, 1.05, 1.25]


def _fmt(value: object, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}".replace(".", ",")
    return str(value)


def _signal(low: float, high: float) -> str:
    if pd.isna(low) or pd.isna(high):
        return HIDDEN_LABEL
    if low > 1:
        return "duidelijk hoger dan verwacht"
    if high < 1:
        return "duidelijk lager dan verwacht"
    return "niet duidelijk anders dan verwacht"


def _layer_frame(table: gpd.GeoDataFrame, name: str, score: bool) -> tuple[gpd.GeoDataFrame, list[str], str]:
    """Colour per area and legend rows for one layer."""
    spec = INDICATORS[name]
    value_col = f"{name}_smr" if score else f"{name}_rate"
    values = table[value_col].astype("Float64")
    shown = values.notna()
    colours = pd.Series(HIDDEN_FILL, index=table.index)
    if score:
        bins = SMR_BREAKS
        classes = pd.cut(values[shown].astype(float), [-math.inf, *bins, math.inf], labels=False)
        palette = DIVERGING
        edges = ["< 0,8", "0,8 – 0,95", "0,95 – 1,05", "1,05 – 1,25", "≥ 1,25"]
        method = "vaste klassen rond 1 (= zoals verwacht)"
    else:
        k = min(5, max(1, int(values[shown].nunique())))
        if shown.sum() >= 2 and k >= 2:
            scheme = mapclassify.Quantiles(values[shown].astype(float).to_numpy(), k=k)
            classes = pd.Series(scheme.yb, index=values[shown].index)
            lows = [float(values[shown].min()), *scheme.bins[:-1]]
            edges = [f"{_fmt(lo)} – {_fmt(hi)}" for lo, hi in zip(lows, scheme.bins)]
        else:
            classes = pd.Series(0, index=values[shown].index)
            edges = [_fmt(float(values[shown].max())) if shown.any() else "—"]
        palette = SEQUENTIAL[-len(edges):] if len(edges) < 5 else SEQUENTIAL
        method = f"kwantielen (mapclassify), {spec.per}"
    colours[shown] = [palette[int(c)] for c in classes]
    legend = [f'<i style="background:{c}"></i>{html.escape(e)}' for c, e in zip(palette, edges)]
    frame = table.assign(_fill=colours, _hidden=~shown)
    return frame, legend, method


def _tooltip_html(row: pd.Series, name: str, period: int, synthetic: bool) -> str:
    spec = INDICATORS[name]
    status = row.get(f"{name}_status")
    if status == Status.few_households:
        value_text = FEW_HOUSEHOLDS_LABEL
    elif pd.isna(row.get(name)):
        value_text = HIDDEN_LABEL
    else:
        value_text = f"{row[name]} (afgerond op 5)"
    low, high = row.get(f"{name}_smr_low"), row.get(f"{name}_smr_high")
    lines = [
        f"<b>{html.escape(str(row['naam']))}</b> ({row['code']})",
        f"{html.escape(spec.label)}: {value_text}",
        f"{spec.per}: {_fmt(row.get(f'{name}_rate'))}",
        f"verhouding t.o.v. verwacht: {_fmt(row.get(f'{name}_smr'), 2)} "
        f"(95%-interval {_fmt(low, 2)} – {_fmt(high, 2)})",
        f"signaal: {_signal(low, high)}",
        f"periode: {period}",
    ]
    if synthetic:
        lines.append("<b>SYNTHETISCHE demonstratiedata</b>")
    return "<br>".join(lines)


def region_map(release: Release, *, gemeente: str | None = None, period: int | None = None) -> folium.Map:
    """A folium map of the wijken of the release (or of one gemeente)."""
    table = map_table(release, period=period, gemeente=gemeente)
    period = int(table["period"].iloc[0]) if len(table) else max(release.periods)
    minx, miny, maxx, maxy = table.total_bounds
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    stripes = StripePattern(angle=-45, color="#636363", space_color=HIDDEN_FILL, space_opacity=1.0, opacity=0.9)
    stripes.add_to(fmap)

    layers = [("meldingen", True)] + [(name, False) for name in INDICATORS if f"{name}_rate" in table.columns]
    legends = []
    for index, (name, is_score) in enumerate(layers):
        spec = INDICATORS[name]
        title = f"Signaal {spec.label.lower()}" if is_score else spec.label
        frame, legend, method = _layer_frame(table, name, is_score)
        frame = frame.assign(_tooltip=[_tooltip_html(r, name, period, release.synthetic) for _, r in frame.iterrows()])
        features = frame[["code", "naam", "_fill", "_hidden", "_tooltip", "geometry"]]
        group = folium.FeatureGroup(name=title, overlay=False, show=index == 0)
        folium.GeoJson(
            features.to_json(na="null", drop_id=True),
            name=title,
            style_function=lambda f, s=stripes: {
                "fillColor": f["properties"]["_fill"],
                "fillOpacity": 0.85,
                "color": "#444444",
                "weight": 0.6,
                **({"fillPattern": s} if f["properties"]["_hidden"] else {}),
            },
            highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
            tooltip=folium.GeoJsonTooltip(fields=["_tooltip"], labels=False, sticky=True),
        ).add_to(group)
        group.add_to(fmap)
        legends.append((title, legend, method))
    folium.LayerControl(collapsed=False, position="topright").add_to(fmap)

    legend_html = "".join(
        f'<div class="hd-legend-layer"><b>{html.escape(t)}</b><br>{"<br>".join(rows)}'
        f'<br><i style="background:{HIDDEN_FILL};background-image:repeating-linear-gradient(-45deg,#636363 0 2px,transparent 2px 6px)"></i>'
        f"{HIDDEN_LABEL}<br><small>{html.escape(m)}</small></div>"
        for t, rows, m in legends[:1]
    )
    banner = (
        '<div class="hd-banner">SYNTHETISCHE DEMONSTRATIEDATA — geen echte meldingen, schulden of echtscheidingen</div>'
        if release.synthetic else ""
    )
    where = f"gemeente {gemeente}" if gemeente else release.manifest.get("selection", {}).get("label", "")
    panel = (
        '<div class="hd-panel"><b>Wat deze kaart laat zien</b><br>'
        f"Wijken in {html.escape(str(where))}, periode {period}. Het signaal vergelijkt het aantal meldingen met "
        "wat je op grond van het aantal huishoudens en het regionale gemiddelde zou verwachten, met een 95%-interval. "
        "Het is een signaal voor gesprek, geen oordeel over een huishouden. Meldingen zijn geen prevalentie. "
        "Gearceerde wijken zijn beschermd: daar zijn te weinig waarnemingen om te tonen.<br>"
        f"<small>Release {html.escape(release.id)} · Bron: CBS, Kadaster (CC BY 4.0)</small></div>"
    )
    style = (
        "<style>.hd-legend{position:fixed;bottom:24px;left:12px;z-index:1000;background:#fff;padding:8px 10px;"
        "font:13px/1.4 sans-serif;border:1px solid #999;border-radius:4px;max-width:280px}"
        ".hd-legend i{display:inline-block;width:18px;height:12px;margin-right:6px;border:1px solid #777;vertical-align:middle}"
        ".hd-panel{position:fixed;top:12px;left:56px;z-index:1000;background:#fff;padding:8px 10px;"
        "font:13px/1.4 sans-serif;border:1px solid #999;border-radius:4px;max-width:360px}"
        ".hd-banner{position:fixed;top:0;left:0;right:0;z-index:1001;background:#b35806;color:#fff;"
        "text-align:center;font:bold 14px sans-serif;padding:4px}</style>"
    )
    fmap.get_root().html.add_child(
        Element(f'{style}{banner}<div class="hd-legend" id="hd-legend">{legend_html}</div>{panel}')
    )
    return fmap


def render_release_maps(release: Release) -> dict[str, str]:
    """All maps of a release as HTML: ``kaarten/regio.html`` and one per gemeente."""
    maps = {"kaarten/regio.html": region_map(release).get_root().render()}
    for gemeente in sorted(release.areas.loc[release.areas["level"].eq("gemeente"), "code"]):
        maps[f"kaarten/{gemeente}.html"] = region_map(release, gemeente=gemeente).get_root().render()
    return maps
