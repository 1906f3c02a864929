"""Record files into DuckDB: column recognition, the identifier guard, value checks.

This module and its package are the only code that sees records. Nothing here logs or raises a
record's value: errors name the file, the row (as an editor numbers lines; Parquet: the record
number + 1, as if it had a header line) and the column.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from geo.errors import InputFileError
from insights.registrations.guard import check_no_identifiers

__all__ = ["RecordColumns", "canonical_records_sql", "open_record_file", "resolve_columns"]

_ALIASES: dict[str, tuple[str, ...]] = {
    "household": ("huishouden", "huishoudsleutel", "huishouden_id", "huishoudenid", "sleutel", "pseudoniem",
                  "household", "household_id", "household_key"),
    "date": ("datum", "peildatum", "registratiedatum", "meldingsdatum", "event_date", "date"),
    "kind": ("soort", "gebeurtenis", "registratiesoort", "kind", "event", "type"),
    "wijk": ("wijkcode", "wijk", "gebiedscode"),
    "pc6": ("pc6", "postcode"),
    "x": ("x", "rd_x", "x_rd"),
    "y": ("y", "rd_y", "y_rd"),
    "lon": ("lon", "lng", "longitude", "lengtegraad"),
    "lat": ("lat", "latitude", "breedtegraad"),
}
_SAMPLE_ROWS = 10_000


@dataclass(frozen=True)
class RecordColumns:
    """Which source column holds what; ``location`` says which location the file gives."""

    household: str
    date: str
    kind: str
    location: Literal["wijk", "pc6", "rd", "wgs84"]
    a: str  # wijk code, PC6, x or lon
    b: str | None = None  # y or lat


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def resolve_columns(path: Path, header: list[str]) -> RecordColumns:
    lower = {h.strip().lower(): h for h in header}

    def find(role: str) -> str | None:
        return next((lower[a] for a in _ALIASES[role] if a in lower), None)

    found = {role: find(role) for role in _ALIASES}
    for role in ("household", "date", "kind"):
        if found[role] is None:
            hint = difflib.get_close_matches(_ALIASES[role][0], list(lower), n=1)
            suggestion = f"; did you mean {lower[hint[0]]!r}?" if hint else ""
            raise InputFileError(path, f"no {role} column (one of {', '.join(_ALIASES[role])}){suggestion}",
                                 row=1, column=_ALIASES[role][0])
    if found["wijk"]:
        location, a, b = "wijk", found["wijk"], None
    elif found["x"] and found["y"]:
        location, a, b = "rd", found["x"], found["y"]
    elif found["lon"] and found["lat"]:
        location, a, b = "wgs84", found["lon"], found["lat"]
    elif found["pc6"]:
        location, a, b = "pc6", found["pc6"], None
    else:
        raise InputFileError(path, "no location: give x and y (RD New), lon and lat (WGS84), pc6 or wijkcode", row=1)
    return RecordColumns(found["household"], found["date"], found["kind"], location, a, b)  # type: ignore[arg-type]


def open_record_file(con: duckdb.DuckDBPyConnection, path: Path, view: str) -> RecordColumns:
    """Register ``path`` (CSV or Parquet) as view ``view`` and refuse direct identifiers.

    The guard runs on the first 10,000 rows of every column before anything else is computed.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found")
    quoted = str(path).replace("'", "''")
    if path.suffix.lower() in (".parquet", ".pq"):
        source = f"read_parquet('{quoted}')"
    elif path.suffix.lower() in (".csv", ".txt", ".tsv"):
        source = f"read_csv('{quoted}', all_varchar = true, header = true)"
    else:
        raise InputFileError(path, f"unsupported record file type {path.suffix!r}; give CSV or Parquet")
    try:
        con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM {source}")
        header = [d[0] for d in con.execute(f"SELECT * FROM {view} LIMIT 0").description]
        columns = ", ".join(f"CAST({_quote(h)} AS VARCHAR)" for h in header)
        rows = con.execute(f"SELECT {columns} FROM {view} LIMIT {_SAMPLE_ROWS}").fetchall()
    except duckdb.Error:
        raise InputFileError(path, "cannot read the file as CSV or Parquet") from None
    check_no_identifiers(path, {h: [r[i] for r in rows if r[i] is not None] for i, h in enumerate(header)})
    return resolve_columns(path, header)


def canonical_records_sql(view: str, cols: RecordColumns) -> str:
    """SELECT giving ``row_nr``-free canonical columns: ``household``, ``event_date``, ``kind`` and
    the location (``x``, ``y`` as DOUBLE; or ``pc6``; or ``wijk``), plus the raw text of each for checks."""
    def text(col: str) -> str:
        return f"NULLIF(TRIM(CAST({_quote(col)} AS VARCHAR)), '')"

    date = text(cols.date)
    parts = [
        f"{text(cols.household)} AS household",
        f"COALESCE(TRY_CAST({date} AS DATE), TRY_CAST(TRY_STRPTIME({date}, '%d-%m-%Y') AS DATE)) AS event_date",
        f"{date} AS date_text",
        f"LOWER({text(cols.kind)}) AS kind",
    ]
    if cols.location in ("rd", "wgs84"):
        assert cols.b is not None
        parts += [f"TRY_CAST({text(cols.a)} AS DOUBLE) AS x", f"TRY_CAST({text(cols.b)} AS DOUBLE) AS y",
                  f"{text(cols.a)} AS x_text", f"{text(cols.b)} AS y_text"]
    elif cols.location == "pc6":
        parts += [f"UPPER(REPLACE({text(cols.a)}, ' ', '')) AS pc6"]
    else:
        parts += [f"UPPER(REPLACE({text(cols.a)}, ' ', '')) AS wijk"]
    return f"SELECT {', '.join(parts)} FROM {view}"
