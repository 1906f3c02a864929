"""From validated wijk counts to the cell table of every level (wijk, gemeente, regio, Nederland).

A parent's count is the sum of its children's counts, and unknown (NA) as soon as one child is
unknown: a secret wijk never counts as 0 in a total. Pure functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.disclosure.primary import round_to_base
from insights.indicators import DENOMINATORS, INDICATORS

__all__ = ["AUDIT_COLUMNS", "build_cells", "public_cells"]

# Added by the audit; derived from published figures only (see insights.disclosure.audit).
AUDIT_COLUMNS = ["protects", "audit_low", "audit_high", "protection_ok", "audit_release"]

_KEY = ["code", "period", "indicator"]


def _sum_or_na(frame: pd.DataFrame, by: str, columns: list[str]) -> pd.DataFrame:
    grouped = frame.groupby(by, sort=True)
    sums = grouped[columns].sum(min_count=1)
    unknown = frame[columns].isna().groupby(frame[by]).any()
    return sums.mask(unknown).astype("Int64")


def build_cells(counts: pd.DataFrame, hierarchy: pd.DataFrame) -> pd.DataFrame:
    """Long cell table over all levels of ``hierarchy``.

    Parameters
    ----------
    counts : ``code`` (wijk), ``period``, indicator and denominator columns (Int64, NA = secret),
        as :func:`insights.ingest.read_indicators` returns them.
    hierarchy : :func:`geo.hierarchy.build_hierarchy` output for the areas to build.

    Returns
    -------
    One row per (code, period, indicator): ``code``, ``level``, ``gemeente``, ``regio``, ``period``,
    ``indicator``, ``count`` (raw, Int64), ``denominator`` (count the indicator is divided by),
    ``households`` (private households of the area, for the household floor). A wijk without a row
    for a period is secret for that period.
    """
    indicators = [name for name in INDICATORS if name in counts.columns]
    value_columns = indicators + list(DENOMINATORS)
    wijken = hierarchy[hierarchy["level"].eq("wijk")]
    periods = sorted(counts["period"].unique())
    grid = pd.MultiIndex.from_product([wijken["code"], periods], names=["code", "period"])
    wide = counts.set_index(["code", "period"])[value_columns].reindex(grid).reset_index()

    levels = [wide]
    parent = hierarchy.set_index("code")["parent"]
    current = wide
    for level in ("gemeente", "regio", "nederland"):
        codes = hierarchy.loc[hierarchy["level"].eq(level), "code"]
        if codes.empty:
            break
        current = current.assign(_parent=current["code"].map(parent))
        current = current[current["_parent"].isin(codes)]
        if current.empty:
            break
        aggregated = pd.concat(
            {p: _sum_or_na(rows, "_parent", value_columns) for p, rows in current.groupby("period", sort=True)},
            names=["period", "code"],
        ).reset_index()
        current = aggregated[["code", "period", *value_columns]]
        levels.append(current)
    wide_all = pd.concat(levels, ignore_index=True)

    long = wide_all.melt(
        id_vars=["code", "period", *DENOMINATORS], value_vars=indicators, var_name="indicator", value_name="count"
    )
    long["count"] = long["count"].astype("Int64")
    denominator = pd.Series(pd.NA, index=long.index, dtype="Int64")
    lookup = wide_all.set_index(["code", "period"])
    for name in indicators:
        rows = long["indicator"].eq(name)
        den_col = INDICATORS[name].denominator
        if den_col in DENOMINATORS:
            denominator[rows] = long.loc[rows, den_col].astype("Int64")
        else:
            keys = pd.MultiIndex.from_frame(long.loc[rows, ["code", "period"]])
            denominator[rows] = lookup[den_col].reindex(keys).to_numpy()
    long["denominator"] = denominator
    long["households"] = long["huishoudens"].astype("Int64")
    attrs = hierarchy.set_index("code")[["level", "gemeente", "regio"]]
    long = long.join(attrs, on="code")
    order = {"wijk": 0, "gemeente": 1, "regio": 2, "nederland": 3}
    long["_order"] = long["level"].map(order)
    long = long.sort_values(["_order", "code", "period", "indicator"]).drop(columns=["_order", *DENOMINATORS])
    return long[
        ["code", "level", "gemeente", "regio", "period", "indicator", "count", "denominator", "households"]
    ].reset_index(drop=True)


def public_cells(protected: pd.DataFrame, *, denominator_base: int = 5) -> pd.DataFrame:
    """The projection of protected cells that may leave the build: no raw counts.

    The audit's columns (``protects``, ``audit_low``, ``audit_high``, ``protection_ok``) are kept
    when present: they follow from published figures only and are shown to stewards.

    Denominators that are themselves indicators (meldingen for hermeldingen) are replaced by that
    indicator's published value (NA when hidden); household and inhabitant denominators are rounded
    to ``denominator_base`` (CBS's wijk figures already are).
    """
    out = protected.copy()
    published = out.set_index(_KEY)["value"]
    for name, spec in INDICATORS.items():
        rows = out["indicator"].eq(name)
        if not rows.any():
            continue
        if spec.denominator in DENOMINATORS:
            out.loc[rows, "denominator"] = round_to_base(out.loc[rows, "denominator"], denominator_base)
        else:
            keys = pd.MultiIndex.from_arrays(
                [out.loc[rows, "code"], out.loc[rows, "period"], np.full(rows.sum(), spec.denominator)]
            )
            out.loc[rows, "denominator"] = published.reindex(keys).to_numpy()
    out["denominator"] = out["denominator"].astype("Int64")
    columns = ["code", "level", "gemeente", "regio", "period", "indicator", "value", "status", "reason",
               "denominator", "min_count", "rounding_base"]
    if "herzien" in out.columns:
        columns.append("herzien")
    columns += [c for c in AUDIT_COLUMNS if c in out.columns]
    return out[columns].reset_index(drop=True)
