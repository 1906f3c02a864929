"""A release is a publication boundary: ``publiek/`` can be handed to anyone as it is; what only stewards
may see (private states, reasons, audit intervals, raw-input hashes, the steward report) is in ``beheer/``."""

from __future__ import annotations

import hashlib
import json
import re
import stat
from pathlib import Path

import pandas as pd
import pytest

from insights.cells import AUDIT_COLUMNS
from insights.disclosure.primary import Status
from insights.release import (
    BEHEER,
    PUBLIC_MANIFEST,
    PUBLIEK,
    STEWARD_MANIFEST,
    Release,
    export_public,
    load_release,
    read_beheer,
)

#: The states a steward sees and the public must not: "below the threshold" or "at least the threshold".
PRIVATE_STATUSES = sorted(set(Status.hidden) - set(Status.public))
PRIVATE_COLUMNS = {"reason", *AUDIT_COLUMNS}


def private_markers(release: Path) -> set[str]:
    """Every string that would betray steward knowledge if found in a public file: the private states,
    each reason text of the release, the audit columns' names and the SHA-256 of each raw indicator file."""
    steward = read_beheer(release)
    reasons = {str(r) for r in steward.cells["reason"].dropna().unique() if str(r)}
    raw_hashes = set(steward.manifest["inputs"]["indicators"].values())
    assert PRIVATE_STATUSES == ["onder_drempel", "secundair"]
    assert reasons and raw_hashes and all(len(h) == 64 for h in raw_hashes)
    return {*PRIVATE_STATUSES, *reasons, *raw_hashes, *AUDIT_COLUMNS}


def _holds(data: bytes, marker: str) -> bool:
    """``marker`` as a word of its own (the method's prose may say "secundaire onderdrukking")."""
    return re.search(rb"(?<![\w])" + re.escape(marker.encode()) + rb"(?![\w])", data) is not None


def leaks(folder: Path, markers: set[str]) -> list[str]:
    """What of ``markers`` (and which private column or state) each file under ``folder`` holds.

    Parquet files are read as tables (their pages are compressed): column names, every status and every
    text value are checked; any other file is searched byte for byte."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            if set(frame.columns) & PRIVATE_COLUMNS:
                found.append(f"{name}: column(s) {sorted(set(frame.columns) & PRIVATE_COLUMNS)}")
            if "status" in frame.columns and set(frame["status"].dropna()) - set(Status.public):
                found.append(f"{name}: status {sorted(set(frame['status'].dropna()) - set(Status.public))}")
            texts = "\n".join(str(v) for c in frame.columns if frame[c].dtype.kind in "OSU" or str(frame[c].dtype)
                              in ("string", "str") for v in frame[c].dropna().unique() if isinstance(v, str))
            found += [f"{name}: {m!r}" for m in sorted(markers) if _holds(texts.encode(), m)]
        else:
            data = path.read_bytes()
            found += [f"{name}: {m!r}" for m in sorted(markers) if _holds(data, m)]
    return found


def assert_public_part_is_clean(release: Release) -> None:
    markers = private_markers(release.path)
    assert leaks(release.path / BEHEER, markers), "the check must see what the steward part holds"
    assert leaks(release.path / PUBLIEK, markers) == []
    statuses = set(release.cells["status"])
    assert Status.protected in statuses and statuses <= set(Status.public)


def test_the_public_part_of_a_release_with_maps_holds_nothing_private(ijsselland_release):
    assert any(p.suffix == ".html" for p in (ijsselland_release.path / PUBLIEK).rglob("*"))
    assert_public_part_is_clean(ijsselland_release)


@pytest.mark.slow
def test_the_public_part_of_a_whole_netherlands_release_holds_nothing_private(national_release):
    assert national_release.manifest["counts"]["wijken"] > 3000
    assert_public_part_is_clean(national_release)


def test_each_manifest_lists_its_part_with_hashes(ijsselland_release):
    folder = ijsselland_release.path
    public = json.loads((folder / PUBLIC_MANIFEST).read_text())
    on_disk = {str(p.relative_to(folder / PUBLIEK)) for p in (folder / PUBLIEK).rglob("*") if p.is_file()}
    assert set(public["outputs"]) == on_disk - {"manifest.json"}
    assert set(public["inputs"]) == {"boundaries", "regions", "rules"}  # open data and the published rules
    full = json.loads((folder / STEWARD_MANIFEST).read_text())
    everything = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert set(full["outputs"]) == everything - {STEWARD_MANIFEST}
    for relative, digest in full["outputs"].items():
        assert hashlib.sha256((folder / relative).read_bytes()).hexdigest() == digest, relative
    assert "indicators" in full["inputs"]


def test_the_steward_part_is_owner_only(ijsselland_release):
    folder = ijsselland_release.path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / BEHEER).stat().st_mode) == 0o700
    paths = list((folder / BEHEER).rglob("*"))
    assert any(p.is_dir() for p in paths) and any(p.is_file() for p in paths)
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


def test_export_copies_the_public_part_only_and_can_be_loaded(ijsselland_release, tmp_path):
    from tests.conftest import snapshot

    out = tmp_path / "deelbaar"
    copy = export_public(ijsselland_release.path.parent, out)
    assert (out / "current").read_text().strip() == ijsselland_release.id
    assert [p.name for p in copy.iterdir()] == [PUBLIEK]
    assert snapshot(copy / PUBLIEK) == snapshot(ijsselland_release.path / PUBLIEK)
    loaded = load_release(copy)
    assert loaded.id == ijsselland_release.id and len(loaded.cells) == len(ijsselland_release.cells)
