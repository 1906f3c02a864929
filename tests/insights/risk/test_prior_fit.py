"""The prior fit finds its optimum (also from a start at log mean 0) and says when the shape is at its bound."""

import numpy as np
import pytest
from scipy import optimize

from insights.risk.poisson_gamma import censored_loglik, fit_gamma_prior


def gemeente_like(seed: int):
    """30 large areas, rounded counts, E scaled so the closed-form start has log mean exactly 0 —
    the case where scipy's default simplex (a step of 0.00025 on a zero coordinate) stalled."""
    rng = np.random.default_rng(seed)
    e = rng.uniform(200, 3000, 30)
    y = rng.poisson(e * rng.gamma(20, 1 / 20, 30)).astype(float)
    e = e * y.sum() / e.sum()
    return np.maximum(y - 2, 0), y + 2, e


def profile_maximum(lo, hi, e) -> float:
    """Maximum of the log-likelihood by a fine profile over the mean (shape optimised per mean)."""
    best = -np.inf
    for mean in np.linspace(0.94, 1.06, 49):
        res = optimize.minimize_scalar(
            lambda la, mean=mean: -censored_loglik(lo, hi, e, np.exp(la), np.exp(la) / mean).sum(),
            bounds=(np.log(1.0), np.log(400.0)), method="bounded", options={"xatol": 1e-6})
        best = max(best, -res.fun)
    return best


@pytest.mark.parametrize("seed", [4, 5])
def test_fit_reaches_the_profile_maximum_from_a_start_at_log_mean_zero(seed):
    lo, hi, e = gemeente_like(seed)
    fit = fit_gamma_prior(lo, hi, e)
    assert fit.gradient < 1e-3
    assert fit.loglik >= profile_maximum(lo, hi, e) - 1e-3
    assert abs(fit.mean - 1.0) > 0.01  # the optimum is not the start (the stalled fit stayed at 1.0)


def test_under_dispersed_counts_put_the_shape_at_its_bound_and_say_so():
    # Shares (hermeldingen per melding) are binomial: less spread than Poisson.
    rng = np.random.default_rng(7)
    n = rng.integers(20, 200, 300)
    y = rng.binomial(n, 0.38).astype(float)
    fit = fit_gamma_prior(y, y, n * 0.38)
    assert fit.shape_at_bound and fit.alpha == pytest.approx(400.0, rel=1e-3)
    spread = rng.poisson(n * 0.38 * rng.gamma(4, 0.25, 300)).astype(float)
    assert not fit_gamma_prior(spread, spread, n * 0.38).shape_at_bound


def test_shape_grid_weights_sum_to_one_and_hold_the_optimum():
    lo, hi, e = gemeente_like(4)
    fit = fit_gamma_prior(lo, hi, e)
    shapes, weights, means = fit.shape_grid
    assert weights.sum() == pytest.approx(1.0)
    assert shapes.min() <= fit.alpha <= shapes.max()
    assert len(shapes) >= 3  # the shape's uncertainty is carried, not a single point
    assert means[np.argmin(abs(shapes - fit.alpha))] == pytest.approx(fit.mean, rel=1e-3)


def test_shape_grid_follows_the_profile_where_mean_and_shape_are_correlated():
    """Heavily censored counts (most below 10): the mean re-fitted per shape moves with the shape, and the
    profile puts more weight on small shapes (more spread) than the slice at the fitted mean would."""
    rng = np.random.default_rng(3)
    e = rng.lognormal(np.log(4), 0.8, 2000)
    y = rng.poisson(e * rng.gamma(8, 1 / 8, 2000)).astype(float)
    hidden = y < 10
    lo, hi = np.where(hidden, 0, np.maximum(y - 2, 10)), np.where(hidden, 9, y + 2)
    fit = fit_gamma_prior(lo, hi, e)
    shapes, weights, means = fit.shape_grid
    assert np.ptp(means) > 0.005
    log_w = np.array([censored_loglik(lo, hi, e, a, a / fit.mean).sum() for a in shapes]) - np.log(shapes)
    sliced = np.exp(log_w - log_w.max())
    sliced /= sliced.sum()
    small = shapes < fit.alpha
    assert weights[small].sum() > sliced[small].sum()
