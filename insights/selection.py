"""Which areas a build publishes: a veiligheidsregio by name or code, Nederland, or gemeenten."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from insights.errors import HelpendeDataError, UnknownGemeente

__all__ = ["Selection", "resolve_gemeente", "resolve_selection"]


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


_GM_CODE = re.compile(r"(?:GM)?(\d{1,4})", re.IGNORECASE)


def _example(gm: pd.DataFrame) -> str:
    """'GM0193 (Zwolle)' (the first gemeente of ``gm`` by name), for hints."""
    if gm.empty:
        return "GM0193 (Zwolle)"
    row = gm.sort_values("naam").iloc[0] if "GM0193" not in set(gm["code"]) else gm[gm["code"].eq("GM0193")].iloc[0]
    return f"{row['code']} ({row['naam']})"


def resolve_gemeente(hierarchy: pd.DataFrame, text: str, *, where: str = "the boundaries") -> str:
    """The CBS code of the gemeente ``text`` names: a code (``GM0193``, ``gm0193``, ``0193``) or a
    name (``Zwolle``, ``zwolle``; accents, case and spaces ignored) that names exactly one gemeente.

    Parameters
    ----------
    hierarchy : areas with ``level``, ``code`` and ``naam`` (only rows with level ``gemeente`` count).
    text : what the user typed.
    where : how the error message names ``hierarchy`` ("the boundaries", "release X (IJsselland)").

    Raises
    ------
    UnknownGemeente
        With a one-line hint: the code to use for a name that matches none, several (ambiguous) or a
        code that ``hierarchy`` does not hold.
    """
    gm = hierarchy[hierarchy["level"].eq("gemeente")][["code", "naam"]].drop_duplicates("code")
    codes = set(gm["code"])
    wanted = text.strip()
    number = _GM_CODE.fullmatch(wanted)
    if number:
        code = f"GM{int(number.group(1)):04d}"
        if code in codes:
            return code
        raise UnknownGemeente(code, f"not a gemeente in {where}; use the CBS code of one of its "
                                    f"{len(codes)} gemeenten, e.g. {_example(gm)}")
    folded = gm["naam"].map(_fold)
    match = gm[folded.eq(_fold(wanted))]
    if len(match) == 1:
        return str(match["code"].iloc[0])
    if len(match) > 1:
        options = ", ".join(f"{c} ({n})" for c, n in zip(match["code"], match["naam"]))
        raise UnknownGemeente(wanted, f"several gemeenten have this name; use the CBS code: {options}")
    close = difflib.get_close_matches(_fold(wanted), folded.tolist(), n=1, cutoff=0.75)
    if close:
        row = gm[folded.eq(close[0])].iloc[0]
        hint = f"did you mean {row['naam']}? Use its name or the CBS code, e.g. {row['code']} ({row['naam']})"
    else:
        hint = f"no such gemeente in {where}; use the CBS code, e.g. {_example(gm)}"
    raise UnknownGemeente(wanted, hint)


def resolve_selection(
    hierarchy: pd.DataFrame, *, region: str | None = None, gemeenten: list[str] | None = None
) -> Selection:
    """Resolve ``--region`` (name such as "Fryslân"/"Fryslan", code ``VR04``, or "Nederland") or
    ``--gemeente`` codes or unambiguous names (see :func:`resolve_gemeente`) against the hierarchy."""
    gm = hierarchy[hierarchy["level"].eq("gemeente")]
    vr = hierarchy[hierarchy["level"].eq("regio")]
    if gemeenten:
        codes = list(dict.fromkeys(resolve_gemeente(hierarchy, c) for c in gemeenten))
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
