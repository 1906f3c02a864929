"""Signal text per area: from the printed 95% interval, protected where nothing can be said."""

import numpy as np
import pandas as pd

from insights.risk.signal import HIGHER, LOWER, PROTECTED, SIGNALS, UNCLEAR, posterior_fdr, signal_category


def test_a_signal_is_clear_only_when_the_interval_excludes_one():
    # 1.004 and 0.996 print as "1,00": the interval shown then holds 1, so no clear signal.
    low = pd.Series([1.01, 1.004, 0.9, 0.5, 0.5, 0.4, np.nan, 1.2])
    high = pd.Series([1.5, 1.4, 1.1, 0.994, 0.996, 1.0, 1.3, 1.9])
    informative = pd.Series([True] * 7 + [False])
    got = signal_category(low, high, informative).tolist()
    assert got == [HIGHER, UNCLEAR, UNCLEAR, LOWER, UNCLEAR, UNCLEAR, PROTECTED, PROTECTED]
    assert set(got) <= set(SIGNALS)


def test_output_keeps_input_order_and_index():
    low = pd.Series([0.5, 1.2, 0.9], index=["WK3", "WK1", "WK2"])
    got = signal_category(low, low + 0.3, pd.Series(True, index=low.index))
    assert got.index.tolist() == ["WK3", "WK1", "WK2"]
    assert got.tolist() == [LOWER, HIGHER, UNCLEAR]


def test_posterior_fdr_is_the_mean_probability_of_pointing_the_wrong_way():
    p = pd.Series([0.99, 0.98, 0.5, 0.01, 0.03])
    signal = pd.Series([HIGHER, HIGHER, UNCLEAR, LOWER, LOWER])
    got = posterior_fdr(p, signal)
    assert abs(got["hoger"] - 0.015) < 1e-12
    assert abs(got["lager"] - 0.02) < 1e-12
    assert (got["n_hoger"], got["n_lager"]) == (2, 2)
