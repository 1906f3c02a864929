"""Which areas a build publishes: a veiligheidsregio by name or code, Nederland, or gemeenten."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import pandas as pd

from geo.errors import UnknownAreaCode
from insights.errors import HelpendeDataError

__all__ = ["Selection", "resolve_selection"]


@dataclass(frozen=True)
class Selection:
    """``gemeenten`` are published; protection and references run over the complete ``regios``.

    ``whole_country`` adds the Nederland total.
    """

    label: str
    gemeenten: frozenset[str]
    regios: frozenset[str]
    whole_country: bool


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold().replace(" ", "")


def resolve_selection(hierarchy: pd.DataFrame, *, region: str | None = None, gemeenten: list[str] | None = None) -> Selection:
    """Resolve ``--region`` (name such as "Fryslân"/"Fryslan", code ``VR04``, or "Nederland") or
    ``--gemeente`` codes against the hierarchy."""
    gm = hierarchy[hierarchy["level"].eq("gemeente")]
    vr = hierarchy[hierarchy["level"].eq("regio")]
    if gemeenten:
        codes = [c.strip().upper() for c in gemeenten]
        unknown = [c for c in codes if c not in set(gm["code"])]
        if unknown:
            raise UnknownAreaCode(unknown[0], "not a gemeente in the boundaries")
        regios = frozenset(gm.set_index("code").loc[codes, "regio"])
        names = gm.set_index("code").loc[codes, "naam"]
        return Selection(", ".join(names), frozenset(codes), regios, whole_country=False)
    wanted = _fold(region or "IJsselland")
    if wanted in ("nederland", "nl", "nl01"):
        return Selection("Nederland", frozenset(gm["code"]), frozenset(vr["code"]), whole_country=True)
    match = vr[vr["naam"].map(_fold).eq(wanted) | vr["code"].str.casefold().eq(wanted)]
    if match.empty:
        raise HelpendeDataError(
            f"unknown region {region!r}; choose Nederland or one of: {', '.join(sorted(vr['naam']))}"
        )
    code = match["code"].iloc[0]
    return Selection(match["naam"].iloc[0], frozenset(gm.loc[gm["regio"].eq(code), "code"]), frozenset([code]), False)
