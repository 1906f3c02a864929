"""Registrations → indicator table: checks, wijk assignment, counting (DuckDB, out of core).

Records live only inside a DuckDB database in memory, spilling to a private temporary folder that is
removed afterwards; the result is the same :class:`~insights.ingest.IndicatorTable` an indicator
CSV gives, so disclosure control and the release follow unchanged.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from geo.boundaries import normalise_wijken
from geo.codes import is_water_or_abroad, normalise_code
from geo.errors import InputFileError
from geo.io import read_boundaries, read_table
from insights.indicators import INDICATORS
from insights.ingest import IndicatorTable, complete_indicator_table, sha256_file
from insights.registrations.locate import OUTSIDE, WATER, PointLocator
from insights.registrations.mapping import DEFAULT_MAPPING, RE_REPORTS, REPORTS, read_mapping
from insights.registrations.query import LOCATE_BY_KEY, count_sql
from insights.registrations.records import RecordColumns, canonical_records_sql, open_record_file

__all__ = [
    "Aggregated", "Boundaries", "aggregate_registrations", "counts_to_table", "describe", "duckdb_session",
    "load_boundaries", "read_pc6_table", "registrations_table",
]

_MISSING = -3  # no coordinates (OUTSIDE and WATER come from the locator)


@dataclass(frozen=True)
class Boundaries:
    """Wijken (``code``, ``gemeentecode``, ``huishoudens``, ``inwoners``, geometry; EPSG:28992), the
    "Groot water" polygons, and the boundary file's name and hash."""

    wijken: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    name: str
    sha256: str


def load_boundaries(path: Path) -> Boundaries:
    """Read a wijk boundary file, keeping "Groot water" polygons apart to name points on water."""
    path = Path(path)
    raw = read_boundaries(path)
    wijken = normalise_wijken(raw, source=path.name)
    code = next(c for c in ("wijkcode", "statcode", "code") if c in raw.columns)
    name = next((c for c in ("wijknaam", "statnaam", "naam") if c in raw.columns), None)
    codes = raw[code].map(normalise_code)
    water = is_water_or_abroad(codes, raw[name] if name else None) & ~codes.str.slice(2, 6).eq("0998")
    return Boundaries(wijken, raw.loc[water, [raw.geometry.name]], path.name, sha256_file(path))


@dataclass(frozen=True)
class Aggregated:
    """The aggregation's result: the indicator table and, per reason, how many records no wijk got
    (``missing`` location, ``outside`` every wijk, on ``water``, ``pc6_unknown``,
    ``pc6_several_wijken``). ``records`` is the number of records read, ``duplicates`` how many
    repeated an earlier one (same household, date, kind and wijk). ``seconds``: wall time per stage
    (``checks``, ``locate``, ``count``: deduplication, re-report window and counts)."""

    table: IndicatorTable
    unassigned: dict[str, int]
    records: int
    duplicates: int
    seconds: dict[str, float] = field(default_factory=dict)


@contextmanager
def duckdb_session(*, memory_limit: str = "1GB", threads: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB bounded to ``memory_limit`` that spills to a private temporary folder,
    removed on exit. Extensions are never downloaded."""
    with tempfile.TemporaryDirectory(prefix="helpende-registraties-") as spill:
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": memory_limit, "temp_directory": spill,
            "autoinstall_known_extensions": False, "autoload_known_extensions": False,
        }
        if threads:
            config["threads"] = threads
        con = duckdb.connect(":memory:", config=config)
        try:
            yield con
        finally:
            con.close()


_LOCATORS: dict[str, PointLocator] = {}


def _locator(boundaries: Boundaries) -> PointLocator:
    """One locator per boundary file (by hash) per process: the grid takes a second to build."""
    if boundaries.sha256 not in _LOCATORS:
        _LOCATORS.clear()
        _LOCATORS[boundaries.sha256] = PointLocator.from_frames(boundaries.wijken, boundaries.water)
    return _LOCATORS[boundaries.sha256]


def read_pc6_table(path: Path) -> pd.DataFrame:
    """PC6 → wijk table (``pc6``/``postcode`` and ``wijkcode``/``wijk`` columns); a PC6 may appear
    under several wijken (records with such a PC6 are reported, not guessed)."""
    table = read_table(path)
    lower = {c.strip().lower(): c for c in table.columns}
    pc6 = next((lower[c] for c in ("pc6", "postcode") if c in lower), None)
    wijk = next((lower[c] for c in ("wijkcode", "wijk", "gebiedscode") if c in lower), None)
    if pc6 is None or wijk is None:
        raise InputFileError(path, "needs a pc6 (or postcode) and a wijkcode column", row=1)
    out = pd.DataFrame({"pc6": table[pc6].str.replace(" ", "").str.upper(), "wijk": table[wijk].map(normalise_code)})
    bad = ~out["pc6"].str.fullmatch(r"\d{4}[A-Z]{2}")
    if bad.any():
        raise InputFileError(path, "not a PC6 (1234AB)", row=int(np.flatnonzero(bad)[0]) + 2, column=pc6)
    return out


def _first_bad_row(con: duckdb.DuckDBPyConnection, canonical: str, condition: str) -> int:
    """Line number of the first record meeting ``condition`` (header = line 1), scanning in file order."""
    con.execute("SET threads = 1")  # file order for row_number(); only on the error path
    row = con.execute(f"SELECT MIN(row_nr) FROM (SELECT ROW_NUMBER() OVER () AS row_nr, * FROM ({canonical})) "
                      f"WHERE {condition}").fetchone()
    return int(row[0]) + 1 if row and row[0] is not None else 0


def _validate(con: duckdb.DuckDBPyConnection, path: Path, canonical: str, cols: RecordColumns,
              kinds: list[str], wijk_codes: set[str]) -> None:
    """Refuse rows that cannot be counted; the error names file, row and column, never a value."""
    known = ", ".join(f"'{k}'" for k in kinds)
    checks: list[tuple[str, str, str]] = [
        ("household IS NULL", cols.household, "no household key"),
        ("event_date IS NULL", cols.date, "not a date (YYYY-MM-DD or DD-MM-YYYY)"),
        (f"kind IS NULL OR kind NOT IN ({known})", cols.kind,
         f"unknown event kind; the mapping knows {', '.join(kinds)}"),
    ]
    if cols.location in ("rd", "wgs84"):
        assert cols.b is not None
        checks += [("x IS NULL AND x_text IS NOT NULL", cols.a, "not a number"),
                   ("y IS NULL AND y_text IS NOT NULL", cols.b, "not a number"),
                   ("(x IS NULL) <> (y IS NULL)", cols.b, "only one coordinate given")]
    elif cols.location == "pc6":
        checks += [("NOT regexp_full_match(pc6, '[0-9]{4}[A-Z]{2}')", cols.a, "not a PC6 (1234AB)")]
    else:
        con.register("known_wijken", pa.table({"code": sorted(wijk_codes)}))
        checks += [("wijk IS NULL OR wijk NOT IN (SELECT code FROM known_wijken)", cols.a,
                    "not a wijk code of the boundaries in use")]
    counts = con.execute("SELECT " + ", ".join(f"COUNT(*) FILTER (WHERE {c})" for c, _, _ in checks)
                         + f" FROM ({canonical})").fetchone()
    assert counts is not None
    for (condition, column, problem), n in zip(checks, counts, strict=True):
        if n:
            row = _first_bad_row(con, canonical, condition)
            raise InputFileError(path, problem + (f" ({n} rows)" if n > 1 else ""), row=row, column=column)


def _locate_points(con: duckdb.DuckDBPyConnection, canonical: str, cols: RecordColumns, locator: PointLocator) -> None:
    """Append the point records to table ``located``: DuckDB streams the coordinates through the locator
    (a vectorised Arrow function); keys and dates never leave DuckDB."""
    transformer = None
    if cols.location == "wgs84":
        from pyproj import Transformer

        transformer = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)

    def wijk_index(x: pa.Array, y: pa.Array) -> pa.Array:
        xs = x.to_numpy(zero_copy_only=False).astype(np.float64)
        ys = y.to_numpy(zero_copy_only=False).astype(np.float64)
        missing = np.isnan(xs) | np.isnan(ys)
        if transformer is not None:
            xs, ys = transformer.transform(xs, ys)
        where = np.full(len(xs), _MISSING, dtype=np.int32)
        where[~missing] = locator.locate(xs[~missing], ys[~missing])
        return pa.array(where, type=pa.int32())

    con.create_function("wijk_index", wijk_index, ["DOUBLE", "DOUBLE"], "INTEGER", type="arrow",  # type: ignore[call-overload]
                        null_handling="special", side_effects=False)
    con.register("wijk_codes", pa.table({"i": pa.array(range(len(locator.codes)), pa.int32()),
                                         "code": pa.array(locator.codes.tolist(), pa.string())}))
    try:
        con.execute(f"""
            INSERT INTO located
            SELECT r.household, r.event_date, k.indicator, w.code,
                   CASE r.i WHEN {_MISSING} THEN 'missing' WHEN {OUTSIDE} THEN 'outside' WHEN {WATER} THEN 'water' END
            FROM (SELECT household, event_date, kind, wijk_index(x, y) AS i FROM ({canonical})) AS r
            JOIN kinds AS k ON k.kind = r.kind
            LEFT JOIN wijk_codes AS w ON w.i = r.i""")
    finally:
        con.remove_function("wijk_index")
        con.unregister("wijk_codes")


def _wide(counts: pd.DataFrame, wijken: gpd.GeoDataFrame, periods: list[int], indicators: list[str]) -> pd.DataFrame:
    """Counts per (wijk, year) for every wijk of every gemeente with at least one located record (0 where none)."""
    covered = set(wijken.loc[wijken["code"].isin(set(counts["wijk"])), "gemeentecode"])
    codes = sorted(wijken.loc[wijken["gemeentecode"].isin(covered), "code"])
    index = pd.MultiIndex.from_product([codes, periods], names=["code", "period"])
    wide = counts.pivot_table(index=["wijk", "period"], columns="indicator", values="n", aggfunc="sum")
    wide.index = wide.index.set_names(["code", "period"])
    wide = wide.reindex(index=index, columns=indicators).fillna(0).astype("int64").reset_index()
    wide.columns.name = None
    for name in indicators:
        wide[name] = wide[name].astype("Int64")
    return wide


def counts_to_table(counts: pd.DataFrame, wijken: gpd.GeoDataFrame, *, periods: list[int], present: set[str],
                    paths: list[Path], synthetic: bool, sha256: dict[str, str]) -> IndicatorTable:
    """Long counts (``wijk``, ``period``, ``indicator``, ``n``) of any engine → the checked indicator table."""
    present = present | ({RE_REPORTS} if REPORTS in present else set())  # no record of a kind: absent, not 0
    indicators = [name for name in INDICATORS if name in present]
    if counts.empty:
        raise InputFileError(paths[0], "no record could be assigned to a wijk of the boundaries")
    wide = _wide(counts, wijken, periods, indicators)
    wide["source_file"] = ", ".join(p.name for p in paths)
    wide["source_row"] = 0
    return complete_indicator_table(wide, denominators=wijken[["code", "huishoudens", "inwoners"]],
                                    synthetic=synthetic, sha256=sha256)


def aggregate_registrations(
    paths: Iterable[Path],
    boundaries: Boundaries,
    *,
    mapping_path: Path = DEFAULT_MAPPING,
    pc6_table: pd.DataFrame | None = None,
    synthetic: bool = False,
    memory_limit: str = "1GB",
    locator: PointLocator | None = None,
) -> Aggregated:
    """Count registrations per wijk, year and indicator.

    Parameters
    ----------
    paths : record files (CSV or Parquet), each with a household key, a date, an event kind and one
        location: ``x``/``y`` (RD New, metres), ``lon``/``lat`` (WGS84, degrees), ``pc6`` (needs
        ``pc6_table``) or ``wijkcode``.
    boundaries : the wijken of the release's vintage (:func:`load_boundaries`).
    mapping_path : mapping file: event kinds → indicators, how each counts, the re-report window.
    pc6_table : ``pc6``, ``wijk`` (:func:`read_pc6_table`).
    synthetic : mark the table synthetic (records from the generator carry a ``synthetisch``
        column with ``ja`` too; one such record marks it as well).
    memory_limit : DuckDB's memory bound; beyond it DuckDB spills to a temporary folder.

    Returns
    -------
    :class:`Aggregated`. Its table covers every wijk of each gemeente with at least one located
    record, and every year with at least one record; households (for indicators counted by
    household) count once per wijk and year.
    """
    mapping = read_mapping(mapping_path)
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputFileError(Path("."), "no record file given")
    wijken = boundaries.wijken
    kinds = sorted(mapping.kinds)
    hashes = {p.name: sha256_file(p) for p in paths if p.exists()}
    with duckdb_session(memory_limit=memory_limit) as con:
        con.execute("CREATE TABLE located (household VARCHAR, event_date DATE, indicator VARCHAR, wijk VARCHAR, "
                    "reason VARCHAR)")
        con.register("kinds", pa.table({"kind": kinds, "indicator": [mapping.kinds[k] for k in kinds]}))
        pc6 = pc6_table if pc6_table is not None else pd.DataFrame({"pc6": pd.Series(dtype=str),
                                                                     "wijk": pd.Series(dtype=str)})
        con.register("pc6_wijk", pa.Table.from_pandas(pc6[["pc6", "wijk"]], preserve_index=False))
        started = time.perf_counter()
        opened = [(path, f"source_{i}", open_record_file(con, path, f"source_{i}")) for i, path in enumerate(paths)]
        for path, view, cols in opened:  # every file is checked before anything is counted
            if cols.location == "pc6" and pc6_table is None:
                raise InputFileError(path, "records give a PC6: pass a PC6 → wijk table (--pc6)", row=1,
                                     column=cols.a)
            _validate(con, path, canonical_records_sql(view, cols), cols, kinds, set(wijken["code"]))
            con.execute("RESET threads")
        seconds = {"checks": time.perf_counter() - started}
        started = time.perf_counter()
        for _, view, cols in opened:
            canonical = canonical_records_sql(view, cols)
            if cols.location in ("rd", "wgs84"):
                locator = locator or _locator(boundaries)
                _locate_points(con, canonical, cols, locator)
            else:
                con.execute(f"CREATE OR REPLACE VIEW records AS SELECT household, event_date, kind, "
                            f"{'pc6' if cols.location == 'pc6' else 'NULL'} AS pc6, "
                            f"{'wijk' if cols.location == 'wijk' else 'NULL'} AS wijk FROM ({canonical})")
                con.execute(f"INSERT INTO located {LOCATE_BY_KEY}")
            synthetic |= _marked_synthetic(con, view)
        by_household = sorted({i for i, u in mapping.unit.items() if u == "huishoudens"} & set(mapping.kinds.values()))
        by_record = sorted({i for i, u in mapping.unit.items() if u == "registraties"} & set(mapping.kinds.values()))
        seconds["locate"] = time.perf_counter() - started
        started = time.perf_counter()
        counts = con.execute(count_sql(by_household, by_record, window_months=mapping.window_months)).df()
        seconds["count"] = time.perf_counter() - started
        unassigned = dict(con.execute("SELECT reason, COUNT(*) FROM located WHERE wijk IS NULL GROUP BY reason "
                                      "ORDER BY reason").fetchall())
        total, distinct = con.execute("SELECT COUNT(*), (SELECT COUNT(*) FROM (SELECT DISTINCT household, event_date, "
                                      "indicator, wijk FROM located WHERE wijk IS NOT NULL)) FROM located "
                                      "WHERE wijk IS NOT NULL").fetchone() or (0, 0)
        years = con.execute("SELECT DISTINCT YEAR(event_date) FROM located ORDER BY 1").fetchall()
        periods = [int(p) for (p,) in years]
        present = {i for (i,) in con.execute("SELECT DISTINCT indicator FROM located").fetchall()}
    hashes[Path(mapping_path).name] = sha256_file(mapping_path)
    table = counts_to_table(counts, wijken, periods=periods, present=present, paths=paths, synthetic=synthetic,
                            sha256=hashes)
    all_records = sum(unassigned.values()) + int(total)
    return Aggregated(table, {str(k): int(v) for k, v in unassigned.items()}, all_records, int(total) - int(distinct),
                      seconds)


def _marked_synthetic(con: duckdb.DuckDBPyConnection, view: str) -> bool:
    columns = [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]
    column = next((c for c in columns if c.strip().lower() == "synthetisch"), None)
    if column is None:
        return False
    row = con.execute(f"SELECT COUNT(*) FROM {view} WHERE LOWER(TRIM(CAST(\"{column}\" AS VARCHAR))) = 'ja'").fetchone()
    return bool(row and row[0])


def describe(result: Aggregated) -> str:
    """One line for the build log: totals only (no area, no record)."""
    lost = ", ".join(f"{n} {reason}" for reason, n in sorted(result.unassigned.items())) or "none"
    return (f"{result.records} records, {result.duplicates} duplicates dropped, not assigned to a wijk: {lost}")


def registrations_table(paths: Iterable[Path], boundaries_path: Path, *, mapping_path: Path = DEFAULT_MAPPING,
                        pc6_path: Path | None = None,
                        progress: Callable[[str], None] = print) -> IndicatorTable:
    """The build's hook: aggregate record files against the build's boundaries and report totals."""
    result = aggregate_registrations(
        paths, load_boundaries(boundaries_path), mapping_path=mapping_path,
        pc6_table=read_pc6_table(pc6_path) if pc6_path else None,
    )
    progress(describe(result))
    return result.table
