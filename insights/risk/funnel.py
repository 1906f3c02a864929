"""Funnel-plot limits for observed/expected ratios, with Spiegelhalter's overdispersion adjustment."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["FUNNEL_FLAGS", "funnel_flags", "overdispersion_factor"]

#: Flag values, from clearly high to clearly low; "onbekend" where the cell says nothing.
FUNNEL_FLAGS = ("boven 99,8%-grens", "boven 95%-grens", "binnen grenzen", "onder 95%-grens",
                "onder 99,8%-grens", "onbekend")

_Z95 = stats.norm.ppf(0.975)
_Z998 = stats.norm.ppf(0.999)


def _z(count, expected, target: float):
    """Square-root z-score of a count against E·target: 2(√O − √(E·θ0)), approx. N(0, 1)."""
    return 2.0 * (np.sqrt(count) - np.sqrt(expected * target))


def overdispersion_factor(z: np.ndarray, *, winsor: float = 0.10) -> float:
    """Multiplicative overdispersion φ from z-scores winsorised at ``winsor`` and 1 − ``winsor``.

    Parameters
    ----------
    z : z-scores of the areas (dimensionless), NaN ignored.
    winsor : fraction winsorised at each end (Spiegelhalter uses 10%).

    Returns
    -------
    φ̂ = mean of the squared winsorised z-scores; about 1 when the areas differ by chance only.
    NaN when fewer than 3 z-scores are finite.
    """
    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    if len(z) < 3:
        return float("nan")
    lo, hi = np.quantile(z, [winsor, 1 - winsor])
    return float(np.mean(np.clip(z, lo, hi) ** 2))


def funnel_flags(
    low, high, expected, *, target: float = 1.0, overdispersion: bool = True, winsor: float = 0.10,
    dispersion_from=None,
) -> pd.DataFrame:
    """Where each area lies against the 95% and 99.8% funnel limits of O/E around ``target``.

    Parameters
    ----------
    low, high : closed interval of true counts per area (counts; ``high`` may be ``inf``), as from
        :func:`insights.risk.censoring.count_interval`.
    expected : expected count per area (> 0; NaN marks an area that cannot be placed).
    target : the ratio the funnel is centred on (1: the reference rate).
    overdispersion : inflate the limits by √φ when the winsorised φ̂ exceeds 1 (Spiegelhalter 2005,
        multiplicative model). φ̂ is estimated at the interval midpoint of the areas in
        ``dispersion_from``.
    winsor : winsorising fraction at each end for φ̂.
    dispersion_from : bool per area, the areas φ̂ is estimated from. Default: every area with a
        finite interval. :func:`insights.risk.score.score` passes published cells whose expected
        count makes a count below the threshold unlikely: wide hidden intervals read at their
        midpoint, and published cells selected for being above the threshold, would inflate φ̂.

    Returns
    -------
    DataFrame in input order: ``z`` (square-root z-score at the interval midpoint; NaN when the
    interval is open or E is missing), ``phi`` (the factor used, ≥ 1), ``funnel_low95``,
    ``funnel_high95``, ``funnel_low998``, ``funnel_high998`` (limits on the O/E scale at this E) and
    ``funnel`` (one of :data:`FUNNEL_FLAGS`).

    Notes
    -----
    An area is flagged high only when the *lowest* count its interval allows is above the limit,
    and low only when the *highest* is below it; so rounding and suppression can only make a flag
    less likely (false-positive rate at or below nominal). A cell hidden below threshold T can be
    flagged low when even T − 1 lies under the lower limit; ``[0, ∞)`` is "onbekend".
    Limits on the ratio scale: ((√θ0 ± z_p √φ / (2√E))²), the square-root transform of
    Spiegelhalter (2005) for indirectly standardised ratios.

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    Statistics in Medicine 24, 1185–1202.
    Spiegelhalter, D. J. (2005). Handling over-dispersion of performance indicators.
    Quality and Safety in Health Care 14, 347–351.
    """
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    e = np.asarray(expected, dtype=float)
    placed = np.isfinite(e) & (e > 0)
    finite = placed & np.isfinite(hi)
    z = np.full(len(e), np.nan)
    z[finite] = _z((lo[finite] + hi[finite]) / 2, e[finite], target)
    z_phi = z if dispersion_from is None else np.where(np.asarray(dispersion_from, dtype=bool), z, np.nan)
    phi = overdispersion_factor(z_phi, winsor=winsor) if overdispersion else 1.0
    phi = 1.0 if not np.isfinite(phi) else max(phi, 1.0)
    s = np.sqrt(phi)

    with np.errstate(invalid="ignore", divide="ignore"):
        z_low = np.where(placed, _z(lo, e, target), np.nan)
        z_high = np.where(placed & np.isfinite(hi), _z(hi, e, target), np.inf)
        half = np.sqrt(target)

        def limit(zp: float, sign: int) -> np.ndarray:
            r = np.maximum(half + sign * zp * s / (2 * np.sqrt(e)), 0.0)
            return np.where(placed, r**2, np.nan)

        limits = {
            "funnel_low95": limit(_Z95, -1),
            "funnel_high95": limit(_Z95, +1),
            "funnel_low998": limit(_Z998, -1),
            "funnel_high998": limit(_Z998, +1),
        }
    informative = placed & ~((lo == 0) & np.isinf(hi))
    flag = np.full(len(e), "onbekend", dtype=object)
    flag[informative] = "binnen grenzen"
    flag[informative & (z_high < -_Z95 * s)] = "onder 95%-grens"
    flag[informative & (z_high < -_Z998 * s)] = "onder 99,8%-grens"
    flag[informative & (z_low > _Z95 * s)] = "boven 95%-grens"
    flag[informative & (z_low > _Z998 * s)] = "boven 99,8%-grens"
    return pd.DataFrame({"z": z, "phi": phi, **limits, "funnel": flag})
