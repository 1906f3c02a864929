"""One pure-ASGI middleware for what every response gets: version and security headers, a weak
ETag with ``If-None-Match`` → 304, and a line in the append-only access log.

The ETag of a release-backed response is a hash of (release id, API version, method, URL, the
caller's role and areas): releases are immutable, so equal inputs give an equal body without
hashing the body. Responses that do not depend on a release get no ETag.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class ApiMiddleware:
    def __init__(self, app: ASGIApp, *, api_version: str, access_log: AccessLog) -> None:
        self.app = app
        self.version = api_version.encode()
        self.log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        status_seen = 0
        not_modified = False

        async def wrapped(message: Message) -> None:
            nonlocal status_seen, not_modified
            if message["type"] == "http.response.start":
                status_seen = message["status"]
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k not in (b"api-version", b"x-content-type-options")]
                content_type = Headers(raw=headers).get("content-type", "")
                headers.append((b"api-version", self.version))
                headers.extend(SECURITY_HEADERS)
                if scope["path"].endswith("/docs"):
                    headers.append(_CSP_DOCS)
                    headers.append((b"x-frame-options", b"DENY"))
                elif content_type.startswith("text/html"):
                    headers.append(_CSP_HTML)
                    headers.append((b"x-frame-options", b"SAMEORIGIN"))
                else:
                    headers.append(_CSP_API)
                    headers.append((b"x-frame-options", b"DENY"))
                release_id = state.get("release_id")
                if release_id and status_seen == 200 and scope["method"] in ("GET", "HEAD"):
                    principal = state.get("principal")
                    basis = "|".join([release_id, self.version.decode(), scope["method"], scope["path"],
                                      scope.get("query_string", b"").decode("latin-1"),
                                      principal.scope_key if principal else "-"])
                    etag = b'W/"' + hashlib.blake2b(basis.encode(), digest_size=12).hexdigest().encode() + b'"'
                    headers.append((b"etag", etag))
                    vary = [v for k, v in headers if k == b"vary"]
                    headers = [(k, v) for k, v in headers if k != b"vary"]
                    headers.append((b"vary", b", ".join([*vary, b"X-API-Key, Authorization"])))
                    wanted = Headers(scope=scope).get("if-none-match")
                    if wanted and (wanted.strip() == "*" or etag.decode() in [t.strip() for t in wanted.split(",")]
                                   or etag.decode()[2:] in [t.strip() for t in wanted.split(",")]):
                        not_modified = True
                        status_seen = 304
                        headers = [(k, v) for k, v in headers if k not in (b"content-length", b"content-type")]
                        message = {"type": "http.response.start", "status": 304, "headers": headers}
                        await send(message)
                        return
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and not_modified:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        finally:
            principal = state.get("principal")
            route = scope.get("route")
            self.log.write(who=principal.id if principal else None, method=scope["method"],
                           endpoint=("/v1" + route.path if route is not None and not route.path.startswith("/v1") else
                                     getattr(route, "path", None) or scope["path"]), area=state.get("area"),
                           status=status_seen or 500)
