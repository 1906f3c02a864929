"""Standardised ratio with exact Poisson limits: the known answer is statsmodels' confint_poisson."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.rates import confint_poisson

from insights.risk.smr import standardised_ratio


@pytest.mark.parametrize("interval", [0.90, 0.95])
def test_exact_limits_match_statsmodels(interval):
    obs = pd.Series([0, 3, 12, 40], dtype="Int64")
    exp = pd.Series([2.0, 2.5, 10.0, 55.0])
    got = standardised_ratio(obs, exp, interval=interval)
    lo, hi = confint_poisson(obs.to_numpy(float), exp.to_numpy(), method="exact-c", alpha=1 - interval)
    np.testing.assert_allclose(got["smr_low"].to_numpy(float), np.nan_to_num(lo), rtol=1e-12)
    np.testing.assert_allclose(got["smr_high"].to_numpy(float), hi, rtol=1e-12)
    np.testing.assert_allclose(got["smr"].to_numpy(float), obs.to_numpy(float) / exp.to_numpy())


def test_rounding_widens_to_the_extreme_counts():
    # Published 20 with base 5 means 18..22: lower limit of 18, upper limit of 22.
    got = standardised_ratio(pd.Series([20], dtype="Int64"), pd.Series([10.0]), rounding_base=5).iloc[0]
    lo18, _ = confint_poisson(18.0, 10.0, method="exact-c", alpha=0.05)
    _, hi22 = confint_poisson(22.0, 10.0, method="exact-c", alpha=0.05)
    assert got["smr_low"] == pytest.approx(lo18)
    assert got["smr_high"] == pytest.approx(hi22)


def test_hidden_value_is_not_scored():
    got = standardised_ratio(pd.Series([pd.NA], dtype="Int64"), pd.Series([10.0]))
    assert got.iloc[0].isna().all()
