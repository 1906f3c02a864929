"""Maps rendered into the release at build time, served as HTML."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.dependencies import ActiveRelease
from api.errors import NotFound

__all__ = ["router"]

router = APIRouter(tags=["Kaarten"])
_NAME = re.compile(r"regio|GM\d{4}")


@router.get("/kaarten", summary="Beschikbare kaarten")
def list_maps(loaded: ActiveRelease) -> dict:
    names = sorted(p.stem for p in (loaded.release.path / "kaarten").glob("*.html"))
    return {"kaarten": [{"naam": n, "href": f"kaarten/{n}"} for n in names]}


@router.get("/kaarten/{naam}", summary="Kaart (HTML)", response_class=HTMLResponse)
def get_map(naam: str, loaded: ActiveRelease) -> HTMLResponse:
    path = loaded.release.path / "kaarten" / f"{naam}.html"
    if not _NAME.fullmatch(naam) or not path.exists():
        raise NotFound(f"no map {naam!r} in release {loaded.release.id}")
    return HTMLResponse(path.read_text(encoding="utf-8"))
