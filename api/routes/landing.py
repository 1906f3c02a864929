"""Landing page and conformance (readable without login)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.dependencies import public_base
from api.planned import PlannedRoute

__all__ = ["CONFORMANCE", "router"]

router = APIRouter(tags=["Algemeen"], route_class=PlannedRoute)

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
_LINK = {"type": "object", "required": ["href", "rel"],
         "properties": {"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
                        "title": {"type": "string"}}}
_LANDING: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Landingspagina",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["links"],
                    "properties": {
                        "title": {"type": "string"},
                        "description": {"type": "string"},
                        "links": {"type": "array", "items": _LINK},
                    },
                }
            }
        },
    }
}
_CONF: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Conformiteitsklassen",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["conformsTo"],
                    "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}},
                }
            }
        },
    }
}


def _landing(request: Request) -> dict:
    base = public_base(request)
    return {
        "title": "helpende-data",
        "description": "Beschermde, geaggregeerde cijfers en risicosignalen per wijk en gemeente "
        "voor de regionale aanpak van huiselijk geweld en kindermishandeling. Alles behalve deze pagina, "
        "/conformance en /openapi.json vraagt een X-API-Key of een OIDC-token.",
        "links": [
            {"href": f"{base}", "rel": "self", "type": "application/json", "title": "deze pagina"},
            {
                "href": f"{base}/openapi.json",
                "rel": "service-desc",
                "type": "application/vnd.oai.openapi+json;version=3.0",
                "title": "OpenAPI",
            },
            {"href": f"{base}/docs", "rel": "service-doc", "type": "text/html", "title": "documentatie"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json", "title": "conformiteit"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json", "title": "collecties"},
            {
                "href": f"{base}/cijfers",
                "rel": "data",
                "type": "application/json",
                "title": "cijfers en scores (beleid)",
            },
            {
                "href": f"{base}/releases/current",
                "rel": "describedby",
                "type": "application/json",
                "title": "huidige release",
            },
            {"href": f"{base}/kaarten", "rel": "alternate", "type": "application/json", "title": "kaarten"},
        ],
    }


@router.get("", summary="Landingspagina", operation_id="getLandingPage", responses=_LANDING)
def landing(request: Request) -> dict:
    return _landing(request)


@router.get("/", include_in_schema=False)
def landing_slash(request: Request) -> dict:
    """``/v1/`` as well: OGC clients join ``/`` to the base URL (see docs/api.md)."""
    return _landing(request)


@router.get("/conformance", summary="Conformiteitsklassen", operation_id="getConformance", responses=_CONF)
def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}
