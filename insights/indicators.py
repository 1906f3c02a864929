"""The indicator registry: every fact a consumer needs about an indicator, defined once.

Column names are the ones of the indicator CSV (see README, "Indicator files"). Counts are per
area per calendar year. ``denominator`` names another column of the same file (a denominator or,
for a part of another indicator, that indicator). Adding an indicator means adding one entry here;
``tests/test_indicator_registry.py`` checks that every consumer (ingest, rules, synthetic data,
simulation, views, maps) covers every entry.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DENOMINATORS", "HEADLINE", "INDICATORS", "Indicator", "indicator"]


@dataclass(frozen=True)
class Indicator:
    """One indicator.

    Attributes
    ----------
    name : column name in indicator files and key in every table (``meldingen``).
    label : full Dutch title, as shown to users.
    short_title : short Dutch title for map layers and legends.
    denominator : column the count is divided by (``huishoudens``, ``inwoners`` or another indicator).
    per : Dutch unit of the rate, e.g. "per 1.000 huishoudens".
    scale : rate multiplier: 1000 → per 1,000.
    typical_rate : rough national order of magnitude of count / denominator (a fraction, not scaled);
        used by simulations and plausibility checks, never by a published figure.
    part_of : name of the indicator this count is a part of (so count ≤ that count), or ``None``.
    """

    name: str
    label: str
    short_title: str
    denominator: str
    per: str
    scale: int
    typical_rate: float
    part_of: str | None = None


DENOMINATORS: dict[str, str] = {
    "huishoudens": "Particuliere huishoudens",
    "inwoners": "Inwoners",
}

INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator("schulden", "Huishoudens met problematische schulden", "Problematische schulden",
                  "huishoudens", "per 1.000 huishoudens", 1000, typical_rate=0.05),
        Indicator("echtscheidingen", "Echtscheidingen", "Echtscheidingen",
                  "inwoners", "per 1.000 inwoners", 1000, typical_rate=0.002),
        Indicator("meldingen", "Meldingen bij Veilig Thuis", "Meldingen Veilig Thuis",
                  "huishoudens", "per 1.000 huishoudens", 1000, typical_rate=0.016),
        Indicator("hermeldingen", "Hermeldingen bij Veilig Thuis (nieuwe melding na een eerdere)",
                  "Hermeldingen Veilig Thuis", "meldingen", "per 100 meldingen", 100, typical_rate=0.38,
                  part_of="meldingen"),
    )
}

#: The indicator whose risk signal is the first layer of every map.
HEADLINE = "meldingen"


def indicator(name: str) -> Indicator:
    """The registry entry of ``name``; ``KeyError`` naming the known indicators otherwise."""
    try:
        return INDICATORS[name]
    except KeyError:
        raise KeyError(f"unknown indicator {name!r}; known: {', '.join(INDICATORS)}") from None
