"""Real-shaped indicator files, good and bad, each with what a user must see.

Shared by the table-driven reader tests and the build tests (bad input leaves releases untouched).
The area world is the suite's small world: Dalfsen (GM0148: WK014800, WK014801) and Zwolle
(GM0193: WK019310, WK019311, WK019312), both in IJsselland (VR04).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

THIS_YEAR = dt.date.today().year
BOM = "\ufeff"

Content = bytes | Callable[[Path], None]


@dataclass(frozen=True)
class Shape:
    """``content`` is the file's bytes or a writer; ``error`` the exact message (without ``error: ``) or
    ``cells`` {"CODE YEAR": {column: value}} (None = secret); ``notes``: substrings of the notes."""

    id: str
    name: str
    content: Content
    error: str | None = None
    cells: dict[str, dict[str, int | None]] = field(default_factory=dict)
    mapping: str | None = None
    notes: tuple[str, ...] = ()


def text(body: str, encoding: str = "utf-8") -> bytes:
    return body.encode(encoding)


def _cbsodata_frame() -> pd.DataFrame:
    """A table as ``pandas.DataFrame(cbsodata.get_data("85984NED"))`` returns it: dimension labels
    (names) in ``WijkenEnBuurten``, padded codes in ``Codering_3``, secret as NaN in float columns."""
    return pd.DataFrame({
        "ID": [0, 1, 2, 3],
        "WijkenEnBuurten": ["Zwolle", "Wijk 10 Binnenstad", "Wijk 11 Diezerpoort", "Wijk 12 Wipstrik"],
        "Gemeentenaam_1": ["Zwolle    "] * 4,
        "SoortRegio_2": ["Gemeente  ", "Wijk      ", "Wijk      ", "Wijk      "],
        "Codering_3": ["GM0193    ", "WK019310  ", "WK019311  ", "WK019312  "],
        "Perioden": ["2024"] * 4,
        "Meldingen_4": [120.0, 40.0, float("nan"), 50.0],
        "Huishoudens_5": [10475.0, 4330.0, 2910.0, 3235.0],
    })


def _write_cbsodata_parquet(path: Path) -> None:
    _cbsodata_frame().to_parquet(path, index=False)


def _write_cbsodata_csv(path: Path) -> None:
    _cbsodata_frame().to_csv(path)  # pandas default: ',' separated, index as an unnamed first column


def _write_xlsx(frame: pd.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame.to_excel(path, index=False, engine="openpyxl")

    return write


def _write_parquet(frame: pd.DataFrame) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        frame.to_parquet(path, index=False)

    return write


def _zip_named_csv(path: Path) -> None:
    pd.DataFrame({"gebiedscode": ["WK019310"], "periode": [2024], "meldingen": [40]}).to_excel(path.with_suffix(
        ".xlsx"), index=False, engine="openpyxl")
    path.write_bytes(path.with_suffix(".xlsx").read_bytes())
    path.with_suffix(".xlsx").unlink()


STATLINE = (
    '"ID";"WijkenEnBuurten";"Gemeentenaam_1";"SoortRegio_2";"Codering_3";"Perioden";"Meldingen_4";"Huishoudens_5"\n'
    '"0";"GM0193    ";"Zwolle                                  ";"Gemeente  ";"GM0193    ";"2024JJ00";"120";"10475"\n'
    '"1";"WK019310  ";"Zwolle                                  ";"Wijk      ";"WK019310  ";"2024JJ00";"40";"4330"\n'
    '"2";"WK019311  ";"Zwolle                                  ";"Wijk      ";"WK019311  ";"2024JJ00";"30";"2910"\n'
    '"3";"WK019312  ";"Zwolle                                  ";"Wijk      ";"WK019312  ";"2024JJ00";"50";"3235"\n'
)
HEADER = "gebiedscode;periode;schulden;meldingen;hermeldingen"
COMMA = "gebiedscode,periode,schulden,meldingen,hermeldingen"
MAPPING = """\
ignore = ["Wijknaam", "Opmerking"]

[columns]
"Wijkcode" = "code"
"Jaar" = "period"
"Aantal huishoudens" = "huishoudens"
"Meldingen VT" = "meldingen"
"""
MUNICIPAL = "Wijkcode;Wijknaam;Jaar;Aantal huishoudens;Meldingen VT;Opmerking\n" \
            "WK019310;Binnenstad;2024;4.330;40;\nWK019311;Diezerpoort;2024;2.910;31;nagekeken\n"

GOOD: list[Shape] = [
    Shape(
        "register-bom-thousands",
        "export.csv",
        text(f"{BOM}{HEADER}\nWK019310;2024;1.234;40;12\n"),
        cells={"WK019310 2024": {"schulden": 1234, "meldingen": 40, "hermeldingen": 12, "huishoudens": 4330}},
    ),
    Shape(
        "register-latin1-remarks",
        "export.csv",
        text(f"{HEADER};Opmerking\nWK019310;2024;100;40;12;café gesloten\n", "latin-1"),
        cells={"WK019310 2024": {"meldingen": 40}},
        notes=("ignored descriptive column(s) 'Opmerking'",),
    ),
    Shape(
        "register-names-ignored",
        "export.csv",
        text("gebiedscode;Wijknaam;periode;meldingen\nWK019311;Diezerpoort;2024;31\n"),
        cells={"WK019311 2024": {"meldingen": 31}},
        notes=("'Wijknaam'",),
    ),
    Shape(
        "comma-decimal-point",
        "export.csv",
        text(f"{COMMA}\nWK019310,2024,100,40,12\n"),
        cells={"WK019310 2024": {"schulden": 100, "meldingen": 40}},
    ),
    Shape(
        "comma-quoted-thousands",
        "export.csv",
        text(f'{COMMA}\nWK019310,2024,"1,234",40,12\n'),
        cells={"WK019310 2024": {"schulden": 1234}},
    ),
    Shape(
        "comma-whole-decimals",
        "export.csv",
        text(f"{COMMA}\nWK019310,2024,100.0,40.00,12\n"),
        cells={"WK019310 2024": {"schulden": 100, "meldingen": 40}},
    ),
    Shape(
        "tab-separated",
        "export.txt",
        text("gebiedscode\tperiode\tmeldingen\nWK019310\t2024\t1.040\n"),
        cells={"WK019310 2024": {"meldingen": 1040}},
    ),
    Shape(
        "semicolon-decimal-point-file",
        "export.csv",
        text(f"{HEADER}\nWK019310;2024;100.0;40;12\n"),
        cells={"WK019310 2024": {"schulden": 100}},
    ),
    Shape(
        "crlf-line-ends",
        "export.csv",
        text(f"{HEADER}\r\nWK019310;2024;100;40;12\r\nWK019311;2024;90;30;9\r\n"),
        cells={"WK019311 2024": {"schulden": 90, "hermeldingen": 9}},
    ),
    Shape(
        "utf16-unicode-text",
        "export.txt",
        "gebiedscode\tperiode\tmeldingen\r\nWK019310\t2024\t40\r\n".encode("utf-16"),
        cells={"WK019310 2024": {"meldingen": 40}},
    ),
    Shape(
        "secret-markers",
        "export.csv",
        text(f"{HEADER}\nWK019310;2024;.;x;\nWK019311;2024;-99997;-;?\n"),
        cells={
            "WK019310 2024": {"schulden": None, "meldingen": None, "hermeldingen": None},
            "WK019311 2024": {"schulden": None, "meldingen": 0, "hermeldingen": None},
        },
    ),
    Shape(
        "padded-cells",
        "export.csv",
        text(f"{HEADER}\n  wk019310 ; 2024 ; 100 ; 40 ; 12 \n"),
        cells={"WK019310 2024": {"meldingen": 40}},
    ),
    Shape(
        "trailing-separator",
        "export.csv",
        text(f"{HEADER};\nWK019310;2024;100;40;12;\n"),
        cells={"WK019310 2024": {"schulden": 100}},
    ),
    Shape(
        "blank-lines",
        "export.csv",
        text(f"{HEADER}\n\nWK019310;2024;100;40;12\n;;;;\nWK019311;2024;90;30;9\n"),
        cells={"WK019311 2024": {"schulden": 90}},
    ),
    Shape(
        "statline-download",
        "statline.csv",
        text(BOM + STATLINE),
        cells={"WK019310 2024": {"meldingen": 40, "huishoudens": 4330}, "WK019312 2024": {"meldingen": 50}},
        notes=("'ID', 'Gemeentenaam_1', 'SoortRegio_2', 'Codering_3'", "checked 2 total(s)"),
    ),
    Shape(
        "statline-comma",
        "statline.csv",
        text(STATLINE.replace('";"', '","')),
        cells={"WK019311 2024": {"meldingen": 30}},
    ),
    Shape(
        "statline-buurt-rows",
        "statline.csv",
        text(STATLINE + '"4";"BU01931000";"Zwolle";"Buurt     ";"BU01931000";"2024JJ00";"7";"800"\n'),
        cells={"WK019310 2024": {"meldingen": 40}},
        notes=("skipped 1 buurt row(s)",),
    ),
    Shape(
        "statline-total-rounded",
        "statline.csv",
        text(STATLINE.replace('"120";"10475"', '"125";"10475"')),
        cells={"WK019310 2024": {"meldingen": 40}},
    ),
    Shape(
        "statline-total-unchecked",
        "statline.csv",
        text(STATLINE.replace('"30";"2910"', '".";"2910"').replace('"120"', '"999"')),
        cells={"WK019311 2024": {"meldingen": None}},
        notes=("1 left unchecked",),
    ),
    Shape(
        "land-and-regio-rows",
        "totals.csv",
        text(
            "code;periode;meldingen\nNL01;2024;100\nVR04;2024;100\nGM0148;2024;30\n"
            "WK014800;2024;20\nWK014801;2024;10\nWK019310;2024;40\nWK019311;2024;10\nWK019312;2024;20\n"
        ),
        cells={"WK014801 2024": {"meldingen": 10}},
        notes=("checked 3 total(s)",),
    ),
    Shape(
        "cbsodata-parquet",
        "85984NED.parquet",
        _write_cbsodata_parquet,
        cells={"WK019310 2024": {"meldingen": 40, "huishoudens": 4330}, "WK019311 2024": {"meldingen": None}},
    ),
    Shape("cbsodata-csv", "85984NED.csv", _write_cbsodata_csv, cells={"WK019312 2024": {"meldingen": 50}}),
    Shape(
        "xlsx-numbers-and-names",
        "export.xlsx",
        _write_xlsx(
            pd.DataFrame(
                {
                    "gebiedscode": ["WK019310", "WK019311"],
                    "wijknaam": ["Binnenstad", "Diezerpoort"],
                    "periode": [2024, 2024],
                    "meldingen": [40, None],
                    "hermeldingen": [12, None],
                }
            )
        ),
        cells={"WK019310 2024": {"meldingen": 40, "hermeldingen": 12}, "WK019311 2024": {"meldingen": None}},
    ),
    Shape(
        "xlsx-text-cells",
        "export.xlsx",
        _write_xlsx(pd.DataFrame({"gebiedscode": ["WK019310"], "periode": ["2024JJ00"], "meldingen": ["40"]})),
        cells={"WK019310 2024": {"meldingen": 40}},
    ),
    Shape(
        "parquet-nullable-ints",
        "export.parquet",
        _write_parquet(
            pd.DataFrame(
                {
                    "gebiedscode": ["WK019310", "WK019311"],
                    "periode": [2024, 2024],
                    "meldingen": pd.array([40, None], dtype="Int64"),
                }
            )
        ),
        cells={"WK019310 2024": {"meldingen": 40}, "WK019311 2024": {"meldingen": None}},
    ),
    Shape(
        "mapping-municipal",
        "zwolle.csv",
        text(MUNICIPAL),
        mapping=MAPPING,
        cells={"WK019310 2024": {"meldingen": 40, "huishoudens": 4330}, "WK019311 2024": {"meldingen": 31}},
    ),
    Shape(
        "mapping-fixed-period",
        "kwb.csv",
        text('"ID";"WijkenEnBuurten";"Codering_3";"Meldingen_4"\n"1";"WK019310  ";"WK019310  ";"40"\n'),
        mapping="period = 2023\n",
        cells={"WK019310 2023": {"meldingen": 40}},
    ),
]

F = "export.csv"
BAD: list[Shape] = [
    Shape(
        "comma-file-decimal-comma",
        F,
        text(f'{COMMA}\nWK019310,2024,100,"12,5",1\n'),
        error=f"{F}, row 2, column 'meldingen': '12,5' does not fit this file's numbers "
        "(decimal point, ',' groups thousands)",
    ),
    Shape(
        "comma-file-thousands-point",
        F,
        text(f"{COMMA}\nWK019310,2024,1.234,40,12\n"),
        error=f"{F}, row 2, column 'schulden': '1.234' is not a count (whole number)",
    ),
    Shape(
        "semicolon-decimal-comma-count",
        F,
        text(f"{HEADER}\nWK019310;2024;100;12,5;1\n"),
        error=f"{F}, row 2, column 'meldingen': '12,5' is not a count (whole number)",
    ),
    Shape(
        "semicolon-mixed-conventions",
        F,
        text(f"{HEADER}\nWK019310;2024;100;40,0;12\nWK019311;2024;12.5;3;1\n"),
        error=f"{F}, row 3, column 'schulden': '12.5' does not fit this file's numbers "
        "(decimal comma, '.' groups thousands)",
    ),
    Shape(
        "semicolon-decimal-point-then-thousands",
        F,
        text(f"{HEADER}\nWK019310;2024;12.50;40;12\nWK019311;2024;1.234;3;1\n"),
        error=f"{F}, row 2, column 'schulden': '12.50' is not a count (whole number)",
    ),
    Shape(
        "overflow",
        F,
        text(f"{HEADER}\nWK019310;2024;100;99999999999999999999999;12\n"),
        error=f"{F}, row 2, column 'meldingen': '99999999999999999999999' is larger than 1,000,000,000 (overflow?)",
    ),
    Shape(
        "not-a-number",
        F,
        text(f"{HEADER}\nWK019310;2024;100;veertig;12\n"),
        error=f"{F}, row 2, column 'meldingen': 'veertig' is not a number",
    ),
    Shape(
        "negative",
        F,
        text(f"{HEADER}\nWK019310;2024;100;-3;1\n"),
        error=f"{F}, row 2, column 'meldingen': '-3' is negative; counts are ≥ 0",
    ),
    Shape(
        "period-too-old",
        F,
        text(f"{HEADER}\nWK019310;1610;100;40;12\n"),
        error=f"{F}, row 2, column 'periode': 1610 is outside the plausible periods 2000–{THIS_YEAR}",
    ),
    Shape(
        "period-in-future",
        F,
        text(f"{HEADER}\nWK019310;2024;100;40;12\nWK019310;{THIS_YEAR + 5};100;40;12\n"),
        error=f"{F}, row 3, column 'periode': {THIS_YEAR + 5} is outside the plausible periods 2000–{THIS_YEAR}",
    ),
    Shape(
        "period-not-a-year",
        F,
        text(f"{HEADER}\nWK019310;twintig;100;40;12\n"),
        error=f"{F}, row 2, column 'periode': 'twintig' is not a year (e.g. 2024 or 2024JJ00)",
    ),
    Shape(
        "xlsx-named-csv",
        F,
        _zip_named_csv,
        error=f"{F}: is a ZIP archive (an Excel .xlsx workbook is one), not CSV text; give it a .xlsx name to "
        "read it as a workbook",
    ),
    Shape("pdf-named-csv", F, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", error=f"{F}: is a PDF document, not CSV text"),
    Shape(
        "nul-byte",
        F,
        text(f"{HEADER}\nWK019310;2024;100;40;12\nWK019311;20\x0024;90;30;9\n"),
        error=f"{F}, row 3: contains a NUL byte at character 12 (binary data, not CSV text)",
    ),
    Shape(
        "text-named-xlsx",
        "export.xlsx",
        text(f"{HEADER}\nWK019310;2024;100;40;12\n"),
        error="export.xlsx: is not an Excel .xlsx workbook (found text)",
    ),
    Shape(
        "misspelt-indicator",
        F,
        text("gebiedscode;periode;meldngen\nWK019310;2024;40\n"),
        error=f"{F}, row 1, column 'meldngen': unknown column; did you mean 'meldingen'?",
    ),
    Shape(
        "unknown-column",
        F,
        text("gebiedscode;periode;meldingen;leeftijdsgroep\nWK019310;2024;40;18-25\n"),
        error=f"{F}, row 1, column 'leeftijdsgroep': unknown column; known columns: echtscheidingen, "
        "hermeldingen, huishoudens, inwoners, meldingen, schulden, synthetisch; list it under ignore in a "
        "mapping file (--mapping)",
    ),
    Shape(
        "statline-total-mismatch",
        "statline.csv",
        text(STATLINE.replace('"120";"10475"', '"500";"10475"')),
        error="statline.csv, row 2, column 'meldingen': GM0193 2024 meldingen = 500, but its 3 wijken sum to 120 "
        "(statline.csv rows 3–5)",
    ),
    Shape(
        "regio-total-mismatch",
        "totals.csv",
        text(
            "code;periode;meldingen\nVR04;2024;200\n"
            "WK014800;2024;20\nWK014801;2024;10\nWK019310;2024;40\nWK019311;2024;10\nWK019312;2024;20\n"
        ),
        error="totals.csv, row 2, column 'meldingen': VR04 2024 meldingen = 200, but its 5 wijken sum to 100 "
        "(totals.csv rows 3–7)",
    ),
    Shape(
        "above-denominator",
        F,
        text(f"{HEADER}\nWK019310;2024;100;40;41\n"),
        error=f"{F}, row 2, column 'hermeldingen': hermeldingen = 41 is larger than its denominator meldingen = 40",
    ),
    Shape(
        "above-boundary-denominator",
        F,
        text(f"{HEADER}\nWK019310;2024;5000;40;12\n"),
        error=f"{F}, row 2, column 'schulden': schulden = 5000 is larger than its denominator huishoudens = 4330",
    ),
    Shape(
        "duplicate",
        F,
        text(f"{HEADER}\nWK019310;2024;100;40;12\nWK019310;2024;90;30;10\n"),
        error=f"{F}, row 3, column 'gebiedscode': duplicate WK019310 2024: also on row 2",
    ),
    Shape(
        "unknown-wijk",
        F,
        text(f"{HEADER}\nWK019399;2024;100;40;12\n"),
        error=f"{F}, row 2, column 'code': unknown area code 'WK019399' (not in the boundaries)",
    ),
    Shape(
        "unknown-gemeente-total",
        F,
        text(f"{HEADER}\nGM9999;2024;100;40;12\nWK019310;2024;100;40;12\n"),
        error=f"{F}, row 2, column 'code': unknown area code 'GM9999' (not in the boundaries)",
    ),
    Shape(
        "names-instead-of-codes",
        "85984NED.csv",
        text("WijkenEnBuurten,Perioden,Meldingen_4\nZwolle,2024,120\n"),
        error="85984NED.csv, row 2, column 'WijkenEnBuurten': 'Zwolle' is not a CBS area code "
        "(a wijk code is WK + 6 characters)",
    ),
    Shape(
        "only-totals",
        F,
        text(f"{HEADER}\nGM0193;2024;100;40;12\n"),
        error=f"{F}, row 2, column 'gebiedscode': no wijk rows (WK…): gemeente, regio and land totals are "
        "derived from the wijken",
    ),
    Shape("empty", F, b"", error=f"{F}, row 1: the file is empty"),
    Shape("header-only", F, text(f"{HEADER}\n"), error=f"{F}, row 2: no data rows"),
    Shape(
        "missing-field",
        F,
        text(f"{HEADER}\nWK019310;2024;100;40;12\nWK019311;2024;100;40\n"),
        error=f"{F}, row 3: expected 5 fields, found 4",
    ),
    Shape(
        "blank-line-then-bad",
        F,
        text(f"{HEADER}\n\nWK019310;2024;100;40;12\n\nWK019311;2024;100;4O;12\n"),
        error=f"{F}, row 5, column 'meldingen': '4O' is not a number",
    ),
    Shape(
        "no-code-column",
        F,
        text("wijk_naam;periode;meldingen\nBinnenstad;2024;40\n"),
        error=f"{F}, row 1: no area code column (one of gebiedscode, code, regiocode, wijkenenbuurten, "
        'regioaanduiding, wijkcode, codering, regios, or map one with "<column>" = "code" in a mapping '
        "file)",
    ),
    Shape(
        "synthetic-not-ja-nee",
        F,
        text(f"{HEADER};synthetisch\nWK019310;2024;100;40;12;misschien\n"),
        error=f"{F}, row 2, column 'synthetisch': 'misschien' is not ja/nee",
    ),
    Shape(
        "xlsx-text-not-a-number",
        "export.xlsx",
        _write_xlsx(
            pd.DataFrame(
                {"gebiedscode": ["WK019310", "WK019311"], "periode": [2024, 2024], "meldingen": [40, "veertig"]}
            )
        ),
        error="export.xlsx, row 3, column 'meldingen': 'veertig' is not a number",
    ),
    Shape(
        "parquet-fraction",
        "export.parquet",
        _write_parquet(pd.DataFrame({"gebiedscode": ["WK019310"], "periode": [2024], "meldingen": [12.5]})),
        error="export.parquet, row 2, column 'meldingen': 12.5 is not a count (whole number)",
    ),
    Shape(
        "parquet-infinite",
        "export.parquet",
        _write_parquet(pd.DataFrame({"gebiedscode": ["WK019310"], "periode": [2024], "meldingen": [float("inf")]})),
        error="export.parquet, row 2, column 'meldingen': inf is not a finite number",
    ),
    Shape(
        "mapping-unknown-target",
        "zwolle.csv",
        text(MUNICIPAL),
        mapping=MAPPING.replace('= "meldingen"', '= "meldigen"'),
        error="mapping.toml, column 'Meldingen VT': 'meldigen' is not a target; did you mean 'meldingen'?",
    ),
    Shape(
        "municipal-without-mapping",
        "zwolle.csv",
        text(MUNICIPAL),
        error="zwolle.csv, row 1, column 'Meldingen VT': unknown column; did you mean 'meldingen'?",
    ),
]


def materialise(shape: Shape, folder: Path) -> tuple[Path, Path | None]:
    """Write the shape's file (and mapping) into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / shape.name
    if isinstance(shape.content, bytes):
        path.write_bytes(shape.content)
    else:
        shape.content(path)
    mapping = None
    if shape.mapping is not None:
        mapping = folder / "mapping.toml"
        mapping.write_text(shape.mapping, encoding="utf-8")
    return path, mapping
