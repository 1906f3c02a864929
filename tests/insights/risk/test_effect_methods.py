"""Trend tests, repeat shares and intervention effects: known answers against statsmodels, censoring,
and simulations through the real chain (simulate → protect → public view → method)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.base.model import GenericLikelihoodModel

from insights.risk.censored_nb import fit_censored_nb
from insights.risk.did import Intervention, did_effect, intervention_effects
from insights.risk.public_interval import public_count_interval
from insights.risk.trend_test import INCREASING, TOO_LITTLE, trend_markers
from tests.insights.risk.chain import _inputs, simulate_public

Y = np.array([[12, 15, 11, 20, 22], [40, 38, 45, 50, 41]], dtype=float)
D = np.array([[1000, 1000, 1100, 1100, 1200], [3000] * 5], dtype=float)
X = np.column_stack([np.ones(5), np.arange(5.0) - 2])


@pytest.mark.parametrize("alpha", [0.0, 0.05])
def test_exact_counts_reproduce_statsmodels_glm(alpha):
    fit = fit_censored_nb(Y, Y, X, np.log(D), alpha=alpha)
    for i in range(2):
        family = sm.families.NegativeBinomial(alpha=alpha) if alpha else sm.families.Poisson()
        ref = sm.GLM(Y[i], X, family=family, offset=np.log(D[i])).fit()
        np.testing.assert_allclose(fit.params[i], ref.params, rtol=1e-6)
        np.testing.assert_allclose(np.sqrt(np.diag(fit.cov[i])), ref.bse, rtol=1e-5)


class _IntervalNB(GenericLikelihoodModel):
    """Reference: the interval-censored NB2 likelihood maximised by statsmodels, numerical Hessian."""

    def __init__(self, low, high, exog, offset, alpha):
        super().__init__(endog=low, exog=exog)
        self.low, self.high, self.off, self.k = low, high, offset, 1 / alpha

    def loglikeobs(self, params):
        mu = np.exp(self.exog @ params + self.off)
        p = self.k / (self.k + mu)
        upper = np.where(np.isfinite(self.high), stats.nbinom.cdf(self.high, self.k, p), 1.0)
        lower = np.where(self.low > 0, stats.nbinom.cdf(self.low - 1, self.k, p), 0.0)
        exact = self.low == self.high
        return np.where(exact, stats.nbinom.logpmf(self.low, self.k, p), np.log(upper - lower))


def test_censored_fit_matches_the_interval_likelihood_maximised_by_statsmodels():
    # rounded published values ([v-2, v+2]) and two hidden cells below 10, one open cell ≥ 10
    low = np.array([8.0, 0.0, 13.0, 18.0, 0.0, 10.0, 23.0, 28.0])
    high = np.array([12.0, 9.0, 17.0, 22.0, 9.0, np.inf, 27.0, 32.0])
    off = np.log(np.full(8, 1000.0))
    x = np.column_stack([np.ones(8), np.arange(8.0) - 3.5])
    fit = fit_censored_nb(low[None], high[None], x, off[None], alpha=0.02)
    ref = _IntervalNB(low, high, x, off, 0.02).fit(start_params=fit.params[0] * 0.9, method="bfgs", disp=False,
                                                   maxiter=500, gtol=1e-10)
    np.testing.assert_allclose(fit.params[0], ref.params, rtol=1e-4)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov[0])), ref.bse, rtol=2e-2)


def _series(values, hidden=()):
    rows = []
    for t, v in enumerate(values):
        shown = t not in hidden
        rows.append({"code": "WK000101", "level": "wijk", "indicator": "meldingen", "period": 2020 + t,
                     "low": max(v - 2, 10) if shown else 0.0, "high": v + 2 if shown else 9.0, "informative": True,
                     "value": v if shown else pd.NA, "denominator": 1000.0, "rounding_base": 5})
    frame = pd.DataFrame(rows)
    frame["value"] = frame["value"].astype("Int64")
    return frame


def test_a_hidden_year_is_an_interval_never_zero():
    hidden = trend_markers(_series([40, 30, 20, 15, 10], hidden=(4,))).iloc[0]
    as_zero = trend_markers(_series([40, 30, 20, 15, 0]).assign(
        low=lambda f: f["low"].where(f["period"].ne(2024), 0.0),
        high=lambda f: f["high"].where(f["period"].ne(2024), 0.0))).iloc[0]
    assert hidden["apc"] > as_zero["apc"] + 5  # a hidden last year pulls the trend down far less than a 0
    assert hidden["change_ratio"] is pd.NA  # no change figure against a hidden cell


def test_too_few_published_years_say_so():
    result = trend_markers(_series([40, 30, 20, 15, 10], hidden=(1, 2, 3, 4))).iloc[0]
    assert result["marker"] == TOO_LITTLE and pd.isna(result["apc"])


def test_a_steep_rise_is_marked_rising():
    result = trend_markers(_series([100, 125, 150, 195, 240])).iloc[0]
    assert result["marker"] == INCREASING and result["apc_low95"] > 0


def test_did_with_exact_counts_equals_statsmodels_glm_with_area_and_period_effects():
    rng = np.random.default_rng(3)
    codes = [f"WK0001{i:02d}" for i in range(6)]
    rows = [{"code": c, "period": 2020 + t, "count": rng.poisson(200 * (0.8 if i < 2 and t >= 2 else 1.0)),
             "denominator": 10000.0} for i, c in enumerate(codes) for t in range(4)]
    cells = pd.DataFrame(rows).assign(low=lambda f: f["count"].astype(float), high=lambda f: f["count"].astype(float),
                                      informative=True, rounding_base=1)
    result = did_effect(cells.drop(columns="count"), set(codes[:2]), 2022)
    area = pd.get_dummies(cells["code"], drop_first=True, dtype=float)
    period = pd.get_dummies(cells["period"], drop_first=True, dtype=float)
    treat = (cells["code"].isin(codes[:2]) & cells["period"].ge(2022)).astype(float).rename("d")
    exog = pd.concat([pd.Series(1.0, index=cells.index, name="const"), area, period, treat], axis=1)
    alpha = result["dispersion"]
    family = sm.families.NegativeBinomial(alpha=alpha) if alpha > 0 else sm.families.Poisson()
    ref = sm.GLM(cells["count"].astype(float), exog, family=family, offset=np.log(cells["denominator"])).fit()
    assert result["rate_ratio"] == pytest.approx(np.exp(ref.params["d"]), rel=1e-6)
    low, high = np.exp(ref.conf_int().loc["d"])
    assert (result["low95"], result["high95"]) == (pytest.approx(low, rel=1e-4), pytest.approx(high, rel=1e-4))


def test_trend_marker_false_positives_at_most_5_percent_through_the_real_chain():
    """No change, year-to-year variation SD 0.08, IJsselland wijken and gemeenten, protected and published."""
    rng = np.random.default_rng(7)
    hits = tested = 0
    for _ in range(5):
        public, _ = simulate_public(rng)
        markers = trend_markers(public_count_interval(public))["marker"]
        markers = markers[markers.ne(TOO_LITTLE)]
        hits += int(markers.isin(["stijgend", "dalend"]).sum())
        tested += len(markers)
    assert tested > 1000
    assert hits / tested <= 0.05


def test_did_intervals_cover_the_true_effect_90_to_98_percent_through_the_real_chain():
    rng = np.random.default_rng(11)
    wijken = _inputs()[0]["code"].to_numpy()
    covered = total = 0
    for _ in range(3):
        order = rng.permutation(len(wijken))
        groups = [wijken[order[3 * i:3 * i + 3]] for i in range(20)]
        treated = set(np.concatenate(groups))
        rest = tuple(sorted(set(wijken) - treated))
        public, _ = simulate_public(
            rng, lambda w, year, t=treated: np.where(w["code"].isin(t) & (year >= 2022), 0.85, 1.0))
        effects = intervention_effects(public_count_interval(public),
                                       [Intervention(f"iv{i}", tuple(g), 2022, comparison=rest)
                                        for i, g in enumerate(groups)])
        effects = effects[effects["rate_ratio"].notna()]
        covered += int(((effects["low95"] <= 0.85) & (effects["high95"] >= 0.85)).sum())
        total += len(effects)
    assert total >= 100
    assert 0.90 <= covered / total <= 0.98
