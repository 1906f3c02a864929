"""Immutable, versioned releases on disk, written atomically.

Layout of a releases folder::

    releases/
        current                      # text file: the id of the active release
        20261123T221500Z-1a2b3c4d/   # one folder per release, never changed after the rename
            manifest.json            # id, created, code version, SHA-256 of inputs, rules and outputs
            gebieden.parquet         # GeoParquet, EPSG:28992: every area of every level
            cellen.parquet           # published cells: value (rounded) or NA + status + reason
            scores.parquet           # scores computed from the published cells
            <name>.parquet           # further tables (trends, hermeldingen, profielen, effecten), listed
                                     # under "tables" in the manifest
            regels.toml              # the rules file the cells were protected with
            kaarten/*.html           # maps rendered from this release

A release is assembled in ``.tmp-<id>`` inside the releases folder and renamed into place; then
``current`` is replaced atomically (``os.replace``). A failed build removes its temporary folder and
leaves every earlier release and ``current`` byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import geopandas as gpd
import pandas as pd

from insights.cells import AUDIT_COLUMNS
from insights.disclosure.primary import Status
from insights.disclosure.rules import Rules
from insights.errors import ReleaseError, ReleaseNotFound, UnprotectedOutput

__all__ = [
    "AUDIT_COLUMNS",
    "PUBLIC_CELL_COLUMNS",
    "Release",
    "check_publishable",
    "current_release_dir",
    "load_release",
    "write_release",
]

CURRENT = "current"
PUBLIC_CELL_COLUMNS = [
    "code", "level", "gemeente", "regio", "period", "indicator", "value", "status", "reason",
    "denominator", "min_count", "rounding_base",
]



def check_publishable(cells: pd.DataFrame, rules: Rules) -> None:
    """Refuse a cell table that could carry an unprotected count.

    Checks: only :data:`PUBLIC_CELL_COLUMNS` and :data:`AUDIT_COLUMNS` are present (no raw
    ``count``); when audit columns are present, every cell passed the audit; every published value
    is at least its indicator's ``min_count`` and a multiple of its ``rounding_base``; every hidden
    cell has no value (never 0); every status is known.
    """
    extra = sorted(set(cells.columns) - set(PUBLIC_CELL_COLUMNS) - set(AUDIT_COLUMNS))
    if extra:
        raise UnprotectedOutput(f"cell table has non-public column(s) {extra}; nothing was written")
    known = {Status.published, *Status.hidden}
    unknown = sorted(set(cells["status"]) - known)
    if unknown:
        raise UnprotectedOutput(f"unknown cell status {unknown}; nothing was written")
    published = cells["status"].eq(Status.published)
    hidden_with_value = cells[~published & cells["value"].notna()]
    if not hidden_with_value.empty:
        row = hidden_with_value.iloc[0]
        raise UnprotectedOutput(f"hidden cell {row['code']} {row['period']} {row['indicator']} carries a value")
    if "protection_ok" in cells.columns and not cells["protection_ok"].astype(bool).all():
        row = cells[~cells["protection_ok"].astype(bool)].iloc[0]
        raise UnprotectedOutput(f"cell {row['code']} {row['period']} {row['indicator']} failed the audit; nothing was written")
    for name, rows in cells[published].groupby("indicator"):
        rule = rules.for_indicator(str(name))
        values = rows["value"]
        bad = rows[values.isna() | (values < rule.min_count) | (values % rule.rounding_base != 0)]
        if not bad.empty:
            row = bad.iloc[0]
            raise UnprotectedOutput(
                f"published {name} for {row['code']} {row['period']} is {row['value']}: "
                f"below {rule.min_count} or not a multiple of {rule.rounding_base}; nothing was written"
            )


def _code_version() -> str:
    try:
        return version("helpende-data")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Release:
    """A published release loaded into memory (what the API and the maps read)."""

    id: str
    path: Path
    manifest: dict
    areas: gpd.GeoDataFrame  # EPSG:28992
    cells: pd.DataFrame
    scores: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # further tables by name (manifest "tables")

    @property
    def synthetic(self) -> bool:
        return bool(self.manifest.get("synthetic"))

    @property
    def periods(self) -> list[int]:
        return sorted(int(p) for p in self.cells["period"].unique())


def write_release(
    releases_dir: Path,
    *,
    areas: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    scores: pd.DataFrame,
    rules: Rules,
    rules_text: str,
    manifest: dict,
    render: Callable[[Release], dict[str, str | bytes]] | None = None,
    now: datetime | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> Release:
    """Check, write and activate a new release; return it as loaded from disk.

    ``render`` receives the release as written (read back from the temporary folder) and returns
    extra files (relative path → content), e.g. maps; they are part of the release and its hashes.
    ``tables`` (name → frame of published-derived figures, never raw counts) are written as
    ``<name>.parquet`` and listed in the manifest under ``"tables"``.
    """
    tables = dict(tables or {})
    for name, frame in tables.items():
        if not name.isidentifier() or name in ("gebieden", "cellen", "scores"):
            raise ReleaseError(f"table name {name!r} is not allowed")
        if "count" in frame.columns:
            raise UnprotectedOutput(f"table {name!r} has a raw 'count' column; nothing was written")
    check_publishable(cells, rules)
    releases_dir = Path(releases_dir)
    releases_dir.mkdir(parents=True, exist_ok=True)
    created = (now or datetime.now(UTC)).replace(microsecond=0)
    digest = hashlib.sha256(json.dumps(manifest.get("inputs", {}), sort_keys=True).encode())
    digest.update(rules_text.encode())
    release_id = f"{created:%Y%m%dT%H%M%SZ}-{digest.hexdigest()[:8]}"
    final = releases_dir / release_id
    if final.exists():
        raise ReleaseError(f"release {release_id} exists already; releases are immutable")
    tmp = releases_dir / f".tmp-{release_id}-{os.getpid()}"
    try:
        tmp.mkdir()
        areas.to_parquet(tmp / "gebieden.parquet", index=False)
        cells.to_parquet(tmp / "cellen.parquet", index=False)
        scores.to_parquet(tmp / "scores.parquet", index=False)
        for name, frame in tables.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / "regels.toml").write_text(rules_text, encoding="utf-8")
        full_manifest = {
            "release_id": release_id,
            "created": created.isoformat().replace("+00:00", "Z"),
            "code_version": _code_version(),
            **manifest,
            "rules_version": rules.version,
            **({"tables": sorted(tables)} if tables else {}),
        }
        _write_manifest(tmp, full_manifest)
        if render is not None:
            for relative, content in render(_load(tmp, release_id)).items():
                target = tmp / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
            _write_manifest(tmp, full_manifest)
        for file in tmp.rglob("*"):
            if file.is_file():
                with open(file, "rb") as handle:
                    os.fsync(handle.fileno())
        _fsync_dir(tmp)
        os.rename(tmp, final)
        _fsync_dir(releases_dir)
        pointer = releases_dir / f".{CURRENT}.tmp-{os.getpid()}"
        pointer.write_text(release_id + "\n", encoding="utf-8")
        os.replace(pointer, releases_dir / CURRENT)
        _fsync_dir(releases_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return load_release(final)


def _write_manifest(folder: Path, manifest: dict) -> None:
    outputs = {
        str(p.relative_to(folder)): _sha256(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }
    manifest = {**manifest, "outputs": outputs}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def current_release_dir(releases_dir: Path) -> Path:
    """The folder the ``current`` pointer names."""
    pointer = Path(releases_dir) / CURRENT
    if not pointer.exists():
        raise ReleaseNotFound(f"{releases_dir}: no current release; run 'helpende-data build' first")
    release_id = pointer.read_text(encoding="utf-8").strip()
    folder = Path(releases_dir) / release_id
    if not (folder / "manifest.json").exists():
        raise ReleaseNotFound(f"{releases_dir}: current names {release_id!r}, which is not a complete release")
    return folder


def load_release(folder: Path) -> Release:
    """Load a release folder into memory."""
    folder = Path(folder)
    if not (folder / "manifest.json").exists():
        raise ReleaseNotFound(f"{folder}: not a release (no manifest.json)")
    return _load(folder, folder.name)


def _load(folder: Path, release_id: str) -> Release:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return Release(
        id=release_id,
        path=folder,
        manifest=manifest,
        areas=gpd.read_parquet(folder / "gebieden.parquet"),
        cells=pd.read_parquet(folder / "cellen.parquet"),
        scores=pd.read_parquet(folder / "scores.parquet"),
        tables={name: pd.read_parquet(folder / f"{name}.parquet") for name in manifest.get("tables", [])},
    )
