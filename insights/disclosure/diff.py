"""``rules diff OLD NEW``: which cells change state before a new rules version is adopted."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from insights.disclosure.attacker import Version
from insights.disclosure.protect import protect
from insights.disclosure.rules import Rules
from insights.disclosure.structure import KEY

__all__ = ["compare_states", "rules_diff"]


def rules_diff(
    cells: pd.DataFrame,
    parent_of: pd.Series,
    old: Rules,
    new: Rules,
    *,
    previous: pd.DataFrame | None = None,
    history: Sequence[Version] = (),
) -> pd.DataFrame:
    """Dry-run both rule versions on the same input and list the cells whose state changes.

    Parameters
    ----------
    cells, parent_of, previous, history : as for :func:`insights.disclosure.protect` (with
        ``history``, both runs are what a build on top of those releases would publish).
    old, new : the rules in force and the proposed rules.

    Returns
    -------
    One row per cell whose status or published value differs, sorted by period, indicator and
    code: ``code``, ``level``, ``period``, ``indicator``, ``status_old``, ``status_new``,
    ``value_old``, ``value_new``, ``reason_new``, ``change`` (Dutch: "nu verborgen",
    "nu gepubliceerd", "andere reden" or "andere waarde"). No raw counts.
    """
    a = protect(cells, parent_of, old, previous=previous, history=history)
    b = protect(cells, parent_of, new, previous=previous, history=history)
    return compare_states(a, b)


def compare_states(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """The cells whose status or published value differs between two protected tables ``a`` (before)
    and ``b`` (after), in the format of :func:`rules_diff`."""
    both = a[KEY + ["level", "status", "value"]].merge(
        b[KEY + ["status", "value", "reason"]], on=KEY, suffixes=("_old", "_new")
    ).rename(columns={"reason": "reason_new"})
    same_value = (both["value_old"].isna() & both["value_new"].isna()) | (
        both["value_old"] == both["value_new"]
    ).fillna(False)
    changed = both[(both["status_old"] != both["status_new"]) | ~same_value].copy()
    pub_old = changed["value_old"].notna()
    pub_new = changed["value_new"].notna()
    changed["change"] = "andere waarde"
    changed.loc[pub_old & ~pub_new, "change"] = "nu verborgen"
    changed.loc[~pub_old & pub_new, "change"] = "nu gepubliceerd"
    changed.loc[~pub_old & ~pub_new, "change"] = "andere reden"
    cols = ["code", "level", "period", "indicator", "status_old", "status_new", "value_old", "value_new",
            "reason_new", "change"]
    return changed[cols].sort_values(["period", "indicator", "code"], kind="stable").reset_index(drop=True)
