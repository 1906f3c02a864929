"""Domain errors → RFC 9457 problem+json responses, in one reviewed table."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo.errors import HelpendeDataError, UnknownAreaCode
from insights.errors import ReleaseNotFound

__all__ = ["STATUS", "NotFound", "add_problem_handlers", "problem"]


class NotFound(HelpendeDataError):
    """A collection, map or period the release does not have."""


STATUS: dict[type[Exception], int] = {
    UnknownAreaCode: 404,
    NotFound: 404,
    ReleaseNotFound: 503,
}

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, instance: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


_TITLES = {400: "Ongeldige invoer", 401: "Niet geauthenticeerd", 403: "Geen toegang", 404: "Niet gevonden",
           405: "Methode niet toegestaan", 503: "Geen release beschikbaar"}


def add_problem_handlers(app: FastAPI) -> None:
    """Every error leaves as problem+json; invalid input is 400 (NL GOV ADR), not 422."""

    async def domain(request: Request, exc: HelpendeDataError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        return problem(status, _TITLES.get(status, "Fout"), str(exc), request.url.path)

    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'] if p not in ('query', 'path'))}: {err['msg']}" for err in exc.errors()
        )
        return problem(400, _TITLES[400], details, request.url.path)

    async def http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, _TITLES.get(exc.status_code, "Fout"), str(exc.detail), request.url.path)

    app.add_exception_handler(HelpendeDataError, domain)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
