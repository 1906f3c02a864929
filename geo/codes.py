"""CBS area codes as strings: ``GM0193`` (gemeente), ``WK019301`` (wijk), ``BU01930101`` (buurt).

Codes are never cast to integers: Amsterdam wijk and buurt codes contain letters from 2023 on.
StatLine pads codes with spaces (``"WK019301  "``); :func:`normalise_code` strips that.
"""

from __future__ import annotations

import re
from enum import StrEnum

import pandas as pd

__all__ = [
    "AREA_LEVELS",
    "Level",
    "gemeente_of",
    "is_water_or_abroad",
    "level_of",
    "levels_of",
    "normalise_code",
]


class Level(StrEnum):
    """Geographic levels, from small to large."""

    buurt = "buurt"
    wijk = "wijk"
    gemeente = "gemeente"
    regio = "regio"
    nederland = "nederland"


#: The levels a release publishes as areas with their own cells (the API's collections), small to large.
AREA_LEVELS: tuple[Level, ...] = (Level.wijk, Level.gemeente, Level.regio)


_PATTERNS: dict[Level, re.Pattern[str]] = {
    Level.gemeente: re.compile(r"GM\d{4}"),
    Level.wijk: re.compile(r"WK\d{4}[0-9A-Z]{2}"),
    Level.buurt: re.compile(r"BU\d{4}[0-9A-Z]{4}"),
    Level.regio: re.compile(r"VR\d{2}"),
    Level.nederland: re.compile(r"NL01"),
}


def normalise_code(code: object) -> str:
    """Strip StatLine padding and upper-case; ``GM193`` is not repaired (it is not a CBS code)."""
    return str(code).strip().upper()


def level_of(code: str) -> Level | None:
    """The level a (normalised) code belongs to, or ``None`` when it is not a CBS code."""
    for level, pattern in _PATTERNS.items():
        if pattern.fullmatch(code):
            return level
    return None


def levels_of(codes: pd.Series) -> pd.Series:
    """:func:`level_of` for a whole column of normalised codes (vectorised); ``<NA>`` = not a CBS code."""
    text = codes.astype("string[pyarrow]")
    levels = pd.Series(pd.NA, index=codes.index, dtype="string[pyarrow]")
    for level in sorted(_PATTERNS, key=lambda lv: lv != Level.wijk):  # most rows are wijken: test them first
        rest = levels.isna()
        if not rest.any():
            break
        hit = text[rest].str.fullmatch(_PATTERNS[level].pattern).fillna(False).astype(bool)
        levels[hit[hit].index] = level.value
    return levels


def gemeente_of(code: str) -> str:
    """``WK019301`` → ``GM0193``; ``BU01930101`` → ``GM0193``; a gemeente code maps to itself."""
    level = level_of(code)
    if level in (Level.wijk, Level.buurt, Level.gemeente):
        return "GM" + code[2:6]
    raise ValueError(f"{code!r} has no gemeente")


def is_water_or_abroad(codes: pd.Series, names: pd.Series | None = None) -> pd.Series:
    """True for CBS "Groot water" wijken and everything of ``GM0998`` Buitenland.

    A ``WKxxxx99`` code alone does not make a wijk water: ``WK010699`` Buitengebied has residents.
    "Groot water" is recognised by its CBS name; pass ``names`` for that.
    """
    codes = codes.astype(str)
    water = codes.str.slice(2, 6).eq("0998")
    if names is not None:
        water |= names.astype(str).str.strip().str.casefold().eq("groot water")
    return water
