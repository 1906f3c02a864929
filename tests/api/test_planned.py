"""Routes resolved from a plan (api/planned.py) answer exactly as FastAPI's own dependency resolution does.

Two real servers over the same release and keys, response cache off: one plans, the other has a dependency
override, which sends every request through FastAPI's handler. Every answer (status, headers, body) of a
grid of callers × URLs — valid, invalid and unknown parameters, no key, a wrong role, areas outside the key —
must be identical.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api import create_app
from api.planned import PlannedRoute
from api.settings import ApiSettings
from tests.api.conftest import Keys
from tests.conftest import LiveServer

ACTORS = [None, "bogus", "wijkteam_zwolle", "wijkteam_regio", "policy", "policy_elsewhere", "steward"]
URLS = [
    "/v1/collections/wijken/items", "/v1/collections/wijken/items?limit=10", "/v1/collections/wijken/items?limit=0",
    "/v1/collections/wijken/items?limit=abc", "/v1/collections/wijken/items?limit=5000",
    "/v1/collections/wijken/items?offset=-1", "/v1/collections/wijken/items?offset=140&limit=5",
    "/v1/collections/wijken/items?gemeente=GM0193", "/v1/collections/wijken/items?gemeente=XX1",
    "/v1/collections/wijken/items?regio=VR04", "/v1/collections/wijken/items?regio=VR05",
    "/v1/collections/gemeenten/items?bbox=5.9,52.4,6.3,52.6", "/v1/collections/wijken/items?bbox=abc",
    "/v1/collections/wijken/items?bbox-crs=bad", "/v1/collections/wijken/items?limit=2&crs=http://www.opengis.net/def/crs/EPSG/0/28992",
    "/v1/collections/wijken/items?crs=bad", "/v1/collections/wijken/items?periode=1800",
    "/v1/collections/wijken/items?periode=abc&limit=x", "/v1/collections/wijken/items?datetime=2024-06-30&limit=3",
    "/v1/collections/wijken/items?datetime=2024-06-30&periode=2024", "/v1/collections/wijken/items?foo=1",
    "/v1/collections/wijken/items?limit=10&limit=20", "/v1/collections/nergens/items",
    "/v1/collections/wijken/items/WK019310", "/v1/collections/wijken/items/WK015001",
    "/v1/collections/wijken/items/wk1",
    "/v1/collections/wijken/items/WK999999", "/v1/collections/gemeenten/items/GM0193?crs=bad",
    "/v1/cijfers?gemeente=GM0193&periode=2024", "/v1/cijfers?f=csv&gebied=WK019310",
    "/v1/cijfers?f=csv-nl&niveau=gemeente",
    "/v1/cijfers?f=geojson&gebied=GM0193", "/v1/cijfers?f=bad", "/v1/cijfers?indicator=bad", "/v1/cijfers?regio=VR05",
    "/v1/cijfers?gebied=WK019310&periode=2100", "/v1/cijfers?periode=", "/v1/kaarten", "/v1/regels",
    "/v1/releases/current",
    "/v1/trends/WK019310", "/v1/onderdrukking?gemeente=GM0193",
]


def _servers(settings: ApiSettings, tmp: Path) -> Iterator[tuple[str, str, object]]:
    planned_app = create_app(settings.model_copy(update={"access_log": tmp / "planned.log"}))
    fastapi_app = create_app(settings.model_copy(update={"access_log": tmp / "fastapi.log"}))
    fastapi_app.dependency_overrides[_servers] = _servers  # any override: FastAPI's own resolution everywhere
    with LiveServer(planned_app) as planned, LiveServer(fastapi_app) as plain:
        yield planned.url, plain.url, planned_app


@pytest.fixture(scope="module")
def servers(api_settings: ApiSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, object]]:
    settings = api_settings.model_copy(update={"response_cache_mb": 0})
    yield from _servers(settings, tmp_path_factory.mktemp("planned"))


def _answer(client: httpx.Client, url: str, headers: dict[str, str]) -> tuple[int, list, bytes]:
    r = client.get(url, headers=headers)
    body = r.content.replace(str(client.base_url).rstrip("/").encode(), b"BASE")  # links name the server's port
    return r.status_code, [(k, v) for k, v in r.headers.multi_items() if k not in ("date", "server")], body


def test_the_data_routes_are_planned(servers: tuple[str, str, object]) -> None:
    """Without this the comparison below would compare FastAPI with itself."""
    def walk(routes: list) -> Iterator[object]:
        for route in routes:
            yield route
            inner = getattr(route, "original_router", None)  # FastAPI >= 0.16x keeps included routers whole
            yield from walk(inner.routes if inner is not None else [])

    app = servers[2]
    planned = {r.path for r in walk(app.routes) if isinstance(r, PlannedRoute) and r.planned}  # type: ignore[attr-defined]
    # overrides reach every route (the other server's override, the start-up warm-up)
    assert all(r.dependency_overrides_provider is app for r in walk(app.routes) if isinstance(r, PlannedRoute))
    for path in ("/v1/collections/{collectionId}/items", "/v1/collections/{collectionId}/items/{featureId}",
                 "/v1/cijfers", "/v1/kaarten/{naam}", "/v1/onderdrukking"):
        assert path in planned or path.removeprefix("/v1") in planned, (path, planned)


@pytest.mark.parametrize("actor", ACTORS)
def test_planned_answers_equal_fastapi_answers(servers: tuple[str, str, object], keys: Keys, actor: str | None) -> None:
    planned_url, plain_url, _ = servers
    headers = {} if actor is None else {"X-API-Key": "hd_bogus"} if actor == "bogus" else keys.headers(actor)
    statuses = set()
    with httpx.Client(base_url=planned_url, timeout=30, headers={"Accept-Encoding": "identity"}) as a, \
            httpx.Client(base_url=plain_url, timeout=30, headers={"Accept-Encoding": "identity"}) as b:
        for url in URLS:
            mine, theirs = _answer(a, url, headers), _answer(b, url, headers)
            assert mine == theirs, url
            statuses.add(mine[0])
    if actor in ("policy", "steward"):
        assert {200, 400, 403, 404} <= statuses  # the grid reaches answers and each kind of refusal
