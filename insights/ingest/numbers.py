"""Counts and years from raw cells, one number convention per file, column by column.

A file's convention — which character is the decimal mark and which groups thousands — is decided
once from its separator and every value cell of the file, never per cell:

* ``;`` or tab separated: decimal comma, ``.`` groups thousands (``1.234`` = 1234);
* ``,`` separated, workbooks and Parquet text cells: decimal point, ``,`` groups thousands
  (``"1,234"`` = 1234);
* a ``;``/tab file, workbook or Parquet file takes the other convention only when some cell fits it
  and not the default, and no cell fits the default and not it (a ``;`` file whose only separators
  are ``12.5``-style decimals); a ``,`` file always has a decimal point (a decimal comma in a
  ``,``-separated file contradicts its separator).

A cell that fits neither the chosen convention (``"12,5"`` in a ``,`` file) is an error, and every
count must be a whole number, so a value is never read as 10× or 1/1000× what the file says.
Secrecy markers (``.``, ``x``, ``?``, empty, any value ≤ −99990) become ``<NA>``; ``-`` (CBS *nihil*) is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.boundaries import SECRET_SENTINEL

__all__ = [
    "DECIMAL_COMMA",
    "DECIMAL_POINT",
    "MAX_COUNT",
    "CellError",
    "NumberFormat",
    "TextCells",
    "choose_format",
    "parse_counts",
    "parse_years",
    "prepare",
]

MAX_COUNT = 1_000_000_000  # no Dutch area counts a billion of anything: a larger value is an overflow
SENTINEL = SECRET_SENTINEL  # CBS/PDOK: values at or below this mean "secret"
_SECRET = pa.array(["", ".", "x", "X", "?"], type=pa.string())
_YEAR = r"^\d{4}(JJ00)?$"


@dataclass(frozen=True)
class NumberFormat:
    """``decimal``: the decimal mark; ``thousands``: the group separator."""

    decimal: str
    thousands: str

    @property
    def pattern(self) -> str:
        d, t = re_escape(self.decimal), re_escape(self.thousands)
        return rf"^-?(\d{{1,3}}({t}\d{{3}})+|\d+)({d}\d+)?$"

    def describe(self) -> str:
        mark = "decimal comma" if self.decimal == "," else "decimal point"
        return f"{mark}, {self.thousands!r} groups thousands"


def re_escape(char: str) -> str:
    return "\\" + char if char == "." else char


DECIMAL_COMMA = NumberFormat(",", ".")
DECIMAL_POINT = NumberFormat(".", ",")


class CellError(ValueError):
    """A cell that is not what its column needs; ``index`` is the 0-based data row."""

    def __init__(self, index: int, problem: str) -> None:
        super().__init__(problem)
        self.index, self.problem = index, problem


def _is_text(array: pa.ChunkedArray | pa.Array) -> bool:
    return pa.types.is_string(array.type) or pa.types.is_large_string(array.type)


def _np(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False))


def _fits(text: pa.ChunkedArray | pa.Array, fmt: NumberFormat) -> np.ndarray:
    return np.asarray(_np(pc.match_substring_regex(text, fmt.pattern)), dtype=bool)


@dataclass(frozen=True)
class TextCells:
    """A text column prepared once: trimmed ``text``, a mask of plain-digit cells (the fast path) and
    the indices of all other cells (``rest``: markers, separators, errors)."""

    text: pa.ChunkedArray | pa.Array
    digits: np.ndarray
    rest: np.ndarray


Column: TypeAlias = "pa.ChunkedArray | pa.Array | TextCells"


def prepare(array: pa.ChunkedArray | pa.Array) -> Column:
    """Text columns become :class:`TextCells`; numeric columns (workbooks, Parquet) stay as they are."""
    if not _is_text(array):
        return array
    text = pc.utf8_trim_whitespace(array)
    digits = np.asarray(_np(pc.utf8_is_digit(text)), dtype=bool)
    return TextCells(text, digits, np.flatnonzero(~digits))


def _split(column: Column) -> TextCells:
    return column if isinstance(column, TextCells) else prepare(column)


def choose_format(columns: list[Column], separator: str | None) -> NumberFormat:
    """The file's number convention from its separator and all its value cells (see module notes)."""
    default = DECIMAL_COMMA if separator in (";", "\t") else DECIMAL_POINT
    other = DECIMAL_POINT if default is DECIMAL_COMMA else DECIMAL_COMMA
    if separator == ",":
        return default
    only_default = only_other = False
    for column in columns:
        if not isinstance(column, TextCells) and not _is_text(column):
            continue
        cells = _split(column)
        if not cells.rest.size:
            continue
        text = pc.take(cells.text, pa.array(cells.rest))  # plain digits fit both conventions alike
        fits_default, fits_other = _fits(text, default), _fits(text, other)
        only_default |= bool((fits_default & ~fits_other).any())
        only_other |= bool((fits_other & ~fits_default).any())
    return other if only_other and not only_default else default


def _first(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _shown(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _text_values(column: Column, fmt: NumberFormat) -> tuple[np.ndarray, np.ndarray, pa.ChunkedArray | pa.Array]:
    """Values (float) and secret mask of a text column; plain digits are cast directly, only the
    other cells go through the convention's pattern."""
    prepared = _split(column)
    text, digits, rest = prepared.text, prepared.digits, prepared.rest
    values = np.zeros(len(text), dtype=float)
    secret = np.zeros(len(text), dtype=bool)
    if digits.any():
        values[digits] = _np(pc.cast(pc.filter(text, pa.array(digits)), pa.float64()))
    if rest.size:
        cells = pc.take(text, pa.array(rest))
        marker = np.asarray(_np(pc.is_in(cells, value_set=_SECRET)), dtype=bool)
        nihil = np.asarray(_np(pc.equal(cells, "-")), dtype=bool)
        fits = _fits(cells, fmt)
        bad = _first(~(fits | marker | nihil))
        if bad is not None:
            other = DECIMAL_POINT if fmt is DECIMAL_COMMA else DECIMAL_COMMA
            cell = str(cells[bad].as_py())
            problem = (f"{cell!r} does not fit this file's numbers ({fmt.describe()})"
                       if _fits(pa.array([cell]), other)[0] else f"{cell!r} is not a number")
            raise CellError(int(rest[bad]), problem)
        cleaned = pc.replace_substring(cells, fmt.thousands, "")
        cleaned = pc.replace_substring(cleaned, fmt.decimal, ".")
        cleaned = pc.if_else(pa.array(fits), cleaned, "0")
        values[rest] = _np(pc.cast(cleaned, pa.float64()))
        secret[rest] = marker
    return values, secret, text


def parse_counts(array: Column, fmt: NumberFormat) -> pd.arrays.IntegerArray:
    """Whole, non-negative counts of one column; ``<NA>`` where the source keeps the value secret.

    Raises :class:`CellError` at the first cell that is not a number in ``fmt``, not whole,
    negative, or above :data:`MAX_COUNT`.
    """
    text = None
    if isinstance(array, TextCells) or _is_text(array):
        values, secret, text = _text_values(array, fmt)
    else:
        values = np.asarray(_np(array), dtype=float)
        secret = np.isnan(values)
        bad = _first(np.isinf(values))
        if bad is not None:
            raise CellError(bad, f"{float(values[bad])} is not a finite number")
        values = np.where(secret, 0.0, values)
    secret |= values <= SENTINEL
    live = ~secret
    problems = (
        (live & (values != np.floor(values)), "{} is not a count (whole number)"),
        (live & (values < 0), "{} is negative; counts are ≥ 0"),
        (live & (values > MAX_COUNT), "{} is larger than " + f"{MAX_COUNT:,} (overflow?)"),
    )
    firsts = [(i, message) for mask, message in problems if (i := _first(mask)) is not None]
    if firsts:
        index, message = min(firsts)
        cell = repr(str(text[index].as_py())) if text is not None else _shown(values[index])
        raise CellError(index, message.format(cell))
    return pd.arrays.IntegerArray(np.where(secret, 0, values).astype(np.int64), secret)


def parse_years(array: pa.ChunkedArray | pa.Array, lowest: int, highest: int) -> np.ndarray:
    """Calendar years (``2024``, ``2024JJ00``, or a whole number) within ``lowest``–``highest``.

    Raises :class:`CellError` at the first cell that is not a year or lies outside the range.
    """
    if _is_text(array):
        prepared = _split(array)
        text, digits = prepared.text, prepared.digits
        ok = digits & np.asarray(_np(pc.equal(pc.utf8_length(text), 4)), dtype=bool)
        if not ok.all():
            ok |= np.asarray(_np(pc.match_substring_regex(text, _YEAR)), dtype=bool)
        bad = _first(~ok)
        if bad is not None:
            raise CellError(bad, f"{str(text[bad].as_py())!r} is not a year (e.g. 2024 or 2024JJ00)")
        years = np.asarray(_np(pc.cast(pc.utf8_slice_codeunits(text, 0, 4), pa.int64())), dtype=np.int64)
    else:
        values = np.asarray(_np(array), dtype=float)
        bad = _first(~np.isfinite(values) | (values != np.floor(values)))
        if bad is not None:
            raise CellError(bad, f"{'empty' if np.isnan(values[bad]) else _shown(values[bad])} is not a year")
        years = values.astype(np.int64)
    bad = _first((years < lowest) | (years > highest))
    if bad is not None:
        raise CellError(bad, f"{years[bad]} is outside the plausible periods {lowest}–{highest}")
    return years
