"""Domain errors → RFC 9457 problem+json responses, in one reviewed table."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.oidc import InvalidToken
from geo.errors import HelpendeDataError, UnknownAreaCode
from insights.errors import ReleaseNotFound, StewardPartMissing

__all__ = [
    "PROBLEM_JSON", "PROBLEM_SCHEMA", "STATUS", "InvalidApiKey", "NotFound", "OutsideKeyScope", "RoleNotAllowed",
    "add_problem_handlers", "problem", "problem_responses",
]


class NotFound(HelpendeDataError):
    """A collection, map or period the release does not have."""


class InvalidApiKey(HelpendeDataError):
    """No credentials, or an API key that is not in the keys file."""


class RoleNotAllowed(HelpendeDataError):
    def __init__(self, role: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"role '{role}' may not use this endpoint; allowed: {', '.join(allowed)}")


class OutsideKeyScope(HelpendeDataError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is outside the areas of your key")


STATUS: dict[type[Exception], int] = {
    InvalidApiKey: 401,
    InvalidToken: 401,
    RoleNotAllowed: 403,
    OutsideKeyScope: 403,
    UnknownAreaCode: 404,
    NotFound: 404,
    StewardPartMissing: 404,  # a release served from its public part only: steward routes say so
    ReleaseNotFound: 503,
}

PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer", "format": "int32", "minimum": 100, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "format": "uri-reference"},
    },
}
_DESCRIPTIONS = {400: "Ongeldige invoer", 401: "Niet geauthenticeerd (geen of ongeldige sleutel of token)",
                 403: "Geen toegang (rol of gebied buiten de sleutel)", 404: "Niet gevonden",
                 503: "Geen release beschikbaar"}


def problem_responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI ``responses`` entries for problem+json errors."""
    return {s: {"description": _DESCRIPTIONS[s], "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
            for s in statuses}


def problem(status: int, title: str, detail: str, instance: str) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance}
    headers = None
    if status == 401:
        challenge = 'Basic realm="helpende-data kaarten"' if "/kaarten" in instance else 'Bearer realm="helpende-data"'
        headers = {"WWW-Authenticate": challenge}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_TITLES = {400: "Ongeldige invoer", 401: "Niet geauthenticeerd", 403: "Geen toegang", 404: "Niet gevonden",
           405: "Methode niet toegestaan", 406: "Niet aanvaardbaar", 503: "Geen release beschikbaar"}


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

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette's ServerErrorMiddleware sends this and re-raises, so uvicorn logs the traceback;
        # the caller learns nothing of the internals
        return problem(500, "Interne fout", "an unexpected error occurred; it has been logged", request.url.path)

    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(HelpendeDataError, domain)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
