"""Funnel limits and flags: hand-checked limits, censored cells, false positives under the null."""

import numpy as np
import pytest

from insights.risk.funnel import funnel_flags, overdispersion_factor


def test_limits_by_hand_without_overdispersion():
    # E = 100, target 1: sqrt-scale limits (1 ± 1.959964 / 20)^2
    got = funnel_flags([100], [100], [100.0], overdispersion=False).iloc[0]
    assert got["funnel_high95"] == pytest.approx((1 + 1.959964 / 20) ** 2, rel=1e-6)
    assert got["funnel_low998"] == pytest.approx((1 - 3.090232 / 20) ** 2, rel=1e-6)
    assert got["z"] == pytest.approx(0.0)
    assert got["funnel"] == "binnen grenzen"


@pytest.mark.parametrize(
    "low, high, flag",
    [(140, 140, "boven 99,8%-grens"), (123, 123, "boven 95%-grens"), (118, 122, "binnen grenzen"),
     (80, 80, "onder 95%-grens"), (0, 9, "onder 99,8%-grens"), (10, np.inf, "binnen grenzen"),
     (0, np.inf, "onbekend")],
)
def test_flags_use_the_whole_interval(low, high, flag):
    # 2(sqrt(123) - 10) = 2.18 > 1.96; 2(sqrt(118) - 10) = 1.73 < 1.96 so 118..122 is not flagged
    # although its midpoint 120 would be (2.09); a hidden-below-10 cell with E = 100 is clearly low.
    assert funnel_flags([low], [high], [100.0], overdispersion=False)["funnel"].iloc[0] == flag


def test_missing_expected_is_unknown():
    assert funnel_flags([5], [5], [np.nan])["funnel"].iloc[0] == "onbekend"


def test_overdispersion_is_detected_and_widens_limits():
    rng = np.random.default_rng(5)
    e = rng.uniform(50, 500, 1000)
    null = rng.poisson(e)
    spread = rng.poisson(e * rng.gamma(10, 0.1, 1000))
    # Winsorising at 10%/90% pulls phi-hat below 1 under the null (about 0.7 for N(0,1) z-scores);
    # then the limits are not narrowed: the factor used is 1.
    assert overdispersion_factor(2 * (np.sqrt(null) - np.sqrt(e))) < 1.0
    assert funnel_flags(null, null, e)["phi"].iloc[0] == 1.0
    flags = funnel_flags(spread, spread, e)
    assert flags["phi"].iloc[0] > 3
    plain = funnel_flags(spread, spread, e, overdispersion=False)
    assert (flags["funnel_high95"] > plain["funnel_high95"]).all()


def test_false_positive_rate_under_the_null_is_near_nominal():
    rng = np.random.default_rng(2024)
    e = rng.uniform(5, 300, 20_000)
    y = rng.poisson(e)
    flags = funnel_flags(y, y, e)["funnel"]
    outside95 = flags.ne("binnen grenzen").mean()
    outside998 = flags.isin(["boven 99,8%-grens", "onder 99,8%-grens"]).mean()
    assert 0.035 < outside95 < 0.065
    assert outside998 < 0.005
    # Rounded to 5 and hidden below 10 the flags only become rarer (conservative).
    v = np.floor(y / 5 + 0.5) * 5
    low, high = np.maximum(v - 2, 10), v + 2
    low[y < 10], high[y < 10] = 0, 9
    rounded = funnel_flags(low, high, e)["funnel"].ne("binnen grenzen").mean()
    assert 0.01 < rounded <= outside95


def test_wide_hidden_intervals_do_not_switch_the_funnel_off():
    """Hidden cells read as [0, audit_high] (upper ends around 40) at their midpoint inflated φ̂ so much
    that no cell fell outside the limits; φ̂ from clearly published cells keeps ~5% outside 95% under the null."""
    rng = np.random.default_rng(31)
    e = np.concatenate([rng.uniform(40, 300, 3000), rng.uniform(1, 8, 3000)])
    y = rng.poisson(e)
    published = (y >= 10) & (e >= 40)
    low = np.where(published, y, 0).astype(float)
    high = np.where(published, y, rng.integers(30, 60, len(y))).astype(float)
    everything = funnel_flags(low, high, e)
    assert everything["phi"].iloc[0] > 3  # the old estimate: limits widened until nothing is flagged
    flags = funnel_flags(low, high, e, dispersion_from=published)
    assert flags["phi"].iloc[0] == 1.0
    outside95 = flags.loc[published, "funnel"].ne("binnen grenzen").mean()
    assert 0.035 < outside95 < 0.065
