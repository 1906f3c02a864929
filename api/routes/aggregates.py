"""Aggregates for policy staff: published figures and scores per area and period, and trends.

Every row comes from the release's audited tables as it is (one area × period × indicator); a
request can select rows but never adds them up, so no new sum over user-chosen areas is made.
Hidden values are ``null`` with their ``status``, never 0. Downloads: JSON, CSV, GeoJSON, GeoParquet.
"""

from __future__ import annotations

import io
from enum import StrEnum
from typing import Annotated, Any

import geopandas as gpd
from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.dependencies import CACHED, ActiveRelease, Policy, Reader, check_area, check_filter
from api.errors import problem_responses
from api.keys import Principal
from api.planned import PlannedRoute
from api.routes.effects import trend_tests
from api.store import LoadedRelease, Table
from geo.codes import AREA_LEVELS
from geo.errors import UnknownAreaCode
from insights.indicators import INDICATORS

__all__ = ["Format", "Level", "router", "serve_table", "table_response"]

router = APIRouter(tags=["Cijfers"], route_class=PlannedRoute,
                   responses=problem_responses(400, 401, 403, 404, 503))

PARQUET = "application/vnd.apache.parquet"
CSV = "text/csv; charset=utf-8"
GEOJSON = "application/geo+json"


class Format(StrEnum):
    json = "json"
    csv = "csv"
    csv_nl = "csv-nl"  # Dutch Excel: ';', decimal comma, UTF-8 with BOM, CRLF
    geojson = "geojson"
    parquet = "parquet"


Level = StrEnum("Level", [level.value for level in AREA_LEVELS])  # type: ignore[misc]  # members from geo


Indicator = StrEnum("Indicator", list(INDICATORS))  # type: ignore[misc]  # members from the registry
F = Annotated[
    Format,
    Query(
        description="Formaat: json (standaard), csv, csv-nl (voor Nederlandse Excel: ; als scheiding, "
        "decimale komma, UTF-8 met BOM), geojson of parquet (GeoParquet, EPSG:28992)"
    ),
]
Niveau = Annotated[Level | None, Query(description="Alleen dit niveau")]
Gemeente = Annotated[str | None, Query(pattern=r"^GM\d{4}$", description="Alleen gebieden in deze gemeente")]
Regio = Annotated[str | None, Query(pattern=r"^VR\d{2}$", description="Alleen gebieden in deze veiligheidsregio")]
Gebied = Annotated[str | None, Query(pattern=r"^(WK\d{6}|GM\d{4}|VR\d{2})$", description="Alleen dit gebied")]
Periode = Annotated[int | None, Query(ge=1900, le=2100, description="Alleen dit jaar")]
IndicatorQ = Annotated[Indicator | None, Query(description="Alleen deze indicator")]

_ROW = {"type": "object", "additionalProperties": True,
        "required": ["code", "level", "period", "indicator", "value", "status"],
        "properties": {"code": {"type": "string"}, "level": {"type": "string"}, "period": {"type": "integer"},
                       "indicator": {"type": "string"}, "value": {"type": "integer", "nullable": True},
                       "status": {"type": "string"}}}


def content(schema_key: str, description: str) -> dict:
    return {200: {"description": description, "content": {
        "application/json": {"schema": {"type": "object", "required": ["release", schema_key, "aantal"], "properties": {
            "release": {"type": "string"}, "synthetisch": {"type": "boolean"}, "aantal": {"type": "integer"},
            schema_key: {"type": "array", "items": _ROW}}}},
        "text/csv": {"schema": {"type": "string"}},
        GEOJSON: {"schema": {"type": "object", "required": ["type", "features"],
                             "properties": {"type": {"type": "string"}, "features": {"type": "array"}}}},
        PARQUET: {"schema": {"type": "string", "format": "binary"}},
    }}}


def table_response(request: Request, loaded: LoadedRelease, table: Table, principal: Principal, key: str, f: Format,
                   *, level: str | None, gemeente: str | None, regio: str | None, code: str | None,
                   period: int | None, indicator: str | None) -> Response:
    """Rows of ``table`` matching the filters and inside the key's areas, in format ``f``."""
    if gemeente is not None or regio is not None:
        check_filter(request, principal, loaded, gemeente=gemeente, regio=regio, code=code)
    rows = table.select(level=level, gemeente=gemeente, regio=regio, code=code, period=period, indicator=indicator)
    if code is not None:
        if len(rows) == 0 and code not in loaded.geometry:
            raise UnknownAreaCode(code, "not in this release")
        if len(rows):
            first = int(rows[0])
            check_area(request, principal, code, table.columns["gemeente"][first], table.columns["regio"][first])
    rows = rows[table.in_scope(principal.scope)[rows]]
    name = f"{key}-{loaded.release.id}"
    cache_key = (key, f, level, gemeente, regio, code, period, indicator, principal.scope)
    if f is Format.csv:
        body = table.body(cache_key, lambda: b"\n".join([table.csv_header, *[table.csv_rows[i] for i in rows]]) + b"\n")
        return Response(body, media_type=CSV, headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if f is Format.csv_nl:
        def excel() -> bytes:
            header, lines = table.csv_nl()
            return "\ufeff".encode() + b"\r\n".join([header, *[lines[i] for i in rows]]) + b"\r\n"

        return Response(table.body(cache_key, excel), media_type=CSV,
                        headers={"Content-Disposition": f'attachment; filename="{name}-excel.csv"'})
    if f is Format.geojson:
        codes = table.columns["code"]

        def geojson() -> bytes:
            features = [b'{"type":"Feature","id":"' + codes[i].encode() + b'","geometry":' + loaded.geometry[codes[i]]
                        + b',"properties":' + table.json_rows[i] + b"}" for i in rows]
            return b'{"type":"FeatureCollection","features":[' + b",".join(features) + b"]}"

        return Response(table.body(cache_key, geojson), media_type=GEOJSON,
                        headers={"Content-Crs": "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"})
    if f is Format.parquet:
        frame = table.frame.iloc[rows]
        areas = loaded.release.areas[["code", "geometry"]]
        geo = gpd.GeoDataFrame(frame.merge(areas, on="code", how="left"), geometry="geometry", crs=areas.crs)
        buffer = io.BytesIO()
        geo.to_parquet(buffer, index=False)
        return Response(buffer.getvalue(), media_type=PARQUET,
                        headers={"Content-Disposition": f'attachment; filename="{name}.parquet"'})

    def json_body() -> bytes:
        head = (f'{{"release":"{loaded.release.id}","synthetisch":{"true" if loaded.release.synthetic else "false"},'
                f'"aantal":{len(rows)},"{key}":[').encode()
        return head + b",".join([table.json_rows[i] for i in rows]) + b"]}"

    return Response(table.body(cache_key, json_body), media_type="application/json")


async def serve_table(request: Request, loaded: LoadedRelease, table: Table, principal: Principal, key: str,
                      f: Format, **filters) -> Response:
    """:func:`table_response` on the event loop for the formats that only join prepared bytes; GeoParquet
    (writes a file in memory, milliseconds) in the thread pool so it does not hold up other requests."""
    if f is Format.parquet:
        return await run_in_threadpool(table_response, request, loaded, table, principal, key, f, **filters)
    return table_response(request, loaded, table, principal, key, f, **filters)


@router.get(
    "/cijfers",
    dependencies=CACHED,
    summary="Gepubliceerde cijfers en scores per gebied, periode en indicator",
    operation_id="getCijfers",
    response_class=Response,
    responses=content(
        "cijfers", "Eén rij per gebied × periode × indicator; verborgen waarden zijn null met een status"
    ),
)
async def cijfers(
    request: Request,
    loaded: ActiveRelease,
    principal: Policy,
    f: F = Format.json,
    niveau: Niveau = None,
    gemeente: Gemeente = None,
    regio: Regio = None,
    gebied: Gebied = None,
    periode: Periode = None,
    indicator: IndicatorQ = None,
) -> Response:
    return await serve_table(request, loaded, loaded.cijfers, principal, "cijfers", f,
                             level=niveau and str(niveau), gemeente=gemeente, regio=regio, code=gebied, period=periode,
                             indicator=indicator and str(indicator))


_TREND: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Per indicator de reeks over de perioden",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["code", "indicatoren"],
                    "properties": {
                        "code": {"type": "string"},
                        "naam": {"type": "string", "nullable": True},
                        "release": {"type": "string"},
                        "indicatoren": {"type": "object", "additionalProperties": {"type": "array", "items": _ROW}},
                        "toetsen": {
                            "type": "array",
                            "description": "Trendtoets per indicator over de laatste vijf perioden: "
                            "jaarlijkse verandering (%) met 95%-interval, p-waarde en marker",
                            "items": {
                                "type": "object",
                                "additionalProperties": True,
                                "required": ["indicator", "marker"],
                                "properties": {"indicator": {"type": "string"}, "marker": {"type": "string"}},
                            },
                        },
                    },
                }
            }
        },
    }
}


@router.get("/trends/{gebiedscode}", dependencies=CACHED, summary="Trend van één gebied over alle perioden",
            operation_id="getTrend", responses=_TREND)
def trend(request: Request, loaded: ActiveRelease, principal: Reader,
          gebiedscode: Annotated[str, Path(pattern=r"^(WK\d{6}|GM\d{4}|VR\d{2})$", description="CBS-code")],
          indicator: IndicatorQ = None) -> dict:
    table = loaded.cijfers
    rows = table.select(code=gebiedscode, indicator=indicator and str(indicator))
    if gebiedscode not in loaded.geometry:
        raise UnknownAreaCode(gebiedscode, "not in this release")
    if len(rows):
        first = int(rows[0])
        check_area(request, principal, gebiedscode, table.columns["gemeente"][first], table.columns["regio"][first])
    else:
        area = loaded.release.areas.set_index("code").loc[gebiedscode]
        check_area(request, principal, gebiedscode, area["gemeente"], area["regio"])
    records = table.frame.iloc[rows].sort_values(["indicator", "period"])
    out: dict[str, list] = {}
    for i in records.index:
        out.setdefault(str(table.frame.at[i, "indicator"]), []).append(i)
    import json

    return {"code": gebiedscode, "release": loaded.release.id,
            "naam": None if records.empty else records["naam"].iloc[0],
            "indicatoren": {k: [json.loads(table.json_rows[i]) for i in v] for k, v in out.items()},
            "toetsen": trend_tests(loaded, gebiedscode)}
