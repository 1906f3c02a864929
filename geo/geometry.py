"""Geometry helpers: repair, reprojection at the edges, dissolving, coverage simplification."""

from __future__ import annotations

import geopandas as gpd
import shapely

__all__ = ["RD_NEW", "WGS84", "repair", "to_wgs84", "dissolve_by", "simplify_coverage"]

RD_NEW = "EPSG:28992"
WGS84 = "EPSG:4326"


def repair(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Make every geometry valid (``make_valid``), keeping only its polygonal parts."""
    geometry = shapely.make_valid(frame.geometry.values)
    polygonal = [
        g if g.geom_type in ("Polygon", "MultiPolygon") else _polygonal_part(g) for g in geometry
    ]
    return frame.set_geometry(gpd.GeoSeries(polygonal, index=frame.index, crs=frame.crs))


def _polygonal_part(geometry: shapely.Geometry) -> shapely.Geometry:
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def to_wgs84(frame: gpd.GeoDataFrame, *, decimals: int = 6) -> gpd.GeoDataFrame:
    """EPSG:4326 copy with coordinates rounded to ``decimals`` (6 ≈ 0.1 m), for GeoJSON and maps."""
    out = frame.to_crs(WGS84)
    return out.set_geometry(shapely.set_precision(out.geometry.values, 10.0**-decimals))


def dissolve_by(frame: gpd.GeoDataFrame, key: str) -> gpd.GeoSeries:
    """Union of the geometries per value of ``key`` (e.g. wijken → gemeente), indexed by that value."""
    return frame.dissolve(by=key).geometry


def simplify_coverage(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify a polygon coverage so shared borders stay shared (shapely ``coverage_simplify``).

    ``tolerance`` is in the frame's CRS units (metres in RD New).
    """
    simplified = shapely.coverage_simplify(frame.geometry.values, tolerance)
    return frame.set_geometry(gpd.GeoSeries(simplified, index=frame.index, crs=frame.crs))
