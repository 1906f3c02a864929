"""Landing page and conformance (readable without login)."""

from __future__ import annotations

from fastapi import APIRouter, Request

__all__ = ["router", "CONFORMANCE"]

router = APIRouter(tags=["Algemeen"])

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


def _landing(request: Request) -> dict:
    base = str(request.base_url).rstrip("/") + "/v1"
    return {
        "title": "helpende-data",
        "description": "Beschermde, geaggregeerde cijfers en risicosignalen per wijk en gemeente "
        "voor de regionale aanpak van huiselijk geweld en kindermishandeling.",
        "links": [
            {"href": f"{base}", "rel": "self", "type": "application/json", "title": "deze pagina"},
            {"href": f"{base}/openapi.json", "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "OpenAPI"},
            {"href": f"{base}/docs", "rel": "service-doc", "type": "text/html", "title": "documentatie"},
            {"href": f"{base}/conformance", "rel": "conformance", "type": "application/json", "title": "conformiteit"},
            {"href": f"{base}/collections", "rel": "data", "type": "application/json", "title": "collecties"},
            {"href": f"{base}/releases/current", "rel": "describedby", "type": "application/json", "title": "huidige release"},
            {"href": f"{base}/kaarten/regio", "rel": "alternate", "type": "text/html", "title": "kaart van de regio"},
        ],
    }


@router.get("", summary="Landingspagina")
def landing(request: Request) -> dict:
    return _landing(request)


@router.get("/", include_in_schema=False)
def landing_slash(request: Request) -> dict:
    return _landing(request)


@router.get("/conformance", summary="Conformiteitsklassen")
def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}
