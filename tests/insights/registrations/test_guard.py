"""Direct identifiers are refused before anything is computed, naming the column and never a value."""

from __future__ import annotations

import pytest

from insights.registrations import IdentifierRefused, aggregate_registrations, is_bsn
from tests.insights.registrations.conftest import write_records


@pytest.mark.parametrize(("number", "valid"), [
    ("111222333", True),   # 9·1+8·1+7·1+6·2+5·2+4·2+3·3+2·3 − 3 = 66 = 6·11
    ("123456782", True),
    ("123456789", False),
    ("11222333", False),   # 8 digits, read as 011222333: 60 − 3 = 57, not a multiple of 11
    ("12345678a", False),
    ("000000000", False),
])
def test_eleven_proof(number, valid):
    assert is_bsn(number) is valid


def _rows(extra: dict[str, list[object]]) -> list[dict[str, object]]:
    base = [{"huishouden": f"h{i:04x}", "datum": "2024-01-01", "soort": "melding", "wijkcode": "WK019310"}
            for i in range(4)]
    return [{**row, **{k: v[i] for k, v in extra.items()}} for i, row in enumerate(base)]


@pytest.mark.parametrize(("extra", "column", "problem"), [
    ({"bsn": ["1", "2", "3", "4"]}, "bsn", "BSN column"),
    ({"kenmerk": ["111222333", "123456782", "232262536", "99"]}, "kenmerk", "look like BSNs"),
    ({"Achternaam": ["Jansen", "de Vries", "Bakker", "Visser"]}, "Achternaam", "name column"),
    ({"woonadres": ["a", "b", "c", "d"]}, "woonadres", "address column"),
    ({"locatie": ["Kerkstraat 12", "Dorpsweg 3a", "Laan van Nieuw Oost-Indië 115", "Markt 1"]}, "locatie",
     "full addresses"),
    ({"geboortedatum": ["1980-01-01"] * 4}, "geboortedatum", "date of birth"),
])
def test_identifier_columns_are_refused_by_name_or_value(tmp_path, boundaries, extra, column, problem):
    path = write_records(tmp_path / "r.csv", _rows(extra))
    with pytest.raises(IdentifierRefused, match=rf"^r\.csv, (row 1, )?column '{column}': .*{problem}") as err:
        aggregate_registrations([path], boundaries)
    for values in extra.values():
        for value in values:
            assert len(str(value)) < 2 or str(value) not in str(err.value)


def test_a_random_numeric_household_key_is_not_taken_for_a_bsn(tmp_path, boundaries):
    rows = _rows({})
    keys = ["123456789", "987654321", "555555555", "100000000"]  # none passes the 11-proef
    for row, key in zip(rows, keys, strict=True):
        row["huishouden"] = key
    result = aggregate_registrations([write_records(tmp_path / "r.csv", rows)], boundaries)
    assert int(result.table.frame.set_index(["code", "period"]).loc[("WK019310", 2024), "meldingen"]) == 4


def test_pc6_without_house_number_is_a_location_not_an_address(tmp_path, boundaries):
    table = tmp_path / "pc6.csv"
    table.write_text("pc6,wijkcode\n8011AB,WK019310\n")
    rows = [{"huishouden": "k", "datum": "2024-01-01", "soort": "melding", "pc6": "8011 AB"}]
    from insights.registrations import read_pc6_table

    result = aggregate_registrations([write_records(tmp_path / "r.csv", rows)], boundaries,
                                     pc6_table=read_pc6_table(table))
    assert result.records == 1 and not result.unassigned
