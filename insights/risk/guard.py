"""Refuse origin, ethnicity and nationality variables as model inputs, whatever they are called."""

from __future__ import annotations

import re
from collections.abc import Iterable

from insights.errors import ForbiddenModelInput

__all__ = ["FORBIDDEN_TERMS", "check_model_inputs"]

#: Fragments that mark a variable about origin, ethnicity, nationality or migration, matched
#: case-insensitively on the name with spaces, underscores, hyphens and digits removed. Deliberately
#: broad: CBS kerncijfers have used "WestersTotaal", "NietWestersTotaal", "Marokko", "Turkije",
#: "Suriname", "NederlandseAntillenEnAruba", "GeborenInNederland…", "EuropaExclusiefNederland",
#: "BuitenEuropa" over the years. Refusing a harmless name by mistake costs a rename; letting a proxy
#: for ethnicity into a risk model is what the SyRI ruling (2020) was about.
FORBIDDEN_TERMS = (
    "herkomst", "afkomst", "migratie", "migrant", "immigr", "emigr", "allochto", "autochto",
    "etnic", "etnisch", "ethnic", "ras", "nationaliteit", "nationality", "staatsburger", "citizenship",
    "geboorteland", "countryofbirth", "geboreninnederland", "geborenbuitennederland", "geborenin",
    "geborenbuiten", "origin", "westers", "western", "marokk", "morocc", "turkije", "turks", "turkish",
    "surinam", "antill", "aruba", "curacao", "curaçao", "indonesi", "europaexclusief", "buiteneuropa",
    "nieteuropa", "buitenland", "vluchteling", "refugee", "asiel", "statushouder", "inburger", "taal",
    "religie", "religion", "moslim", "islam",
)
_WHOLE_WORD_ONLY = {"ras", "taal", "turks", "origin"}  # too short or too common to match inside words


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-\d.]+", "", str(name)).casefold()


def _hits(name: str) -> list[str]:
    flat = _normalise(name)
    words = {w.casefold() for w in re.split(r"[^0-9A-Za-zÀ-ÿ]+|(?<=[a-z])(?=[A-Z])", str(name)) if w}
    found = []
    for term in FORBIDDEN_TERMS:
        if term in _WHOLE_WORD_ONLY:
            if term in words:
                found.append(term)
        elif term in flat:
            found.append(term)
    return found


def check_model_inputs(names: Iterable[str]) -> list[str]:
    """Check the names of the variables offered to a model; raise if any is about origin.

    Parameters
    ----------
    names : variable (column) names offered as model inputs.

    Returns
    -------
    The names as a list, unchanged, when none is forbidden.

    Raises
    ------
    insights.errors.ForbiddenModelInput
        Naming every refused variable and the term that matched, with the reason.

    Notes
    -----
    Matching is on the name, so a renamed column is refused only when its new name still carries
    one of :data:`FORBIDDEN_TERMS`. The models in :mod:`insights.risk` take a fixed list of
    indicators (debt, divorce, reports); this guard is the second line, for any variable a user
    adds.

    Examples
    --------
    >>> check_model_inputs(["schulden_rate", "echtscheidingen_rate"])
    ['schulden_rate', 'echtscheidingen_rate']
    """
    names = list(names)
    refused = {name: _hits(name) for name in names}
    refused = {name: terms for name, terms in refused.items() if terms}
    if refused:
        listed = "; ".join(f"{name!r} (matches {', '.join(repr(t) for t in terms)})" for name, terms in refused.items())
        raise ForbiddenModelInput(
            f"refused as model input: {listed}. Variables about origin, ethnicity, nationality or "
            "migration (or proxies for them) may not enter a risk model: area-level signals must not "
            "single out groups by descent (SyRI ruling, Rechtbank Den Haag 2020; EU AI Act)."
        )
    return names
