"""Relative risks of a share (a count that is part of another published count) from censored counts.

For an indicator counted among the events of another (hermeldingen among meldingen) the count is
binomial: Y_i | N_i, π_i ~ Binomial(N_i, π_i), and the relative risk is θ_i = π_i / r_i with r_i the
reference share. Reading it as Poisson(E_i θ_i) over an exact N_i overstates its noise by 1/(1 − π)
(about 1.6 at π = 0.38): the prior fit then credits too little variation to the areas and hidden
cells get intervals that are too narrow. Here π_i ~ Beta with mean r_i μ and the between-area
coefficient of variation 1/√α of the Poisson–Gamma model (so ``alpha`` and ``mean`` mean the same
thing in both models), Y_i is read as its censored interval with the same public split rule for
hidden cells (:func:`insights.risk.poisson_gamma.censored_loglik`), and the denominator N_i, itself a
published rounded count, is any whole number of its rounding interval with equal prior weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from insights.risk.poisson_gamma import (
    _LOG_MEAN_BOUNDS,
    GammaPrior,
    _grid_parts,
    hidden_weight_from_total,
    hidden_weight_mle,
    maximise_prior,
)

__all__ = ["beta_shape", "fit_share_prior", "share_posterior"]

_MIN_PRECISION = 1e-3  # a + b of the Beta prior never below this (alpha below π/(1 − π) asks for it)


def beta_shape(reference_share: np.ndarray, alpha: float, mean) -> tuple[np.ndarray, np.ndarray]:
    """Beta(a, b) per area with mean r·μ and coefficient of variation 1/√α (as the Gamma prior).

    Parameters
    ----------
    reference_share : r per area (a fraction in (0, 1)).
    alpha : Gamma-equivalent shape, 1 / CV² of the relative risk (dimensionless).
    mean : prior mean relative risk μ (scalar or per area).

    Returns
    -------
    ``(a, b)`` arrays: m = min(r μ, 1 − 1e-6), a + b = α (1 − m) / m − 1 (at least 1e-3).
    """
    m = np.clip(np.asarray(reference_share, float) * np.asarray(mean, float), 1e-9, 1 - 1e-6)
    s = np.maximum(alpha * (1 - m) / m - 1, _MIN_PRECISION)
    return m * s, (1 - m) * s


@dataclass(frozen=True)
class _Rows:
    """Every (denominator N, count y) an area's published figures allow, one row each (areas contiguous)."""

    area: np.ndarray
    n: np.ndarray
    y: np.ndarray
    log_const: np.ndarray  # log C(N, y) − log(number of N values of the area)
    starts: np.ndarray  # first row of each area in ``areas``
    areas: np.ndarray  # areas with at least one row, ascending


def _rows(lo, hi, n_lo, n_hi, areas: np.ndarray) -> _Rows:
    n_width = (n_hi[areas] - n_lo[areas] + 1).astype(np.int64)
    a1 = np.repeat(areas, n_width)
    n = n_lo[a1] + (np.arange(n_width.sum()) - np.repeat(np.cumsum(n_width) - n_width, n_width))
    y_hi = np.minimum(hi[a1], n)
    width = np.maximum(y_hi - lo[a1] + 1, 0).astype(np.int64)
    area = np.repeat(a1, width)
    y = lo[area] + (np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width))
    n = np.repeat(n, width)
    log_const = (special.gammaln(n + 1) - special.gammaln(y + 1) - special.gammaln(n - y + 1)
                 - np.log(n_hi[area] - n_lo[area] + 1))
    has, starts = np.unique(area, return_index=True)
    return _Rows(area=area, n=n, y=y, log_const=log_const, starts=starts.astype(np.int64), areas=has)


def _segment_lse(values: np.ndarray, rows: _Rows) -> np.ndarray:
    """log Σ exp(values) per area of ``rows.areas`` (−inf where all are −inf)."""
    if len(rows.starts) == 0:
        return np.zeros(0)
    peak = np.maximum.reduceat(values, rows.starts)
    safe = np.where(np.isfinite(peak), peak, 0.0)
    sizes = np.diff(np.append(rows.starts, len(values)))
    with np.errstate(divide="ignore"):
        return safe + np.log(np.add.reduceat(np.exp(values - np.repeat(safe, sizes)), rows.starts))


def _log_rows(rows: _Rows, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log P(N, y) per row: uniform N over its interval, beta-binomial y given N."""
    ar = rows.area
    return rows.log_const + special.betaln(rows.y + a[ar], rows.n - rows.y + b[ar]) - special.betaln(a[ar], b[ar])


def _pieces(rows: _Rows, logp: np.ndarray, split: np.ndarray, n_areas: int) -> tuple[np.ndarray, np.ndarray]:
    """log P(count below the split), log P(at or above it) per area (−inf where a piece is empty)."""
    upper = rows.y >= split[rows.area]
    out = []
    for part in (~upper, upper):
        lp = np.full(n_areas, -np.inf)
        lp[rows.areas] = _segment_lse(np.where(part, logp, -np.inf), rows)
        out.append(lp)
    return out[0], out[1]


def _arrays(low, high, trials_low, trials_high, reference_share, split):
    lo, hi, n_lo, n_hi, r = (np.asarray(x, dtype=float) for x in (low, high, trials_low, trials_high,
                                                                  reference_share))
    if not (lo.shape == hi.shape == n_lo.shape == n_hi.shape == r.shape):
        raise ValueError("low, high, trials_low, trials_high and reference_share differ in length")
    if np.isnan(n_lo).any() or np.isnan(n_hi).any() or (n_lo < 0).any() or (n_hi < n_lo).any():
        raise ValueError("each denominator interval needs 0 <= trials_low <= trials_high (drop areas without one)")
    if np.isnan(r).any() or (r <= 0).any() or (r >= 1).any():
        raise ValueError("reference_share must lie strictly between 0 and 1 for every area")
    if np.isnan(lo).any() or np.isnan(hi).any() or (lo < 0).any() or (hi < lo).any():
        raise ValueError("each count interval needs 0 <= low <= high")
    sp = np.full(len(lo), np.inf) if split is None else np.broadcast_to(np.asarray(split, float), lo.shape).copy()
    sp[np.isnan(sp)] = np.inf
    hi = np.minimum(hi, n_hi)  # a part never exceeds its whole
    informative = ~((lo == 0) & (hi >= n_hi) & np.isinf(sp))
    return lo, hi, n_lo, n_hi, r, sp, informative


def fit_share_prior(
    low, high, trials_low, trials_high, reference_share, *, prior_mean=None, split=None, exposed=None,
    hidden_total: float | None = None, in_total=None, min_areas: int = 3,
) -> GammaPrior:
    """Fit the prior of the relative risk of a share across reference areas (beta-binomial ML).

    Parameters
    ----------
    low, high : closed interval of true counts per area (``high`` may be ``inf``; it is cut at
        ``trials_high``), as from :func:`insights.risk.censoring.count_interval`.
    trials_low, trials_high : closed interval of the true denominator count per area (the rounding
        interval of the published denominator).
    reference_share : reference share r per area (events per unit of denominator, in (0, 1)).
    prior_mean : optional prior mean relative risk per area (then only the shape is fitted).
    split, exposed, hidden_total, in_total : the public reading of hidden cells, exactly as in
        :func:`insights.risk.poisson_gamma.fit_gamma_prior`.
    min_areas : fewest informative areas a fit accepts.

    Returns
    -------
    :class:`insights.risk.poisson_gamma.GammaPrior` with ``alpha`` = 1 / CV² of the relative risk
    (Gamma-equivalent shape, same bounds) and ``mean`` = prior mean relative risk μ; the Beta prior
    of area i is :func:`beta_shape` (r_i, α, μ).
    """
    lo, hi, n_lo, n_hi, r, sp, informative = _arrays(low, high, trials_low, trials_high, reference_share, split)
    if int(informative.sum()) < min_areas:
        raise ValueError(f"need at least {min_areas} informative areas, got {int(informative.sum())}")
    exp_ = np.zeros(len(lo), bool) if exposed is None else np.asarray(exposed, bool)
    rows = _rows(lo, hi, n_lo, n_hi, np.flatnonzero(informative))
    has_split = np.isfinite(sp) & (lo < sp)
    split_areas = informative & has_split
    plain = informative & ~has_split
    n_exposed = int((exp_ & ~has_split).sum())
    covered = None
    residual = 0.0 if hidden_total is None else float(hidden_total)
    if hidden_total is not None and in_total is not None:
        c = np.asarray(in_total, bool) & split_areas
        if c.any():
            covered = c

    def loglik(mean, alpha: float) -> tuple[float, float]:
        a, b = beta_shape(r, alpha, mean)
        logp = _log_rows(rows, a, b)
        lb, la = _pieces(rows, logp, sp, len(lo))
        total = float(lb[plain].sum())
        q = 0.0
        if split_areas.any():
            if covered is not None:
                upper = rows.y >= sp[rows.area]
                p = np.exp(logp)
                below, above, mean_below, mean_above = (
                    np.bincount(rows.area, weights=w, minlength=len(lo))[covered]
                    for w in (p * ~upper, p * upper, p * rows.y * ~upper, p * rows.y * upper))
                q = hidden_weight_from_total(below, above, mean_below, mean_above, float(residual))
            else:
                q = hidden_weight_mle(lb[split_areas], la[split_areas], n_exposed)
            with np.errstate(divide="ignore"):
                mixed = np.logaddexp(lb[split_areas], np.log(q) + la[split_areas]) if q < 1 else np.logaddexp(
                    lb[split_areas], la[split_areas])
            total += float(mixed.sum()) + n_exposed * float(np.log1p(-min(q, 1 - 1e-12)))
        return total, q

    n_inf = int(informative.sum())
    if prior_mean is not None:
        return maximise_prior(loglik, [], n_areas=n_inf, prior_mean=prior_mean)
    pub = plain & np.isfinite(hi)
    m0 = float(((lo[pub] + hi[pub]) / 2).sum() / (r[pub] * (n_lo[pub] + n_hi[pub]) / 2).sum()) if pub.sum() >= 3 \
        else 1.0
    starts = [np.array([np.clip(np.log(max(m0, 1e-3)), *_LOG_MEAN_BOUNDS), np.log(a0)]) for a0 in (5.0, 50.0)]
    return maximise_prior(loglik, starts, n_areas=n_inf)


def share_posterior(
    low, high, trials_low, trials_high, reference_share, alpha: float, mean, *,
    intervals: tuple[float, ...] = (0.90, 0.95), split=None, hidden_weight: float = 1.0, shape_grid=None,
) -> pd.DataFrame:
    """Posterior of the relative risk of a share per area (mixture of Beta posteriors).

    Parameters
    ----------
    low, high, trials_low, trials_high, reference_share, split : as in :func:`fit_share_prior`.
    alpha, mean : the fitted prior (:class:`~insights.risk.poisson_gamma.GammaPrior` ``alpha``, ``mean``).
    intervals : widths of the central posterior intervals.
    hidden_weight : q, the weight of counts at or above ``split`` in a hidden cell.
    shape_grid : optional ``(shapes, weights[, means])`` to integrate over (:attr:`GammaPrior.shape_grid`).

    Returns
    -------
    The columns of :func:`insights.risk.poisson_gamma.gamma_posterior`: ``rr`` = E[π]/r,
    ``rr_low<w>``/``rr_high<w>``, ``p_exceed`` = P(π > r), ``shrinkage`` = N/(N + a + b) at the middle of
    the denominator interval (0 for an uninformative cell, whose posterior is the prior).

    Notes
    -----
    Each allowed (N, y) gives the component Beta(a + y, b + N − y) with weight ∝ P(N) × beta-binomial
    P(y | N) (× q for y ≥ split when the interval also holds lower counts).
    """
    lo, hi, n_lo, n_hi, r, sp, informative = _arrays(low, high, trials_low, trials_high, reference_share, split)
    n = len(lo)
    shapes, shape_w, means = _grid_parts(shape_grid, alpha, mean)
    rows = _rows(lo, hi, n_lo, n_hi, np.flatnonzero(informative))
    no_rows = np.ones(n, bool)
    no_rows[rows.areas] = False  # the prior stands for cells without rows
    weighted = (rows.y >= sp[rows.area]) & (lo[rows.area] < sp[rows.area])
    parts = []
    for a_k, w_k, m_k in zip(shapes, shape_w, means, strict=True):
        a, b = beta_shape(r, a_k, m_k)
        logw = _log_rows(rows, a, b)
        if weighted.any() and hidden_weight < 1:
            with np.errstate(divide="ignore"):
                logw = np.where(weighted, logw + np.log(hidden_weight), logw)
        total = np.zeros(n)
        total[rows.areas] = _segment_lse(logw, rows)
        w = np.exp(logw - total[rows.area]) * w_k
        keep = w > 1e-12 * w_k
        prior = np.flatnonzero(no_rows)
        parts.append((np.concatenate([rows.area[keep], prior]),
                      np.concatenate([a[rows.area[keep]] + rows.y[keep], a[prior]]),
                      np.concatenate([b[rows.area[keep]] + rows.n[keep] - rows.y[keep], b[prior]]),
                      np.concatenate([w[keep], np.full(len(prior), w_k)])))
    area, ca, cb, cw = (np.concatenate([p[i] for p in parts]) for i in range(4))
    order = np.argsort(area, kind="stable")
    area, ca, cb, cw = area[order], ca[order], cb[order], cw[order]
    out: dict[str, np.ndarray] = {"rr": np.bincount(area, weights=cw * ca / (ca + cb), minlength=n) / r}
    names = ["rr"]
    for width in intervals:
        if not 0 < width < 1:
            raise ValueError(f"interval widths must lie between 0 and 1, got {width}")
        tag = f"{round(100 * width):d}"
        for name, q in ((f"rr_low{tag}", (1 - width) / 2), (f"rr_high{tag}", (1 + width) / 2)):
            out[name] = _beta_mixture_quantile(q, area, ca, cb, cw, n) / r
            names.append(name)
    out["p_exceed"] = np.bincount(area, weights=cw * special.betainc(cb, ca, 1 - r[area]), minlength=n)
    a_mid, b_mid = beta_shape(r, float(alpha), mean)
    n_mid = (n_lo + n_hi) / 2
    out["shrinkage"] = np.where(informative & ~no_rows, n_mid / (n_mid + a_mid + b_mid), 0.0)
    return pd.DataFrame({k: out[k] for k in [*names, "p_exceed", "shrinkage"]})


def _beta_mixture_quantile(q: float, area, a, b, w, n: int, iterations: int = 60) -> np.ndarray:
    """q-quantile per area of Σ w Beta(a, b) (components sorted by area): Newton's method from the
    Beta with the mixture's mean and variance, kept inside a shrinking bracket in (0, 1)."""
    m1 = np.bincount(area, weights=w * a / (a + b), minlength=n)
    m2 = np.bincount(area, weights=w * a * (a + 1) / ((a + b) * (a + b + 1)), minlength=n)
    var = np.clip(m2 - m1**2, 1e-300, None)
    s = np.maximum(m1 * (1 - m1) / var - 1, 1e-6)
    x = np.clip(special.betaincinv(m1 * s, (1 - m1) * s, q), 1e-12, 1 - 1e-12)
    log_norm = np.log(np.maximum(w, 1e-300)) - special.betaln(a, b)
    low, high = np.zeros(n), np.ones(n)
    active = np.ones(n, bool)
    for _ in range(iterations):
        rows = active[area]
        ar, xa = area[rows], x[area[rows]]
        cdf = np.bincount(ar, weights=w[rows] * special.betainc(a[rows], b[rows], xa), minlength=n)
        pdf = np.bincount(ar, weights=np.exp(log_norm[rows] + (a[rows] - 1) * np.log(xa)
                                             + (b[rows] - 1) * np.log1p(-xa)), minlength=n)
        idx = np.flatnonzero(active)
        c, f, xi = cdf[idx], pdf[idx], x[idx]
        below = c < q
        low[idx] = np.where(below, xi, low[idx])
        high[idx] = np.where(below, high[idx], xi)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = xi - (c - q) / f
        inside = np.isfinite(step) & (step > low[idx]) & (step < high[idx])
        new = np.where(inside, step, (low[idx] + high[idx]) / 2)
        x[idx] = new
        active[idx] = np.abs(new - xi) > 1e-10 * np.maximum(xi, 1e-12)
        if not active.any():
            break
    return x
