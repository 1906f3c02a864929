"""The audit: intervals worked out by hand, the refusal, and the LP cross-check."""

import pandas as pd
import pytest

from insights.disclosure import assert_protected, audit, parse_rules, protect
from insights.errors import UnprotectedOutput

ONE_GEMEENTE = {"G": None, "A": "G", "B": "G", "C": "G"}


def _published(cells: pd.DataFrame, hidden: dict[str, str], base: int) -> pd.DataFrame:
    """Cells published by hand: every count rounded to ``base`` except the ``hidden`` codes."""
    out = cells.copy()
    out["value"] = ((out["count"].astype(float) / base + 0.5).apply(int) * base).astype("Int64")
    out["status"] = "gepubliceerd"
    for code, status in hidden.items():
        out.loc[out["code"].eq(code), ["value", "status"]] = [pd.NA, status]
    return out.drop(columns="count")


def test_lone_hidden_cell_is_recovered_exactly_and_refused(tables, rules_no_rounding):
    # G - B - C = 68 - 40 - 25 = 3: the classic differencing attack.
    cells, parents = tables(ONE_GEMEENTE, {(2024, "schulden"): {"A": 3, "B": 40, "C": 25}})
    audited = audit(_published(cells, {"A": "onder_drempel"}, 1), parents, rules_no_rounding)
    a = audited.set_index("code").loc["A"]
    assert (a["audit_low"], a["audit_high"], a["protection_ok"]) == (3, 3, False)
    with pytest.raises(UnprotectedOutput, match=r"1 hidden cell\(s\) can be narrowed.*A/2024/schulden"):
        assert_protected(audited, rules_no_rounding)


@pytest.mark.parametrize("method", ["exact", "lp"])
def test_rounded_parent_and_siblings_give_the_interval_by_hand(tables, rules_base5, method):
    # G = 3 + 14 + 14 + 14 = 45 (published 45 -> [43, 47]); siblings 14 -> 15 -> [13, 17].
    # A lies in [43 - 51, 47 - 39] = [-8, 8] -> [0, 8]: 0 reachable, 10 not.
    po = {"G": None, "A": "G", "S0": "G", "S1": "G", "S2": "G"}
    cells, parents = tables(po, {(2024, "schulden"): {"A": 3, "S0": 14, "S1": 14, "S2": 14}})
    audited = audit(_published(cells, {"A": "onder_drempel"}, 5), parents, rules_base5, method=method)
    a = audited.set_index("code").loc["A"]
    assert (a["audit_low"], a["audit_high"], a["protection_ok"]) == (0, 8, False)


def test_threshold_only_protection_accepts_that_interval(tables):
    rules = parse_rules('version = "x"\nmin_households = 0\n[defaults]\nmin_count = 8\nrounding_base = 5\n'
                        "[protection]\ncontains_zero = false\n")
    po = {"G": None, "A": "G", "S0": "G", "S1": "G", "S2": "G"}
    cells, parents = tables(po, {(2024, "schulden"): {"A": 3, "S0": 14, "S1": 14, "S2": 14}})
    audited = audit(_published(cells, {"A": "onder_drempel"}, 5), parents, rules)
    assert audited["protection_ok"].all()


def test_audit_reads_no_raw_counts(tables, rules_no_rounding):
    cells, parents = tables(ONE_GEMEENTE, {(2024, "schulden"): {"A": 3, "B": 40, "C": 25}})
    out = protect(cells, parents, rules_no_rounding)
    public = out.drop(columns=["count", "audit_low", "audit_high", "protection_ok"])
    again = audit(public, parents, rules_no_rounding)
    pd.testing.assert_frame_equal(again[["audit_low", "audit_high"]], out[["audit_low", "audit_high"]])


def test_lp_audit_does_not_trust_an_undecided_warm_start():
    # Regression: a warm-started HiGHS max after an unbounded solve ended kUnknown with a stale
    # objective (12), which made VR00 look bounded. VR00 = GM0000 + GM0001, both unbounded.
    rules = parse_rules('version = "p"\nmin_households = 50\n[defaults]\nmin_count = 10\nrounding_base = 1\n'
                        "[protection]\ncontains_zero = false\n")
    po = pd.Series({"NL01": None, "VR00": "NL01", "GM0000": "VR00", "WK000000": "GM0000", "WK000001": "GM0000",
                    "GM0001": "VR00", "WK000100": "GM0001", "WK000101": "GM0001"}, dtype=object)
    status = ["geheim_in_bron"] * 4 + ["gepubliceerd"] + ["te_weinig_huishoudens"] * 3
    pub = pd.DataFrame({"code": list(po.index), "period": 2024, "indicator": "schulden",
                        "value": pd.array([None] * 4 + [12] + [None] * 3, dtype="Int64"), "status": status})
    lp = audit(pub, po, rules, method="lp").set_index("code")
    exact = audit(pub, po, rules).set_index("code")
    assert lp.loc["VR00", "audit_high"] is pd.NA
    pd.testing.assert_frame_equal(lp[["audit_low", "audit_high"]], exact[["audit_low", "audit_high"]])


def test_refuses_a_published_value_that_breaks_a_rule(tables, rules_no_rounding):
    cells, parents = tables(ONE_GEMEENTE, {(2024, "schulden"): {"A": 30, "B": 40, "C": 25}})
    out = protect(cells, parents, rules_no_rounding)
    out.loc[out["code"].eq("A"), "value"] = 35
    with pytest.raises(UnprotectedOutput, match="break a rule"):
        assert_protected(out, rules_no_rounding)


def test_refuses_a_table_that_was_never_audited(tables, rules_no_rounding):
    cells, parents = tables(ONE_GEMEENTE, {(2024, "schulden"): {"A": 30, "B": 40, "C": 25}})
    out = protect(cells, parents, rules_no_rounding).drop(columns="protection_ok")
    with pytest.raises(UnprotectedOutput, match="not been audited"):
        assert_protected(out, rules_no_rounding)


def test_inconsistent_published_figures_are_reported(tables, rules_no_rounding):
    from insights.disclosure import NonAdditiveTable

    cells, parents = tables(ONE_GEMEENTE, {(2024, "schulden"): {"A": 30, "B": 40, "C": 25}})
    bad = _published(cells, {}, 1)
    bad.loc[bad["code"].eq("G"), "value"] = 10
    with pytest.raises(NonAdditiveTable, match="sum of their children"):
        audit(bad, parents, rules_no_rounding)
