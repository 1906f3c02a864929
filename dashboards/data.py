"""The per-area table a map shows, taken from a published release (no raw counts exist there)."""

from __future__ import annotations

import geopandas as gpd

from geo.geometry import simplify_coverage, to_wgs84
from insights.release import Release
from insights.views import wide_table

__all__ = ["map_table"]


def map_table(release: Release, *, level: str = "wijk", period: int | None = None,
              gemeente: str | None = None, tolerance_m: float = 20.0) -> gpd.GeoDataFrame:
    """:func:`insights.views.wide_table` with geometry in EPSG:4326 for ``period`` (default: latest).

    Borders are simplified together (``coverage_simplify``, ``tolerance_m`` metres) and coordinates
    rounded to 5 decimals (about 1 m).
    """
    period = period or max(release.periods)
    areas = release.areas[release.areas["level"].eq(level)]
    if gemeente is not None:
        areas = areas[areas["gemeente"].eq(gemeente)]
    areas = simplify_coverage(areas.reset_index(drop=True), tolerance_m)
    table = wide_table(release, level=level, period=period)
    table = table[table["code"].isin(areas["code"])].drop(columns=["naam", "gemeente", "regio", "huishoudens", "inwoners"])
    merged = areas[["code", "naam", "gemeente", "huishoudens", "inwoners", "geometry"]].merge(table, on="code", how="left")
    merged["period"] = period
    return to_wgs84(gpd.GeoDataFrame(merged, geometry="geometry", crs=release.areas.crs), decimals=5)
