"""Reference rates from published regio (or national) figures."""

import pandas as pd
import pytest

from insights.risk.expected import expected_counts, reference_rates


@pytest.fixture
def frame():
    return pd.DataFrame({
        "code": ["VR01", "VR02", "WK01", "WK02"], "level": ["regio", "regio", "wijk", "wijk"],
        "regio": ["VR01", "VR02", "VR01", "VR02"], "period": 2023, "indicator": "meldingen",
        "value": pd.array([100, 300, 10, pd.NA], dtype="Int64"),
        "denominator": pd.array([10_000, 20_000, 1_000, 500], dtype="Int64"),
    })


def test_regio_reference(frame):
    assert reference_rates(frame, "regio").tolist() == pytest.approx([0.01, 0.015, 0.01, 0.015])


def test_national_reference_sums_published_regio_rows(frame):
    assert reference_rates(frame, "nederland").tolist() == pytest.approx([400 / 30_000] * 4)


def test_published_national_row_wins(frame):
    nl = pd.DataFrame({"code": ["NL01"], "level": ["nederland"], "regio": [pd.NA], "period": [2023],
                       "indicator": ["meldingen"], "value": pd.array([1_700], dtype="Int64"),
                       "denominator": pd.array([100_000], dtype="Int64")})
    got = reference_rates(pd.concat([frame, nl], ignore_index=True), "nederland")
    assert got.tolist() == pytest.approx([0.017] * 5)


def test_expected_is_a_count(frame):
    e = expected_counts(frame["denominator"], reference_rates(frame, "regio"))
    assert e.tolist() == pytest.approx([100.0, 300.0, 10.0, 7.5])


def test_unknown_reference_raises(frame):
    with pytest.raises(ValueError, match="reference must be 'regio' or 'nederland'"):
        reference_rates(frame, "gemeente")
