"""The one place where the effect methods read a published cell: its public interval of true counts."""

from __future__ import annotations

import pandas as pd

from insights.disclosure.primary import public_status
from insights.risk.censoring import count_interval

__all__ = ["public_count_interval"]


def public_count_interval(published: pd.DataFrame) -> pd.DataFrame:
    """``published`` with ``low``, ``high`` (counts; ``high`` may be ``inf``) and ``informative`` added.

    Parameters
    ----------
    published : the published frame (``value``, ``status``, ``indicator``, ``min_count``,
        ``rounding_base``; optionally the audit's ``audit_low``/``audit_high``).

    Returns
    -------
    A copy with the interval columns. The cell is read as the public sees it (threshold and secondary
    suppression both ``beschermd``, read through the audit's interval): the same rule as the scores,
    so trends, repeat shares and effects reveal nothing the scores do not. A hidden cell is never 0.
    """
    status = public_status(published)
    bounds = count_interval(published["value"], status, published["min_count"], published["rounding_base"],
                            audit_low=published.get("audit_low"), audit_high=published.get("audit_high"))
    return published.assign(status=status, low=bounds["low"], high=bounds["high"],
                            informative=bounds["informative"])
