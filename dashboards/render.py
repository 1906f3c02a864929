"""Folium choropleths of a release, in Dutch, readable at a glance, with no network access.

Each map holds the wijken once, as one GeoJSON whose properties carry every layer's class and
every indicator's published figures; ``static/hd-map.js`` restyles that one layer when the reader
switches layers (risk score of meldingen, then each indicator's rate), keeps the legend in step
with the active layer, hatches protected areas in a neutral grey, dots areas with too few
households or inhabitants, and shows tooltips and an explanation panel. Leaflet and our scripts
are inlined (see :mod:`dashboards.assets`); tiles are off unless a local tile URL is configured.
"""

from __future__ import annotations

import html
import json
import math
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from dashboards import assets
from dashboards.classify import (
    FEW,
    FEW_FILL,
    FEW_LABEL,
    HATCH_COLOUR,
    HIDDEN_FILL,
    HIDDEN_LABEL,
    NO_DATA,
    NO_DATA_FILL,
    NO_DATA_LABEL,
    Layer,
    area_state,
    layers_for,
)
from dashboards.data import gemeente_names, map_table
from dashboards.labels import label_points, short_name
from dashboards.settings import MapSettings
from insights.indicators import INDICATORS
from insights.labels import SOURCE
from insights.release import Release

__all__ = ["FEW_LABEL", "HIDDEN_LABEL", "map_config", "region_map", "render_release_maps"]

SYNTHETIC_BANNER = "SYNTHETISCHE DEMONSTRATIEDATA — geen echte meldingen, schulden of echtscheidingen"
_SIGNAL_FALLBACK = {"hoger": "duidelijk hoger dan verwacht", "lager": "duidelijk lager dan verwacht",
                    "gelijk": "niet duidelijk anders dan verwacht"}


def _num(value: object, digits: int) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)  # type: ignore[arg-type]  # a pandas/NumPy number
    return None if math.isnan(number) else round(number, digits)


def _signal_text(row: dict, name: str) -> str | None:
    text = row.get(f"{name}_signal")
    if isinstance(text, str) and text:
        return text
    low, high = _num(row.get(f"{name}_smr_low"), 4), _num(row.get(f"{name}_smr_high"), 4)
    if low is None or high is None:
        return None
    if low > 1:
        return _SIGNAL_FALLBACK["hoger"]
    if high < 1:
        return _SIGNAL_FALLBACK["lager"]
    return _SIGNAL_FALLBACK["gelijk"]


def _figures(row: dict, name: str, state: str, codes: dict[str, str]) -> list | None:
    """What a tooltip shows for one indicator; hidden figures are left out, never 0."""
    if f"{name}_status" not in row:
        return None
    signal = _signal_text(row, name)
    code = codes.setdefault(signal, chr(ord("A") + len(codes))) if signal else None
    value = row.get(name)
    if state != "p" or value is None:
        return [state if state != "p" else NO_DATA, code]
    has_rr = f"{name}_rr" in row
    ratio, low, high = (row.get(f"{name}_rr"), row.get(f"{name}_rr_low95"), row.get(f"{name}_rr_high95")) if has_rr \
        else (row.get(f"{name}_smr"), row.get(f"{name}_smr_low"), row.get(f"{name}_smr_high"))
    rate, smr = _num(row.get(f"{name}_rate"), 6), _num(row.get(f"{name}_smr"), 6)
    rate_low = rate_high = None
    smr_low, smr_high = _num(row.get(f"{name}_smr_low"), 6), _num(row.get(f"{name}_smr_high"), 6)
    if rate is not None and smr:  # the count's 95% interval carried over to the rate
        rate_low = None if smr_low is None else round(rate * smr_low / smr, 1)
        rate_high = None if smr_high is None else round(rate * smr_high / smr, 1)
    return ["p", int(value), _num(rate, 1), rate_low, rate_high, _num(ratio, 2), _num(low, 2), _num(high, 2), code]


def _klass(k: object) -> int | str:
    if isinstance(k, str):
        return k
    if k is None or pd.isna(k):
        return NO_DATA
    return int(k)  # type: ignore[call-overload]  # a class number (NumPy or Python int)


def _legend(layer: Layer, present: set[str], scope: str) -> str:
    rows = [f'<div class="hd-title">{html.escape(layer.title)}</div>']
    rows += [f'<div class="hd-row"><i style="background:{c}"></i>{html.escape(e)}</div>'
             for c, e in zip(layer.colours, layer.edges)]
    rows.append(f'<div class="hd-row"><i class="hd-hatch"></i>{HIDDEN_LABEL}</div>')
    if FEW in present:
        rows.append(f'<div class="hd-row"><i class="hd-dots"></i>{FEW_LABEL}</div>')
    if NO_DATA in present:
        rows.append(f'<div class="hd-row"><i style="background:{NO_DATA_FILL}"></i>{NO_DATA_LABEL}</div>')
    rows.append(f"<small>Kleuren: {html.escape(layer.method)}; {html.escape(scope)}.</small>")
    return "".join(rows)


def _panel(release: Release, title: str, period: int, *, borders: bool) -> str:
    files = list(release.manifest.get("inputs", {}).get("boundaries", {}))
    years = sorted({y for f in files for y in re.findall(r"(?<!\d)(20\d\d)(?!\d)", f)})
    boundaries = f"CBS wijkindeling {', '.join(years)}" if years else (", ".join(files) or "CBS wijkindeling")
    synthetic = "<p><b>Let op: synthetische demonstratiedata.</b></p>" if release.synthetic else ""
    return (
        "<p>Het <b>risicosignaal</b> vergelijkt de meldingen in een wijk met wat je op grond van de regio zou "
        "verwachten (1 = zoals verwacht), met een 95%-interval. De andere lagen tonen cijfers per 1.000 "
        "huishoudens of inwoners. Kies een laag rechtsboven; wijs een wijk aan (of tik erop) voor de cijfers."
        f"{' Dikke lijnen zijn gemeentegrenzen.' if borders else ''}</p>"
        "<p>Een signaal is een aanleiding voor gesprek, <b>geen oordeel over een huishouden</b>. "
        "Meldingen zijn geen aantal gevallen.</p>"
        "<p>Gearceerd: beschermd, te weinig waarnemingen om te tonen. Gestippeld: te weinig huishoudens of "
        "inwoners. Aantallen zijn afgerond.</p>"
        f"{synthetic}"
        f"<small>Periode {period} · gebiedsindeling: {html.escape(boundaries)} · release {html.escape(release.id)} · "
        f"{SOURCE}</small>"
    )


def gemeente_outlines(table: gpd.GeoDataFrame, names: pd.Series) -> dict | None:
    """Borders between (and around) the gemeenten of ``table`` as one line geometry, plus each
    gemeente's name and label point; ``None`` for a map of a single gemeente.

    The wijken were simplified together (a coverage), so a gemeente's border is the union of its
    wijken's borders (on the 1 m grid of the rounded coordinates); shared borders are merged so that
    each is drawn once.
    """
    if table["gemeente"].nunique() < 2:
        return None
    geoms = table.geometry.to_numpy()
    groups = table.groupby("gemeente", sort=True).indices
    codes = list(groups)
    unions = [shapely.union_all(geoms[groups[code]], grid_size=0.00001) for code in codes]
    lines = shapely.line_merge(shapely.union_all(shapely.boundary(unions), grid_size=0.00001))
    return {
        "lines": RawJSON(shapely.to_geojson(lines)),
        "names": [{"c": code, "n": str(names.get(code, code)), "l": point}
                  for code, point in zip(codes, label_points(unions, tolerance=0.001))],
    }


class RawJSON(str):
    """JSON text that :func:`config_json` puts into the config as it is (already serialised)."""


def _dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def config_json(config: dict) -> str:
    """``config`` as JSON text, safe inside a <script> element."""
    raw = {key: value for key, value in config.items() if isinstance(value, RawJSON)}
    text = _dumps({key: (f"@raw:{key}" if key in raw else value) for key, value in config.items()})
    for key, value in raw.items():
        text = text.replace(_dumps(f"@raw:{key}"), value, 1)
    return text.replace("</", "<\\/")


def map_config(release: Release, table: gpd.GeoDataFrame, layers: list[Layer], *, title: str, scope: str) -> dict:
    """Everything ``helpendeMap`` needs, as plain JSON-able data (no hidden figure in it)."""
    period = int(table["period"].iloc[0]) if len(table) else max(release.periods)
    indicators = [name for name in INDICATORS if f"{name}_status" in table.columns]
    states = {name: area_state(table, name) for name in indicators}
    codes: dict[str, str] = {}
    geometries = shapely.to_geojson(table.geometry.values)
    points = label_points(table.geometry.values)
    plain = pd.DataFrame(table.drop(columns=table.geometry.name))
    rows = plain.astype(object).where(plain.notna(), None).to_dict(orient="records")
    klasses = [[_klass(k) for k in layer.classes] for layer in layers]
    state_lists = {name: states[name].tolist() for name in indicators}
    features = []
    for position, row in enumerate(rows):
        props = {
            "c": row["code"], "n": row["naam"], "l": points[position],
            "k": [klass[position] for klass in klasses],
            "d": {name: _figures(row, name, state_lists[name][position], codes) for name in indicators},
        }
        if short_name(row["naam"]) != row["naam"]:
            props["s"] = short_name(row["naam"])
        features.append('{"type":"Feature","properties":' + _dumps(props) + ',"geometry":' + geometries[position] + "}")
    minx, miny, maxx, maxy = table.total_bounds
    names = gemeente_names(release)
    outlines = gemeente_outlines(table, names)
    return {
        "gemeenten": {code: str(names.get(code, code)) for code in sorted(table["gemeente"].dropna().unique())},
        "outlines": RawJSON(config_json(outlines)) if outlines else None,
        "data": RawJSON('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"),
        "layers": [
            {"key": layer.key, "title": layer.title, "indicator": layer.indicator, "colours": layer.colours,
             "legend": _legend(layer, set(layer.classes.astype(str)), scope)}
            for layer in layers
        ],
        "indicators": {
            name: {"label": INDICATORS[name].label, "per": INDICATORS[name].per,
                   "base": int(table[f"{name}_base"].iloc[0]) if f"{name}_base" in table.columns and len(table) else 1,
                   "ratio": "relatief risico, gladgestreken (1 = zoals verwacht)" if f"{name}_rr" in table.columns
                   else "verhouding t.o.v. verwacht (1 = zoals verwacht)"}
            for name in indicators
        },
        "signals": {code: text for text, code in codes.items()},
        "labels": {"hidden": HIDDEN_LABEL, "few": FEW_LABEL, "noData": NO_DATA_LABEL},
        "style": {"hiddenFill": HIDDEN_FILL, "hatch": HATCH_COLOUR, "fewFill": FEW_FILL, "noDataFill": NO_DATA_FILL},
        "period": period,
        "synthetic": release.synthetic,
        "bounds": [[float(miny), float(minx)], [float(maxy), float(maxx)]],
        "title": title,
        "panel": _panel(release, title, period, borders=outlines is not None),
    }


class _HelpendeLayers(MacroElement):
    """Calls ``helpendeMap(map, config)`` after folium created the Leaflet map."""

    _template = Template(
        "{% macro script(this, kwargs) %}helpendeMap({{ this._parent.get_name() }}, {{ this.config }});{% endmacro %}"
    )

    def __init__(self, config: dict) -> None:
        super().__init__()
        self._name = "HelpendeLayers"
        self.config = config_json(config)


def _title(release: Release, gemeente: str | None, regio: str | None = None) -> str:
    if gemeente:
        name = gemeente_names(release).get(gemeente, gemeente)
        return f"Gemeente {name} ({gemeente})"
    if regio:
        names = release.areas.loc[release.areas["code"].eq(regio), "naam"]
        return f"{names.iloc[0] if len(names) else regio} ({regio})"
    return str(release.manifest.get("selection", {}).get("label", "")) or "Regio"


def region_map(release: Release, *, gemeente: str | None = None, regio: str | None = None, period: int | None = None,
               settings: MapSettings | None = None, table: gpd.GeoDataFrame | None = None,
               layers: list[Layer] | None = None) -> folium.Map:
    """A folium map of the wijken of the release (or of one gemeente or veiligheidsregio), self-contained
    and offline.

    ``table``/``layers`` may be passed in (computed once over the whole release, so that a colour
    means the same value on every map of the release); by default they are computed here.
    """
    settings = settings or MapSettings()
    if table is None:
        table = map_table(release, period=period)
    if layers is None:
        layers = layers_for(table)
    if gemeente is not None or regio is not None:
        keep = table["gemeente"].eq(gemeente) if gemeente is not None else table["regio"].eq(regio)
        layers = [replace(layer, classes=layer.classes[keep]) for layer in layers]
        table = table[keep]
    scope = "dezelfde kleur betekent op elke kaart van deze uitgave hetzelfde"
    title = _title(release, gemeente, regio)

    fmap = folium.Map(
        tiles=None,
        control_scale=False,
        prefer_canvas=False,
        zoom_start=10,
        zoom_snap=0.25,
        zoom_delta=0.5,
        location=[52.2, 5.3],
    )
    fmap._id = "hd"  # deterministic output: the release's hashes do not change from run to run
    fmap.default_js, fmap.default_css = [], []
    root: Any = fmap.get_root()  # a branca Figure (title, header, html)
    root._id = "hd_root"
    root.title = f"{title} — helpende-data"
    root.header.add_child(Element(
        assets.inline_css(assets.leaflet_css()) + assets.inline_css(assets.map_css())
        + assets.inline_js(assets.leaflet_js()) + assets.inline_js(assets.map_js())
        + (assets.inline_css(".folium-map{top:26px!important;height:calc(100% - 26px)!important}")
           if release.synthetic else "")
    ), name="hd_assets")
    if settings.tiles_url:
        folium.TileLayer(tiles=settings.tiles_url, attr=settings.tiles_attribution, name="achtergrond",
                         control=False, max_zoom=19).add_to(fmap)
    if release.synthetic:
        root.html.add_child(Element(f'<div class="hd-banner" role="alert">{SYNTHETIC_BANNER}</div>'), name="hd_banner")
    config = map_config(release, table, layers, title=title, scope=scope)
    config["background"] = bool(settings.tiles_url)
    fmap.add_child(_HelpendeLayers(config), name="hd_layers")
    return fmap


def _render_one(release: Release, settings: MapSettings, table: gpd.GeoDataFrame, layers: list[Layer],
                name: str, gemeente: str | None) -> dict[str, str | bytes]:
    from dashboards.png import map_png

    fmap = region_map(release, gemeente=gemeente, settings=settings, table=table, layers=layers)
    out: dict[str, str | bytes] = {f"kaarten/{name}.html": fmap.get_root().render()}
    if settings.png:
        out[f"kaarten/{name}.png"] = map_png(release, table, layers[0], gemeente=gemeente,
                                             title=_title(release, gemeente), dpi=settings.png_dpi)
    return out


_WORKER: dict = {}


def _worker_init(release: Release, settings: MapSettings) -> None:
    table = map_table(release)
    _WORKER.update(release=release, settings=settings, table=table, layers=layers_for(table))


def _worker_render(targets: list[tuple[str, str | None]]) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    for name, gemeente in targets:
        out.update(_render_one(_WORKER["release"], _WORKER["settings"], _WORKER["table"], _WORKER["layers"],
                               name, gemeente))
    return out


def render_release_maps(release: Release, settings: MapSettings | None = None) -> dict[str, str | bytes]:
    """All maps of a release: ``kaarten/regio.html`` and one per gemeente, each with a print PNG
    (paths relative to the release's public folder, :data:`insights.release.PUBLIEK`).

    With more than ``settings.parallel_from`` maps (a whole-country release) and ``settings.workers``
    other than 1, the maps are rendered in that many processes (0 = one per core); every process
    computes the same table and classes, so the output does not depend on the number of processes.
    """
    settings = settings or MapSettings()
    targets = [("regio", None)] + [
        (code, code) for code in sorted(release.areas.loc[release.areas["level"].eq("gemeente"), "code"])
    ]
    workers = min(settings.workers or os.cpu_count() or 1, len(targets))
    if workers > 1 and len(targets) > settings.parallel_from:
        chunks = [targets[i::workers] for i in range(workers)]
        context = multiprocessing.get_context("spawn")  # no fork of a process that may run threads
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init,
                                 initargs=(release, settings)) as pool:
            parts = list(pool.map(_worker_render, chunks))
        rendered = {k: v for part in parts for k, v in part.items()}
        return {f"kaarten/{name}.{ext}": rendered[f"kaarten/{name}.{ext}"]
                for name, _ in targets for ext in (("html", "png") if settings.png else ("html",))}
    table = map_table(release)
    layers = layers_for(table)
    out: dict[str, str | bytes] = {}
    for name, gemeente in targets:
        out.update(_render_one(release, settings, table, layers, name, gemeente))
    return out
