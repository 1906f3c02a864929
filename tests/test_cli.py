"""The command line as scripts and reviewers call it."""

import subprocess
import sys
from pathlib import Path

from insights.release import current_release_dir


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "insights.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_build_prints_release_id_and_folder_and_progress(small_world):
    result = run("build", "--boundaries", str(small_world.boundaries), "--indicators", str(small_world.indicators[0]),
                 "--releases", str(small_world.releases_dir), "--no-maps")
    assert result.returncode == 0, result.stderr
    release_id, folder = result.stdout.strip().split("\t")
    assert Path(folder) == current_release_dir(small_world.releases_dir)
    assert Path(folder).name == release_id
    assert "protecting and auditing IJsselland" in result.stderr


def test_bad_input_exits_non_zero_with_one_clear_line(small_world):
    indicators = small_world.indicators[0]
    indicators.write_text(indicators.read_text() + "WK019310;2025;10;-4;0\n")
    result = run("build", "--boundaries", str(small_world.boundaries), "--indicators", str(indicators),
                 "--releases", str(small_world.releases_dir), "--no-maps")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == "error: indicatoren.csv, row 12, column 'meldingen': '-4' is negative; counts are ≥ 0"
    assert "Traceback" not in result.stderr
    assert not Path(small_world.releases_dir).exists() or not any(Path(small_world.releases_dir).iterdir())


def test_unknown_region_lists_the_choices(small_world):
    result = run("build", "--region", "Atlantis", "--releases", str(small_world.releases_dir), "--no-maps")
    assert result.returncode == 1
    assert "unknown region 'Atlantis'" in result.stderr and "IJsselland" in result.stderr


def test_serve_without_release_says_to_build_first(tmp_path):
    result = run("serve", "--releases", str(tmp_path))
    assert result.returncode == 1
    assert "run 'helpende-data build' first" in result.stderr
