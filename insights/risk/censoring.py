"""What a published cell says about its true count: an interval, never a zero for a hidden cell."""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.disclosure.primary import Status
from insights.rounding import rounding_interval

__all__ = ["count_interval"]

_UNINFORMATIVE = (Status.secret_at_source, Status.small_denominator, Status.few_households)


def count_interval(
    value: pd.Series,
    status: pd.Series,
    min_count: pd.Series,
    rounding_base: pd.Series,
    *,
    secondary: str = "at_least_threshold",
    audit_low: pd.Series | None = None,
    audit_high: pd.Series | None = None,
) -> pd.DataFrame:
    """The set of true counts consistent with each published cell, as a closed interval.

    Parameters
    ----------
    value : published rounded count (Int64), ``<NA>`` where hidden.
    status : cell state, one of :class:`insights.disclosure.primary.Status`.
    min_count : threshold T of the cell's indicator (Int64, a count): a published count was ≥ T,
        a cell hidden as ``onder_drempel`` had a true count ≤ T − 1.
    rounding_base : base b the published value was rounded to (nearest multiple, halves up), so the
        true count lies in ``[v - b//2, v + (b-1)//2]``; for b = 5 that is ``[v - 2, v + 2]``.
    secondary : how to read a ``secundair`` cell. ``"at_least_threshold"`` (default): it passed
        the primary rules, so its count is ≥ T with no upper bound. ``"uninformative"``: ``[0, ∞)``.
    audit_low, audit_high : the interval the disclosure audit derived for each cell from published
        figures only (``audit_high`` NA = unbounded). A ``beschermd`` cell — the public face of
        threshold and secondary suppression — is read as this interval, or as ``[0, ∞)`` without
        it: public outputs may not depend on which of the two hid the cell.

    Returns
    -------
    DataFrame indexed like ``value``: ``low`` (float, ≥ 0), ``high`` (float, may be ``inf``), both
    counts; ``split`` (float): for a ``beschermd`` cell its threshold T, where the public reading
    splits the interval into "below the threshold" and "hidden as a secondary partner" (weighted
    by a q fitted from public data, see :func:`insights.risk.poisson_gamma.censored_loglik`), ``inf``
    for every other cell; and ``informative`` (bool): False when the cell says nothing about the
    count (``[0, ∞)`` without a split: secret at source, small denominator, too few households, or
    uninformative secondary). A hidden cell is never read as 0.

    Notes
    -----
    Published cells combine rounding and the threshold: ``low = max(v - b//2, T)``.
    Unknown states raise ``ValueError`` rather than being guessed.
    """
    if secondary not in ("at_least_threshold", "uninformative"):
        raise ValueError(f"secondary must be 'at_least_threshold' or 'uninformative', got {secondary!r}")
    known = set(Status.hidden) | {Status.published}
    unknown = sorted(set(status.dropna().unique()) - known)
    if unknown or status.isna().any():
        raise ValueError(f"unknown cell status {unknown or ['<NA>']}; known: {sorted(known)}")
    v = value.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    t = min_count.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    b = rounding_base.astype("Float64").fillna(1.0).to_numpy(dtype=float)
    s = status.to_numpy()
    published = s == Status.published
    if np.isnan(v[published]).any():
        raise ValueError("a published cell has no value")
    if np.isnan(t[published | (s == Status.below_threshold)]).any():
        raise ValueError("a published or below-threshold cell has no min_count")

    low = np.zeros(len(v))
    high = np.full(len(v), np.inf)
    pub_low, pub_high = rounding_interval(v, b)
    low[published] = np.maximum(pub_low[published], t[published])
    high[published] = pub_high[published]
    below = s == Status.below_threshold
    high[below] = t[below] - 1
    if secondary == "at_least_threshold":
        sec = (s == Status.secondary) & ~np.isnan(t)
        low[sec] = t[sec]
    protected = s == Status.protected
    if protected.any() and audit_low is not None and audit_high is not None:
        a_low = audit_low.astype("Float64").to_numpy(dtype=float, na_value=0.0)
        a_high = audit_high.astype("Float64").to_numpy(dtype=float, na_value=np.inf)
        low[protected] = np.maximum(a_low[protected], 0.0)
        high[protected] = a_high[protected]
    split = np.full(len(v), np.inf)
    split[protected & ~np.isnan(t)] = t[protected & ~np.isnan(t)]
    informative = ~((low == 0) & np.isinf(high) & np.isinf(split))
    return pd.DataFrame({"low": low, "high": high, "split": split, "informative": informative}, index=value.index)
