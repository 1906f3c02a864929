"""Earlier releases as attacker knowledge: versions of the data, each read with its own rules.

Every earlier release of a releases folder published values of an *earlier version* of the data,
protected with the rules of that release. A new build protects the new version so that all
releases together reveal no hidden cell beyond its protection range (see
:mod:`insights.disclosure.attacker` for the model). Pure functions; the release layer reads the
releases and passes them in as :class:`Version` objects, oldest first.

Policy (applied by :func:`apply_history` before secondary suppression):

- **unchanged, published before**: a cell an earlier release published whose new count still lies
  in that value's rounding interval keeps the earlier value and the earlier ``min_count`` and
  ``rounding_base`` (a stricter or differently rounded rule applies from the new release on only to
  cells not published before). Its ``reason`` names the release it comes from.
- **revised** (``herzien``): a cell an earlier release published whose new count lies outside that
  interval (or is now secret) is protected afresh with the new rules; ``herzien`` is True, publicly.
- **hidden before**: stays hidden (``secundair``, "verborgen in eerdere release van deze periode"),
  protected at least as strictly as the earlier release promised.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from insights.disclosure.attacker import Version, view
from insights.disclosure.primary import Status
from insights.disclosure.rules import Rules
from insights.disclosure.structure import KEY

__all__ = ["PREVIOUSLY_HIDDEN", "Version", "apply_history", "as_versions", "revisions"]

PREVIOUSLY_HIDDEN = "verborgen in eerdere release van deze periode"


def as_versions(
    previous: pd.DataFrame | None, history: Sequence[Version], rules: Rules
) -> tuple[Version, ...]:
    """``history`` plus a bare ``previous`` frame (read with ``rules``) as the newest version."""
    versions = tuple(history)
    if previous is not None and len(previous):
        versions += (Version("eerdere release", previous, rules),)
    return versions


def apply_history(
    primary: pd.DataFrame, rules: Rules, versions: Sequence[Version], parent_of: pd.Series | None = None
) -> pd.DataFrame:
    """Apply the release policy (module docstring) to the output of primary suppression.

    Returns ``primary`` plus ``min_count`` and ``rounding_base`` (Int64, per cell: the rules the
    cell is published or protected with) and ``herzien`` (bool: an earlier release published a
    value this cell's new count does not round to, or, with ``parent_of``, a total above such a
    cell in the same period and indicator: a correction changes every total above it). The raw
    ``count`` decides which cells are revised; nothing else here reads it.
    """
    out = primary.copy()
    n = len(out)
    codes, names = pd.factorize(out["indicator"].astype(str).to_numpy())
    per = np.array([[rules.for_indicator(x).min_count, rules.for_indicator(x).rounding_base] for x in names],
                   dtype=np.int64).reshape(len(names), 2)
    out["min_count"] = pd.array(per[codes, 0] if n else np.zeros(0, np.int64), dtype="Int64")
    out["rounding_base"] = pd.array(per[codes, 1] if n else np.zeros(0, np.int64), dtype="Int64")
    if not versions:
        out["herzien"] = np.zeros(n, dtype=bool)
        return out
    count = out["count"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    status = out["status"].astype(str).to_numpy(dtype=object).copy()
    reason = out["reason"].astype(str).to_numpy(dtype=object).copy()
    value = out["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    mc = out["min_count"].to_numpy(dtype=float)
    base = out["rounding_base"].to_numpy(dtype=float)
    revised = np.zeros(n, dtype=bool)
    decided = np.zeros(n, dtype=bool)
    seen = [view(out, version) for version in versions]
    for k in seen:
        with np.errstate(invalid="ignore"):
            revised |= k.published & ~((count >= k.lo) & (count <= k.hi))
    if parent_of is not None and revised.any():
        revised = _with_totals_above(out, revised, parent_of)
    for version, k in zip(reversed(tuple(versions)), reversed(seen)):  # the newest release with the cell decides
        published = k.published
        keep = published & ~revised & ~decided
        value[keep], mc[keep], base[keep] = k.value[keep], k.rules.min_count[keep], k.rules.base[keep]
        status[keep] = Status.published
        reason[keep] = f"gepubliceerd in release {version.name}"
        hidden_there = k.present & ~published & ~decided
        # hidden before: protected with the range of the rules that hid it
        mc[hidden_there], base[hidden_there] = k.rules.min_count[hidden_there], k.rules.base[hidden_there]
        force = hidden_there & (status == Status.published)
        status[force] = Status.secondary
        reason[force] = PREVIOUSLY_HIDDEN
        value[force] = np.nan
        decided |= k.present
    out["value"] = pd.array(value, dtype="Float64").astype("Int64")
    out["status"] = status
    out["reason"] = reason
    out["min_count"] = pd.array(mc.astype(np.int64), dtype="Int64")
    out["rounding_base"] = pd.array(base.astype(np.int64), dtype="Int64")
    out["herzien"] = revised
    return out


def _with_totals_above(cells: pd.DataFrame, revised: np.ndarray, parent_of: pd.Series) -> np.ndarray:
    """``revised`` plus every cell of a parent area of a revised cell, same period and indicator."""
    parent = parent_of[~parent_of.index.duplicated()]
    key = pd.MultiIndex.from_frame(cells[KEY].astype({"code": str}))
    marked = set(cells.loc[revised, KEY].astype({"code": str}).itertuples(index=False, name=None))
    todo = list(marked)
    while todo:
        code, period, indicator = todo.pop()
        up = parent.get(code)
        if up is None or pd.isna(up) or (str(up), period, indicator) in marked:
            continue
        marked.add((str(up), period, indicator))
        todo.append((str(up), period, indicator))
    return np.asarray(key.isin(list(marked)))


def revisions(protected: pd.DataFrame, versions: Sequence[Version], rules: Rules) -> pd.DataFrame:
    """For stewards: every revised cell, and every cell kept from an earlier release under rules
    that differ from ``rules`` (today's).

    Returns one row per (cell, earlier release): ``code``, ``period``, ``indicator``, ``release``,
    ``value_old`` and ``value_new`` (text: the value or "beschermd"), ``change`` ("herzien" or
    "ongewijzigd onder eerdere regels"). No raw counts.
    """
    frames = []
    for version in versions:
        old = version.cells[KEY + ["value"]].rename(columns={"value": "value_old"})
        both = protected[KEY + ["value", "herzien", "reason", "min_count", "rounding_base"]].merge(old, on=KEY)
        changed = both["herzien"].astype(bool) & both["value_old"].notna()
        now_mc = both["indicator"].map(lambda x: rules.for_indicator(str(x)).min_count)
        now_base = both["indicator"].map(lambda x: rules.for_indicator(str(x)).rounding_base)
        kept = both["reason"].eq(f"gepubliceerd in release {version.name}") & (
            both["min_count"].ne(now_mc) | both["rounding_base"].ne(now_base)
        ).astype(bool)
        sel = both[changed | kept].copy()
        sel["release"] = version.name
        sel["change"] = np.where(changed[changed | kept], "herzien", "ongewijzigd onder eerdere regels")
        frames.append(sel)
    cols = KEY + ["release", "value_old", "value_new", "change"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)
    out["value_new"] = [("beschermd" if pd.isna(v) else str(int(v))) for v in out["value"]]
    out["value_old"] = [("beschermd" if pd.isna(v) else str(int(v))) for v in out["value_old"]]
    return out[cols].sort_values(KEY + ["release"], kind="stable").reset_index(drop=True)
