"""Secondary suppression over the area hierarchy (minimal method of the foundation slice).

A published parent total minus its published children reveals a single hidden child. For every
parent group (gemeente over its wijken, regio over its gemeenten, Nederland over its regio's), per
period and indicator, when exactly one child is hidden while the parent is published, the smallest
published child is hidden as well. Repeats until nothing changes, so a cell hidden at one level is
carried to the next.
"""

from __future__ import annotations

import pandas as pd

from insights.disclosure.primary import Status

__all__ = ["hide_single_hidden_children"]


def hide_single_hidden_children(cells: pd.DataFrame, parent_of: pd.Series) -> pd.DataFrame:
    """Give every lone hidden child a partner, so no hidden cell equals parent minus siblings.

    Parameters
    ----------
    cells : output of :func:`insights.disclosure.primary.primary_suppression`, holding every level.
    parent_of : area code → parent area code (``None``/NA for the top).

    Returns
    -------
    ``cells`` with more rows set to ``status == "secundair"`` and ``value`` NA; the ``reason`` names
    the protected cell. Deterministic: ties between equally small children break on code.
    """
    out = cells.copy()
    out["_parent"] = out["code"].map(parent_of)
    key = ["code", "period", "indicator"]
    published_parent = out.set_index(key)["status"].eq(Status.published)
    changed = True
    while changed:
        changed = False
        hidden = out["status"].isin(Status.hidden)
        for (parent, period, indicator), group in out[out["_parent"].notna()].groupby(
            ["_parent", "period", "indicator"], sort=True
        ):
            group_hidden = hidden[group.index]
            if group_hidden.sum() != 1:
                continue
            if not published_parent.get((parent, period, indicator), False):
                continue
            candidates = group[~group_hidden].sort_values(["count", "code"])
            if candidates.empty:
                continue
            partner = candidates.index[0]
            lone = group[group_hidden]["code"].iloc[0]
            out.loc[partner, "status"] = Status.secondary
            out.loc[partner, "value"] = pd.NA
            out.loc[partner, "reason"] = f"beschermt {lone} (verschil met {parent})"
            changed = True
        if changed:
            published_parent = out.set_index(key)["status"].eq(Status.published)
    return out.drop(columns="_parent")
