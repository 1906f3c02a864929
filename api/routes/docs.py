"""Swagger UI from the package itself (``swagger-ui-bundle``, pinned): no CDN, so the docs work on a
network without internet and no third-party script runs on the API's origin.

``/v1/docs`` is a small page of our own that loads the bundle's files from ``/v1/docs/static/`` and
starts Swagger UI from ``/v1/docs/init.js``; no inline script, so the page's Content-Security-Policy
(:data:`api.middleware.CSP_DOCS`) allows scripts from this origin only.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated

import swagger_ui_bundle
from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from api.errors import NotFound

__all__ = ["SWAGGER_UI_VERSION", "router"]

_DIST = Path(swagger_ui_bundle.swagger_ui_path)
SWAGGER_UI_VERSION = _DIST.name.removeprefix("swagger-ui-")  # swagger-ui-bundle 1.1.0 ships 4.15.5
_FILES = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
          "favicon-32x32.png": "image/png"}

_PAGE = """<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <title>helpende-data API — documentatie</title>
  <link rel="stylesheet" href="docs/static/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/static/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/static/swagger-ui-bundle.js"></script>
  <script src="docs/init.js"></script>
</body>
</html>
"""

_INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
"""

router = APIRouter(include_in_schema=False)


@cache
def _asset(name: str) -> bytes:
    return (_DIST / name).read_bytes()


@router.get("/docs")
async def docs() -> HTMLResponse:
    return HTMLResponse(_PAGE)


@router.get("/docs/init.js")
async def docs_init() -> Response:
    return Response(_INIT, media_type="text/javascript; charset=utf-8")


@router.get("/docs/static/{name}")
async def docs_static(name: Annotated[str, PathParam(pattern=r"^[a-z0-9.-]{1,40}$")]) -> Response:
    if name not in _FILES:
        raise NotFound(f"geen documentatiebestand {name!r}")
    return Response(_asset(name), media_type=_FILES[name])
