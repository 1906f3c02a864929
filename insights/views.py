"""Read-only views of a published release, shared by the API and the maps."""

from __future__ import annotations

import pandas as pd

from insights.indicators import INDICATORS
from insights.release import Release

__all__ = ["wide_table"]


def wide_table(release: Release, *, level: str, period: int) -> pd.DataFrame:
    """One row per area of ``level`` with every indicator's published figures for ``period``.

    Columns: ``code``, ``naam``, ``gemeente``, ``regio``, ``huishoudens``, ``inwoners``, then per
    indicator ``i``: ``i`` (Int64 published rounded count, NA when hidden — never 0), ``i_status``
    (the public status as the release publishes it: threshold and secondary suppression both read
    ``beschermd``; reasons are for stewards only), ``i_rate`` (published count per the indicator's scale,
    e.g. per 1,000 households),
    ``i_expected``, ``i_smr``, ``i_smr_low``, ``i_smr_high`` (95% interval).
    Areas keep the order of the release (by code); nothing is ordered by score.
    """
    areas = release.areas[release.areas["level"].eq(level)]
    table = pd.DataFrame(areas[["code", "naam", "gemeente", "regio", "huishoudens", "inwoners"]]).reset_index(drop=True)
    cells = release.cells[release.cells["period"].eq(period) & release.cells["level"].eq(level)]
    scores = release.scores[release.scores["period"].eq(period)]
    merged = cells.merge(scores, on=["code", "period", "indicator"], how="left")
    for name, spec in INDICATORS.items():
        rows = merged[merged["indicator"].eq(name)].set_index("code")
        if rows.empty:
            continue
        value = rows["value"].astype("Int64")
        table[name] = table["code"].map(value).astype("Int64")
        table[f"{name}_status"] = table["code"].map(rows["status"])
        rate = value.astype("Float64") / rows["denominator"].astype("Float64") * spec.scale
        table[f"{name}_rate"] = table["code"].map(rate).astype("Float64").round(2)
        for col in ("expected", "smr", "smr_low", "smr_high"):
            if col in rows.columns:
                table[f"{name}_{col}"] = table["code"].map(rows[col]).astype("Float64").round(4)
    return table
