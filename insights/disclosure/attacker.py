"""The attacker model: what an attacker knows about every cell, and the intervals that follows.

The attacker knows
- every published value ``v`` as the interval ``[max(v - rounding_base//2, min_count), v + (rounding_base-1)//2]``
  (rounded to the nearest multiple; a published count is never below ``min_count``), read with the
  ``min_count`` and ``rounding_base`` of that cell (the cell's own columns where present, else the rules);
- that every hidden count is ≥ 0 (not *why* it is hidden: publish only "hidden", never the reason);
- that every parent count is the sum of its children's counts, in every period and indicator;
- that an indicator with ``part_of`` never exceeds the indicator it is part of, per area and period;
- optionally the values of earlier releases of the same periods (``previous``: box intersection).

Without ``part_of`` links the tables are trees of sum constraints and the intervals are exact by
:func:`insights.disclosure.structure.tree_intervals`; linked blocks are solved by linear programming
with HiGHS (``highspy`` when installed, else ``scipy.optimize.linprog``), two LPs per target cell.

Public, typed building blocks shared by :mod:`insights.disclosure.audit` and
:mod:`insights.disclosure.secondary`: :class:`RuleColumns`, :func:`rule_columns`, :func:`boxes`,
:func:`attacker_boxes`, :class:`Shortfall`, :func:`shortfall`, :func:`link_pairs`,
:func:`indicator_groups`, :func:`block_ids`, :class:`Attack`, :func:`attack`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

from insights.disclosure.primary import Status
from insights.disclosure.rules import Rules
from insights.disclosure.structure import KEY, Forest, Intervals, NonAdditiveTable, tree_intervals

__all__ = [
    "PRIMARY",
    "Attack",
    "Pattern",
    "RuleColumns",
    "Shortfall",
    "attack",
    "attacker_boxes",
    "block_ids",
    "boxes",
    "indicator_groups",
    "link_pairs",
    "previous_values",
    "rule_columns",
    "shortfall",
]

PRIMARY = (Status.secret_at_source, Status.below_threshold, Status.small_denominator, Status.few_households)


@dataclass(frozen=True)
class RuleColumns:
    """Per row (float arrays): ``min_count``, ``rounding_base``, and how far a published value may
    lie above the count (``below``: count ≥ value − below) and under it (``above``: count ≤ value + above)."""

    min_count: np.ndarray
    base: np.ndarray
    below: np.ndarray
    above: np.ndarray

    def take(self, idx: np.ndarray) -> RuleColumns:
        """The columns of the rows ``idx``."""
        return RuleColumns(self.min_count[idx], self.base[idx], self.below[idx], self.above[idx])


def rule_columns(frame: pd.DataFrame, rules: Rules) -> RuleColumns:
    """Per row of ``frame`` (needs ``indicator``) the rules that protect it.

    A row's own ``min_count`` / ``rounding_base`` columns win where present and not NA (a cell kept
    from an earlier release keeps the rules it was published with); otherwise ``rules``.
    """
    codes, names = pd.factorize(frame["indicator"].astype(str).to_numpy())
    table = [rules.for_indicator(n) for n in names]
    cols = np.array([[r.min_count, r.rounding_base] for r in table], dtype=float).reshape(len(table), 2)
    per_row = cols[codes] if len(codes) else np.zeros((0, 2))
    mc, base = per_row[:, 0].copy(), per_row[:, 1].copy()
    for name, target in (("min_count", mc), ("rounding_base", base)):
        if name in frame.columns:
            own = frame[name].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            target[:] = np.where(np.isnan(own), target, own)
    return RuleColumns(mc, base, np.floor(base / 2), np.floor((base - 1) / 2))


def boxes(value: np.ndarray, rc: RuleColumns) -> tuple[np.ndarray, np.ndarray]:
    """The interval each value allows: its rounding interval where published (not NaN), ``[0, ∞)`` where hidden."""
    pub = ~np.isnan(value)
    lo = np.where(pub, np.maximum(value - rc.below, rc.min_count), 0.0)
    hi = np.where(pub, value + rc.above, np.inf)
    return lo, np.where(np.isnan(hi), np.inf, hi)


def previous_values(rows: pd.DataFrame, previous: pd.DataFrame | None) -> np.ndarray | None:
    """An earlier release's value per row of ``rows`` (NaN where hidden or absent), or None."""
    if previous is None or not len(previous):
        return None
    prev = previous.set_index(KEY)["value"].astype("Float64")
    key = pd.MultiIndex.from_frame(rows[KEY])
    return prev.reindex(key).to_numpy(dtype=float, na_value=np.nan)


def intersect_previous(
    lo: np.ndarray, hi: np.ndarray, prev: np.ndarray | None, rc: RuleColumns
) -> tuple[np.ndarray, np.ndarray]:
    """``[lo, hi]`` narrowed by an earlier release's values ``prev`` (read with ``rc``)."""
    if prev is None:
        return lo, hi
    p_lo, p_hi = boxes(prev, rc)
    return np.maximum(lo, p_lo), np.minimum(hi, p_hi)


def attacker_boxes(
    rows: pd.DataFrame, rules: Rules, previous: pd.DataFrame | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the interval its published value (and an earlier release's value) allows.

    Parameters
    ----------
    rows : cells with ``code``, ``period``, ``indicator`` and ``value`` (Int64, NA = hidden).
    previous : an earlier release's cells (``code``, ``period``, ``indicator``, ``value``) or None.

    Returns
    -------
    ``(lo, hi)`` float arrays in the order of ``rows``; ``hi`` is ``inf`` where nothing bounds it.
    """
    rc = rule_columns(rows, rules)
    value = rows["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    lo, hi = boxes(value, rc)
    return intersect_previous(lo, hi, previous_values(rows, previous), rc)


@dataclass(frozen=True)
class Pattern:
    """A suppression pattern in the forest's sorted order: each node's status, whether it is hidden,
    and the rules that protect it."""

    status: np.ndarray
    hidden: np.ndarray
    rules: RuleColumns

    @classmethod
    def of(cls, rows: pd.DataFrame, rules: Rules) -> Pattern:
        """The pattern of sorted ``rows`` (``status``, ``value``, ``indicator``)."""
        return cls(rows["status"].astype(str).to_numpy(), rows["value"].isna().to_numpy(), rule_columns(rows, rules))


@dataclass(frozen=True)
class Shortfall:
    """Per cell, how far its interval falls short of its protection range (0 where protected).

    down : how much lower the interval must reach (to 0); up : how much higher (to ``min_count``);
    width : how much wider (a secondary cell: ``rounding_base - 1``).
    """

    down: np.ndarray
    up: np.ndarray
    width: np.ndarray

    @property
    def short(self) -> np.ndarray:
        """True where the cell misses its protection range."""
        return (self.down > 0) | (self.up > 0) | (self.width > 0)


def shortfall(status: np.ndarray, f_lo: np.ndarray, f_hi: np.ndarray, rc: RuleColumns, rules: Rules) -> Shortfall:
    """How far every cell's attacker interval ``[f_lo, f_hi]`` misses its protection range.

    ``status`` decides the range: a primary state must reach 0 (``contains_zero``) and
    ``min_count`` (``contains_threshold``); ``secundair`` must be ``rounding_base - 1`` wide
    (``secondary_as_rounded``); published cells need nothing.
    """
    primary = np.isin(status, PRIMARY)
    secondary = status == Status.secondary
    p = rules.protection
    down = np.where(primary & p.contains_zero, np.maximum(f_lo, 0.0), 0.0)
    up = np.where(primary & p.contains_threshold, np.maximum(rc.min_count - f_hi, 0.0), 0.0)
    width = np.where(secondary & p.secondary_as_rounded, np.maximum((rc.base - 1) - (f_hi - f_lo), 0.0), 0.0)
    return Shortfall(down, up, width)


def link_pairs(rows: pd.DataFrame, rules: Rules) -> np.ndarray:
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


def indicator_groups(names: np.ndarray, rules: Rules) -> dict[str, str]:
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


def block_ids(rows: pd.DataFrame, rules: Rules) -> np.ndarray:
    """Per row, the id of its LP block: one block per period and linked indicator group."""
    ind = rows["indicator"].astype(str).to_numpy()
    group = indicator_groups(np.unique(ind), rules)
    block_key = pd.Series(list(zip(rows["period"].to_numpy(), [group[n] for n in ind])))
    return pd.factorize(block_key)[0]


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


def _solve_ranges(
    a: sparse.csr_matrix, n_eq: int, n_ub: int, lo: np.ndarray, hi: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each local column in ``targets`` subject to ``a`` (first ``n_eq`` rows = 0, then
    ``n_ub`` rows ≤ 0) and bounds ``[lo, hi]``. Rounded inward to integers (counts are integers).

    Raises :class:`NonAdditiveTable` when no point satisfies the constraints.
    """
    m = a.shape[1]
    out_lo = np.empty(len(targets))
    out_hi = np.empty(len(targets))
    try:
        import highspy
    except ImportError:  # pragma: no cover - exercised where highspy is absent
        return _solve_ranges_scipy(a, n_eq, n_ub, lo, hi, targets)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf = highspy.kHighsInf
    csc = a.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = m
    lp.num_row_ = a.shape[0]
    lp.col_cost_ = np.zeros(m)
    lp.col_lower_ = lo.astype(float)
    lp.col_upper_ = np.where(np.isinf(hi), inf, hi).astype(float)
    lp.row_lower_ = np.r_[np.zeros(n_eq), np.full(n_ub, -inf)]
    lp.row_upper_ = np.zeros(n_eq + n_ub)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(float)
    h.passModel(lp)
    status = highspy.HighsModelStatus
    definite = (status.kOptimal, status.kUnbounded, status.kUnboundedOrInfeasible, status.kInfeasible)
    for i, j in enumerate(targets.tolist()):
        h.changeColCost(int(j), 1.0)
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
            if st == status.kInfeasible:
                raise NonAdditiveTable("published figures admit no counts consistent with the sums")
            if sense == highspy.ObjSense.kMinimize:
                out_lo[i] = np.ceil(h.getInfo().objective_function_value - 1e-7)
            elif st in (status.kUnbounded, status.kUnboundedOrInfeasible):
                out_hi[i] = np.inf
            else:
                out_hi[i] = np.floor(h.getInfo().objective_function_value + 1e-7)
        h.changeColCost(int(j), 0.0)
    return out_lo, out_hi


def _solve_ranges_scipy(
    a: sparse.csr_matrix, n_eq: int, n_ub: int, lo: np.ndarray, hi: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_solve_ranges` with ``scipy.optimize.linprog`` (HiGHS inside scipy), one LP per bound."""
    m = a.shape[1]
    out_lo = np.empty(len(targets))
    out_hi = np.empty(len(targets))
    a_eq = a[:n_eq] if n_eq else None
    a_ub = a[n_eq:] if n_ub else None
    bounds = [(lo[i], None if np.isinf(hi[i]) else hi[i]) for i in range(m)]
    kw = {"A_eq": a_eq, "b_eq": np.zeros(n_eq) if n_eq else None, "A_ub": a_ub,
          "b_ub": np.zeros(n_ub) if n_ub else None, "bounds": bounds, "method": "highs"}
    for i, j in enumerate(targets.tolist()):
        c = np.zeros(m)
        c[j] = 1.0
        low = linprog(c, **kw)
        if low.status == 2:
            raise NonAdditiveTable("published figures admit no counts consistent with the sums")
        high = linprog(-c, **kw)
        out_lo[i] = np.ceil(low.fun - 1e-7)
        out_hi[i] = np.inf if high.status == 3 else np.floor(-high.fun + 1e-7)
    return out_lo, out_hi


def lp_intervals(
    forest: Forest, lo: np.ndarray, hi: np.ndarray, pairs: np.ndarray, block: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of every target node by LP, one LP system per block id (other nodes: ``lo``/``hi``)."""
    f_lo = lo.copy()
    f_hi = hi.copy()
    for b in np.unique(block[targets]):
        nodes = np.nonzero(block == b)[0]
        local = -np.ones(forest.n, dtype=np.int64)
        local[nodes] = np.arange(len(nodes))
        a, n_eq, n_ub = _block_lp(forest, nodes, pairs)
        mine = targets[block[targets] == b]
        f_lo[mine], f_hi[mine] = _solve_ranges(a, n_eq, n_ub, lo[nodes], hi[nodes], local[mine])
    return f_lo, f_hi


@dataclass(frozen=True)
class Attack:
    """What the attacker derives, per sorted node of the forest.

    f_lo, f_hi : the attacker's interval of every node (``f_hi`` = ∞ when unbounded).
    tree : the tree-only intervals (sum constraints without ``part_of`` links) with their
        subtree/outside parts, which secondary suppression uses to choose partners.
    """

    f_lo: np.ndarray
    f_hi: np.ndarray
    tree: Intervals


def attack(
    forest: Forest,
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    pairs: np.ndarray,
    block: np.ndarray | None,
    targets: np.ndarray,
    lp_everywhere: bool = False,
) -> Attack:
    """The attacker's interval of every node from per-node boxes ``[lo, hi]`` and the sums.

    Exact tree propagation everywhere; then LPs for the ``targets`` (sorted positions) that sit in a
    block with a ``part_of`` link, or for all targets when ``lp_everywhere``. ``block`` gives each
    node's LP block (see :func:`block_ids`); None when no LP is needed.
    """
    iv = tree_intervals(forest, lo, hi)
    f_lo, f_hi = iv.f_lo, iv.f_hi
    if block is not None and len(targets):
        if not lp_everywhere:
            linked = np.isin(block, np.unique(block[pairs.ravel()])) if len(pairs) else np.zeros(forest.n, bool)
            targets = targets[linked[targets]]
        if len(targets):
            lp_lo, lp_hi = lp_intervals(forest, lo, hi, pairs, block, targets)
            f_lo, f_hi = f_lo.copy(), f_hi.copy()
            f_lo[targets], f_hi[targets] = lp_lo[targets], lp_hi[targets]
    return Attack(f_lo, f_hi, iv)
