"""Area profiles, trend tests and intervention effects, as the release computed them.

Every row comes from a table of the active release (``profielen``, ``trends``, ``hermeldingen``,
``effecten``); nothing is recomputed or summed here. Hidden values are ``null`` with a status.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Request

from api.dependencies import CACHED, ActiveRelease, Policy, Reader, check_area
from api.errors import problem_responses
from api.planned import PlannedRoute
from api.store import LoadedRelease, _jsonable
from geo.errors import UnknownAreaCode

__all__ = ["router", "trend_tests"]

router = APIRouter(tags=["Effecten"], route_class=PlannedRoute, responses=problem_responses(400, 401, 403, 404, 503))

_OBJ: dict[str, Any] = {"type": "object", "additionalProperties": True}
_PROFILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Profiel van één wijk of gemeente: elke indicator tegen de regio, met reeks",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["code", "release", "periode", "indicatoren"],
                    "properties": {
                        "code": {"type": "string"},
                        "naam": {"type": "string", "nullable": True},
                        "release": {"type": "string"},
                        "synthetisch": {"type": "boolean"},
                        "periode": {"type": "integer", "nullable": True},
                        "indicatoren": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": True,
                                "required": ["indicator", "profiel", "reeks"],
                                "properties": {
                                    "indicator": {"type": "string"},
                                    "profiel": _OBJ,
                                    "reeks": {"type": "array", "items": _OBJ},
                                },
                            },
                        },
                        "samenhang": {"type": "string", "nullable": True},
                    },
                }
            }
        },
    }
}
_EFFECTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Effect per interventie en indicator (verschil-in-verschillen)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["release", "effecten", "aantal"],
                    "properties": {
                        "release": {"type": "string"},
                        "synthetisch": {"type": "boolean"},
                        "aantal": {"type": "integer"},
                        "effecten": {"type": "array", "items": _OBJ},
                    },
                }
            }
        },
    }
}
_SERIES = ["period", "value", "status", "denominator", "rate", "rate_low95", "rate_high95", "regio_rate"]
_PROFILE_COLS = ["value", "status", "rate", "rate_low95", "rate_high95", "regio_rate", "smr", "rr", "rr_low95",
                 "rr_high95", "p_exceed", "signal", "funnel", "trend", "apc", "apc_low95", "apc_high95",
                 "repeat_share", "repeat_low95", "repeat_high95", "repeat_signal", "composite", "composite_label"]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _jsonable(v) for k, v in r.items()} for r in frame.astype(object).to_dict(orient="records")]


def _area(request: Request, principal, loaded: LoadedRelease, code: str) -> pd.Series:
    areas = loaded.release.areas
    match = areas[areas["code"].eq(code)]
    if match.empty:
        raise UnknownAreaCode(code, "not in this release")
    area = match.iloc[0]
    check_area(request, principal, code, area["gemeente"], area["regio"])
    return area


def trend_tests(loaded: LoadedRelease, code: str) -> list[dict[str, Any]]:
    """The release's trend test of each indicator of ``code`` (empty for a release without trends)."""
    trends = loaded.release.tables.get("trends")
    if trends is None:
        return []
    return _records(trends[trends["code"].eq(code)].drop(columns=["code", "level"]))


@router.get("/profielen/{gebiedscode}", dependencies=CACHED, operation_id="getProfiel", responses=_PROFILE,
            summary="Gebiedsprofiel: elke indicator tegen de regio, met interval, signaal, trend en hermeldingen")
def profiel(
    request: Request,
    loaded: ActiveRelease,
    principal: Reader,
    gebiedscode: Annotated[str, Path(pattern=r"^(WK\d{6}|GM\d{4})$", description="CBS-code van wijk of gemeente")],
) -> dict:
    area = _area(request, principal, loaded, gebiedscode)
    table = loaded.release.tables.get("profielen")
    rows = pd.DataFrame() if table is None else table[table["code"].eq(gebiedscode)]
    latest = int(rows["period"].max()) if len(rows) else None
    indicators = []
    for name, group in rows.groupby("indicator", sort=False):
        now = group[group["period"].eq(latest)]
        indicators.append({"indicator": str(name),
                           "profiel": _records(now[_PROFILE_COLS])[0] if len(now) else {},
                           "reeks": _records(group[_SERIES].sort_values("period"))})
    label = None
    if len(rows) and rows["composite_label"].notna().any():
        label = str(rows["composite_label"].dropna().iloc[0])
    return {"code": gebiedscode, "naam": _jsonable(area.get("naam")), "release": loaded.release.id,
            "synthetisch": loaded.release.synthetic, "periode": latest, "indicatoren": indicators,
            "samenhang": label}


@router.get("/effecten", dependencies=CACHED, operation_id="getEffecten", responses=_EFFECTS,
            summary="Effecten van interventies: verschil-in-verschillen met interval, toets vooraf en oordeel")
def effecten(request: Request, loaded: ActiveRelease, principal: Policy) -> dict:
    table = loaded.release.tables.get("effecten")
    if table is None or table.empty:
        rows: list[dict[str, Any]] = []
    else:
        areas = loaded.release.areas.set_index("code")
        visible = [all(principal.scope.covers(c, areas.at[c, "gemeente"], areas.at[c, "regio"]) if c in areas.index
                       else False for c in str(w).split(",")) for w in table["wijken"]]
        rows = _records(table[visible])
    return {"release": loaded.release.id, "synthetisch": loaded.release.synthetic, "aantal": len(rows),
            "effecten": rows}
