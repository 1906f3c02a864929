"""Scores per area from protected (published) figures only."""

from __future__ import annotations

import pandas as pd

from insights.risk.expected import expected_counts
from insights.risk.smr import standardised_ratio

__all__ = ["score"]

_KEY = ["code", "period", "indicator"]


def score(published: pd.DataFrame) -> pd.DataFrame:
    """Observed/expected per area, period and indicator, with the area's regio as reference.

    Parameters
    ----------
    published : the public projection of the protected cells: ``code``, ``level``, ``regio``,
        ``period``, ``indicator``, ``value`` (Int64 rounded count, NA when hidden),
        ``denominator`` (count), ``rounding_base``. It must not hold raw counts.

    Returns
    -------
    One row per input row: ``code``, ``period``, ``indicator``, ``expected`` (count),
    ``smr``, ``smr_low``, ``smr_high`` (95% exact Poisson, widened for rounding). NA where the value
    is hidden or the reference is unknown.

    Notes
    -----
    The reference rate is the regio's published (rounded) total divided by its denominator, so
    every number here follows from published figures.
    """
    if "count" in published.columns:
        raise ValueError("score() takes published figures only; drop the raw 'count' column first")
    regio_rows = published[published["level"].eq("regio")]
    reference = (
        regio_rows.assign(rate=regio_rows["value"].astype("Float64") / regio_rows["denominator"].astype("Float64"))
        .set_index(["code", "period", "indicator"])["rate"]
    )
    rate = pd.Series(
        [reference.get((r, p, i), pd.NA) for r, p, i in zip(published["regio"], published["period"], published["indicator"])],
        index=published.index,
        dtype="Float64",
    )
    expected = expected_counts(published["denominator"], rate)
    parts = []
    for base, rows in published.groupby("rounding_base", sort=True):
        parts.append(standardised_ratio(rows["value"], expected[rows.index], rounding_base=int(base)))
    ratios = pd.concat(parts).reindex(published.index)
    return pd.concat([published[_KEY], expected, ratios], axis=1)
