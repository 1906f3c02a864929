"""Negative-binomial (NB2) log-linear regression on interval-censored counts, many small series at once.

The outcome of each observation is an interval of counts ``[low, high]`` (a rounded published value,
a hidden cell's interval, or an exact count when ``low == high``); the dispersion ``alpha`` is given.
Because the NB2 log-likelihood in the coefficients is linear in y, the EM algorithm is exact: the
E-step replaces y by E[y | low ≤ y ≤ high] under the current fit, the M-step is an ordinary NB2
fit (iteratively reweighted least squares). The observed information follows Louis (1982):
complete-data information minus the conditional variance of the complete-data score.

Pure functions over arrays; used by :mod:`insights.risk.trend_test` (one series per area) and
:mod:`insights.risk.did` (one model per intervention).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats
from threadpoolctl import threadpool_limits

__all__ = ["CensoredFit", "conditional_moments", "fit_censored_nb"]


def _nb_logpmf(y: np.ndarray, mu: np.ndarray, alpha: float) -> np.ndarray:
    if alpha <= 0:
        return stats.poisson.logpmf(y, mu)
    k = 1.0 / alpha
    return (special.gammaln(y + k) - special.gammaln(k) - special.gammaln(y + 1)
            + k * np.log(k / (k + mu)) + y * np.log(mu / (k + mu)))


def conditional_moments(low: np.ndarray, high: np.ndarray, mu: np.ndarray, alpha: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of y ~ NB2(mu, alpha) given low ≤ y ≤ high (``high`` may be ``inf``).

    Exact cells (``low == high``) return (low, 0). Intervals are summed over their support; open
    intervals are closed 12 standard deviations above the mean (an open interval whose lower end lies
    8 standard deviations below the mean returns the unconditional moments, as
    does an interval wider than 10^5 counts).
    """
    low, high, mu = (np.asarray(a, dtype=float) for a in (low, high, mu))
    mean = low.copy()
    var = np.zeros(len(low))
    wide = high > low
    if not wide.any():
        return mean, var
    var_full = mu + alpha * mu * mu
    sd = np.sqrt(var_full)
    open_all = ~np.isfinite(high)
    # An open interval far below the mean leaves the distribution as it is.
    # (and so, as an approximation, does one too wide to sum: more than 10^5 counts).
    free = wide & ((open_all & (low < mu - 8 * sd)) | (np.where(open_all, mu + 12 * sd, high) - low > 1e5))
    mean[free], var[free] = mu[free], var_full[free]
    idx = np.flatnonzero(wide & ~free)
    if not len(idx):
        return mean, var
    hi = high[idx].copy()
    open_ = ~np.isfinite(hi)
    if open_.any():
        m, s = mu[idx][open_], sd[idx][open_]
        hi[open_] = np.maximum(low[idx][open_], m) + 12 * s + 50
    width = (hi - low[idx] + 1).astype(np.int64)
    rep = np.repeat(np.arange(len(idx)), width)
    starts = np.cumsum(width) - width
    y = low[idx][rep] + (np.arange(width.sum()) - starts[rep])
    lp = _nb_logpmf(y, mu[idx][rep], alpha)
    peak = np.maximum.reduceat(lp, starts)
    w = np.exp(lp - peak[rep])
    total = np.add.reduceat(w, starts)
    m1 = np.add.reduceat(w * y, starts) / total
    m2 = np.add.reduceat(w * y * y, starts) / total
    mean[idx] = m1
    var[idx] = np.maximum(m2 - m1 * m1, 0.0)
    return mean, var


@dataclass(frozen=True)
class CensoredFit:
    """Coefficients ``params`` (n_series × p), covariance ``cov`` (n_series × p × p), fitted means
    ``mu`` (n_series × t) and ``converged`` (n_series,) of :func:`fit_censored_nb`."""

    params: np.ndarray
    cov: np.ndarray
    mu: np.ndarray
    converged: np.ndarray


def fit_censored_nb(*args: object, **kwargs: object) -> CensoredFit:
    """See :func:`_fit`; BLAS is held to one thread (the matrices are tiny: threads only contend)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit(*args, **kwargs)  # type: ignore[arg-type]


def _fit(
    low: np.ndarray,
    high: np.ndarray,
    exog: np.ndarray,
    offset: np.ndarray,
    *,
    alpha: float,
    weight: np.ndarray | None = None,
    max_iter: int = 500,
    tol: float = 1e-7,
) -> CensoredFit:
    """Maximum-likelihood NB2 fit per series of interval-censored counts.

    Parameters
    ----------
    low, high : (n_series, t) count bounds; ``high`` may be ``inf``.
    exog : (t, p) design shared by all series, or (n_series, t, p).
    offset : (n_series, t) log exposure (log denominator).
    alpha : NB2 dispersion (Var y = mu + alpha mu²); 0 gives Poisson.
    weight : (n_series, t) 1 for observations used, 0 for those left out (e.g. uninformative cells).
    max_iter, tol : EM / Fisher-scoring stopping rule (largest change of a coefficient).

    Returns
    -------
    :class:`CensoredFit`. With exact counts the result equals statsmodels
    ``GLM(family=NegativeBinomial(alpha=alpha), offset=offset)`` (coefficients and ``cov_params``).

    Notes
    -----
    One Fisher-scoring step per E-step (a generalised EM, converging to the same maximum).
    Covariance by Louis' formula: I = X'WX − X' diag(Var(y | interval) / (1 + alpha mu)²) X with
    W = mu / (1 + alpha mu).

    References
    ----------
    Louis, T. A. (1982). Finding the observed information matrix when using the EM algorithm.
    JRSS B 44, 226–233.
    """
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    n, t = low.shape
    x = np.asarray(exog, dtype=float)
    if x.ndim == 2:
        x = np.broadcast_to(x, (n, *x.shape))
    p = x.shape[2]
    w_obs = np.ones((n, t)) if weight is None else np.asarray(weight, dtype=float)
    off = np.where(w_obs > 0, np.asarray(offset, dtype=float), 0.0)
    start_y = np.where(w_obs > 0, np.where(np.isfinite(high), (low + high) / 2, np.maximum(low, 0.5)), 0.0)
    rate = (w_obs * start_y).sum(1) / np.maximum((w_obs * np.exp(off)).sum(1), 1e-300)
    beta = np.zeros((n, p))
    beta[:, 0] = np.log(np.maximum(rate, 1e-8))  # the first column is the constant
    converged = np.zeros(n, dtype=bool)
    flat_lo, flat_hi = low.ravel(), high.ravel()
    active = np.ones(n, dtype=bool)
    for _ in range(max_iter):
        a = np.flatnonzero(active)
        if not len(a):
            break
        xa = x[a]
        eta = np.matmul(xa, beta[a][..., None])[..., 0] + off[a]
        mu = np.exp(np.clip(eta, -50, 50))
        cells = (a[:, None] * t + np.arange(t)).ravel()
        ey, _ = conditional_moments(flat_lo[cells], flat_hi[cells], mu.ravel(), alpha)
        ey = ey.reshape(len(a), t)
        wgt = w_obs[a] * mu / (1 + alpha * mu)
        score = np.matmul(np.swapaxes(xa, 1, 2), (w_obs[a] * (ey - mu) / (1 + alpha * mu))[..., None])[..., 0]
        info = np.matmul(np.swapaxes(xa * wgt[..., None], 1, 2), xa)
        step = np.linalg.solve(info + 1e-12 * np.eye(p), score[..., None])[..., 0]
        step = np.clip(step, -5, 5)
        beta[a] += step
        done = np.abs(step).max(1) < tol
        converged[a[done]] = True
        active[a[done]] = False
    eta = np.matmul(x, beta[..., None])[..., 0] + off
    mu = np.exp(np.clip(eta, -50, 50))
    _, vy = conditional_moments(flat_lo, flat_hi, mu.ravel(), alpha)
    vy = vy.reshape(n, t)
    wgt = w_obs * (mu / (1 + alpha * mu) - vy / (1 + alpha * mu) ** 2)
    info = np.matmul(np.swapaxes(x * wgt[..., None], 1, 2), x)
    cov = np.full((n, p, p), np.nan)
    sign, logdet = np.linalg.slogdet(info)
    ok = (sign > 0) & (logdet > np.log(1e-12))
    cov[ok] = np.linalg.inv(info[ok])
    return CensoredFit(params=beta, cov=cov, mu=mu, converged=converged)
