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
    assert loss.loc[
        "totaal", ["cells", "published", "hidden_primary", "hidden_secondary", "under_protected"]
    ].tolist() == [4, 2, 1, 1, 0]
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


TWO_GEMEENTEN = {"R": None, "G1": "R", "G2": "R", "A": "G1", "B": "G1", "C": "G1", "D": "G2", "E": "G2"}
TWO_LEAVES = {(2024, "schulden"): {"A": 3, "B": 41, "C": 26, "D": 57, "E": 64},
              (2024, "meldingen"): {"A": 33, "B": 48, "C": 52, "D": 7, "E": 71}}
GEMEENTE_OF = {"G1": "G1", "A": "G1", "B": "G1", "C": "G1", "G2": "G2", "D": "G2", "E": "G2"}
NAMES = {"R": "Regio", "G1": "Zwolle", "G2": "Dalfsen", "A": "Binnenstad", "B": "Assendorp", "C": "Wipstrik",
         "D": "Lemelerveld", "E": "Nieuwleusen"}


def test_the_page_summarises_per_gemeente_and_indicator_in_dutch(tables, rules_no_rounding):
    cells, parents = tables(TWO_GEMEENTEN, TWO_LEAVES)
    page = steward_report_html(protect(cells, parents, rules_no_rounding), "1", gemeente_of=GEMEENTE_OF, names=NAMES,
                               labels={"schulden": "Problematische schulden"},
                               csv_links={"Zwolle (G1)": "gemeenten/G1.csv"})
    summary = page[page.index("Per gemeente en indicator"):page.index("Informatieverlies per periode")]
    assert summary.index("Dalfsen (G2)") < summary.index("Zwolle (G1)")  # gemeenten in order, before the cell table
    assert "Problematische schulden" in summary and '<a href="gemeenten/G1.csv">' in summary
    for english in ("hidden_primary", "hidden_secondary", "protection_ok", "audit_low", "under_protected", ">level<"):
        assert english not in page, english
    assert "Verborgen door een regel" in page and "Voldoende beschermd" in page
    assert "<script src" not in page and "<link" not in page and "http" not in page  # offline: nothing from elsewhere


def test_the_gemeente_summary_counts_cells_not_what_they_hide(tables, rules_no_rounding):
    from insights.disclosure.report import gemeente_summary, steward_rows

    cells, parents = tables(TWO_GEMEENTEN, TWO_LEAVES)
    rows = steward_rows(protect(cells, parents, rules_no_rounding), GEMEENTE_OF, NAMES)
    summary = gemeente_summary(rows).set_index(["gemeente", "indicator"])
    zwolle = summary.loc[("Zwolle (G1)", "schulden")]
    assert zwolle[["cells", "published", "hidden_primary", "hidden_secondary"]].tolist() == [4, 2, 1, 1]
    assert summary.loc[("boven gemeenteniveau", "schulden"), "cells"] == 1
    assert "count" not in rows.columns
    hidden = rows[rows["state"].ne("gepubliceerd")]
    assert hidden["value"].isna().all()
    assert not set(rows["value"].dropna().astype(int)) & {3, 26, 7}  # the hidden counts of A, C and D
