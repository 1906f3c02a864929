"""The active release in memory, with GeoJSON features serialised once per release.

The store re-reads the ``current`` pointer at most once per second; a new release is loaded
completely before it replaces the old one, so a request never sees half of a release.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.geometry import to_wgs84
from insights.release import Release, current_release_dir, load_release
from insights.views import wide_table

__all__ = ["LEVELS", "LayerData", "LoadedRelease", "ReleaseStore"]

# collection id → area level
LEVELS = {"wijken": "wijk", "gemeenten": "gemeente", "regios": "regio"}


def _jsonable(value: object) -> object:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    return value


@dataclass
class LayerData:
    """One collection for one period: features as JSON bytes, in release order (by code)."""

    codes: list[str]
    features: list[bytes]
    bounds: np.ndarray  # (n, 4) minx, miny, maxx, maxy in CRS84
    gemeente: list[str | None]
    regio: list[str | None]
    index: dict[str, int] = field(default_factory=dict)


@dataclass
class LoadedRelease:
    release: Release
    layers: dict[tuple[str, int], LayerData]

    @classmethod
    def build(cls, release: Release) -> "LoadedRelease":
        layers: dict[tuple[str, int], LayerData] = {}
        for collection, level in LEVELS.items():
            areas = release.areas[release.areas["level"].eq(level)].reset_index(drop=True)
            if areas.empty:
                continue
            wgs = to_wgs84(areas, decimals=6)
            geometries = [json.dumps(g.__geo_interface__, separators=(",", ":")) for g in wgs.geometry]
            bounds = wgs.geometry.bounds.to_numpy()
            for period in release.periods:
                table = wide_table(release, level=level, period=period).set_index("code").reindex(areas["code"])
                features = []
                for code, geometry in zip(areas["code"], geometries):
                    props = {"code": code, "periode": period, "synthetisch": release.synthetic,
                             **{k: _jsonable(v) for k, v in table.loc[code].items()}}
                    features.append(
                        (f'{{"type":"Feature","id":{json.dumps(code)},"geometry":{geometry},"properties":'
                         f'{json.dumps(props, ensure_ascii=False, separators=(",", ":"))}}}').encode()
                    )
                layers[(collection, period)] = LayerData(
                    codes=list(areas["code"]), features=features, bounds=bounds,
                    gemeente=list(areas["gemeente"]), regio=list(areas["regio"]),
                    index={c: i for i, c in enumerate(areas["code"])},
                )
        return cls(release=release, layers=layers)


class ReleaseStore:
    """Holds the active release; :meth:`get` switches to a new ``current`` without restart."""

    def __init__(self, releases_dir: Path, *, check_interval_s: float = 1.0) -> None:
        self.releases_dir = Path(releases_dir)
        self.check_interval_s = check_interval_s
        self._loaded: LoadedRelease | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> LoadedRelease:
        now = time.monotonic()
        if self._loaded is None or now - self._checked_at >= self.check_interval_s:
            with self._lock:
                if self._loaded is None or now - self._checked_at >= self.check_interval_s:
                    folder = current_release_dir(self.releases_dir)
                    if self._loaded is None or self._loaded.release.path != folder:
                        self._loaded = LoadedRelease.build(load_release(folder))
                    self._checked_at = now
        return self._loaded
