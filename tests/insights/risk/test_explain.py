"""Count bands in words and the non-causal composite."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from insights.errors import ForbiddenModelInput
from insights.risk import score
from insights.risk.explain import (
    NON_CAUSAL,
    composite_model,
    count_band,
    indicator_profile,
)
from insights.risk.simulate import simulate_published


@pytest.fixture(scope="module")
def published():
    frame, _ = simulate_published(np.random.default_rng(4), n_regios=3, gemeenten_per_regio=5,
                                  wijken_per_gemeente=10, household_scale=3000.0,
                                  indicators=("schulden", "echtscheidingen", "meldingen"))
    return frame


def test_count_band_texts():
    low = pd.Series([18.0, 0.0, 10.0, 0.0, 7.0])
    high = pd.Series([22.0, 9.0, np.inf, np.inf, 7.0])
    assert count_band(low, high).tolist() == [
        "18 tot en met 22", "minder dan 10", "10 of meer", "onbekend (beschermd)", "7"]


def test_profile_is_ordered_by_code_not_by_score(published):
    scores = score(published)
    profile = indicator_profile(published, scores)
    assert len(profile) == len(published)
    assert profile["code"].tolist() == sorted(profile["code"])
    first = profile[profile["code"].eq(profile["code"].iloc[0])]
    assert first["indicator"].tolist() == ["schulden", "echtscheidingen", "meldingen"]
    assert {"count_band", "denominator", "smr", "rr", "rr_low95", "rr_high95", "signal"} <= set(profile.columns)


def test_profile_needs_matching_scores(published):
    with pytest.raises(ValueError, match="indexes differ"):
        indicator_profile(published, score(published).iloc[:5])


def _exact_frame(rng, n=300, beta=0.02):
    """Wijken with exact counts (no threshold, base 1): meldingen depend on the debt rate."""
    hh = rng.integers(500, 5000, n)
    debt = rng.poisson(hh * rng.uniform(0.02, 0.10, n))
    div = rng.poisson(hh * 2.2 * 0.002)
    x = debt / hh * 1000
    mu = hh * 0.016 * np.exp(beta * (x - x.mean()))
    meld = rng.negative_binomial(8, 8 / (8 + mu))
    rows = []
    for name, count, den in (("schulden", debt, hh), ("echtscheidingen", div, np.round(hh * 2.2)),
                             ("meldingen", meld, hh)):
        rows.append(pd.DataFrame({"code": [f"WK{i:06d}" for i in range(n)], "level": "wijk", "gemeente": "GM0001",
                                  "regio": "VR01", "period": 2023, "indicator": name,
                                  "value": pd.array(count, dtype="Int64"), "status": "gepubliceerd",
                                  "denominator": pd.array(den.astype(int), dtype="Int64"),
                                  "min_count": pd.array([0] * n, dtype="Int64"),
                                  "rounding_base": pd.array([1] * n, dtype="Int64")}))
    return pd.concat(rows, ignore_index=True)


def test_composite_with_exact_counts_matches_statsmodels_negative_binomial():
    frame = _exact_frame(np.random.default_rng(9))
    ours = composite_model(frame)
    wide = frame.pivot(index="code", columns="indicator", values="value").astype(float)
    den = frame.pivot(index="code", columns="indicator", values="denominator").astype(float)
    x = pd.DataFrame({"schulden": wide["schulden"] / den["schulden"] * 1000,
                      "echtscheidingen": wide["echtscheidingen"] / den["echtscheidingen"] * 1000})
    exog = sm.add_constant(x - x.mean())
    ref = sm.NegativeBinomial(wide["meldingen"], exog, offset=np.log(den["meldingen"]), loglike_method="nb2").fit(
        disp=0
    )
    np.testing.assert_allclose(
        ours.coefficients["estimate"].to_numpy(), ref.params.to_numpy()[:3], rtol=1e-3, atol=1e-4
    )
    assert ours.alpha == pytest.approx(1 / ref.params["alpha"], rel=1e-2)  # Gamma shape = 1 / NB2 alpha
    assert ours.coefficients.loc[1, "estimate"] == pytest.approx(0.02, abs=0.01)


def test_composite_contributions_are_centred_and_labelled(published):
    model = composite_model(published)
    c = model.contributions
    assert c["code"].tolist() == sorted(c["code"])
    assert (c["label"] == NON_CAUSAL).all()
    assert c["bijdrage_schulden_per_1000"].mean() == pytest.approx(0.0, abs=1e-9)
    b = model.coefficients.set_index("term").loc["schulden_per_1000", "estimate"]
    x = c["schulden_per_1000"]
    np.testing.assert_allclose(c["bijdrage_schulden_per_1000"], b * (x - x.mean()))


def test_composite_keeps_hidden_outcomes_as_intervals(published):
    # A wijk whose meldingen are hidden below 10 still counts in the fit (as 0..9, not 0, not dropped).
    used = composite_model(published).contributions["code"]
    code = used.iloc[0]
    frame = published.copy()
    row = frame.index[frame["code"].eq(code) & frame["indicator"].eq("meldingen")][0]
    frame.loc[row, ["value", "status"]] = [pd.NA, "onder_drempel"]
    hidden = composite_model(frame)
    assert code in set(hidden.contributions["code"])
    assert hidden.n_areas == len(used)
    # Versus pretending the hidden count is 0: a different fit.
    as_zero = published.copy()
    as_zero.loc[row, ["value", "min_count"]] = [0, 0]
    assert not np.allclose(composite_model(as_zero).coefficients["estimate"], hidden.coefficients["estimate"])


def test_origin_variable_as_model_input_is_refused(published):
    extra = pd.DataFrame({"NietWestersTotaal_18": 1.0}, index=published["code"].unique())
    with pytest.raises(ForbiddenModelInput, match="'NietWestersTotaal_18'.*may not enter a risk model"):
        composite_model(published, extra=extra)
    with pytest.raises(ForbiddenModelInput, match="'herkomst_marokko'"):
        composite_model(published, covariates=("schulden", "herkomst_marokko"))
