"""Audit: the interval an attacker can derive for every cell from everything a release publishes.

What the attacker knows is defined once, in :mod:`insights.disclosure.attacker`. Without
``part_of`` links the tables are trees of sum constraints and the intervals are computed exactly
(integer-exact) by :func:`insights.disclosure.structure.tree_intervals`. Linked indicators are
solved by linear programming with HiGHS, per period, two LPs per cell; ``method="lp"`` forces LPs
everywhere (the independent check used in tests and the benchmark).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from insights.disclosure.attacker import (
    Attack,
    Knowledge,
    Pattern,
    Version,
    attack,
    block_ids,
    boxes,
    copy_shortfalls,
    inherited_protection,
    knowledge,
    link_pairs,
    rule_columns,
    shortfall,
    view,
)
from insights.disclosure.history import as_versions
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
    history: Sequence[Version] = (),
    method: str = "exact",
) -> pd.DataFrame:
    """Feasible interval of every cell from what is published, and whether it is protected.

    Parameters
    ----------
    protected : output of :func:`insights.disclosure.protect` (needs ``code``, ``period``,
        ``indicator``, ``value``, ``status``; reads ``min_count``, ``rounding_base`` and
        ``herzien`` when present). Raw counts are *not* read.
    parent_of : area code → parent code (NA for the top).
    rules : the rules in force (rounding, thresholds, ``part_of`` links, protection range).
    previous : cells of an earlier release of the same periods (``code``, ``period``,
        ``indicator``, ``value``), read with ``rules`` unless they carry their own columns.
    history : earlier releases, oldest first, each with its own rules (see :class:`Version`).
    method : ``"exact"`` (tree propagation; LP only where ``part_of`` links or revisions tie tables)
        or ``"lp"`` (an LP per cell everywhere; slower, for independent checks).

    Returns
    -------
    ``protected`` plus ``audit_low`` and ``audit_high`` (Int64 counts: the smallest and largest
    count consistent with everything published; ``audit_high`` NA = unbounded),
    ``protection_ok`` (bool: False for a hidden cell whose interval misses its protection range,
    and for a cell whose value in an earlier release was hidden and can now be narrowed below that
    release's range) and ``audit_release`` (the earlier release concerned, else NA). These follow
    from published figures only, so stewards may see them.
    """
    if method not in ("exact", "lp"):
        raise ValueError(f"method must be 'exact' or 'lp', not {method!r}")
    versions = as_versions(previous, history, rules)
    forest = build_forest(protected, parent_of)
    rows = protected.iloc[forest.order]
    rc = rule_columns(rows, rules)
    lo, hi = boxes(rows["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan), rc)
    pairs = link_pairs(rows, rules)
    hidden = rows["value"].isna().to_numpy()
    views = tuple(view(rows, v) for v in versions)
    revised = revised_marker(rows)
    lp = method == "lp"
    block = block_ids(rows, rules) if lp or len(pairs) or revised.any() else None
    known = knowledge(forest, lo, hi, pairs=pairs, block=block, views=views, revised=revised)
    found = attack(forest, known, targets=np.nonzero(hidden)[0], lp_everywhere=lp)
    status, rc_owed = inherited_protection(rows["status"].astype(str).to_numpy(), hidden, rc, views)
    earlier = earlier_failures(forest.n, known, found, rules)
    return with_audit_columns(protected, forest, Pattern(status, hidden, rc_owed), found.f_lo, found.f_hi, rules,
                              earlier=earlier)


def revised_marker(rows: pd.DataFrame) -> np.ndarray:
    """The public ``herzien`` marker per row (False where the column is absent)."""
    if "herzien" not in rows.columns:
        return np.zeros(len(rows), dtype=bool)
    return rows["herzien"].astype("boolean").fillna(False).to_numpy(dtype=bool)


def earlier_failures(n: int, known: Knowledge, found: Attack, rules: Rules) -> np.ndarray:
    """Per sorted node, the name of an earlier release whose hidden value of that cell can now be
    narrowed below that release's protection range (None where there is none)."""
    names = np.full(n, None, dtype=object)
    for v, need in zip(known.views, copy_shortfalls(known, found, rules)):
        names[need.short & pd.isna(names)] = v.name
    return names


def with_audit_columns(
    frame: pd.DataFrame,
    forest: Forest,
    pattern: Pattern,
    f_lo: np.ndarray,
    f_hi: np.ndarray,
    rules: Rules,
    *,
    earlier: np.ndarray | None = None,
) -> pd.DataFrame:
    """``frame`` plus ``audit_low``, ``audit_high``, ``protection_ok`` and ``audit_release`` from
    sorted-order intervals (``earlier``: see :func:`earlier_failures`)."""
    ok = ~shortfall(pattern.status, f_lo, f_hi, pattern.rules, rules).short | ~pattern.hidden
    if earlier is None:
        earlier = np.full(forest.n, None, dtype=object)
    ok &= pd.isna(earlier)
    back = np.empty(forest.n, dtype=np.int64)
    back[forest.order] = np.arange(forest.n)
    high = f_hi[back]
    return frame.assign(
        audit_low=pd.array(np.round(f_lo[back]), dtype="Float64").astype("Int64"),
        audit_high=pd.array(np.where(np.isinf(high), np.nan, np.round(high)), dtype="Float64").astype("Int64"),
        protection_ok=ok[back],
        audit_release=pd.array(earlier[back], dtype="object"),
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
    if "audit_release" in audited.columns:
        weak = weak[weak["audit_release"].isna()]
    if len(weak):
        problems.append(f"{len(weak)} hidden cell(s) can be narrowed below their protection range: {name(weak)}")
    if "audit_release" in audited.columns and audited["audit_release"].notna().any():
        old = audited[audited["audit_release"].notna()]
        releases = ", ".join(sorted(set(old["audit_release"].astype(str))))
        problems.append(
            f"together with earlier release(s) {releases}, the figures narrow what those releases hid for "
            f"{name(old)}; hiding more now cannot undo what is out: correct these cells in the input so "
            "they agree with the earlier release, or build into a new releases folder only if the earlier "
            "release was never made public"
        )
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
