"""The uvicorn server of the API, with limits on the request head that uvicorn itself lacks.

uvicorn's default HTTP parser (httptools) has no limit on the size of the URL or the headers, and
it joins their pieces with ``bytes +=`` as they arrive: one request with a 100 MB header costs
quadratic time in the event loop and stalls every other request for tens of seconds. The protocol
here counts the bytes of each request head *as they arrive* and answers, before the head is
complete:

- ``414 URI Too Long`` when the request target passes ``max_url_bytes``;
- ``431 Request Header Fields Too Large`` when request line plus headers pass ``max_head_bytes``;

then closes the connection. Behind a reverse proxy, set the same (or tighter) limits there too; see
docs/api.md.
"""

from __future__ import annotations

import json
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

__all__ = ["MAX_HEAD_BYTES", "MAX_URL_BYTES", "limited_protocol", "server_config"]

MAX_URL_BYTES = 8 * 1024  # nginx's default large_client_header_buffers size
MAX_HEAD_BYTES = 64 * 1024  # request line and all headers together

_TEXT = {414: ("URI te lang", "De URL van het verzoek is langer dan {limit} bytes."),
         431: ("Headers te groot", "De headers van het verzoek zijn samen groter dan {limit} bytes.")}


class _LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the head limits of :func:`limited_protocol`."""

    max_url_bytes = MAX_URL_BYTES
    max_head_bytes = MAX_HEAD_BYTES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True  # between the start of a request and the end of its headers
        self._head_bytes = 0  # bytes received while in the head (an upper bound: a read may hold more)
        self._url_bytes = 0
        self._header_bytes = 0
        self._rejected = False

    def data_received(self, data: bytes) -> None:
        if self._rejected:
            return
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)  # one read at a time: the parser's cost stays linear until the check
        if self._in_head and not self._rejected and self._head_bytes > self.max_head_bytes:
            self._reject(431)  # a URL that long was refused with 414 in on_url already

    def on_message_begin(self) -> None:
        if self._rejected:
            return
        self._in_head, self._head_bytes, self._url_bytes, self._header_bytes = True, 0, 0, 0
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        if self._rejected:
            return
        self._url_bytes += len(url)
        if self._url_bytes > self.max_url_bytes:
            self._reject(414)
            return
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._rejected:
            return
        self._header_bytes += len(name) + len(value) + 4
        if self._url_bytes + self._header_bytes > self.max_head_bytes:
            self._reject(431)
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._rejected:
            return
        self._in_head = False
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._rejected:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._rejected:
            super().on_message_complete()

    def _reject(self, status: int) -> None:
        """Answer ``status`` as problem+json and close: the rest of the request is never read."""
        self._rejected = True
        limit = self.max_url_bytes if status == 414 else self.max_head_bytes
        title, detail = _TEXT[status]
        body = json.dumps({"type": "about:blank", "title": title, "status": status,
                           "detail": detail.format(limit=limit)}, ensure_ascii=False).encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend([b"content-type: application/problem+json\r\n", b"x-content-type-options: nosniff\r\n",
                     b"content-length: " + str(len(body)).encode() + b"\r\n", b"connection: close\r\n\r\n"])
        self.logger.warning("request refused with %d: %s", status, detail.format(limit=limit))
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def limited_protocol(*, max_url_bytes: int = MAX_URL_BYTES,
                     max_head_bytes: int = MAX_HEAD_BYTES) -> type[HttpToolsProtocol]:
    """An httptools protocol class for uvicorn that answers 414 past ``max_url_bytes`` of request
    target and 431 past ``max_head_bytes`` of request line plus headers (bytes, not characters)."""
    return type("LimitedHttpToolsProtocol", (_LimitedHttpToolsProtocol,),
                {"max_url_bytes": max_url_bytes, "max_head_bytes": max_head_bytes})


def server_config(app: Any, *, host: str, port: int, log_level: str = "warning", **kwargs: Any) -> uvicorn.Config:
    """The uvicorn configuration the API is served with (``helpende-data serve`` and the API tests)."""
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, http=limited_protocol(), **kwargs)
