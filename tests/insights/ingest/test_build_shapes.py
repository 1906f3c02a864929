"""Through the build and the command line: every bad shape fails with its line and leaves the releases
folder byte-identical; the real shapes (StatLine, cbsodata Parquet, xlsx, mapped export) build."""

import subprocess
import sys
from pathlib import Path

import pytest

from geo.errors import HelpendeDataError
from insights.pipeline import build_release
from insights.release import current_release_dir, load_release, read_beheer
from tests.conftest import make_small_world, snapshot

from .shapes import BAD, GOOD, materialise

BUILT = ("statline-download", "cbsodata-parquet", "xlsx-numbers-and-names", "mapping-municipal")


@pytest.fixture(scope="module")
def world(tmp_path_factory, bundled_settings):
    """The small world with one release already built (the release a failed build must not touch)."""
    settings = make_small_world(tmp_path_factory.mktemp("world"), bundled_settings)
    build_release(settings, progress=lambda _: None)
    return settings


@pytest.mark.parametrize("shape", BAD, ids=[s.id for s in BAD])
def test_bad_shape_fails_the_build_and_leaves_the_releases_byte_identical(shape, world, tmp_path):
    path, mapping = materialise(shape, tmp_path)
    before = snapshot(world.releases_dir)
    with pytest.raises(HelpendeDataError) as caught:
        build_release(world.model_copy(update={"indicators": [path], "mapping": mapping}),
                      progress=lambda _: None)
    assert str(caught.value) == shape.error
    assert snapshot(world.releases_dir) == before


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helpende_data.cli", *args], check=False, capture_output=True, text=True, timeout=300
    )


def test_cli_refuses_a_decimal_comma_in_a_comma_file_in_one_line(world, tmp_path):
    shape = next(s for s in BAD if s.id == "comma-file-decimal-comma")
    path, _ = materialise(shape, tmp_path)
    before = snapshot(world.releases_dir)
    result = cli("build", "--boundaries", str(world.boundaries), "--indicators", str(path),
                 "--releases", str(world.releases_dir), "--no-maps")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"error: {shape.error}"
    assert "Traceback" not in result.stderr
    assert snapshot(world.releases_dir) == before


@pytest.mark.parametrize("shape_id", BUILT)
def test_real_shape_builds_through_the_cli(shape_id, tmp_path, bundled_settings):
    settings = make_small_world(tmp_path / "world", bundled_settings)
    shape = next(s for s in GOOD if s.id == shape_id)
    path, mapping = materialise(shape, tmp_path / "input")
    result = cli("build", "--boundaries", str(settings.boundaries), "--indicators", str(path),
                 "--releases", str(settings.releases_dir), "--no-maps",
                 *(["--mapping", str(mapping)] if mapping else []))
    assert result.returncode == 0, result.stderr
    for note in shape.notes:
        assert note in result.stderr  # ignored columns, skipped rows and checked totals are told on stderr
    release = load_release(current_release_dir(settings.releases_dir))
    cells = release.cells.set_index(["code", "period", "indicator"])
    assert Path(path).name in read_beheer(release.path).manifest["inputs"]["indicators"]  # raw hashes: steward part
    assert ("GM0193", 2024, "meldingen") in cells.index  # the gemeente figure is derived from the wijken
