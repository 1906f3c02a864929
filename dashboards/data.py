"""The per-area table a map shows, taken from a published release (no raw counts exist there)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.geometry import simplify_coverage, to_wgs84
from insights.indicators import INDICATORS
from insights.release import Release
from insights.views import wide_table

__all__ = ["SCORE_EXTRAS", "gemeente_names", "map_table"]

#: Score columns the maps use when the release has them (smoothed relative risk and its signal).
SCORE_EXTRAS = ("rr", "rr_low95", "rr_high95", "signal")


def map_table(release: Release, *, level: str = "wijk", period: int | None = None,
              gemeente: str | None = None, tolerance_m: float = 20.0, decimals: int = 5) -> gpd.GeoDataFrame:
    """:func:`insights.views.wide_table` with geometry in EPSG:4326 for ``period`` (default: latest).

    Borders are simplified together (``coverage_simplify``, ``tolerance_m`` metres, over all areas
    of ``level`` in the release so that neighbouring gemeenten keep one shared border) and
    coordinates rounded to ``decimals`` (5 ≈ 1 m). Adds per indicator ``i``, where the release's
    scores hold them: ``i_rr``, ``i_rr_low95``, ``i_rr_high95`` (Float64) and ``i_signal`` (Dutch
    text), plus ``i_base`` (the rounding base of the published counts).
    """
    period = period or max(release.periods)
    areas = release.areas[release.areas["level"].eq(level)].reset_index(drop=True)
    areas = simplify_coverage(areas, tolerance_m)
    if gemeente is not None:
        areas = areas[areas["gemeente"].eq(gemeente)].reset_index(drop=True)
    table = wide_table(release, level=level, period=period)
    table = table[table["code"].isin(areas["code"])].drop(
        columns=["naam", "gemeente", "regio", "huishoudens", "inwoners"]
    )
    scores = release.scores[release.scores["period"].eq(period)]
    cells = release.cells[release.cells["period"].eq(period) & release.cells["level"].eq(level)]
    for name in INDICATORS:
        rows = scores[scores["indicator"].eq(name)].set_index("code")
        for col in SCORE_EXTRAS:
            if col in rows.columns and not rows.empty:
                mapped = table["code"].map(rows[col])
                table[f"{name}_{col}"] = mapped.astype("object") if col == "signal" else mapped.astype("Float64")
        bases = cells.loc[cells["indicator"].eq(name), "rounding_base"].dropna()
        if len(bases):
            table[f"{name}_base"] = int(bases.max())
    merged = areas[["code", "naam", "gemeente", "regio", "huishoudens", "inwoners", "geometry"]].merge(
        table, on="code", how="left"
    )
    merged["period"] = period
    return to_wgs84(gpd.GeoDataFrame(merged, geometry="geometry", crs=release.areas.crs), decimals=decimals)


def gemeente_names(release: Release) -> pd.Series:
    """Gemeente name by code."""
    rows = release.areas[release.areas["level"].eq("gemeente")]
    return pd.Series(rows["naam"].to_numpy(), index=rows["code"].to_numpy())
