"""Poisson–Gamma empirical Bayes relative risks from interval-censored (hidden or rounded) counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = ["GammaPrior", "fit_gamma_prior", "gamma_posterior", "poisson_gamma_eb"]

# Shape bounds. The upper bound 400 is a floor of 5% on the between-area coefficient of variation
# (CV = 1/sqrt(alpha)): when the data show no variation, the ML shape runs off to infinity and every
# posterior collapses onto the fitted prior mean, so P(RR > 1) would be decided by a 0.5% wobble of
# that mean. No two areas are identical; the floor keeps the signal about the area's own data.
_LOG_ALPHA_BOUNDS = (np.log(1e-2), np.log(400.0))
_LOG_MEAN_BOUNDS = (np.log(1e-3), np.log(1e3))
_TAIL = 1e-12  # mass of the negative-binomial tail left out when an interval has no upper bound


@dataclass(frozen=True)
class GammaPrior:
    """Gamma prior of the relative risk: shape ``alpha``, mean ``mean`` (per area), rate alpha/mean.

    ``mean`` is a scalar for the plain model and an array (one prior mean per area) for the
    spatial variant. ``method`` is ``"ml"`` or ``"moments"``; ``n_areas`` counts the informative
    areas the fit used.
    """

    alpha: float
    mean: float | np.ndarray
    method: str
    n_areas: int
    loglik: float = float("nan")

    def beta(self, n: int) -> np.ndarray:
        """Rate parameter per area (1 / relative-risk units)."""
        return np.broadcast_to(self.alpha / np.asarray(self.mean, dtype=float), (n,)).astype(float)


def _as_arrays(low, high, expected) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    e = np.asarray(expected, dtype=float)
    if not (lo.shape == hi.shape == e.shape):
        raise ValueError(f"low, high and expected differ in length: {lo.shape}, {hi.shape}, {e.shape}")
    if np.isnan(e).any() or (e <= 0).any():
        raise ValueError("expected must be a positive count for every area (drop or flag areas without one)")
    if np.isnan(lo).any() or np.isnan(hi).any() or (lo < 0).any() or (hi < lo).any():
        raise ValueError("each count interval needs 0 <= low <= high")
    if (lo != np.floor(lo)).any() or (np.isfinite(hi) & (hi != np.floor(hi))).any():
        raise ValueError("count interval limits must be whole numbers")
    return lo, hi, e


def _nb_logpmf(y: np.ndarray, alpha: np.ndarray, beta: np.ndarray, e: np.ndarray,
               log_y_factorial: np.ndarray | None = None) -> np.ndarray:
    """log P(Y = y) for Y ~ NegBin marginal of Poisson(E·θ), θ ~ Gamma(alpha, beta)."""
    log_be = np.log(beta + e)
    return (
        special.gammaln(y + alpha)
        - special.gammaln(alpha)
        - (special.gammaln(y + 1) if log_y_factorial is None else log_y_factorial)
        + alpha * (np.log(beta) - log_be)
        + y * (np.log(e) - log_be)
    )


def _nb_logsf(k: np.ndarray, alpha: np.ndarray, beta: np.ndarray, e: np.ndarray) -> np.ndarray:
    """log P(Y > k) for the same negative binomial: I_{E/(β+E)}(k + 1, α)."""
    sf = special.betainc(k + 1, alpha, e / (beta + e))
    return np.log(np.maximum(sf, 1e-300))


@dataclass(frozen=True)
class _Support:
    """Finite intervals expanded to one row per possible count (areas contiguous)."""

    area: np.ndarray  # area index of each row
    y: np.ndarray  # possible count
    starts: np.ndarray  # first row of each area that has rows
    log_y_factorial: np.ndarray  # gammaln(y + 1), fixed during a fit


def _expand(lo: np.ndarray, hi: np.ndarray, areas: np.ndarray) -> _Support:
    width = (hi[areas] - lo[areas] + 1).astype(np.int64)
    area = np.repeat(areas, width)
    starts = (np.cumsum(width) - width).astype(np.int64)
    offset = np.arange(width.sum()) - np.repeat(starts, width)
    y = lo[area] + offset
    return _Support(area=area, y=y, starts=starts, log_y_factorial=special.gammaln(y + 1))


def _segment_logsumexp(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    if len(starts) == 0:
        return np.zeros(0)
    peak = np.maximum.reduceat(values, starts)
    sizes = np.diff(np.append(starts, len(values)))
    return peak + np.log(np.add.reduceat(np.exp(values - np.repeat(peak, sizes)), starts))


def _loglik(lo, hi, e, alpha, beta, finite: _Support, upper_open: np.ndarray) -> float:
    total = 0.0
    if len(finite.y):
        a = finite.area
        lp = _nb_logpmf(finite.y, alpha[a] if alpha.ndim else alpha, beta[a], e[a], finite.log_y_factorial)
        total += _segment_logsumexp(lp, finite.starts).sum()
    if len(upper_open):
        i = upper_open
        total += _nb_logsf(lo[i] - 1, alpha if np.ndim(alpha) == 0 else alpha[i], beta[i], e[i]).sum()
    return float(total)


def fit_gamma_prior(
    low, high, expected, *, prior_mean=None, method: str = "ml", min_areas: int = 3
) -> GammaPrior:
    """Fit the Gamma prior of the relative risk across a set of reference areas.

    Parameters
    ----------
    low, high : per area, the closed interval of true counts the published cell allows (counts;
        ``high`` may be ``inf``), as from :func:`insights.risk.censoring.count_interval`. An exact
        count has ``low == high``; a cell with ``[0, inf)`` carries no information and is skipped.
    expected : expected count per area (denominator × reference rate), > 0.
    prior_mean : optional prior mean relative risk per area (spatial variant, e.g. the gemeente's
        ratio); then only the shape is fitted. Default: one common mean, fitted.
    method : ``"ml"`` (default) maximises the negative-binomial marginal likelihood, with each
        area contributing P(low ≤ Y ≤ high). ``"moments"`` is Marshall's (1991) moment estimator on
        exact counts only; it gives the same point estimates as PySAL ``esda.smoothing.Empirical_Bayes``.
    min_areas : fewest informative areas a fit accepts.

    Returns
    -------
    :class:`GammaPrior`. Where the data show no between-area variation the shape stops at its upper
    bound 400 (a between-area CV of 5%) and areas are shrunk strongly toward the prior mean.

    Notes
    -----
    Model: Y_i | θ_i ~ Poisson(E_i θ_i), θ_i ~ Gamma(α, β) (shape, rate), so marginally
    Y_i ~ NegBin(α, β / (β + E_i)). Optimised with bounded Nelder–Mead over (log mean, log α).

    References
    ----------
    Clayton, D. & Kaldor, J. (1987). Empirical Bayes estimates of age-standardized relative risks for
    use in disease mapping. Biometrics 43, 671–681.
    Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes estimators.
    Applied Statistics 40, 283–294.
    """
    lo, hi, e = _as_arrays(low, high, expected)
    informative = ~((lo == 0) & np.isinf(hi))
    n_inf = int(informative.sum())
    if n_inf < min_areas:
        raise ValueError(f"a prior needs at least {min_areas} informative areas, got {n_inf}")
    if prior_mean is not None:
        prior_mean = np.broadcast_to(np.asarray(prior_mean, dtype=float), e.shape).copy()
        if np.isnan(prior_mean).any() or (prior_mean <= 0).any():
            raise ValueError("prior_mean must be positive for every area")

    if method == "moments":
        if not np.array_equal(lo, hi):
            raise ValueError("the moment estimator needs exact counts (low == high); use method='ml'")
        r = lo / e
        mean = lo.sum() / e.sum() if prior_mean is None else prior_mean
        var = (e * (r - mean) ** 2).sum() / e.sum() - np.mean(mean) / e.mean()
        alpha = float(np.exp(_LOG_ALPHA_BOUNDS[1])) if var <= 0 else float(np.mean(mean) ** 2 / var)
        alpha = float(np.clip(alpha, *np.exp(_LOG_ALPHA_BOUNDS)))
        return GammaPrior(alpha=alpha, mean=mean, method="moments", n_areas=n_inf)
    if method != "ml":
        raise ValueError(f"method must be 'ml' or 'moments', got {method!r}")

    finite_idx = np.flatnonzero(informative & np.isfinite(hi))
    open_idx = np.flatnonzero(informative & np.isinf(hi))
    finite = _expand(lo, hi, finite_idx)

    # Start from moments on interval midpoints (open intervals at their lower end).
    idx = np.flatnonzero(informative)
    mid = np.where(np.isfinite(hi[idx]), (lo[idx] + hi[idx]) / 2, lo[idx])
    m0 = max(mid.sum() / e[idx].sum(), 1e-3)
    v0 = (e[idx] * (mid / e[idx] - m0) ** 2).sum() / e[idx].sum() - m0 / e[idx].mean()
    a0 = m0**2 / v0 if v0 > 0 else 100.0
    a0 = float(np.clip(a0, *np.exp(_LOG_ALPHA_BOUNDS)))
    m0 = float(np.clip(m0, *np.exp(_LOG_MEAN_BOUNDS)))

    if prior_mean is None:

        def nll(p: np.ndarray) -> float:
            mu, alpha = np.exp(p)
            beta = np.full(e.shape, alpha / mu)
            return -_loglik(lo, hi, e, np.float64(alpha), beta, finite, open_idx)

        # Nelder–Mead: two parameters, a flat ridge when alpha runs to its bound; L-BFGS-B with
        # numerical gradients stopped early there and was slower.
        res = optimize.minimize(
            nll, x0=[np.log(m0), np.log(a0)], method="Nelder-Mead",
            bounds=[_LOG_MEAN_BOUNDS, _LOG_ALPHA_BOUNDS], options={"xatol": 1e-5, "fatol": 1e-6},
        )
        mu, alpha = np.exp(res.x)
        return GammaPrior(alpha=float(alpha), mean=float(mu), method="ml", n_areas=n_inf, loglik=-float(res.fun))

    def nll_shape(log_alpha: float) -> float:
        alpha = np.exp(log_alpha)
        return -_loglik(lo, hi, e, np.float64(alpha), alpha / prior_mean, finite, open_idx)

    res = optimize.minimize_scalar(nll_shape, bounds=_LOG_ALPHA_BOUNDS, method="bounded")
    return GammaPrior(
        alpha=float(np.exp(res.x)), mean=prior_mean, method="ml", n_areas=n_inf, loglik=-float(res.fun)
    )


def gamma_posterior(
    low, high, expected, alpha: float, beta, *, intervals: tuple[float, ...] = (0.90, 0.95)
) -> pd.DataFrame:
    """Posterior of the relative risk per area given a Gamma(alpha, beta) prior and a count interval.

    Parameters
    ----------
    low, high : closed interval of true counts per area (``high`` may be ``inf``).
    expected : expected count per area, > 0.
    alpha : prior shape (dimensionless).
    beta : prior rate (1 / relative-risk units), scalar or one per area.
    intervals : widths of the central posterior intervals.

    Returns
    -------
    DataFrame, one row per area in input order: ``rr`` (posterior mean relative risk),
    ``rr_low<w>``/``rr_high<w>`` for each width w in percent (e.g. ``rr_low90``), ``p_exceed``
    = P(RR > 1), ``shrinkage`` = E / (E + beta) (weight of the area's own data in the mean; 0
    for an uninformative cell, whose posterior is the prior).

    Notes
    -----
    With an exact count y the posterior is Gamma(α + y, β + E). With an interval [a, b] it is the
    mixture Σ_y w_y Gamma(α + y, β + E), w_y ∝ P(Y = y) under the negative-binomial marginal,
    y = a..b. Open intervals are cut where the marginal tail mass falls below 1e-12. A cell with
    ``[0, inf)`` returns the prior itself. Quantiles of mixtures are found by safeguarded Newton
    iterations between the smallest and largest component quantile.

    Examples
    --------
    >>> gamma_posterior([3], [3], [1.0], alpha=2.0, beta=2.0)["rr"].round(4).tolist()
    [1.6667]
    """
    lo, hi, e = _as_arrays(low, high, expected)
    n = len(e)
    beta = np.broadcast_to(np.asarray(beta, dtype=float), (n,)).astype(float)
    alpha = float(alpha)
    informative = ~((lo == 0) & np.isinf(hi))

    # Cut open intervals at the upper tail of the marginal.
    hi_cut = hi.copy()
    open_ = informative & np.isinf(hi)
    if open_.any():
        p = beta[open_] / (beta[open_] + e[open_])
        hi_cut[open_] = np.maximum(lo[open_], stats.nbinom.ppf(1 - _TAIL, alpha, p))

    areas = np.flatnonzero(informative)
    sup = _expand(lo, hi_cut, areas)
    a = sup.area
    logw = _nb_logpmf(sup.y, alpha, beta[a], e[a])
    sizes = np.diff(np.append(sup.starts, len(sup.y)))
    logw -= np.repeat(_segment_logsumexp(logw, sup.starts), sizes)
    w = np.exp(logw)
    keep = w > 1e-14  # negligible tail components of open intervals
    a, w, sup_y = a[keep], w[keep], sup.y[keep]

    # Uninformative cells: one component, the prior.
    prior_rows = np.flatnonzero(~informative)
    comp_area = np.concatenate([a, prior_rows])
    comp_shape = np.concatenate([alpha + sup_y, np.full(len(prior_rows), alpha)])
    comp_rate = np.concatenate([beta[a] + e[a], beta[prior_rows]])
    comp_w = np.concatenate([w, np.ones(len(prior_rows))])
    order = np.argsort(comp_area, kind="stable")  # areas contiguous, counts ascending within an area
    comp_area, comp_shape, comp_rate, comp_w = comp_area[order], comp_shape[order], comp_rate[order], comp_w[order]

    def per_area(x: np.ndarray) -> np.ndarray:
        return np.bincount(comp_area, weights=comp_w * x, minlength=n)

    out: dict[str, np.ndarray] = {"rr": per_area(comp_shape / comp_rate)}
    probs: list[tuple[str, float]] = []
    for width in intervals:
        if not 0 < width < 1:
            raise ValueError(f"interval widths must lie between 0 and 1, got {width}")
        tag = f"{round(100 * width):d}"
        probs += [(f"rr_low{tag}", (1 - width) / 2), (f"rr_high{tag}", (1 + width) / 2)]
    for name, q in probs:
        out[name] = _mixture_quantile(q, comp_area, comp_shape, comp_rate, comp_w, n)
    out["p_exceed"] = per_area(special.gammaincc(comp_shape, comp_rate))
    out["shrinkage"] = np.where(informative, e / (e + beta), 0.0)
    order = ["rr"] + [name for name, _ in probs] + ["p_exceed", "shrinkage"]
    return pd.DataFrame({k: out[k] for k in order})


def _mixture_quantile(q, area, shape, rate, w, n, iterations: int = 30) -> np.ndarray:
    """q-quantile per area of Σ w Gamma(shape, rate), components sorted by area.

    Single components: exact (``gammaincinv``). Mixtures: Newton's method from the Gamma with the
    mixture's mean and variance (usually within 1e-4 of the root), kept inside a bracket that
    shrinks with every step (bisection, or doubling while no upper end is known, when a step
    leaves it); stops at a relative change of 1e-10.
    """
    counts = np.bincount(area, minlength=n)
    single = counts == 1
    m1 = np.bincount(area, weights=w * shape / rate, minlength=n)
    m2 = np.bincount(area, weights=w * shape * (shape + 1) / rate**2, minlength=n)
    var = np.maximum(m2 - m1**2, 1e-300)
    x = special.gammaincinv(m1**2 / var, q) * var / m1  # exact where the area has one component
    mixed = ~single
    if not mixed.any():
        return x
    keep = mixed[area]
    ar, sh, ra, ww = area[keep], shape[keep], rate[keep], w[keep]
    with np.errstate(divide="ignore"):
        log_norm = np.log(ww) + sh * np.log(ra) - special.gammaln(sh)
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    active = mixed.copy()
    for _ in range(iterations):
        rows = active[ar]
        a_, sh_, ra_, ww_, ln_ = ar[rows], sh[rows], ra[rows], ww[rows], log_norm[rows]
        xa = x[a_]
        cdf = np.bincount(a_, weights=ww_ * special.gammainc(sh_, ra_ * xa), minlength=n)
        pdf = np.bincount(a_, weights=np.exp(ln_ + (sh_ - 1) * np.log(xa) - ra_ * xa), minlength=n)
        idx = np.flatnonzero(active)
        c, f, xi = cdf[idx], pdf[idx], x[idx]
        below = c < q
        lo[idx] = np.where(below, xi, lo[idx])
        hi[idx] = np.where(below, hi[idx], xi)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = xi - (c - q) / f
        inside = np.isfinite(step) & (step >= lo[idx]) & (step <= hi[idx])
        fallback = np.where(np.isfinite(hi[idx]), (lo[idx] + hi[idx]) / 2, 2 * xi)
        new = np.where(inside, step, fallback)
        x[idx] = new
        active[idx] = np.abs(new - xi) > 1e-10 * np.maximum(np.abs(xi), 1e-12)
        if not active.any():
            break
    return x


def poisson_gamma_eb(
    low,
    high,
    expected,
    *,
    prior_mean=None,
    method: str = "ml",
    intervals: tuple[float, ...] = (0.90, 0.95),
) -> pd.DataFrame:
    """Poisson–Gamma empirical Bayes relative risk per area from count intervals.

    Parameters
    ----------
    low, high : closed interval of true counts per area (see :func:`fit_gamma_prior`).
    expected : expected count per area (a count, not a rate), > 0.
    prior_mean : optional per-area prior mean (spatial variant); default one fitted mean.
    method : prior estimator, ``"ml"`` (interval-censored marginal likelihood) or ``"moments"``.
    intervals : widths of the central posterior intervals.

    Returns
    -------
    :func:`gamma_posterior`'s frame plus ``prior_alpha`` and ``prior_mean``, in input order.

    Notes
    -----
    Fits the prior on all areas passed (the reference set), then computes each area's posterior.
    Hidden counts enter as intervals (``onder_drempel`` as [0, T−1], rounded values as
    [v−2, v+2]), never as 0.
    """
    prior = fit_gamma_prior(low, high, expected, prior_mean=prior_mean, method=method)
    n = len(np.asarray(expected))
    post = gamma_posterior(low, high, expected, prior.alpha, prior.beta(n), intervals=intervals)
    post["prior_alpha"] = prior.alpha
    post["prior_mean"] = np.broadcast_to(np.asarray(prior.mean, dtype=float), (n,))
    return post
