"""One indicator file → validated rows (codes, years, counts), column by column.

Every problem raises :class:`geo.errors.InputFileError` naming file, row (as a user sees it,
header = 1) and column. Wijk rows are returned for the build; gemeente, regio and land rows
(``GM``, ``VR``, ``NL01``) are returned apart, to be checked against their wijken; buurt rows are
skipped with a note (buurt boundaries are not loaded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.codes import Level, levels_of
from geo.errors import InputFileError
from insights.ingest.columns import Roles, classify
from insights.ingest.mapping import ColumnMapping
from insights.ingest.numbers import CellError, choose_format, parse_counts, parse_years, prepare
from insights.ingest.source import RawTable, is_blank, load

__all__ = ["FileRows", "default_periods", "read_indicator_file"]

TOTAL_LEVELS = (Level.gemeente.value, Level.regio.value, Level.nederland.value)


def default_periods() -> tuple[int, int]:
    """Plausible periods: 2000 (the oldest wijk boundaries in use) to the current calendar year."""
    return 2000, dt.date.today().year


@dataclass(frozen=True)
class FileRows:
    """What one file says. ``wijken`` and ``totals`` have ``code``, ``period`` (int), one Int64 column
    per count (``<NA>`` = secret), ``source_file`` and ``source_row``; ``notes`` are one-line messages
    for the user (ignored columns, skipped rows)."""

    wijken: pd.DataFrame
    totals: pd.DataFrame
    synthetic: bool
    notes: list[str] = field(default_factory=list)


def _located(raw: RawTable, column: str, error: CellError) -> InputFileError:
    return InputFileError(raw.path, error.problem, row=int(raw.rows[error.index]), column=column)


def _drop_blank_rows(raw: RawTable) -> RawTable:
    blank = is_blank(raw)
    if not blank.any():
        return raw
    keep = pa.array(~blank)
    columns = {name: pc.filter(array, keep) for name, array in raw.columns.items()}
    return RawTable(raw.path, columns, raw.separator, raw.rows[~blank], raw.malformed)


def _codes(raw: RawTable, column: str) -> pd.Series:
    array = raw.columns[column]
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        raise InputFileError(raw.path, "area codes must be text such as WK019310, not numbers",
                             row=int(raw.rows[0]), column=column)
    return pd.Series(pc.utf8_upper(pc.utf8_trim_whitespace(array)).to_pandas(types_mapper=pd.ArrowDtype),
                     dtype="string[pyarrow]")


def _synthetic(raw: RawTable, column: str) -> bool:
    array = raw.columns[column]
    text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(array, pa.string())))
    ok = np.asarray(pc.is_in(text, value_set=pa.array(["ja", "nee", ""])).to_numpy(zero_copy_only=False), dtype=bool)
    if not ok.all():
        index = int(np.flatnonzero(~ok)[0])
        cell = text[index].as_py()
        raise InputFileError(raw.path, f"{cell!r} is not ja/nee", row=int(raw.rows[index]), column=column)
    return bool(pc.any(pc.equal(text, "ja")).as_py())


def read_indicator_file(
    path: Path, *, mapping: ColumnMapping | None = None, periods: tuple[int, int] | None = None
) -> FileRows:
    """Read one indicator file (CSV/text, ``.xlsx`` or ``.parquet``) into validated rows.

    Parameters
    ----------
    path : the file; its shape is recognised from its bytes and name (see README, "Indicator files").
    mapping : the steward's column mapping, if the export uses its own column names.
    periods : lowest and highest plausible year (inclusive); default :func:`default_periods`.

    Returns
    -------
    :class:`FileRows`. Area codes are checked for shape here, against the boundaries in
    :func:`insights.ingest.read_indicators`.
    """
    lowest, highest = periods or default_periods()
    raw = _drop_blank_rows(load(Path(path)))
    path = raw.path
    roles: Roles = classify(raw, mapping)
    if raw.malformed is not None:
        raise raw.malformed
    if raw.n_rows == 0:
        raise InputFileError(path, "no data rows", row=2)
    notes = []
    if roles.ignored:
        notes.append(f"{path.name}: ignored descriptive column(s) {', '.join(repr(h) for h in roles.ignored)}")

    codes = _codes(raw, roles.code)
    levels = levels_of(codes)
    bad = levels.isna().to_numpy()
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        shown = str(pc.utf8_trim_whitespace(raw.columns[roles.code])[index].as_py())
        raise InputFileError(path, f"{shown!r} is not a CBS area code (a wijk code is WK + 6 characters)",
                             row=int(raw.rows[index]), column=roles.code)
    if roles.period is not None:
        try:
            years = parse_years(raw.columns[roles.period], lowest, highest)
        except CellError as error:
            raise _located(raw, roles.period, error) from None
    else:
        assert mapping is not None and mapping.period is not None  # classify() saw to this
        if not lowest <= mapping.period <= highest:
            raise InputFileError(mapping.source, f"period {mapping.period} is outside the plausible periods "
                                                 f"{lowest}–{highest}")
        years = np.full(raw.n_rows, mapping.period, dtype=np.int64)

    prepared = {h: prepare(raw.columns[h]) for h in roles.values}
    fmt = choose_format(list(prepared.values()), raw.separator)
    data: dict[str, object] = {"code": codes.array, "period": years}
    for header, target in roles.values.items():
        try:
            data[target] = parse_counts(prepared[header], fmt)
        except CellError as error:
            raise _located(raw, header, error) from None
    synthetic = _synthetic(raw, roles.synthetic) if roles.synthetic else False
    frame = pd.DataFrame(data)
    frame["source_file"] = path.name
    frame["source_row"] = raw.rows

    duplicate = frame.duplicated(["code", "period"], keep="first").to_numpy()
    if duplicate.any():
        index = int(np.flatnonzero(duplicate)[0])
        code, year = frame.at[index, "code"], int(frame.at[index, "period"])
        first = frame[(frame["code"] == code) & (frame["period"] == year)].iloc[0]
        raise InputFileError(path, f"duplicate {code} {year}: also on row {int(first['source_row'])}",
                             row=int(raw.rows[index]), column=roles.code)

    is_wijk = levels.eq(Level.wijk.value).to_numpy(dtype=bool, na_value=False)
    is_total = levels.isin(TOTAL_LEVELS).to_numpy(dtype=bool, na_value=False)
    is_buurt = levels.eq(Level.buurt.value).to_numpy(dtype=bool, na_value=False)
    if is_buurt.any():
        notes.append(f"{path.name}: skipped {int(is_buurt.sum())} buurt row(s) (BU…): buurt boundaries are not "
                     "loaded, so buurt figures are not read")
    if not is_wijk.any():
        raise InputFileError(path, "no wijk rows (WK…): gemeente, regio and land totals are derived from the wijken",
                             row=2, column=roles.code)
    wijken = frame if is_wijk.all() else frame[is_wijk].reset_index(drop=True)
    totals = frame[is_total].reset_index(drop=True)
    return FileRows(wijken, totals, synthetic, notes)
