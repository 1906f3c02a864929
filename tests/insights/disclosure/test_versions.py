"""Releases over time: corrections, rule changes and what all releases of a folder reveal together.

The attack here is independent of the project's audit (``independent.attack_releases``: one LP over
every release, an attacker who knows exactly which cells were corrected).
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.disclosure import assert_protected, audit, parse_rules, protect
from insights.disclosure.attacker import Version
from insights.disclosure.history import revisions
from insights.errors import UnprotectedOutput
from tests.insights.disclosure.conftest import make_cells
from tests.insights.disclosure.independent import attack_releases

KEY = ["code", "period", "indicator"]
PO = {"G": None, "A": "G", "B": "G", "C": "G", "D": "G"}
HOUSEHOLDS = {"C": 70}  # C has the fewest households: the partner a lone cell gets
PUBLIC = KEY + ["value", "status", "reason", "min_count", "rounding_base", "herzien"]


def _rules(version: str, min_count: int, base: int):
    return parse_rules(f'version = "{version}"\nmin_households = 0\n[defaults]\nmin_count = {min_count}\n'
                       f"rounding_base = {base}\n")


def _public(out: pd.DataFrame) -> pd.DataFrame:
    return out[PUBLIC].reset_index(drop=True)


def test_a_corrected_hidden_child_under_a_published_total_is_protected_by_hiding_the_total(tables):
    # Release 1 (threshold 10, no rounding): A = 7 hidden, partner C = 12; B = 40, D = 15, G = 74 published.
    # A is corrected to 5, so G = 72. Published as is, G would tell an attacker who knows A was corrected:
    # C is the same in both, A_old + C = 19 and A_new + C = 17, so A_old = 19 - C >= 2: "none" is excluded.
    rules = _rules("1", 10, 1)
    cells, parents = tables(PO, {(2023, "schulden"): {"A": 7, "B": 40, "C": 12, "D": 15}}, households=HOUSEHOLDS)
    first = protect(cells, parents, rules)
    assert set(first.loc[first["value"].isna(), "code"]) == {"A", "C"}
    corrected, _ = tables(PO, {(2023, "schulden"): {"A": 5, "B": 40, "C": 12, "D": 15}}, households=HOUSEHOLDS)
    history = [Version("r1", _public(first), rules)]
    changed = [{("A", 2023, "schulden"), ("G", 2023, "schulden")}]

    # the attack catches the naive second release (G published with its new value)
    naive = _public(first).assign(value=first["value"].where(first["code"].ne("G"), 72).astype("Int64"))
    a_old = attack_releases([_public(first), naive], parents, changed)[0].set_index("code").loc["A"]
    assert (a_old["low"], a_old["high"], a_old["ok"]) == (2, 19, False)

    second = protect(corrected, parents, rules, history=history)
    assert_protected(second, rules)
    by_code = second.set_index("code")
    assert by_code.loc["G", "value"] is pd.NA and bool(by_code.loc["G", "herzien"])
    assert by_code.loc["B", "value"] == 40 and not bool(by_code.loc["B", "herzien"])
    for attacked in attack_releases([_public(first), _public(second)], parents, changed):
        assert attacked["ok"].all(), attacked
    listed = revisions(second, history, rules)
    assert listed[["code", "value_old", "value_new", "change"]].values.tolist() == [
        ["G", "74", "beschermd", "herzien"]]


def test_a_correction_within_the_rounding_keeps_the_published_values(tables):
    rules = _rules("1", 10, 5)
    cells, parents = tables(PO, {(2023, "schulden"): {"A": 7, "B": 39, "C": 12, "D": 15}}, households=HOUSEHOLDS)
    first = protect(cells, parents, rules)
    corrected, _ = tables(PO, {(2023, "schulden"): {"A": 7, "B": 42, "C": 12, "D": 15}}, households=HOUSEHOLDS)
    second = protect(corrected, parents, rules, history=[Version("r1", _public(first), rules)])
    # B 39 -> 42 still rounds to 40 and G 73 -> 76 still to 75: nothing is revised, nothing new is told
    pd.testing.assert_series_equal(second["value"], first["value"])
    assert not second["herzien"].any()
    assert_protected(second, rules)


def test_stricter_rules_and_another_rounding_base_apply_to_new_periods_only(tables):
    old, new = _rules("1", 10, 5), _rules("2", 15, 10)
    leaves = {"A": 7, "B": 40, "C": 12, "D": 15}
    cells, parents = tables(PO, {(2023, "schulden"): leaves}, households=HOUSEHOLDS)
    first = protect(cells, parents, old)
    both, _ = tables(PO, {(2023, "schulden"): leaves, (2024, "schulden"): leaves}, households=HOUSEHOLDS)
    second = protect(both, parents, new, history=[Version("r1", _public(first), old)])
    assert_protected(second, new)
    kept = second[second["period"].eq(2023)].set_index("code")
    # 2023 stays as published: D = 15 (under 15? no: 15 >= 15, but rounded to 5 with the old base)
    assert kept.loc["D", ["value", "min_count", "rounding_base"]].tolist() == [15, 10, 5]
    assert kept.loc["D", "reason"] == "gepubliceerd in release r1"
    fresh = second[second["period"].eq(2024)].set_index("code")
    assert fresh.loc["B", ["value", "min_count", "rounding_base"]].tolist() == [40, 15, 10]
    assert fresh.loc["C", "status"] == "onder_drempel"  # 12 < 15 from 2024 on
    listed = revisions(second, [Version("r1", _public(first), old)], new)
    assert set(listed["change"]) == {"ongewijzigd onder eerdere regels"}
    for attacked in attack_releases([_public(first), _public(second)], parents, [set()]):
        assert attacked["ok"].all(), attacked


def test_the_audit_reads_each_release_with_its_own_rounding(tables):
    # Release 1 rounds to 5; read with a base of 10 its values would be wider and hide a leak, read with
    # base 1 narrower and fail a sound release. The audit over both must say exactly what the LP says.
    old, new = _rules("1", 10, 5), _rules("2", 10, 10)
    cells, parents = tables(PO, {(2023, "schulden"): {"A": 7, "B": 41, "C": 12, "D": 18}}, households=HOUSEHOLDS)
    first = protect(cells, parents, old)
    second = protect(cells, parents, new, history=[Version("r1", _public(first), old)])
    audited = audit(_public(second), parents, new, history=[Version("r1", _public(first), old)], method="lp")
    attacked = attack_releases([_public(first), _public(second)], parents, [set()])[1].set_index("code")
    got = audited[audited["value"].isna()].set_index("code")
    for code in attacked.index:
        assert (got.loc[code, "audit_low"], got.loc[code, "audit_high"]) == (
            attacked.loc[code, "low"], attacked.loc[code, "high"])


NESTED = {"NL": None, "G1": "NL", "G2": "NL", "A": "G1", "B": "G1", "C": "G1", "E": "G2", "F": "G2", "H": "G2"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    leaves=st.lists(st.integers(0, 30), min_size=6, max_size=6),
    leaf=st.sampled_from(["A", "B", "C", "E", "F", "H"]),
    delta=st.integers(-6, 6),
    rules_now=st.sampled_from([(10, 5), (15, 5), (15, 10), (5, 5), (10, 1)]),
)
def test_random_revisions_and_rule_changes_never_publish_a_narrowed_hidden_cell(leaves, leaf, delta, rules_now):
    tables = make_cells
    counts = dict(zip(["A", "B", "C", "E", "F", "H"], leaves))
    old, new = _rules("1", 10, 5), _rules("2", *rules_now)
    cells, parents = tables(NESTED, {(2023, "schulden"): counts})
    first = protect(cells, parents, old)
    revised = {**counts, leaf: max(counts[leaf] + delta, 0)}
    cells2, _ = tables(NESTED, {(2023, "schulden"): revised, (2024, "schulden"): counts})
    second = protect(cells2, parents, new, history=[Version("r1", _public(first), old)])
    try:
        assert_protected(second, new)
    except UnprotectedOutput as refused:
        # the build refuses (naming the cells) rather than publish; it never publishes a leak
        assert "narrowed" in str(refused)
        return
    changed = set()
    if revised[leaf] != counts[leaf]:
        node = leaf
        while node is not None:
            changed.add((node, 2023, "schulden"))
            node = NESTED[node]
    for attacked in attack_releases([_public(first), _public(second)], parents, [changed]):
        assert attacked["ok"].all(), attacked[~attacked["ok"]]
