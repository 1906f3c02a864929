"""Points → wijk: exact point-in-polygon with a grid that settles most points without a polygon test.

Rule: a point belongs to the wijk whose *closed* polygon contains it; a point on the shared edge of
several wijken goes to the lowest CBS code. A point in no wijk is ``water`` when a "Groot water"
polygon of the boundaries contains it and ``outside`` otherwise (outside the country, or in a gap
of simplified boundaries).

Method: the boundaries' extent is cut into square cells (``cell`` metres, RD New). A cell that no
polygon edge touches lies wholly inside one polygon or wholly outside all of them, so every point in
it gets the label of the cell's centre; only points in cells an edge touches are tested against the
polygons (shapely ``STRtree``, ``intersects``). Edge cells are found conservatively: every edge is
split into pieces no longer than half a cell, and the cells holding a piece's end point and their
eight neighbours are marked (a piece that touches a cell has an end point within half a cell of it).
Cell labels are computed once, when the first point lands in the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["OUTSIDE", "WATER", "PointLocator"]

OUTSIDE = -1  # in no wijk and no water polygon
WATER = -2  # in a "Groot water" polygon
_UNKNOWN = -3  # cell label not computed yet
_EDGE = -4  # cell touched by an edge: test the points exactly


@dataclass
class PointLocator:
    """Assign RD New points (metres) to wijken.

    Parameters
    ----------
    codes : wijk codes, sorted; the index into this array is what :meth:`locate` returns.
    polygons : wijk polygons in EPSG:28992, aligned with ``codes``.
    water : "Groot water" polygons in EPSG:28992 (may be empty).
    cell : grid cell size in metres; smaller cells send fewer points to the exact test but take
        more memory (2 bytes per cell over the boundaries' extent).
    """

    codes: np.ndarray
    polygons: np.ndarray
    water: np.ndarray
    cell: float = 50.0
    _tree: shapely.STRtree = field(init=False, repr=False)
    _water_tree: shapely.STRtree = field(init=False, repr=False)
    _labels: np.ndarray = field(init=False, repr=False)

    @classmethod
    def from_frames(cls, wijken: gpd.GeoDataFrame, water: gpd.GeoDataFrame | None = None,
                    *, cell: float = 50.0) -> PointLocator:
        """Build from ``wijken`` (``code``, geometry; EPSG:28992) and optional water polygons."""
        ordered = wijken.sort_values("code")
        water_geoms = np.asarray(water.geometry.values) if water is not None else np.array([], dtype=object)
        return cls(ordered["code"].to_numpy(dtype=str), np.asarray(ordered.geometry.values), water_geoms, cell=cell)

    def __post_init__(self) -> None:
        self._tree = shapely.STRtree(self.polygons)
        self._water_tree = shapely.STRtree(self.water)
        everything = np.concatenate([self.polygons, self.water])
        xmin, ymin, xmax, ymax = shapely.total_bounds(everything)
        self._x0, self._y0 = xmin - self.cell, ymin - self.cell
        self._nx = int(np.ceil((xmax - self._x0) / self.cell)) + 2
        self._ny = int(np.ceil((ymax - self._y0) / self.cell)) + 2
        labels = np.full((self._ny, self._nx), _UNKNOWN, dtype=np.int16)
        pieces = shapely.segmentize(shapely.boundary(everything), self.cell / 2)
        xy = shapely.get_coordinates(pieces)
        ix, iy = self._cell_of(xy[:, 0], xy[:, 1])
        edge = np.zeros_like(labels, dtype=bool)
        edge[iy, ix] = True
        grown = edge.copy()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                grown[1:-1, 1:-1] |= edge[1 + dy:self._ny - 1 + dy, 1 + dx:self._nx - 1 + dx]
        labels[grown] = _EDGE
        self._labels = labels

    def _cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ix = np.floor((x - self._x0) / self.cell).astype(np.int64)
        iy = np.floor((y - self._y0) / self.cell).astype(np.int64)
        return ix, iy

    @staticmethod
    def _hits(tree: shapely.STRtree, x: np.ndarray,
              y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, polygon) index pairs where the closed polygon holds the point."""
        hit_point, hit_poly = tree.query(shapely.points(x, y), predicate="intersects")
        return hit_point, hit_poly

    def _exact(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Lowest-code wijk whose closed polygon holds each point; else WATER or OUTSIDE."""
        out = np.full(len(x), OUTSIDE, dtype=np.int32)
        if not len(x):
            return out
        hit_point, hit_poly = self._hits(self._tree, x, y)
        if len(hit_point):
            best = np.full(len(x), np.iinfo(np.int32).max, dtype=np.int64)
            np.minimum.at(best, hit_point, hit_poly)
            found = best < np.iinfo(np.int32).max
            out[found] = best[found]
        rest = np.flatnonzero(out == OUTSIDE)
        if len(rest) and len(self.water):
            on_water = np.unique(self._hits(self._water_tree, x[rest], y[rest])[0])
            out[rest[on_water]] = WATER
        return out

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index into ``codes`` per point, or :data:`WATER` / :data:`OUTSIDE` (int32 array).

        ``x``, ``y`` : RD New coordinates in metres (float arrays of equal length); NaN is not
        accepted here (the caller reports missing locations itself).
        """
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        out = np.full(len(x), OUTSIDE, dtype=np.int32)
        ix, iy = self._cell_of(x, y)
        inside = (ix >= 0) & (ix < self._nx) & (iy >= 0) & (iy < self._ny)
        idx = np.flatnonzero(inside)
        flat = iy[idx] * self._nx + ix[idx]
        labels = self._labels.reshape(-1)
        label = labels[flat]
        unknown = label == _UNKNOWN
        if unknown.any():
            cells = np.unique(flat[unknown])
            cy, cx = np.divmod(cells, self._nx)
            labels[cells] = self._exact(  # int16: fewer than 32,767 wijken
                self._x0 + (cx + 0.5) * self.cell, self._y0 + (cy + 0.5) * self.cell)
            label = labels[flat]
        edge = label == _EDGE
        out[idx[~edge]] = label[~edge]
        exact = idx[edge]
        out[exact] = self._exact(x[exact], y[exact])
        return out
