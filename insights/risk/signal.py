"""Plain-Dutch signal per area from P(RR > 1): a category, never a rank."""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.labels import HIDDEN_LABEL

__all__ = ["HIGHER", "LOWER", "PROTECTED", "REFERENCE", "SIGNALS", "UNCLEAR", "signal_category"]

HIGHER = "duidelijk hoger dan verwacht"
LOWER = "duidelijk lager dan verwacht"
UNCLEAR = "niet duidelijk anders dan verwacht"
PROTECTED = HIDDEN_LABEL
REFERENCE = "referentiegebied: hiermee wordt vergeleken"

#: Every signal text, in a fixed order that does not depend on any score.
SIGNALS = (HIGHER, UNCLEAR, LOWER, PROTECTED, REFERENCE)


def signal_category(
    p_exceed: pd.Series, informative: pd.Series, *, high: float = 0.8, low: float = 0.2
) -> pd.Series:
    """Dutch signal text per area.

    Parameters
    ----------
    p_exceed : posterior probability that the relative risk exceeds 1 (0..1), NaN where unknown.
    informative : False where the published cell says nothing about the count (hidden for reasons
        other than a small count, no denominator, no expected count): then nothing can be said.
    high, low : cut-offs on ``p_exceed``; ``p ≥ high`` is "duidelijk hoger", ``p ≤ low`` is
        "duidelijk lager".

    Returns
    -------
    Series of str aligned with ``p_exceed`` (one of :data:`SIGNALS`), named ``signal``.

    Notes
    -----
    A category, not a position: areas are never ranked or ordered by score. The cut-offs are
    policy choices, stated in the model card; P(RR > 1) ≥ 0.8 means "at least four to one that
    this area has more than expected", not that any household in it is at risk.
    """
    if not 0 < low < high < 1:
        raise ValueError(f"need 0 < low < high < 1, got low={low}, high={high}")
    p = pd.Series(p_exceed, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    ok = pd.Series(informative).fillna(False).to_numpy(dtype=bool) & np.isfinite(p)
    text = np.full(len(p), PROTECTED, dtype=object)
    text[ok] = UNCLEAR
    text[ok & (p >= high)] = HIGHER
    text[ok & (p <= low)] = LOWER
    index = p_exceed.index if isinstance(p_exceed, pd.Series) else None
    return pd.Series(text, index=index, name="signal", dtype="object")
