"""Primary suppression and rounding: the per-cell rules of the rules file.

A *cell* is one count: (area code, period, indicator). Pure function: frame in, frame out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.disclosure.rules import Rules
from insights.rounding import round_to_base

__all__ = ["Status", "primary_suppression", "public_status", "round_to_base"]


class Status:
    """Cell states written to every protected table (Dutch, as stewards read them).

    Outside the steward view, :func:`public_status` folds ``onder_drempel`` and ``secundair`` into
    ``beschermd``: telling them apart would say "fewer than the threshold" or "at least the
    threshold", which is exactly what protection must not reveal.
    """

    published = "gepubliceerd"
    secret_at_source = "geheim_in_bron"
    below_threshold = "onder_drempel"
    small_denominator = "kleine_noemer"
    few_households = "te_weinig_huishoudens"
    secondary = "secundair"
    protected = "beschermd"  # public face of below_threshold and secondary

    hidden = (secret_at_source, below_threshold, small_denominator, few_households, secondary, protected)
    public = (published, protected, secret_at_source, few_households, small_denominator)


def public_status(cells: pd.DataFrame) -> pd.Series:
    """The status the public may see for each cell of ``cells`` (``status``, ``indicator``).

    Suppression by threshold, as a secondary partner, or for a denominator floor on a hidden
    denominator (hermeldingen per meldingen) all read ``beschermd``. States that follow from
    public facts stay: too few households (CBS household counts are public), a household or
    inhabitant denominator below its floor, and secret in the source.
    """
    from insights.indicators import DENOMINATORS, INDICATORS

    public_denominator = cells["indicator"].map(lambda n: INDICATORS[n].denominator in DENOMINATORS)
    status = cells["status"].copy()
    fold = status.isin([Status.below_threshold, Status.secondary]) | (
        status.eq(Status.small_denominator) & ~public_denominator.astype(bool)
    )
    status[fold] = Status.protected
    return status


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
    n = len(out)
    count = out["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    households = out["households"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    denominator = out["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    codes, names = pd.factorize(out["indicator"].astype(str).to_numpy())
    table = np.array(
        [[rules.for_indicator(n).min_count, rules.for_indicator(n).min_denominator,
          rules.for_indicator(n).rounding_base] for n in names], dtype=np.int64
    ).reshape(len(names), 3)
    per_row = table[codes] if n else np.zeros((0, 3), dtype=np.int64)
    min_count, min_den, base = per_row[:, 0], per_row[:, 1], per_row[:, 2]

    status = np.full(n, Status.published, dtype=object)
    reason = np.full(n, "", dtype=object)

    def fire(mask: np.ndarray, state: str, text: np.ndarray | str) -> None:
        mask = mask & (status == Status.published)
        status[mask] = state
        reason[mask] = text[mask] if isinstance(text, np.ndarray) else text

    with np.errstate(invalid="ignore"):
        fire(np.isnan(count), Status.secret_at_source, "geheim in de bron")
        fire(np.isnan(households) | (households < rules.min_households), Status.few_households,
             f"minder dan {rules.min_households} huishoudens in het gebied")
        fire(np.isnan(denominator) | (denominator < min_den), Status.small_denominator,
             np.array([f"noemer kleiner dan {d}" for d in min_den], dtype=object))
        fire(count < min_count, Status.below_threshold,
             np.array([f"telling onder {m}" for m in min_count], dtype=object))
        published = status == Status.published
        rounded = np.floor(count / base + 0.5) * base
    value = np.where(published, rounded, np.nan)
    out["value"] = pd.array(value, dtype="Float64").astype("Int64")
    out["status"] = status
    out["reason"] = reason
    return out
