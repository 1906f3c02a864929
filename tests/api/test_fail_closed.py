"""Fail closed: whatever breaks (keys file, access log, request size, a release on disk), no data leaves
that should not, every answer is problem+json without server internals, and nothing else stalls."""

from __future__ import annotations

import json
import logging
import os
import socket
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.keys import DEMO_KEYS_FILE, KeyStore, fresh_demo_keys, issue_key
from api.server import MAX_HEAD_BYTES, MAX_URL_BYTES
from api.settings import ApiSettings
from geo.errors import HelpendeDataError
from insights.release import MAPS_DIR, PUBLIC_MANIFEST, PUBLIEK
from tests.api.conftest import publish_copy_as, releases_with_copy_of

ITEM = "/v1/collections/wijken/items/WK019310"
WHOLE_PAGE = "/v1/collections/wijken/items?limit=1000"
PROBLEM = "application/problem+json"


def _touch_later(path, text: str) -> None:
    """Write ``text`` with a modification time surely different from the last one (coarse clocks)."""
    before = path.stat().st_mtime if path.exists() else 0.0
    path.write_text(text)
    os.utime(path, (before + 1, before + 1))


# --- keys file -------------------------------------------------------------------------------------------

WRONG_SHAPES = {
    "keys-null": {"keys": None},
    "list": [],
    "null-entry": {"keys": [None]},
    "keys-object": {"keys": {"id": "x"}},
    "keys-string": {"keys": "hd_x"},
    "number-id": {"keys": [{"id": 1, "sha256": "0" * 64, "role": "policy", "gebieden": ["VR04"]}]},
    "list-role": {"keys": [{"id": "x", "sha256": "0" * 64, "role": ["policy"], "gebieden": ["VR04"]}]},
    "number-digest": {"keys": [{"id": "x", "sha256": 7, "role": "policy", "gebieden": ["VR04"]}]},
    "string-gebieden": {"keys": [{"id": "x", "sha256": "0" * 64, "role": "policy", "gebieden": "VR04"}]},
    "object-gebieden": {"keys": [{"id": "x", "sha256": "0" * 64, "role": "policy", "gebieden": {"VR04": 1}}]},
    "number": 3,
}


@pytest.fixture(scope="module")
def keyed(tmp_path_factory, releases_dir, ijsselland_release):
    """An app whose keys file the test rewrites, looked at on every request; and a key of that file."""
    keys_file = tmp_path_factory.mktemp("keys") / "keys.json"
    key = issue_key(keys_file, "policy", ["VR04"], key_id="p")
    client = TestClient(create_app(ApiSettings(releases_dir=releases_dir, api_keys_file=keys_file,
                                               response_cache_mb=0)), raise_server_exceptions=False)
    client.app.state.keys.check_interval_s = 0
    return client, keys_file, key, keys_file.read_text()


@pytest.mark.parametrize("shape", list(WRONG_SHAPES))
def test_a_keys_file_of_the_wrong_shape_accepts_no_key(keyed, shape):
    client, keys_file, key, good = keyed
    _touch_later(keys_file, good)
    assert client.get(ITEM, headers={"X-API-Key": key}).status_code == 200
    _touch_later(keys_file, json.dumps(WRONG_SHAPES[shape]))
    for _ in range(2):  # and stays closed (not one 401, then the old table again)
        r = client.get(ITEM, headers={"X-API-Key": key})
        assert r.status_code == 401 and r.headers["content-type"] == PROBLEM, r.text
        assert "keys.json" not in r.text
    assert client.app.state.keys.last_error
    _touch_later(keys_file, good)
    assert client.get(ITEM, headers={"X-API-Key": key}).status_code == 200


@pytest.mark.parametrize("shape", ["keys-null", "null-entry", "number-id"])
def test_a_keys_file_of_the_wrong_shape_stops_the_start_with_its_name(tmp_path, shape):
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(WRONG_SHAPES[shape]))
    with pytest.raises(HelpendeDataError, match="keys.json"):
        KeyStore(keys_file)


def test_demo_keys_never_replace_an_operators_keys_file(tmp_path):
    operator = tmp_path / "api-keys.json"
    issue_key(operator, "steward", ["VR04"], key_id="beheerder")
    before = operator.read_bytes()
    with pytest.raises(HelpendeDataError, match="not demo keys"):
        fresh_demo_keys(operator)
    assert operator.read_bytes() == before

    demo = tmp_path / DEMO_KEYS_FILE
    first = fresh_demo_keys(demo)
    second = fresh_demo_keys(demo)  # fresh on every start: the first ones stop working
    store = KeyStore(demo)
    assert store.lookup(second["policy"]) is not None and store.lookup(first["policy"]) is None
    assert operator.read_bytes() == before


# --- access log --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def full_disk_log(releases_dir, ijsselland_release, keys):
    """An app whose access log is /dev/full: every write fails with ENOSPC, as on a full disk."""
    return TestClient(create_app(ApiSettings(releases_dir=releases_dir, api_keys_file=keys.path,
                                             access_log="/dev/full")), raise_server_exceptions=False)


def test_no_data_leaves_when_the_access_log_cannot_be_written(full_disk_log, keys, caplog):
    caplog.set_level(logging.WARNING)
    for method in ("GET", "GET", "HEAD"):
        r = full_disk_log.request(method, ITEM, headers=keys.headers("policy"))
        assert r.status_code == 503 and r.headers["content-type"] == PROBLEM
        assert b"WK019310" not in r.content and b"geometry" not in r.content
        assert r.headers["api-version"] and r.headers["x-content-type-options"] == "nosniff"
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert len(errors) == 1 and "access log" in errors[0].getMessage()  # once, not per request
    assert all(rec.exc_info is None for rec in caplog.records)  # no traceback


def test_a_cached_answer_is_not_served_either_when_the_log_fails(make_app, keys):
    client = make_app()
    h = keys.headers("policy")
    for _ in range(2):
        assert client.get(ITEM, headers=h).status_code == 200
    hits = client.app.state.response_cache.hits
    log = client.app.state.access_log
    saved, log._fd = log._fd, os.open("/dev/full", os.O_WRONLY)  # the disk fills up
    try:
        r = client.get(ITEM, headers=h)
        assert r.status_code == 503 and b"WK019310" not in r.content
        assert client.app.state.response_cache.hits == hits + 1  # it was the cached path that refused
    finally:
        os.close(log._fd)
        log._fd = saved
    assert client.get(ITEM, headers=h).status_code == 200


# --- request size over a real server -------------------------------------------------------------------


def _send_unfinished(url: str, head: bytes) -> bytes:
    """Send ``head`` without ever ending it and return what the server answers (b"" on timeout)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            sock.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return answer


def test_an_oversized_header_gets_431_before_it_ends_and_others_are_served(live_url, keys):
    answer = _send_unfinished(live_url, b"GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (4 * MAX_HEAD_BYTES))
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"application/problem+json" in answer and b'"status": 431' in answer
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 1000) for i in range(2 * MAX_HEAD_BYTES // 1000))
    answer = _send_unfinished(live_url, b"GET /v1 HTTP/1.1\r\nHost: x\r\n" + many)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert httpx.get(live_url + ITEM, headers=keys.headers("policy"), timeout=10).status_code == 200


def test_an_oversized_url_gets_414_before_it_ends(live_url):
    answer = _send_unfinished(live_url, b"GET /v1?q=" + b"a" * (4 * MAX_URL_BYTES))
    assert answer.startswith(b"HTTP/1.1 414 "), answer[:200]
    assert b"application/problem+json" in answer


def test_requests_within_the_limits_are_served(live_url):
    r = httpx.get(live_url + "/v1?pad=" + "a" * (MAX_URL_BYTES - 100),
                  headers={"X-Padding": "p" * (MAX_HEAD_BYTES - MAX_URL_BYTES - 1000)}, timeout=10)
    assert r.status_code == 200 and r.json()["links"]


# --- releases on disk ----------------------------------------------------------------------------------


def _corrupt(release, name: str = "cellen.parquet") -> None:
    path = release / PUBLIEK / name
    path.write_bytes(path.read_bytes()[:100])


def test_a_current_release_that_fails_verification_is_refused_at_start(tmp_path, ijsselland_release, keys):
    releases = tmp_path / "releases"
    good = releases_with_copy_of(ijsselland_release, releases)
    broken = publish_copy_as(good, "20991231T000001Z-11111111")  # newer, and current
    _corrupt(broken)
    client = TestClient(create_app(ApiSettings(releases_dir=releases, api_keys_file=keys.path)))
    h = keys.headers("policy")
    assert client.get("/v1/releases/current", headers=h).json()["release_id"] == good.name
    assert client.get(ITEM, headers=h).status_code == 200
    assert "cellen.parquet" in client.app.state.store.last_error


def test_without_any_verified_release_every_route_is_a_neutral_503(tmp_path, ijsselland_release, keys):
    releases = tmp_path / "releases"
    only = releases_with_copy_of(ijsselland_release, releases)
    _corrupt(only, "scores.parquet")
    client = TestClient(create_app(ApiSettings(releases_dir=releases, api_keys_file=keys.path)))
    for headers in ({}, keys.headers("policy")):  # before authentication too
        r = client.get(ITEM, headers=headers)
        assert r.status_code == 503 and r.headers["content-type"] == PROBLEM
        assert str(tmp_path) not in r.text and "releases" not in r.json()["detail"] and "parquet" not in r.text


def test_a_corrupt_manifest_is_skipped_and_shown_to_stewards(tmp_path, ijsselland_release, keys):
    releases = tmp_path / "releases"
    good = releases_with_copy_of(ijsselland_release, releases)
    bad = releases / "20000101T000000Z-00000000"
    (bad / PUBLIEK).mkdir(parents=True)
    (bad / PUBLIC_MANIFEST).write_text('{"release_id": "20000101T000000Z-0000')
    client = TestClient(create_app(ApiSettings(releases_dir=releases, api_keys_file=keys.path)))
    r = client.get("/v1/releases", headers=keys.headers("steward"))
    assert r.status_code == 200, r.text
    assert [m["release_id"] for m in r.json()["releases"]] == [good.name]
    assert r.json()["overgeslagen"] == [{"release": bad.name, "reden": "manifest.json is geen geldige JSON"}]
    assert str(tmp_path) not in r.text


@pytest.mark.parametrize("suffix", [".html", ".png"])
def test_a_map_changed_on_disk_after_activation_is_not_served(tmp_path, ijsselland_release, keys, suffix):
    releases = tmp_path / "releases"
    copy = releases_with_copy_of(ijsselland_release, releases)
    client = TestClient(create_app(ApiSettings(releases_dir=releases, api_keys_file=keys.path,
                                               response_cache_mb=0)))
    h = keys.headers("wijkteam_zwolle")
    url = "/v1/kaarten/GM0193" + (".png" if suffix == ".png" else "")
    original = client.get(url, headers=h)
    assert original.status_code == 200, original.text
    assert original.content == (copy / MAPS_DIR / f"GM0193{suffix}").read_bytes()
    with (copy / MAPS_DIR / f"GM0193{suffix}").open("ab") as handle:
        handle.write(b"<script>alert(1)</script>")
    r = client.get(url, headers=h)
    assert r.status_code == 503 and b"alert" not in r.content and str(tmp_path) not in r.text


# --- HTTP details --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def make_app(releases_dir, ijsselland_release, keys, tmp_path_factory):
    made: dict[tuple, TestClient] = {}

    def make(**overrides) -> TestClient:
        key = tuple(sorted(overrides.items()))
        if key not in made:
            settings = ApiSettings(**{"releases_dir": releases_dir, "api_keys_file": keys.path,
                                      "access_log": tmp_path_factory.mktemp("log") / "access.log",
                                      "release_check_interval_s": 3600, **overrides})  # no look past the cache
            made[key] = TestClient(create_app(settings))
        return made[key]

    return make


@pytest.mark.parametrize("url", [ITEM, WHOLE_PAGE, "/v1/cijfers?gemeente=GM0193&f=csv", "/v1/kaarten/GM0193.png",
                                 "/v1", "/v1/openapi.json"])
def test_head_is_the_get_without_a_body(make_app, keys, url):
    client = make_app()
    h = keys.headers("policy")
    for _ in range(2):  # uncached, then from the cache
        get, head = client.get(url, headers=h), client.head(url, headers=h)
        assert head.status_code == get.status_code == 200 and head.content == b""
        for name in ("content-type", "content-length", "etag", "api-version", "vary"):
            assert head.headers.get(name) == get.headers.get(name), name


def test_head_over_real_http(live_url, keys):
    r = httpx.head(live_url + ITEM, headers=keys.headers("policy"), timeout=10)
    assert r.status_code == 200 and r.content == b"" and int(r.headers["content-length"]) > 100


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_405_names_what_is_allowed(make_app, keys, method):
    r = make_app().request(method, ITEM, headers=keys.headers("policy"))
    assert r.status_code == 405 and r.headers["content-type"] == PROBLEM
    assert {m.strip() for m in r.headers["allow"].split(",")} == {"GET", "HEAD"}


@pytest.mark.parametrize(("accept", "gzipped"), [
    ("gzip", True), ("gzip;q=0", False), ("gzip; q=0.0", False), ("identity, gzip;q=0", False),
    ("br, gzip;q=0.5", True), ("GZIP", True), ("identity", False), ("gzip;q=0.001", True),
])
def test_accept_encoding_q_values_are_honoured(make_app, keys, accept, gzipped):
    client = make_app()
    for _ in range(2):  # uncached, then from the cache
        r = client.get(WHOLE_PAGE, headers={**keys.headers("policy"), "Accept-Encoding": accept})
        assert r.status_code == 200 and (r.headers.get("content-encoding") == "gzip") is gzipped


def test_links_use_the_configured_base_url(make_app, keys):
    client = make_app(base_url="https://data.example.org/hgkm/")
    h = {**keys.headers("policy"), "Host": "evil.example"}
    base = "https://data.example.org/hgkm/v1"
    hrefs = [link["href"] for link in client.get("/v1", headers=h).json()["links"]]
    hrefs += [link["href"] for link in client.get(ITEM, headers=h).json()["links"]]
    page = client.get("/v1/collections/wijken/items?limit=10&offset=10", headers=h).json()
    hrefs += [link["href"] for link in page["links"]]
    hrefs += [link["href"] for c in client.get("/v1/collections", headers=h).json()["collections"]
              for link in c["links"]]
    assert hrefs and all(href.startswith(base) for href in hrefs), hrefs
    assert f"{base}/collections/wijken/items?offset=20&limit=10" in hrefs, [h for h in hrefs if "offset" in h]


def test_equal_requests_get_equal_bytes_across_a_second_boundary(make_app, keys):
    """What the ETag and the response cache assume: an items page depends on release, URL and scope only
    (it used to carry the second it was generated, so an uncached repeat could differ from a cached one)."""
    client = make_app(response_cache_mb=0)
    h = keys.headers("policy")
    first = client.get(WHOLE_PAGE, headers=h)
    time.sleep(1.05 - time.time() % 1)  # into the next second
    again = client.get(WHOLE_PAGE, headers=h)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and first.headers["etag"] == again.headers["etag"]
