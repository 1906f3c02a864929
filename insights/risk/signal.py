"""Plain-Dutch signal per area from its printed 95% interval: a category, never a rank."""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.labels import HIDDEN_LABEL

__all__ = ["HIGHER", "LOWER", "PROTECTED", "REFERENCE", "SIGNALS", "UNCLEAR", "posterior_fdr", "signal_category"]

HIGHER = "duidelijk hoger dan verwacht"
LOWER = "duidelijk lager dan verwacht"
UNCLEAR = "niet duidelijk anders dan verwacht"
PROTECTED = HIDDEN_LABEL
REFERENCE = "referentiegebied: hiermee wordt vergeleken"

#: Every signal text, in a fixed order that does not depend on any score.
SIGNALS = (HIGHER, UNCLEAR, LOWER, PROTECTED, REFERENCE)


def signal_category(rr_low: pd.Series, rr_high: pd.Series, informative: pd.Series) -> pd.Series:
    """Dutch signal text per area from the printed 95% interval of the relative risk.

    Parameters
    ----------
    rr_low, rr_high : lower and upper end of the central 95% posterior interval of RR (NaN where
        unknown) — the interval every view prints next to the signal.
    informative : False where the published cell says nothing about the count (hidden for reasons
        other than a small count, no denominator, no expected count): then nothing can be said.

    Returns
    -------
    Series of str aligned with ``rr_low`` (one of :data:`SIGNALS`), named ``signal``.

    Notes
    -----
    "duidelijk hoger" exactly when the interval, rounded to two decimals as every view prints it,
    lies above 1 (``round(rr_low, 2) > 1``), "duidelijk lager" when it lies below 1: a signal never
    contradicts the interval shown. The 2.5% quantile is above 1 only when P(RR > 1) > 0.975, so
    each "hoger" has a posterior
    probability below 2.5% of being false and the expected share of false signals among a release's
    "hoger" signals (posterior expected false discovery rate, see :func:`posterior_fdr`) is below
    2.5%; likewise for "lager". A category, not a position: areas are never ranked by score.
    """
    # As printed: two decimals ("1,00" must not stand next to "duidelijk hoger").
    low = np.round(pd.Series(rr_low, dtype="Float64").to_numpy(dtype=float, na_value=np.nan), 2)
    high = np.round(pd.Series(rr_high, dtype="Float64").to_numpy(dtype=float, na_value=np.nan), 2)
    ok = pd.Series(informative).fillna(False).to_numpy(dtype=bool) & np.isfinite(low) & np.isfinite(high)
    text = np.full(len(low), PROTECTED, dtype=object)
    text[ok] = UNCLEAR
    text[ok & (low > 1)] = HIGHER
    text[ok & (high < 1)] = LOWER
    index = rr_low.index if isinstance(rr_low, pd.Series) else None
    return pd.Series(text, index=index, name="signal", dtype="object")


def posterior_fdr(p_exceed: pd.Series, signal: pd.Series) -> dict[str, float]:
    """Posterior expected false discovery rate of the "hoger" and "lager" signals of a release.

    Parameters
    ----------
    p_exceed : P(RR > 1) per cell.
    signal : the cells' signals (:func:`signal_category`).

    Returns
    -------
    ``{"hoger": mean of P(RR ≤ 1) over "hoger" cells, "lager": mean of P(RR > 1) over "lager"
    cells, "n_hoger": count, "n_lager": count}``; NaN rate where a signal does not occur. This is
    the expected share of signals that point the wrong way if the model's posteriors are right
    (Newton et al. 2004); the calibration benchmark checks those posteriors by simulation.
    """
    p = pd.Series(p_exceed, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    s = np.asarray(signal, dtype=object)
    hi, lo = s == HIGHER, s == LOWER
    return {
        "hoger": float(np.mean(1 - p[hi])) if hi.any() else float("nan"),
        "lager": float(np.mean(p[lo])) if lo.any() else float("nan"),
        "n_hoger": int(hi.sum()),
        "n_lager": int(lo.sum()),
    }
