"""The registrations mapping file: event kind → indicator, how each indicator counts, the re-report window."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from insights.errors import RulesError
from insights.indicators import INDICATORS
from insights.settings import REPO_ROOT

__all__ = ["DEFAULT_MAPPING", "RegistrationMapping", "read_mapping"]

DEFAULT_MAPPING = REPO_ROOT / "rules" / "registraties.toml"
REPORTS = "meldingen"  # the indicator whose households' re-reports give "hermeldingen"
RE_REPORTS = "hermeldingen"


@dataclass(frozen=True)
class RegistrationMapping:
    """What a mapping file says.

    ``kinds`` : event kind (lower case) → indicator name. ``unit`` : indicator → ``"huishoudens"``
    (a household once per wijk and year) or ``"registraties"`` (every deduplicated record).
    ``window_months`` : a report is a re-report when the same household had a report on or after
    the date ``window_months`` calendar months earlier (month ends clamp: 29 Feb − 12 months = 28 Feb).
    """

    version: str
    kinds: dict[str, str]
    unit: dict[str, Literal["huishoudens", "registraties"]]
    window_months: int


def read_mapping(path: Path = DEFAULT_MAPPING) -> RegistrationMapping:
    """Read and check a mapping file (TOML); problems raise :class:`RulesError` naming file and key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RulesError(f"{path}: mapping file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path.name}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"version", "hermelding_venster_maanden", "soorten", "tellen"})
    if unknown:
        raise RulesError(f"{path.name}: unknown key(s) {unknown}")
    window = data.get("hermelding_venster_maanden", 12)
    if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 120:
        raise RulesError(f"{path.name}: hermelding_venster_maanden must be a whole number of months, 1–120")
    kinds = {str(k).strip().lower(): v for k, v in dict(data.get("soorten", {})).items()}
    counted = set(INDICATORS) - {RE_REPORTS}
    for kind, name in kinds.items():
        if name not in counted:
            raise RulesError(f"{path.name}: soorten.{kind}: unknown indicator {name!r}; known: {sorted(counted)}")
    if not kinds:
        raise RulesError(f"{path.name}: [soorten] maps no event kind to an indicator")
    unit = dict(data.get("tellen", {}))
    for name in set(kinds.values()):
        unit.setdefault(name, "huishoudens")
    for name, how in unit.items():
        if name not in counted or how not in ("huishoudens", "registraties"):
            raise RulesError(f"{path.name}: tellen.{name}: expected \"huishoudens\" or \"registraties\"")
    if unit.get(REPORTS, "huishoudens") != "huishoudens":
        raise RulesError(f"{path.name}: tellen.{REPORTS} must be \"huishoudens\" (hermeldingen are households)")
    return RegistrationMapping(str(data.get("version", "")), kinds, unit, window)
