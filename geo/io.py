"""Reading boundaries and region tables (the I/O edge of ``geo``).

Every reader returns geometry in EPSG:28992 (RD New), repaired with ``make_valid``; conversion to
EPSG:4326 happens only where data leaves (GeoJSON, maps).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import BoundaryError, InputFileError
from geo.geometry import RD_NEW, repair

__all__ = ["read_boundaries", "read_region_table", "read_table", "sha256_file"]

_READABLE = {".geojson", ".json", ".gpkg", ".shp", ".topojson", ".fgb", ".parquet"}


def read_boundaries(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a boundary file (GeoJSON, GeoPackage, shapefile, TopoJSON, FlatGeobuf or GeoParquet).

    A file without CRS is taken as WGS84 lon/lat (TopoJSON from mapshaper carries none). Invalid
    geometries are repaired; the result is in EPSG:28992.
    """
    path = Path(path)
    if not path.exists():
        raise BoundaryError(f"{path}: boundary file not found")
    if path.suffix.lower() not in _READABLE:
        raise BoundaryError(f"{path.name}: unsupported boundary format {path.suffix!r}; use one of {sorted(_READABLE)}")
    try:
        if path.suffix.lower() == ".parquet":
            frame = gpd.read_parquet(path)
        else:
            frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise BoundaryError(f"{path.name}: cannot read boundaries: {exc}") from None
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    return repair(frame).to_crs(RD_NEW)


def read_table(path: Path) -> pd.DataFrame:
    """Read a small CSV table with every column as text (codes stay strings)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(path, "file not found")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def read_region_table(path: Path) -> pd.DataFrame:
    """Gemeente → veiligheidsregio table: ``gemeentecode``, ``veiligheidsregiocode``, ``veiligheidsregionaam``."""
    table = read_table(path)
    needed = ["gemeentecode", "gemeentenaam", "veiligheidsregiocode", "veiligheidsregionaam"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise InputFileError(path, f"missing column(s) {missing}", row=1)
    return table[needed].apply(lambda s: s.str.strip())


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes as 64 lower-case hex digits, read in 1 MiB blocks (the one file hash of
    the project: input hashes in manifests, output hashes of releases and their verification)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()
