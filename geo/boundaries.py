"""Wijk boundaries in one shape, whatever the source spelled its columns.

Output columns: ``code``, ``naam``, ``gemeentecode``, ``gemeentenaam``, ``inwoners``,
``huishoudens`` (Int64 counts, CBS-rounded to 5 at wijk level; NA where CBS keeps them secret),
``geometry`` (EPSG:28992). "Groot water" wijken and Buitenland are dropped.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.codes import is_water_or_abroad, level_of, normalise_code
from geo.errors import BoundaryError

__all__ = ["normalise_wijken", "SECRET_SENTINEL"]

# PDOK wijk- en buurtkaart codes secret / not applicable values as large negatives (−99999999, −99997).
SECRET_SENTINEL = -99990

_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("wijkcode", "statcode", "code"),
    "naam": ("wijknaam", "statnaam", "naam"),
    "gemeentecode": ("gemeentecode", "gm_code"),
    "gemeentenaam": ("gemeentenaam", "gm_naam"),
    "inwoners": ("aantal_inwoners", "aantalInwoners", "aant_inw", "aantal_inw", "inwoners"),
    "huishoudens": ("huishoudens", "aantalHuishoudens", "aantal_huishoudens", "aant_hh", "huishouden"),
}


def normalise_wijken(frame: gpd.GeoDataFrame, source: str = "boundaries") -> gpd.GeoDataFrame:
    """Rename a wijk boundary frame to the canonical columns and drop water/Buitenland rows."""
    columns = {}
    for target, aliases in _ALIASES.items():
        found = next((a for a in aliases if a in frame.columns), None)
        if found is None:
            raise BoundaryError(f"{source}: no column for {target!r} (looked for {', '.join(aliases)})")
        columns[found] = target
    out = frame.rename(columns=columns)[[*columns.values(), frame.geometry.name]]
    out = out.rename_geometry("geometry") if frame.geometry.name != "geometry" else out
    for col in ("code", "gemeentecode"):
        out[col] = out[col].map(normalise_code)
    if "water" in frame.columns:
        out = out[~frame["water"].astype(str).str.upper().eq("JA")]
    out = out[~is_water_or_abroad(out["code"], out["naam"])]
    wrong = out[out["code"].map(level_of).astype(str) != "wijk"]
    if not wrong.empty:
        raise BoundaryError(f"{source}: not a wijk code: {wrong['code'].iloc[0]!r}")
    for col in ("inwoners", "huishoudens"):
        values = pd.to_numeric(out[col], errors="coerce")
        out[col] = values.where(values > SECRET_SENTINEL).round().astype("Int64")
    if out["code"].duplicated().any():
        raise BoundaryError(f"{source}: duplicate wijk code {out['code'][out['code'].duplicated()].iloc[0]!r}")
    return out.sort_values("code").reset_index(drop=True)
