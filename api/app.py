"""The FastAPI application, composed from small routers."""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.types import ASGIApp

from api.dependencies import current_principal
from api.errors import add_problem_handlers, problem_responses
from api.keys import KeyStore, Principal, Role
from api.middleware import AccessLog, ApiMiddleware
from api.oidc import JwtVerifier
from api.response_cache import ResponseCache
from api.routes import aggregates, docs, effects, landing, maps, releases, stewardship
from api.routes.features import FeaturesFactory
from api.settings import ApiSettings
from api.store import ReleaseStore
from insights.errors import ReleaseNotFound

__all__ = ["API_VERSION", "create_app"]

API_VERSION = "1.0.0"

log = logging.getLogger("helpende.api")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load (and verify) the release before the server accepts its first connection: uvicorn waits for
    this, so the first request after a start is as fast as any other. With nothing to serve the server
    still starts and answers 503 until a verified release appears."""
    try:
        await run_in_threadpool(app.state.store.get)
    except ReleaseNotFound as exc:
        log.error("started without a release to serve: %s", exc)
    else:
        await _warm_up(app)
    yield


_WARM_UP = ["/v1/collections", "/v1/collections/wijken/items", "/v1/cijfers", "/v1/releases/current"]


async def _warm_up(app: FastAPI) -> None:
    """One in-process request per common route, before any caller: FastAPI and pydantic build their
    validators and import what they need on first use (~50-200 ms). The requests go past
    :class:`~api.middleware.ApiMiddleware`: no access-log line, no response-cache entry, no caller sees them.
    A principal for every area stands in for a key (a dependency override, removed right after)."""
    inner = FastAPI.build_middleware_stack(app)  # Starlette's and FastAPI's layers, without ApiMiddleware
    app.dependency_overrides[current_principal] = lambda: Principal("opstart", Role.steward, frozenset({"*"}))
    try:
        for path in _WARM_UP:
            scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                     "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
                     "headers": [(b"host", b"localhost")], "client": ("127.0.0.1", 0), "server": ("localhost", 80),
                     "state": {}, "app": app}

            async def receive() -> dict:
                return {"type": "http.request", "body": b"", "more_body": False}

            async def send(message: MutableMapping[str, Any]) -> None:
                return None

            try:
                await inner(scope, receive, send)
            except Exception as exc:  # noqa: BLE001 - a warm-up that fails only costs the first caller time
                log.warning("warm-up of %s failed: %s", path, exc)
    finally:
        app.dependency_overrides.pop(current_principal, None)


class _App(FastAPI):
    """FastAPI with our one pure-ASGI middleware (:class:`ApiMiddleware`) outside Starlette's own
    layers (server errors, telemetry, body limit): a cached repeat is answered before any of them
    runs, and a 500 from ``ServerErrorMiddleware`` still gets the version and security headers and
    its line in the access log. The middleware runs Starlette's GZipMiddleware (>= 1 KiB, level 5)
    only for requests that accept gzip."""

    def build_middleware_stack(self) -> ASGIApp:
        return ApiMiddleware(super().build_middleware_stack(), api_version=API_VERSION,
                             access_log=self.state.access_log, gzip_minimum_size=1024, gzip_level=5,
                             cache=self.state.response_cache, store=self.state.store, keys=self.state.keys)


def create_app(settings: ApiSettings | None = None, *, keys_file: Path | None = None) -> FastAPI:
    """Build the app; settings are read here, not at import time.

    ``keys_file`` overrides ``settings.api_keys_file`` (e.g. the demo keys of ``helpende-data serve``).
    """
    settings = settings or ApiSettings()
    if keys_file is not None:
        settings = settings.model_copy(update={"api_keys_file": Path(keys_file)})
    app = _App(
        title="helpende-data API",
        version=API_VERSION,
        description="Beschermde cijfers en risicosignalen per gebied. Verborgen waarden zijn null met een status, "
        "nooit 0. Toegang met een API-sleutel (X-API-Key) of een OIDC-token; zie docs/api.md.",
        openapi_url="/v1/openapi.json",
        docs_url=None,  # served from the package: api/routes/docs.py
        redoc_url=None,
        redirect_slashes=False,
        lifespan=_lifespan,
        contact={"name": "helpende-data", "email": "helpende-data@example.org", "url": "https://example.org/helpende-data"},
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]  # FastAPI's documented override
    app.state.settings = settings
    app.state.store = ReleaseStore(settings.releases_dir, check_interval_s=settings.release_check_interval_s)
    app.state.keys = KeyStore(settings.api_keys_file)
    app.state.jwt = (
        JwtVerifier(
            issuer=str(settings.oidc_issuer),
            audience=str(settings.oidc_audience),
            jwks_url=settings.oidc_jwks_url,
            jwks_file=settings.oidc_jwks_file,
            role_claim=settings.oidc_role_claim,
            scope_claim=settings.oidc_scope_claim,
        )
        if settings.oidc_enabled
        else None
    )
    app.state.access_log = AccessLog(settings.access_log)
    app.state.response_cache = ResponseCache(settings.response_cache_mb * 2**20)
    add_problem_handlers(app)

    features = FeaturesFactory(default_limit=settings.default_limit, max_limit=settings.max_limit)
    for router in (landing.router, docs.router, features.router, aggregates.router, stewardship.router,
                   releases.router, maps.router, effects.router):
        _include_flat(app, router, "/v1")
    return app


def _include_flat(app: FastAPI, router: APIRouter, prefix: str) -> None:
    """``app.include_router(router, prefix=prefix)`` as one flat list of routes on the app's router.

    FastAPI (>= 0.16x) keeps an included router whole and matches a request through it twice, each
    time over per-router route contexts (~15% of an uncached request, profiled). Each route is added
    again on the app's router, with all of its settings (those of its router are already merged into
    it) and its own route class; the OpenAPI document is the same (``tests/api/test_planned.py``)."""
    names = [n for n in inspect.signature(app.router.add_api_route).parameters if n not in ("path", "endpoint")]
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: only API routes can be included flat")
        settings = {n: getattr(route, n) for n in names if hasattr(route, n)}
        app.router.add_api_route(prefix + route.path, route.endpoint, route_class_override=type(route), **settings)


_VERSION_HEADER = {"API-Version": {"description": "Volledige versie van de API (NL GOV ADR /core/version-header)",
                                   "schema": {"type": "string", "example": API_VERSION}}}


def _openapi(app: FastAPI) -> dict:
    """FastAPI's document, adjusted to the NL GOV ADR: ``/v1`` as server URL, the version header on
    every success, 304 where an ETag applies, problem+json only (400, never 422)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                         contact=app.contact, tags=app.openapi_tags)
    schema["servers"] = [{"url": "/v1", "description": "deze server, versie 1"}]
    paths = {}
    for path, operations in schema["paths"].items():
        short = path.removeprefix("/v1") or "/"
        for _method, operation in operations.items():
            responses = operation.get("responses", {})
            responses.pop("422", None)
            if short not in ("/", "/conformance"):
                responses["304"] = {"description": "Niet gewijzigd (If-None-Match gaf de actuele ETag)"}
                if "401" not in responses:
                    responses.update({str(k): v for k, v in problem_responses(401, 403).items()})
            for status, response in responses.items():
                if status.startswith(("2", "3")):
                    headers = response.setdefault("headers", {})
                    headers.update(_VERSION_HEADER)
                    if status == "304" or short not in ("/", "/conformance"):
                        headers["ETag"] = {"description": "Zwakke ETag van dit antwoord", "schema": {"type": "string"}}
            if operation.get("parameters") and "400" not in responses:
                responses.update({str(k): v for k, v in problem_responses(400).items()})
        paths[short] = operations
    schema["paths"] = paths
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)
    schema["openapi"] = "3.0.3"  # OGC API Features conformance class oas30; FastAPI writes 3.1
    converted = _to_oas30(schema)
    assert isinstance(converted, dict)
    app.openapi_schema = converted
    return converted


def _to_oas30(node: object) -> object:
    """Rewrite the few OpenAPI 3.1 constructs FastAPI emits into 3.0: ``anyOf [X, null]`` → ``X`` +
    ``nullable``, ``const`` → ``enum``, ``examples`` (list) → ``example``."""
    if isinstance(node, list):
        return [_to_oas30(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _to_oas30(v) for k, v in node.items()}
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and any(o == {"type": "null"} for o in options):
            rest = [o for o in options if o != {"type": "null"}]
            del node[key]
            if len(rest) == 1:
                node = {**rest[0], **node}
            else:
                node[key] = rest
            node["nullable"] = True
    if "const" in node:
        node["enum"] = [node.pop("const")]
    if isinstance(node.get("examples"), list) and "in" not in node and "content" not in node:
        examples: Any = node.pop("examples")
        if examples:
            node["example"] = examples[0]
    if node.get("type") == "null":
        node.pop("type")
        node["nullable"] = True
    return node
