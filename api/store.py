"""The active release in memory, with every response body prepared once per release.

The store re-reads the ``current`` pointer at most once per ``check_interval_s``. A new release is
loaded in a background thread, its files are checked against the SHA-256 hashes in its manifest,
and only a completely loaded, verified release replaces the old one; until then (or when the new
one is broken) requests keep getting the old release. A request therefore never sees half of one.

At start (the first load) a ``current`` that is missing or fails verification is refused too: the
newest release of the folder that passes verification serves instead, and the refusal is logged
and kept in ``last_error``. Only when no release passes is there nothing to serve (503).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from api.scope import Scope
from geo.geometry import to_wgs84
from insights.errors import ReleaseNotFound
from insights.indicators import INDICATORS
from insights.release import (
    PUBLIC_MANIFEST,
    PUBLIEK,
    RULES_FILE,
    Release,
    current_release_dir,
    load_release,
    read_beheer,
    verify_outputs,
)
from insights.views import wide_table

__all__ = ["LEVELS", "LayerData", "LoadedRelease", "Memo", "ReleaseStore", "Table", "verified_bytes", "verify_outputs"]

log = logging.getLogger("helpende.api.store")

# collection id → area level
LEVELS = {"wijken": "wijk", "gemeenten": "gemeente", "regios": "regio"}
# columns a cell table may never carry to the API (a raw count never exists in a release; belt and braces)
FORBIDDEN_COLUMNS = {"count", "aantal", "raw_count"}


def _jsonable(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _dumps(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


class Memo:
    """Values built once per key for one loaded release; emptied whenever the next value would pass
    ``limit`` (counted as entries, or as ``size(value)`` bytes). A release is immutable, so a value
    never goes stale; the bound only keeps memory in check when keys (scopes, filters) are many."""

    def __init__(self, limit: int, size: Callable[[Any], int] | None = None) -> None:
        self.limit = limit
        self.size = size or (lambda _: 1)
        self._values: dict[Hashable, Any] = {}
        self._used = 0

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        value = self._values.get(key)
        if value is None:
            value = build()
            used = self.size(value)
            if self._used + used > self.limit:
                self._values.clear()
                self._used = 0
            self._values[key] = value
            self._used += used
        return value


_MB = 2**20


@dataclass
class LayerData:
    """One collection for one period: features as JSON bytes (CRS84 and RD New), in release order (by code)."""

    codes: list[str]
    features: list[bytes]  # CRS84
    features_rd: list[bytes]  # EPSG:28992
    bounds: np.ndarray  # (n, 4) minx, miny, maxx, maxy in CRS84
    bounds_rd: np.ndarray  # same in EPSG:28992
    gemeente: list[str | None]
    regio: list[str | None]
    index: dict[str, int] = field(default_factory=dict)
    _in_scope: Memo = field(default_factory=lambda: Memo(256), repr=False)
    _pages: Memo = field(default_factory=lambda: Memo(64 * _MB, size=lambda page: len(page[0])), repr=False)

    def page(self, key: tuple, build) -> tuple[bytes, int, int]:
        """``build()`` → (the body up to the features' closing bracket, numberMatched, numberReturned),
        remembered per ``key`` (the selection: scope, filters, offset, limit, crs). Joining a whole page's
        features costs ~0.5 ms per request (large allocations); the cache holds at most ~64 MB."""
        return self._pages.get(key, build)

    def in_scope(self, scope: Scope) -> list[int]:
        """Positions of the features ``scope`` covers, remembered per scope (a few keys share a handful
        of scopes; bounded, since OIDC tokens may bring any scope)."""
        return self._in_scope.get(scope, lambda: np.flatnonzero(
            scope.mask(np.array(self.codes, dtype=object), np.array(self.gemeente, dtype=object),
                       np.array(self.regio, dtype=object))).tolist())


@dataclass
class Table:
    """A long table of published rows with columns to filter on, and each row pre-serialised."""

    frame: pd.DataFrame
    json_rows: list[bytes]
    csv_header: bytes
    csv_rows: list[bytes]
    columns: dict[str, np.ndarray]  # code, level, gemeente, regio, period, indicator
    _in_scope: Memo = field(default_factory=lambda: Memo(256), repr=False)
    _selected: Memo = field(default_factory=lambda: Memo(1024), repr=False)
    _bodies: Memo = field(default_factory=lambda: Memo(64 * _MB, size=len), repr=False)
    _csv_nl: tuple[bytes, list[bytes]] | None = field(default=None, repr=False)

    def body(self, key: tuple, build) -> bytes:
        """``build()``, remembered per ``key`` (format, filters, scope); at most ~64 MB are kept."""
        return self._bodies.get(key, build)

    def csv_nl(self) -> tuple[bytes, list[bytes]]:
        """Header and rows in the Dutch Excel dialect (``;`` between fields, decimal comma), written on
        first use (most releases are never asked for it) and kept."""
        if self._csv_nl is None:
            lines = self.frame.to_csv(index=False, sep=";", decimal=",", lineterminator="\n").encode().split(b"\n")
            self._csv_nl = (lines[0], lines[1:1 + len(self.frame)])
        return self._csv_nl

    def in_scope(self, scope: Scope) -> np.ndarray:
        """Row mask of the areas ``scope`` covers, remembered per scope (bounded)."""
        return self._in_scope.get(scope, lambda: scope.mask(self.columns["code"], self.columns["gemeente"],
                                                            self.columns["regio"]))

    @classmethod
    def build(cls, frame: pd.DataFrame) -> Table:
        frame = frame.reset_index(drop=True)
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        json_rows = [_dumps({k: _jsonable(v) for k, v in r.items()}) for r in records]
        lines = frame.to_csv(index=False, lineterminator="\n").encode().split(b"\n")
        columns = {c: frame[c].astype(object).to_numpy() for c in ("code", "level", "gemeente", "regio", "indicator")}
        columns["period"] = frame["period"].to_numpy(dtype=np.int64)
        return cls(frame, json_rows, lines[0], lines[1:1 + len(frame)], columns)

    def select(self, **criteria: object) -> np.ndarray:
        """Row positions matching every non-None criterion (equality only: rows are never combined).

        Remembered per set of criteria (bounded): the same few filters come back request after request."""
        key = tuple(sorted((k, v) for k, v in criteria.items() if v is not None))
        return self._selected.get(key, lambda: self._rows_matching(key))

    def _rows_matching(self, criteria: tuple[tuple[str, object], ...]) -> np.ndarray:
        mask = np.ones(len(self.frame), dtype=bool)
        for name, value in criteria:
            mask &= self.columns[name] == value
        rows = np.flatnonzero(mask)
        rows.flags.writeable = False
        return rows


@dataclass
class LoadedRelease:
    release: Release
    layers: dict[tuple[str, int], LayerData]
    cijfers: Table  # published figures + scores, for policy staff
    geometry: dict[str, bytes]  # code → GeoJSON geometry in CRS84
    regels: str  # the rules file text the release was protected with
    gemeente_regio: dict[str, str]  # gemeente code → veiligheidsregio code
    periods: list[int] = field(default_factory=list)  # release.periods, computed once (pandas unique per call)
    _cellen: Table | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.periods:
            self.periods = self.release.periods

    @property
    def cellen(self) -> Table:
        """The suppression pattern with reasons and audit columns, for stewards: read from the release's
        steward part (``beheer/``) at the first steward request, through :func:`insights.release.read_beheer`
        (raises :class:`~insights.errors.StewardPartMissing` when this machine holds the public part only)."""
        if self._cellen is None:
            self._cellen = Table.build(_cellen(self.release, read_beheer(self.release.path).cells))
        return self._cellen

    @classmethod
    def build(cls, release: Release) -> LoadedRelease:
        layers: dict[tuple[str, int], LayerData] = {}
        geometry: dict[str, bytes] = {}
        for collection, level in LEVELS.items():
            areas = release.areas[release.areas["level"].eq(level)].reset_index(drop=True)
            if areas.empty:
                continue
            wgs = to_wgs84(areas, decimals=6)
            geoms = [_dumps(g.__geo_interface__) for g in wgs.geometry]
            rd = areas.set_geometry(areas.geometry.set_precision(0.01))
            geoms_rd = [_dumps(g.__geo_interface__) for g in rd.geometry]
            geometry.update(zip(areas["code"], geoms))
            for period in release.periods:
                table = wide_table(release, level=level, period=period).set_index("code").reindex(areas["code"])
                features, features_rd = [], []
                for code, g84, grd in zip(areas["code"], geoms, geoms_rd):
                    props = {"code": code, "periode": period, "synthetisch": release.synthetic,
                             **{k: _jsonable(v) for k, v in table.loc[code].items()}}
                    head = b'{"type":"Feature","id":' + _dumps(code) + b',"geometry":'
                    tail = b',"properties":' + _dumps(props) + b"}"
                    features.append(head + g84 + tail)
                    features_rd.append(head + grd + tail)
                layers[(collection, period)] = LayerData(
                    codes=list(areas["code"]), features=features, features_rd=features_rd,
                    bounds=wgs.geometry.bounds.to_numpy(), bounds_rd=areas.geometry.bounds.to_numpy(),
                    gemeente=list(areas["gemeente"]), regio=list(areas["regio"]),
                    index={c: i for i, c in enumerate(areas["code"])},
                )
        regels_path = release.path / RULES_FILE
        return cls(
            release=release,
            layers=layers,
            cijfers=Table.build(_cijfers(release)),
            geometry=geometry,
            regels=regels_path.read_text(encoding="utf-8") if regels_path.exists() else "",
            gemeente_regio={
                str(g): str(r) for g, r in release.areas[["gemeente", "regio"]].dropna().itertuples(index=False)
            },
        )


def _cellen(release: Release, steward_cells: pd.DataFrame) -> pd.DataFrame:
    """Every cell with whatever protection/audit columns the steward part holds (never a raw count)."""
    cells = steward_cells.drop(columns=[c for c in steward_cells.columns if c in FORBIDDEN_COLUMNS])
    names = release.areas[["code", "naam"]]
    return names.merge(cells, on="code", how="right")[["code", "naam", *[c for c in cells.columns if c != "code"]]]


def _cijfers(release: Release) -> pd.DataFrame:
    """Published figures and scores per area × period × indicator; hidden values stay NA (null), never 0.
    ``herzien`` is true where the figure replaces a different one an earlier release published."""
    columns = ["code", "level", "gemeente", "regio", "period", "indicator", "value", "status", "denominator"]
    cells = release.cells[columns + [c for c in ("herzien",) if c in release.cells.columns]]  # herzien: revised
    frame = release.areas[["code", "naam"]].merge(cells, on="code", how="right")
    scale = frame["indicator"].map({k: v.scale for k, v in INDICATORS.items()}).astype("Float64")
    frame["rate"] = (frame["value"].astype("Float64") / frame["denominator"].astype("Float64") * scale).round(2)
    frame["rate_scale"] = scale.astype("Int64")
    frame = frame.merge(release.scores, on=["code", "period", "indicator"], how="left")
    for col in frame.columns:
        if str(frame[col].dtype) in ("Float64", "float64"):
            frame[col] = frame[col].round(4)
    frame["synthetisch"] = release.synthetic
    return frame


_LAST_BUILT: dict[str, LoadedRelease] = {}  # release id + manifest digest → the last release built in this process


def _built(release: Release) -> LoadedRelease:
    """``LoadedRelease.build(release)`` for a release whose files have just been verified, reusing the
    last build of this process when the manifest is byte-identical: every output matched the manifest's
    SHA-256, so the content is the same (seconds saved when several apps open one release, as in the
    tests). Only the last build is kept, so a server holds no extra release in memory."""
    digest = release.id + ":" + hashlib.sha256(json.dumps(release.manifest, sort_keys=True).encode()).hexdigest()
    last = _LAST_BUILT.get(digest)
    if last is not None:
        return dataclasses.replace(last, release=release)  # this folder's path, for maps read at serve time
    loaded = LoadedRelease.build(release)
    _LAST_BUILT.clear()
    _LAST_BUILT[digest] = loaded
    return loaded


def verified_bytes(release: Release, relative: str) -> bytes:
    """The bytes of the public release file ``relative`` (path in ``publiek/``, e.g. ``kaarten/GM0193.html``),
    read now and checked
    against its manifest hash; :class:`ReleaseNotFound` when the file is not listed or differs (changed
    on disk after the release was activated)."""
    digest = release.manifest.get("outputs", {}).get(relative)
    data = (release.path / PUBLIEK / relative).read_bytes() if digest else b""
    if not digest or hashlib.sha256(data).hexdigest() != digest:
        raise ReleaseNotFound(f"{release.id}: {relative} is not listed in the manifest or differs from its hash")
    return data


def _manifest_or_reason(folder: Path) -> tuple[dict | None, str | None]:
    """A release folder's parsed manifest, or why it cannot be read (a short reason without paths)."""
    try:
        manifest = json.loads((folder / PUBLIC_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"manifest.json kan niet worden gelezen ({type(exc).__name__})"
    except ValueError:
        return None, "manifest.json is geen geldige JSON"
    if not isinstance(manifest, dict):
        return None, "manifest.json is geen JSON-object"
    return manifest, None


class ReleaseStore:
    """Holds the active release; :meth:`get` switches to a new ``current`` without restart."""

    def __init__(self, releases_dir: Path, *, check_interval_s: float = 1.0) -> None:
        self.releases_dir = Path(releases_dir)
        self.check_interval_s = check_interval_s
        self._loaded: LoadedRelease | None = None
        self._checked_at = 0.0
        self._claimed_at = 0.0  # see fresh()
        self._lock = threading.Lock()
        self._loading: str | None = None  # folder being loaded in the background
        self._refused: dict[str, int] = {}  # folder → manifest mtime (ns) when it failed; tried again if changed
        self._failed_at: float | None = None  # last time the first load found nothing to serve
        self.last_error: str | None = None

    def _load(self, folder: Path) -> LoadedRelease:
        release = load_release(folder)
        verify_outputs(folder / PUBLIEK, release.manifest)
        return _built(release)

    def _load_in_background(self, folder: Path) -> None:
        try:
            loaded = self._load(folder)
        except Exception as exc:  # noqa: BLE001 - keep serving the old release; tried again when the folder changes
            self._refuse(folder, exc)
            log.error("release %s not activated, still serving %s: %s", folder.name,
                      self._loaded.release.id if self._loaded else None, exc)
        else:
            self._loaded, self.last_error = loaded, None
        finally:
            self._loading = None

    def _manifest_mtime(self, folder: Path) -> int:
        try:
            return (folder / PUBLIC_MANIFEST).stat().st_mtime_ns
        except OSError:
            return -1

    def _refuse(self, folder: Path, exc: Exception) -> None:
        self._refused[str(folder)] = self._manifest_mtime(folder)
        self.last_error = f"{folder.name}: {exc}"

    def _was_refused(self, folder: Path) -> bool:
        return self._refused.get(str(folder)) == self._manifest_mtime(folder)

    def _release_folders(self) -> list[Path]:
        """Complete release folders (with a manifest), newest first (ids begin with their UTC time)."""
        if not self.releases_dir.is_dir():
            return []
        return [f for f in sorted(self.releases_dir.iterdir(), reverse=True)
                if f.is_dir() and not f.name.startswith(".") and (f / PUBLIC_MANIFEST).is_file()]

    def _first_load(self) -> LoadedRelease:
        """``current`` if it passes verification, else the newest release that does (logged)."""
        tried: list[Path] = []
        try:
            wanted = current_release_dir(self.releases_dir)
        except ReleaseNotFound as exc:
            self.last_error = str(exc)
            log.error("%s; looking for the newest verified release instead", exc)
        else:
            tried.append(wanted)
            try:
                return self._load(wanted)
            except Exception as exc:  # noqa: BLE001 - any failure to load or verify refuses the release
                self._refuse(wanted, exc)
                log.error("current release %s refused: %s; looking for the newest verified release", wanted.name, exc)
        for folder in self._release_folders():
            if folder in tried:
                continue
            try:
                loaded = self._load(folder)
            except Exception as exc:  # noqa: BLE001
                self._refuse(folder, exc)
                log.error("release %s refused: %s", folder.name, exc)
                continue
            log.warning("serving %s, the newest release that passes verification", folder.name)
            return loaded
        raise ReleaseNotFound(f"{self.releases_dir}: no release passes verification ({self.last_error})")

    def fresh(self) -> LoadedRelease | None:
        """The active release without I/O or a lock, or ``None`` when the caller should call :meth:`get`
        (in a thread): before the first load, and for one caller per interval when a look at the
        ``current`` pointer is due — the others meanwhile keep the active release instead of all
        queueing for the thread pool. Meant for the event loop thread."""
        loaded = self.peek()
        if loaded is None and self._loaded is not None:
            self._claimed_at = time.monotonic()  # this caller does the look
        return loaded

    def peek(self) -> LoadedRelease | None:
        """Like :meth:`fresh` but never claims the due look at the ``current`` pointer: ``None`` when
        that look is due, so the caller leaves it to a request that goes through :meth:`fresh`."""
        loaded = self._loaded
        if loaded is None:
            return None
        now = time.monotonic()
        if now - self._checked_at < self.check_interval_s or now - self._claimed_at < self.check_interval_s:
            return loaded
        return None

    def get(self) -> LoadedRelease:
        now = time.monotonic()
        if self._loaded is not None and now - self._checked_at < self.check_interval_s:
            return self._loaded
        with self._lock:
            if self._loaded is None:
                if self._failed_at is not None and time.monotonic() - self._failed_at < self.check_interval_s:
                    raise ReleaseNotFound(f"{self.releases_dir}: no release passes verification ({self.last_error})")
                try:
                    self._loaded = self._first_load()
                except ReleaseNotFound:
                    self._failed_at = time.monotonic()
                    raise
                self._checked_at = time.monotonic()
                return self._loaded
            if now - self._checked_at >= self.check_interval_s:
                self._checked_at = now
                try:
                    folder = current_release_dir(self.releases_dir)
                except ReleaseNotFound as exc:
                    self.last_error = str(exc)
                    return self._loaded
                if folder != self._loaded.release.path and self._loading != str(folder) \
                        and not self._was_refused(folder):
                    self._loading = str(folder)
                    threading.Thread(target=self._load_in_background, args=(folder,), daemon=True).start()
        return self._loaded

    @property
    def current_id(self) -> str | None:
        return self._loaded.release.id if self._loaded else None

    def manifests(self) -> list[dict]:
        """Manifests of every complete release in the folder, newest first (unreadable ones left out)."""
        return self.catalogue()[0]

    def catalogue(self) -> tuple[list[dict], list[dict[str, str]]]:
        """``(manifests, skipped)``: the readable manifests of the folder's releases, newest first, and
        ``{"release": folder name, "reden": why}`` for each release whose manifest cannot be read."""
        manifests, skipped = [], []
        for folder in self._release_folders():
            manifest, reason = _manifest_or_reason(folder)
            if manifest is None:
                skipped.append({"release": folder.name, "reden": str(reason)})
                log.error("release %s skipped in the catalogue: %s", folder.name, reason)
            else:
                manifests.append(manifest)
        return manifests, skipped
