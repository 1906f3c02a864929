"""The attacker model: what an attacker knows about every cell, and the intervals that follows.

The attacker knows
- every published value ``v`` as the interval ``[max(v - rounding_base//2, min_count), v + (rounding_base-1)//2]``
  (rounded to the nearest multiple; a published count is never below ``min_count``), read with the
  ``min_count`` and ``rounding_base`` of that cell (the cell's own columns where present, else the rules);
- that every hidden count is ≥ 0 (not *why* it is hidden: publish only "hidden", never the reason);
- that every parent count is the sum of its children's counts, in every period and indicator;
- that an indicator with ``part_of`` never exceeds the indicator it is part of, per area and period;
- the values every earlier release published, each read with its own rules, and which cells a
  new release revises (the public ``herzien`` marker): see :func:`knowledge`.

Without ``part_of`` links the tables are trees of sum constraints and the intervals are exact by
:func:`insights.disclosure.structure.tree_intervals`; linked blocks are solved by linear programming
with HiGHS (``highspy`` when installed, else ``scipy.optimize.linprog``), two LPs per target cell.

Public, typed building blocks shared by :mod:`insights.disclosure.audit` and
:mod:`insights.disclosure.secondary`: :class:`RuleColumns`, :func:`rule_columns`, :func:`boxes`,
:class:`Shortfall`, :func:`shortfall`, :func:`link_pairs`,
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
    "Copy",
    "Hypothesis",
    "Knowledge",
    "Pattern",
    "RuleColumns",
    "Shortfall",
    "Version",
    "VersionView",
    "attack",
    "block_ids",
    "boxes",
    "copy_shortfalls",
    "indicator_groups",
    "inherited_protection",
    "knowledge",
    "link_pairs",
    "rule_columns",
    "shortfall",
    "view",
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
class Version:
    """One earlier release as the attacker sees it.

    name : the release id (named in reports and error messages).
    cells : its published cells: ``code``, ``period``, ``indicator``, ``value`` (Int64, NA = hidden);
        optional ``min_count`` and ``rounding_base`` per cell (else from ``rules``) and ``status``.
    rules : the rules that release was protected with (its ``regels.toml``).
    """

    name: str
    cells: pd.DataFrame
    rules: Rules


@dataclass(frozen=True)
class VersionView:
    """A :class:`Version` aligned to some rows.

    present : the release has the cell; value : its published value (NaN = hidden or absent);
    rules : the cell's ``min_count`` / ``rounding_base`` there; primary : hidden there by a rule or
    for a reason the public cannot tell (protected with the full range, not just as rounded).
    lo, hi : the interval its value allows (``[0, ∞)`` where hidden or absent).
    """

    name: str
    present: np.ndarray
    value: np.ndarray
    rules: RuleColumns
    primary: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    @property
    def published(self) -> np.ndarray:
        return self.present & ~np.isnan(self.value)


def view(rows: pd.DataFrame, version: Version) -> VersionView:
    """``version``'s knowledge per row of ``rows`` (``code``, ``period``, ``indicator``)."""
    cells = version.cells.set_index(KEY)
    key = pd.MultiIndex.from_frame(rows[KEY])
    present = np.asarray(key.isin(cells.index))
    value = cells["value"].astype("Float64").reindex(key).to_numpy(dtype=float, na_value=np.nan)
    probe = rows[KEY].copy()
    for column in ("min_count", "rounding_base"):
        if column in cells.columns:
            probe[column] = cells[column].astype("Float64").reindex(key).to_numpy(dtype=float, na_value=np.nan)
    rc = rule_columns(probe, version.rules)
    if "status" in cells.columns:
        status = cells["status"].astype(str).reindex(key).to_numpy(dtype=object)
        primary = np.isin(status, [*PRIMARY, Status.protected]) | pd.isna(status)
    else:
        primary = np.ones(len(rows), dtype=bool)
    lo, hi = boxes(value, rc)
    return VersionView(version.name, present, value, rc, primary & present & np.isnan(value), lo, hi)


@dataclass(frozen=True)
class Copy:
    """An earlier version's own variables for cells whose count may differ from today's.

    version : index of the version in :attr:`Knowledge.views`; nodes : sorted positions of those
    cells; lo, hi : their intervals in that version.
    """

    version: int
    nodes: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True)
class Hypothesis:
    """One way the attacker may explain the revisions in one LP block: which cells of which
    earlier version changed (own variables, ``copies``) and, for the block's nodes, the intervals
    of today's counts after intersecting the earlier values of the cells that did not."""

    nodes: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    copies: tuple[Copy, ...]


@dataclass(frozen=True)
class Knowledge:
    """Everything the attacker knows, on the sorted nodes of a forest.

    lo, hi : the interval of each node's current count (published value ∩ unrevised earlier values,
        under the first hypothesis where revisions leave a choice).
    pairs : ``part_of`` links; block : LP block per node (None when no LP is needed).
    views : the earlier versions; hypotheses : per LP block with revisions, every explanation the
        attacker may hold (see :func:`knowledge`); each is attacked, and the narrowest bound counts.
    """

    lo: np.ndarray
    hi: np.ndarray
    pairs: np.ndarray
    block: np.ndarray | None
    views: tuple[VersionView, ...] = ()
    hypotheses: dict[int, tuple[Hypothesis, ...]] | None = None


def _family(forest: Forest, seeds: np.ndarray, *, up: bool, down: bool) -> np.ndarray:
    """``seeds`` with their ancestors (``up``) and/or descendants (``down``), as a bool mask."""
    mask = np.zeros(forest.n, dtype=bool)
    mask[seeds] = True
    if up:
        cur = seeds
        while len(cur):
            cur = forest.parent[cur]
            cur = cur[cur >= 0]
            cur = cur[~mask[cur]]
            mask[cur] = True
    if down:
        stack = list(seeds.tolist())
        while stack:
            kids = forest.children(stack.pop())
            new = kids[~mask[kids]]
            mask[new] = True
            stack.extend(new.tolist())
    return mask


def _intersect(lo: np.ndarray, hi: np.ndarray, v: VersionView, mask: np.ndarray) -> None:
    lo[mask], hi[mask] = np.maximum(lo[mask], v.lo[mask]), np.minimum(hi[mask], v.hi[mask])


def knowledge(
    forest: Forest,
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    pairs: np.ndarray,
    block: np.ndarray | None,
    views: tuple[VersionView, ...],
    revised: np.ndarray,
    truth: np.ndarray | None = None,
) -> Knowledge:
    """What the attacker knows from the new release's boxes ``[lo, hi]`` and earlier versions.

    ``truth`` (the build's raw counts per sorted node, NaN = unknown): when given, a hypothesis the
    true counts contradict is dropped — an attacker holding it believes something false (its
    intervals need not contain the true count), which discloses nothing. Without it (a public
    audit), every hypothesis the published figures allow is attacked.

    The attacker reads which cells are revised (``revised``, the public ``herzien`` marker). A cell
    an earlier version published and that is not revised has the same count then and now: its
    interval is intersected with that version's. Where a version has revised cells in a block
    (period × indicator group), the attacker may explain them in several ways, each a
    :class:`Hypothesis` that gives the version its own variables for the cells that changed:

    - only the revised cells and the totals above them changed (a correction changes every total
      above it), if the versions can then agree;
    - that, plus any *one* cell below a revised cell (the attacker who knows which cell was
      corrected), for every such cell with which the versions can agree;
    - if none of these can agree, everything below the revised cells, and failing that the
      version's whole table.

    Sum constraints hold within every version.
    """
    lo, hi = lo.copy(), hi.copy()
    changed_by = [v.published & revised for v in views]
    touched: set[int] = set()
    for v, changed in zip(views, changed_by):
        quiet = v.published & ~changed
        if changed.any():
            assert block is not None
            blocks = np.unique(block[changed])
            touched |= set(blocks.tolist())
            quiet &= ~np.isin(block, blocks)
        _intersect(lo, hi, v, quiet)
    if not touched:
        return Knowledge(lo, hi, pairs, block, views)
    assert block is not None
    hypotheses: dict[int, tuple[Hypothesis, ...]] = {}
    for b in sorted(touched):
        nodes = np.nonzero(block == b)[0]
        in_block = block == b
        found: list[Hypothesis] = []
        chains: list[np.ndarray] = []
        finer: list[tuple[int, list[np.ndarray], np.ndarray]] = []
        for k, changed in enumerate(changed_by):
            seeds = np.nonzero(changed & in_block)[0]
            if not len(seeds):
                chains.append(np.zeros(forest.n, dtype=bool))
                continue
            chain = _family(forest, seeds, up=True, down=False)
            below = _family(forest, seeds, up=False, down=True) & ~chain
            chains.append(chain)
            singles = [chain | _family(forest, np.array([h]), up=True, down=False) for h in np.nonzero(below)[0]]
            finer.append((k, [chain, *singles], chain | below))
        for k, candidates, subtree in finer:
            mine: list[Hypothesis] = []
            for sep in candidates:
                hyp = _hypothesis(nodes, lo, hi, views, changed_by, [*chains[:k], sep, *chains[k + 1:]])
                if _feasible(forest, nodes, pairs, hyp, truth):
                    mine.append(hyp)
            if not mine:
                hyp = _hypothesis(nodes, lo, hi, views, changed_by, [*chains[:k], subtree, *chains[k + 1:]])
                if _feasible(forest, nodes, pairs, hyp, truth):
                    mine.append(hyp)
            found.extend(mine)
        if not found:  # every version its own table in this block
            found.append(_hypothesis(nodes, lo, hi, views, changed_by, [in_block] * len(views)))
        hypotheses[b] = tuple(found)
        first = found[0]
        lo[nodes], hi[nodes] = first.lo, first.hi
    return Knowledge(lo, hi, pairs, block, views, hypotheses)


def _hypothesis(
    nodes: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    views: tuple[VersionView, ...],
    changed_by: list[np.ndarray],
    separate: list[np.ndarray],
) -> Hypothesis:
    """The block's intervals and copies when version ``k``'s cells ``separate[k]`` changed."""
    h_lo, h_hi = lo.copy(), hi.copy()
    copies = []
    for k, (v, _changed, sep) in enumerate(zip(views, changed_by, separate)):
        if not sep[nodes].any():
            continue
        quiet = np.zeros(len(lo), dtype=bool)
        quiet[nodes] = v.published[nodes] & ~sep[nodes]
        _intersect(h_lo, h_hi, v, quiet)
        own = nodes[sep[nodes]]
        copies.append(Copy(k, own, v.lo[own], v.hi[own]))
    return Hypothesis(nodes, h_lo[nodes], h_hi[nodes], tuple(copies))


def _system(
    forest: Forest, nodes: np.ndarray, pairs: np.ndarray, lo: np.ndarray, hi: np.ndarray, copies: tuple[Copy, ...]
) -> tuple[sparse.csr_matrix, int, int, np.ndarray, np.ndarray, list[np.ndarray]]:
    """The LP of one block (``lo``/``hi`` per node of ``nodes``) with the copies' variables appended:
    (matrix, n_eq, n_ub, col_lo, col_hi, per copy the local column of each of its nodes)."""
    a, n_eq, n_ub = _block_lp(forest, nodes, pairs)
    local = -np.ones(forest.n, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    col_lo, col_hi = [lo], [hi]
    offset = len(nodes)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    r = 0
    where: list[np.ndarray] = []
    for cp in copies:
        at = offset + np.arange(len(cp.nodes))
        where.append(at)
        col_lo.append(cp.lo)
        col_hi.append(cp.hi)
        offset += len(cp.nodes)
        col_of = dict(zip(cp.nodes.tolist(), at.tolist()))
        par = {int(forest.parent[x]) for x in col_of if forest.parent[x] >= 0 and local[forest.parent[x]] >= 0}
        par |= {x for x in col_of if len(forest.children(x))}
        for p in sorted(par):
            rows.append(r)
            cols.append(col_of.get(p, int(local[p])))
            vals.append(1.0)
            for c in forest.children(p).tolist():
                if local[c] >= 0:
                    rows.append(r)
                    cols.append(col_of.get(c, int(local[c])))
                    vals.append(-1.0)
            r += 1
    m = offset
    a = sparse.hstack([a, sparse.csr_matrix((a.shape[0], m - len(nodes)))]).tocsr()
    extra = sparse.csr_matrix((vals, (rows, cols)), shape=(r, m))
    full = sparse.vstack([a[:n_eq], extra, a[n_eq:]]).tocsr()
    return full, n_eq + r, n_ub, np.concatenate(col_lo), np.concatenate(col_hi), where


def _feasible(
    forest: Forest, nodes: np.ndarray, pairs: np.ndarray, hyp: Hypothesis, truth: np.ndarray | None = None
) -> bool:
    """Whether some counts satisfy the block's constraints under ``hyp`` (an LP with no objective),
    with today's counts fixed to ``truth`` where it is given and known."""
    lo, hi = hyp.lo, hyp.hi
    if truth is not None:
        known = ~np.isnan(truth[nodes])
        lo, hi = np.where(known, truth[nodes], lo), np.where(known, truth[nodes], hi)
    a, n_eq, n_ub, c_lo, c_hi, _ = _system(forest, nodes, pairs, lo, hi, hyp.copies)
    if np.any(c_lo > c_hi):
        return False
    res = linprog(
        np.zeros(a.shape[1]), A_eq=a[:n_eq] if n_eq else None, b_eq=np.zeros(n_eq) if n_eq else None,
        A_ub=a[n_eq:] if n_ub else None, b_ub=np.zeros(n_ub) if n_ub else None,
        bounds=list(zip(c_lo, [None if np.isinf(h) else h for h in c_hi])), method="highs",
    )
    return bool(res.status == 0)


@dataclass(frozen=True)
class Attack:
    """What the attacker derives, per sorted node of the forest.

    f_lo, f_hi : the attacker's interval of every node (``f_hi`` = ∞ when unbounded); under
        several hypotheses, the narrowest bounds any of them gives.
    tree : the tree-only intervals (sum constraints of the first hypothesis, without ``part_of``
        links or earlier versions' own variables) with their subtree/outside parts, which secondary
        suppression uses to choose partners.
    earlier_lo, earlier_hi : per earlier version, the interval of each node's count *then* where
        the attacker gives it its own variable (NaN elsewhere).
    """

    f_lo: np.ndarray
    f_hi: np.ndarray
    tree: Intervals
    earlier_lo: tuple[np.ndarray, ...] = ()
    earlier_hi: tuple[np.ndarray, ...] = ()


def attack(
    forest: Forest,
    known: Knowledge,
    *,
    targets: np.ndarray,
    lp_everywhere: bool = False,
) -> Attack:
    """The attacker's interval of every node from :class:`Knowledge`.

    Exact tree propagation everywhere; then LPs for the ``targets`` (sorted positions) that sit in a
    block with a ``part_of`` link or with revisions, or for all targets when ``lp_everywhere``; and
    for every earlier version's own variables that were hidden there. A block with several
    hypotheses is attacked under each; the narrowest bound counts.
    """
    lo, hi, pairs, block = known.lo, known.hi, known.pairs, known.block
    iv = tree_intervals(forest, lo, hi)
    f_lo, f_hi = iv.f_lo, iv.f_hi
    e_lo = tuple(np.full(forest.n, np.nan) for _ in known.views)
    e_hi = tuple(np.full(forest.n, np.nan) for _ in known.views)
    if block is None:
        return Attack(f_lo, f_hi, iv, e_lo, e_hi)
    hypotheses = known.hypotheses or {}
    lp_blocks = np.zeros(int(block.max()) + 1 if len(block) else 0, dtype=bool)
    if len(pairs):
        lp_blocks[np.unique(block[pairs.ravel()])] = True
    lp_blocks[list(hypotheses)] = True
    if lp_everywhere:
        lp_blocks[:] = True
    targets = targets[lp_blocks[block[targets]]] if len(targets) else targets
    blocks = set(np.unique(block[targets]).tolist()) | set(hypotheses)
    if not blocks:
        return Attack(f_lo, f_hi, iv, e_lo, e_hi)
    f_lo, f_hi = f_lo.copy(), f_hi.copy()
    for b in sorted(blocks):
        nodes = np.nonzero(block == b)[0]
        local = -np.ones(forest.n, dtype=np.int64)
        local[nodes] = np.arange(len(nodes))
        mine = targets[block[targets] == b]
        worlds = hypotheses.get(b) or (Hypothesis(nodes, lo[nodes], hi[nodes], ()),)
        b_lo, b_hi = np.full(len(mine), -np.inf), np.full(len(mine), np.inf)
        for hyp in worlds:
            a, n_eq, n_ub, c_lo, c_hi, where = _system(forest, nodes, pairs, hyp.lo, hyp.hi, hyp.copies)
            cols = [local[mine]]
            for cp, at in zip(hyp.copies, where):
                cols.append(at[~known.views[cp.version].published[cp.nodes]])
            got_lo, got_hi = _solve_ranges(a, n_eq, n_ub, c_lo, c_hi, np.concatenate(cols))
            b_lo, b_hi = np.maximum(b_lo, got_lo[: len(mine)]), np.minimum(b_hi, got_hi[: len(mine)])
            start = len(mine)
            for cp in hyp.copies:
                sel = cp.nodes[~known.views[cp.version].published[cp.nodes]]
                k = len(sel)
                old_lo, old_hi = e_lo[cp.version], e_hi[cp.version]
                old_lo[sel] = np.fmax(old_lo[sel], got_lo[start:start + k])
                old_hi[sel] = np.fmin(old_hi[sel], got_hi[start:start + k])
                start += k
        f_lo[mine], f_hi[mine] = b_lo, b_hi
    return Attack(f_lo, f_hi, iv, e_lo, e_hi)


def copy_shortfalls(known: Knowledge, found: Attack, rules: Rules) -> list[Shortfall]:
    """Per earlier version, how far each node's count *then* (where it has its own variable and was
    hidden there) misses that version's protection range; zero elsewhere."""
    out = []
    for v, lo, hi in zip(known.views, found.earlier_lo, found.earlier_hi):
        mine = ~np.isnan(lo) & v.present & ~v.published
        status = np.where(~mine, Status.published, np.where(v.primary, Status.below_threshold, Status.secondary))
        out.append(shortfall(status, np.nan_to_num(lo, nan=0.0), np.where(np.isnan(hi), np.inf, hi), v.rules, rules))
    return out


def inherited_protection(
    status: np.ndarray, hidden: np.ndarray, rc: RuleColumns, views: tuple[VersionView, ...]
) -> tuple[np.ndarray, RuleColumns]:
    """The protection each hidden node owes: a cell an earlier release hid keeps the range that
    release promised (a rule's full range up to its ``min_count``, or as rounded for a partner);
    the newest such release counts. Other cells owe what ``status`` and ``rc`` say.

    Returns the status to check and the rules to check it with.
    """
    status = status.copy()
    mc, base = rc.min_count.copy(), rc.base.copy()
    for v in views:
        owed = hidden & v.present & ~v.published
        status[owed] = np.where(v.primary[owed], Status.below_threshold, Status.secondary)
        mc[owed], base[owed] = v.rules.min_count[owed], v.rules.base[owed]
    return status, RuleColumns(mc, base, np.floor(base / 2), np.floor((base - 1) / 2))
