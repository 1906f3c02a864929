"""An independent attacker over several releases, written apart from insights.disclosure.

One LP over all releases together (scipy's HiGHS): a variable per (release, cell); in every release
the parent = the sum of its children, published values as their rounding interval read with that
release's own ``min_count``/``rounding_base`` columns, hidden values ≥ 0. Between consecutive
releases the attacker knows *exactly* which cells changed (``changed``: the truth, stronger than the
public ``herzien`` marker); every other cell has one count across releases. Optionally
``part_of`` pairs (part indicator, whole indicator) per release.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

KEY = ["code", "period", "indicator"]
PRIMARY = {"onder_drempel", "geheim_in_bron", "kleine_noemer", "te_weinig_huishoudens", "beschermd"}


def attack_releases(
    releases: list[pd.DataFrame],
    parents: pd.Series,
    changed: list[set[tuple[str, int, str]]],
    *,
    part_of: tuple[str, str] | None = None,
) -> list[pd.DataFrame]:
    """Per release, its hidden cells with ``low``/``high`` (the attacker's interval; inf = unbounded)
    and ``ok`` (the interval covers that release's protection range).

    ``changed[r]`` holds the cells (code, period, indicator) whose count differs between release r
    and r + 1, totals included.
    """
    keys = sorted({tuple(k) for rel in releases for k in rel[KEY].itertuples(index=False)})
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    # column of (release, cell): cells unchanged since the previous release share its column
    col = np.zeros((len(releases), n), dtype=np.int64)
    col[0] = np.arange(n)
    m = n
    for r in range(1, len(releases)):
        col[r] = col[r - 1]
        for k in changed[r - 1]:
            col[r, index[k]] = m
            m += 1
    lo = np.zeros(m)
    hi = np.full(m, np.inf)
    rows, cols, vals = [], [], []
    ub_rows, ub_cols, ub_vals = [], [], []
    r_eq = 0
    r_ub = 0
    children: dict[str, list[str]] = {}
    for child, par in parents.items():
        if isinstance(par, str):
            children.setdefault(par, []).append(str(child))
    for r, rel in enumerate(releases):
        for row in rel.itertuples(index=False):
            if pd.isna(row.value):
                continue
            c = col[r, index[(row.code, row.period, row.indicator)]]
            base = int(row.rounding_base)
            lo[c] = max(lo[c], row.value - base // 2, row.min_count)
            hi[c] = min(hi[c], row.value + (base - 1) // 2)
        for code, kids in children.items():
            for period, indicator in {(k[1], k[2]) for k in keys}:
                if (code, period, indicator) not in index:
                    continue
                present = [kid for kid in kids if (kid, period, indicator) in index]
                if not present:
                    continue
                rows.append(r_eq)
                cols.append(col[r, index[(code, period, indicator)]])
                vals.append(1.0)
                for kid in present:
                    rows.append(r_eq)
                    cols.append(col[r, index[(kid, period, indicator)]])
                    vals.append(-1.0)
                r_eq += 1
        if part_of is not None:
            for code, period, indicator in keys:
                if indicator == part_of[0] and (code, period, part_of[1]) in index:
                    ub_rows += [r_ub, r_ub]
                    ub_cols += [col[r, index[(code, period, indicator)]], col[r, index[(code, period, part_of[1])]]]
                    ub_vals += [1.0, -1.0]
                    r_ub += 1
    a_eq = sparse.csr_matrix((vals, (rows, cols)), shape=(r_eq, m))
    a_ub = sparse.csr_matrix((ub_vals, (ub_rows, ub_cols)), shape=(r_ub, m)) if r_ub else None
    bounds = list(zip(lo, [None if np.isinf(h) else h for h in hi]))
    kw = {"A_eq": a_eq, "b_eq": np.zeros(r_eq), "A_ub": a_ub, "b_ub": np.zeros(r_ub) if r_ub else None,
          "bounds": bounds, "method": "highs"}
    out = []
    for r, rel in enumerate(releases):
        hidden = rel[rel["value"].isna()].copy()
        low, high = [], []
        for row in hidden.itertuples(index=False):
            c = np.zeros(m)
            c[col[r, index[(row.code, row.period, row.indicator)]]] = 1.0
            a = linprog(c, **kw)
            assert a.status == 0, "the releases admit no counts: the attacker's model is wrong"
            b = linprog(-c, **kw)
            low.append(np.ceil(a.fun - 1e-7))
            high.append(np.inf if b.status == 3 else np.floor(-b.fun + 1e-7))
        hidden["low"] = low
        hidden["high"] = high
        status = hidden["status"].astype(str).to_numpy(dtype=object)
        # a cell kept hidden from an earlier release owes the range it was hidden with there
        for i, row in enumerate(hidden.itertuples(index=False)):
            back = r
            while str(row.reason).startswith("verborgen in eerdere release") and back > 0:
                back -= 1
                earlier = releases[back].set_index(KEY)
                k = (row.code, row.period, row.indicator)
                if k not in earlier.index:
                    break
                row = earlier.loc[k]
                row = pd.Series({**row.to_dict(), "code": k[0], "period": k[1], "indicator": k[2]})
                row = next(pd.DataFrame([row]).itertuples(index=False))
                status[i] = str(row.status)
        primary = pd.Series(status, index=hidden.index).isin(PRIMARY)
        wide = (hidden["high"] - hidden["low"]) >= (hidden["rounding_base"].astype(float) - 1)
        hidden["ok"] = np.where(primary, (hidden["low"] <= 0) & (hidden["high"] >= hidden["min_count"]), wide)
        out.append(hidden)
    return out
