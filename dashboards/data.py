"""The per-area table a map shows, taken from a published release (no raw counts exist there)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.geometry import simplify_coverage, to_wgs84
from insights.indicators import INDICATORS
from insights.release import Release

__all__ = ["map_table"]


def map_table(release: Release, *, level: str = "wijk", period: int | None = None,
              gemeente: str | None = None, tolerance_m: float = 20.0) -> gpd.GeoDataFrame:
    """Areas of ``level`` in EPSG:4326 with, per indicator, the published value, its status, the rate
    and the score for ``period`` (default: the latest).

    Columns per indicator ``i``: ``i`` (Int64, NA when hidden), ``i_status``, ``i_rate`` (per
    indicator's scale, from the published rounded value), ``i_smr``, ``i_smr_low``, ``i_smr_high``.
    """
    period = period or max(release.periods)
    areas = release.areas[release.areas["level"].eq(level)]
    if gemeente is not None:
        areas = areas[areas["gemeente"].eq(gemeente)]
    areas = simplify_coverage(areas.reset_index(drop=True), tolerance_m)
    cells = release.cells[release.cells["period"].eq(period) & release.cells["code"].isin(areas["code"])]
    scores = release.scores[release.scores["period"].eq(period)]
    merged = cells.merge(scores, on=["code", "period", "indicator"], how="left")
    table = areas[["code", "naam", "gemeente", "huishoudens", "inwoners", "geometry"]].copy()
    for name, spec in INDICATORS.items():
        rows = merged[merged["indicator"].eq(name)].set_index("code")
        if rows.empty:
            continue
        value = rows["value"].astype("Int64")
        table[name] = table["code"].map(value).astype("Int64")
        table[f"{name}_status"] = table["code"].map(rows["status"])
        rate = value.astype("Float64") / rows["denominator"].astype("Float64") * spec.scale
        table[f"{name}_rate"] = table["code"].map(rate).astype("Float64")
        for col in ("smr", "smr_low", "smr_high"):
            table[f"{name}_{col}"] = table["code"].map(rows[col]).astype("Float64")
    table["period"] = period
    return to_wgs84(gpd.GeoDataFrame(table, geometry="geometry", crs=release.areas.crs), decimals=5)
