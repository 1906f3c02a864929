"""Classes, states and legends on tables small enough to check by eye."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards.classify import FEW, HIDDEN, NO_DATA, area_state, fmt, layers_for
from insights.disclosure.primary import Status


def _table(statuses: list[str], rates: list[float | None], rr: list[float | None]) -> pd.DataFrame:
    n = len(statuses)
    return pd.DataFrame({
        "code": [f"WK0193{i:02d}" for i in range(n)],
        "meldingen": pd.array([None if r is None else 10 for r in rates], dtype="Int64"),
        "meldingen_status": statuses,
        "meldingen_rate": pd.array(rates, dtype="Float64"),
        "meldingen_rr": pd.array(rr, dtype="Float64"),
    })


def test_state_tells_protected_from_too_small_but_never_primary_from_secondary():
    table = _table([Status.published, Status.below_threshold, Status.secondary, Status.few_households,
                    Status.small_denominator], [10.0, None, None, None, None], [1.0, None, None, None, None])
    # meldingen are divided by households (public CBS figures), so a small denominator is "too small"
    assert area_state(table, "meldingen").tolist() == ["p", HIDDEN, HIDDEN, FEW, FEW]


def test_hidden_areas_get_a_letter_never_class_zero():
    table = _table([Status.published] * 4 + [Status.below_threshold, Status.few_households],
                   [5.0, 10.0, 15.0, 20.0, None, None], [0.7, 0.9, 1.0, 1.3, None, None])
    for layer in layers_for(table):
        assert layer.classes.iloc[4] == HIDDEN
        assert layer.classes.iloc[5] == FEW
        assert all(type(k) is int for k in layer.classes.iloc[:4])


def test_risk_layer_uses_fixed_classes_around_one():
    table = _table([Status.published] * 5, [1.0, 2.0, 3.0, 4.0, 5.0], [0.5, 0.9, 1.0, 1.1, 2.0])
    risk = layers_for(table)[0]
    assert risk.key == "risico"
    assert risk.classes.tolist() == [0, 1, 2, 3, 4]
    assert "vaste grenzen rond 1 = zoals verwacht" in risk.method and len(risk.colours) == len(risk.edges) == 5


def test_rate_layer_states_its_scheme_and_has_one_colour_per_class():
    table = _table([Status.published] * 6, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1.0] * 6)
    rate = layers_for(table)[1]
    assert rate.key == "meldingen"
    assert "elke kleur ongeveer evenveel wijken" in rate.method and "per 1.000 huishoudens" in rate.method
    assert len(rate.colours) == len(rate.edges) == 5
    assert rate.classes.tolist() == [0, 0, 1, 2, 3, 4] or sorted(set(rate.classes)) == [0, 1, 2, 3, 4]


def test_published_value_without_rate_is_no_data_not_a_class():
    table = _table([Status.published, Status.published, Status.published], [None, 2.0, 3.0], [None, 1.0, 1.2])
    for layer in layers_for(table):
        assert layer.classes.iloc[0] == NO_DATA


@pytest.mark.parametrize(("value", "digits", "text"), [(12.345, 1, "12,3"), (1.0, 2, "1,00"), (None, 1, "—"),
                                                       (float("nan"), 1, "—"), (pd.NA, 1, "—")])
def test_numbers_are_written_the_dutch_way(value, digits, text):
    assert fmt(value, digits) == text


def test_without_smoothed_scores_the_risk_layer_falls_back_to_observed_over_expected():
    table = _table([Status.published] * 3, [1.0, 2.0, 3.0], [1.0, 1.0, 1.0]).drop(columns="meldingen_rr")
    table["meldingen_smr"] = pd.array([0.5, 1.0, 1.5], dtype="Float64")
    risk = layers_for(table)[0]
    assert risk.classes.tolist() == [0, 2, 4]
    assert "verwachten" in risk.method and "toeval" not in risk.method  # not smoothed: no such claim


LIBRARY_WORDS = ("mapclassify", "UserDefined", "Fisher", "Jenks", "kwantiel", "quantile", "empirisch Bayes")


def test_legends_speak_the_words_of_a_wijkteam_not_of_a_library():
    skewed = [1.0] * 20 + [2.0, 3.0, 50.0, 80.0, 120.0]
    for values in ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], skewed, [2.0, 2.0]):
        table = _table([Status.published] * len(values), values, [1.0] * len(values))
        for layer in layers_for(table):
            for word in LIBRARY_WORDS:
                assert word.lower() not in layer.method.lower(), (word, layer.method)
