"""Rounding of published counts and what a rounded value says about the true count — defined once.

A count ``n ≥ 0`` is published as the nearest multiple ``v`` of ``base`` (halves upward), so the
true count lies in ``[v - base//2, v + (base-1)//2]``: for base 5 that is ``[v - 2, v + 2]``, for
base 10 ``[v - 5, v + 4]``. Disclosure (which rounds and audits), the scores (which read published
values back) and the release checks all use these functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["round_to_base", "rounding_above", "rounding_below", "rounding_interval"]


def round_to_base(counts: pd.Series, base: int) -> pd.Series:
    """Round non-negative counts (a Series) to the nearest multiple of ``base``, halves upward.

    Missing values stay missing; the result is Int64.
    """
    values = counts.astype("Float64")
    return (np.floor(values / base + 0.5) * base).astype("Int64")


def rounding_below(base: int | np.ndarray) -> int | np.ndarray:
    """How far the true count may lie below a value published with rounding ``base``: ``base // 2``."""
    return base // 2


def rounding_above(base: int | np.ndarray) -> int | np.ndarray:
    """How far the true count may lie above a value published with rounding ``base``: ``(base - 1) // 2``."""
    return (base - 1) // 2


def rounding_interval(value: np.ndarray, base: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """The closed interval of true counts a published ``value`` stands for (floats; low clipped at 0).

    ``value`` and ``base`` are arrays of counts (or a scalar base); NaN values give NaN bounds.
    """
    v = np.asarray(value, dtype=float)
    b = np.asarray(base, dtype=float)
    low = np.maximum(v - np.floor(b / 2), 0.0)
    high = v + np.floor((b - 1) / 2)
    return low, high
