"""Reading indicator tables and the rules file (the I/O edge of ``insights``).

Two shapes are read by one reader:

* **CBS StatLine CSV**: ``;`` or ``,`` separated, a code column such as ``WijkenEnBuurten`` with
  padded codes (``"WK019301  "``) and a ``Perioden`` column (``2024JJ00``).
* **Municipal register export**: ``;`` separated, decimal comma, ``.`` as thousands separator,
  Latin-1 or UTF-8 (with or without BOM).

Columns: an area code, a period (year), zero or more denominators (``huishoudens``, ``inwoners``),
one or more indicator counts (see :mod:`insights.indicators`) and optionally ``synthetisch``
(``ja``/``nee``). Secrecy markers — ``.``, ``x``, an empty cell, or any value ≤ −99990 — become
``<NA>`` ("secret"), never 0. ``-`` is CBS's "nihil" and reads as 0.

Every problem raises :class:`geo.errors.InputFileError` naming file, row (1-based line as an
editor shows it) and column.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.boundaries import SECRET_SENTINEL
from geo.codes import Level, level_of, normalise_code
from geo.io import sha256_file
from insights.disclosure.rules import Rules, parse_rules
from insights.errors import InputFileError, RulesError
from insights.indicators import DENOMINATORS, INDICATORS

__all__ = [
    "IndicatorTable",
    "complete_indicator_table",
    "read_gemeente_covariates",
    "read_indicator_file",
    "read_indicators",
    "read_rules",
    "sha256_file",
    "write_indicator_csv",
]

_CODE_ALIASES = ("gebiedscode", "code", "regiocode", "wijkenenbuurten", "regioaanduiding", "wijkcode")
_PERIOD_ALIASES = ("periode", "perioden", "jaar")
_SYNTHETIC = "synthetisch"
_SECRET_MARKERS = {"", ".", "x", "X", "?"}
_NUMBER_COMMA = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?|-?\d+(,\d+)?")
_NUMBER_POINT = re.compile(r"-?\d+(\.\d+)?")
_PERIOD = re.compile(r"(\d{4})(JJ00)?")


@dataclass(frozen=True)
class IndicatorTable:
    """Validated indicator counts, one row per (wijk code, period).

    ``frame`` columns: ``code``, ``period`` (int), one Int64 column per indicator and denominator
    present (``<NA>`` = secret), ``source_file`` and ``source_row``. ``synthetic`` is True when any
    row is marked ``synthetisch = ja``. ``sha256`` maps file name → hash of its bytes.
    """

    frame: pd.DataFrame
    synthetic: bool
    sha256: dict[str, str]

    @property
    def indicators(self) -> list[str]:
        return [c for c in INDICATORS if c in self.frame.columns]


def read_rules(path: Path) -> Rules:
    """Read and validate the steward's rules file (TOML)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(f"{path}: rules file not found") from None
    return parse_rules(text, source=path.name)


def _decode(path: Path, raw: bytes) -> str:
    for encoding in ("utf-8-sig", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(path, "cannot decode the file as UTF-8 or Latin-1")  # pragma: no cover


def _canonical(name: str) -> str:
    """``"Meldingen_3"`` → ``"meldingen"``: lower case, no StatLine ``_<n>`` suffix, no spaces."""
    name = name.strip().strip('"').lower().replace(" ", "")
    return re.sub(r"_\d+$", "", name)


def _parse_number(text: str, decimal_comma: bool) -> float | None:
    """Parse one cell; ``None`` for a secrecy marker; raises ``ValueError`` when not a number."""
    text = text.strip()
    if text in _SECRET_MARKERS:
        return None
    if text == "-":
        return 0.0
    if decimal_comma and _NUMBER_COMMA.fullmatch(text):
        return float(text.replace(".", "").replace(",", "."))
    if not decimal_comma and _NUMBER_POINT.fullmatch(text.replace(",", "")):
        return float(text.replace(",", ""))
    raise ValueError(text)


def read_indicator_file(path: Path) -> tuple[pd.DataFrame, bool]:
    """Read one indicator CSV into a validated frame (codes and values; no hierarchy check)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(path, "file not found") from None
    text = _decode(path, raw)
    first_line = text.splitlines()[0] if text.strip() else ""
    if not first_line:
        raise InputFileError(path, "the file is empty", row=1)
    separator = max((";", ",", "\t"), key=first_line.count)
    decimal_comma = separator != ","
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    header = [_canonical(h) for h in next(reader)]

    known = set(INDICATORS) | set(DENOMINATORS) | {_SYNTHETIC}
    code_col = next((i for i, h in enumerate(header) if h in _CODE_ALIASES), None)
    period_col = next((i for i, h in enumerate(header) if h in _PERIOD_ALIASES), None)
    if code_col is None:
        raise InputFileError(path, f"no area code column (one of {', '.join(_CODE_ALIASES)})", row=1)
    if period_col is None:
        raise InputFileError(path, f"no period column (one of {', '.join(_PERIOD_ALIASES)})", row=1)
    value_cols: dict[int, str] = {}
    for i, name in enumerate(header):
        if i in (code_col, period_col) or name in ("id",):
            continue
        if name not in known:
            hint = difflib.get_close_matches(name, sorted(known), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; known columns: {', '.join(sorted(known))}"
            raise InputFileError(path, f"unknown column{suggestion}", row=1, column=name)
        if name in value_cols.values():
            raise InputFileError(path, "column appears twice", row=1, column=name)
        value_cols[i] = name
    if not any(name in INDICATORS for name in value_cols.values()):
        raise InputFileError(path, f"no indicator column (one of {', '.join(INDICATORS)})", row=1)

    records: list[dict[str, object]] = []
    synthetic = False
    seen: dict[tuple[str, int], int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputFileError(path, f"expected {len(header)} fields, found {len(row)}", row=line)
        code = normalise_code(row[code_col])
        if level_of(code) != Level.wijk:
            problem = (
                "only wijk codes (WK…) are read; gemeente and regio totals are derived from the wijken"
                if level_of(code) is not None
                else f"{row[code_col].strip()!r} is not a CBS wijk code (WK + 6 characters)"
            )
            raise InputFileError(path, problem, row=line, column=header[code_col])
        match = _PERIOD.fullmatch(row[period_col].strip())
        if not match:
            raise InputFileError(
                path, f"{row[period_col].strip()!r} is not a year (e.g. 2024 or 2024JJ00)", row=line, column=header[period_col]
            )
        period = int(match.group(1))
        if (code, period) in seen:
            raise InputFileError(
                path, f"duplicate {code} {period}: also on row {seen[(code, period)]}", row=line, column=header[code_col]
            )
        seen[(code, period)] = line
        record: dict[str, object] = {"code": code, "period": period, "source_file": path.name, "source_row": line}
        for i, name in value_cols.items():
            cell = row[i].strip()
            if name == _SYNTHETIC:
                if cell.lower() not in ("ja", "nee", ""):
                    raise InputFileError(path, f"{cell!r} is not ja/nee", row=line, column=name)
                synthetic |= cell.lower() == "ja"
                continue
            try:
                value = _parse_number(cell, decimal_comma)
            except ValueError:
                raise InputFileError(path, f"{cell!r} is not a number", row=line, column=name) from None
            if value is not None and value <= SECRET_SENTINEL:
                value = None  # CBS/PDOK secrecy sentinel
            if value is not None and value != int(value):
                raise InputFileError(path, f"{cell!r} is not a count (whole number)", row=line, column=name)
            if value is not None and value < 0:
                raise InputFileError(path, f"{cell!r} is negative; counts are ≥ 0", row=line, column=name)
            record[name] = None if value is None else int(value)
        records.append(record)
    if not records:
        raise InputFileError(path, "no data rows", row=2)
    frame = pd.DataFrame.from_records(records)
    for name in value_cols.values():
        if name != _SYNTHETIC:
            frame[name] = pd.array(frame[name].tolist(), dtype="Int64")
    return frame, synthetic


def read_indicators(paths: Iterable[Path], *, wijk_codes: Iterable[str], denominators: pd.DataFrame) -> IndicatorTable:
    """Read, combine and validate indicator files against the known wijken.

    Parameters
    ----------
    paths : indicator CSV files; several files are joined on (code, period) and may not repeat a
        column for the same cell.
    wijk_codes : every wijk code of the boundaries in use (whole country), for the unknown-code check.
    denominators : ``code`` → ``huishoudens``, ``inwoners`` from the boundaries; used where a file
        gives no denominator of its own.

    Returns
    -------
    :class:`IndicatorTable` with every indicator's denominator filled in, checked: no numerator
    larger than its denominator.
    """
    known = set(wijk_codes)
    combined: pd.DataFrame | None = None
    synthetic = False
    hashes: dict[str, str] = {}
    for path in paths:
        frame, is_synthetic = read_indicator_file(path)
        hashes[Path(path).name] = sha256_file(path)
        synthetic |= is_synthetic
        unknown = frame[~frame["code"].isin(known)]
        if not unknown.empty:
            first = unknown.iloc[0]
            raise InputFileError(path, f"unknown area code {first['code']!r} (not in the boundaries)",
                                 row=int(first["source_row"]), column="code")
        if combined is None:
            combined = frame
            continue
        overlap = (set(frame.columns) & set(combined.columns)) - {"code", "period", "source_file", "source_row"}
        merged = combined.merge(frame, on=["code", "period"], how="outer", suffixes=("", "_new"), indicator=True)
        for name in overlap:
            both = merged["_merge"].eq("both") & merged[name].notna() & merged[f"{name}_new"].notna()
            if both.any():
                row = int(merged.loc[both, "source_row_new"].iloc[0])
                raise InputFileError(path, "value given in another file as well", row=row, column=name)
            merged[name] = merged[name].combine_first(merged[f"{name}_new"])
        merged["source_file"] = merged["source_file"].combine_first(merged["source_file_new"])
        merged["source_row"] = merged["source_row"].combine_first(merged["source_row_new"])
        combined = merged.drop(columns=[c for c in merged.columns if c.endswith("_new")] + ["_merge"])
    if combined is None:
        raise InputFileError(Path("."), "no indicator file given")
    return complete_indicator_table(combined, denominators=denominators, synthetic=synthetic, sha256=hashes)


def complete_indicator_table(
    combined: pd.DataFrame, *, denominators: pd.DataFrame, synthetic: bool, sha256: dict[str, str]
) -> IndicatorTable:
    """Fill in missing denominators from the boundaries and check no numerator exceeds its denominator.

    ``combined`` has ``code``, ``period``, indicator columns, ``source_file`` and ``source_row``;
    the aggregation of registrations (:mod:`insights.registrations`) ends here too.
    """
    base = denominators.set_index("code")
    for name in DENOMINATORS:
        from_boundaries = combined["code"].map(base[name]).astype("Int64")
        if name in combined.columns:
            combined[name] = combined[name].astype("Int64").combine_first(from_boundaries)
        else:
            combined[name] = from_boundaries
    for name in INDICATORS:
        if name not in combined.columns:
            continue
        den_name = INDICATORS[name].denominator
        count = combined[name].astype("Int64")
        den = combined[den_name].astype("Int64")
        too_large = (count > den).fillna(False)
        if too_large.any():
            bad = combined[too_large].iloc[0]
            raise InputFileError(
                Path(str(bad["source_file"])),
                f"{name} = {bad[name]} is larger than its denominator {den_name} = {bad[den_name]}",
                row=int(bad["source_row"]), column=name,
            )
    combined = combined.sort_values(["code", "period"]).reset_index(drop=True)
    return IndicatorTable(frame=combined, synthetic=synthetic, sha256=sha256)


def read_gemeente_covariates(path: Path) -> pd.DataFrame:
    """CBS kerncijfers per gemeente used as model covariates (percentages, 0–100).

    Reads a PDOK wijk- en buurtkaart gemeente layer (GeoJSON or GeoPackage; geometry ignored).
    Returns ``gemeentecode``, ``percentage_gescheiden``, ``percentage_eenpersoons``,
    ``percentage_met_kinderen``. Values ≤ −99990 (PDOK secrecy sentinels) become NA.
    """
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found")
    frame = pyogrio.read_dataframe(path, read_geometry=False)
    columns = {
        "gemeentecode": "gemeentecode",
        "percentageGescheid": "percentage_gescheiden",
        "percentageEenpersoonshuishoudens": "percentage_eenpersoons",
        "percentageHuishoudensMetKinderen": "percentage_met_kinderen",
    }
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputFileError(path, f"missing column(s) {missing}")
    if "water" in frame.columns:
        frame = frame[frame["water"].astype(str).str.upper().ne("JA")]
    out = frame[list(columns)].rename(columns=columns)
    for col in list(columns.values())[1:]:
        values = pd.to_numeric(out[col], errors="coerce")
        out[col] = values.where(values > SECRET_SENTINEL)
    return out.reset_index(drop=True)


def write_indicator_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write counts in the register-export shape: ``;``-separated UTF-8 with BOM, empty = secret."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig", na_rep="", lineterminator="\n")
