"""Small, typed dependencies the routes declare in their signatures."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from api.errors import NotFound
from api.store import LoadedRelease
from geo.errors import HelpendeDataError

__all__ = ["ActiveRelease", "BBox", "active_release", "bbox_query", "period_query"]


def active_release(request: Request) -> LoadedRelease:
    return request.app.state.store.get()


ActiveRelease = Annotated[LoadedRelease, Depends(active_release)]


def bbox_query(
    bbox: Annotated[
        str | None,
        Query(description="minLon,minLat,maxLon,maxLat in CRS84 (WGS84 lon/lat), e.g. 5.9,52.4,6.3,52.6",
              pattern=r"^-?\d+(\.\d+)?(,-?\d+(\.\d+)?){3}$"),
    ] = None,
) -> tuple[float, float, float, float] | None:
    if bbox is None:
        return None
    minx, miny, maxx, maxy = (float(v) for v in bbox.split(","))
    if minx > maxx or miny > maxy:
        raise HelpendeDataError(f"bbox {bbox!r}: minimum larger than maximum (expected minLon,minLat,maxLon,maxLat)")
    return minx, miny, maxx, maxy


BBox = Annotated[tuple[float, float, float, float] | None, Depends(bbox_query)]


def period_query(
    loaded: ActiveRelease,
    periode: Annotated[int | None, Query(ge=1900, le=2100, description="Jaar; standaard het laatste jaar van de release")] = None,
) -> int:
    periods = loaded.release.periods
    if periode is None:
        return max(periods)
    if periode not in periods:
        raise NotFound(f"periode {periode} is not in this release; available: {periods}")
    return periode
