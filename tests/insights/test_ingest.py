"""Indicator files: both shapes read, secrecy kept as secret, every malformed case named precisely."""

import pandas as pd
import pytest

from geo.errors import InputFileError
from insights.ingest import read_indicator_file, read_indicators

WIJKEN = ["WK019310", "WK019311", "WK019312"]
DENOMINATORS = pd.DataFrame({"code": WIJKEN, "huishoudens": [4330, 2910, 3235], "inwoners": [6540, 6805, 7010]})

HEADER = "gebiedscode;periode;schulden;meldingen;hermeldingen"


def write(tmp_path, text: str, *, name: str = "export.csv", encoding: str = "utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path):
    return read_indicators([path], wijk_codes=WIJKEN, denominators=DENOMINATORS)


def test_register_export_shape_is_read(tmp_path):
    path = write(tmp_path, f"{HEADER}\nWK019310;2024;1.234;40;12\nWK019311;2024;310;25;9\n")
    table = read(path)
    row = table.frame.set_index("code").loc["WK019310"]
    assert row["schulden"] == 1234  # decimal comma file: '.' is the thousands separator
    assert row["huishoudens"] == 4330  # denominator taken from the boundaries
    assert table.indicators == ["schulden", "meldingen", "hermeldingen"]
    assert not table.synthetic
    assert set(table.sha256) == {"export.csv"}


def test_statline_shape_with_padded_codes_and_period_codes(tmp_path):
    text = '"ID","WijkenEnBuurten","Perioden","Meldingen_1","Huishoudens_2"\n1,"WK019310  ","2024JJ00",40,4330\n'
    table = read(write(tmp_path, text, encoding="utf-8"))
    assert table.frame[["code", "period", "meldingen"]].values.tolist() == [["WK019310", 2024, 40]]


def test_latin1_file_is_read(tmp_path):
    path = write(tmp_path, f"{HEADER}\nWK019310;2024;100;40;12\n", encoding="latin-1")
    assert read(path).frame["meldingen"].tolist() == [40]


@pytest.mark.parametrize("marker", [".", "", "-99999999", "-99997", "x"])
def test_cbs_secret_marker_is_read_as_secret_never_zero(tmp_path, marker):
    path = write(tmp_path, f"{HEADER}\nWK019310;2024;100;{marker};12\n")
    value = read(path).frame["meldingen"].iloc[0]
    assert value is pd.NA


def test_cbs_nihil_dash_is_zero(tmp_path):
    path = write(tmp_path, f"{HEADER}\nWK019310;2024;100;40;-\n")
    assert read(path).frame["hermeldingen"].iloc[0] == 0


def test_synthetic_rows_mark_the_table(tmp_path):
    path = write(tmp_path, f"{HEADER};synthetisch\nWK019310;2024;100;40;12;ja\n")
    assert read(path).synthetic


@pytest.mark.parametrize(
    ("body", "row", "column", "problem"),
    [
        ("WK019399;2024;100;40;12", 2, "code", "unknown area code 'WK019399'"),
        ("WK01931;2024;100;40;12", 2, "gebiedscode", "not a CBS area code"),
        ("GM0193;2024;100;40;12", 2, "gebiedscode", "no wijk rows"),
        ("WK019310;2024;100;40;12\nWK019310;2024;90;30;10", 3, "gebiedscode", "duplicate WK019310 2024: also on row 2"),
        ("WK019310;2024;100;-3;1", 2, "meldingen", "negative"),
        ("WK019310;2024;100;40;41", 2, "hermeldingen", "larger than its denominator meldingen = 40"),
        ("WK019310;2024;5000;40;12", 2, "schulden", "larger than its denominator huishoudens = 4330"),
        ("WK019310;2024;100;veertig;12", 2, "meldingen", "'veertig' is not a number"),
        ("WK019310;2024;100;12,5;1", 2, "meldingen", "not a count"),
        ("WK019310;twintig;100;40;12", 2, "periode", "is not a year"),
        ("WK019310;2024;100;40", 2, None, "expected 5 fields, found 4"),
    ],
)
def test_malformed_value_names_file_row_and_column(tmp_path, body, row, column, problem):
    path = write(tmp_path, f"{HEADER}\n{body}\n", name="gemeente_export.csv")
    with pytest.raises(InputFileError, match=problem) as caught:
        read(path)
    assert caught.value.path.name == "gemeente_export.csv"
    assert caught.value.row == row
    assert caught.value.column == column
    assert str(caught.value).startswith(f"gemeente_export.csv, row {row}")


def test_misspelled_column_is_named_with_a_suggestion(tmp_path):
    path = write(tmp_path, "gebiedscode;periode;meldngen\nWK019310;2024;40\n")
    with pytest.raises(InputFileError, match=r"row 1, column 'meldngen': unknown column; did you mean 'meldingen'\?"):
        read(path)


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("periode;meldingen", "no area code column"),
        ("gebiedscode;meldingen", "no period column"),
        ("gebiedscode;periode;huishoudens", "no indicator column"),
    ],
)
def test_missing_column_is_named(tmp_path, header, problem):
    path = write(tmp_path, f"{header}\nWK019310;2024;40\n")
    with pytest.raises(InputFileError, match=problem):
        read(path)


def test_two_files_join_on_code_and_period_but_may_not_repeat_a_value(tmp_path):
    a = write(tmp_path, "gebiedscode;periode;meldingen\nWK019310;2024;40\n", name="a.csv")
    b = write(tmp_path, "gebiedscode;periode;schulden\nWK019310;2024;100\n", name="b.csv")
    table = read_indicators([a, b], wijk_codes=WIJKEN, denominators=DENOMINATORS)
    assert table.frame[["meldingen", "schulden"]].values.tolist() == [[40, 100]]
    c = write(tmp_path, "gebiedscode;periode;meldingen\nWK019310;2024;41\n", name="c.csv")
    with pytest.raises(InputFileError, match="c.csv, row 2, column 'meldingen': value given in another file"):
        read_indicators([a, c], wijk_codes=WIJKEN, denominators=DENOMINATORS)


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(InputFileError, match="empty"):
        read_indicator_file(write(tmp_path, ""))
    with pytest.raises(InputFileError, match="not found"):
        read_indicator_file(tmp_path / "weg.csv")
