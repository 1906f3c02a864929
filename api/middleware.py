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

__all__ = ["AccessLog", "ApiMiddleware"]

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"private, no-cache"),
]
_CSP_API = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_CSP_HTML = (b"content-security-policy", b"frame-ancestors 'self'")
_CSP_DOCS = (b"content-security-policy", b"frame-ancestors 'none'")


class AccessLog:
    """Append-only JSON lines: time, who, method, endpoint, area, status. Never a payload or a key."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self._fd: int | None = None
        self._lock = threading.Lock()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, *, who: str | None, method: str, endpoint: str, area: str | None, status: int) -> None:
        if self._fd is None:
            return
        line = json.dumps({"tijd": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                           "wie": who, "methode": method, "endpoint": endpoint, "gebied": area, "status": status},
                          ensure_ascii=False, separators=(",", ":")) + "\n"
        os.write(self._fd, line.encode())  # one write() on an O_APPEND descriptor: lines never interleave

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


def _cache_key(scope: Scope, host: bytes, scope_key: str, gzip: bool) -> CacheKey:
    """What fixes a cacheable response besides the release (see :mod:`api.response_cache`)."""
    return (scope["scheme"], host, scope.get("root_path", ""), scope["path"], scope.get("query_string", b""),
            scope_key, gzip)


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

    async def _send_cached(self, entry: CachedResponse, wanted: str | None, send: Send) -> int:
        if etag_matches(wanted, entry.etag):
            await send({"type": "http.response.start", "status": 304, "headers": _without_body_headers(entry.headers)})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return 304
        await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
        await send({"type": "http.response.body", "body": entry.body, "more_body": False})
        return 200

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        status_seen = 0
        not_modified = False
        wanted = None
        gzip = False
        api_key = None
        authorization = False
        host = b""
        for k, v in scope["headers"]:
            if k == b"if-none-match" and wanted is None:
                wanted = v.decode("latin-1")
            elif k == b"accept-encoding" and b"gzip" in v:
                gzip = True
            elif k == b"x-api-key" and api_key is None:  # the first, as Starlette's headers.get() reads it
                api_key = v
            elif k == b"authorization":
                authorization = True
            elif k == b"host" and not host:
                host = v

        cache = self.cache if scope["method"] == "GET" else None
        if cache is not None and api_key is not None and not authorization:
            loaded = self.store.peek()  # type: ignore[union-attr]
            principal = self.keys.lookup(api_key.decode("latin-1"))  # type: ignore[union-attr]
            if loaded is not None and principal is not None:
                entry = cache.get(loaded.release.id, _cache_key(scope, host, principal.scope_key, gzip))
                if entry is not None:
                    status = await self._send_cached(entry, wanted, send)
                    self.log.write(who=principal.id, method="GET", endpoint=entry.endpoint, area=entry.area,
                                   status=status)
                    return
        captured: list[bytes] | None = None
        captured_start: tuple[list[tuple[bytes, bytes]], str] | None = None

        async def wrapped(message: Message) -> None:
            nonlocal status_seen, not_modified, captured, captured_start
            if message["type"] == "http.response.start":
                status_seen = message["status"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k not in (b"api-version", b"x-content-type-options")]
                if not gzip and self._identity_vary(headers, status_seen):
                    MutableHeaders(raw=headers).add_vary_header("Accept-Encoding")
                content_type = next((v for k, v in headers if k == b"content-type"), b"")
                headers.append((b"api-version", self.version))
                headers.extend(SECURITY_HEADERS)
                if scope["path"].endswith("/docs"):
                    headers.append(_CSP_DOCS)
                    headers.append((b"x-frame-options", b"DENY"))
                elif content_type.startswith(b"text/html"):
                    headers.append(_CSP_HTML)
                    headers.append((b"x-frame-options", b"SAMEORIGIN"))
                else:
                    headers.append(_CSP_API)
                    headers.append((b"x-frame-options", b"DENY"))
                release_id = state.get("release_id")
                if release_id and status_seen == 200 and scope["method"] in ("GET", "HEAD"):
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
                if not_modified:
                    if not more:
                        await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
            await send(message)

        try:
            await (self.gzip_app if gzip else self.app)(scope, receive, wrapped)
        finally:
            principal = state.get("principal")
            self.log.write(who=principal.id if principal else None, method=scope["method"],
                           endpoint=self._endpoint(scope), area=state.get("area"), status=status_seen or 500)

    def _remember(self, cache: ResponseCache, scope: Scope, start: tuple[list[tuple[bytes, bytes]], str],
                  body: bytes, key: CacheKey) -> None:
        """Keep a complete 200 response of a cacheable route under the key a repeat request will have."""
        state = scope["state"]
        headers, etag = start
        cache.put(state["release_id"], key, CachedResponse(headers=headers, body=body, etag=etag,
                                                           endpoint=self._endpoint(scope), area=state.get("area")))
