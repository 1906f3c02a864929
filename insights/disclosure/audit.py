"""Audit: the interval an attacker can derive for every cell from everything a release publishes.

What the attacker knows is defined once, in :mod:`insights.disclosure.attacker`. Without
``part_of`` links the tables are trees of sum constraints and the intervals are computed exactly
(integer-exact) by :func:`insights.disclosure.structure.tree_intervals`. Linked indicators are
solved by linear programming with HiGHS, per period, two LPs per cell; ``method="lp"`` forces LPs
everywhere (the independent check used in tests and the benchmark).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.disclosure.attacker import (
    Pattern,
    attack,
    attacker_boxes,
    block_ids,
    link_pairs,
    rule_columns,
    shortfall,
)
from insights.disclosure.primary import Status
from insights.disclosure.rules import Rules
from insights.disclosure.structure import Forest, build_forest
from insights.errors import UnprotectedOutput

__all__ = ["assert_protected", "audit", "with_audit_columns"]


def audit(
    protected: pd.DataFrame,
    parent_of: pd.Series,
    rules: Rules,
    *,
    previous: pd.DataFrame | None = None,
    method: str = "exact",
) -> pd.DataFrame:
    """Feasible interval of every cell from what is published, and whether it is protected.

    Parameters
    ----------
    protected : output of :func:`insights.disclosure.protect` (needs ``code``, ``period``,
        ``indicator``, ``value``, ``status``). Raw counts are *not* read.
    parent_of : area code → parent code (NA for the top).
    rules : the rules in force (rounding, thresholds, ``part_of`` links, protection range).
    previous : cells of an earlier release of the same periods (``code``, ``period``,
        ``indicator``, ``value``); their published values count as known.
    method : ``"exact"`` (tree propagation; LP only where ``part_of`` links tables) or ``"lp"``
        (an LP per cell everywhere; slower, for independent checks).

    Returns
    -------
    ``protected`` plus ``audit_low`` and ``audit_high`` (Int64 counts: the smallest and largest
    count consistent with everything published; ``audit_high`` NA = unbounded) and
    ``protection_ok`` (bool: True for published cells and for hidden cells whose interval covers
    their protection range). These bounds follow from published figures only, so stewards may
    see them.
    """
    if method not in ("exact", "lp"):
        raise ValueError(f"method must be 'exact' or 'lp', not {method!r}")
    forest = build_forest(protected, parent_of)
    rows = protected.iloc[forest.order]
    lo, hi = attacker_boxes(rows, rules, previous)
    pairs = link_pairs(rows, rules)
    hidden = rows["value"].isna().to_numpy()
    lp = method == "lp"
    block = block_ids(rows, rules) if lp or len(pairs) else None
    found = attack(forest, lo, hi, pairs=pairs, block=block, targets=np.nonzero(hidden)[0], lp_everywhere=lp)
    return with_audit_columns(protected, forest, Pattern.of(rows, rules), found.f_lo, found.f_hi, rules)


def with_audit_columns(
    frame: pd.DataFrame, forest: Forest, pattern: Pattern, f_lo: np.ndarray, f_hi: np.ndarray, rules: Rules
) -> pd.DataFrame:
    """``frame`` plus ``audit_low``, ``audit_high``, ``protection_ok`` from sorted-order intervals."""
    ok = ~shortfall(pattern.status, f_lo, f_hi, pattern.rules, rules).short
    back = np.empty(forest.n, dtype=np.int64)
    back[forest.order] = np.arange(forest.n)
    high = f_hi[back]
    return frame.assign(
        audit_low=pd.array(np.round(f_lo[back]), dtype="Float64").astype("Int64"),
        audit_high=pd.array(np.where(np.isinf(high), np.nan, np.round(high)), dtype="Float64").astype("Int64"),
        protection_ok=ok[back] | ~pattern.hidden[back],
    )


def assert_protected(audited: pd.DataFrame, rules: Rules) -> None:
    """Refuse a table that must not be released; return None when it may be.

    Checks, on the output of :func:`audit`: a value is published exactly when the status is
    ``gepubliceerd``; no hidden cell's audit interval is narrower than its protection range;
    and, where the raw ``count`` column is still present, every published value is the count
    rounded by the rules and the count is not below the indicator's threshold.

    Raises
    ------
    insights.errors.UnprotectedOutput : naming up to five offending cells.
    """
    problems: list[str] = []

    def name(rows: pd.DataFrame) -> str:
        return ", ".join(f"{r.code}/{r.period}/{r.indicator}" for r in rows.head(5).itertuples())

    if "protection_ok" not in audited.columns:
        raise UnprotectedOutput("the table has not been audited (no protection_ok column)")
    published = audited["status"].eq(Status.published)
    bad = audited[published != audited["value"].notna()]
    if len(bad):
        problems.append(f"{len(bad)} cell(s) whose value and status disagree: {name(bad)}")
    zero_hidden = audited[~published & audited["value"].notna()]
    if len(zero_hidden):
        problems.append(f"{len(zero_hidden)} hidden cell(s) carry a value: {name(zero_hidden)}")
    weak = audited[~audited["protection_ok"].astype(bool)]
    if len(weak):
        problems.append(f"{len(weak)} hidden cell(s) can be narrowed below their protection range: {name(weak)}")
    if "count" in audited.columns:
        rc = rule_columns(audited, rules)
        mc, base = rc.min_count, rc.base
        count = audited["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        value = audited["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        pub = published.to_numpy()
        rounded = np.floor(count / base + 0.5) * base
        wrong = pub & (np.isnan(count) | (count < mc) | (rounded != value))
        if wrong.any():
            problems.append(f"{int(wrong.sum())} published cell(s) break a rule: {name(audited[wrong])}")
    if problems:
        raise UnprotectedOutput("; ".join(problems))
