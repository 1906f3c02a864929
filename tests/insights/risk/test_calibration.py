"""Calibration through the real chain (simulate → protect → public view → score), small and fast.

The full table comes from ``bench/bench_calibration.py``; this runs one small replicate per scenario
with looser bounds (fewer wijken, so more noise).
"""

from pathlib import Path

import numpy as np
import pytest

from insights.disclosure.primary import Status
from insights.disclosure.rules import parse_rules
from insights.risk import score
from insights.risk.calibration import calibration_measures, power_measures
from insights.risk.signal import HIGHER, LOWER, UNCLEAR
from insights.risk.simulate import simulate_published

RULES = parse_rules((Path(__file__).resolve().parents[3] / "rules" / "disclosure.toml").read_text(encoding="utf-8"))
SIZE = {"n_regios": 4, "gemeenten_per_regio": 10, "wijken_per_gemeente": 10, "household_scale": 1000.0,
        "indicators": ("schulden", "echtscheidingen", "meldingen")}


def chain(seed: int, **scenario):
    published, truth = simulate_published(np.random.default_rng(seed), rules=RULES, **SIZE, **scenario)
    assert set(published["status"]) <= set(Status.public)  # the scores only see the public view
    return published, truth, score(published)


@pytest.fixture(scope="module")
def spread():
    return chain(11, rr_shape=8.0)


def test_under_the_null_few_wijken_are_signalled_higher():
    published, truth, scores = chain(12, rr_shape=np.inf)
    table = calibration_measures(published, truth, scores)
    assert (table["flag_rate_higher"] <= 0.05).all(), table


def test_intervals_cover_the_truth_overall_and_on_hidden_cells(spread):
    table = calibration_measures(*spread).set_index("indicator")
    assert table["coverage95"].between(0.91, 0.985).all(), table
    hidden = table[table["share_hidden"] * table["n_wijken"] >= 100]
    assert len(hidden) >= 2
    assert hidden["coverage95_hidden"].between(0.90, 0.99).all(), table
    assert (table["calibration_max_error"] <= 0.15).all(), table


def test_signals_never_contradict_the_printed_interval(spread):
    _, _, scores = spread
    low, high = scores["rr_low95"].astype(float).round(2), scores["rr_high95"].astype(float).round(2)
    assert (low[scores["signal"].eq(HIGHER)] > 1).all()
    assert (high[scores["signal"].eq(LOWER)] < 1).all()
    unclear = scores["signal"].eq(UNCLEAR)
    assert ((low[unclear] <= 1) & (high[unclear] >= 1)).all()


def test_a_doubled_risk_is_found_in_published_wijken():
    table = power_measures(*chain(13, rr_shape=np.inf, hotspot_share=0.1, hotspot_rr=2.0)).set_index("indicator")
    assert table.loc["schulden", "power_published"] >= 0.6, table
    assert (table["false_flag_rate"] <= 0.02).all(), table
