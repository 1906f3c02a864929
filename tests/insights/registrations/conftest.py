"""Actors for the registration tests: the bundled boundaries, its locator, record files written by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from insights.registrations import load_boundaries
from insights.registrations.aggregate import Boundaries
from insights.registrations.locate import PointLocator
from insights.settings import BuildSettings


@pytest.fixture(scope="session")
def boundaries() -> Boundaries:
    """The bundled 2024 wijken (and their "Groot water" polygons), read once."""
    return load_boundaries(BuildSettings().boundaries)


@pytest.fixture(scope="session")
def locator(boundaries: Boundaries) -> PointLocator:
    return PointLocator.from_frames(boundaries.wijken, boundaries.water)


@pytest.fixture(scope="session")
def inside(boundaries: Boundaries) -> dict[str, tuple[float, float]]:
    """A point well inside each wijk (RD New)."""
    points = boundaries.wijken.set_index("code").geometry.representative_point()
    return {code: (p.x, p.y) for code, p in points.items()}


def write_records(path: Path, rows: list[dict[str, object]]) -> Path:
    """Write records as CSV (the suffix decides) or Parquet."""
    frame = pd.DataFrame(rows)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def cell(table, code: str, period: int, indicator: str) -> int:
    frame = table.frame.set_index(["code", "period"])
    return int(frame.loc[(code, period), indicator])
