"""Read the interventions file a policy officer writes (TOML) into :class:`insights.risk.did.Intervention`.

Shape (see ``data/voorbeeld/interventies.toml``)::

    [[interventie]]
    naam = "Veiligheidsteam Holtenbroek"
    wijken = ["WK019301"]
    start = 2022
    vergelijking = ["WK019302"]          # optional; default: the other wijken of the same regio
    indicatoren = ["meldingen"]          # optional; default: all
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from insights.errors import InputFileError
from insights.indicators import INDICATORS
from insights.risk.did import Intervention

__all__ = ["read_interventions"]

_FIELDS = {"naam", "wijken", "start", "vergelijking", "indicatoren", "omschrijving"}


def _codes(path: Path, value: object, where: str, column: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputFileError(path, column=column, problem=f"{where}: expected a list of wijk codes like [\"WK019301\"]")
    bad = [v for v in value if not (len(v) == 8 and v.startswith("WK") and v[2:].isdigit())]
    if bad:
        raise InputFileError(path, column=column, problem=f"{where}: {bad[0]!r} is not a wijk code (WK + 6 digits)")
    return tuple(value)


def read_interventions(path: Path, *, wijken: set[str] | None = None,
                       periods: list[int] | None = None) -> list[Intervention]:
    """Parse and validate an interventions file.

    Parameters
    ----------
    path : TOML file with one ``[[interventie]]`` table per intervention.
    wijken : wijk codes of the release; an unknown code is an error.
    periods : years of the release; a start outside them is an error.

    Raises
    ------
    insights.errors.InputFileError
        One line naming the file, the field (as ``column``) and the intervention (number and name).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(path, "interventions file not found") from None
    except tomllib.TOMLDecodeError as err:
        raise InputFileError(path, f"not valid TOML: {err}") from None
    items = data.get("interventie")
    if not isinstance(items, list) or not items:
        raise InputFileError(path, "no [[interventie]] tables")
    out = []
    for number, item in enumerate(items, start=1):
        where = f"interventie {number}"
        unknown = sorted(set(item) - _FIELDS)
        if unknown:
            raise InputFileError(
                path, column=unknown[0], problem=f"{where}: unknown field; known: {', '.join(sorted(_FIELDS))}"
            )
        name = item.get("naam")
        if not isinstance(name, str) or not name.strip():
            raise InputFileError(path, column="naam", problem=f"{where}: a non-empty name is required")
        where = f"{where} ({name})"
        start = item.get("start")
        if not isinstance(start, int) or isinstance(start, bool):
            raise InputFileError(path, column="start", problem=f"{where}: expected a year like 2022")
        if periods and not (min(periods) < start <= max(periods)):
            raise InputFileError(path, column="start", problem=f"{where}: {start} must lie after {min(periods)} "
                                 f"and at most {max(periods)} (periods of the release)")
        treated = _codes(path, item.get("wijken"), where, "wijken")
        if not treated:
            raise InputFileError(path, column="wijken", problem=f"{where}: at least one wijk is required")
        comparison = _codes(path, item.get("vergelijking", []), where, "vergelijking")
        if wijken is not None:
            for column, codes in (("wijken", treated), ("vergelijking", comparison)):
                missing = [c for c in codes if c not in wijken]
                if missing:
                    raise InputFileError(
                        path, column=column, problem=f"{where}: {missing[0]} is not a wijk of this release"
                    )
        overlap = sorted(set(treated) & set(comparison))
        if overlap:
            raise InputFileError(path, column="vergelijking",
                                 problem=f"{where}: {overlap[0]} is also an intervention wijk")
        indicators = item.get("indicatoren", [])
        if not isinstance(indicators, list) or any(i not in INDICATORS for i in indicators):
            raise InputFileError(path, column="indicatoren",
                                 problem=f"{where}: expected names from {', '.join(INDICATORS)}")
        out.append(Intervention(name=name.strip(), wijken=treated, start=start, comparison=comparison,
                                indicators=tuple(indicators), description=str(item.get("omschrijving", ""))))
    return out
