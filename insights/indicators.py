"""The indicators helpende-data knows: what they count and what they are divided by.

Column names are the ones of the indicator CSV (see README, "Indicator files"). Counts are per
area per calendar year. ``denominator`` names another column of the same file.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Indicator", "INDICATORS", "DENOMINATORS", "indicator"]


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str  # Dutch, as shown to users
    denominator: str  # column the count is divided by
    per: str  # Dutch unit of the rate, e.g. "per 1.000 huishoudens"
    scale: int  # rate multiplier: 1000 → per 1,000


DENOMINATORS: dict[str, str] = {
    "huishoudens": "Particuliere huishoudens",
    "inwoners": "Inwoners",
}

INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator("schulden", "Huishoudens met problematische schulden", "huishoudens", "per 1.000 huishoudens", 1000),
        Indicator("echtscheidingen", "Echtscheidingen", "inwoners", "per 1.000 inwoners", 1000),
        Indicator("meldingen", "Meldingen bij Veilig Thuis", "huishoudens", "per 1.000 huishoudens", 1000),
        Indicator(
            "hermeldingen",
            "Hermeldingen bij Veilig Thuis (nieuwe melding na een eerdere)",
            "meldingen",
            "per 100 meldingen",
            100,
        ),
    )
}


def indicator(name: str) -> Indicator:
    try:
        return INDICATORS[name]
    except KeyError:
        raise KeyError(f"unknown indicator {name!r}; known: {', '.join(INDICATORS)}") from None
