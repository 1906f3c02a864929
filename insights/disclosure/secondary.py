"""Secondary suppression over the linked structure: every level, indicator and period at once.

Method: protect-audit-repair. All tables of a release (every period × indicator, every level
from Nederland down to wijk or buurt) are one forest of sum constraints. Each round computes
the exact attacker interval of every cell (:func:`insights.disclosure.structure.tree_intervals`,
plus LP over ``part_of`` links), finds the hidden cells whose interval misses their protection
range, and for each hides the one published cell that widens it most cheaply:

- if the interval is pinned from *outside* (parent minus siblings), a published sibling, or a
  published child of an already hidden sibling (which frees that sibling);
- if it is pinned from *inside* (sum of its children), a published child, or a published
  grandchild under a hidden child;
- the candidate must close the whole shortfall where any can; among those the smallest count
  wins (least information lost), ties broken on code. Otherwise the one closing most of it.

At most one repair per parent group per round, so one partner serves all lone cells of a group.
Rounds repeat until the audit is clean. Everything is ordered by (period, indicator, code), so the
same input and rules give a byte-identical pattern.

Cells hidden in a previous release of the same period stay hidden (``previous``), and the values
it published count as known to the attacker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.disclosure.audit import (
    _boxes,
    _indicator_groups,
    _link_pairs,
    _lp_intervals,
    _previous_values,
    _rule_columns,
    protection_violations,
)
from insights.disclosure.primary import Status
from insights.disclosure.rules import Rules
from insights.disclosure.structure import KEY, build_forest, tree_intervals

__all__ = ["secondary_suppression"]

PREVIOUSLY_HIDDEN = "verborgen in eerdere release van deze periode"


def secondary_suppression(
    primary: pd.DataFrame,
    parent_of: pd.Series,
    rules: Rules,
    *,
    previous: pd.DataFrame | None = None,
    max_rounds: int = 10_000,
) -> pd.DataFrame:
    """Hide as few extra cells as needed so that every hidden cell keeps its protection range.

    Parameters
    ----------
    primary : output of :func:`insights.disclosure.primary.primary_suppression` for every level,
        period and indicator of the release (``code``, ``period``, ``indicator``, ``count``,
        ``value``, ``status``, ``reason``).
    parent_of : area code → parent code (NA for the top).
    rules : the rules in force (protection range, rounding, ``part_of`` links).
    previous : an earlier published release (``code``, ``period``, ``indicator``, ``value``);
        its hidden cells stay hidden and its published values count as known.
    max_rounds : safety stop; the method normally ends in a few dozen rounds.

    Returns
    -------
    ``primary`` (same row order) with more cells ``status == "secundair"``, ``value`` NA, a
    ``reason`` naming the protected cell, and ``protects`` (code of that cell, NA otherwise).
    """
    return _secondary(primary, parent_of, rules, previous=previous, max_rounds=max_rounds)[0]


def _secondary(primary, parent_of, rules, *, previous=None, max_rounds=10_000):
    """:func:`secondary_suppression` plus the forest, sorted rows and final attacker intervals."""
    forest = build_forest(primary, parent_of)
    rows = primary.iloc[forest.order]
    n = forest.n
    status = rows["status"].astype(str).to_numpy(dtype=object).copy()
    reason = rows["reason"].astype(str).to_numpy(dtype=object).copy()
    protects = np.full(n, None, dtype=object)
    codes = rows["code"].astype(str).to_numpy()
    count = rows["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if previous is not None and len(previous):
        prev = previous.set_index(KEY)["value"]
        key = pd.MultiIndex.from_frame(rows[KEY])
        known = key.isin(prev.index)
        prev_hidden = known & prev.reindex(key).isna().to_numpy()
        force = prev_hidden & (status == Status.published)
        status[force] = Status.secondary
        reason[force] = PREVIOUSLY_HIDDEN

    mc, base, below, above = _rule_columns(rows, rules)
    prev_value = _previous_values(rows, previous)
    value0 = rows["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    pub_lo, pub_hi = _boxes(value0, prev_value, mc, below, above)
    hid_lo, hid_hi = _boxes(np.full(n, np.nan), prev_value, mc, below, above)
    pairs = _link_pairs(rows, rules)
    block = None
    if len(pairs):
        group = _indicator_groups(rows["indicator"].astype(str).unique(), rules)
        block_key = pd.Series(list(zip(rows["period"].to_numpy(), rows["indicator"].astype(str).map(group))))
        block = pd.factorize(block_key)[0]
        linked = np.isin(block, np.unique(block[pairs.ravel()]))
    parts_of: dict[int, list[int]] = {}
    wholes_of: dict[int, list[int]] = {}
    for part, whole in pairs.tolist():
        parts_of.setdefault(whole, []).append(part)
        wholes_of.setdefault(part, []).append(whole)
    ind_name = rows["indicator"].astype(str).to_numpy()

    # A cell a previous release already published cannot be protected by hiding more now: skip it
    # (the audit reports it to the steward) instead of hiding the table around it.
    own_down, own_up, own_width = protection_violations(
        np.where(status == Status.published, Status.secondary, status), hid_lo, hid_hi, mc, base, rules
    )
    fixable = (own_down <= 0) & (own_up <= 0) & (own_width <= 0)

    parent = forest.parent
    has_children = forest.has_children()
    order_key = np.lexsort((np.arange(n), forest.depth))

    for _ in range(max_rounds + 1):
        hidden = status != Status.published
        lo = np.where(hidden, hid_lo, pub_lo)
        hi = np.where(hidden, hid_hi, pub_hi)
        iv = tree_intervals(forest, lo, hi)
        f_lo, f_hi = iv.f_lo, iv.f_hi
        if block is not None:
            targets = np.nonzero(hidden & linked)[0]
            if len(targets):
                lp_lo, lp_hi = _lp_intervals(forest, lo, hi, pairs, block, targets)
                f_lo, f_hi = f_lo.copy(), f_hi.copy()
                f_lo[targets], f_hi[targets] = lp_lo[targets], lp_hi[targets]
        need_down, need_up, need_width = protection_violations(status, f_lo, f_hi, mc, base, rules)
        short = ((need_down > 0) | (need_up > 0) | (need_width > 0)) & fixable
        if not short.any() or _ == max_rounds:
            break
        # s_new: a node's subtree interval if it were hidden (its own box dropped).
        sum_hi = iv.sum_hi
        s_new_lo = np.where(has_children, np.maximum(hid_lo, iv.sum_lo), hid_lo)
        s_new_hi = np.where(has_children, np.minimum(hid_hi, sum_hi), hid_hi)
        with np.errstate(invalid="ignore"):
            gain_lo = np.nan_to_num(iv.s_lo - s_new_lo, nan=0.0)  # how far the node could now go down
            gain_hi = np.nan_to_num(s_new_hi - iv.s_hi, nan=0.0, posinf=np.inf)  # how far up
        used: set[tuple[str, int]] = set()
        hid_this_round = False
        if block is not None:
            t_down, t_up, t_width = protection_violations(status, iv.f_lo, iv.f_hi, mc, base, rules)
        for x in order_key[short[order_key]]:
            nd, nu, nw = need_down[x], need_up[x], need_width[x]
            if nw > 0:
                nu = nw
            pick = None
            if block is not None and t_down[x] + t_up[x] + t_width[x] <= 0:
                # Only the part_of link narrows x: free the linked cell (its part when x's lower
                # bound is raised, its whole when x's upper bound is capped).
                linked_cells = (parts_of.get(int(x), []) if nd > 0 else []) + (
                    wholes_of.get(int(x), []) if (nu > 0 or nw > 0) else [])
                for y in linked_cells:
                    if ("L", y) in used:
                        continue
                    if status[y] == Status.published:
                        pick = (y, "L")
                    else:
                        side_y = _binding_side(y, nd, nu, iv, parent)
                        pick = _choose(y, side_y, nd, nu, nw, forest, status, count, gain_lo, gain_hi, used)
                    if pick is not None:
                        used.add(("L", y))
                        break
            if pick is None:
                side = _binding_side(x, nd, nu, iv, parent)
                pick = _choose(x, side, nd, nu, nw, forest, status, count, gain_lo, gain_hi, used)
            if pick is None:
                continue
            c, via = pick
            status[c] = Status.secondary
            protects[c] = codes[x]
            where = codes[parent[x]] if via == "D" and parent[x] >= 0 else None
            reason[c] = (
                f"beschermt {codes[x]} (verschil met {where})" if where else
                f"beschermt {codes[x]} {ind_name[x]} (koppeling met {ind_name[c]})" if via == "L" else
                f"beschermt {codes[x]} (som van de onderliggende gebieden)"
            )
            hid_this_round = True
        if not hid_this_round:
            break

    back = np.empty(n, dtype=np.int64)
    back[forest.order] = np.arange(n)
    hidden = status != Status.published
    value = pd.array(np.where(hidden, np.nan, value0), dtype="Float64").astype("Int64")
    out = primary.assign(status=status[back], reason=reason[back], value=value[back],
                         protects=pd.array(protects[back], dtype="object"))
    final = _Final(status=status, hidden=hidden, mc=mc, base=base)
    return out, forest, final, f_lo, f_hi


class _Final:
    """The final pattern in sorted order, for attaching audit columns without re-deriving it."""

    def __init__(self, status, hidden, mc, base):
        self.status, self.hidden, self.mc, self.base = status, hidden, mc, base


def _binding_side(x: int, nd: float, nu: float, iv, parent: np.ndarray) -> str:
    """'D' when the shortfall comes from parent-minus-siblings, 'S' when from the children's sum."""
    if parent[x] < 0:
        return "S"
    if nd > 0 and iv.d_lo[x] >= iv.s_lo[x]:
        return "D"
    if nu > 0 and iv.d_hi[x] <= iv.s_hi[x]:
        return "D"
    if nd > 0 or nu > 0:
        return "S"
    return "D"


def _choose(
    x: int, side: str, nd: float, nu: float, nw: float, forest, status, count, gain_lo, gain_hi, used
) -> tuple[int, str] | None:
    """The published cell to hide for ``x`` (and on which side), or None."""
    parent = forest.parent
    for s in (side, "S" if side == "D" else "D"):
        if s == "D":
            p = parent[x]
            if p < 0:
                continue
            group = ("D", int(p))
            direct = [c for c in forest.children(p) if c != x]
            # sibling going down lets x go up, and the reverse
            up, down = gain_lo, gain_hi
        else:
            group = ("S", int(x))
            direct = list(forest.children(x))
            up, down = gain_hi, gain_lo
        if not direct and s == "S":
            continue
        if group in used:
            return None
        # An only child equals its parent: with no sibling to free, the parent itself must go.
        cands = _frontier(direct, forest, status) if direct else []
        if not cands and s == "D":
            if status[parent[x]] == Status.published:
                cands = [int(parent[x])]
            else:  # parent hidden and nothing to free beside it: free the parent instead
                up_pick = _choose(int(parent[x]), "D", nd, nu, nw, forest, status, count, gain_lo, gain_hi, used)
                if up_pick is not None:
                    used.add(group)
                    return up_pick
        if not cands:
            continue
        best = None
        best_key = None
        for c in cands:
            gu, gd = up[c], down[c]
            meets = (gu + gd >= nw) if nw > 0 else (gu >= nu and gd >= nd)
            cover = min(gu + gd, nw) if nw > 0 else min(gu, nu) + min(gd, nd)
            key = (0 if meets else 1, 0.0 if meets else -cover, count[c], c)
            if best_key is None or key < best_key:
                best, best_key = c, key
        used.add(group)
        return int(best), s
    return None


def _frontier(nodes: list[int], forest, status) -> list[int]:
    """Published cells among ``nodes`` and, through hidden ones, their nearest published descendants:
    the cells whose hiding can widen the interval of a sum over ``nodes``."""
    out: list[int] = []
    stack = list(nodes)[::-1]
    while stack:
        c = int(stack.pop())
        if status[c] == Status.published:
            out.append(c)
        else:
            stack.extend(forest.children(c)[::-1].tolist())
    return out
