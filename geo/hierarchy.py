"""The area hierarchy: wijk ⊂ gemeente ⊂ veiligheidsregio ⊂ Nederland.

Veiligheidsregio's stand in for the Veilig Thuis regions (no official VT region table is public;
the 25 VT organisations largely follow the veiligheidsregio's).
"""

from __future__ import annotations

import pandas as pd

from geo.codes import Level

__all__ = ["NEDERLAND", "build_hierarchy", "parent_of"]

NEDERLAND = "NL01"


def build_hierarchy(wijken: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """One row per area at every level.

    Parameters
    ----------
    wijken : ``code``, ``naam``, ``gemeentecode``, ``gemeentenaam`` per wijk.
    regions : ``gemeentecode``, ``veiligheidsregiocode``, ``veiligheidsregionaam`` per gemeente.

    Returns
    -------
    DataFrame with ``code``, ``naam``, ``level``, ``parent``, ``gemeente`` (NA above gemeente),
    ``regio`` (NA for Nederland). Wijken whose gemeente has no regio raise ``KeyError``.
    """
    regio_of = regions.set_index("gemeentecode")["veiligheidsregiocode"]
    missing = sorted(set(wijken["gemeentecode"]) - set(regio_of.index))
    if missing:
        raise KeyError(f"gemeenten without veiligheidsregio: {missing}")
    wijk_rows = pd.DataFrame(
        {
            "code": wijken["code"],
            "naam": wijken["naam"],
            "level": Level.wijk.value,
            "parent": wijken["gemeentecode"],
            "gemeente": wijken["gemeentecode"],
            "regio": wijken["gemeentecode"].map(regio_of),
        }
    )
    gemeenten = wijken[["gemeentecode", "gemeentenaam"]].drop_duplicates("gemeentecode")
    gemeente_rows = pd.DataFrame(
        {
            "code": gemeenten["gemeentecode"],
            "naam": gemeenten["gemeentenaam"],
            "level": Level.gemeente.value,
            "parent": gemeenten["gemeentecode"].map(regio_of),
            "gemeente": gemeenten["gemeentecode"],
            "regio": gemeenten["gemeentecode"].map(regio_of),
        }
    )
    regio_table = regions.drop_duplicates("veiligheidsregiocode")
    regio_table = regio_table[regio_table["veiligheidsregiocode"].isin(gemeente_rows["regio"])]
    regio_rows = pd.DataFrame(
        {
            "code": regio_table["veiligheidsregiocode"],
            "naam": regio_table["veiligheidsregionaam"],
            "level": Level.regio.value,
            "parent": NEDERLAND,
            "gemeente": pd.NA,
            "regio": regio_table["veiligheidsregiocode"],
        }
    )
    nl_row = pd.DataFrame(
        {"code": [NEDERLAND], "naam": ["Nederland"], "level": [Level.nederland.value],
         "parent": [pd.NA], "gemeente": [pd.NA], "regio": [pd.NA]}
    )
    table = pd.concat([wijk_rows, gemeente_rows, regio_rows, nl_row], ignore_index=True)
    return table.sort_values(["level", "code"], key=_level_order, kind="stable").reset_index(drop=True)


def _level_order(column: pd.Series) -> pd.Series:
    if column.name == "level":
        order = {level.value: i for i, level in enumerate(Level)}
        return column.map(order)
    return column


def parent_of(hierarchy: pd.DataFrame) -> pd.Series:
    """Area code → parent code (NA at the top)."""
    return hierarchy.set_index("code")["parent"]
