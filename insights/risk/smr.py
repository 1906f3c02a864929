"""Standardised ratio observed/expected with an exact Poisson interval that respects rounding."""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.rates import confint_poisson

from insights.rounding import rounding_interval

__all__ = ["standardised_ratio"]


def standardised_ratio(
    observed: pd.Series, expected: pd.Series, *, rounding_base: int = 1, interval: float = 0.95
) -> pd.DataFrame:
    """Observed/expected ratio (SMR) per area with an exact (Garwood) Poisson interval.

    Parameters
    ----------
    observed : published count per area (Int64; ``<NA>`` where hidden). When counts are rounded to
        ``rounding_base``, the true count lies in ``[v - base//2, v + (base-1)//2]``.
    expected : expected count per area (a count, > 0), aligned with ``observed``.
    rounding_base : rounding applied to ``observed``; 1 when the count is exact.
    interval : width of the central interval, 0 < interval < 1.

    Returns
    -------
    DataFrame indexed like ``observed``: ``smr`` (v / E), ``smr_low`` (exact lower limit for the
    smallest count the rounded value allows), ``smr_high`` (exact upper limit for the largest).
    All three are NA where the count is hidden or E is not positive: hidden never scores as 0.

    Notes
    -----
    With ``rounding_base`` 1 the limits equal statsmodels' ``confint_poisson(method="exact-c")``.

    References
    ----------
    Garwood, F. (1936). Fiducial limits for the Poisson distribution. Biometrika 28, 437–442.
    """
    if not 0 < interval < 1:
        raise ValueError(f"interval must lie between 0 and 1, got {interval}")
    obs = observed.astype("Float64")
    exp = expected.astype("Float64")
    usable = obs.notna() & exp.notna() & (exp > 0)
    low_bound, high_bound = rounding_interval(obs.to_numpy(dtype=float, na_value=np.nan), rounding_base)
    low_count = pd.Series(low_bound, index=observed.index)
    high_count = pd.Series(high_bound, index=observed.index)
    smr = pd.Series(np.nan, index=observed.index)
    low = pd.Series(np.nan, index=observed.index)
    high = pd.Series(np.nan, index=observed.index)
    if usable.any():
        e = exp[usable].to_numpy(dtype=float)
        lo, _ = confint_poisson(low_count[usable].to_numpy(dtype=float), e, method="exact-c", alpha=1 - interval)
        _, hi = confint_poisson(high_count[usable].to_numpy(dtype=float), e, method="exact-c", alpha=1 - interval)
        smr[usable] = obs[usable].to_numpy(dtype=float) / e
        low[usable] = np.nan_to_num(lo, nan=0.0)
        high[usable] = hi
    return pd.DataFrame({"smr": smr, "smr_low": low, "smr_high": high}).astype("Float64")
