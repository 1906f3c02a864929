"""Several indicator files → one checked table of wijk counts (:func:`read_indicators`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.codes import Level, levels_of
from geo.errors import InputFileError
from insights.indicators import DENOMINATORS, INDICATORS
from insights.ingest.files import sha256_file
from insights.ingest.mapping import ColumnMapping
from insights.ingest.read import FileRows, read_indicator_file

__all__ = ["IndicatorTable", "read_indicators", "rounding_tolerance"]

_META = {"code", "period", "source_file", "source_row"}


@dataclass(frozen=True)
class IndicatorTable:
    """Validated indicator counts, one row per (wijk code, period).

    ``frame`` columns: ``code``, ``period`` (int), one Int64 column per indicator and denominator
    present (``<NA>`` = secret), ``source_file`` and ``source_row``. ``synthetic`` is True when any
    row is marked ``synthetisch = ja``. ``sha256`` maps file name → hash of its bytes. ``notes``
    are one-line messages for the user (ignored columns, skipped rows, totals checked).
    """

    frame: pd.DataFrame
    synthetic: bool
    sha256: dict[str, str]
    notes: tuple[str, ...] = field(default=())

    @property
    def indicators(self) -> list[str]:
        return [c for c in INDICATORS if c in self.frame.columns]


def rounding_tolerance(n_wijken: int) -> float:
    """Largest difference between a total and the sum of its ``n_wijken`` wijk figures that rounding
    explains: CBS rounds published counts to multiples of 5 (each off by at most 2.5), the total too."""
    return 2.5 * (n_wijken + 1)


def _merge(combined: pd.DataFrame | None, frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    if combined is None:
        return frame
    overlap = (set(frame.columns) & set(combined.columns)) - _META
    merged = combined.merge(frame, on=["code", "period"], how="outer", suffixes=("", "_new"), indicator=True)
    for name in overlap:
        both = merged["_merge"].eq("both") & merged[name].notna() & merged[f"{name}_new"].notna()
        if both.any():
            row = int(merged.loc[both, "source_row_new"].iloc[0])
            raise InputFileError(path, "value given in another file as well", row=row, column=name)
        merged[name] = merged[name].combine_first(merged[f"{name}_new"])
    merged["source_file"] = merged["source_file"].combine_first(merged["source_file_new"])
    merged["source_row"] = merged["source_row"].combine_first(merged["source_row_new"])
    return merged.drop(columns=[c for c in merged.columns if c.endswith("_new")] + ["_merge"])


def _check_not_above_denominator(frame: pd.DataFrame) -> None:
    for name in INDICATORS:
        den_name = INDICATORS[name].denominator
        if name not in frame.columns or den_name not in frame.columns:
            continue
        too_large = (frame[name].astype("Int64") > frame[den_name].astype("Int64")).fillna(False).to_numpy(bool)
        if too_large.any():
            bad = frame[too_large].iloc[0]
            raise InputFileError(
                Path(str(bad["source_file"])),
                f"{name} = {bad[name]} is larger than its denominator {den_name} = {bad[den_name]}",
                row=int(bad["source_row"]), column=name,
            )


def _area_keys(codes: pd.Series, regio_of: Mapping[str, str] | None) -> pd.DataFrame:
    """For each wijk code: the gemeente, regio (when known) and land it adds up to."""
    gemeente = "GM" + codes.str.slice(2, 6)
    regio = gemeente.map(dict(regio_of)) if regio_of else pd.Series(pd.NA, index=codes.index, dtype=object)
    return pd.DataFrame({Level.gemeente.value: gemeente, Level.regio.value: regio, Level.nederland.value: "NL01"},
                        index=codes.index)


def _row_span(rows: pd.Series) -> str:
    values = sorted(int(r) for r in rows)
    return f"row {values[0]}" if len(values) == 1 else f"rows {values[0]}–{values[-1]}"


def _check_totals(totals: pd.DataFrame, wijken: pd.DataFrame, known: pd.Series,
                  regio_of: Mapping[str, str] | None) -> tuple[int, int]:
    """Compare every total row with the sum of its wijken where every wijk of the area is known.

    Returns (values checked, values left unchecked); raises on a mismatch beyond rounding.
    """
    keys = _area_keys(known, regio_of)
    wijk_keys = _area_keys(wijken["code"].astype(str), regio_of)
    checked = unchecked = 0
    totals = totals.assign(_level=levels_of(totals["code"]).to_numpy(dtype=object))
    for level in (Level.gemeente.value, Level.regio.value, Level.nederland.value):
        rows = totals[totals["_level"] == level]
        if rows.empty:
            continue
        expected = keys[level].value_counts()
        for name in [c for c in rows.columns if c in wijken.columns and c not in _META and c != "_level"]:
            values = wijken[name].astype("Int64")
            group = [wijk_keys[level], wijken["period"]]
            sums = values.groupby(group).sum(min_count=1)
            counts = values.notna().groupby(group).sum()
            for _, total in rows[rows[name].notna()].iterrows():
                key = (total["code"], int(total["period"]))
                n = int(expected.get(total["code"], 0))
                if n == 0 or int(counts.get(key, 0)) != n:
                    unchecked += 1
                    continue
                checked += 1
                wijk_sum = int(sums[key])
                if abs(int(total[name]) - wijk_sum) > rounding_tolerance(n):
                    members = wijken[(wijk_keys[level] == total["code"]).to_numpy() & wijken["period"].eq(key[1])]
                    files = sorted(set(members["source_file"]))
                    raise InputFileError(
                        Path(str(total["source_file"])),
                        f"{key[0]} {key[1]} {name} = {int(total[name])}, but its {n} wijken sum to {wijk_sum} "
                        f"({', '.join(files)} {_row_span(members['source_row'])})",
                        row=int(total["source_row"]), column=name,
                    )
    return checked, unchecked


def read_indicators(
    paths: Iterable[Path],
    *,
    wijk_codes: Iterable[str],
    denominators: pd.DataFrame,
    mapping: ColumnMapping | None = None,
    regio_of: Mapping[str, str] | None = None,
    periods: tuple[int, int] | None = None,
) -> IndicatorTable:
    """Read, combine and validate indicator files against the known wijken.

    Parameters
    ----------
    paths : indicator files (text, ``.xlsx``, ``.parquet``); several files are joined on (code,
        period) and may not repeat a column for the same cell.
    wijk_codes : every wijk code of the boundaries in use (whole country), for the unknown-code check
        and to know when every wijk of a gemeente, regio or the land is present.
    denominators : ``code`` → ``huishoudens``, ``inwoners`` from the boundaries; used where a file
        gives no denominator of its own.
    mapping : the steward's column mapping, applied to every file.
    regio_of : gemeente code → veiligheidsregio code, to check ``VR`` total rows (unchecked without).
    periods : lowest and highest plausible year; default 2000 to the current year.

    Returns
    -------
    :class:`IndicatorTable` of wijk rows with every indicator's denominator filled in, checked: no
    numerator larger than its denominator; every gemeente/regio/land row in the files equal (up to
    :func:`rounding_tolerance`) to the sum of its wijken where all of them are known.
    """
    codes_in = wijk_codes if isinstance(wijk_codes, pd.Series) else pd.Series(list(wijk_codes), dtype=object)
    known = codes_in.astype(str).drop_duplicates().astype(object).reset_index(drop=True)
    known_areas = pa.array(pd.unique(pd.concat([known, "GM" + known.str.slice(2, 6),
                                                pd.Series(["NL01", *(regio_of or {}).values()], dtype=object)])),
                           type=pa.string())
    combined: pd.DataFrame | None = None
    all_totals: list[pd.DataFrame] = []
    synthetic = False
    hashes: dict[str, str] = {}
    notes: list[str] = []
    for path in paths:
        rows: FileRows = read_indicator_file(path, mapping=mapping, periods=periods)
        hashes[Path(path).name] = sha256_file(path)
        synthetic |= rows.synthetic
        notes.extend(rows.notes)
        for frame in (rows.wijken, rows.totals):
            codes = pa.array(frame["code"].astype("string[pyarrow]").array)
            unknown = ~np.asarray(pc.is_in(codes, value_set=known_areas).to_numpy(zero_copy_only=False), dtype=bool)
            if unknown.any():
                first = frame[unknown].iloc[0]
                raise InputFileError(path, f"unknown area code {first['code']!r} (not in the boundaries)",
                                     row=int(first["source_row"]), column="code")
        _check_not_above_denominator(rows.totals)
        if not rows.totals.empty:
            all_totals.append(rows.totals)
        combined = _merge(combined, rows.wijken, Path(path))
    if combined is None:
        raise InputFileError(Path("."), "no indicator file given")

    if all_totals:
        checked, unchecked = _check_totals(pd.concat(all_totals, ignore_index=True), combined, known, regio_of)
        notes.append(f"checked {checked} total(s) of gemeente/regio/land rows against the sum of their wijken"
                     + (f"; {unchecked} left unchecked (not every wijk known)" if unchecked else ""))

    return complete_indicator_table(combined, denominators=denominators, synthetic=synthetic, sha256=hashes,
                                    notes=tuple(notes))


def complete_indicator_table(combined: pd.DataFrame, *, denominators: pd.DataFrame, synthetic: bool,
                             sha256: dict[str, str], notes: tuple[str, ...] = ()) -> IndicatorTable:
    """Fill in missing denominators from the boundaries and check no numerator exceeds its denominator.

    ``combined`` has ``code``, ``period``, indicator columns, ``source_file`` and ``source_row``;
    the aggregation of registrations (:mod:`insights.registrations`) ends here too.
    """
    position = pc.index_in(
        pa.array(combined["code"].astype("string[pyarrow]").array),
        value_set=pa.array(denominators["code"].astype(str).to_numpy(dtype=object), type=pa.string()),
    )
    found = np.asarray(pc.is_valid(position).to_numpy(zero_copy_only=False), dtype=bool)
    where = np.asarray(pc.fill_null(position, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    for name in DENOMINATORS:
        column = denominators[name].astype("Int64").array
        taken = column.take(where)
        from_boundaries = pd.Series(taken, index=combined.index).mask(~found)
        if name in combined.columns:
            combined[name] = combined[name].astype("Int64").combine_first(from_boundaries)
        else:
            combined[name] = from_boundaries
    _check_not_above_denominator(combined)
    combined["code"] = combined["code"].astype(str)
    combined = combined.sort_values(["code", "period"]).reset_index(drop=True)
    return IndicatorTable(frame=combined, synthetic=synthetic, sha256=sha256, notes=notes)
