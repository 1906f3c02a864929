"""A print-ready PNG of a map (for council documents): same classes, colours and hatching as the
HTML map, with title, legend and source line. Drawn with matplotlib's object API (no pyplot, no
global state), so it is safe to call from any thread.
"""

from __future__ import annotations

import io
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from dashboards.classify import (
    FEW,
    FEW_FILL,
    FEW_LABEL,
    HATCH_COLOUR,
    HIDDEN,
    HIDDEN_FILL,
    HIDDEN_LABEL,
    NO_DATA,
    NO_DATA_FILL,
    NO_DATA_LABEL,
    Layer,
)
from dashboards.data import gemeente_names
from dashboards.labels import label_points, short_name
from insights.labels import SOURCE
from insights.release import Release

__all__ = ["map_png"]

A4_LANDSCAPE = (11.69, 8.27)


def map_png(release: Release, table: gpd.GeoDataFrame, layer: Layer, *, gemeente: str | None = None,
            title: str, dpi: int = 150) -> bytes:
    """PNG bytes of ``layer`` over the wijken of ``table`` (optionally one ``gemeente``), with the
    wijk names that fit and, on a map of several gemeenten, their borders and names. The PNG's
    ``Description`` text holds the names printed on it."""
    if gemeente is not None:
        keep = table["gemeente"].eq(gemeente).to_numpy()
        shapes, classes = table.geometry[keep], layer.classes[keep]
        areas = table[keep]
    else:
        shapes, classes, areas = table.geometry, layer.classes, table
    shapes = gpd.GeoSeries(shapes.to_numpy(), crs=table.crs)  # geometry only: fast boolean selection
    keys = classes.astype(str).to_numpy()
    fig = Figure(figsize=A4_LANDSCAPE, dpi=dpi)
    ax = fig.add_axes((0.02, 0.08, 0.62, 0.80))
    ax.set_axis_off()
    handles: list[Artist] = []
    for index, colour in enumerate(layer.colours):
        part = shapes[keys == str(index)]
        if len(part):
            part.plot(ax=ax, facecolor=colour, edgecolor="#525252", linewidth=0.4)
        handles.append(Patch(facecolor=colour, edgecolor="#525252", label=layer.edges[index]))
    styles = {HIDDEN: (HIDDEN_FILL, "////", HIDDEN_LABEL), FEW: (FEW_FILL, "..", FEW_LABEL),
              NO_DATA: (NO_DATA_FILL, None, NO_DATA_LABEL)}
    for state, (face, hatch, label) in styles.items():
        part = shapes[keys == state]
        if len(part):
            # hatch lines take the edge colour; the borders are drawn again on top in the border grey
            part.plot(ax=ax, facecolor=face, edgecolor=HATCH_COLOUR, hatch=hatch, linewidth=0.0)
            part.boundary.plot(ax=ax, color="#525252", linewidth=0.4)
        if len(part) or state == HIDDEN:
            handles.append(Patch(facecolor=face, edgecolor=HATCH_COLOUR, hatch=hatch, label=label))
    printed = _names(fig, ax, release, areas)
    if areas["gemeente"].nunique() > 1:
        handles.append(Line2D([], [], color="#1a1a1a", linewidth=1.6, label="gemeentegrens"))
    fig.text(0.02, 0.955, title, fontsize=17, fontweight="bold", va="top")
    period = int(table["period"].iloc[0]) if len(table) else max(release.periods)
    fig.text(0.02, 0.91, f"{layer.title} · periode {period}", fontsize=12, va="top")
    legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.66, 0.86), frameon=False,
                        fontsize=10, title="Legenda", title_fontsize=11, alignment="left", handlelength=2.4,
                        handleheight=1.4)
    legend._legend_box.align = "left"  # type: ignore[attr-defined]  # matplotlib has no public switch
    fig.text(0.665, 0.30, _wrap(f"Kleuren: {layer.method}.", 52), fontsize=8.5, va="top", color="#333333")
    fig.text(0.665, 0.20, _wrap("Een signaal is een aanleiding voor gesprek, geen oordeel over een huishouden.", 52),
             fontsize=8.5, va="top", color="#333333")
    source = f"{SOURCE} · helpende-data release {release.id}"
    fig.text(0.02, 0.03, source, fontsize=8.5, color="#333333")
    if release.synthetic:
        fig.text(0.98, 0.955, "SYNTHETISCHE DEMONSTRATIEDATA", fontsize=12, fontweight="bold", color="#b35806",
                 ha="right", va="top")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white",
                metadata={"Software": None, "Description": "Namen op de kaart: " + "; ".join(printed)},
                pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]


def _names(fig: Figure, ax, release: Release, part: gpd.GeoDataFrame) -> list[str]:
    """Draw gemeente borders (several gemeenten only) and the names that fit; return the names drawn.

    Same rule as the HTML map: gemeente names first, then wijken from large to small; a wijk's name
    only where the wijk is about as wide as the name, and never over a name already placed.
    """
    if not len(part):
        return []
    geoms = part.geometry.to_numpy()
    items: list[tuple[str, list[float], dict, object]] = []
    if part["gemeente"].nunique() > 1:
        names = gemeente_names(release)
        groups = part.groupby("gemeente", sort=True).indices
        unions = [shapely.union_all(geoms[groups[code]], grid_size=0.00001) for code in groups]
        gpd.GeoSeries(shapely.boundary(unions), crs=part.crs).plot(ax=ax, color="#1a1a1a", linewidth=1.3)
        items += [(str(names.get(code, code)), point, {"fontsize": 9, "fontweight": "bold"}, None)
                  for code, point in zip(groups, label_points(np.asarray(unions), tolerance=0.001))]
    order = np.argsort(-shapely.area(geoms), kind="stable")
    points = label_points(geoms)
    items += [(short_name(part["naam"].iloc[i]), points[i], {"fontsize": 6.5}, geoms[i]) for i in order]
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax.apply_aspect()
    placed: list[Any] = []  # matplotlib Bbox of every name drawn
    drawn: list[str] = []
    to_px = fig.dpi / 72 * 0.5  # a character is about half the font size wide
    for text, (x, y), style, geom in items:
        if geom is not None:  # cheap test first: most small wijken cannot hold any name
            x0, y0, x1, y1 = shapely.bounds(geom)
            (ax0, _), (ax1, _) = ax.transData.transform([(x0, y0), (x1, y1)])
            if (ax1 - ax0) < 0.6 * len(text) * style["fontsize"] * to_px:
                continue
        label = ax.text(x, y, text, ha="center", va="center", color="#111111", path_effects=_HALO, **style)
        box = label.get_window_extent(renderer).expanded(1.05, 1.1)
        if geom is not None:
            x0, y0, x1, y1 = shapely.bounds(geom)
            (ax0, ay0), (ax1, ay1) = ax.transData.transform([(x0, y0), (x1, y1)])
            if (ax1 - ax0) < 0.85 * box.width or (ay1 - ay0) < 1.2 * box.height:
                label.remove()
                continue
        # a gemeente name may move up or down a line or two to make room; a wijk name stays put
        shifts = [0.0] if geom is not None else [0.0, 1.0, -1.0, 2.0, -2.0]
        free = next((dy for dy in shifts if not any(box.translated(0, dy * box.height).overlaps(o) for o in placed)),
                    None)
        if free is None:
            label.remove()
            continue
        if free:
            label.set_position(
                ax.transData.inverted().transform(ax.transData.transform((x, y)) + (0, free * box.height))
            )
        placed.append(box.translated(0, free * box.height))
        drawn.append(text)
    return drawn


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
