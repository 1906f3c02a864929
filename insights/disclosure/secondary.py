"""Secondary suppression over the linked structure: every level, indicator and period at once.

Method: protect-audit-repair. All tables of a release (every period × indicator, every level
from Nederland down to wijk or buurt) are one forest of sum constraints. Each round computes
the exact attacker interval of every cell (:func:`insights.disclosure.structure.tree_intervals`,
plus LP over ``part_of`` links), finds the hidden cells whose interval misses their protection
range, and for each hides one published cell that can widen it:

- if the interval is pinned from *outside* (parent minus siblings), a published sibling, or a
  published child of an already hidden sibling (which frees that sibling);
- if it is pinned from *inside* (sum of its children), a published child, or a published
  grandchild under a hidden child;
- among the candidates the one with the lowest *public* cost wins (:func:`choice_cost`: the
  area's rounded households, then a seeded order). The choice reads no count, so knowing the
  algorithm tells an attacker nothing more than the published figures do.

At most one repair per parent group per round, so one partner serves all lone cells of a group.
Rounds repeat until the audit is clean. Everything is ordered by (period, indicator, code), so the
same input and rules give a byte-identical pattern.

Earlier releases (``history``) are attacker knowledge (see :mod:`insights.disclosure.history`):
cells they hid stay hidden and keep the protection they were promised, cells they published are
no candidates (hiding them protects nothing), and a revised cell whose new value narrows what an
earlier release hid is hidden itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from insights.disclosure.attacker import (
    Attack,
    Knowledge,
    Pattern,
    Shortfall,
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
from insights.disclosure.audit import earlier_failures, revised_marker
from insights.disclosure.history import PREVIOUSLY_HIDDEN, apply_history, as_versions
from insights.disclosure.primary import Status
from insights.disclosure.rules import Rules
from insights.disclosure.structure import Forest, Intervals, build_forest

__all__ = ["PREVIOUSLY_HIDDEN", "Secondary", "choice_cost", "secondary_suppression", "suppress"]

def secondary_suppression(
    primary: pd.DataFrame,
    parent_of: pd.Series,
    rules: Rules,
    *,
    previous: pd.DataFrame | None = None,
    history: Sequence[Version] = (),
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
    previous, history : earlier releases (see :func:`insights.disclosure.protect`); the release
        policy of :mod:`insights.disclosure.history` is applied first.
    max_rounds : safety stop; the method normally ends in a few dozen rounds.

    Returns
    -------
    ``primary`` (same row order) with more cells ``status == "secundair"``, ``value`` NA, a
    ``reason`` naming the protected cell, and ``protects`` (code of that cell, NA otherwise).
    """
    return suppress(primary, parent_of, rules, previous=previous, history=history, max_rounds=max_rounds).cells


@dataclass(frozen=True)
class Secondary:
    """The result of secondary suppression, with what its last round audited.

    cells : the frame :func:`secondary_suppression` returns.
    forest : the sum structure of ``cells`` (sorted order).
    pattern : the final suppression pattern in sorted order (with the protection each cell owes).
    f_lo, f_hi : the attacker's interval of every sorted node under that pattern.
    earlier : per sorted node, an earlier release whose hidden value is still narrowed (else None).
    """

    cells: pd.DataFrame
    forest: Forest
    pattern: Pattern
    f_lo: np.ndarray
    f_hi: np.ndarray
    earlier: np.ndarray


def suppress(
    primary: pd.DataFrame,
    parent_of: pd.Series,
    rules: Rules,
    *,
    previous: pd.DataFrame | None = None,
    history: Sequence[Version] = (),
    max_rounds: int = 10_000,
) -> Secondary:
    """:func:`secondary_suppression` plus the forest, the final pattern and its attacker intervals."""
    versions = as_versions(previous, history, rules)
    if versions and "herzien" not in primary.columns:
        primary = apply_history(primary, rules, versions, parent_of)
    forest = build_forest(primary, parent_of)
    rows = primary.iloc[forest.order]
    n = forest.n
    status = rows["status"].astype(str).to_numpy(dtype=object).copy()
    reason = rows["reason"].astype(str).to_numpy(dtype=object).copy()
    protects = np.full(n, None, dtype=object)
    codes = rows["code"].astype(str).to_numpy()
    cost = choice_cost(rows)
    truth = rows["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)

    rc = rule_columns(rows, rules)
    value0 = rows["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    views = tuple(view(rows, v) for v in versions)
    revised = revised_marker(rows)
    hid_lo, hid_hi = np.zeros(n), np.full(n, np.inf)
    for v in views:  # what a hidden cell's earlier, unrevised values still tell
        same = v.published & ~revised
        hid_lo[same], hid_hi[same] = np.maximum(hid_lo[same], v.lo[same]), np.minimum(hid_hi[same], v.hi[same])
    pairs = link_pairs(rows, rules)
    block = block_ids(rows, rules) if len(pairs) or revised.any() else None
    linked_blocks = block is not None and len(pairs) > 0
    parts_of: dict[int, list[int]] = {}
    wholes_of: dict[int, list[int]] = {}
    for part, whole in pairs.tolist():
        parts_of.setdefault(whole, []).append(part)
        wholes_of.setdefault(part, []).append(whole)
    ind_name = rows["indicator"].astype(str).to_numpy()

    # A cell an earlier release already published cannot be protected by hiding more now: skip it
    # (the audit reports it to the steward) instead of hiding the table around it.
    all_hidden = np.ones(n, dtype=bool)
    owed_status, owed_rc = inherited_protection(
        np.where(status == Status.published, Status.secondary, status), all_hidden, rc, views
    )
    fixable = ~shortfall(owed_status, hid_lo, hid_hi, owed_rc, rules).short
    # ... and hiding it protects nothing else either: it is no candidate partner.
    frozen = np.zeros(n, dtype=bool)
    for v in views:
        frozen |= v.published & ~revised

    parent = forest.parent
    order_key = np.lexsort((np.arange(n), forest.depth))

    for round_ in range(max_rounds + 1):
        hidden = status != Status.published
        lo, hi = boxes(np.where(hidden, np.nan, value0), rc)
        known = knowledge(forest, lo, hi, pairs=pairs, block=block, views=views, revised=revised, truth=truth)
        found = attack(forest, known, targets=np.nonzero(hidden)[0])
        iv = found.tree
        f_lo, f_hi = found.f_lo, found.f_hi
        owed_status, owed_rc = inherited_protection(status, hidden, rc, views)
        need = shortfall(owed_status, f_lo, f_hi, owed_rc, rules)
        earlier = earlier_failures(n, known, found, rules)
        old_need = _copy_needs(n, known, found, rules)
        short = need.short & fixable & hidden
        old_short = ~pd.isna(earlier)
        if not (short.any() or old_short.any()) or round_ == max_rounds:
            break
        used: set[tuple[str, int]] = set()
        hid_this_round = False
        tree_lo, tree_hi = iv.f_lo, iv.f_hi
        tree_need = shortfall(owed_status, tree_lo, tree_hi, owed_rc, rules) if linked_blocks else None
        for x in order_key[(short | old_short)[order_key]]:
            if short[x]:
                nd, nu, nw = need.down[x], need.up[x], need.width[x]
            else:
                nd, nu, nw = old_need.down[x], old_need.up[x], old_need.width[x]
            if nw > 0:
                nu = nw
            pick = None
            if not hidden[x] and not frozen[x]:
                # x is published now and its value narrows what an earlier release hid: hide x.
                pick = (int(x), "V")
            if pick is None and tree_need is not None and not tree_need.short[x]:
                # Only the part_of link narrows x: free the linked cell (its part when x's lower
                # bound is raised, its whole when x's upper bound is capped).
                linked_cells = (parts_of.get(int(x), []) if nd > 0 else []) + (
                    wholes_of.get(int(x), []) if (nu > 0 or nw > 0) else [])
                for y in linked_cells:
                    if ("L", y) in used:
                        continue
                    if status[y] == Status.published and not frozen[y]:
                        pick = (y, "L")
                    elif status[y] == Status.published:
                        continue
                    else:
                        side_y = _binding_side(y, nd, nu, iv, parent)
                        pick = _choose(y, side_y, forest, status, cost, used, frozen)
                    if pick is not None:
                        used.add(("L", y))
                        break
            if pick is None:
                side = _binding_side(x, nd, nu, iv, parent)
                pick = _choose(x, side, forest, status, cost, used, frozen)
            if pick is None and block is not None:
                # Only revised totals narrow x (every other cell of the period was published before):
                # hide the nearest revised total above x, else the cheapest revised cell of its table.
                pick = _revised_partner(int(x), forest, status, frozen, revised, block, cost, used)
            if pick is None:
                continue
            c, via = pick
            status[c] = Status.secondary
            protects[c] = codes[x]
            where = codes[parent[x]] if via == "D" and parent[x] >= 0 else None
            reason[c] = (
                f"beschermt {codes[x]} (verschil met {where})" if where else
                f"beschermt {codes[x]} {ind_name[x]} (koppeling met {ind_name[c]})" if via == "L" else
                f"beschermt de eerdere waarde (release {earlier[x]})" if via == "V" else
                f"beschermt {codes[x]} (herziene totalen)" if via == "R" else
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
    owed_status, owed_rc = inherited_protection(status, hidden, rc, views)
    return Secondary(out, forest, Pattern(owed_status, hidden, owed_rc), f_lo, f_hi, earlier)


def _copy_needs(n: int, known: Knowledge, found: Attack, rules: Rules) -> Shortfall:
    """Per sorted node, the largest shortfall of its value in any earlier version's own variables."""
    down, up, width = np.zeros(n), np.zeros(n), np.zeros(n)
    for need in copy_shortfalls(known, found, rules):
        down, up, width = np.maximum(down, need.down), np.maximum(up, need.up), np.maximum(width, need.width)
    return Shortfall(down, up, width)


def _binding_side(x: int, nd: float, nu: float, iv: Intervals, parent: np.ndarray) -> str:
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
    x: int,
    side: str,
    forest: Forest,
    status: np.ndarray,
    cost: np.ndarray,
    used: set[tuple[str, int]],
    frozen: np.ndarray,
) -> tuple[int, str] | None:
    """The published cell to hide for ``x`` (and on which side), or None.

    Among the candidates the one with the lowest ``cost`` wins; ``cost`` is public (see
    :func:`choice_cost`), so which cell was chosen tells nothing about any count.
    """
    parent = forest.parent
    for s in (side, "S" if side == "D" else "D"):
        if s == "D":
            p = parent[x]
            if p < 0:
                continue
            group = ("D", int(p))
            direct = [c for c in forest.children(p) if c != x]
        else:
            group = ("S", int(x))
            direct = list(forest.children(x))
        if not direct and s == "S":
            continue
        if group in used:
            return None
        # An only child equals its parent: with no sibling to free, the parent itself must go.
        cands = _frontier(direct, forest, status, frozen) if direct else []
        if not cands and s == "D":
            if status[parent[x]] == Status.published and not frozen[parent[x]]:
                cands = [int(parent[x])]
            elif status[parent[x]] != Status.published:  # nothing to free beside it: free the parent instead
                up_pick = _choose(int(parent[x]), "D", forest, status, cost, used, frozen)
                if up_pick is not None:
                    used.add(group)
                    return up_pick
        if not cands:
            continue
        best = min(cands, key=lambda c: (cost[c], c))
        used.add(group)
        return int(best), s
    return None


def _revised_partner(
    x: int,
    forest: Forest,
    status: np.ndarray,
    frozen: np.ndarray,
    revised: np.ndarray,
    block: np.ndarray,
    cost: np.ndarray,
    used: set[tuple[str, int]],
) -> tuple[int, str] | None:
    """A published, revised cell of ``x``'s table to hide for ``x``: its nearest such ancestor, else
    the cheapest such cell; None when there is none or its table had a repair this round."""
    if ("R", int(block[x])) in used:
        return None
    free = (status == Status.published) & ~frozen & revised & (block == block[x])
    p = forest.parent[x]
    while p >= 0:
        if free[p]:
            used.add(("R", int(block[x])))
            return int(p), "R"
        p = forest.parent[p]
    cands = np.nonzero(free)[0]
    if not len(cands):
        return None
    used.add(("R", int(block[x])))
    return int(min(cands.tolist(), key=lambda c: (cost[c], c))), "R"


def choice_cost(rows: pd.DataFrame, seed: int = 2026) -> np.ndarray:
    """A public cost per row for choosing secondary partners: the area's households rounded to 5
    (a public CBS figure; fewer households, smaller counts expected, less information lost), then a
    seeded hash of the cell's code, period and indicator for ties. It reads no count, so an attacker
    who knows the algorithm learns nothing from which cell was chosen.
    """
    hh = rows["households"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    hh = np.where(np.isnan(hh), np.inf, np.floor(hh / 5 + 0.5) * 5)
    keys = zip(rows["code"].tolist(), rows["period"].tolist(), rows["indicator"].tolist())
    digest = [int.from_bytes(hashlib.blake2b(f"{seed}:{c}/{p}/{i}".encode(), digest_size=6).digest(), "big")
              for c, p, i in keys]
    tie = np.asarray(digest, dtype=float) / 2.0**48
    return hh + tie


def _frontier(nodes: list[int], forest: Forest, status: np.ndarray, frozen: np.ndarray) -> list[int]:
    """Published cells among ``nodes`` and, through hidden ones, their nearest published descendants:
    the cells whose hiding can widen the interval of a sum over ``nodes`` (not ``frozen`` ones, whose
    value an earlier release published)."""
    out: list[int] = []
    stack = list(nodes)[::-1]
    while stack:
        c = int(stack.pop())
        if status[c] == Status.published:
            if not frozen[c]:
                out.append(c)
        else:
            stack.extend(forest.children(c)[::-1].tolist())
    return out
