"""OGC API Features routes over every layer of a release, built by one factory.

Part 1 core plus Part 2 CRS: geometries in CRS84 unless ``crs`` asks for EPSG:28992 (RD New); the
``Content-Crs`` header names the CRS of the body. Readers see only the areas of their key: a list
without filters is narrowed to the key's areas; an explicit filter or a single item outside them is 403.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from api.dependencies import (
    BBOX_PARAMETER,
    CACHED,
    CRS84,
    CRS_RD,
    SUPPORTED_CRS,
    ActiveRelease,
    BBox,
    Period,
    Reader,
    check_area,
    check_filter,
    public_base,
    public_url,
)
from api.errors import NotFound, problem_responses
from api.planned import PlannedRoute
from api.store import LEVELS, LoadedRelease
from geo.errors import HelpendeDataError, UnknownAreaCode

__all__ = ["CRS84", "CRS_RD", "GEOJSON", "FeaturesFactory"]

GEOJSON = "application/geo+json"
_TITLES = {"wijken": "Wijken", "gemeenten": "Gemeenten", "regios": "Veiligheidsregio's"}
CollectionId = Annotated[str, Path(description="wijken, gemeenten of regios", pattern=r"^[a-z]{1,32}$")]
FeatureId = Annotated[str, Path(description="CBS-code, bv. WK019301, GM0193 of VR04", pattern=r"^[A-Z]{2}\d{2,8}$")]
Crs = Annotated[Literal[
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/EPSG/0/28992"],
    Query(description="CRS van de geometrieën in het antwoord (OGC API Features deel 2)")]

_LINK = {"type": "object", "required": ["href", "rel"],
         "properties": {"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
                        "title": {"type": "string"}}}
_FEATURE = {"type": "object", "required": ["type", "geometry", "properties"],
            "properties": {"type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"},
                           "geometry": {"type": "object", "nullable": True},
                           "properties": {"type": "object", "nullable": True},
                           "links": {"type": "array", "items": _LINK}}}
_FEATURE_COLLECTION = {"type": "object", "required": ["type", "features"],
                       "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                                      "features": {"type": "array", "items": _FEATURE},
                                      "links": {"type": "array", "items": _LINK},
                                      "numberMatched": {"type": "integer", "minimum": 0},
                                      "numberReturned": {"type": "integer", "minimum": 0}}}
_CRS_HEADER = {"Content-Crs": {"description": "CRS van de geometrieën, tussen < en >", "schema": {"type": "string"}}}
_ERRORS = problem_responses(400, 401, 403, 404, 503)


def _geojson(body: bytes, crs: str) -> Response:
    return Response(body, media_type=GEOJSON, headers={"Content-Crs": f"<{crs}>"})


@dataclass
class FeaturesFactory:
    """Registers ``/collections``, ``/collections/{id}``, ``…/items`` and ``…/items/{code}``."""

    default_limit: int = 100
    max_limit: int = 1000
    router: APIRouter = field(default_factory=lambda: APIRouter(tags=["Features"], route_class=PlannedRoute))

    # The handlers are ``async def``: they only slice bytes prepared per release, so running them in the
    # thread pool (what FastAPI does with a plain ``def``) would cost more than the work.

    def __post_init__(self) -> None:
        deps = CACHED
        self.router.add_api_route("/collections", self.collections, methods=["GET"], summary="Collecties",
                                  dependencies=deps, responses=_ERRORS, operation_id="getCollections")
        self.router.add_api_route("/collections/{collectionId}", self.collection, methods=["GET"],
                                  summary="Collectie", dependencies=deps, responses=_ERRORS,
                                  operation_id="getCollection")
        self.router.add_api_route(
            "/collections/{collectionId}/items", self.items, methods=["GET"], summary="Gebieden met cijfers",
            response_class=Response, dependencies=deps, operation_id="getFeatures",
            responses={200: {"description": "Gebieden (GeoJSON FeatureCollection)", "headers": _CRS_HEADER,
                             "content": {GEOJSON: {"schema": _FEATURE_COLLECTION}}}, **_ERRORS},
            openapi_extra={"parameters": [BBOX_PARAMETER]},
        )
        self.router.add_api_route(
            "/collections/{collectionId}/items/{featureId}", self.item, methods=["GET"], summary="Eén gebied",
            response_class=Response, dependencies=deps, operation_id="getFeature",
            responses={200: {"description": "Eén gebied (GeoJSON Feature)", "headers": _CRS_HEADER,
                             "content": {GEOJSON: {"schema": _FEATURE}}}, **_ERRORS},
        )

    def _describe(self, base: str, loaded: LoadedRelease, collection_id: str) -> dict:
        layer = loaded.layers[(collection_id, max(loaded.periods))]
        b, r = layer.bounds, layer.bounds_rd
        return {
            "id": collection_id,
            "title": _TITLES[collection_id],
            "description": f"{_TITLES[collection_id]} met beschermde, afgeronde cijfers per periode"
            + (" (SYNTHETISCHE demonstratiedata)" if loaded.release.synthetic else ""),
            "extent": {
                "spatial": {"bbox": [[float(b[:, 0].min()), float(b[:, 1].min()),
                                      float(b[:, 2].max()), float(b[:, 3].max())]], "crs": CRS84},
                "temporal": {"interval": [[f"{min(loaded.periods)}-01-01T00:00:00Z",
                                           f"{max(loaded.periods)}-12-31T23:59:59Z"]],
                             "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
            },
            "itemType": "feature",
            "crs": [CRS84, CRS_RD],
            "storageCrs": CRS_RD,
            "storageCrsBbox": [[round(float(r[:, 0].min()), 2), round(float(r[:, 1].min()), 2),
                                round(float(r[:, 2].max()), 2), round(float(r[:, 3].max()), 2)]],
            "links": [
                {"href": f"{base}/collections/{collection_id}", "rel": "self", "type": "application/json",
                 "title": "deze collectie"},
                {"href": f"{base}/collections/{collection_id}/items", "rel": "items", "type": GEOJSON,
                 "title": "gebieden"},
            ],
        }

    def _check(self, loaded: LoadedRelease, collection_id: str) -> None:
        if collection_id not in LEVELS or (collection_id, max(loaded.periods)) not in loaded.layers:
            available = sorted({c for c, _ in loaded.layers})
            raise NotFound(f"collectie {collection_id!r} bestaat niet; beschikbaar: {available}")

    async def collections(self, request: Request, loaded: ActiveRelease, principal: Reader) -> dict:
        base = public_base(request)
        ids = sorted({c for c, _ in loaded.layers}, key=list(LEVELS).index)
        return {
            "links": [
                {"href": f"{base}/collections", "rel": "self", "type": "application/json", "title": "collecties"}
            ],
            "collections": [self._describe(base, loaded, c) for c in ids],
        }

    async def collection(
        self, request: Request, loaded: ActiveRelease, principal: Reader, collectionId: CollectionId
    ) -> dict:
        self._check(loaded, collectionId)
        return self._describe(public_base(request), loaded, collectionId)

    async def items(
        self,
        request: Request,
        loaded: ActiveRelease,
        principal: Reader,
        collectionId: CollectionId,
        bbox: BBox,
        period: Period,
        limit: Annotated[
            int,
            Query(ge=1, le=1000, description="Aantal gebieden per pagina: standaard 100, minimaal 1, maximaal 1000"),
        ] = None,  # type: ignore[assignment]
        offset: Annotated[
            int, Query(ge=0, le=1_000_000, description="Aantal over te slaan gebieden (volgt uit de next-link)")
        ] = 0,
        gemeente: Annotated[
            str | None, Query(pattern=r"^GM\d{4}$", description="Alleen gebieden in deze gemeente")
        ] = None,
        regio: Annotated[
            str | None, Query(pattern=r"^VR\d{2}$", description="Alleen gebieden in deze veiligheidsregio")
        ] = None,
        crs: Crs = CRS84,
    ) -> Response:
        self._check(loaded, collectionId)
        if crs not in SUPPORTED_CRS:
            raise HelpendeDataError(f"crs {crs!r} wordt niet ondersteund; gebruik een van {list(SUPPORTED_CRS)}")
        if gemeente is not None or regio is not None:
            check_filter(request, principal, loaded, gemeente=gemeente, regio=regio)
        limit = min(limit or self.default_limit, self.max_limit)
        layer = loaded.layers[(collectionId, period)]
        scope = principal.scope

        def build() -> tuple[bytes, int, int]:
            n = len(layer.codes)
            selected = range(n) if scope.all_areas else layer.in_scope(scope)
            if gemeente is not None:
                selected = [i for i in selected if layer.gemeente[i] == gemeente]
            if regio is not None:
                selected = [i for i in selected if layer.regio[i] == regio]
            if bbox is not None:
                (minx, miny, maxx, maxy), bbox_crs = bbox
                b = layer.bounds if bbox_crs == CRS84 else layer.bounds_rd
                selected = [i for i in selected
                            if b[i, 0] <= maxx and b[i, 2] >= minx and b[i, 1] <= maxy and b[i, 3] >= miny]
            page = list(selected)[offset: offset + limit]
            features = layer.features if crs == CRS84 else layer.features_rd
            head = b'{"type":"FeatureCollection","features":[' + b",".join([features[i] for i in page]) + b"],"
            return head, len(selected), len(page)

        head, matched, returned = layer.page((scope, gemeente, regio, bbox, offset, limit, crs), build)
        url = request.url
        links = [{"href": public_url(request), "rel": "self", "type": GEOJSON, "title": "deze pagina"}]
        if offset + limit < matched:
            links.append({"href": public_url(request, url.include_query_params(offset=offset + limit, limit=limit)),
                          "rel": "next", "type": GEOJSON, "title": "volgende pagina"})
        if offset > 0:
            links.append({"href": public_url(request, url.include_query_params(offset=max(0, offset - limit),
                                                                                 limit=limit)),
                          "rel": "prev", "type": GEOJSON, "title": "vorige pagina"})
        # no timeStamp (optional in OGC API Features): the page is a function of release, URL and scope, as its
        # ETag and the response cache assume; a generation time would make equal requests differ byte for byte
        tail = json.dumps({"numberMatched": matched, "numberReturned": returned, "links": links},
                          separators=(",", ":"))
        return _geojson(head + tail[1:].encode(), crs)

    async def item(self, request: Request, loaded: ActiveRelease, principal: Reader, collectionId: CollectionId,
             featureId: FeatureId, period: Period, crs: Crs = CRS84) -> Response:
        self._check(loaded, collectionId)
        if crs not in SUPPORTED_CRS:
            raise HelpendeDataError(f"crs {crs!r} wordt niet ondersteund; gebruik een van {list(SUPPORTED_CRS)}")
        layer = loaded.layers[(collectionId, period)]
        i = layer.index.get(featureId)
        if i is None:
            raise UnknownAreaCode(featureId, f"not in collection {collectionId}")
        check_area(request, principal, featureId, layer.gemeente[i], layer.regio[i])
        base = public_base(request)
        links = [{"href": public_url(request), "rel": "self", "type": GEOJSON, "title": "dit gebied"},
                 {"href": f"{base}/collections/{collectionId}", "rel": "collection", "type": "application/json",
                  "title": "de collectie"}]
        feature = (layer.features if crs == CRS84 else layer.features_rd)[i]
        return _geojson(feature[:-1] + b',"links":' + json.dumps(links, separators=(",", ":")).encode() + b"}", crs)
