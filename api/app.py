"""The FastAPI application, composed from small routers."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from api.errors import add_problem_handlers
from api.routes import landing, maps, releases
from api.routes.features import FeaturesFactory
from api.settings import ApiSettings
from api.store import ReleaseStore

__all__ = ["API_VERSION", "create_app"]

API_VERSION = "1.0.0"


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    """Build the app; settings are read here, not at import time."""
    settings = settings or ApiSettings()
    app = FastAPI(
        title="helpende-data API",
        version=API_VERSION,
        description="Beschermde cijfers en risicosignalen per gebied. Verborgen waarden zijn null met een status, nooit 0.",
        openapi_url="/v1/openapi.json",
        docs_url="/v1/docs",
        redoc_url=None,
        contact={"name": "helpende-data", "email": "helpende-data@example.org", "url": "https://example.org/helpende-data"},
    )
    app.state.settings = settings
    app.state.store = ReleaseStore(settings.releases_dir)
    add_problem_handlers(app)

    @app.middleware("http")
    async def version_header(request: Request, call_next) -> Response:
        response = await call_next(request)
        response.headers["API-Version"] = API_VERSION
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    features = FeaturesFactory(default_limit=settings.default_limit, max_limit=settings.max_limit)
    for router in (landing.router, features.router, releases.router, maps.router):
        app.include_router(router, prefix="/v1")
    return app
