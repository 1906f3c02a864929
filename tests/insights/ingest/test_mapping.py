"""The steward's column mapping: a readable file is applied; a wrong one is refused naming file and key."""

import pytest

from geo.errors import InputFileError
from insights.ingest import parse_mapping, read_indicator_file, read_mapping

from .shapes import MAPPING, MUNICIPAL


def test_mapping_names_columns_case_blind_and_ignores_the_listed_ones(tmp_path):
    export = tmp_path / "zwolle.csv"
    export.write_text(MUNICIPAL.replace("Meldingen VT", "  MELDINGEN vt "), encoding="utf-8")
    rows = read_indicator_file(export, mapping=parse_mapping(MAPPING))
    assert rows.wijken[["code", "period", "huishoudens", "meldingen"]].values.tolist() == [
        ["WK019310", 2024, 4330, 40], ["WK019311", 2024, 2910, 31]]
    assert rows.notes == []  # explicitly ignored columns need no note


def test_a_mapped_column_may_be_absent_so_one_mapping_serves_several_files(tmp_path):
    export = tmp_path / "schulden.csv"
    export.write_text("Wijkcode;Jaar;schulden\nWK019310;2024;212\n", encoding="utf-8")
    assert read_indicator_file(export, mapping=parse_mapping(MAPPING)).wijken["schulden"].tolist() == [212]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[columns\n", "mapping.toml: not valid TOML: "),
        ("kolommen = 1\n", "mapping.toml: unknown key(s) kolommen; expected [columns], ignore and period"),
        (
            '[columns]\n"A" = "meldingen"\n"B" = "meldingen"\n',
            "mapping.toml, column 'B': two columns map to 'meldingen'",
        ),
        ('ignore = ["A"]\n[columns]\n"a" = "code"\n', "mapping.toml, column 'a': column is both mapped and ignored"),
        ('ignore = "Wijknaam"\n', "mapping.toml: ignore must be a list of column names"),
        ('period = "2024"\n', "mapping.toml: period must be a year (a whole number), not '2024'"),
        (
            '[columns]\n"X" = "gebied"\n',
            (
                "mapping.toml, column 'X': 'gebied' is not a target; one of code, period, "
                "synthetisch, huishoudens, inwoners, schulden, echtscheidingen, meldingen, "
                "hermeldingen"
            ),
        ),
    ],
)
def test_a_wrong_mapping_is_refused_naming_file_and_key(text, message):
    with pytest.raises(InputFileError) as caught:
        parse_mapping(text)
    assert str(caught.value).startswith(message)


def test_missing_mapping_file(tmp_path):
    with pytest.raises(InputFileError, match="weg.toml: mapping file not found"):
        read_mapping(tmp_path / "weg.toml")


def test_a_fixed_period_outside_the_plausible_range_names_the_mapping(tmp_path):
    export = tmp_path / "kwb.csv"
    export.write_text("code;meldingen\nWK019310;40\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"^mapping.toml: period 1999 is outside the plausible periods 2000–"):
        read_indicator_file(export, mapping=parse_mapping("period = 1999\n"))
