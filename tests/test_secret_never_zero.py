"""A value secret in the source stays secret all the way: cells, totals, scores, API and map."""


import httpx
import pandas as pd
import pytest

from dashboards.pages import render_release_pages
from insights.pipeline import build_release
from insights.release import MAPS_DIR
from tests.conftest import LiveServer


@pytest.fixture
def release_with_secret(small_world):
    indicators = small_world.indicators[0]
    lines = indicators.read_text().splitlines()
    lines = [line.replace("WK019311;2024;145;48;", "WK019311;2024;145;.;") for line in lines]
    assert any(";.;" in line for line in lines)
    indicators.write_text("\n".join(lines) + "\n")
    return build_release(small_world, progress=lambda _: None, extra_files=render_release_pages)


def cell(release, code, indicator="meldingen", period=2024):
    cells = release.cells
    return cells[(cells["code"] == code) & (cells["indicator"] == indicator) & (cells["period"] == period)].iloc[0]


def test_secret_input_is_hidden_with_its_reason_and_its_totals_are_unknown(release_with_secret):
    wijk = cell(release_with_secret, "WK019311")
    assert wijk["value"] is pd.NA and wijk["status"] == "geheim_in_bron"
    for total in ("GM0193", "VR04"):
        assert cell(release_with_secret, total)["value"] is pd.NA
    # hermeldingen of that wijk are divided by a secret: no published denominator
    assert cell(release_with_secret, "WK019311", "hermeldingen")["denominator"] is pd.NA


def test_secret_input_has_no_score(release_with_secret):
    scores = release_with_secret.scores
    row = scores[(scores["code"] == "WK019311") & (scores["indicator"] == "meldingen") & (scores["period"] == 2024)]
    assert row["smr"].isna().all()


def test_secret_input_is_null_with_status_through_the_api_and_labelled_on_the_map(
    release_with_secret, small_world, tmp_path
):
    from api import create_app
    from api.keys import Role, issue_key
    from api.settings import ApiSettings

    keys = tmp_path / "keys.json"
    key = issue_key(keys, Role.policy, ["*"])
    settings = ApiSettings(releases_dir=small_world.releases_dir, api_keys_file=keys)
    with LiveServer(create_app(settings)) as live:
        response = httpx.get(f"{live.url}/v1/collections/wijken/items/WK019311", headers={"X-API-Key": key}, timeout=30)
        assert response.status_code == 200, response.text
        props = response.json()["properties"]
    assert props["meldingen"] is None
    assert props["meldingen_status"] == "geheim_in_bron"
    assert props["meldingen_smr"] is None
    html = (release_with_secret.path / MAPS_DIR / "GM0193.html").read_text()
    assert "beschermd: te weinig waarnemingen" in html
