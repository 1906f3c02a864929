"""Expected counts: denominator × reference rate."""

from __future__ import annotations

import pandas as pd

__all__ = ["expected_counts"]


def expected_counts(denominator: pd.Series, reference_rate: float | pd.Series) -> pd.Series:
    """Expected number of events per area.

    Parameters
    ----------
    denominator : households or inhabitants per area (a count), indexed by area code.
    reference_rate : events per unit of denominator in the reference population (a rate, not per
        1,000), scalar or aligned with ``denominator``.

    Returns
    -------
    Float Series named ``expected``: a count, not a rate. NA where the denominator is NA.
    """
    expected = denominator.astype("Float64") * reference_rate
    return expected.rename("expected")
