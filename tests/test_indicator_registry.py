"""Every consumer covers every indicator of the registry (``insights.indicators``).

Adding an indicator means adding one registry entry; these tests name the consumer that forgot it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from api.routes.aggregates import Indicator as ApiIndicator
from dashboards.classify import layers_for
from insights.disclosure import parse_rules
from insights.indicators import DENOMINATORS, HEADLINE, INDICATORS
from insights.release import Release
from insights.risk.simulate import RATES, simulate_published
from insights.views import wide_table

NAMES = sorted(INDICATORS)


def test_every_denominator_is_a_denominator_column_or_another_indicator():
    for spec in INDICATORS.values():
        assert spec.denominator in DENOMINATORS or spec.denominator in INDICATORS, spec.name
        assert spec.part_of is None or spec.part_of in INDICATORS, spec.name
        assert 0 < spec.typical_rate < 1 and spec.scale in (100, 1000), spec.name
    assert HEADLINE in INDICATORS


def test_rules_file_gives_every_indicator_a_rule(bundled_settings):
    rules = parse_rules(bundled_settings.rules.read_text(encoding="utf-8"))
    for name in NAMES:
        rule = rules.for_indicator(name)
        assert rule.min_count >= 1 and rule.rounding_base >= 1


def test_synthetic_generator_writes_every_indicator():
    from insights.synthetic import generate_indicators

    wijken = pd.DataFrame({"code": ["WK019310", "WK019311"], "gemeentecode": ["GM0193"] * 2,
                           "huishoudens": pd.array([4330, None], dtype="Int64"),
                           "inwoners": pd.array([6540, 6805], dtype="Int64")})
    covariates = pd.DataFrame({"gemeentecode": ["GM0193", "GM0148"], "percentage_gescheiden": [8.0, 7.0],
                               "percentage_eenpersoons": [40.0, 35.0], "percentage_met_kinderen": [30.0, 33.0]})
    frame = generate_indicators(wijken, covariates, seed=1, periods=(2024,))
    for name in NAMES:
        assert frame[name].notna().iloc[0] and frame[name].isna().iloc[1], name  # unknown denominators: secret


def test_simulation_knows_every_indicator():
    assert sorted(RATES) == NAMES
    published, truth = simulate_published(np.random.default_rng(1), n_regios=1, gemeenten_per_regio=2,
                                          wijken_per_gemeente=3, indicators=tuple(INDICATORS))
    assert sorted(published["indicator"].unique()) == NAMES
    assert len(truth) == len(published)


def test_views_and_maps_show_every_indicator(ijsselland_release: Release):
    period = max(ijsselland_release.periods)
    table = wide_table(ijsselland_release, level="wijk", period=period)
    for name in NAMES:
        assert {name, f"{name}_status", f"{name}_rate"} <= set(table.columns), name
    layers = layers_for(table)
    assert {layer.indicator for layer in layers if not layer.score} == set(NAMES)
    titles = {layer.indicator: layer.title for layer in layers if not layer.score}
    for name in NAMES:
        assert titles[name].startswith(INDICATORS[name].short_title), titles[name]


def test_api_accepts_every_indicator_as_a_filter():
    assert sorted(member.value for member in ApiIndicator) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_registry_lookup_names_the_known_indicators_when_wrong(name):
    from insights.indicators import indicator

    assert indicator(name).name == name
    with pytest.raises(KeyError, match=", ".join(INDICATORS)):
        indicator(name + "x")
