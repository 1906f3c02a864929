"""Differencing simulations: an attacker combines levels, indicators, years and releases.

Each test publishes a release, then attacks it with an LP over everything published (the
independent check, ``audit(method="lp")``), and asserts no hidden value is recovered exactly and
every hidden cell keeps its protection range.
"""

import pandas as pd

from insights.disclosure import assert_protected, audit, parse_rules, protect

KEY = ["code", "period", "indicator"]
NESTED = {"NL": None, "R1": "NL", "R2": "NL", "G1": "R1", "G2": "R1", "G3": "R2", "G4": "R2",
          "A": "G1", "B": "G1", "C": "G2", "D": "G2", "E": "G3", "F": "G3", "H": "G4", "I": "G4"}


def _attack(out: pd.DataFrame, parents: pd.Series, rules, previous=None) -> pd.DataFrame:
    public = out.drop(columns=[c for c in ("count", "audit_low", "audit_high", "protection_ok") if c in out])
    return audit(public, parents, rules, previous=previous, method="lp")


def _no_hidden_value_recovered(attacked: pd.DataFrame) -> None:
    hidden = attacked[attacked["value"].isna()]
    exact = hidden[hidden["audit_low"] == hidden["audit_high"]]
    assert exact.empty, exact[KEY]
    assert attacked["protection_ok"].all()


def test_nested_areas_wijk_gemeente_regio(tables, rules_base5):
    # Small cells at every level: a wijk (A), a whole gemeente (G3 = E + F = 4 + 3) and a regio-level
    # chain where R1 - G2 - B would give A back without secondaries.
    leaves = {"A": 2, "B": 31, "C": 18, "D": 44, "E": 4, "F": 3, "H": 27, "I": 60}
    cells, parents = tables(NESTED, {(2024, "schulden"): leaves})
    out = protect(cells, parents, rules_base5)
    assert set(out.loc[out["status"].ne("gepubliceerd"), "code"]) >= {"A", "E", "F", "G3"}
    _no_hidden_value_recovered(_attack(out, parents, rules_base5))


def test_two_linked_indicators_part_of(tables):
    # hermeldingen ⊂ meldingen. In wijk A meldingen (25) is hidden for a small denominator (60
    # households < 100) but hermeldingen (20, published 20 -> [18, 22]) would tell meldingen >= 18.
    text = ('version = "x"\nmin_households = 50\n[defaults]\nmin_count = 10\nrounding_base = 5\n'
            '[indicators.meldingen]\nmin_denominator = 100\n[indicators.hermeldingen]\npart_of = "meldingen"\n')
    linked = parse_rules(text)
    unlinked = parse_rules(text.replace('part_of = "meldingen"\n', ""))
    po = {"G": None, "A": "G", "B": "G", "C": "G"}
    cells, parents = tables(po, {
        (2024, "meldingen"): {"A": 25, "B": 60, "C": 45},
        (2024, "hermeldingen"): {"A": 20, "B": 30, "C": 12},
    }, households={"A": 60})
    # protected without knowing the link, the attacker who knows it narrows meldingen A
    naive = _attack(protect(cells, parents, unlinked), parents, linked)
    a = naive.set_index(KEY).loc[("A", 2024, "meldingen")]
    assert a["audit_low"] > 0 and not a["protection_ok"]
    # protected with the link: nothing recovered, meldingen A can be 0
    out = protect(cells, parents, linked)
    attacked = _attack(out, parents, linked)
    _no_hidden_value_recovered(attacked)
    assert attacked.set_index(KEY).loc[("A", 2024, "meldingen"), "audit_low"] == 0
    assert_protected(out, linked)


def test_consecutive_years_in_one_release(tables, rules_base5):
    # The same small wijk in two years; each year's table is protected and audited with the other present.
    leaves_2023 = {"A": 2, "B": 31, "C": 18, "D": 44, "E": 14, "F": 13, "H": 27, "I": 60}
    leaves_2024 = {"A": 12, "B": 4, "C": 18, "D": 44, "E": 14, "F": 13, "H": 9, "I": 60}
    cells, parents = tables(NESTED, {(2023, "schulden"): leaves_2023, (2024, "schulden"): leaves_2024,
                                     (2024, "meldingen"): leaves_2023})
    out = protect(cells, parents, rules_base5)
    _no_hidden_value_recovered(_attack(out, parents, rules_base5))


def test_second_release_keeps_what_the_first_hid(tables):
    # Release 1 (threshold 10) hides A = 7 and, as its partner, the smallest cell C = 12.
    # Release 2 republishes the same period under threshold 5: on its own it publishes A.
    old = parse_rules('version = "1"\nmin_households = 0\n[defaults]\nmin_count = 10\nrounding_base = 1\n')
    new = parse_rules('version = "2"\nmin_households = 0\n[defaults]\nmin_count = 5\nrounding_base = 1\n')
    po = {"G": None, "A": "G", "B": "G", "C": "G", "D": "G"}
    cells, parents = tables(po, {(2023, "schulden"): {"A": 7, "B": 40, "C": 12, "D": 15}})
    first = protect(cells, parents, old)
    assert set(first.loc[first["value"].isna(), "code"]) == {"A", "C"}
    naive = protect(cells, parents, new)
    assert naive.set_index("code").loc["A", "value"] == 7
    # with consistency: A and C stay hidden, and both releases together reveal neither
    second = protect(cells, parents, new, previous=first[KEY + ["value"]])
    assert set(second.loc[second["value"].isna(), "code"]) == {"A", "C"}
    assert second.set_index("code").loc["A", "reason"] == "verborgen in eerdere release van deze periode"
    attacked = _attack(second, parents, new, previous=first[KEY + ["value"]]).set_index("code")
    _no_hidden_value_recovered(attacked.reset_index())
    assert tuple(attacked.loc["A", ["audit_low", "audit_high"]]) == (0, 19)


def test_a_cell_published_before_and_hidden_now_is_refused_not_papered_over(tables):
    # Release 1 published D = 15; a new denominator floor hides D now. Its value is out already:
    # no amount of hiding protects it, so protect() hides nothing extra for it and the audit refuses.
    import pytest

    from insights.errors import UnprotectedOutput

    old = parse_rules('version = "1"\nmin_households = 0\n[defaults]\nmin_count = 10\nrounding_base = 1\n')
    new = parse_rules('version = "2"\nmin_households = 0\n[defaults]\nmin_count = 10\nrounding_base = 1\n'
                      "min_denominator = 100\n")
    po = {"G": None, "A": "G", "B": "G", "C": "G", "D": "G"}
    cells, parents = tables(po, {(2023, "schulden"): {"A": 7, "B": 40, "C": 12, "D": 15}}, households={"D": 80})
    first = protect(cells, parents, old)
    second = protect(cells, parents, new, previous=first[KEY + ["value"]])
    assert set(second.loc[second["value"].isna(), "code"]) == {"A", "C", "D"}
    with pytest.raises(UnprotectedOutput, match="D/2023/schulden"):
        assert_protected(second, new)
