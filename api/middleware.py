"""One pure-ASGI middleware for what every response gets: version and security headers, a weak
ETag with ``If-None-Match`` → 304, gzip when asked, and a line in the append-only access log.

The ETag of a release-backed response is a hash of (release id, API version, method, URL, the
caller's role and areas): releases are immutable, so equal inputs give an equal body without
hashing the body. Responses that do not depend on a release get no ETag.

The same reasoning lets a route mark its responses cacheable (:func:`api.dependencies.cacheable`):
a 200 GET of such a route is kept whole in a :class:`~api.response_cache.ResponseCache`, and a
repeated request with an ``X-API-Key`` is answered here — the key checked, the release checked,
the access log written — without going through routing, dependencies and handler again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.keys import KeyStore
from api.response_cache import CachedResponse, CacheKey, ResponseCache
from api.store import ReleaseStore

__all__ = ["AccessLog", "AccessLogUnavailable", "ApiMiddleware", "accepts_gzip"]

log = logging.getLogger("helpende.api.access")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"private, no-cache"),
]
_CSP_API = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_CSP_HTML = (b"content-security-policy", b"frame-ancestors 'self'")
# Swagger UI from this origin only (api/routes/docs.py): no inline script; it sets inline styles and data: images
CSP_DOCS = (
    b"content-security-policy",
    (
        b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        b"img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        b"frame-ancestors 'none'"
    ),
)


class AccessLogUnavailable(OSError):
    """The access log cannot be written (full disk, removed folder): no data response may leave unlogged."""


class AccessLog:
    """Append-only JSON lines: time, who, method, endpoint, area, status. Never a payload or a key.

    A failed write raises :class:`AccessLogUnavailable`; it is reported in the server log once (one
    line, no traceback) until a write succeeds again."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self._fd: int | None = None
        self._lock = threading.Lock()
        self.failing = False
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, *, who: str | None, method: str, endpoint: str, area: str | None, status: int) -> None:
        if self._fd is None:
            return
        line = json.dumps({"tijd": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                           "wie": who, "methode": method, "endpoint": endpoint, "gebied": area, "status": status},
                          ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            os.write(self._fd, line.encode())  # one write() on an O_APPEND descriptor: lines never interleave
        except OSError as exc:
            if not self.failing:
                log.error("access log %s cannot be written (%s); data responses are refused with 503 until it can",
                          self.path, exc.strerror or exc)
            self.failing = True
            raise AccessLogUnavailable(exc.errno, exc.strerror) from None
        if self.failing:
            log.warning("access log %s is written again", self.path)
            self.failing = False

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def etag_matches(wanted: str | None, etag: str) -> bool:
    """Does an ``If-None-Match`` value name ``etag`` (weak comparison, RFC 9110 13.1.2)?"""
    if not wanted:
        return False
    if wanted.strip() == "*":
        return True
    tags = [t.strip() for t in wanted.split(",")]
    return etag in tags or etag[2:] in tags


def _without_body_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers of a 304 for a response with these headers (no body, so no length or type)."""
    return [(k, v) for k, v in headers if k not in (b"content-length", b"content-type")]


def _allow_head(headers: list[tuple[bytes, bytes]]) -> None:
    """Name HEAD in the ``Allow`` of a 405 wherever GET is allowed (the middleware answers HEAD for GET)."""
    for i, (k, v) in enumerate(headers):
        if k == b"allow":
            methods = [m.strip() for m in v.split(b",") if m.strip()]
            if b"GET" in methods and b"HEAD" not in methods:
                headers[i] = (k, b", ".join([*methods, b"HEAD"]))


def _cache_key(scope: Scope, host: bytes, scope_key: str, gzip: bool) -> CacheKey:
    """What fixes a cacheable response besides the release (see :mod:`api.response_cache`)."""
    return (scope["scheme"], host, scope.get("root_path", ""), scope["path"], scope.get("query_string", b""),
            scope_key, gzip)


def accepts_gzip(values: list[bytes]) -> bool:
    """Does an ``Accept-Encoding`` (its header values) accept gzip (RFC 9110 12.5.3)? ``gzip;q=0`` refuses it."""
    for value in values:
        for part in value.decode("latin-1").split(","):
            coding, _, params = part.partition(";")
            if coding.strip().lower() != "gzip":
                continue
            q = 1.0
            for param in params.split(";"):
                name, _, number = param.partition("=")
                if name.strip().lower() == "q":
                    try:
                        q = float(number)
                    except ValueError:
                        q = 0.0
            return q > 0
    return False


def _problem(status: int, title: str, detail: str, version: bytes) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Headers and body of a problem+json answer made here, outside the app."""
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail},
                      ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
               (b"api-version", version), *SECURITY_HEADERS, _CSP_API, (b"x-frame-options", b"DENY")]
    return headers, body


_LOG_DOWN = ("Dienst tijdelijk niet beschikbaar",
             "Het toegangslogboek kan nu niet worden geschreven; zonder logregel worden geen gegevens uitgeleverd.")


_GZIP_EXCLUDED = frozenset(t.partition(";")[0].strip().lower() for t in DEFAULT_EXCLUDED_CONTENT_TYPES)


class ApiMiddleware:
    """Also the gzip step: a request that accepts gzip goes through Starlette's ``GZipMiddleware``;
    any other request skips it (its ``IdentityResponder`` only adds ``Vary: Accept-Encoding``, which
    is done here from ``Content-Length``), saving a middleware layer per request."""

    def __init__(self, app: ASGIApp, *, api_version: str, access_log: AccessLog, gzip_minimum_size: int = 1024,
                 gzip_level: int = 5, cache: ResponseCache | None = None, store: ReleaseStore | None = None,
                 keys: KeyStore | None = None) -> None:
        self.app = app
        self.cache = cache if cache is not None and cache.enabled and store is not None and keys is not None else None
        self.store = store
        self.keys = keys
        self.gzip_app = GZipMiddleware(app, minimum_size=gzip_minimum_size, compresslevel=gzip_level)
        self.gzip_minimum_size = gzip_minimum_size
        self.version = api_version.encode()
        self.version_text = api_version
        self.log = access_log

    def _identity_vary(self, headers: list[tuple[bytes, bytes]], status: int) -> bool:
        """Would Starlette's ``IdentityResponder`` add ``Vary: Accept-Encoding`` to this response?"""
        if status == 206:
            return False
        length, media = None, b""
        for k, v in headers:
            if k == b"content-length":
                length = int(v)
            elif k == b"content-type":
                media = v
            elif k == b"content-encoding":
                return False
        media_type = media.decode("latin-1").partition(";")[0].strip().lower()
        if media_type in _GZIP_EXCLUDED or media_type.partition("/")[0] + "/*" in _GZIP_EXCLUDED:
            return False
        return length is None or length >= self.gzip_minimum_size

    def _endpoint(self, scope: Scope) -> str:
        route = scope.get("route")
        path = getattr(route, "path", None)
        if path is None:
            return scope["path"]
        return path if path.startswith("/v1") else "/v1" + path

    async def _send_cached(self, entry: CachedResponse, wanted: str | None, send: Send, *, head: bool,
                           log_line: dict) -> None:
        status = 304 if etag_matches(wanted, entry.etag) else 200
        try:
            self.log.write(**log_line, status=status)
        except AccessLogUnavailable:
            await self._send_log_down(send)
            return
        if status == 304:
            await send({"type": "http.response.start", "status": 304, "headers": _without_body_headers(entry.headers)})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
        await send({"type": "http.response.body", "body": b"" if head else entry.body, "more_body": False})

    async def _send_log_down(self, send: Send) -> None:
        headers, body = _problem(503, *_LOG_DOWN, self.version)
        await send({"type": "http.response.start", "status": 503, "headers": [*headers, (b"retry-after", b"30")]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        method = scope["method"]
        head = method == "HEAD"
        if head:  # a HEAD is the GET without its body: same routes, headers, ETag and cache entry
            scope = {**scope, "method": "GET"}
        status_seen = 0
        not_modified = False
        logged = False
        dropping = False  # the app's answer is replaced (log down): swallow the rest of it
        wanted = None
        encodings: list[bytes] = []
        api_key = None
        authorization = False
        host = b""
        for k, v in scope["headers"]:
            if k == b"if-none-match" and wanted is None:
                wanted = v.decode("latin-1")
            elif k == b"accept-encoding":
                encodings.append(v)
            elif k == b"x-api-key" and api_key is None:  # the first, as Starlette's headers.get() reads it
                api_key = v
            elif k == b"authorization":
                authorization = True
            elif k == b"host" and not host:
                host = v
        gzip = accepts_gzip(encodings)

        cache = self.cache if scope["method"] == "GET" else None
        if cache is not None and api_key is not None and not authorization:
            loaded = self.store.peek()  # type: ignore[union-attr]
            principal = self.keys.lookup(api_key.decode("latin-1"))  # type: ignore[union-attr]
            if loaded is not None and principal is not None:
                entry = cache.get(loaded.release.id, _cache_key(scope, host, principal.scope_key, gzip))
                if entry is not None:
                    await self._send_cached(entry, wanted, send, head=head, log_line={
                        "who": principal.id, "method": method, "endpoint": entry.endpoint, "area": entry.area})
                    return
        captured: list[bytes] | None = None
        captured_start: tuple[list[tuple[bytes, bytes]], str] | None = None

        async def wrapped(message: Message) -> None:
            nonlocal status_seen, not_modified, captured, captured_start, logged, dropping
            if dropping:
                return
            if message["type"] == "http.response.start":
                status_seen = message["status"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k not in (b"api-version", b"x-content-type-options")]
                if not gzip and self._identity_vary(headers, status_seen):
                    MutableHeaders(raw=headers).add_vary_header("Accept-Encoding")
                if status_seen == 405:
                    _allow_head(headers)
                content_type = next((v for k, v in headers if k == b"content-type"), b"")
                headers.append((b"api-version", self.version))
                headers.extend(SECURITY_HEADERS)
                if scope["path"].endswith("/docs"):
                    headers.append(CSP_DOCS)
                    headers.append((b"x-frame-options", b"DENY"))
                elif content_type.startswith(b"text/html"):
                    headers.append(_CSP_HTML)
                    headers.append((b"x-frame-options", b"SAMEORIGIN"))
                else:
                    headers.append(_CSP_API)
                    headers.append((b"x-frame-options", b"DENY"))
                release_id = state.get("release_id")
                if release_id and status_seen == 200 and scope["method"] == "GET":
                    principal = state.get("principal")
                    basis = "|".join([release_id, self.version_text, scope["method"], scope["path"],
                                      scope.get("query_string", b"").decode("latin-1"),
                                      principal.scope_key if principal else "-"])
                    etag = 'W/"' + hashlib.blake2b(basis.encode(), digest_size=12).hexdigest() + '"'
                    headers.append((b"etag", etag.encode()))
                    vary = [v for k, v in headers if k == b"vary"]
                    headers = [(k, v) for k, v in headers if k != b"vary"]
                    headers.append((b"vary", b", ".join([*vary, b"X-API-Key, Authorization"])))
                    if cache is not None and principal is not None and state.get("cacheable"):
                        captured, captured_start = [], (headers, etag)
                    if etag_matches(wanted, etag):
                        not_modified = True
                        status_seen = 304
                # the line is written before anything of the answer leaves: no data goes out unlogged
                principal = state.get("principal")
                logged = True
                try:
                    self.log.write(who=principal.id if principal else None, method=method,
                                   endpoint=self._endpoint(scope), area=state.get("area"), status=status_seen)
                except AccessLogUnavailable:
                    dropping, captured = True, None
                    await self._send_log_down(send)
                    return
                if not_modified:
                    await send({"type": "http.response.start", "status": 304,
                                "headers": _without_body_headers(headers)})
                    return
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                more = message.get("more_body", False)
                if captured is not None:
                    captured.append(message.get("body", b""))
                    if not more:
                        self._remember(cache, scope, captured_start, b"".join(captured),  # type: ignore[arg-type]
                                       _cache_key(scope, host, state["principal"].scope_key, gzip))
                        captured = None
                if not_modified or head:
                    if not more:
                        await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
            await send(message)

        try:
            await (self.gzip_app if gzip else self.app)(scope, receive, wrapped)
        finally:
            if not logged:  # the app failed before it answered
                principal = state.get("principal")
                try:
                    self.log.write(who=principal.id if principal else None, method=method,
                                   endpoint=self._endpoint(scope), area=state.get("area"), status=500)
                except AccessLogUnavailable:
                    pass  # reported once by the log itself; the failure of the app is what uvicorn reports

    def _remember(self, cache: ResponseCache, scope: Scope, start: tuple[list[tuple[bytes, bytes]], str],
                  body: bytes, key: CacheKey) -> None:
        """Keep a complete 200 response of a cacheable route under the key a repeat request will have."""
        state = scope["state"]
        headers, etag = start
        cache.put(state["release_id"], key, CachedResponse(headers=headers, body=body, etag=etag,
                                                           endpoint=self._endpoint(scope), area=state.get("area")))
