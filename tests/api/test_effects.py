"""Profiles, trend tests and intervention effects over a real HTTP server, with the roles and scopes of
the other routes."""

from __future__ import annotations

import httpx
import pytest

MARKERS = {"stijgend", "dalend", "geen duidelijke verandering", "onvoldoende gegevens"}


def get(live_url: str, path: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(live_url + path, headers=headers, timeout=30)


def test_trend_returns_a_test_and_a_marker_per_indicator(live_url, keys):
    body = get(live_url, "/v1/trends/GM0193", keys.headers("wijkteam_zwolle")).json()
    tests = {t["indicator"]: t for t in body["toetsen"]}
    assert set(tests) == set(body["indicatoren"])
    for t in tests.values():
        assert t["marker"] in MARKERS
        if t["marker"] != "onvoldoende gegevens":
            assert t["apc_low95"] <= t["apc"] <= t["apc_high95"]
            assert (t["marker"] in ("stijgend", "dalend")) == (t["p_value"] < 0.05)


def test_profile_puts_every_indicator_against_the_region_with_its_series(live_url, keys):
    response = get(live_url, "/v1/profielen/WK019330", keys.headers("wijkteam_zwolle"))
    assert response.status_code == 200
    body = response.json()
    assert body["periode"] == 2024 and body["synthetisch"] is True
    names = [i["indicator"] for i in body["indicatoren"]]
    assert names == ["schulden", "echtscheidingen", "meldingen", "hermeldingen"]
    for item in body["indicatoren"]:
        p = item["profiel"]
        assert p["trend"] in MARKERS
        assert p["regio_rate"] > 0
        if p["value"] is None:  # hidden: null with a status, never 0
            assert p["status"] != "gepubliceerd" and p["rate"] is None
        else:
            assert p["rate_low95"] <= p["rate"] <= p["rate_high95"]
        assert [r["period"] for r in item["reeks"]] == [2020, 2021, 2022, 2023, 2024]
    repeat = next(i for i in body["indicatoren"] if i["indicator"] == "hermeldingen")["profiel"]
    if repeat["repeat_share"] is not None:
        assert repeat["repeat_low95"] <= repeat["repeat_share"] <= repeat["repeat_high95"]


@pytest.mark.parametrize(("actor", "path", "status"), [
    ("wijkteam_deventer", "/v1/profielen/WK019330", 403),  # outside the key's gemeente
    ("wijkteam_zwolle", "/v1/profielen/WK999999", 404),
    ("wijkteam_zwolle", "/v1/effecten", 403),  # effects are for policy staff
    ("steward", "/v1/effecten", 200),
])
def test_profiles_and_effects_keep_roles_and_scopes(live_url, keys, actor, path, status):
    assert get(live_url, path, keys.headers(actor)).status_code == status


def test_effects_list_the_example_interventions_with_verdicts_only_in_scope(live_url, keys):
    body = get(live_url, "/v1/effecten", keys.headers("policy")).json()
    assert body["aantal"] == 3  # the bundled example: meldingen + hermeldingen, and schulden
    for row in body["effecten"]:
        assert row["interventie"].startswith("Voorbeeld")
        assert row["low95"] <= row["rate_ratio"] <= row["high95"]
        assert "geen bewijs van oorzaak" in row["caveats"]
        assert row["verdict"]
    elsewhere = get(live_url, "/v1/effecten", keys.headers("policy_elsewhere")).json()
    assert elsewhere["aantal"] == 0


def test_openapi_documents_the_new_routes(live_url):
    paths = httpx.get(live_url + "/v1/openapi.json", timeout=30).json()["paths"]
    assert {"/profielen/{gebiedscode}", "/effecten"} <= set(paths)  # server URL /v1
    assert "toetsen" in str(paths["/trends/{gebiedscode}"])
