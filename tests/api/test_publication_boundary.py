"""The API serves a release from its public part alone; the steward routes say clearly when ``beheer/`` is not
there. Over real HTTP, on a copy of the session's release whose steward part was deleted, and on the folder
``helpende-data export --publiek`` writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from api import create_app
from api.settings import ApiSettings
from insights.release import BEHEER, export_public
from tests.api.conftest import releases_with_copy_of
from tests.conftest import LiveServer

PUBLIC_ROUTES = [
    ("policy", "/v1/collections/wijken/items?gemeente=GM0193&limit=5"),
    ("policy", "/v1/cijfers?gemeente=GM0193&periode=2024"),
    ("wijkteam_zwolle", "/v1/trends/WK019310"),
    ("policy", "/v1/kaarten/regio"),
    ("wijkteam_zwolle", "/v1/kaarten/GM0193.png"),
    ("policy", "/v1/releases/current"),
    ("steward", "/v1/regels"),  # the rules are published with the release
]


def public_only_copy(release, tmp_path: Path, how: str) -> Path:
    releases = tmp_path / "releases"
    if how == "beheer deleted":
        shutil.rmtree(releases_with_copy_of(release, releases) / BEHEER)
    else:
        export_public(release.path.parent, releases)
    return releases


@pytest.mark.parametrize("how", ["beheer deleted", "export --publiek"])
def test_a_release_without_its_steward_part_is_served_except_the_steward_routes(ijsselland_release, keys, tmp_path,
                                                                               how):
    releases = public_only_copy(ijsselland_release, tmp_path, how)
    assert not any(p.name == BEHEER for p in releases.rglob("*"))
    with LiveServer(create_app(ApiSettings(releases_dir=releases, api_keys_file=keys.path))) as live:
        for actor, path in PUBLIC_ROUTES:
            r = httpx.get(live.url + path, headers=keys.headers(actor), timeout=60)
            assert r.status_code == 200, (path, r.text[:300])
        r = httpx.get(live.url + "/v1/onderdrukking?gemeente=GM0193", headers=keys.headers("steward"), timeout=60)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
        assert "steward part (beheer/)" in r.json()["detail"] and ijsselland_release.id in r.json()["detail"]
        # the same key still gets every public figure
        r = httpx.get(live.url + "/v1/cijfers?gebied=WK019310", headers=keys.headers("steward"), timeout=60)
        assert r.status_code == 200


def test_the_steward_route_reads_the_steward_part_when_it_is_there(live_url, keys):
    r = httpx.get(live_url + "/v1/onderdrukking?gemeente=GM0193", headers=keys.headers("steward"), timeout=60)
    assert r.status_code == 200
    rows = r.json()
    rows = rows if isinstance(rows, list) else next(v for v in rows.values() if isinstance(v, list))
    assert {"secundair", "onder_drempel"} & {row["status"] for row in rows}
    assert all("reason" in row and "audit_low" in row for row in rows)
