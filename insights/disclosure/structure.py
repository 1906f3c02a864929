"""The linear structure an attacker knows: every table as a forest of sum constraints.

A *node* is one cell (code, period, indicator). Its parent node is the cell of the parent area
in the same period and indicator; a parent's count is the sum of its children's counts. All
periods and indicators of a release sit in one forest, so one vectorised pass treats them all.

:func:`tree_intervals` computes, for every node, the exact set of values an attacker can derive
from per-cell boxes (rounding intervals of published values, ``[0, ∞)`` for hidden ones) and
the sum constraints. On a tree of sum constraints this projection is exact by two passes of
interval propagation (upward: what the subtree allows; downward: what the rest of the table
allows), and because all bounds are integers every integer in the interval is attainable:
the intervals equal those of an integer program, so they are never wider than an LP attack.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from insights.errors import HelpendeDataError

__all__ = ["Forest", "NonAdditiveTable", "build_forest", "tree_intervals", "Intervals"]

KEY = ["code", "period", "indicator"]


class NonAdditiveTable(HelpendeDataError):
    """The cells do not form consistent sum constraints (duplicate keys, cycles, or published
    values no count can satisfy)."""


@dataclass(frozen=True)
class Forest:
    """Parent pointers over the rows of a frame sorted by (period, indicator, code).

    order : positions of the original rows in sorted order (``frame.iloc[order]`` is sorted).
    parent : for each sorted row, the sorted position of its parent cell, −1 for roots.
    depth : 0 for roots.
    child_ptr, child_idx : CSR lists of children (sorted positions, in sorted order).
    """

    order: np.ndarray
    parent: np.ndarray
    depth: np.ndarray
    child_ptr: np.ndarray
    child_idx: np.ndarray

    @property
    def n(self) -> int:
        return len(self.parent)

    def children(self, i: int) -> np.ndarray:
        return self.child_idx[self.child_ptr[i] : self.child_ptr[i + 1]]

    def has_children(self) -> np.ndarray:
        return np.diff(self.child_ptr) > 0


def build_forest(frame: pd.DataFrame, parent_of: pd.Series) -> Forest:
    """Link every cell to the cell of its parent area in the same period and indicator.

    Parameters
    ----------
    frame : rows with ``code`` (str), ``period`` (int) and ``indicator`` (str), unique on those three.
    parent_of : area code → parent area code (NA for the top). A parent area with no row in the
        same period and indicator leaves the child a root.

    Raises
    ------
    NonAdditiveTable : duplicate (code, period, indicator) rows or a cycle in ``parent_of``.
    """
    code = frame["code"].astype(str).to_numpy(dtype=object)
    parent_code = parent_of[~parent_of.index.duplicated()].reindex(code).to_numpy(dtype=object)
    parent_code = np.where(pd.isna(parent_code), "\x00", parent_code).astype(object)
    ids, uniques = pd.factorize(np.concatenate([code, parent_code]))
    code_id, parent_id = ids[: len(code)], ids[len(code):]
    period_id, periods = pd.factorize(frame["period"].to_numpy())
    ind_id, inds = pd.factorize(frame["indicator"].astype(str).to_numpy(dtype=object))
    # sort by (period, indicator, code) by value, not by first appearance
    p_rank = np.argsort(np.argsort(np.asarray(periods)))[period_id] if len(periods) else period_id
    i_rank = np.argsort(np.argsort(np.asarray(inds, dtype=str)))[ind_id] if len(inds) else ind_id
    order = np.lexsort((code, i_rank, p_rank))
    width = max(len(uniques), 1)
    key = (p_rank.astype(np.int64) * max(len(inds), 1) + i_rank) * width
    own = (key + code_id)[order]
    look = (key + parent_id)[order]
    if len(own) != len(np.unique(own)):
        vals, counts = np.unique(own, return_counts=True)
        first = np.nonzero(np.isin(own, vals[counts > 1]))[0][0]
        row = frame.iloc[order[first]]
        raise NonAdditiveTable(f"cell {row['code']}/{row['period']}/{row['indicator']} appears more than once")
    sorter = np.argsort(own, kind="stable")
    pos = np.searchsorted(own, look, sorter=sorter)
    pos = np.minimum(pos, len(own) - 1)
    found = sorter[pos] if len(own) else pos
    parent = (
        np.where((len(own) > 0) & (own[found] == look), found, -1).astype(np.int64)
        if len(own)
        else np.zeros(0, np.int64)
    )
    n = len(parent)
    depth = np.zeros(n, dtype=np.int64)
    for _ in range(64):
        new = np.where(parent >= 0, depth[np.maximum(parent, 0)] + 1, 0)
        if np.array_equal(new, depth):
            break
        depth = new
    else:
        raise NonAdditiveTable("parent_of contains a cycle")
    has_parent = parent >= 0
    kids = np.nonzero(has_parent)[0]
    kids = kids[np.argsort(parent[kids], kind="stable")]
    counts = np.bincount(parent[kids], minlength=n) if n else np.zeros(0, dtype=np.int64)
    child_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return Forest(order=order, parent=parent, depth=depth, child_ptr=child_ptr, child_idx=kids)


@dataclass(frozen=True)
class Intervals:
    """Per sorted node: ``s_*`` what its subtree allows (box ∩ sum of children), ``d_*`` what the
    rest of its table allows (parent minus siblings), ``f_*`` = s ∩ d, the attacker's interval.
    ``sum_*`` the Minkowski sum of the children's ``s`` (NaN-free; ``sum_hi`` may be ∞)."""

    s_lo: np.ndarray
    s_hi: np.ndarray
    d_lo: np.ndarray
    d_hi: np.ndarray
    f_lo: np.ndarray
    f_hi: np.ndarray
    sum_lo: np.ndarray
    sum_hi: np.ndarray


def _sum_excluding(total_fin: np.ndarray, total_inf: np.ndarray, own: np.ndarray) -> np.ndarray:
    own_inf = np.isinf(own)
    rest_inf = total_inf - own_inf.astype(np.int64)
    return np.where(rest_inf > 0, np.inf, total_fin - np.where(own_inf, 0.0, own))


def tree_intervals(forest: Forest, box_lo: np.ndarray, box_hi: np.ndarray, *, check: bool = True) -> Intervals:
    """Exact attacker intervals for every node of ``forest`` given per-node boxes.

    ``box_lo``/``box_hi`` are floats in sorted order (``box_hi`` may be ``inf``). Raises
    :class:`NonAdditiveTable` when some node's interval is empty (the boxes are inconsistent).
    """
    n = forest.n
    parent = forest.parent
    depth = forest.depth
    has_children = forest.has_children()
    s_lo = box_lo.astype(float).copy()
    s_hi = box_hi.astype(float).copy()
    sum_lo = np.zeros(n)
    sum_hi_fin = np.zeros(n)
    sum_hi_inf = np.zeros(n, dtype=np.int64)
    max_depth = int(depth.max()) if n else 0
    by_depth = [np.nonzero(depth == d)[0] for d in range(max_depth + 1)]
    for d in range(max_depth, 0, -1):
        idx = by_depth[d]
        p = parent[idx]
        sum_lo += np.bincount(p, weights=s_lo[idx], minlength=n)
        hi = s_hi[idx]
        fin = np.isfinite(hi)
        sum_hi_fin += np.bincount(p, weights=np.where(fin, hi, 0.0), minlength=n)
        sum_hi_inf += np.bincount(p, weights=(~fin).astype(float), minlength=n).astype(np.int64)
        up = by_depth[d - 1]
        up = up[has_children[up]]
        s_lo[up] = np.maximum(s_lo[up], sum_lo[up])
        s_hi[up] = np.minimum(s_hi[up], np.where(sum_hi_inf[up] > 0, np.inf, sum_hi_fin[up]))
    sum_hi = np.where(sum_hi_inf > 0, np.inf, sum_hi_fin)
    d_lo = np.full(n, -np.inf)
    d_hi = np.full(n, np.inf)
    f_lo = s_lo.copy()
    f_hi = s_hi.copy()
    for d in range(1, max_depth + 1):
        idx = by_depth[d]
        p = parent[idx]
        others_hi = _sum_excluding(sum_hi_fin[p], sum_hi_inf[p], s_hi[idx])
        others_lo = sum_lo[p] - s_lo[idx]
        with np.errstate(invalid="ignore"):
            d_lo[idx] = f_lo[p] - others_hi
        d_hi[idx] = f_hi[p] - others_lo
        f_lo[idx] = np.maximum(s_lo[idx], d_lo[idx])
        f_hi[idx] = np.minimum(s_hi[idx], d_hi[idx])
    if check and n and np.any(f_lo > f_hi + 1e-9):
        raise NonAdditiveTable(
            f"{int(np.sum(f_lo > f_hi + 1e-9))} cell(s) have no value consistent with the published "
            "figures and the sums: parent counts must equal the sum of their children's counts"
        )
    return Intervals(s_lo, s_hi, d_lo, d_hi, f_lo, f_hi, sum_lo, sum_hi)
