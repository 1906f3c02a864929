"""Model card text and Algoritmeregister entry."""

from insights.risk.model_card import algoritmeregister_entry, model_card_markdown

SUMMARY = {"release": "2024-01", "periods": [2022, 2023], "indicators": ["meldingen", "schulden"],
           "reference": "regio", "n_cells": 100, "n_hidden": 40, "rules_version": "1",
           "signals": {"duidelijk hoger dan verwacht": 7}, "synthetic": True}


def test_model_card_says_what_it_must():
    text = model_card_markdown(SUMMARY)
    for phrase in ("Meldingen zijn geen prevalentie", "aanleiding voor een gesprek, geen oordeel over een huishouden",
                   "## Doel", "## Gegevens", "## Methode", "## Grenzen", "nooit als 0", "geen ranglijst",
                   "Clayton & Kaldor", "Spiegelhalter", "synthetisch", "2022, 2023",
                   "| duidelijk hoger dan verwacht | 7 |"):
        assert phrase in text, phrase


def test_model_card_with_empty_summary():
    assert "onbekend" in model_card_markdown({})


def test_algoritmeregister_fields():
    entry = algoritmeregister_entry(SUMMARY)
    for key in ("name", "goal_and_impact", "proportionality", "human_intervention", "risks", "legal_basis",
                "impact_assessments", "source_data", "methods_and_models", "self_learning"):
        assert entry[key], key
    assert entry["self_learning"] == "nee"
    assert any("prevalentie" in r for r in entry["risks"])


def test_model_card_states_whether_scores_also_compare_with_nederland():
    regional = model_card_markdown(SUMMARY)
    assert "Een landelijke vergelijking ontbreekt" in regional
    assert "vergelijking met Nederland" not in regional
    national = model_card_markdown({**SUMMARY, "national": True})
    assert "ook de vergelijking met Nederland" in national
    assert "ontbreekt" not in national
