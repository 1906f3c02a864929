"""Each role × each endpoint × in/out of the key's areas, over real HTTP; plus 401 for no/bad credentials."""

from __future__ import annotations

import httpx
import pytest

PUBLIC = ["/v1", "/v1/conformance", "/v1/openapi.json", "/v1/docs"]

READERS = ("wijkteam", "policy", "steward")
POLICY = ("policy", "steward")
STEWARD = ("steward",)

# (path, roles allowed, bound to an area of Zwolle/IJsselland?)
ENDPOINTS = [
    ("/v1/collections", READERS, False),
    ("/v1/collections/wijken", READERS, False),
    ("/v1/collections/wijken/items?gemeente=GM0193&limit=10", READERS, True),
    ("/v1/collections/wijken/items/WK019310", READERS, True),
    ("/v1/collections/wijken/items/WK019310?crs=http://www.opengis.net/def/crs/EPSG/0/28992", READERS, True),
    ("/v1/collections/gemeenten/items/GM0193", READERS, True),
    ("/v1/cijfers?gemeente=GM0193&periode=2024", POLICY, True),
    ("/v1/cijfers?gebied=WK019310&f=csv", POLICY, True),
    ("/v1/cijfers?gebied=GM0193&f=geojson", POLICY, True),
    ("/v1/cijfers?gebied=GM0193&f=parquet", POLICY, True),
    ("/v1/trends/WK019310", READERS, True),
    ("/v1/regels", STEWARD, False),
    ("/v1/onderdrukking?gemeente=GM0193", STEWARD, True),
    ("/v1/onderdrukking?gebied=WK019310&f=csv", STEWARD, True),
    ("/v1/releases/current", READERS, False),
    ("/v1/releases", STEWARD, False),
    ("/v1/kaarten", READERS, False),
    ("/v1/kaarten/GM0193", READERS, True),
]
IN_SCOPE = {"wijkteam": "wijkteam_zwolle", "policy": "policy", "steward": "steward"}
OUT_OF_SCOPE = {"wijkteam": "wijkteam_deventer", "policy": "policy_elsewhere", "steward": "steward_elsewhere"}

CASES = [
    pytest.param(path, role, scope, id=f"{role}-{scope}-{path}")
    for path, _, _ in ENDPOINTS for role in READERS for scope in ("in", "out")
]


def expected(path: str, role: str, scope: str) -> int:
    allowed, bound = next((a, b) for p, a, b in ENDPOINTS if p == path)
    if role not in allowed:
        return 403
    if bound and scope == "out":
        return 403
    return 200


@pytest.mark.parametrize(("path", "role", "scope"), CASES)
def test_role_and_scope_over_real_http(live_url, keys, path, role, scope):
    actor = IN_SCOPE[role] if scope == "in" else OUT_OF_SCOPE[role]
    r = httpx.get(live_url + path, headers=keys.headers(actor), timeout=30)
    assert r.status_code == expected(path, role, scope), r.text[:300]
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", [p for p, _, _ in ENDPOINTS] + ["/v1/kaarten/regio", "/v1/releases/x"])
@pytest.mark.parametrize("credentials", [{}, {"X-API-Key": "hd_not-a-key"}, {"Authorization": "Bearer not.a.jwt"}],
                         ids=["none", "bad-key", "bad-token"])
def test_missing_or_invalid_credentials_are_401(live_url, path, credentials):
    r = httpx.get(live_url + path, headers=credentials, timeout=30)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "www-authenticate" in r.headers


@pytest.mark.parametrize("path", PUBLIC)
def test_landing_conformance_openapi_and_docs_need_no_login(live_url, path):
    assert httpx.get(live_url + path, timeout=30).status_code == 200


def test_wijkteam_list_is_narrowed_to_its_own_gemeente(client, keys):
    r = client.get("/v1/collections/wijken/items?limit=1000", headers=keys.headers("wijkteam_zwolle"))
    features = r.json()["features"]
    assert features and {f["properties"]["gemeente"] for f in features} == {"GM0193"}
    assert r.json()["numberMatched"] == len(features)


def test_wijkteam_sees_no_region_feature_and_no_region_map(client, keys):
    h = keys.headers("wijkteam_zwolle")
    assert client.get("/v1/collections/regios/items/VR04", headers=h).status_code == 403
    assert client.get("/v1/collections/regios/items", headers=h).json()["features"] == []
    assert client.get("/v1/kaarten/regio", headers=h).status_code == 403
    assert client.get("/v1/collections/wijken/items?regio=VR04", headers=h).status_code == 403
    assert [m["naam"] for m in client.get("/v1/kaarten", headers=h).json()["kaarten"]] == ["GM0193"]


def test_wijkteam_key_for_the_whole_region_sees_the_region_map(client, keys):
    h = keys.headers("wijkteam_regio")
    assert client.get("/v1/kaarten/regio", headers=h).status_code == 200
    assert client.get("/v1/collections/regios/items/VR04", headers=h).status_code == 200
    assert client.get("/v1/cijfers", headers=h).status_code == 403  # still a wijkteam: no aggregates


@pytest.mark.parametrize("actor", ["policy", "steward"])
def test_policy_and_steward_see_the_region_map(client, keys, actor):
    assert client.get("/v1/kaarten/regio", headers=keys.headers(actor)).status_code == 200
    assert client.get("/v1/kaarten/regio", headers=keys.headers(f"{actor}_elsewhere")).status_code == 403


def test_browser_may_send_the_key_as_basic_password_for_maps_only(client, keys):
    auth = ("kaart", keys.wijkteam_zwolle)
    assert client.get("/v1/kaarten/GM0193", auth=auth).status_code == 200
    r = client.get("/v1/kaarten/GM0193")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    assert client.get("/v1/collections/wijken/items/WK019310", auth=auth).status_code == 401


def test_out_of_scope_key_sees_nothing_in_lists(client, keys):
    r = client.get("/v1/cijfers", headers=keys.headers("policy_elsewhere"))
    assert r.status_code == 200 and r.json()["aantal"] == 0
    r = client.get("/v1/collections/wijken/items", headers=keys.headers("steward_elsewhere"))
    assert r.json()["features"] == []
