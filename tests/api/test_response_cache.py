"""The response cache answers a repeat exactly as the app would, and never across scopes, keys or releases."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.keys import issue_key
from api.response_cache import CachedResponse, ResponseCache
from api.settings import ApiSettings
from tests.api.conftest import publish_copy_as, releases_with_copy_of
from tests.conftest import LiveServer

ITEM = "/v1/collections/wijken/items/WK019310"
WHOLE_PAGE = "/v1/collections/wijken/items?limit=1000"

CACHEABLE = [
    ("policy", ITEM),
    ("policy", "/v1/collections/wijken/items?limit=10&offset=10"),
    ("policy", "/v1/collections/wijken/items?crs=http://www.opengis.net/def/crs/EPSG/0/28992&limit=3"),
    ("policy", "/v1/collections"),
    ("policy", "/v1/collections/gemeenten"),
    ("policy", "/v1/cijfers?gemeente=GM0193&periode=2024"),
    ("policy", "/v1/cijfers?gemeente=GM0193&periode=2024&f=csv"),
    ("policy", "/v1/cijfers?gebied=GM0193&f=geojson"),
    ("wijkteam_zwolle", "/v1/trends/WK019310"),
    ("steward", "/v1/regels"),
    ("steward", "/v1/onderdrukking?gebied=GM0193"),
    ("policy", "/v1/releases/current"),
    ("policy", "/v1/kaarten"),
    ("wijkteam_zwolle", "/v1/kaarten/GM0193"),
]
# what may differ between two correct answers to the same request
_PER_RESPONSE_HEADERS = {"date", "server"}


def _comparable(response: httpx.Response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in _PER_RESPONSE_HEADERS}
    return response.status_code, headers, response.content


@pytest.fixture(scope="module")
def make_client(releases_dir, ijsselland_release, keys, tmp_path_factory):
    """Apps (own cache, own access log) over the session's release, one per setting for the module:
    loading a release takes seconds. ``cache_mb=0`` switches the cache off. The release clock is set to an
    hour: when a look at ``current`` is due, one request goes past the cache, and these tests count hits
    (the release switch has tests of its own)."""
    made: dict[tuple, TestClient] = {}

    def make(cache_mb: int = 64, **overrides) -> TestClient:
        key = (cache_mb, *sorted(overrides.items()))
        if key not in made:
            log = tmp_path_factory.mktemp("cache") / "access.log"
            settings = ApiSettings(**{"releases_dir": releases_dir, "api_keys_file": keys.path,
                                      "response_cache_mb": cache_mb, "access_log": log,
                                      "release_check_interval_s": 3600, **overrides})
            made[key] = TestClient(create_app(settings))
        return made[key]

    return make


def _cache(client: TestClient) -> ResponseCache:
    return client.app.state.response_cache


@pytest.mark.parametrize(("actor", "url"), CACHEABLE)
def test_a_repeat_comes_from_the_cache_and_equals_the_uncached_answer(make_client, keys, actor, url):
    cached, uncached = make_client(), make_client(cache_mb=0)
    h = keys.headers(actor)
    first = cached.get(url, headers=h)
    assert first.status_code == 200, first.text
    hits = _cache(cached).hits
    repeat = cached.get(url, headers=h)
    assert _cache(cached).hits == hits + 1, "the repeat did not come from the cache"
    assert repeat.content == first.content
    assert _comparable(repeat) == _comparable(uncached.get(url, headers=h))


def test_a_route_that_reads_the_releases_folder_is_not_cached(make_client, keys):
    client = make_client()
    hits, size = _cache(client).hits, len(_cache(client))
    for _ in range(2):
        assert client.get("/v1/releases", headers=keys.headers("steward")).status_code == 200
    assert _cache(client).hits == hits and len(_cache(client)) == size


def test_errors_are_never_cached(make_client, keys):
    client = make_client()
    size = len(_cache(client))
    for url in (ITEM + "?ooga=booga", "/v1/collections/wijken/items/WK999999", "/v1/collections/wijken/items/WK015001"):
        for _ in range(2):
            assert client.get(url, headers=keys.headers("wijkteam_zwolle")).status_code in (400, 403, 404)
    assert len(_cache(client)) == size


def test_scopes_and_roles_never_share_an_entry(make_client, keys):
    client = make_client()
    for _ in range(2):  # cached for the policy key of the whole region
        assert client.get(WHOLE_PAGE, headers=keys.headers("policy")).json()["numberReturned"] == 149
        assert client.get(ITEM, headers=keys.headers("policy")).status_code == 200
        assert client.get("/v1/regels", headers=keys.headers("steward")).status_code == 200
    for _ in range(2):
        zwolle = client.get(WHOLE_PAGE, headers=keys.headers("wijkteam_zwolle")).json()
        assert {f["properties"]["gemeente"] for f in zwolle["features"]} == {"GM0193"}
        assert client.get(ITEM, headers=keys.headers("wijkteam_deventer")).status_code == 403
        assert client.get(ITEM, headers=keys.headers("policy_elsewhere")).status_code == 403
        assert client.get("/v1/regels", headers=keys.headers("policy")).status_code == 403
        assert client.get("/v1/regels", headers=keys.headers("steward_elsewhere")).status_code == 200
        assert client.get(ITEM, headers={"X-API-Key": "hd_not-a-key"}).status_code == 401
        assert client.get(ITEM).status_code == 401


def test_a_revoked_key_is_refused_although_its_answer_is_cached(make_client, tmp_path):
    keys_file = tmp_path / "keys.json"
    kept = issue_key(keys_file, "policy", ["VR04"], key_id="kept")
    revoked = issue_key(keys_file, "policy", ["VR04"], key_id="revoked")
    client = make_client(api_keys_file=keys_file)
    for _ in range(2):
        assert client.get(ITEM, headers={"X-API-Key": revoked}).status_code == 200
    data = json.loads(keys_file.read_text())
    keys_file.write_text(json.dumps({"keys": [k for k in data["keys"] if k["id"] != "revoked"]}))
    client.app.state.keys.check_interval_s = 0  # look at the keys file on every request
    assert client.get(ITEM, headers={"X-API-Key": revoked}).status_code == 401
    assert client.get(ITEM, headers={"X-API-Key": kept}).status_code == 200


def test_every_hit_is_in_the_access_log_and_if_none_match_still_gives_304(make_client, keys):
    client = make_client()
    log = client.app.state.settings.access_log
    seen = len(log.read_text().splitlines())
    h = keys.headers("wijkteam_zwolle")
    etag = client.get(ITEM, headers=h).headers["etag"]
    client.get(ITEM, headers=h)
    hits = _cache(client).hits
    not_modified = client.get(ITEM, headers={**h, "If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b"" and _cache(client).hits == hits + 1
    assert not_modified.headers["etag"] == etag
    lines = [json.loads(line) for line in log.read_text().splitlines()[seen:]]
    assert [line["status"] for line in lines] == [200, 200, 304]
    for line in lines:
        assert line["wie"] == "wijkteam-zwolle" and line["gebied"] == "WK019310" and line["methode"] == "GET"
        assert line["endpoint"] == "/v1/collections/{collectionId}/items/{featureId}"
    assert keys.wijkteam_zwolle not in log.read_text()


def test_host_and_gzip_are_part_of_the_key(make_client, keys):
    client = make_client()
    h = keys.headers("policy")
    for _ in range(2):
        for host in ("a.example", "b.example"):
            links = client.get(ITEM, headers={**h, "Host": host}).json()["links"]
            assert all(link["href"].startswith(f"http://{host}/v1/") for link in links), links
        zipped = client.get(WHOLE_PAGE, headers={**h, "Accept-Encoding": "gzip"})
        plain = client.get(WHOLE_PAGE, headers={**h, "Accept-Encoding": "identity"})
        assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
        assert zipped.json()["features"] == plain.json()["features"]


def test_a_new_release_is_served_although_the_old_answer_was_cached(tmp_path, ijsselland_release, keys):
    releases = tmp_path / "releases"
    old = releases_with_copy_of(ijsselland_release, releases)
    client = TestClient(create_app(ApiSettings(releases_dir=releases, api_keys_file=keys.path,
                                               release_check_interval_s=0.05)))
    h = keys.headers("policy")
    old_etag = client.get(ITEM, headers=h).headers["etag"]
    assert client.get(ITEM, headers=h).headers["etag"] == old_etag and _cache(client).release_id == old.name

    new = publish_copy_as(old, "20991231T000001Z-11111111")
    deadline = time.monotonic() + 60
    while client.get(ITEM, headers=h).headers["etag"] == old_etag:
        assert time.monotonic() < deadline, "the cached answer of the old release kept being served"
        time.sleep(0.05)
    assert client.get(ITEM, headers=h).headers["etag"] != old_etag
    assert _cache(client).release_id == new.name
    assert client.get("/v1/releases/current", headers=h).json()["release_id"] == new.name


def test_repeats_over_real_http_are_whole_responses(releases_dir, ijsselland_release, keys):
    # an hour between looks at ``current``: each look sends one request past the cache, which would make the
    # hit count below depend on how fast this machine is (the bytes are equal either way)
    app = create_app(ApiSettings(releases_dir=releases_dir, api_keys_file=keys.path, release_check_interval_s=3600))
    with LiveServer(app) as live:
        h = keys.headers("policy")
        for encoding in ("identity", "gzip"):
            answers = [httpx.get(live.url + WHOLE_PAGE, headers={**h, "Accept-Encoding": encoding}, timeout=30)
                       for _ in range(3)]
            assert {a.status_code for a in answers} == {200}
            assert all(a.content == answers[0].content for a in answers)
            assert answers[-1].json()["numberReturned"] == 149
    assert app.state.response_cache.hits >= 4


def _entry(size: int) -> CachedResponse:
    return CachedResponse(headers=[], body=b"x" * size, etag='W/"e"', endpoint="/v1/x", area=None)


def _key(n: int) -> tuple:
    return ("http", b"h", "", f"/v1/{n}", b"", "policy:VR04", False)


def test_cache_stays_within_its_bytes_dropping_the_least_recently_used():
    cache = ResponseCache(10_000, max_entry_bytes=5_000)
    for n in range(4):
        assert cache.put("r1", _key(n), _entry(2_000))
    cache.get("r1", _key(0))  # used: the oldest unused one goes first
    cache.put("r1", _key(4), _entry(2_000))
    assert cache.bytes <= 10_000
    assert cache.get("r1", _key(0)) is not None and cache.get("r1", _key(1)) is None
    assert not cache.put("r1", _key(5), _entry(6_000)) and cache.get("r1", _key(5)) is None


def test_cache_of_another_release_is_never_returned_and_is_dropped():
    cache = ResponseCache(10_000)
    cache.put("r1", _key(1), _entry(10))
    assert cache.get("r2", _key(1)) is None
    cache.put("r2", _key(2), _entry(10))
    assert len(cache) == 1 and cache.get("r1", _key(1)) is None and cache.get("r2", _key(2)) is not None


def test_a_zero_sized_cache_keeps_nothing():
    cache = ResponseCache(0)
    assert not cache.enabled and not cache.put("r1", _key(1), _entry(1)) and len(cache) == 0



def test_a_second_key_header_cannot_borrow_a_cached_answer(make_client, keys):
    client = make_client()
    for _ in range(2):
        assert client.get(ITEM, headers=keys.headers("policy")).status_code == 200
    # the app reads the first X-API-Key; so must the cache
    both = [("X-API-Key", "hd_not-a-key"), ("X-API-Key", keys.policy)]
    assert client.get(ITEM, headers=both).status_code == 401
