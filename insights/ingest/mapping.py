"""The steward's column-mapping file: which export column is which indicator, and what to ignore.

A mapping is TOML a steward can read and review::

    # Zwolle, export of the wijkteam register
    ignore = ["Wijknaam", "Opmerking"]   # columns read by nobody
    period = 2024                        # only when the file has no period column

    [columns]                            # export column = what it is
    "Wijkcode" = "code"
    "Jaar" = "period"
    "Aantal huishoudens" = "huishoudens"
    "Meldingen VT" = "meldingen"

Targets are ``code``, ``period``, ``synthetisch``, a denominator or an indicator of
:mod:`insights.indicators`. Export column names are matched without regard to case or surrounding
spaces. A mapped column that a file lacks is not an error (one mapping serves several files).
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import InputFileError
from insights.indicators import DENOMINATORS, INDICATORS

__all__ = ["TARGETS", "ColumnMapping", "parse_mapping", "read_mapping"]

TARGETS: tuple[str, ...] = ("code", "period", "synthetisch", *DENOMINATORS, *INDICATORS)


def _key(name: str) -> str:
    return name.strip().casefold()


@dataclass(frozen=True)
class ColumnMapping:
    """``columns``: export column (casefolded) → target; ``ignore``: casefolded names; ``period``: a
    year for files without a period column; ``source``: the mapping file's name, for messages."""

    columns: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    period: int | None = None
    source: str = "mapping"

    def target(self, column: str) -> str | None:
        return self.columns.get(_key(column))

    def ignores(self, column: str) -> bool:
        return _key(column) in self.ignore


def parse_mapping(text: str, *, source: str = "mapping.toml") -> ColumnMapping:
    """Validate a mapping's text (pure: text in, mapping out); errors name the file and the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(source, f"not valid TOML: {exc}") from None
    unknown = set(data) - {"columns", "ignore", "period"}
    if unknown:
        raise InputFileError(source, f"unknown key(s) {', '.join(sorted(unknown))}; "
                                     "expected [columns], ignore and period")
    columns = data.get("columns", {})
    if not isinstance(columns, dict):
        raise InputFileError(source, "[columns] must be a table of \"export column\" = \"target\"")
    mapped: dict[str, str] = {}
    for column, target in columns.items():
        if not isinstance(target, str) or target not in TARGETS:
            hint = difflib.get_close_matches(str(target), TARGETS, n=1)
            suggestion = f"did you mean {hint[0]!r}?" if hint else f"one of {', '.join(TARGETS)}"
            raise InputFileError(source, f"{target!r} is not a target; {suggestion}", column=column)
        if target in mapped.values() and target != "synthetisch":
            raise InputFileError(source, f"two columns map to {target!r}", column=column)
        mapped[_key(column)] = target
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(name, str) for name in ignore):
        raise InputFileError(source, "ignore must be a list of column names")
    both = {_key(name) for name in ignore} & set(mapped)
    if both:
        raise InputFileError(source, "column is both mapped and ignored", column=min(both))
    period = data.get("period")
    if period is not None and (not isinstance(period, int) or isinstance(period, bool)):
        raise InputFileError(source, f"period must be a year (a whole number), not {period!r}")
    return ColumnMapping(mapped, frozenset(_key(name) for name in ignore), period, source)


def read_mapping(path: Path) -> ColumnMapping:
    """Read and validate a column-mapping file (TOML, UTF-8)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(path, "mapping file not found") from None
    except UnicodeDecodeError:
        raise InputFileError(path, "mapping file is not UTF-8 text") from None
    return parse_mapping(text, source=path.name)
