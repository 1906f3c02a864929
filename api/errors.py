"""Domain errors → RFC 9457 problem+json responses, in one reviewed table."""

from __future__ import annotations

import logging

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


log = logging.getLogger("helpende.api")

NO_RELEASE = "Er is nu geen geverifieerde release om te serveren; probeer het later opnieuw."


class NotFound(HelpendeDataError):
    """A collection, map or period the release does not have."""


class InvalidApiKey(HelpendeDataError):
    """No credentials, or an API key that is not in the keys file."""


class RoleNotAllowed(HelpendeDataError):
    def __init__(self, role: str, allowed: tuple[str, ...]) -> None:
        super().__init__(f"rol '{role}' mag dit endpoint niet gebruiken; toegestaan: {', '.join(allowed)}")


class OutsideKeyScope(HelpendeDataError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} valt buiten de gebieden van uw sleutel")


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


def problem(status: int, title: str, detail: str, instance: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance}
    if status == 401:
        challenge = 'Basic realm="helpende-data kaarten"' if "/kaarten" in instance else 'Bearer realm="helpende-data"'
        headers = {**(headers or {}), "WWW-Authenticate": challenge}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_TITLES = {400: "Ongeldige invoer", 401: "Niet geauthenticeerd", 403: "Geen toegang", 404: "Niet gevonden",
           405: "Methode niet toegestaan", 406: "Niet aanvaardbaar", 503: "Geen release beschikbaar"}


_HTTP_DETAILS = {404: "deze URL bestaat niet in de API", 405: "methode {method} is hier niet toegestaan (zie Allow)",
                 406: "dit formaat kan niet worden geleverd"}

# pydantic error type → Dutch text; ``{…}`` are filled from the error's ctx
_VALIDATION = {
    "missing": "ontbreekt",
    "string_pattern_mismatch": "komt niet overeen met het patroon {pattern}",
    "string_too_long": "mag hoogstens {max_length} tekens lang zijn",
    "string_too_short": "moet minstens {min_length} tekens lang zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "float_parsing": "moet een getal zijn",
    "greater_than_equal": "moet minstens {ge} zijn",
    "greater_than": "moet groter zijn dan {gt}",
    "less_than_equal": "mag hoogstens {le} zijn",
    "less_than": "moet kleiner zijn dan {lt}",
    "enum": "moet een van deze waarden zijn: {expected}",
    "literal_error": "moet een van deze waarden zijn: {expected}",
    "bool_parsing": "moet true of false zijn",
}


def _dutch(err: dict) -> str:
    """The Dutch text of one pydantic validation error (its English message when the type is not listed)."""
    text = _VALIDATION.get(err.get("type", ""))
    if text is None:
        return str(err.get("msg", "ongeldige waarde"))
    try:
        return text.format(**{k: v for k, v in (err.get("ctx") or {}).items()})
    except (KeyError, IndexError):
        return str(err.get("msg", "ongeldige waarde"))


def add_problem_handlers(app: FastAPI) -> None:
    """Every error leaves as problem+json; invalid input is 400 (NL GOV ADR), not 422."""

    async def domain(request: Request, exc: HelpendeDataError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        if status == 503:  # the reason names folders of the server: for its log, not for callers
            log.error("no release to serve: %s", exc)
            return problem(503, _TITLES[503], NO_RELEASE, request.url.path, {"Retry-After": "60"})
        if isinstance(exc, UnknownAreaCode):  # geo's message is English and names its context
            return problem(404, _TITLES[404], f"gebiedscode {exc.code!r} bestaat niet in deze release",
                           request.url.path)
        return problem(status, _TITLES.get(status, "Fout"), str(exc), request.url.path)

    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'] if p not in ('query', 'path'))}: {_dutch(err)}"
            for err in exc.errors()
        )
        return problem(400, _TITLES[400], details, request.url.path)

    async def http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = _HTTP_DETAILS.get(exc.status_code, str(exc.detail)).format(method=request.method)
        return problem(exc.status_code, _TITLES.get(exc.status_code, "Fout"), detail, request.url.path,
                       dict(exc.headers or {}))  # e.g. Allow of a 405

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette's ServerErrorMiddleware sends this and re-raises, so uvicorn logs the traceback;
        # the caller learns nothing of the internals
        return problem(500, "Interne fout", "er ging onverwacht iets mis; het is gelogd", request.url.path)

    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(HelpendeDataError, domain)  # type: ignore[arg-type]  # Starlette types handlers by Exception
    app.add_exception_handler(RequestValidationError, validation)  # type: ignore[arg-type]  # Starlette types handlers by Exception
    app.add_exception_handler(StarletteHTTPException, http)  # type: ignore[arg-type]  # Starlette types handlers by Exception
