"""Any valid table, written in any supported shape, reads back to the same cells (secret stays secret)."""

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import InputFileError
from insights.indicators import DENOMINATORS, INDICATORS
from insights.ingest import read_indicator_file

from .shapes import BOM, THIS_YEAR

COUNT_COLUMNS = [*INDICATORS, *DENOMINATORS]


@st.composite
def tables(draw) -> pd.DataFrame:
    codes = draw(st.lists(st.from_regex(r"WK0[0-9]{3}[0-9A-Z]{2}", fullmatch=True), min_size=1, max_size=6,
                          unique=True))
    years = draw(st.lists(st.integers(2000, THIS_YEAR), min_size=1, max_size=3, unique=True))
    columns = draw(st.lists(st.sampled_from(COUNT_COLUMNS), min_size=1, max_size=len(COUNT_COLUMNS), unique=True)
                   .filter(lambda chosen: any(c in INDICATORS for c in chosen)))
    keys = [(code, year) for code in codes for year in years]
    data: dict[str, object] = {"code": [k[0] for k in keys], "period": [k[1] for k in keys]}
    for column in columns:
        values = draw(st.lists(st.one_of(st.none(), st.integers(0, 5_000_000)), min_size=len(keys),
                               max_size=len(keys)))
        data[column] = pd.array(values, dtype="Int64")
    return pd.DataFrame(data)


def _cells(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    frame = frame.sort_values(["code", "period"])
    return [tuple(None if pd.isna(v) else int(v) if not isinstance(v, str) else v for v in row)
            for row in frame[["code", "period", *columns]].itertuples(index=False)]


def _number(value, thousands: str | None) -> str:
    if pd.isna(value):
        return ""
    return f"{int(value):,}".replace(",", thousands) if thousands else str(int(value))


def write_statline(frame: pd.DataFrame, path: Path, columns: list[str]) -> None:
    names = [f"{c.capitalize()}_{i + 1}" for i, c in enumerate(columns)]
    lines = [";".join(f'"{h}"' for h in ["ID", "WijkenEnBuurten", "SoortRegio_2", "Codering_3", "Perioden", *names])]
    for i, row in enumerate(frame.itertuples(index=False)):
        values = ["." if pd.isna(getattr(row, c)) else str(int(getattr(row, c))) for c in columns]
        cells = [str(i), f"{row.code:<10}", "Wijk      ", f"{row.code:<10}", f"{row.period}JJ00", *values]
        lines.append(";".join(f'"{v}"' for v in cells))
    path.write_text(BOM + "\n".join(lines) + "\n", encoding="utf-8")


def write_semicolon_decimal_comma(frame: pd.DataFrame, path: Path, columns: list[str]) -> None:
    lines = [";".join(["gebiedscode", "periode", *columns])]
    for row in frame.itertuples(index=False):
        lines.append(";".join([row.code, str(row.period), *(_number(getattr(row, c), ".") for c in columns)]))
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))


def write_comma_decimal_point(frame: pd.DataFrame, path: Path, columns: list[str]) -> None:
    lines = [",".join(["gebiedscode", "periode", *columns])]
    for row in frame.itertuples(index=False):
        lines.append(",".join([row.code, str(row.period), *(f'"{_number(getattr(row, c), ",")}"' for c in columns)]))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def write_xlsx(frame: pd.DataFrame, path: Path, columns: list[str]) -> None:
    frame.rename(columns={"code": "gebiedscode", "period": "periode"}).to_excel(path, index=False, engine="openpyxl")


def write_parquet(frame: pd.DataFrame, path: Path, columns: list[str]) -> None:
    frame.rename(columns={"code": "gebiedscode", "period": "periode"}).to_parquet(path, index=False)


def write_cbsodata_parquet(frame: pd.DataFrame, path: Path, columns: list[str]) -> None:
    shaped = pd.DataFrame({"ID": range(len(frame)), "WijkenEnBuurten": "Wijk " + frame["code"].str.slice(6),
                           "Codering_3": frame["code"].str.ljust(10), "Perioden": frame["period"].astype(str)})
    for i, column in enumerate(columns):
        shaped[f"{column.capitalize()}_{i + 4}"] = (
            frame[column].astype("Float64").to_numpy(dtype=float, na_value=float("nan"))
        )
    shaped.to_parquet(path, index=False)


WRITERS = {
    "statline.csv": write_statline,
    "register.csv": write_semicolon_decimal_comma,
    "export.csv": write_comma_decimal_point,
    "export.xlsx": write_xlsx,
    "export.parquet": write_parquet,
    "cbsodata.parquet": write_cbsodata_parquet,
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables(), name=st.sampled_from(sorted(WRITERS)))
def test_any_valid_table_in_any_shape_reads_back_to_the_same_cells(table, name):
    columns = [c for c in table.columns if c not in ("code", "period")]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        WRITERS[name](table, path, columns)
        rows = read_indicator_file(path)
    assert _cells(rows.wijken, columns) == _cells(table, columns)


CSVISH = st.text(alphabet=st.sampled_from(list("WK0193GMBU;,.\t\"'- x?\n\r0123456789JJé") + ["\x00", "\ufeff"]),
                 max_size=200)


@settings(max_examples=150, deadline=None)
@given(body=st.one_of(CSVISH.map(lambda t: "gebiedscode;periode;meldingen\n" + t), CSVISH),
       encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_any_text_is_read_or_refused_with_a_domain_error_never_a_traceback(body, encoding):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(body.encode(encoding, errors="replace"))
        try:
            read_indicator_file(path)
        except InputFileError as error:
            assert "\n" not in str(error) and str(error).startswith("export.csv")


@settings(max_examples=150, deadline=None)
@given(head=st.sampled_from([b"", b"PK\x03\x04", b"PAR1", b"%PDF", b"\xff\xfe", b"\xef\xbb\xbf"]),
       body=st.binary(max_size=200), name=st.sampled_from(["export.csv", "export.xlsx", "export.parquet"]))
def test_any_bytes_under_any_name_are_refused_with_a_domain_error_never_a_traceback(head, body, name):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(head + body)
        try:
            read_indicator_file(path)
        except InputFileError as error:
            assert "\n" not in str(error) and str(error).startswith(name)
