"""Immutable, versioned releases on disk, written atomically, one build at a time.

A release is a publication boundary. Layout of a releases folder::

    releases/
        current                        # text file: the id of the active release
        20261123T221500Z-1a2b3c4d/     # one folder per release, never changed after the rename
            publiek/                   # what any reader may get; may be copied anywhere as it is
                manifest.json          # public manifest: id, created, selection, counts, hashes of publiek/ files
                gebieden.parquet       # GeoParquet, EPSG:28992: every area of every level
                cellen.parquet         # published cells: value (rounded) or NA + public status (no reason, no audit)
                scores.parquet         # scores computed from the published cells
                regels.toml            # the rules file the cells were protected with
                <name>.parquet         # further tables (trends, hermeldingen, profielen, effecten), listed
                                       # under "tables" in the public manifest
                modelkaart.md, algoritmeregister.json, kaarten/*.html|png, profielen/*.html
            beheer/                    # stewards only: 0700 folders, 0600 files
                manifest.json          # full manifest: every input hash (raw indicator files too) and every file's hash
                cellen.parquet         # steward cells: private status, reason, audit columns
                rapport/               # steward report

Every path of that layout is defined here, once (:data:`PUBLIEK`, :data:`BEHEER` and the ``*_FILE``
constants); the API, the maps and the report import them. Readers of ``publiek/`` use
:func:`load_release`; the one reader of ``beheer/`` is :func:`read_beheer`.

A build holds :func:`releases_lock` (``flock`` on the releases folder) for its whole run. A release is
assembled in ``.tmp-<id>-<pid>`` (0700) inside the releases folder and renamed into place; then
``current`` is replaced atomically (``os.replace``), only ever by a later id. A failed build removes
its temporary folder and leaves every earlier release and ``current`` byte-identical; one that was
killed leaves it for the next build, which removes it once it holds the lock.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.io import sha256_file
from insights.cells import AUDIT_COLUMNS
from insights.disclosure.primary import Status, public_status
from insights.disclosure.rules import Rules
from insights.errors import BuildInProgress, ReleaseError, ReleaseNotFound, StewardPartMissing, UnprotectedOutput

__all__ = [
    "AREAS_FILE",
    "AUDIT_COLUMNS",
    "BEHEER",
    "CELLS_FILE",
    "CURRENT",
    "MAPS_DIR",
    "MODEL_CARD_FILE",
    "PUBLIC_CELL_COLUMNS",
    "PUBLIC_INPUTS",
    "PUBLIC_MANIFEST",
    "PUBLIEK",
    "REGISTER_FILE",
    "RELEASE_ID",
    "REPORT_DIR",
    "RULES_FILE",
    "SCORES_FILE",
    "STEWARD_CELLS_FILE",
    "STEWARD_CELL_COLUMNS",
    "STEWARD_MANIFEST",
    "Release",
    "Status",
    "StewardPart",
    "check_publishable",
    "current_release_dir",
    "export_public",
    "earlier_releases",
    "load_release",
    "new_release_id",
    "public_cell_table",
    "read_beheer",
    "releases_lock",
    "verify_outputs",
    "write_release",
]

# ---- the layout: every path of a release, relative to its folder ------------------------------------------------
CURRENT = "current"
TMP_PREFIX = ".tmp-"
PUBLIEK = "publiek"
BEHEER = "beheer"
PUBLIC_MANIFEST = f"{PUBLIEK}/manifest.json"
AREAS_FILE = f"{PUBLIEK}/gebieden.parquet"
CELLS_FILE = f"{PUBLIEK}/cellen.parquet"
SCORES_FILE = f"{PUBLIEK}/scores.parquet"
RULES_FILE = f"{PUBLIEK}/regels.toml"
MODEL_CARD_FILE = f"{PUBLIEK}/modelkaart.md"
REGISTER_FILE = f"{PUBLIEK}/algoritmeregister.json"
MAPS_DIR = f"{PUBLIEK}/kaarten"
STEWARD_MANIFEST = f"{BEHEER}/manifest.json"
STEWARD_CELLS_FILE = f"{BEHEER}/cellen.parquet"
REPORT_DIR = f"{BEHEER}/rapport"

#: Release ids: the UTC second of creation and 8 hex digits; ids sort in the order releases were made.
RELEASE_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")
#: Inputs whose hashes the public manifest may carry (open data and the published rules); every other
#: input (the raw indicator files) is hashed in the steward manifest only.
PUBLIC_INPUTS = ("boundaries", "regions", "rules")
#: Columns of ``publiek/cellen.parquet``: no reason, no audit interval, the public status only.
PUBLIC_CELL_COLUMNS = [
    "code", "level", "gemeente", "regio", "period", "indicator", "value", "status",
    "denominator", "min_count", "rounding_base", "herzien",
]
#: Columns a steward cell table may have (``beheer/cellen.parquet``).
STEWARD_CELL_COLUMNS = [*PUBLIC_CELL_COLUMNS[:8], "reason", *PUBLIC_CELL_COLUMNS[8:]]

_FOLDER_MODE = 0o700  # beheer/ and temporary folders
_FILE_MODE = 0o600  # files under beheer/
_PUBLIC_FOLDER_MODE = 0o755  # a release's own folder once renamed into place (beheer/ inside stays 0700)


def check_publishable(cells: pd.DataFrame, rules: Rules) -> None:
    """Refuse a cell table that could carry an unprotected count.

    Checks: only :data:`STEWARD_CELL_COLUMNS` and :data:`AUDIT_COLUMNS` are present (no raw
    ``count``); when audit columns are present, every cell passed the audit; every published value
    is at least its indicator's ``min_count`` and a multiple of its ``rounding_base``; every hidden
    cell has no value (never 0); every status is known.
    """
    extra = sorted(set(cells.columns) - set(STEWARD_CELL_COLUMNS) - set(AUDIT_COLUMNS))
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
        raise UnprotectedOutput(f"cell {row['code']} {row['period']} {row['indicator']} failed the audit; "
                                "nothing was written")
    for name, rows in cells[published].groupby("indicator"):
        rule = rules.for_indicator(str(name))
        # A cell kept from an earlier release carries the rules it was published with.
        floor = rows["min_count"].fillna(rule.min_count) if "min_count" in rows else rule.min_count
        base = rows["rounding_base"].fillna(rule.rounding_base) if "rounding_base" in rows else rule.rounding_base
        values = rows["value"]
        wrong = (values.isna() | (values < floor) | (values % base != 0)).astype(bool)
        if wrong.any():
            i = int(np.argmax(wrong.to_numpy()))
            row = rows.iloc[i]
            f = int(floor.iloc[i]) if isinstance(floor, pd.Series) else floor
            b = int(base.iloc[i]) if isinstance(base, pd.Series) else base
            raise UnprotectedOutput(
                f"published {name} for {row['code']} {row['period']} is {row['value']}: "
                f"below {f} or not a multiple of {b}; nothing was written"
            )


def public_cell_table(cells: pd.DataFrame) -> pd.DataFrame:
    """The public face of a steward cell table: :data:`PUBLIC_CELL_COLUMNS` only, with the one public
    state ``beschermd`` for threshold and secondary suppression (see
    :func:`insights.disclosure.primary.public_status`)."""
    return cells[PUBLIC_CELL_COLUMNS].assign(status=public_status(cells)).reset_index(drop=True)


def _code_version() -> str:
    try:
        return version("helpende-data")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---- one build at a time -----------------------------------------------------------------------------------------
_held: dict[Path, tuple[int, int, int]] = {}  # releases folder → (fd, owning thread, depth)
_held_guard = threading.Lock()


@contextmanager
def releases_lock(releases_dir: Path, *, wait: bool = True,
                  progress: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the releases folder's lock (``fcntl.flock`` on the folder itself) for the duration of the block.

    Re-entrant within one thread. The first holder removes what killed builds left behind
    (``.tmp-*`` folders and pointer files): nobody else writes while the lock is held. The operating
    system drops the lock when its process ends, however it ends.

    Parameters
    ----------
    wait : when another process holds the lock, wait for it (saying so through ``progress``);
        when False, raise :class:`~insights.errors.BuildInProgress` at once.
    """
    folder = Path(releases_dir).resolve()
    me = threading.get_ident()
    with _held_guard:
        held = _held.get(folder)
        if held is not None and held[1] == me:
            _held[folder] = (held[0], me, held[2] + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                fd, owner, depth = _held[folder]
                _held[folder] = (fd, owner, depth - 1)
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)  # no lock file: a failed first build leaves an empty folder
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            message = f"{releases_dir}: another build is writing to this releases folder"
            if not wait:
                raise BuildInProgress(f"{message}; try again when it has finished") from None
            if progress is not None:
                progress(f"{message}; waiting for it to finish …")
            fcntl.flock(fd, fcntl.LOCK_EX)
        with _held_guard:
            _held[folder] = (fd, me, 1)
        try:
            _remove_leftovers(folder)
            yield
        finally:
            with _held_guard:
                del _held[folder]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holds_lock(releases_dir: Path) -> bool:
    with _held_guard:
        held = _held.get(Path(releases_dir).resolve())
    return held is not None and held[1] == threading.get_ident()


def _remove_leftovers(releases_dir: Path) -> None:
    """Remove temporary folders and pointer files of builds that were killed (call with the lock held)."""
    for path in releases_dir.iterdir():
        if path.name.startswith(TMP_PREFIX) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(f".{CURRENT}{TMP_PREFIX}") and path.is_file():
            path.unlink(missing_ok=True)


def _release_ids(releases_dir: Path) -> list[str]:
    return sorted(p.name for p in releases_dir.iterdir() if RELEASE_ID.fullmatch(p.name))


def new_release_id(releases_dir: Path, created: datetime) -> str:
    """A release id that sorts after every release in ``releases_dir`` (call with the lock held).

    The id is the creation second (UTC) and 8 hex digits: random below ``0x80000000`` for the first
    release of a second; above the largest one (by 1 to 65,536) for the next ones of the same second.
    When the newest release carries a later second (the clock went back), its second is used, so
    ``current`` only ever moves forward.
    """
    stamp = created.astimezone(UTC).replace(microsecond=0)
    ids = _release_ids(Path(releases_dir))
    while True:
        prefix = f"{stamp:%Y%m%dT%H%M%SZ}"
        newest = ids[-1] if ids else None
        if newest is not None and newest[:16] > prefix:
            stamp = datetime.strptime(newest[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            continue
        if newest is None or newest[:16] < prefix:
            return f"{prefix}-{secrets.randbelow(2**31):08x}"
        suffix = int(newest[17:], 16) + 1 + secrets.randbelow(2**16)
        if suffix >= 2**32:
            stamp += timedelta(seconds=1)
            continue
        return f"{prefix}-{suffix:08x}"


# ---- releases in memory ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Release:
    """The public part of a release loaded into memory (what the API and the maps read).

    ``path`` is the release folder; its files are read from ``path / PUBLIEK`` only. ``manifest`` is
    the public manifest; ``cells`` are the public cells (:data:`PUBLIC_CELL_COLUMNS`).
    """

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


@dataclass(frozen=True)
class StewardPart:
    """The steward part of a release (``beheer/``): the full manifest and the steward cells
    (private status, reason, audit columns; never a raw count)."""

    manifest: dict
    cells: pd.DataFrame


# ---- writing -----------------------------------------------------------------------------------------------------
def write_release(
    releases_dir: Path,
    *,
    areas: gpd.GeoDataFrame,
    cells: pd.DataFrame,
    scores: pd.DataFrame,
    rules: Rules,
    rules_text: str,
    manifest: dict,
    render: Callable[[Release, StewardPart], dict[str, str | bytes]] | None = None,
    now: datetime | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> Release:
    """Check, write and activate a new release; return its public part as loaded from disk.

    ``cells`` is the steward table (private status, reason, audit columns); the public cells are
    derived from it with :func:`public_cell_table`. ``manifest["inputs"]`` holds every input's hashes;
    only :data:`PUBLIC_INPUTS` reach the public manifest. ``render`` receives the release as written
    (read back from the temporary folder) and its steward part, and returns extra files (path relative
    to the release folder, under ``publiek/`` or ``beheer/`` → content), e.g. maps and the report;
    they are part of the release and its hashes. Takes :func:`releases_lock` unless the caller holds it.
    ``tables`` (name → frame of published-derived figures, never raw counts) are written as
    ``publiek/<name>.parquet`` and listed in the manifest under ``"tables"``.
    """
    tables = dict(tables or {})
    for name, frame in tables.items():
        if not name.isidentifier() or name in ("gebieden", "cellen", "scores"):
            raise ReleaseError(f"table name {name!r} is not allowed")
        if "count" in frame.columns:
            raise UnprotectedOutput(f"table {name!r} has a raw 'count' column; nothing was written")
    check_publishable(cells, rules)
    releases_dir = Path(releases_dir)
    with releases_lock(releases_dir, wait=True):
        return _write_locked(releases_dir, areas=areas, cells=cells, scores=scores, rules=rules,
                             rules_text=rules_text, manifest=manifest, render=render, now=now, tables=tables)


def _write_locked(releases_dir: Path, *, areas: gpd.GeoDataFrame, cells: pd.DataFrame, scores: pd.DataFrame,
                  rules: Rules, rules_text: str, manifest: dict,
                  render: Callable[[Release, StewardPart], dict[str, str | bytes]] | None,
                  now: datetime | None, tables: dict[str, pd.DataFrame]) -> Release:
    created = (now or datetime.now(UTC)).replace(microsecond=0)
    release_id = new_release_id(releases_dir, created)
    final = releases_dir / release_id
    tmp = releases_dir / f"{TMP_PREFIX}{release_id}-{os.getpid()}"
    inputs = dict(manifest.get("inputs", {}))
    full_manifest = {
        "release_id": release_id,
        "created": created.isoformat().replace("+00:00", "Z"),
        "code_version": _code_version(),
        **manifest,
        "rules_version": rules.version,
        **({"tables": sorted(tables)} if tables else {}),
    }
    public_manifest = {**full_manifest, "inputs": {k: v for k, v in inputs.items() if k in PUBLIC_INPUTS}}
    try:
        tmp.mkdir(mode=_FOLDER_MODE)
        os.chmod(tmp, _FOLDER_MODE)  # whatever the umask
        (tmp / PUBLIEK).mkdir()
        (tmp / BEHEER).mkdir(mode=_FOLDER_MODE)
        os.chmod(tmp / BEHEER, _FOLDER_MODE)
        areas.to_parquet(tmp / AREAS_FILE, index=False)
        public_cell_table(cells).to_parquet(tmp / CELLS_FILE, index=False)
        scores.to_parquet(tmp / SCORES_FILE, index=False)
        (tmp / RULES_FILE).write_text(rules_text, encoding="utf-8")
        _write_public_manifest(tmp, public_manifest)
        for name, frame in tables.items():
            frame.to_parquet(tmp / PUBLIEK / f"{name}.parquet", index=False)
        if render is not None:
            written = _load(tmp, release_id)
            for relative, content in render(written, StewardPart(full_manifest, cells.reset_index(drop=True))).items():
                if Path(relative).parts[0] not in (PUBLIEK, BEHEER) or ".." in Path(relative).parts:
                    raise ReleaseError(f"rendered file {relative!r} is outside {PUBLIEK}/ and {BEHEER}/")
                target = tmp / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
            _write_public_manifest(tmp, public_manifest)
        cells.to_parquet(tmp / STEWARD_CELLS_FILE, index=False)
        _write_steward_manifest(tmp, full_manifest)
        _restrict_beheer(tmp / BEHEER)
        for file in tmp.rglob("*"):
            if file.is_file():
                with open(file, "rb") as handle:
                    os.fsync(handle.fileno())
        _fsync_dir(tmp)
        current = _current_id(releases_dir)
        if current is not None and current >= release_id:  # new_release_id rules this out; belt and braces
            raise ReleaseError(f"release {release_id} would move current back from {current}; nothing was activated")
        os.rename(tmp, final)
        os.chmod(final, _PUBLIC_FOLDER_MODE)
        _fsync_dir(releases_dir)
        pointer = releases_dir / f".{CURRENT}{TMP_PREFIX}{os.getpid()}"
        pointer.write_text(release_id + "\n", encoding="utf-8")
        os.replace(pointer, releases_dir / CURRENT)
        _fsync_dir(releases_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return load_release(final)


def _current_id(releases_dir: Path) -> str | None:
    pointer = releases_dir / CURRENT
    return pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None


def _restrict_beheer(folder: Path) -> None:
    """Owner-only permissions on ``beheer/``: 0700 folders, 0600 files."""
    os.chmod(folder, _FOLDER_MODE)
    for path in folder.rglob("*"):
        os.chmod(path, _FOLDER_MODE if path.is_dir() else _FILE_MODE)


def _hashes(folder: Path, relative_to: Path, skip: set[Path]) -> dict[str, str]:
    return {str(p.relative_to(relative_to)): sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p not in skip}


def _dump(path: Path, manifest: dict) -> None:
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_public_manifest(release: Path, manifest: dict) -> None:
    """``publiek/manifest.json``: hashes of the public files, relative to ``publiek/`` (a copy of that
    folder verifies itself)."""
    public = release / PUBLIEK
    _dump(release / PUBLIC_MANIFEST,
          {**manifest, "outputs": _hashes(public, public, {release / PUBLIC_MANIFEST})})


def _write_steward_manifest(release: Path, manifest: dict) -> None:
    """``beheer/manifest.json``: every file of the release (both parts, the public manifest too), relative
    to the release folder."""
    _dump(release / STEWARD_MANIFEST,
          {**manifest, "outputs": _hashes(release, release, {release / STEWARD_MANIFEST})})


def export_public(releases_dir: Path, out_dir: Path) -> Path:
    """Copy the public part of the current release to ``out_dir/<id>/publiek/`` and point
    ``out_dir/current`` at it; return the copy's release folder.

    Only the files the public manifest lists (and the manifest) are copied, each checked against its
    hash first; ``out_dir`` can be served as a releases folder (``helpende-data serve --releases``).
    """
    source = current_release_dir(releases_dir)
    manifest = json.loads((source / PUBLIC_MANIFEST).read_text(encoding="utf-8"))
    verify_outputs(source / PUBLIEK, manifest)
    out_dir = Path(out_dir)
    target = out_dir / source.name
    if target.exists():
        raise ReleaseError(f"{target} exists already; releases are immutable")
    out_dir.mkdir(parents=True, exist_ok=True)
    with releases_lock(out_dir, wait=True):
        tmp = out_dir / f"{TMP_PREFIX}{source.name}-{os.getpid()}"
        try:
            for relative in [*manifest.get("outputs", {}), "manifest.json"]:
                destination = tmp / PUBLIEK / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / PUBLIEK / relative, destination)
            os.rename(tmp, target)
            os.chmod(target, _PUBLIC_FOLDER_MODE)
            current = _current_id(out_dir)
            if current is None or current < source.name:
                pointer = out_dir / f".{CURRENT}{TMP_PREFIX}{os.getpid()}"
                pointer.write_text(source.name + "\n", encoding="utf-8")
                os.replace(pointer, out_dir / CURRENT)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


# ---- reading -----------------------------------------------------------------------------------------------------
def verify_outputs(folder: Path, manifest: dict) -> None:
    """Raise :class:`~insights.errors.ReleaseNotFound` unless every file ``manifest["outputs"]`` lists
    (paths relative to ``folder``) exists with the listed SHA-256."""
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict) or not outputs:
        raise ReleaseNotFound(f"{folder.name}: the manifest lists no output hashes")
    for relative, digest in outputs.items():
        path = folder / relative
        if not path.is_file() or sha256_file(path) != digest:
            raise ReleaseNotFound(f"{folder.name}: {relative} is missing or differs from its manifest hash")


def current_release_dir(releases_dir: Path) -> Path:
    """The folder the ``current`` pointer names."""
    pointer = Path(releases_dir) / CURRENT
    if not pointer.exists():
        raise ReleaseNotFound(f"{releases_dir}: no current release; run 'helpende-data build' first")
    release_id = pointer.read_text(encoding="utf-8").strip()
    folder = Path(releases_dir) / release_id
    if not (folder / PUBLIC_MANIFEST).exists():
        raise ReleaseNotFound(f"{releases_dir}: current names {release_id!r}, which is not a complete release")
    return folder


@dataclass(frozen=True)
class EarlierRelease:
    """What a new build needs of an earlier release: its id, published cells and rules text."""

    id: str
    cells: pd.DataFrame
    rules_text: str


def earlier_releases(releases_dir: Path) -> list[EarlierRelease]:
    """Every complete release in ``releases_dir`` (oldest first, by id), with its public cells
    (``code``, ``period``, ``indicator``, ``value``, ``status``, ``min_count``, ``rounding_base``)
    and the text of its ``regels.toml``. Empty when the folder does not exist."""
    folder = Path(releases_dir)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not (path / PUBLIC_MANIFEST).exists():
            continue
        columns = ["code", "period", "indicator", "value", "status", "min_count", "rounding_base"]
        cells = pd.read_parquet(path / CELLS_FILE)  # the public part: what every attacker holds
        out.append(EarlierRelease(path.name, cells[[c for c in columns if c in cells.columns]],
                                  (path / RULES_FILE).read_text(encoding="utf-8")))
    return out


def load_release(folder: Path) -> Release:
    """Load the public part of a release folder into memory (reads ``publiek/`` only)."""
    folder = Path(folder)
    if not (folder / PUBLIC_MANIFEST).exists():
        raise ReleaseNotFound(f"{folder}: not a release (no {PUBLIC_MANIFEST})")
    return _load(folder, folder.name)


def _load(folder: Path, release_id: str) -> Release:
    manifest = json.loads((folder / PUBLIC_MANIFEST).read_text(encoding="utf-8"))
    return Release(
        id=release_id,
        path=folder,
        manifest=manifest,
        areas=gpd.read_parquet(folder / AREAS_FILE),
        cells=pd.read_parquet(folder / CELLS_FILE),
        scores=pd.read_parquet(folder / SCORES_FILE),
        tables={name: pd.read_parquet(folder / PUBLIEK / f"{name}.parquet") for name in manifest.get("tables", [])},
    )


def read_beheer(folder: Path) -> StewardPart:
    """The steward part of the release in ``folder``, its files checked against the steward manifest.

    The one reader of ``beheer/``. Raises :class:`~insights.errors.StewardPartMissing` when the release
    has no steward part here (e.g. a copy of ``publiek/`` only), and
    :class:`~insights.errors.ReleaseNotFound` when a file differs from its hash.
    """
    folder = Path(folder)
    if not (folder / STEWARD_MANIFEST).is_file():
        raise StewardPartMissing(f"release {folder.name} has no steward part ({BEHEER}/) on this machine; "
                                 "only its public part is available here")
    manifest = json.loads((folder / STEWARD_MANIFEST).read_text(encoding="utf-8"))
    steward_files = {k: v for k, v in manifest.get("outputs", {}).items() if k.startswith(f"{BEHEER}/")}
    verify_outputs(folder, {"outputs": steward_files})
    return StewardPart(manifest=manifest, cells=pd.read_parquet(folder / STEWARD_CELLS_FILE))
