"""Change between periods and the region series."""

import pandas as pd
import pytest
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep

from insights.risk.trend import period_change, region_series


def _frame(rows):
    df = pd.DataFrame(rows, columns=["code", "level", "period", "indicator", "value", "status", "denominator"])
    df["value"] = df["value"].astype("Int64")
    df["denominator"] = df["denominator"].astype("Int64")
    df["min_count"] = pd.array([10] * len(df), dtype="Int64")
    df["rounding_base"] = pd.array([5] * len(df), dtype="Int64")
    df["gemeente"], df["regio"] = "GM0001", "VR01"
    return df


@pytest.fixture
def two_years():
    return _frame([
        ("VR01", "regio", 2022, "meldingen", 400, "gepubliceerd", 20000),
        ("VR01", "regio", 2023, "meldingen", 500, "gepubliceerd", 20000),
        ("WK01", "wijk", 2022, "meldingen", 20, "gepubliceerd", 1000),
        ("WK01", "wijk", 2023, "meldingen", 22 - 2, "gepubliceerd", 1000),
        ("WK02", "wijk", 2022, "meldingen", None, "onder_drempel", 800),
        ("WK02", "wijk", 2023, "meldingen", 15, "gepubliceerd", 800),
    ])


def test_rate_ratio_and_tests_by_hand(two_years):
    got = period_change(two_years, start=2022, end=2023).set_index("code")
    assert got.loc["VR01", "rate_ratio"] == pytest.approx(1.25)
    p = poisson_2indep(500, 20000, 400, 20000, method="score").pvalue
    assert got.loc["VR01", "p_value"] == pytest.approx(p)
    # Rounding corner closest to equal rates: 400 -> 402, 500 -> 498.
    p_corner = poisson_2indep(498, 20000, 402, 20000, method="score").pvalue
    assert got.loc["VR01", "p_value_rounding"] == pytest.approx(p_corner)
    assert got.loc["VR01", "p_value_rounding"] > got.loc["VR01", "p_value"]


def test_equal_rounded_values_admit_no_change(two_years):
    got = period_change(two_years, start=2022, end=2023).set_index("code")
    assert got.loc["WK01", "p_value_rounding"] == 1.0


def test_hidden_cell_is_not_tested(two_years):
    got = period_change(two_years, start=2022, end=2023).set_index("code")
    assert pd.isna(got.loc["WK02", "p_value"]) and pd.isna(got.loc["WK02", "rate_ratio"])


def test_output_is_ordered_by_code(two_years):
    assert period_change(two_years, start=2022, end=2023)["code"].tolist() == ["VR01", "WK01", "WK02"]


def test_region_series(two_years):
    s = region_series(two_years)
    assert s["period"].tolist() == [2022, 2023]
    assert s["rate"].tolist() == pytest.approx([20.0, 25.0])  # per 1,000 households
    assert pd.isna(s.loc[0, "p_change"])
    assert s.loc[1, "p_change"] == pytest.approx(poisson_2indep(500, 20000, 400, 20000, method="score").pvalue)
    assert (s["rate_low95"] < s["rate"]).all() and (s["rate"] < s["rate_high95"]).all()
