"""A print-ready PNG of a map (for council documents): same classes, colours and hatching as the
HTML map, with title, legend and source line. Drawn with matplotlib's object API (no pyplot, no
global state), so it is safe to call from any thread.
"""

from __future__ import annotations

import io

import geopandas as gpd
from matplotlib.figure import Figure
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
from insights.labels import SOURCE
from insights.release import Release

__all__ = ["map_png"]

A4_LANDSCAPE = (11.69, 8.27)


def map_png(release: Release, table: gpd.GeoDataFrame, layer: Layer, *, gemeente: str | None = None,
            title: str, dpi: int = 150) -> bytes:
    """PNG bytes of ``layer`` over the wijken of ``table`` (optionally one ``gemeente``)."""
    if gemeente is not None:
        keep = table["gemeente"].eq(gemeente).to_numpy()
        shapes, classes = table.geometry[keep], layer.classes[keep]
    else:
        shapes, classes = table.geometry, layer.classes
    shapes = gpd.GeoSeries(shapes.to_numpy(), crs=table.crs)  # geometry only: fast boolean selection
    keys = classes.astype(str).to_numpy()
    fig = Figure(figsize=A4_LANDSCAPE, dpi=dpi)
    ax = fig.add_axes((0.02, 0.08, 0.62, 0.80))
    ax.set_axis_off()
    handles = []
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
    fig.text(0.02, 0.955, title, fontsize=17, fontweight="bold", va="top")
    period = int(table["period"].iloc[0]) if len(table) else max(release.periods)
    fig.text(0.02, 0.91, f"{layer.title} · periode {period}", fontsize=12, va="top")
    legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.66, 0.86), frameon=False,
                        fontsize=10, title="Legenda", title_fontsize=11, alignment="left", handlelength=2.4,
                        handleheight=1.4)
    legend._legend_box.align = "left"
    fig.text(0.665, 0.30, _wrap(f"Klassen: {layer.method}.", 52), fontsize=8.5, va="top", color="#333333")
    fig.text(0.665, 0.20, _wrap("Een signaal is een aanleiding voor gesprek, geen oordeel over een huishouden.", 52),
             fontsize=8.5, va="top", color="#333333")
    source = f"{SOURCE} · helpende-data release {release.id}"
    fig.text(0.02, 0.03, source, fontsize=8.5, color="#333333")
    if release.synthetic:
        fig.text(0.98, 0.955, "SYNTHETISCHE DEMONSTRATIEDATA", fontsize=12, fontweight="bold", color="#b35806",
                 ha="right", va="top")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None},
                pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
