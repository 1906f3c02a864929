"""Where an area's name goes on a map, and which name: shared by the HTML map and the print PNG."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import shapely

__all__ = ["label_points", "short_name"]

_WIJK_NUMBER = re.compile(r"^Wijk\s+\d+\s+")


def short_name(name: str) -> str:
    """A wijk's name as a label: CBS's numbering prefix dropped ("Wijk 01 Binnenstad" → "Binnenstad")."""
    return _WIJK_NUMBER.sub("", str(name)) or str(name)


def label_points(
    geometries: np.ndarray | Sequence[shapely.Geometry], *, tolerance: float = 0.0003
) -> list[list[float]]:
    """Per geometry (EPSG:4326) the centre of its largest inscribed circle, as [lon, lat] rounded to
    4 decimals (~10 m): the point of an area farthest from its border, where a name fits best. Unlike
    the centroid it always lies inside, also for a crescent or an area with islands.

    ``tolerance`` is in degrees (0.0003 ≈ 30 m).
    """
    centres = shapely.get_point(shapely.maximum_inscribed_circle(geometries, tolerance), 0)
    return [[round(x, 4), round(y, 4)] for x, y in shapely.get_coordinates(centres).tolist()]
