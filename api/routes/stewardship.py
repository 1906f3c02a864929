"""Steward endpoints: the active disclosure rules and the suppression pattern with reasons and audit columns.

The suppression pattern comes from the release's steward part (``beheer/``), read through
:func:`insights.release.read_beheer` only; where a server holds the public part only, these routes answer
404 problem+json saying so, and every other route keeps working.
"""

from __future__ import annotations

import tomllib
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.dependencies import CACHED, ActiveRelease, Steward
from api.errors import problem_responses
from api.planned import PlannedRoute
from api.routes.aggregates import F, Format, Gebied, Gemeente, IndicatorQ, Niveau, Periode, Regio, content, serve_table

__all__ = ["router"]

router = APIRouter(tags=["Stewards"], route_class=PlannedRoute,
                   responses=problem_responses(400, 401, 403, 404, 503))

_RULES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "De regels waarmee deze release beschermd is",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["release", "tekst"],
                    "properties": {
                        "release": {"type": "string"},
                        "versie": {"type": "string", "nullable": True},
                        "regels": {"type": "object", "additionalProperties": True},
                        "tekst": {"type": "string"},
                    },
                }
            }
        },
    }
}


@router.get(
    "/regels",
    dependencies=CACHED,
    summary="Actieve regels (regels.toml van de release)",
    operation_id="getRegels",
    responses=_RULES,
)
def regels(loaded: ActiveRelease, principal: Steward) -> dict:
    parsed = tomllib.loads(loaded.regels) if loaded.regels else {}
    return {"release": loaded.release.id, "versie": str(parsed.get("version")) if "version" in parsed else None,
            "regels": parsed, "tekst": loaded.regels}


@router.get("/onderdrukking", dependencies=CACHED, summary="Onderdrukkingspatroon met redenen en auditkolommen",
            operation_id="getOnderdrukking", response_class=Response,
            responses=content("cellen", "Alle cellen van de release: waarde of null, status, reden en wat de audit "
                                        "meeschrijft (nooit de ruwe telling)"))
async def onderdrukking(request: Request, loaded: ActiveRelease, principal: Steward, f: F = Format.json,
                        niveau: Niveau = None, gemeente: Gemeente = None, regio: Regio = None, gebied: Gebied = None,
                        periode: Periode = None, indicator: IndicatorQ = None) -> Response:
    cellen = await run_in_threadpool(lambda: loaded.cellen)  # file I/O at the first steward request
    return await serve_table(request, loaded, cellen, principal, "cellen", f,
                             level=niveau and str(niveau), gemeente=gemeente, regio=regio, code=gebied,
                             period=periode, indicator=indicator and str(indicator))
