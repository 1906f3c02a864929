"""Registrations → counts: known answers for duplicates, households, re-report windows, PC6 and reasons."""

from __future__ import annotations

import tempfile

import pandas as pd
import pytest

from geo.errors import InputFileError
from insights.registrations import aggregate_registrations, read_pc6_table
from tests.insights.registrations.conftest import cell, write_records

A, B = "WK019310", "WK019311"  # two Zwolle wijken


def _melding(key: str, day: str, at: tuple[float, float], soort: str = "melding") -> dict[str, object]:
    return {"huishouden": key, "datum": day, "soort": soort, "x": at[0], "y": at[1]}


def test_households_count_once_per_year_and_duplicates_once(tmp_path, boundaries, inside):
    rows = [
        _melding("k1", "2024-03-01", inside[A]), _melding("k1", "2024-03-01", inside[A]),  # exported twice
        _melding("k1", "2024-09-01", inside[A]),  # same household again: one household, one re-report
        _melding("k2", "2024-05-01", inside[A]),
        _melding("k3", "2024-05-01", inside[B], "schuldhulp"), _melding("k3", "2024-06-01", inside[B], "schuldhulp"),
        _melding("k4", "2024-07-01", inside[B], "echtscheiding"),
        _melding("k5", "2024-07-01", inside[B], "echtscheiding"),
    ]
    result = aggregate_registrations([write_records(tmp_path / "r.csv", rows)], boundaries)
    t = result.table
    assert (cell(t, A, 2024, "meldingen"), cell(t, A, 2024, "hermeldingen")) == (2, 1)
    assert cell(t, B, 2024, "schulden") == 1  # two registrations, one household
    assert cell(t, B, 2024, "echtscheidingen") == 2  # counted per registration
    assert cell(t, B, 2024, "meldingen") == 0  # a covered wijk without reports is a true 0
    assert result.duplicates == 1 and result.records == 8


@pytest.mark.parametrize(("earlier", "later", "re_report"), [
    ("2023-12-31", "2024-12-31", True),   # exactly 12 months, across the year boundary
    ("2023-12-30", "2024-12-31", False),  # one day more
    ("2023-02-28", "2024-02-29", True),   # leap day: 29 Feb − 12 months = 28 Feb
    ("2023-02-27", "2024-02-29", False),
    ("2024-02-29", "2025-02-28", True),
    ("2024-02-27", "2025-02-28", False),  # 28 Feb 2025 − 12 months = 28 Feb 2024
    ("2024-06-01", "2024-06-01", False),  # the same report twice is a duplicate, not a re-report
])
def test_re_report_window_edges(tmp_path, boundaries, inside, earlier, later, re_report):
    rows = [_melding("k1", earlier, inside[A]), _melding("k1", later, inside[A])]
    t = aggregate_registrations([write_records(tmp_path / "r.parquet", rows)], boundaries).table
    year = int(later[:4])
    assert cell(t, A, year, "hermeldingen") == int(re_report)


def test_window_comes_from_the_mapping_file(tmp_path, boundaries, inside):
    mapping = tmp_path / "m.toml"
    mapping.write_text('version = "t"\nhermelding_venster_maanden = 3\n[soorten]\nmelding = "meldingen"\n')
    rows = [_melding("k1", "2024-01-15", inside[A]), _melding("k1", "2024-05-15", inside[A])]
    path = write_records(tmp_path / "r.csv", rows)
    assert cell(aggregate_registrations([path], boundaries).table, A, 2024, "hermeldingen") == 1
    assert cell(aggregate_registrations([path], boundaries, mapping_path=mapping).table, A, 2024, "hermeldingen") == 0


def test_points_in_no_wijk_are_reported_per_reason(tmp_path, boundaries, inside):
    lake = boundaries.water.geometry.iloc[0].representative_point()
    rows = [_melding("k1", "2024-01-01", inside[A]), _melding("k2", "2024-01-01", (lake.x, lake.y)),
            _melding("k3", "2024-01-01", (320_000.0, 450_000.0)), {"huishouden": "k4", "datum": "2024-01-01",
                                                                  "soort": "melding", "x": None, "y": None}]
    result = aggregate_registrations([write_records(tmp_path / "r.parquet", rows)], boundaries)
    assert result.unassigned == {"missing": 1, "outside": 1, "water": 1}
    assert cell(result.table, A, 2024, "meldingen") == 1


def test_wgs84_points_and_wijk_codes_give_the_same_counts(tmp_path, boundaries, inside):
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True).transform(*inside[A])
    by_point = write_records(tmp_path / "p.csv", [{"huishouden": "k1", "datum": "2024-01-01", "soort": "melding",
                                                    "lon": lon, "lat": lat}])
    by_code = write_records(tmp_path / "c.csv", [{"huishouden": "k1", "datum": "01-01-2024", "soort": "melding",
                                                   "wijkcode": A}])
    for path in (by_point, by_code):
        assert cell(aggregate_registrations([path], boundaries).table, A, 2024, "meldingen") == 1


def test_a_pc6_in_two_wijken_is_reported_not_guessed(tmp_path, boundaries):
    table = tmp_path / "pc6.csv"
    table.write_text("pc6,wijkcode\n8011AB,WK019310\n8011AC,WK019310\n8011AC,WK019311\n")
    rows = [{"huishouden": "k1", "datum": "2024-01-01", "soort": "melding", "pc6": "8011 ab"},
            {"huishouden": "k2", "datum": "2024-01-01", "soort": "melding", "pc6": "8011AC"},
            {"huishouden": "k3", "datum": "2024-01-01", "soort": "melding", "pc6": "9999ZZ"}]
    result = aggregate_registrations([write_records(tmp_path / "r.csv", rows)], boundaries,
                                     pc6_table=read_pc6_table(table))
    assert result.unassigned == {"pc6_several_wijken": 1, "pc6_unknown": 1}
    assert cell(result.table, A, 2024, "meldingen") == 1


@pytest.mark.parametrize(("column", "value", "problem"), [
    ("datum", "31-31-2024", "not a date"),
    ("soort", "melding-oud", "unknown event kind"),
    ("x", "12,5 km", "not a number"),
])
def test_bad_values_name_file_row_and_column_never_the_value(tmp_path, boundaries, inside, column, value, problem):
    rows = [_melding(f"secret-key-{i}", "2024-01-01", inside[A]) for i in range(4)]
    rows[2][column] = value
    with pytest.raises(InputFileError, match=rf"^r\.csv, row 4, column '{column}': {problem}") as err:
        aggregate_registrations([write_records(tmp_path / "r.csv", rows)], boundaries)
    assert value not in str(err.value) and "secret-key" not in str(err.value)


def test_unknown_wijk_code_is_refused_with_its_row(tmp_path, boundaries):
    rows = [{"huishouden": "k", "datum": "2024-01-01", "soort": "melding", "wijkcode": c} for c in (A, "WK999999")]
    with pytest.raises(InputFileError, match=r"row 3, column 'wijkcode': not a wijk code of the boundaries"):
        aggregate_registrations([write_records(tmp_path / "r.csv", rows)], boundaries)


def test_spill_folder_is_removed(tmp_path, boundaries, inside, monkeypatch):
    spill_root = tmp_path / "tmp"
    spill_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spill_root))
    rows = [_melding("k1", "2024-01-01", inside[A])]
    aggregate_registrations([write_records(tmp_path / "r.csv", rows)], boundaries, memory_limit="64MB")
    assert list(spill_root.iterdir()) == []


def test_counts_csv_reads_back_as_an_indicator_file(tmp_path, boundaries, inside):
    from insights.ingest import read_indicators
    from insights.registrations.cli import aggregate_command

    rows = [_melding("k1", "2024-01-01", inside[A]), _melding("k1", "2024-02-01", inside[A])]
    out = tmp_path / "counts.csv"
    aggregate_command([write_records(tmp_path / "r.csv", rows)], out)
    text = out.read_text(encoding="utf-8-sig")
    assert "k1" not in text
    table = read_indicators([out], wijk_codes=boundaries.wijken["code"],
                            denominators=boundaries.wijken[["code", "huishoudens", "inwoners"]])
    assert (cell(table, A, 2024, "meldingen"), cell(table, A, 2024, "hermeldingen")) == (1, 1)
    assert pd.Series(table.indicators).tolist() == ["meldingen", "hermeldingen"]
