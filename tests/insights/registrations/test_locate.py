"""Points to wijken: known answers on hand-made squares and on the bundled boundaries."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from insights.registrations.locate import OUTSIDE, WATER, PointLocator


@pytest.fixture
def three_squares() -> PointLocator:
    """WK000002 | WK000001 | water, 1 km squares side by side in RD New (codes out of order on purpose)."""
    squares = [box(200_000, 500_000, 201_000, 501_000), box(201_000, 500_000, 202_000, 501_000)]
    wijken = gpd.GeoDataFrame({"code": ["WK000002", "WK000001"]}, geometry=squares, crs="EPSG:28992")
    water = gpd.GeoDataFrame(geometry=[box(202_000, 500_000, 203_000, 501_000)], crs="EPSG:28992")
    return PointLocator.from_frames(wijken, water, cell=100.0)


def test_codes_are_sorted_and_points_land_in_their_square(three_squares):
    assert list(three_squares.codes) == ["WK000001", "WK000002"]
    got = three_squares.locate(np.array([200_500.0, 201_500.0]), np.array([500_500.0, 500_500.0]))
    assert list(got) == [1, 0]


def test_a_point_on_a_shared_edge_goes_to_the_lowest_code(three_squares):
    got = three_squares.locate(np.array([201_000.0, 201_000.0]), np.array([500_500.0, 501_000.0]))
    assert list(got) == [0, 0]  # WK000001 < WK000002, also at the shared corner


def test_an_outer_edge_belongs_to_its_wijk_and_beyond_it_is_outside(three_squares):
    got = three_squares.locate(np.array([200_000.0, 199_999.9, 200_500.0]), np.array([500_500.0, 500_500.0, 9.0]))
    assert list(got) == [1, OUTSIDE, OUTSIDE]


def test_water_is_named_apart_from_outside(three_squares):
    got = three_squares.locate(np.array([202_500.0, 203_500.0]), np.array([500_500.0, 500_500.0]))
    assert list(got) == [WATER, OUTSIDE]


def test_grid_answers_equal_the_exact_test_for_every_point(locator, boundaries):
    # points near every edge and everywhere else: the grid may only decide where it is sure
    rng = np.random.default_rng(7)
    edges = shapely.get_coordinates(shapely.segmentize(shapely.boundary(boundaries.wijken.geometry.values), 200))
    near = edges[rng.integers(0, len(edges), 20_000)] + rng.normal(0, 30, (20_000, 2))
    xmin, ymin, xmax, ymax = boundaries.wijken.total_bounds
    spread = np.column_stack([rng.uniform(xmin, xmax, 20_000), rng.uniform(ymin, ymax, 20_000)])
    points = np.vstack([near, spread, edges[:5_000]])  # the last ones lie exactly on edges
    assert np.array_equal(locator.locate(points[:, 0], points[:, 1]), locator._exact(points[:, 0], points[:, 1]))


def test_bundled_water_and_abroad(locator, boundaries):
    lake = boundaries.water.geometry.iloc[0].representative_point()
    got = locator.locate(np.array([lake.x, 320_000.0]), np.array([lake.y, 450_000.0]))  # 320 km east: Germany
    assert list(got) == [WATER, OUTSIDE]


def test_large_batches_split_over_threads_keep_every_point_in_place(three_squares):
    rng = np.random.default_rng(1)
    x = rng.uniform(199_500, 203_500, 150_000)  # over the threading threshold
    y = np.full_like(x, 500_500.0)
    expected = np.full(len(x), OUTSIDE)
    expected[(x > 202_000) & (x <= 203_000)] = WATER
    expected[(x >= 200_000) & (x < 201_000)] = 1  # WK000002
    expected[(x >= 201_000) & (x <= 202_000)] = 0  # WK000001, with the shared edge
    assert np.array_equal(three_squares._exact(x, y), expected)
