"""The whole protection step the build runs: primary rules, then secondary suppression."""

from __future__ import annotations

import pandas as pd

from insights.disclosure.primary import primary_suppression
from insights.disclosure.rules import Rules
from insights.disclosure.secondary import hide_single_hidden_children

__all__ = ["protect"]


def protect(cells: pd.DataFrame, parent_of: pd.Series, rules: Rules) -> pd.DataFrame:
    """Protect every cell of a release.

    Parameters
    ----------
    cells : one row per (code, period, indicator) over all levels, with ``count``, ``denominator``
        and ``households`` (see :func:`primary_suppression`).
    parent_of : area code → parent code.
    rules : the rules in force.

    Returns
    -------
    ``cells`` plus ``value``, ``status``, ``reason`` and the public rule parameters per cell
    (``min_count``, ``rounding_base``) that downstream statistics need to treat hidden and rounded
    values as intervals. The raw ``count`` column is still present: only the release writer's
    public projection leaves the build machine.
    """
    protected = hide_single_hidden_children(primary_suppression(cells, rules), parent_of)
    protected["min_count"] = protected["indicator"].map(lambda n: rules.for_indicator(n).min_count).astype("Int64")
    protected["rounding_base"] = (
        protected["indicator"].map(lambda n: rules.for_indicator(n).rounding_base).astype("Int64")
    )
    return protected
