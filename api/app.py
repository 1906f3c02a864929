"""The FastAPI application, composed from small routers."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from api.errors import add_problem_handlers
from api.keys import KeyStore
from api.middleware import AccessLog, ApiMiddleware
from api.oidc import JwtVerifier
from api.routes import aggregates, landing, maps, releases, stewardship
from api.routes.features import FeaturesFactory
from api.settings import ApiSettings
from api.store import ReleaseStore

__all__ = ["API_VERSION", "create_app"]

API_VERSION = "1.0.0"


def create_app(settings: ApiSettings | None = None, *, keys_file: Path | None = None) -> FastAPI:
    """Build the app; settings are read here, not at import time.

    ``keys_file`` overrides ``settings.api_keys_file`` (e.g. the demo keys of ``helpende-data serve``).
    """
    settings = settings or ApiSettings()
    if keys_file is not None:
        settings = settings.model_copy(update={"api_keys_file": Path(keys_file)})
    app = FastAPI(
        title="helpende-data API",
        version=API_VERSION,
        description="Beschermde cijfers en risicosignalen per gebied. Verborgen waarden zijn null met een status, "
        "nooit 0. Toegang met een API-sleutel (X-API-Key) of een OIDC-token; zie docs/api.md.",
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        redirect_slashes=False,
        contact={"name": "helpende-data", "email": "helpende-data@example.org", "url": "https://example.org/helpende-data"},
        servers=[{"url": "/", "description": "deze server"}],
    )
    app.state.settings = settings
    app.state.store = ReleaseStore(settings.releases_dir, check_interval_s=settings.release_check_interval_s)
    app.state.keys = KeyStore(settings.api_keys_file)
    app.state.jwt = (
        JwtVerifier(issuer=settings.oidc_issuer, audience=settings.oidc_audience, jwks_url=settings.oidc_jwks_url,
                    jwks_file=settings.oidc_jwks_file, role_claim=settings.oidc_role_claim,
                    scope_claim=settings.oidc_scope_claim)
        if settings.oidc_enabled else None
    )
    app.state.access_log = AccessLog(settings.access_log)
    add_problem_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(ApiMiddleware, api_version=API_VERSION, access_log=app.state.access_log)

    features = FeaturesFactory(default_limit=settings.default_limit, max_limit=settings.max_limit)
    for router in (landing.router, features.router, aggregates.router, stewardship.router, releases.router, maps.router):
        app.include_router(router, prefix="/v1")
    return app
