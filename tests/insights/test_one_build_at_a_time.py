"""One build at a time per releases folder: a lock for the whole build, ids that never collide, ``current``
only moving forward, and what killed builds left behind removed by the next one. Real processes."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from insights.errors import BuildInProgress
from insights.pipeline import build_release
from insights.release import (
    BEHEER,
    CURRENT,
    PUBLIC_MANIFEST,
    current_release_dir,
    load_release,
    new_release_id,
    releases_lock,
)
from tests.conftest import snapshot


def quiet(_: str) -> None:
    pass


def cli_build(settings, stderr: Path, *extra: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "helpende_data.cli", "build", "--boundaries", str(settings.boundaries),
            "--indicators", str(settings.indicators[0]), "--releases", str(settings.releases_dir), "--no-maps", *extra]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr.open("w"), text=True)


def wait_for(condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_two_builds_started_together_run_one_after_the_other(small_world, tmp_path):
    releases = Path(small_world.releases_dir)
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    with releases_lock(releases):  # held here until both builds are known to be waiting for it
        builds = [cli_build(small_world, log) for log in logs]
        wait_for(lambda: all("waiting for it to finish" in log.read_text() for log in logs))
    outputs = [b.communicate(timeout=300)[0] for b in builds]
    assert [b.returncode for b in builds] == [0, 0], [log.read_text() for log in logs]
    first, second = sorted(line.split("\t")[0] for line in outputs)
    assert first != second
    assert current_release_dir(releases).name == second
    # the later build saw the earlier one as the release before it: they were audited against each other
    assert load_release(releases / second).manifest["previous_release"] == first
    assert load_release(releases / first).manifest["previous_release"] is None


def test_a_build_told_not_to_wait_exits_with_one_clear_line(small_world, tmp_path):
    releases = Path(small_world.releases_dir)
    log = tmp_path / "build.log"
    with releases_lock(releases):
        build = cli_build(small_world, log, "--no-wait")
        build.communicate(timeout=300)
    assert build.returncode == 1
    assert log.read_text().strip().splitlines()[-1] == (
        f"error: {releases}: another build is writing to this releases folder; try again when it has finished")
    assert not (releases / CURRENT).exists()


def test_a_build_that_may_not_wait_fails_while_another_process_holds_the_lock_and_runs_once_it_is_gone(small_world):
    releases = Path(small_world.releases_dir)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from insights.release import releases_lock\n"
        f"with releases_lock({str(releases)!r}):\n    print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(BuildInProgress, match="another build is writing"):
            build_release(small_world, progress=quiet, wait=False)
    finally:
        holder.kill()
        holder.wait()
    build_release(small_world, progress=quiet, wait=False)  # a dead holder's lock is gone


KILLED_BUILD = """
import sys, time
from pathlib import Path
import insights.pipeline as pipeline
from insights.settings import BuildSettings

def hang(release, steward, maps=True):
    Path(sys.argv[2]).write_text(str(release.path))
    time.sleep(300)

pipeline.render_release_files = hang
pipeline.build_release(BuildSettings.model_validate_json(sys.argv[1]), progress=lambda _: None)
"""


def test_a_killed_build_leaves_current_alone_and_the_next_build_removes_its_temporary_folder(small_world, tmp_path):
    releases = Path(small_world.releases_dir)
    first = build_release(small_world, progress=quiet)
    before = snapshot(releases)
    ready = tmp_path / "ready"
    killed = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, small_world.model_dump_json(), str(ready)])
    try:
        wait_for(ready.exists)
        tmp = Path(ready.read_text())
        assert tmp.parent == releases and tmp.name.startswith(".tmp-")
        assert stat.S_IMODE(tmp.stat().st_mode) == 0o700  # what it holds is the steward's until renamed
        assert stat.S_IMODE((tmp / BEHEER).stat().st_mode) == 0o700
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait()
    assert tmp.exists()  # a killed build cannot clean up after itself
    assert {k: v for k, v in snapshot(releases).items() if not k.startswith(".tmp-")} == before
    assert current_release_dir(releases) == first.path
    (releases / f".{CURRENT}.tmp-{killed.pid}").write_text("x\n")  # as if killed while moving the pointer

    second = build_release(small_world, progress=quiet)
    assert sorted(p.name for p in releases.iterdir() if p.name.startswith(".")) == []
    assert current_release_dir(releases) == second.path


def test_release_ids_of_the_same_second_do_not_collide_and_sort_in_build_order(tmp_path):
    now = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)
    ids: list[str] = []
    for _ in range(200):
        ids.append(new_release_id(tmp_path, now))
        (tmp_path / ids[-1]).mkdir()
    assert len(set(ids)) == 200 and ids == sorted(ids)
    assert all(i.startswith("20261204T120000Z-") for i in ids)


def test_release_ids_move_forward_when_the_clock_goes_back_or_a_second_is_full(tmp_path):
    (tmp_path / "20261204T120005Z-0000abcd").mkdir()
    assert new_release_id(tmp_path, datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)) > "20261204T120005Z-0000abcd"
    (tmp_path / "20261204T120005Z-ffffffff").mkdir()
    assert new_release_id(tmp_path, datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)).startswith("20261204T120006Z-")


def test_current_only_moves_forward_past_a_release_from_the_future(small_world):
    releases = Path(small_world.releases_dir)
    first = build_release(small_world, progress=quiet)
    future = releases / "29991231T235959Z-00000000"  # e.g. built on a machine whose clock ran ahead
    shutil.copytree(first.path, future)
    (releases / CURRENT).write_text(future.name + "\n")
    second = build_release(small_world, progress=quiet)
    assert second.id > future.name
    assert current_release_dir(releases) == second.path
    assert (second.path / PUBLIC_MANIFEST).exists() and os.access(second.path, os.R_OK)
