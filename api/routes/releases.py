"""Release manifests: the active one for every reader, all of them for stewards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.dependencies import CACHED, ActiveRelease, Reader, Steward
from api.errors import NotFound, problem_responses
from api.planned import PlannedRoute

__all__ = ["router"]

router = APIRouter(tags=["Releases"], route_class=PlannedRoute, responses=problem_responses(400, 401, 403, 404, 503))
_MANIFEST = {"type": "object", "required": ["release_id"], "additionalProperties": True,
             "properties": {"release_id": {"type": "string"}, "created": {"type": "string"}}}
_SKIPPED = {"type": "object", "required": ["release", "reden"],
            "properties": {"release": {"type": "string"}, "reden": {"type": "string"}}}


@router.get(
    "/releases/current",
    dependencies=CACHED,
    summary="Manifest van de actieve release",
    operation_id="getCurrentRelease",
    responses={200: {"description": "Manifest", "content": {"application/json": {"schema": _MANIFEST}}}},
)
def current(loaded: ActiveRelease, principal: Reader) -> dict:
    return loaded.release.manifest


@router.get("/releases", summary="Manifesten van alle releases (stewards)", operation_id="getReleases",
            responses={200: {"description": "Manifesten, nieuwste eerst; releases met een onleesbaar manifest staan "
                                            "onder overgeslagen", "content": {"application/json": {"schema": {
                "type": "object", "required": ["releases", "overgeslagen"], "properties": {
                    "actief": {"type": "string"}, "releases": {"type": "array", "items": _MANIFEST},
                    "overgeslagen": {"type": "array", "items": _SKIPPED}}}}}}})
def all_releases(request: Request, loaded: ActiveRelease, principal: Steward) -> dict:
    manifests, skipped = request.app.state.store.catalogue()
    return {"actief": loaded.release.id, "releases": manifests, "overgeslagen": skipped}


@router.get("/releases/{releaseId}", summary="Manifest van één release (stewards)", operation_id="getRelease",
            responses={200: {"description": "Manifest", "content": {"application/json": {"schema": _MANIFEST}}}})
def one_release(
    request: Request,
    loaded: ActiveRelease,
    principal: Steward,
    releaseId: Annotated[str, Path(pattern=r"^\d{8}T\d{6}Z-[0-9a-f]{8}$", description="id van de release")],
) -> dict:
    for manifest in request.app.state.store.manifests():
        if manifest.get("release_id") == releaseId:
            return manifest
    raise NotFound(f"release {releaseId!r} bestaat niet")
