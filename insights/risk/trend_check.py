"""How often the trend marker fires: simulated false-positive rate and power, for the model card."""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.risk.trend_test import DECREASING, INCREASING, trend_markers

__all__ = ["marker_rates", "simulate_public_series"]


def simulate_public_series(rng: np.random.Generator, expected: np.ndarray, *, periods: int = 5, change: float = 0.0,
                           year_sd: float = 0.08, min_count: int = 10, rounding_base: int = 5) -> pd.DataFrame:
    """Series of public cells (rounded, hidden below the threshold) with a known yearly change.

    Parameters
    ----------
    rng : seeded generator.
    expected : expected count per series in the first period (counts, > 0).
    periods : number of years.
    change : true yearly relative change (0.10 = +10% a year).
    year_sd : SD of the log-normal year-to-year variation per series and year.
    min_count, rounding_base : threshold T (counts below are hidden as [0, T−1]) and rounding base.

    Returns
    -------
    Cells in the shape :func:`insights.risk.trend_test.trend_markers` takes, one area per series
    (level ``wijk``, indicator ``sim``), denominator 1000 per area.
    """
    n = len(expected)
    t = np.arange(periods)
    mu = expected[:, None] * (1 + change) ** t[None, :] * np.exp(rng.normal(0, year_sd, (n, periods)))
    y = rng.poisson(mu)
    value = np.floor(y / rounding_base + 0.5) * rounding_base
    shown = y >= min_count
    low = np.where(shown, np.maximum(value - rounding_base // 2, min_count), 0.0)
    high = np.where(shown, value + (rounding_base - 1) // 2, min_count - 1.0)
    code = np.repeat([f"S{i:06d}" for i in range(n)], periods)
    return pd.DataFrame({
        "code": code, "level": "wijk", "indicator": "sim", "period": np.tile(2020 + t, n),
        "low": low.ravel(), "high": high.ravel(), "informative": True,
        "value": pd.array(np.where(shown, value, np.nan).ravel(), dtype="Float64").round().astype("Int64"),
        "denominator": 1000.0, "rounding_base": rounding_base,
    })


def marker_rates(rng: np.random.Generator, expected: np.ndarray, *, change: float = 0.0,
                 year_sd: float = 0.08) -> dict[str, float]:
    """Share of series with a "stijgend" or "dalend" marker under a known yearly change.

    Returns ``{"any": share with any marker, "up": share "stijgend", "down": share "dalend",
    "series": number of series}``; with ``change`` 0, ``any`` is the false-positive rate.
    """
    markers = trend_markers(simulate_public_series(rng, expected, change=change, year_sd=year_sd))["marker"]
    up, down = float(markers.eq(INCREASING).mean()), float(markers.eq(DECREASING).mean())
    return {"any": up + down, "up": up, "down": down, "series": len(markers)}
