"""Points → wijk: exact point-in-polygon with a grid that settles most points without a polygon test.

Rule: a point belongs to the wijk whose *closed* polygon contains it; a point on the shared edge of
several wijken goes to the lowest CBS code. A point in no wijk is ``water`` when a "Groot water"
polygon of the boundaries contains it and ``outside`` otherwise (outside the country, or in a gap
of simplified boundaries).

Method: the boundaries' extent is cut into square cells (``cell`` metres, RD New). A cell that no
polygon edge touches lies wholly inside one polygon or wholly outside all of them, so every point in
it gets the label of the cell's centre; only points in cells an edge touches are tested against the
polygons (shapely ``STRtree``, ``intersects``). Edge cells are found conservatively: every edge is
split into pieces no longer than a cell; a piece lies in the box of its end points, so the cells it
touches are among the (at most 2 × 2) cells between the cells of its end points, and all are marked.
Cells no edge touches that lie side by side form regions (``scipy.ndimage.label``); one exact test
of a cell centre per region labels every cell of it, once, when the locator is built.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from scipy import ndimage

__all__ = ["OUTSIDE", "WATER", "PointLocator"]

OUTSIDE = -1  # in no wijk and no water polygon
WATER = -2  # in a "Groot water" polygon
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
        labels = np.zeros((self._ny, self._nx), dtype=np.int16)
        # every edge in pieces no longer than a cell: a piece lies in the box of its end points, so
        # the cells it touches are among the (at most 2 × 2) cells between its end points' cells
        pieces = shapely.get_parts(shapely.get_parts(shapely.boundary(everything)))
        xy, ring = shapely.get_coordinates(shapely.segmentize(pieces, self.cell), return_index=True)
        ix, iy = self._cell_of(xy[:, 0], xy[:, 1])
        same_ring = ring[1:] == ring[:-1]
        for ax, ay in ((ix[:-1], iy[:-1]), (ix[1:], iy[1:]), (ix[:-1], iy[1:]), (ix[1:], iy[:-1])):
            labels[ay[same_ring], ax[same_ring]] = _EDGE
        labels[iy, ix] = _EDGE
        # cells no edge touches, joined side by side, form regions inside one polygon (or outside all):
        # one exact test per region labels all of its cells
        regions, n = ndimage.label(labels != _EDGE)
        flat = regions.reshape(-1)
        first = np.zeros(n + 1, dtype=np.int64)
        first[flat[::-1]] = np.arange(flat.size - 1, -1, -1, dtype=np.int32)  # the first cell of each region
        cy, cx = np.divmod(first[1:], self._nx)
        region_label = np.empty(n + 1, dtype=np.int16)
        region_label[0] = _EDGE
        region_label[1:] = self._exact(self._x0 + (cx + 0.5) * self.cell, self._y0 + (cy + 0.5) * self.cell)
        self._labels = region_label[regions]

    def _cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ix = np.floor((x - self._x0) / self.cell).astype(np.int64)
        iy = np.floor((y - self._y0) / self.cell).astype(np.int64)
        return ix, iy

    @staticmethod
    def _hits(tree: shapely.STRtree, x: np.ndarray,
              y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, polygon) index pairs where the closed polygon holds the point."""
        if len(x) < 100_000:
            return tree.query(shapely.points(x, y), predicate="intersects")
        # GEOS releases the GIL: two halves on two threads
        half = len(x) // 2
        with ThreadPoolExecutor(2) as pool:
            parts = list(pool.map(lambda s: tree.query(shapely.points(x[s], y[s]), predicate="intersects"),
                                  (slice(0, half), slice(half, None))))
        return (np.concatenate([parts[0][0], parts[1][0] + half]), np.concatenate([parts[0][1], parts[1][1]]))

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
        edge = label == _EDGE
        out[idx[~edge]] = label[~edge]
        exact = idx[edge]
        out[exact] = self._exact(x[exact], y[exact])
        return out
