"""What a published cell says about its count."""

import numpy as np
import pandas as pd
import pytest

from insights.risk.censoring import count_interval


def _cell(value, status, min_count=10, base=5, **kw):
    return count_interval(pd.Series([value], dtype="Int64"), pd.Series([status]),
                          pd.Series([min_count], dtype="Int64"), pd.Series([base], dtype="Int64"), **kw).iloc[0]


@pytest.mark.parametrize(
    "value, status, low, high, informative",
    [
        (20, "gepubliceerd", 18, 22, True),
        (10, "gepubliceerd", 10, 12, True),  # published means count >= T: 8 and 9 are excluded
        (pd.NA, "onder_drempel", 0, 9, True),
        (pd.NA, "secundair", 10, np.inf, True),
        (pd.NA, "geheim_in_bron", 0, np.inf, False),
        (pd.NA, "kleine_noemer", 0, np.inf, False),
        (pd.NA, "te_weinig_huishoudens", 0, np.inf, False),
    ],
)
def test_every_status_becomes_an_interval_never_zero(value, status, low, high, informative):
    got = _cell(value, status)
    assert (got["low"], got["high"], got["informative"]) == (low, high, informative)


def test_exact_counts_with_base_one():
    got = _cell(13, "gepubliceerd", base=1)
    assert (got["low"], got["high"]) == (13, 13)


def test_secondary_can_be_read_as_uninformative():
    got = _cell(pd.NA, "secundair", secondary="uninformative")
    assert (got["low"], got["high"], got["informative"]) == (0, np.inf, False)


def test_unknown_status_raises():
    with pytest.raises(ValueError, match="unknown cell status \\['verzonnen'\\]"):
        _cell(5, "verzonnen")
