"""Steward report and rules diff: states, intervals and loss, never a raw count."""

import re

from insights.disclosure import information_loss, parse_rules, protect, rules_diff, steward_report_html, steward_table

ONE_GEMEENTE = {"G": None, "A": "G", "B": "G", "C": "G"}
LEAVES = {(2024, "schulden"): {"A": 3, "B": 41, "C": 26}}


def test_steward_table_has_state_reason_and_interval_but_no_count(tables, rules_no_rounding):
    cells, parents = tables(ONE_GEMEENTE, LEAVES)
    table = steward_table(protect(cells, parents, rules_no_rounding))
    assert "count" not in table.columns
    row = table.set_index("code").loc["C"]
    assert row["state"] == "verborgen ter bescherming van een andere cel"
    assert row["reason"] == "beschermt A (verschil met G)"
    assert (row["audit_low"], row["audit_high"]) == (0, 29)
    assert table.to_csv(index=False).count("\n") == 5


def test_information_loss_counts_cells_per_table_and_in_total(tables, rules_no_rounding):
    cells, parents = tables(ONE_GEMEENTE, LEAVES)
    loss = information_loss(protect(cells, parents, rules_no_rounding)).set_index("period")
    assert loss.loc["totaal", ["cells", "published", "hidden_primary", "hidden_secondary", "under_protected"]].tolist() == [
        4, 2, 1, 1, 0]
    assert loss.loc["totaal", "hidden_share"] == 0.5


def test_html_report_shows_verdict_and_hidden_cells_without_hidden_counts(tables, rules_no_rounding):
    cells, parents = tables(ONE_GEMEENTE, LEAVES)
    page = steward_report_html(protect(cells, parents, rules_no_rounding), rules_no_rounding.version)
    assert page.startswith("<!DOCTYPE html>") and "Audit geslaagd" in page
    assert "beschermt A (verschil met G)" in page
    cells_text = re.findall(r"<td>([^<]*)</td>", page)
    assert "3" not in cells_text and "26" not in cells_text  # the hidden counts of A and C


def test_rules_diff_lists_only_cells_that_change_state(tables):
    old = parse_rules('version = "1"\nmin_households = 0\n[defaults]\nmin_count = 10\nrounding_base = 1\n')
    new = parse_rules('version = "2"\nmin_households = 0\n[defaults]\nmin_count = 2\nrounding_base = 1\n')
    cells, parents = tables(ONE_GEMEENTE, LEAVES)
    diff = rules_diff(cells, parents, old, new)
    assert diff[["code", "change"]].values.tolist() == [["A", "nu gepubliceerd"], ["C", "nu gepubliceerd"]]
    assert "count" not in diff.columns
    assert rules_diff(cells, parents, old, old).empty
