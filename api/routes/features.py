"""OGC API Features routes over every layer of a release, built by one factory."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from api.dependencies import ActiveRelease, BBox, period_query
from api.errors import NotFound
from api.store import LEVELS
from geo.errors import UnknownAreaCode

__all__ = ["FeaturesFactory", "CRS84", "GEOJSON"]

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON = "application/geo+json"
_TITLES = {"wijken": "Wijken", "gemeenten": "Gemeenten", "regios": "Veiligheidsregio's"}


def _geojson(body: bytes) -> Response:
    return Response(body, media_type=GEOJSON, headers={"Content-Crs": f"<{CRS84}>"})


@dataclass
class FeaturesFactory:
    """Registers ``/collections``, ``/collections/{id}``, ``…/items`` and ``…/items/{code}``."""

    default_limit: int = 100
    max_limit: int = 1000
    router: APIRouter = field(default_factory=lambda: APIRouter(tags=["Features"]))

    def __post_init__(self) -> None:
        self.router.add_api_route("/collections", self.collections, methods=["GET"], summary="Collecties")
        self.router.add_api_route("/collections/{collectionId}", self.collection, methods=["GET"], summary="Collectie")
        self.router.add_api_route(
            "/collections/{collectionId}/items", self.items, methods=["GET"], summary="Gebieden met cijfers",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}},
        )
        self.router.add_api_route(
            "/collections/{collectionId}/items/{featureId}", self.item, methods=["GET"], summary="Eén gebied",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}},
        )

    def _describe(self, request: Request, loaded, collection_id: str) -> dict:
        base = str(request.base_url).rstrip("/") + "/v1"
        layer = loaded.layers[(collection_id, max(loaded.release.periods))]
        bounds = layer.bounds
        return {
            "id": collection_id,
            "title": _TITLES[collection_id],
            "description": f"{_TITLES[collection_id]} met beschermde, afgeronde cijfers per periode"
            + (" (SYNTHETISCHE demonstratiedata)" if loaded.release.synthetic else ""),
            "extent": {
                "spatial": {"bbox": [[float(bounds[:, 0].min()), float(bounds[:, 1].min()),
                                      float(bounds[:, 2].max()), float(bounds[:, 3].max())]], "crs": CRS84},
                "temporal": {"interval": [[f"{min(loaded.release.periods)}-01-01T00:00:00Z",
                                           f"{max(loaded.release.periods)}-12-31T23:59:59Z"]]},
            },
            "itemType": "feature",
            "crs": [CRS84],
            "links": [
                {"href": f"{base}/collections/{collection_id}", "rel": "self", "type": "application/json", "title": "deze collectie"},
                {"href": f"{base}/collections/{collection_id}/items", "rel": "items", "type": GEOJSON, "title": "gebieden"},
            ],
        }

    def _check(self, loaded, collection_id: str) -> None:
        if collection_id not in LEVELS or (collection_id, max(loaded.release.periods)) not in loaded.layers:
            available = sorted({c for c, _ in loaded.layers})
            raise NotFound(f"collection {collection_id!r} does not exist; available: {available}")

    def collections(self, request: Request, loaded: ActiveRelease) -> dict:
        base = str(request.base_url).rstrip("/") + "/v1"
        ids = sorted({c for c, _ in loaded.layers}, key=list(LEVELS).index)
        return {
            "links": [{"href": f"{base}/collections", "rel": "self", "type": "application/json", "title": "collecties"}],
            "collections": [self._describe(request, loaded, c) for c in ids],
        }

    def collection(self, request: Request, loaded: ActiveRelease, collectionId: str) -> dict:
        self._check(loaded, collectionId)
        return self._describe(request, loaded, collectionId)

    def items(
        self,
        request: Request,
        loaded: ActiveRelease,
        collectionId: str,
        bbox: BBox,
        period: Annotated[int, Depends(period_query)],
        limit: Annotated[int | None, Query(ge=1, description="Aantal gebieden per pagina (standaard 100, maximaal 1000)")] = None,
        offset: Annotated[int, Query(ge=0, description="Aantal over te slaan gebieden")] = 0,
        gemeente: Annotated[str | None, Query(pattern=r"^GM\d{4}$", description="Alleen gebieden in deze gemeente")] = None,
        regio: Annotated[str | None, Query(pattern=r"^VR\d{2}$", description="Alleen gebieden in deze veiligheidsregio")] = None,
    ) -> Response:
        self._check(loaded, collectionId)
        limit = min(limit or self.default_limit, self.max_limit)
        layer = loaded.layers[(collectionId, period)]
        selected = range(len(layer.codes))
        if gemeente is not None:
            selected = [i for i in selected if layer.gemeente[i] == gemeente]
        if regio is not None:
            selected = [i for i in selected if layer.regio[i] == regio]
        if bbox is not None:
            minx, miny, maxx, maxy = bbox
            b = layer.bounds
            selected = [i for i in selected if b[i, 0] <= maxx and b[i, 2] >= minx and b[i, 1] <= maxy and b[i, 3] >= miny]
        selected = list(selected)
        page = selected[offset: offset + limit]
        url = request.url
        links = [{"href": str(url), "rel": "self", "type": GEOJSON, "title": "deze pagina"}]
        if offset + limit < len(selected):
            links.append({"href": str(url.include_query_params(offset=offset + limit, limit=limit)),
                          "rel": "next", "type": GEOJSON, "title": "volgende pagina"})
        tail = json.dumps({"numberMatched": len(selected), "numberReturned": len(page), "links": links,
                           "timeStamp": loaded.release.manifest.get("created")}, separators=(",", ":"))
        body = b'{"type":"FeatureCollection","features":[' + b",".join(layer.features[i] for i in page) + b"]," + tail[1:].encode()
        return _geojson(body)

    def item(self, loaded: ActiveRelease, collectionId: str, featureId: str,
             period: Annotated[int, Depends(period_query)]) -> Response:
        self._check(loaded, collectionId)
        layer = loaded.layers[(collectionId, period)]
        if featureId not in layer.index:
            raise UnknownAreaCode(featureId, f"not in collection {collectionId}")
        return _geojson(layer.features[layer.index[featureId]])
