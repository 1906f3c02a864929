"""Bytes on disk → a table of raw cells (the only module of :mod:`insights.ingest` that opens data files).

Shapes: delimited text (``;``, ``,`` or tab; UTF-8 with or without BOM, UTF-16 with BOM, Latin-1),
Excel workbooks (``.xlsx``, first sheet, header in row 1) and Parquet. Text cells stay text here;
numbers are interpreted column-wise by :mod:`insights.ingest.numbers` with one convention per file.

Row numbers follow what a person opening the file sees: the header is row 1, the first data row is
row 2 (line numbers of a text file, rows of a worksheet).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from geo.errors import InputFileError

__all__ = ["RawTable", "is_blank", "load"]

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook is one)"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook (save it as .xlsx or CSV)"),
    (b"PAR1", "a Parquet file"),
    (b"\x1f\x8b", "a gzip archive"),
)
_SEPARATORS = (";", ",", "\t")


@dataclass
class RawTable:
    """Cells of one file as read, before any interpretation.

    ``columns`` maps the header text (stripped, in file order) to a pyarrow array: ``string`` for
    text files and text cells, numeric for worksheet and Parquet numbers. ``separator`` is the field
    separator of a text file (``None`` for workbooks and Parquet). ``rows`` holds, per data row, the
    row number a user sees.
    """

    path: Path
    columns: dict[str, pa.ChunkedArray | pa.Array]
    separator: str | None
    rows: np.ndarray
    malformed: InputFileError | None = None  # a row with the wrong number of fields, raised after the header check

    @property
    def n_rows(self) -> int:
        return len(self.rows)


def _binary_kind(raw: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if raw.startswith(magic):
            return kind
    return None


def _utf8_body(path: Path, raw: bytes) -> bytes:
    """The file as UTF-8 bytes without BOM: UTF-8 is passed on as it is; UTF-16 (with BOM) and Latin-1
    (anything that is not valid UTF-8) are transcoded."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputFileError(path, f"starts as UTF-16 text but is not: {exc.reason} at byte {exc.start}") from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        start = raw.rfind(b"\n", 0, nul) + 1
        raise InputFileError(path, f"contains a NUL byte at character {nul - start + 1} (binary data, not CSV text)",
                             row=line)
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        pa.array([body], type=pa.large_binary()).cast(pa.large_string())  # validates UTF-8 without a Python str
    except pa.ArrowInvalid:
        return body.decode("latin-1").encode("utf-8")  # every byte sequence is Latin-1
    return body


def _row_numbers(body: bytes, separator: str, n_rows: int) -> np.ndarray:
    """Data index → line number. One line per row (the usual case) is ``index + 2``; files with blank
    lines or quoted line breaks are mapped exactly by the standard csv module (only then)."""
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if lines == n_rows + 1:
        return np.arange(2, n_rows + 2, dtype=np.int64)
    starts: list[int] = []
    reader = csv.reader(io.StringIO(body.decode("utf-8", errors="replace"), newline=""), delimiter=separator)
    previous_end = 0
    try:
        for record in reader:
            if previous_end and record:  # pyarrow skips empty lines, not lines of empty cells
                starts.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error:
        starts = []
    if len(starts) != n_rows:  # the two parsers disagree: fall back to counting data rows
        return np.arange(2, n_rows + 2, dtype=np.int64)
    return np.asarray(starts, dtype=np.int64)


def _parse(body: bytes, separator: str, names: list[str], on_invalid: Callable[[pacsv.InvalidRow], str]) -> pa.Table:
    return pacsv.read_csv(
        io.BytesIO(body),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True),
        parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=True, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[],
                                             strings_can_be_null=False, quoted_strings_can_be_null=False),
    )


def _read_text(path: Path, raw: bytes) -> RawTable:
    body = _utf8_body(path, raw)
    if not body.strip():
        raise InputFileError(path, "the file is empty", row=1)
    first_bytes = re.split(rb"\r\n|\n|\r", body, maxsplit=1)[0]
    first = first_bytes.decode("utf-8")
    separator = max(_SEPARATORS, key=first.count)
    try:
        header = [h.strip() for h in next(csv.reader([first], delimiter=separator, strict=True))]
    except (csv.Error, StopIteration):
        raise InputFileError(path, "the header cannot be read (an unclosed quote?)", row=1) from None
    names = [f"f{i}" for i in range(len(header))]
    invalid: list[tuple[int | None, int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        if row.text.strip():
            invalid.append((row.number, row.actual_columns, row.text))
        return "skip"

    try:
        table = _parse(body, separator, names, on_invalid)
    except pa.ArrowInvalid as exc:
        raise InputFileError(path, f"cannot be read as {separator!r}-separated text: {str(exc).splitlines()[0]}") \
            from None
    malformed = None
    if invalid:
        number, found, line_text = invalid[0]
        if number is None:
            lines = body.decode("utf-8", errors="replace").splitlines()
            number = next((i + 1 for i, line in enumerate(lines) if line == line_text), None)
        malformed = InputFileError(path, f"expected {len(header)} fields, found {found}", row=number)
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for name, key in zip(header, names):
        if name in columns:
            raise InputFileError(path, "column appears twice", row=1, column=name)
        columns[name] = table.column(key)
    return RawTable(path, columns, separator, _row_numbers(body, separator, table.num_rows), malformed)


def _from_frame(path: Path, frame: pd.DataFrame) -> RawTable:
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for name in frame.columns:
        key = str(name).strip()
        if key in columns:
            raise InputFileError(path, "column appears twice", row=1, column=key)
        series = frame[name]
        if pd.api.types.is_bool_dtype(series.dtype):
            series = series.astype("string")
        if pd.api.types.is_numeric_dtype(series.dtype):
            columns[key] = pa.array(series.to_numpy(dtype=float, na_value=np.nan), from_pandas=True)
        else:
            values = series.astype(object).where(series.notna(), "")
            columns[key] = pa.array([_cell_text(v) for v in values], type=pa.string())
    return RawTable(path, columns, None, frame.index.to_numpy(dtype=np.int64) + 2)


def _cell_text(value: object) -> str:
    """A mixed worksheet cell as text: whole floats lose their ``.0`` (an Excel number 40 reads ``40.0``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path) -> RawTable:
    from python_calamine import CalamineError, PasswordError, XmlError, ZipError

    try:
        frame = pd.read_excel(path, sheet_name=0, engine="calamine", header=0, dtype=object)
    except (CalamineError, PasswordError, XmlError, ZipError, ValueError, OSError) as exc:
        raise InputFileError(
            path, f"cannot be read as an Excel workbook: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed:") and frame[c].isna().all()]
    return _from_frame(path, frame.drop(columns=unnamed))  # formatted but empty columns right of the table


def _read_parquet(path: Path) -> RawTable:
    try:
        frame = pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        raise InputFileError(
            path, f"cannot be read as Parquet: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from None
    if isinstance(frame.index, pd.MultiIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    return _from_frame(path, frame.reset_index(drop=True))


def load(path: Path) -> RawTable:
    """Read one indicator file into raw columns, refusing what is not a table.

    ``.xlsx`` is read as a workbook and ``.parquet`` as Parquet; anything else must be delimited
    text. Binary content under a text name (a workbook, ZIP, PDF) is refused by its first bytes.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(path, "file not found") from None
    except IsADirectoryError:
        raise InputFileError(path, "is a folder, not a file") from None
    suffix = path.suffix.lower()
    kind = _binary_kind(raw)
    if suffix == ".xlsx":
        if not raw.startswith(b"PK\x03\x04"):
            raise InputFileError(path, f"is not an Excel .xlsx workbook (found {kind or 'text'})")
        return _read_xlsx(path)
    if suffix in (".parquet", ".pq"):
        if not raw.startswith(b"PAR1"):
            raise InputFileError(path, f"is not a Parquet file (found {kind or 'text'})")
        return _read_parquet(path)
    if kind is not None:
        hint = "; give it a .xlsx name to read it as a workbook" if raw.startswith(b"PK\x03\x04") else ""
        hint = "; give it a .parquet name to read it as Parquet" if raw.startswith(b"PAR1") else hint
        raise InputFileError(path, f"is {kind}, not CSV text{hint}")
    return _read_text(path, raw)


def is_blank(raw: RawTable) -> np.ndarray:
    """True for rows whose every cell is empty (kept out of the data). Only rows with an empty first
    cell are looked at further."""
    blank = np.ones(raw.n_rows, dtype=bool)
    for array in raw.columns.values():
        if not blank.any():
            break
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            candidates = np.flatnonzero(blank)
            cells = array if len(candidates) == raw.n_rows else pc.take(array, pa.array(candidates))
            empty = np.asarray(pc.equal(pc.utf8_trim_whitespace(cells), "").to_numpy(zero_copy_only=False), dtype=bool)
            blank[candidates] = empty
        else:
            blank &= np.isnan(np.asarray(array.to_numpy(zero_copy_only=False), dtype=float))
    return blank
