"""The synthetic registrations aggregate back to the counts they were drawn from, and build the same release."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from insights.ingest import read_indicator_file
from insights.registrations import aggregate_registrations
from insights.registrations.__main__ import write_synthetic_registrations
from insights.settings import BuildSettings

INDICATORS = ["schulden", "echtscheidingen", "meldingen", "hermeldingen"]


@pytest.fixture(scope="module")
def ijsselland_records(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("registraties") / "ijsselland.parquet"
    write_synthetic_registrations(path, region="IJsselland")
    return path


def test_generator_is_seeded_and_labelled(locator, ijsselland_records):
    from insights.registrations.synthetic import generate_registrations

    counts = read_indicator_file(BuildSettings().indicators[0]).wijken
    few = counts[counts["code"].isin(["WK014801", "WK014802"])]
    records = generate_registrations(few, locator, seed=3)
    assert set(records["synthetisch"]) == {"ja"}
    assert list(records.columns) == ["huishouden", "datum", "soort", "x", "y", "synthetisch"]
    assert records.equals(generate_registrations(few, locator, seed=3))
    assert not records.equals(generate_registrations(few, locator, seed=4))
    assert pd.read_parquet(ijsselland_records)["huishouden"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_aggregated_records_equal_the_counts_they_were_drawn_from(boundaries, ijsselland_records):
    result = aggregate_registrations([ijsselland_records], boundaries)
    counts = read_indicator_file(BuildSettings().indicators[0]).wijken
    got = result.table.frame.set_index(["code", "period"])[INDICATORS]
    expected = counts.set_index(["code", "period"]).loc[got.index, INDICATORS]
    assert result.table.synthetic
    assert result.duplicates > 0 and not result.unassigned
    pd.testing.assert_frame_equal(got.astype("int64"), expected.astype("int64"), check_index_type=False)
    assert got["hermeldingen"].sum() > 0


def test_a_release_built_from_records_equals_the_release_of_the_counts(tmp_path, ijsselland_records,
                                                                        ijsselland_release):
    from insights.pipeline import build_release

    settings = BuildSettings(registraties=[ijsselland_records], releases_dir=tmp_path / "releases")
    release = build_release(settings, progress=lambda _: None)
    key = ["code", "period", "indicator"]
    ours = release.cells.sort_values(key).reset_index(drop=True)
    theirs = ijsselland_release.cells.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(ours[[*key, "value", "status"]], theirs[[*key, "value", "status"]])
    assert release.synthetic
    import json

    from insights.release import STEWARD_MANIFEST

    inputs = json.loads((release.path / STEWARD_MANIFEST).read_text())["inputs"]["indicators"]
    assert set(inputs) == {"ijsselland.parquet", "registraties.toml"}  # hashes, steward manifest only
    assert "indicators" not in release.manifest["inputs"]
    assert all(len(h) == 64 for h in inputs.values())
    keys = set(pd.read_parquet(ijsselland_records)["huishouden"].head(1000))
    for path in release.path.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            assert not any(k in text for k in list(keys)[:50]), path.name
