"""Maps rendered into the release at build time, served as HTML, for the areas of the caller's key.

A gemeente map (``GM0193``) needs a key that covers that gemeente (or its region); the region map
(``regio``) needs a key that covers the whole region — policy and steward keys normally do, a
wijkteam key only when it was issued for the whole region. Browsers cannot add an ``X-API-Key``
header when opening a page, so these routes also accept the key as the password of HTTP Basic
(any user name): the browser asks for it once.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from api.dependencies import CACHED, ActiveRelease, check_area, map_reader
from api.errors import NotFound, problem_responses
from api.keys import Principal
from api.planned import PlannedRoute
from api.store import verified_bytes

__all__ = ["router"]

router = APIRouter(tags=["Kaarten"], route_class=PlannedRoute,
                   responses=problem_responses(400, 401, 403, 404, 503))
_NAME = re.compile(r"regio|GM\d{4}")
MapReader = Annotated[Principal, Depends(map_reader)]


def _regions(loaded) -> list[str]:
    areas = loaded.release.areas
    return sorted(areas.loc[areas["level"].eq("regio"), "code"])


def _gemeente_regio(loaded, code: str) -> str | None:
    areas = loaded.release.areas
    match = areas.loc[areas["code"].eq(code), "regio"]
    return None if match.empty else match.iloc[0]


def _allowed(principal: Principal, loaded, naam: str) -> bool:
    if naam == "regio":
        return all(principal.scope.covers(r, None, r) for r in _regions(loaded))
    return principal.scope.covers(naam, naam, _gemeente_regio(loaded, naam))


@router.get("/kaarten", dependencies=CACHED, summary="Kaarten die deze sleutel mag zien", operation_id="getKaarten",
            responses={200: {"description": "Kaarten", "content": {"application/json": {"schema": {
                "type": "object", "required": ["kaarten"], "properties": {"kaarten": {"type": "array", "items": {
                    "type": "object", "properties": {"naam": {"type": "string"}, "href": {"type": "string"}}}}}}}}}})
def list_maps(loaded: ActiveRelease, principal: MapReader) -> dict:
    outputs = loaded.release.manifest.get("outputs", {})
    names = sorted(r.removeprefix("kaarten/").removesuffix(".html") for r in outputs
                   if r.startswith("kaarten/") and r.endswith(".html"))
    return {"kaarten": [{"naam": n, "href": f"kaarten/{n}"} for n in names if _allowed(principal, loaded, n)]}


def _authorise(request: Request, principal: Principal, loaded, naam: str) -> None:
    if naam == "regio":
        request.state.area = "regio"
        if not _allowed(principal, loaded, naam):
            from api.errors import OutsideKeyScope

            raise OutsideKeyScope("de regiokaart (vraagt een sleutel voor de hele regio)")
    else:
        check_area(request, principal, naam, naam, _gemeente_regio(loaded, naam))


def _map_file(request: Request, principal: Principal, loaded, naam: str, suffix: str) -> bytes:
    """The bytes of the release's map file ``naam`` + ``suffix``, after the caller's scope is checked,
    checked against the manifest hash (a file changed after activation is never served)."""
    relative = f"kaarten/{naam}{suffix}"
    if not _NAME.fullmatch(naam) or relative not in loaded.release.manifest.get("outputs", {}):
        raise NotFound(f"geen kaart {naam}{suffix} in release {loaded.release.id}")
    _authorise(request, principal, loaded, naam)
    return verified_bytes(loaded.release, relative)


# Registered before the HTML route, whose path would otherwise also match "GM0193.png".
@router.get(
    "/kaarten/{naam}.png",
    dependencies=CACHED,
    summary="Kaart als afdruk (PNG, A4 liggend)",
    response_class=Response,
    operation_id="getKaartAfdruk",
    responses={
        200: {"description": "Afdruk", "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
def get_map_png(
    request: Request,
    loaded: ActiveRelease,
    principal: MapReader,
    naam: Annotated[str, Path(pattern=r"^(regio|GM\d{4})$", description="regio of een gemeentecode")],
) -> Response:
    return Response(_map_file(request, principal, loaded, naam, ".png"), media_type="image/png")


@router.get(
    "/kaarten/{naam}",
    dependencies=CACHED,
    summary="Kaart (HTML)",
    response_class=HTMLResponse,
    operation_id="getKaart",
    responses={200: {"description": "Kaart", "content": {"text/html": {"schema": {"type": "string"}}}}},
)
def get_map(
    request: Request,
    loaded: ActiveRelease,
    principal: MapReader,
    naam: Annotated[str, Path(pattern=r"^(regio|GM\d{4})$", description="regio of een gemeentecode")],
) -> HTMLResponse:
    return HTMLResponse(_map_file(request, principal, loaded, naam, ".html"))
