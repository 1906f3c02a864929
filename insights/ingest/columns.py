"""What each column of a file is: code, period, a count, descriptive (ignored) or an error.

A mapping file (:mod:`insights.ingest.mapping`) decides first. Without one, names are compared
after :func:`canonical` (lower case, no spaces, no StatLine ``_<n>`` suffix): known aliases of the
code and period columns, the indicators and denominators of :mod:`insights.indicators`, and the
descriptive columns CBS and municipal exports carry (names, kind of region, remarks), which are
ignored with a note. Anything else is an error; one that resembles a known column names it.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from geo.errors import InputFileError
from insights.indicators import DENOMINATORS, INDICATORS
from insights.ingest.mapping import ColumnMapping
from insights.ingest.source import RawTable

__all__ = ["CODE_ALIASES", "DESCRIPTIVE", "PERIOD_ALIASES", "Roles", "canonical", "classify"]

CODE_ALIASES = ("gebiedscode", "code", "regiocode", "wijkenenbuurten", "regioaanduiding", "wijkcode", "codering",
                "regios")
PERIOD_ALIASES = ("periode", "perioden", "jaar")
SYNTHETIC = "synthetisch"
DENOMINATOR_ALIASES = {  # CBS kerncijfer names of the denominators
    "aantalinwoners": "inwoners",
    "huishoudenstotaal": "huishoudens",
    "particulierehuishoudens": "huishoudens",
    "aantalhuishoudens": "huishoudens",
}
DESCRIPTIVE = frozenset({
    # CBS StatLine / cbsodata
    "id", "wijkenenbuurten", "regios", "gemeentenaam", "soortregio", "codering", "indelingswijzigingwijkenenbuurten",
    "meestvoorkomendepostcode", "dekkingspercentage",
    # municipal exports
    "naam", "wijknaam", "buurtnaam", "gebiedsnaam", "regionaam", "gemeente", "gemeentecode", "wijk", "buurt",
    "omschrijving", "opmerking", "opmerkingen", "toelichting", "bron", "",
})
_CBS_CODE = r"^\s*(GM\d{4}|WK\d{4}[0-9A-Za-z]{2}|BU\d{4}[0-9A-Za-z]{4}|VR\d{2}|NL01)\s*$"


def canonical(name: str) -> str:
    """``"Meldingen_3"`` → ``"meldingen"``: lower case, no StatLine ``_<n>`` suffix, no spaces."""
    name = name.strip().strip('"').lower().replace(" ", "")
    return re.sub(r"_\d+$", "", name)


@dataclass
class Roles:
    """Header text of the code and period columns; ``values``: header → indicator or denominator."""

    code: str
    period: str | None
    values: dict[str, str] = field(default_factory=dict)
    synthetic: str | None = None
    ignored: list[str] = field(default_factory=list)


def _code_share(array: pa.ChunkedArray | pa.Array) -> float:
    """Share of the first 500 cells that are CBS area codes (``WijkenEnBuurten`` holds names in cbsodata)."""
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)) or len(array) == 0:
        return 0.0
    head = array.slice(0, 500)
    return float(np.mean(np.asarray(pc.match_substring_regex(head, _CBS_CODE).to_numpy(zero_copy_only=False))))


def _target(name: str) -> str | None:
    key = canonical(name)
    if key in INDICATORS or key in DENOMINATORS or key == SYNTHETIC:
        return key
    return DENOMINATOR_ALIASES.get(key)


def classify(raw: RawTable, mapping: ColumnMapping | None = None) -> Roles:
    """Give every column of ``raw`` its role, or raise :class:`InputFileError` on row 1 naming the column."""
    path, headers = raw.path, list(raw.columns)
    mapped = {h: mapping.target(h) for h in headers} if mapping else {}
    code_cols = [h for h in headers if mapped.get(h) == "code"]
    if not code_cols:
        candidates = [h for h in headers if canonical(h) in CODE_ALIASES and not (mapping and mapping.ignores(h))
                      and mapped.get(h) is None]
        shares = {h: _code_share(raw.columns[h]) for h in candidates}
        code_cols = [max(candidates, key=lambda h: shares[h])] if candidates and max(shares.values()) > 0 else []
        if not code_cols and candidates:
            code_cols = candidates[:1]
    if not code_cols:
        raise InputFileError(path, f"no area code column (one of {', '.join(CODE_ALIASES)}, or map one with "
                                   "\"<column>\" = \"code\" in a mapping file)", row=1)
    period_cols = [h for h in headers if mapped.get(h) == "period"] or [
        h for h in headers if canonical(h) in PERIOD_ALIASES and mapped.get(h) is None
        and not (mapping and mapping.ignores(h))]
    if not period_cols and not (mapping and mapping.period is not None):
        raise InputFileError(path, f"no period column (one of {', '.join(PERIOD_ALIASES)}, or set period = <year> "
                                   "in a mapping file)", row=1)
    roles = Roles(code=code_cols[0], period=period_cols[0] if period_cols else None)
    known = sorted({*INDICATORS, *DENOMINATORS, SYNTHETIC})
    for header in headers:
        if header in (roles.code, roles.period):
            continue
        if mapping and mapping.ignores(header):
            continue
        target = mapped.get(header) or _target(header)
        if target in ("code", "period"):
            raise InputFileError(path, f"a second {target} column", row=1, column=header)
        if target == SYNTHETIC:
            roles.synthetic = header
            continue
        if target is not None:
            if target in roles.values.values():
                raise InputFileError(path, f"column appears twice (as {target!r})", row=1, column=header)
            roles.values[header] = target
            continue
        key = canonical(header)
        if key in DESCRIPTIVE or key in CODE_ALIASES or key in PERIOD_ALIASES or key.startswith("unnamed:"):
            roles.ignored.append(header)
            continue
        hint = difflib.get_close_matches(key, known, n=1)
        suggestion = (f"did you mean {hint[0]!r}?" if hint
                      else f"known columns: {', '.join(known)}; list it under ignore in a mapping file (--mapping)")
        raise InputFileError(path, f"unknown column; {suggestion}", row=1, column=header)
    if not any(target in INDICATORS for target in roles.values.values()):
        raise InputFileError(path, f"no indicator column (one of {', '.join(INDICATORS)})", row=1)
    return roles
