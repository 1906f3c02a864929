"""Releases: immutable folders, atomic switch, and a writer that refuses unprotected tables."""

from pathlib import Path

import pandas as pd
import pytest

from geo.errors import InputFileError
from insights.errors import ReleaseNotFound, RulesError, UnprotectedOutput
from insights.ingest import read_rules
from insights.pipeline import build_release
from insights.release import check_publishable, current_release_dir, load_release, read_beheer
from tests.conftest import snapshot


def quiet(_: str) -> None:
    pass


def public_frame(**overrides) -> pd.DataFrame:
    row = {"code": "WK019310", "level": "wijk", "gemeente": "GM0193", "regio": "VR04", "period": 2024,
           "indicator": "meldingen", "value": 40, "status": "gepubliceerd", "reason": "", "denominator": 4330,
           "min_count": 10, "rounding_base": 5}
    row.update(overrides)
    frame = pd.DataFrame([row])
    frame["value"] = frame["value"].astype("Int64")
    return frame


@pytest.fixture
def rules(bundled_settings):
    return read_rules(bundled_settings.rules)


def test_writer_accepts_a_protected_table(rules):
    check_publishable(public_frame(), rules)


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"value": 42}, "not a multiple of 5"),
        ({"value": 5}, "below 10"),
        ({"status": "onder_drempel", "value": 0}, "carries a value"),
        ({"status": "zomaar"}, "unknown cell status"),
    ],
)
def test_writer_refuses_unprotected_values(rules, overrides, problem):
    with pytest.raises(UnprotectedOutput, match=problem):
        check_publishable(public_frame(**overrides), rules)


def test_writer_refuses_a_raw_count_column(rules):
    with pytest.raises(UnprotectedOutput, match="non-public column"):
        check_publishable(public_frame().assign(count=41), rules)


def test_build_writes_an_immutable_release_and_points_current_at_it(small_world):
    release = build_release(small_world, progress=quiet)
    releases = Path(small_world.releases_dir)
    assert current_release_dir(releases) == release.path
    manifest = release.manifest  # the public manifest: no hash of the raw indicator files
    assert manifest["release_id"] == release.id
    assert "indicators" not in manifest["inputs"]
    assert len(manifest["inputs"]["rules"]["disclosure.toml"]) == 64  # SHA-256 hex
    assert manifest["synthetic"] is False
    assert {"gebieden.parquet", "cellen.parquet", "scores.parquet", "regels.toml"} <= set(manifest["outputs"])
    full = read_beheer(release.path).manifest  # the steward manifest: every input, both parts
    assert set(full["inputs"]["indicators"]) == {"indicatoren.csv"}
    assert {"publiek/cellen.parquet", "publiek/manifest.json", "beheer/cellen.parquet"} <= set(full["outputs"])
    reloaded = load_release(release.path)
    assert "count" not in reloaded.cells.columns
    assert reloaded.areas.crs.to_epsg() == 28992
    assert not any(p.name.startswith(".tmp") for p in releases.iterdir())


def test_second_build_switches_current_and_keeps_the_first(small_world):
    from datetime import UTC, datetime

    first = build_release(small_world, progress=quiet)
    before = snapshot(first.path)
    second = build_release(small_world, progress=quiet)  # most likely in the same second
    assert second.id > first.id
    assert second.manifest["previous_release"] == first.id
    assert current_release_dir(small_world.releases_dir) == second.path
    assert snapshot(first.path) == before
    assert datetime.fromisoformat(second.manifest["created"].replace("Z", "+00:00")) <= datetime.now(UTC)


MALFORMED = {
    "unknown code": "WK019399;2024;10;10;1",
    "duplicate code and period": "WK019310;2023;10;20;5",
    "negative count": "WK019310;2025;10;-1;0",
    "numerator above denominator": "WK019310;2025;10;20;21",
    "non-numeric": "WK019310;2025;tien;20;5",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_failed_build_leaves_previous_release_byte_identical(small_world, body):
    build_release(small_world, progress=quiet)
    before = snapshot(Path(small_world.releases_dir))
    indicators = small_world.indicators[0]
    indicators.write_text(indicators.read_text() + body + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="indicatoren.csv, row 12"):
        build_release(small_world, progress=quiet)
    assert snapshot(Path(small_world.releases_dir)) == before


def test_misspelled_column_and_bad_rules_leave_previous_release_byte_identical(small_world, tmp_path):
    build_release(small_world, progress=quiet)
    before = snapshot(Path(small_world.releases_dir))
    indicators = small_world.indicators[0]
    indicators.write_text(indicators.read_text().replace("meldingen;", "meldngen;", 1), encoding="utf-8")
    with pytest.raises(InputFileError, match="column 'meldngen'"):
        build_release(small_world, progress=quiet)
    bad_rules = tmp_path / "regels.toml"
    bad_rules.write_text('version = "x"\n[defaults]\nmin_count = 2\nrounding_base = 5\n')
    with pytest.raises(RulesError, match="below rounding_base"):
        build_release(small_world.model_copy(update={"rules": bad_rules}), progress=quiet)
    assert snapshot(Path(small_world.releases_dir)) == before


def test_failure_while_writing_removes_the_temporary_folder(small_world, monkeypatch):
    build_release(small_world, progress=quiet)
    before = snapshot(Path(small_world.releases_dir))

    def broken_render(release, steward):
        raise OSError("disk full")

    import insights.release as release_module

    original = release_module.write_release
    monkeypatch.setattr(
        "insights.pipeline.write_release", lambda *a, **k: original(*a, **{**k, "render": broken_render})
    )
    with pytest.raises(OSError, match="disk full"):
        build_release(small_world, progress=quiet)
    assert snapshot(Path(small_world.releases_dir)) == before


def test_no_release_yet_is_a_clear_error(tmp_path):
    with pytest.raises(ReleaseNotFound, match="run 'helpende-data build' first"):
        current_release_dir(tmp_path)
