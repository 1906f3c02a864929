"""Audit: the interval an attacker can derive for every cell from everything a release publishes.

The attacker knows
- every published value ``v`` as the interval ``[max(v - rounding_base//2, min_count), v + (rounding_base-1)//2]``
  (rounded to the nearest multiple; a published count is never below ``min_count``);
- that every hidden count is ≥ 0 (the attacker is *not* assumed to know why a cell is hidden, so
  a status or reason must never be published, only "hidden");
- that every parent count is the sum of its children's counts, in every period and indicator;
- that an indicator with ``part_of`` never exceeds the indicator it is part of, per area and period;
- optionally the values of a previous release of the same periods (``previous``).

Without ``part_of`` links the tables are trees of sum constraints and the intervals are computed
exactly (integer-exact) by :func:`insights.disclosure.structure.tree_intervals`. Linked indicators
are solved by linear programming with HiGHS (``scipy.optimize.linprog``), per period, two LPs per
cell; ``method="lp"`` forces LPs everywhere (the independent check used in tests and the benchmark).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from insights.disclosure.primary import Status
from insights.disclosure.rules import Rules
from insights.disclosure.structure import KEY, Forest, NonAdditiveTable, build_forest, tree_intervals
from insights.errors import UnprotectedOutput

__all__ = ["audit", "assert_protected", "attacker_boxes", "protection_violations"]

PRIMARY = (Status.secret_at_source, Status.below_threshold, Status.small_denominator, Status.few_households)


def _rule_columns(frame: pd.DataFrame, rules: Rules) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row: ``min_count``, ``rounding_base``, rounding below and above, as float arrays."""
    codes, names = pd.factorize(frame["indicator"].astype(str).to_numpy())
    table = [rules.for_indicator(n) for n in names]
    cols = np.array(
        [[r.min_count, r.rounding_base, r.rounding_below, r.rounding_above] for r in table], dtype=float
    ).reshape(len(table), 4)
    per_row = cols[codes] if len(codes) else np.zeros((0, 4))
    return per_row[:, 0], per_row[:, 1], per_row[:, 2], per_row[:, 3]


def attacker_boxes(
    rows: pd.DataFrame, rules: Rules, previous: pd.DataFrame | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the interval its published value (and a previous release's value) allows.

    Parameters
    ----------
    rows : cells with ``code``, ``period``, ``indicator`` and ``value`` (Int64, NA = hidden).
    previous : an earlier release's cells (``code``, ``period``, ``indicator``, ``value``) or None.

    Returns
    -------
    ``(lo, hi)`` float arrays in the order of ``rows``; ``hi`` is ``inf`` where nothing bounds it.
    """
    mc, _, below, above = _rule_columns(rows, rules)
    value = rows["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return _boxes(value, _previous_values(rows, previous), mc, below, above)


def _previous_values(rows: pd.DataFrame, previous: pd.DataFrame | None) -> np.ndarray | None:
    """The previous release's value per row (NaN where hidden or absent), or None."""
    if previous is None or not len(previous):
        return None
    prev = previous.set_index(KEY)["value"].astype("Float64")
    key = pd.MultiIndex.from_frame(rows[KEY])
    return prev.reindex(key).to_numpy(dtype=float, na_value=np.nan)


def _boxes(
    value: np.ndarray, prev: np.ndarray | None, mc: np.ndarray, below: np.ndarray, above: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    pub = ~np.isnan(value)
    lo = np.where(pub, np.maximum(value - below, mc), 0.0)
    hi = np.where(pub, value + above, np.inf)
    if prev is not None:
        ppub = ~np.isnan(prev)
        lo = np.where(ppub, np.maximum(lo, np.maximum(prev - below, mc)), lo)
        hi = np.where(ppub, np.minimum(hi, prev + above), hi)
    return lo, np.where(np.isnan(hi), np.inf, hi)


def protection_violations(
    status: np.ndarray, f_lo: np.ndarray, f_hi: np.ndarray, mc: np.ndarray, base: np.ndarray, rules: Rules
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every cell, how far its interval falls short of its protection range.

    Returns ``(need_down, need_up, need_width)``: how much lower the interval must reach (to 0),
    how much higher (to ``min_count``), and how much wider (a secondary cell: ``rounding_base - 1``).
    All zero for published cells and for cells that are protected.
    """
    primary = np.isin(status, PRIMARY)
    secondary = status == Status.secondary
    p = rules.protection
    need_down = np.where(primary & p.contains_zero, np.maximum(f_lo, 0.0), 0.0)
    need_up = np.where(primary & p.contains_threshold, np.maximum(mc - f_hi, 0.0), 0.0)
    width = f_hi - f_lo
    need_width = np.where(secondary & p.secondary_as_rounded, np.maximum((base - 1) - width, 0.0), 0.0)
    return need_down, need_up, need_width


def _link_pairs(rows: pd.DataFrame, rules: Rules) -> np.ndarray:
    """(part row, whole row) pairs in the order of ``rows`` for every ``part_of`` rule present."""
    pairs = []
    names = pd.unique(rows["indicator"].astype(str).to_numpy())
    if not any(rules.for_indicator(n).part_of in names for n in names):
        return np.zeros((0, 2), dtype=np.int64)
    ind = rows["indicator"].astype(str)
    key = pd.MultiIndex.from_arrays([rows["code"].astype(str), rows["period"], ind])
    for name in ind.unique():
        whole = rules.for_indicator(name).part_of
        if whole is None or not (ind == whole).any():
            continue
        part_rows = np.nonzero((ind == name).to_numpy())[0]
        target = pd.MultiIndex.from_arrays(
            [rows["code"].astype(str).to_numpy()[part_rows], rows["period"].to_numpy()[part_rows],
             np.full(len(part_rows), whole)]
        )
        whole_rows = key.get_indexer(target)
        ok = whole_rows >= 0
        pairs.append(np.column_stack([part_rows[ok], whole_rows[ok]]))
    return np.concatenate(pairs) if pairs else np.zeros((0, 2), dtype=np.int64)


def _block_lp(forest: Forest, nodes: np.ndarray, pairs: np.ndarray) -> tuple[sparse.csr_matrix, int, int]:
    """Constraint matrix of one block: a row ``parent - Σ children = 0`` per parent, then a row
    ``part - whole ≤ 0`` per link. Returns (matrix over the block's local columns, n_eq, n_ub)."""
    local = -np.ones(forest.n, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    par = forest.parent[nodes]
    inside = (par >= 0) & (local[np.maximum(par, 0)] >= 0)
    kids = nodes[inside]
    parents = np.unique(par[inside])
    row_of = {int(p): r for r, p in enumerate(parents)}
    eq_rows = np.r_[np.arange(len(parents)), [row_of[int(p)] for p in forest.parent[kids]]]
    eq_cols = np.r_[local[parents], local[kids]]
    eq_vals = np.r_[np.ones(len(parents)), -np.ones(len(kids))]
    n_eq = len(parents)
    mine = pairs[(local[pairs[:, 0]] >= 0) & (local[pairs[:, 1]] >= 0)] if len(pairs) else np.zeros((0, 2), int)
    k = len(mine)
    rows = np.r_[eq_rows, n_eq + np.arange(k), n_eq + np.arange(k)].astype(np.int64)
    cols = np.r_[eq_cols, local[mine[:, 0]], local[mine[:, 1]]].astype(np.int64)
    vals = np.r_[eq_vals, np.ones(k), -np.ones(k)]
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n_eq + k, len(nodes))), n_eq, k


def _lp_intervals(
    forest: Forest, lo: np.ndarray, hi: np.ndarray, pairs: np.ndarray, block: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of every target node by LP (HiGHS), one LP system per block id.

    Uses ``highspy`` (one model per block, re-solved warm for each objective) when installed,
    else ``scipy.optimize.linprog``. Bounds are rounded inward to integers (counts are integers).
    """
    try:
        import highspy
    except ImportError:  # pragma: no cover - exercised where highspy is absent
        highspy = None
    f_lo = lo.copy()
    f_hi = hi.copy()
    for b in np.unique(block[targets]):
        nodes = np.nonzero(block == b)[0]
        local = -np.ones(forest.n, dtype=np.int64)
        local[nodes] = np.arange(len(nodes))
        a, n_eq, n_ub = _block_lp(forest, nodes, pairs)
        m = len(nodes)
        mine = targets[block[targets] == b]
        if highspy is not None:
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            inf = highspy.kHighsInf
            csc = a.tocsc()
            lp = highspy.HighsLp()
            lp.num_col_ = m
            lp.num_row_ = a.shape[0]
            lp.col_cost_ = np.zeros(m)
            lp.col_lower_ = lo[nodes].astype(float)
            lp.col_upper_ = np.where(np.isinf(hi[nodes]), inf, hi[nodes]).astype(float)
            lp.row_lower_ = np.r_[np.zeros(n_eq), np.full(n_ub, -inf)]
            lp.row_upper_ = np.zeros(n_eq + n_ub)
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
            lp.a_matrix_.index_ = csc.indices.astype(np.int32)
            lp.a_matrix_.value_ = csc.data.astype(float)
            h.passModel(lp)
            definite = (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kUnbounded,
                        highspy.HighsModelStatus.kUnboundedOrInfeasible, highspy.HighsModelStatus.kInfeasible)
            for t in mine:
                j = int(local[t])
                h.changeColCost(j, 1.0)
                for sense in (highspy.ObjSense.kMinimize, highspy.ObjSense.kMaximize):
                    h.changeObjectiveSense(sense)
                    h.run()
                    st = h.getModelStatus()
                    if st not in definite:
                        # a warm start can end undecided (kUnknown): solve again from scratch
                        h.clearSolver()
                        h.run()
                        st = h.getModelStatus()
                    if st not in definite:
                        raise NonAdditiveTable(f"LP audit undecided for a cell ({st}); use method='exact'")
                    if st == highspy.HighsModelStatus.kInfeasible:
                        raise NonAdditiveTable("published figures admit no counts consistent with the sums")
                    if sense == highspy.ObjSense.kMinimize:
                        f_lo[t] = np.ceil(h.getInfo().objective_function_value - 1e-7)
                    elif st in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                        f_hi[t] = np.inf
                    else:
                        f_hi[t] = np.floor(h.getInfo().objective_function_value + 1e-7)
                h.changeColCost(j, 0.0)
            continue
        a_eq = a[:n_eq] if n_eq else None
        a_ub = a[n_eq:] if n_ub else None
        bounds = [(lo[i], None if np.isinf(hi[i]) else hi[i]) for i in nodes]
        kw = dict(A_eq=a_eq, b_eq=np.zeros(n_eq) if n_eq else None, A_ub=a_ub,
                  b_ub=np.zeros(n_ub) if n_ub else None, bounds=bounds, method="highs")
        for t in mine:
            c = np.zeros(m)
            c[local[t]] = 1.0
            low = linprog(c, **kw)
            if low.status == 2:
                raise NonAdditiveTable("published figures admit no counts consistent with the sums")
            high = linprog(-c, **kw)
            f_lo[t] = np.ceil(low.fun - 1e-7)
            f_hi[t] = np.inf if high.status == 3 else np.floor(-high.fun + 1e-7)
    return f_lo, f_hi


def _indicator_groups(names: np.ndarray, rules: Rules) -> dict[str, str]:
    """Indicator → name of its linked group (the alphabetically first member), over ``part_of``."""
    root = {str(n): str(n) for n in names}

    def find(x: str) -> str:
        while root[x] != x:
            x = root[x]
        return x

    for name in sorted(root):
        whole = rules.for_indicator(name).part_of
        if whole in root:
            a, b = find(name), find(whole)
            root[max(a, b)] = min(a, b)
    return {n: find(n) for n in root}


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
    iv = tree_intervals(forest, lo, hi)
    f_lo, f_hi = iv.f_lo, iv.f_hi
    pairs = _link_pairs(rows, rules)
    hidden = rows["value"].isna().to_numpy()
    if method == "lp" or len(pairs):
        # One block per period (and per linked indicator group, or per table for "lp").
        period = rows["period"].to_numpy()
        ind = rows["indicator"].astype(str).to_numpy()
        group = _indicator_groups(np.unique(ind), rules)
        block_key = pd.Series(list(zip(period, [group[n] for n in ind])))
        block = pd.factorize(block_key)[0]
        if method == "lp":
            targets = np.arange(forest.n)
        else:
            linked = np.zeros(forest.n, dtype=bool)
            if len(pairs):
                linked_blocks = np.unique(block[pairs.ravel()])
                linked = np.isin(block, linked_blocks)
            targets = np.nonzero(linked)[0]
        targets = targets[hidden[targets]]
        if len(targets):
            lp_lo, lp_hi = _lp_intervals(forest, lo, hi, pairs, block, targets)
            f_lo, f_hi = f_lo.copy(), f_hi.copy()
            f_lo[targets], f_hi[targets] = lp_lo[targets], lp_hi[targets]
    return _with_audit_columns(protected, forest, rows, f_lo, f_hi, rules)


def _with_audit_columns(frame: pd.DataFrame, forest: Forest, rows, f_lo: np.ndarray, f_hi: np.ndarray,
                        rules: Rules) -> pd.DataFrame:
    """``frame`` plus ``audit_low``, ``audit_high``, ``protection_ok`` from sorted-order intervals.

    ``rows`` is either the sorted frame or an object with ``status``, ``hidden``, ``mc`` and
    ``base`` arrays in sorted order."""
    if isinstance(rows, pd.DataFrame):
        mc, base, _, _ = _rule_columns(rows, rules)
        status = rows["status"].astype(str).to_numpy()
        hidden = rows["value"].isna().to_numpy()
    else:
        mc, base, status, hidden = rows.mc, rows.base, rows.status, rows.hidden
    need_down, need_up, need_width = protection_violations(status, f_lo, f_hi, mc, base, rules)
    ok = (need_down <= 0) & (need_up <= 0) & (need_width <= 0)
    back = np.empty(forest.n, dtype=np.int64)
    back[forest.order] = np.arange(forest.n)
    high = f_hi[back]
    return frame.assign(
        audit_low=pd.array(np.round(f_lo[back]), dtype="Float64").astype("Int64"),
        audit_high=pd.array(np.where(np.isinf(high), np.nan, np.round(high)), dtype="Float64").astype("Int64"),
        protection_ok=ok[back] | ~hidden[back],
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
        mc, base, _, _ = _rule_columns(audited, rules)
        count = audited["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        value = audited["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        pub = published.to_numpy()
        rounded = np.floor(count / base + 0.5) * base
        wrong = pub & (np.isnan(count) | (count < mc) | (rounded != value))
        if wrong.any():
            problems.append(f"{int(wrong.sum())} published cell(s) break a rule: {name(audited[wrong])}")
    if problems:
        raise UnprotectedOutput("; ".join(problems))
