"""Small, typed dependencies the routes declare in their signatures.

Credentials (``X-API-Key`` or ``Authorization: Bearer``) become a :class:`~api.keys.Principal`;
``require_role`` checks the role; routes check the area scope with :func:`check_area`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Final, Literal

from fastapi import Depends, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer
from starlette.datastructures import URL

from api.errors import InvalidApiKey, NotFound, OutsideKeyScope, RoleNotAllowed
from api.keys import Principal, Role
from api.store import LoadedRelease
from geo.errors import HelpendeDataError

__all__ = [
    "CACHED",
    "CRS84",
    "CRS_RD",
    "ActiveRelease",
    "BBox",
    "Period",
    "Policy",
    "PrincipalDep",
    "Reader",
    "Steward",
    "active_release",
    "bbox_query",
    "cacheable",
    "check_area",
    "current_principal",
    "map_reader",
    "period_query",
    "public_base",
    "public_url",
    "require_role",
    "strict_query",
]

CRS84: Final = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS_RD: Final = "http://www.opengis.net/def/crs/EPSG/0/28992"
SUPPORTED_CRS = (CRS84, CRS_RD)

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                              description="API-sleutel (rol + gebieden), uitgegeven door de beheerder")
bearer = HTTPBearer(auto_error=False, scheme_name="Oidc", bearerFormat="JWT",
                    description="OIDC access token (JWT) van de identity provider")


# Dependencies that only look at memory are ``async def``: FastAPI runs a plain ``def`` in the thread
# pool, and the hand-over to a worker thread and back cost more than the work itself (profiled under
# wrk: most of a request's time). What may block (loading a release, fetching a JWKS) still goes to a thread.


def public_base(request: Request) -> str:
    """Where ``/v1`` lives for callers, without a trailing slash: ``HELPENDE_BASE_URL`` + ``/v1`` when
    set (behind a reverse proxy), else taken from the request (its Host header)."""
    configured = request.app.state.settings.base_url
    return (configured.rstrip("/") if configured else str(request.base_url).rstrip("/")) + "/v1"


def public_url(request: Request, url: URL | None = None) -> str:
    """``url`` (default: the request's own) as a link for callers: under ``HELPENDE_BASE_URL`` when set."""
    url = url or request.url
    configured = request.app.state.settings.base_url
    if not configured:
        return str(url)
    return configured.rstrip("/") + url.path + (f"?{url.query}" if url.query else "")


async def active_release(request: Request) -> LoadedRelease:
    store = request.app.state.store
    loaded = store.fresh()
    if loaded is None:  # first load, or time to look at the ``current`` pointer: file I/O, in a thread
        loaded = await run_in_threadpool(store.get)
    request.state.release_id = loaded.release.id
    return loaded


ActiveRelease = Annotated[LoadedRelease, Depends(active_release)]


async def cacheable(request: Request) -> None:
    """Marks a route whose 200 response depends only on the active release, the URL and the caller's
    role and areas; the middleware may then keep it and answer repeats from memory (api.response_cache).
    Not for routes that read anything else (the releases folder, the clock, other headers)."""
    request.state.cacheable = True


CACHED = [Depends(cacheable)]


async def current_principal(
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    principal = None
    if token is not None and token.scheme.lower() != "bearer":
        token = None
    if token is not None and request.app.state.jwt is not None:
        # may fetch the JWKS over the network: in a thread
        principal = await run_in_threadpool(request.app.state.jwt.verify, token.credentials)
    elif key is not None:
        principal = request.app.state.keys.lookup(key)
        if principal is None:
            raise InvalidApiKey("onbekende API-sleutel")
    if principal is None:
        raise InvalidApiKey("geen inloggegevens: stuur een X-API-Key-header of een 'Authorization: Bearer'-token")
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]

basic = HTTPBasic(auto_error=False, scheme_name="KaartSleutel",
                  description="Alleen voor kaarten in de browser: de API-sleutel als wachtwoord (gebruikersnaam vrij)")


async def map_reader(
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    login: Annotated[HTTPBasicCredentials | None, Security(basic)],
) -> Principal:
    """Like :func:`current_principal`, and also the key as an HTTP Basic password (for browsers)."""
    if key is None and login is not None:
        key, token = login.password, None
    if token is not None and token.scheme.lower() != "bearer":
        token = None
    principal = await current_principal(request, key, token)
    strict_query(request)
    return principal


def require_role(*allowed: Role) -> Callable[..., Awaitable[Principal]]:
    names = tuple(str(r) for r in allowed)

    async def check(request: Request, principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise RoleNotAllowed(principal.role, names)
        strict_query(request)  # after authentication: no 400 hints to callers without a key
        return principal

    return check


Reader = Annotated[Principal, Depends(require_role(Role.wijkteam, Role.policy, Role.steward))]
Policy = Annotated[Principal, Depends(require_role(Role.policy, Role.steward))]
Steward = Annotated[Principal, Depends(require_role(Role.steward))]


def check_area(request: Request, principal: Principal, code: str, gemeente: str | None, regio: str | None) -> None:
    """403 unless ``principal`` covers the area; records the area for the access log."""
    request.state.area = code
    if not principal.scope.covers(code, gemeente, regio):
        raise OutsideKeyScope(f"gebied {code}")


def check_filter(request: Request, principal: Principal, loaded: LoadedRelease, *, gemeente: str | None,
                 regio: str | None, code: str | None = None) -> None:
    """403 unless ``principal`` may ask for everything in ``gemeente`` / ``regio``."""
    request.state.area = code or gemeente or regio
    of_gemeente = loaded.gemeente_regio.get(gemeente) if gemeente is not None else None
    if not principal.scope.covers_filter(gemeente=gemeente, regio=regio, regio_of_gemeente=of_gemeente):
        raise OutsideKeyScope(f"gemeente {gemeente}" if gemeente else f"regio {regio}")


_ALLOWED: dict[int, frozenset[str]] = {}


def strict_query(request: Request) -> None:
    """400 for a query parameter the operation does not define (OGC /req/core/query-param-unknown)."""
    route = request.scope.get("route")
    if route is None:
        return
    allowed = _ALLOWED.get(id(route))
    if allowed is None:
        names, stack = set(), [route.dependant]
        while stack:
            dependant = stack.pop()
            names |= {p.alias for p in dependant.query_params}
            stack.extend(dependant.dependencies)
        names |= {p["name"] for p in (route.openapi_extra or {}).get("parameters", []) if p.get("in") == "query"}
        allowed = _ALLOWED[id(route)] = frozenset(names)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise HelpendeDataError(f"onbekende queryparameter(s) {unknown}; deze operatie kent {sorted(allowed)}")


_NUM = r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"
_BBOX = re.compile(rf"^{_NUM}(,{_NUM}){{3}}(,{_NUM},{_NUM})?$")

BBOX_PARAMETER = {
    "name": "bbox",
    "in": "query",
    "required": False,
    "style": "form",
    "explode": False,
    "description": "Alleen gebieden die deze rechthoek raken: minLon,minLat,maxLon,maxLat in CRS84 "
    "(of in de CRS van bbox-crs), bv. 5.9,52.4,6.3,52.6. Zes getallen (3D) mag ook; de hoogte telt niet.",
    "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number", "format": "double"}},
}


async def bbox_query(
    request: Request,
    bbox_crs: Annotated[Literal["http://www.opengis.net/def/crs/OGC/1.3/CRS84", "http://www.opengis.net/def/crs/EPSG/0/28992"],
                        Query(alias="bbox-crs", description="CRS van bbox (OGC API Features deel 2)")] = CRS84,
) -> tuple[tuple[float, float, float, float], str] | None:
    raw = request.query_params.get("bbox")
    if bbox_crs not in SUPPORTED_CRS:
        raise HelpendeDataError(f"bbox-crs {bbox_crs!r} wordt niet ondersteund; gebruik een van {list(SUPPORTED_CRS)}")
    if raw is None:
        return None
    if not _BBOX.match(raw):
        raise HelpendeDataError(
            f"bbox {raw!r}: verwacht 4 of 6 getallen gescheiden door komma's, bv. 5.9,52.4,6.3,52.6"
        )
    values = [float(v) for v in raw.split(",")]
    minx, miny, maxx, maxy = (values[0], values[1], values[2], values[3]) if len(values) == 4 else \
        (values[0], values[1], values[3], values[4])
    if minx > maxx or miny > maxy:
        raise HelpendeDataError(f"bbox {raw!r}: minimum groter dan maximum (verwacht minLon,minLat,maxLon,maxLat)")
    return (minx, miny, maxx, maxy), bbox_crs


BBox = Annotated[tuple[tuple[float, float, float, float], str] | None, Depends(bbox_query)]

_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$")


def _year(text: str, default: int) -> int:
    if text in ("", ".."):
        return default
    match = _DATE.match(text)
    if not match:
        raise HelpendeDataError(f"datetime {text!r}: verwacht RFC 3339, bv. 2024-06-30 of 2024-01-01T00:00:00Z")
    try:
        date.fromisoformat(text[:10])
    except ValueError as exc:
        raise HelpendeDataError(f"datetime {text!r}: geen bestaande datum") from exc
    return int(match.group(1))


async def period_query(
    loaded: ActiveRelease,
    periode: Annotated[
        int | None, Query(ge=1900, le=2100, description="Jaar; standaard het laatste jaar van de release")
    ] = None,
    datetime: Annotated[
        str | None,
        Query(
            description="Moment of interval (RFC 3339), bv. 2024-06-30 of "
            "2024-01-01T00:00:00Z/2024-12-31T23:59:59Z; moet in één jaar (periode) vallen",
            max_length=64,
        ),
    ] = None,
) -> int:
    periods = loaded.periods
    if datetime is not None:
        if periode is not None:
            raise HelpendeDataError("geef periode of datetime, niet allebei")
        start, _, end = datetime.partition("/")
        first = _year(start, min(periods))
        last = _year(end, max(periods)) if "/" in datetime else first
        if first > last:
            raise HelpendeDataError(f"datetime {datetime!r}: begin ligt na einde")
        years = [p for p in periods if first <= p <= last]
        if len(years) != 1:
            raise HelpendeDataError(
                f"datetime {datetime!r} covers periodes {years or 'none'} of {periods}; items are served per periode, "
                "ask one year")
        return years[0]
    if periode is None:
        return max(periods)
    if periode not in periods:
        raise NotFound(f"periode {periode} zit niet in deze release; beschikbaar: {periods}")
    return periode


Period = Annotated[int, Depends(period_query)]
