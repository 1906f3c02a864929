"""Primary suppression and rounding: the per-cell rules of the rules file.

A *cell* is one count: (area code, period, indicator). Pure function: frame in, frame out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.disclosure.rules import Rules

__all__ = ["Status", "primary_suppression", "round_to_base"]


class Status:
    """Cell states written to every protected table (Dutch, as stewards read them)."""

    published = "gepubliceerd"
    secret_at_source = "geheim_in_bron"
    below_threshold = "onder_drempel"
    small_denominator = "kleine_noemer"
    few_households = "te_weinig_huishoudens"
    secondary = "secundair"

    hidden = (secret_at_source, below_threshold, small_denominator, few_households, secondary)


def round_to_base(counts: pd.Series, base: int) -> pd.Series:
    """Round non-negative counts to the nearest multiple of ``base``, halves upward.

    The true count then lies in ``[v - base//2, v + (base-1)//2]``: for base 5, ``[v-2, v+2]``.
    Missing values stay missing.
    """
    values = counts.astype("Float64")
    rounded = (np.floor(values / base + 0.5) * base).astype("Int64")
    return rounded


def primary_suppression(cells: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Apply threshold, denominator floor, household floor and rounding to every cell.

    Parameters
    ----------
    cells : one row per cell with columns ``code`` (str), ``period`` (int, year), ``indicator`` (str),
        ``count`` (Int64 count of events or households; ``<NA>`` = secret in the source),
        ``denominator`` (the indicator's denominator for that area and period, a count; may be NA)
        and ``households`` (the area's private households, for the area floor; may be NA).

    Returns
    -------
    ``cells`` plus ``value`` (Int64: the rounded count where published, ``<NA>`` where hidden),
    ``status`` (one of :class:`Status`) and ``reason`` (Dutch text naming the rule that fired).
    A hidden cell is never 0: its value is ``<NA>``.

    Notes
    -----
    Rules are checked in this order and the first that fires is recorded: secret in the source,
    too few households in the area, denominator below the indicator's floor, count below the
    indicator's threshold.
    """
    out = cells.copy()
    count = out["count"].astype("Int64")
    households = out["households"].astype("Float64")
    denominator = out["denominator"].astype("Float64")
    codes, names = pd.factorize(out["indicator"].astype(str).to_numpy())
    table = np.array(
        [[rules.for_indicator(n).min_count, rules.for_indicator(n).min_denominator,
          rules.for_indicator(n).rounding_base] for n in names], dtype=np.int64
    ).reshape(len(names), 3)
    per_row = table[codes]
    min_count = pd.Series(per_row[:, 0], index=out.index, dtype="Int64")
    min_den = pd.Series(per_row[:, 1], index=out.index, dtype="Float64")
    base = pd.Series(per_row[:, 2], index=out.index, dtype="Int64")

    status = pd.Series(Status.published, index=out.index, dtype="object")
    reason = pd.Series("", index=out.index, dtype="object")

    def fire(mask: pd.Series, state: str, text: pd.Series | str) -> None:
        mask = mask.fillna(False).astype(bool) & status.eq(Status.published)
        status[mask] = state
        reason[mask] = text[mask] if isinstance(text, pd.Series) else text

    fire(count.isna(), Status.secret_at_source, "geheim in de bron")
    fire(households.isna() | (households < rules.min_households), Status.few_households,
         f"minder dan {rules.min_households} huishoudens in het gebied")
    fire(denominator.isna() | (denominator < min_den), Status.small_denominator,
         "noemer kleiner dan " + min_den.astype("Int64").astype(str))
    fire(count < min_count, Status.below_threshold, "telling onder " + min_count.astype(str))

    value = pd.Series(pd.NA, index=out.index, dtype="Int64")
    for b in base.dropna().unique():
        rows = base.eq(b) & status.eq(Status.published)
        value[rows] = round_to_base(count[rows], int(b))
    out["value"] = value
    out["status"] = status
    out["reason"] = reason
    return out
