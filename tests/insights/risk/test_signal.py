"""Signal text per area: categories from P(RR > 1), protected where nothing can be said."""

import numpy as np
import pandas as pd
import pytest

from insights.risk.signal import SIGNALS, signal_category


def test_categories_at_the_cut_offs():
    p = pd.Series([0.95, 0.8, 0.79, 0.5, 0.21, 0.2, 0.01, np.nan, 0.99])
    informative = pd.Series([True] * 8 + [False])
    got = signal_category(p, informative).tolist()
    assert got == [
        "duidelijk hoger dan verwacht", "duidelijk hoger dan verwacht",
        "niet duidelijk anders dan verwacht", "niet duidelijk anders dan verwacht",
        "niet duidelijk anders dan verwacht", "duidelijk lager dan verwacht", "duidelijk lager dan verwacht",
        "beschermd: te weinig waarnemingen", "beschermd: te weinig waarnemingen",
    ]
    assert set(got) <= set(SIGNALS)


def test_output_keeps_input_order_and_index():
    p = pd.Series([0.1, 0.9, 0.5], index=["WK3", "WK1", "WK2"])
    got = signal_category(p, pd.Series(True, index=p.index))
    assert got.index.tolist() == ["WK3", "WK1", "WK2"]


def test_bad_cut_offs_raise():
    with pytest.raises(ValueError, match="need 0 < low < high < 1"):
        signal_category(pd.Series([0.5]), pd.Series([True]), high=0.2, low=0.8)
