"""The manifest of the active release."""

from __future__ import annotations

from fastapi import APIRouter

from api.dependencies import ActiveRelease

__all__ = ["router"]

router = APIRouter(tags=["Releases"])


@router.get("/releases/current", summary="Manifest van de actieve release")
def current(loaded: ActiveRelease) -> dict:
    return loaded.release.manifest
