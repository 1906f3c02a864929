"""ETag/304, gzip, security headers, the access log, ADR details, OIDC tokens and the release switch."""

from __future__ import annotations

import base64
import json
import shutil
import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient

from api import create_app
from api.keys import issue_key
from api.settings import ApiSettings
from insights.release import CELLS_FILE
from tests.api.conftest import publish_copy_as, releases_with_copy_of

ITEM = "/v1/collections/wijken/items/WK019310"


def test_etag_gives_304_and_differs_per_key_scope(client, keys):
    h = keys.headers("policy")
    first = client.get(ITEM, headers=h)
    etag = first.headers["etag"]
    again = client.get(ITEM, headers={**h, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(ITEM, headers={**keys.headers("steward"), "If-None-Match": etag}).status_code == 304 or \
        client.get(ITEM, headers=keys.headers("steward")).headers["etag"] != etag
    assert client.get(ITEM, headers={**keys.headers("wijkteam_zwolle")}).headers["etag"] != etag


def test_gzip_when_asked(client, keys):
    r = client.get(
        "/v1/collections/wijken/items?limit=50", headers={**keys.headers("policy"), "Accept-Encoding": "gzip"}
    )
    assert r.headers["content-encoding"] == "gzip" and r.json()["numberReturned"] == 50


def test_vary_names_accept_encoding_with_and_without_gzip(client, keys):
    # gzip runs only for requests that accept it; the others must still say the body depends on it
    for encoding in ("gzip", "identity"):
        r = client.get("/v1/collections/wijken/items?limit=5",
                       headers={**keys.headers("policy"), "Accept-Encoding": encoding})
        vary = [v.strip() for v in r.headers["vary"].split(",")]
        assert vary == ["Accept-Encoding", "X-API-Key", "Authorization"], vary
        assert r.headers.get("content-encoding") == ("gzip" if encoding == "gzip" else None)


def test_security_and_version_headers_on_every_response(client, keys):
    for path, headers in [("/v1", {}), (ITEM, keys.headers("policy")), (ITEM, {})]:
        r = client.get(path, headers=headers)
        assert r.headers["api-version"] == "1.0.0"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" in r.headers and "content-security-policy" in r.headers


@pytest.mark.parametrize("path", ["/v1/collections/", "/v1/collections/wijken/items/"])
def test_trailing_slash_is_not_served(client, keys, path):
    assert client.get(path, headers=keys.headers("policy"), follow_redirects=False).status_code == 404


@pytest.mark.parametrize("query", ["limit=0", "limit=unlimited", "bbox=1,2,3", "bbox=6,53,5,52", "ooga=booga",
                                   "crs=EPSG:4326", "datetime=gisteren", "datetime=2020-01-01/2024-12-31",
                                   "gemeente=Zwolle"])
def test_invalid_input_is_400_problem_json(client, keys, query):
    r = client.get(f"/v1/collections/wijken/items?{query}", headers=keys.headers("policy"))
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"


def test_crs_28992_and_bbox_crs(client, keys):
    h = keys.headers("policy")
    rd = client.get(f"{ITEM}?crs=http://www.opengis.net/def/crs/EPSG/0/28992", headers=h)
    assert rd.headers["content-crs"] == "<http://www.opengis.net/def/crs/EPSG/0/28992>"
    x, y = rd.json()["geometry"]["coordinates"][0][0]
    assert 190_000 < x < 260_000 and 470_000 < y < 540_000
    assert client.get(ITEM, headers=h).headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    box = client.get("/v1/collections/wijken/items?bbox=203000,501000,206000,504000"
                     "&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/28992", headers=h).json()
    assert 0 < box["numberMatched"] < 149


def test_paging_with_next_links_reaches_every_wijk(client, keys):
    url, codes = "/v1/collections/wijken/items?limit=40", []
    while url:
        page = client.get(url, headers=keys.headers("policy")).json()
        codes += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
    assert len(codes) == len(set(codes)) == 149


def test_hidden_values_are_null_with_a_status_never_zero(client, keys):
    rows = client.get("/v1/cijfers?niveau=wijk", headers=keys.headers("policy")).json()["cijfers"]
    hidden = [r for r in rows if r["status"] != "gepubliceerd"]
    assert hidden and all(r["value"] is None and r["rate"] is None for r in hidden)
    csv = client.get("/v1/cijfers?niveau=wijk&f=csv", headers=keys.headers("policy")).text.splitlines()
    assert len(csv) == len(rows) + 1


def test_steward_table_never_has_a_raw_count(client, keys):
    rows = client.get("/v1/onderdrukking", headers=keys.headers("steward")).json()["cellen"]
    assert rows and "count" not in rows[0] and {"status", "reason", "min_count", "rounding_base"} <= set(rows[0])


def test_access_log_records_who_endpoint_and_area_but_no_payload(client, keys, access_log):
    client.get(ITEM, headers=keys.headers("wijkteam_zwolle"))
    client.get("/v1/collections/wijken/items/WK015001", headers=keys.headers("wijkteam_zwolle"))
    lines = [json.loads(line) for line in access_log.read_text().splitlines()]
    ok, denied = lines[-2], lines[-1]
    assert ok["wie"] == "wijkteam-zwolle" and ok["gebied"] == "WK019310" and ok["status"] == 200
    assert ok["endpoint"] == "/v1/collections/{collectionId}/items/{featureId}"
    assert denied["gebied"] == "WK015001" and denied["status"] == 403
    assert set(ok) == {"tijd", "wie", "methode", "endpoint", "gebied", "status"}
    assert keys.wijkteam_zwolle not in access_log.read_text()


@pytest.fixture(scope="module")
def oidc(tmp_path_factory, releases_dir, ijsselland_release):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwks = tmp_path_factory.mktemp("oidc") / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "test-key", "use": "sig", "alg": "RS256"}]}))
    settings = ApiSettings(releases_dir=releases_dir, oidc_issuer="https://login.example.org",
                           oidc_audience="helpende-data", oidc_jwks_file=jwks)
    client = TestClient(create_app(settings), raise_server_exceptions=False)

    def token(role="wijkteam", gebieden=("GM0193",), key=private, **overrides):
        claims = {"sub": "medewerker-1", "iss": "https://login.example.org", "aud": "helpende-data",
                  "exp": datetime.now(UTC) + timedelta(minutes=5), "helpende_rol": role,
                  "helpende_gebieden": list(gebieden), **overrides}
        return {"Authorization": "Bearer " + jwt.encode(claims, key, algorithm="RS256", headers={"kid": "test-key"})}

    return client, token


def test_oidc_token_grants_role_and_scope(oidc):
    client, token = oidc
    assert client.get(ITEM, headers=token()).status_code == 200
    assert client.get("/v1/collections/wijken/items/WK015001", headers=token()).status_code == 403
    assert client.get("/v1/cijfers", headers=token()).status_code == 403
    assert client.get("/v1/cijfers", headers=token(role="policy", gebieden=["VR04"])).status_code == 200


@pytest.mark.parametrize("bad", [
    {"exp": datetime.now(UTC) - timedelta(minutes=1)}, {"aud": "iemand-anders"}, {"iss": "https://evil.example"},
    {"helpende_rol": "admin"}, {"helpende_gebieden": []},
], ids=["expired", "audience", "issuer", "role", "scope"])
def test_oidc_rejects_bad_tokens_with_401(oidc, bad):
    client, token = oidc
    r = client.get(ITEM, headers=token(**bad))
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


def test_oidc_rejects_a_token_signed_by_another_key(oidc):
    client, token = oidc
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert client.get(ITEM, headers=token(key=other)).status_code == 401


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forged(header: dict, claims: dict | None = None, signature: bytes = b"x") -> str:
    claims = claims or {"sub": "x", "iss": "https://login.example.org", "aud": "helpende-data",
                        "exp": 4102444800, "helpende_rol": "steward", "helpende_gebieden": ["*"]}
    return ".".join([_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()), _b64(signature)])


def _es256_with_rsa_kid() -> str:
    claims = {"sub": "x", "iss": "https://login.example.org", "aud": "helpende-data", "exp": 4102444800,
              "helpende_rol": "steward", "helpende_gebieden": ["*"]}
    return jwt.encode(claims, ec.generate_private_key(ec.SECP256R1()), algorithm="ES256", headers={"kid": "test-key"})


@pytest.mark.parametrize("credentials", [
    _es256_with_rsa_kid(),
    _forged({"alg": "none", "kid": "test-key"}, signature=b""),
    _forged({"alg": "HS256", "kid": "test-key"}),
    _forged({"alg": "RS512", "kid": "test-key"}),
    _forged({"alg": "RS256", "kid": ["test-key"]}),
    _forged({"alg": "RS256", "kid": "test-key"}, claims=[1, 2]),  # type: ignore[arg-type]
    "not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30", _b64(b"\xff\xfe") + ".e30.e30",
], ids=["es256-rsa-kid", "alg-none", "hs256", "rs512", "kid-list", "claims-list", "opaque", "abc", "two-parts",
        "binary-header"])
def test_any_token_that_fails_verification_is_401(oidc, credentials):
    client, _ = oidc
    r = client.get(ITEM, headers={"Authorization": f"Bearer {credentials}"})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json", r.text


def test_new_release_is_served_without_restart_and_a_half_written_one_never(tmp_path, ijsselland_release, keys):
    releases = tmp_path / "releases"
    old = releases_with_copy_of(ijsselland_release, releases)
    app = create_app(ApiSettings(releases_dir=releases, api_keys_file=keys.path, release_check_interval_s=0.05))
    client = TestClient(app)
    h = keys.headers("policy")
    assert client.get("/v1/releases/current", headers=h).json()["release_id"] == old.name

    # a release whose parquet was cut short: hashes differ from the manifest → never activated
    half = releases / "20991231T000000Z-00000000"
    shutil.copytree(old, half)
    (half / CELLS_FILE).write_bytes((half / CELLS_FILE).read_bytes()[:100])
    (releases / "current").write_text(half.name + "\n")
    for _ in range(20):
        assert client.get(ITEM, headers=h).status_code == 200
        time.sleep(0.05)
    assert client.get("/v1/releases/current", headers=h).json()["release_id"] == old.name
    assert app.state.store.last_error and "cellen.parquet" in app.state.store.last_error

    # a complete new release → switched without restart
    new = publish_copy_as(old, "20991231T000001Z-11111111")
    deadline = time.monotonic() + 60
    while client.get("/v1/releases/current", headers=h).json()["release_id"] != new.name:
        assert client.get(ITEM, headers=h).status_code == 200  # the old one keeps serving meanwhile
        assert time.monotonic() < deadline, "new release not activated"
        time.sleep(0.1)


def test_an_unexpected_error_is_a_500_problem_with_every_header_and_no_internals(tmp_path, releases_dir,
                                                                                  ijsselland_release, keys):
    log = tmp_path / "access.log"
    app = create_app(ApiSettings(releases_dir=releases_dir, api_keys_file=keys.path, access_log=log,
                                 response_cache_mb=0))
    client = TestClient(app, raise_server_exceptions=False)
    assert client.get(ITEM, headers=keys.headers("policy")).status_code == 200

    def broken(*_):
        raise RuntimeError("secret internals /srv/helpende")

    app.state.store.fresh = broken
    r = client.get(ITEM, headers=keys.headers("policy"))
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 500 and "internals" not in r.text and "/srv" not in r.text
    assert r.headers["api-version"] == "1.0.0" and r.headers["x-content-type-options"] == "nosniff"
    assert json.loads(log.read_text().splitlines()[-1])["status"] == 500


def test_a_broken_keys_file_accepts_no_key_and_tells_only_the_log(tmp_path, releases_dir, ijsselland_release, caplog):
    keys_file = tmp_path / "keys.json"
    key = issue_key(keys_file, "policy", ["VR04"], key_id="p")
    good = keys_file.read_text()
    client = TestClient(create_app(ApiSettings(releases_dir=releases_dir, api_keys_file=keys_file)))
    client.app.state.keys.check_interval_s = 0
    assert client.get(ITEM, headers={"X-API-Key": key}).status_code == 200

    keys_file.write_text(good.replace('"role": "policy"', '"role": "admin"'))  # an edit gone wrong
    r = client.get(ITEM, headers={"X-API-Key": key})
    assert r.status_code == 401 and "admin" not in r.text and "keys.json" not in r.text
    assert "keys.json" in client.app.state.keys.last_error
    assert any("no API key is accepted" in m for m in caplog.messages)

    keys_file.write_text(good)
    assert client.get(ITEM, headers={"X-API-Key": key}).status_code == 200
    assert client.app.state.keys.last_error is None


def test_the_release_is_loaded_before_the_server_accepts_and_warm_up_leaves_no_trace(tmp_path, releases_dir,
                                                                                      ijsselland_release, keys):
    from tests.conftest import LiveServer

    log = tmp_path / "access.log"
    app = create_app(ApiSettings(releases_dir=releases_dir, api_keys_file=keys.path, access_log=log))
    with LiveServer(app) as live:
        assert app.state.store.current_id == ijsselland_release.id  # before any request
        assert log.read_text() == "" and len(app.state.response_cache) == 0  # the warm-up is nobody's request
        r = httpx.get(live.url + ITEM, headers=keys.headers("wijkteam_deventer"), timeout=10)
        assert r.status_code == 403  # and the stand-in principal of the warm-up is gone
