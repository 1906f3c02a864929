"""A share (hermeldingen among meldingen) is scored as binomial over a rounded denominator, not as Poisson."""

from pathlib import Path

import numpy as np
from scipy import stats

from insights.disclosure.primary import Status
from insights.disclosure.rules import parse_rules
from insights.risk import score
from insights.risk.beta_binomial import beta_shape, fit_share_prior, share_posterior
from insights.risk.calibration import calibration_measures
from insights.risk.poisson_gamma import fit_gamma_prior
from insights.risk.simulate import simulate_published

RULES = parse_rules((Path(__file__).resolve().parents[3] / "rules" / "disclosure.toml").read_text(encoding="utf-8"))


def test_an_exact_count_over_an_exact_denominator_gives_the_beta_posterior():
    r, alpha, mean = np.array([0.4, 0.4]), 10.0, 1.1
    a, b = beta_shape(r, alpha, mean)
    assert np.allclose(a / (a + b), 0.44)
    assert np.allclose((1 - 0.44) / (0.44 * (a + b + 1)), 1 / alpha)  # CV² of the share = 1/α, as the Gamma prior
    post = share_posterior([7, 7], [7, 7], [20, 20], [20, 20], r, alpha, mean)
    exact = stats.beta(a[0] + 7, b[0] + 13)
    assert np.isclose(post["rr"][0], exact.mean() / 0.4)
    assert np.isclose(post["rr_low95"][0], exact.ppf(0.025) / 0.4, rtol=1e-7)
    assert np.isclose(post["rr_high90"][0], exact.ppf(0.95) / 0.4, rtol=1e-7)
    assert np.isclose(post["p_exceed"][0], exact.sf(0.4))


def test_a_rounded_denominator_widens_the_interval_and_a_part_never_exceeds_its_whole():
    r = np.array([0.4, 0.4])
    exact = share_posterior([8, 8], [8, 8], [20, 20], [20, 20], r, 10.0, 1.0)
    rounded = share_posterior([8, 8], [8, 8], [18, 18], [22, 22], r, 10.0, 1.0)
    assert (rounded["rr_high95"] - rounded["rr_low95"] > exact["rr_high95"] - exact["rr_low95"]).all()
    # a hidden cell read as [0, inf) with a split still holds at most its denominator
    hidden = share_posterior([0], [np.inf], [10], [12], [0.4], 10.0, 1.0, split=[10], hidden_weight=1.0)
    assert float(hidden["rr_high95"][0]) <= 12 / 10 / 0.4 + 1e-9


def binomial_areas(seed: int, n_areas: int = 1500, shape: float = 8.0):
    rng = np.random.default_rng(seed)
    n = rng.integers(10, 40, n_areas)
    theta = rng.gamma(shape, 1 / shape, n_areas)
    y = rng.binomial(n, np.minimum(0.38 * theta, 1)).astype(float)
    return y, n.astype(float)


def test_the_share_prior_recovers_the_spread_the_poisson_reading_understates():
    y, n = binomial_areas(5)
    share = fit_share_prior(y, y, n, n, np.full(len(y), 0.38))
    poisson = fit_gamma_prior(y, y, 0.38 * n)
    assert 6.0 < share.alpha < 10.5  # true between-area shape 8
    assert poisson.alpha > 1.3 * share.alpha  # binomial noise read as Poisson leaves too little for the areas


def test_hermeldingen_through_the_real_chain_cover_the_truth_on_hidden_cells():
    published, truth = simulate_published(np.random.default_rng(21), rules=RULES, n_regios=4, gemeenten_per_regio=10,
                                          wijken_per_gemeente=10, household_scale=1000.0, rr_shape=8.0,
                                          indicators=("meldingen", "hermeldingen"))
    scores = score(published)
    row = calibration_measures(published, truth, scores).set_index("indicator").loc["hermeldingen"]
    assert row["share_hidden"] * row["n_wijken"] >= 100
    assert 0.92 <= row["coverage95"] <= 0.985, row
    assert 0.92 <= row["coverage95_hidden"] <= 0.99, row
    her = published["indicator"].eq("hermeldingen") & published["level"].eq("wijk") & scores["rr"].notna()
    # a hidden hermeldingen count is at most its published meldingen (+2 rounding): the interval says so
    hidden = her & published["status"].eq(Status.protected)
    share_high = scores.loc[hidden, "rr_high95"].astype(float) * scores.loc[hidden, "expected"].astype(float)
    assert (share_high <= published.loc[hidden, "denominator"].astype(float) + 2 + 1e-6).all()
