"""Whole responses of the active release, kept in memory so a repeated request skips the routing.

A release is immutable, so a response of a route marked cacheable is fully determined by the
release, the URL (scheme, host, path, query), the caller's role and areas (``Principal.scope_key``)
and whether it was gzipped. Those form the key; the release id is checked on every lookup and a new
release empties the cache. Credentials are still checked on every request (the middleware looks up
the key first), so a revoked key gets 401 from the next key-file check on, cached entry or not.

Bounded in bytes (least recently used out first); one cache per worker process.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["CacheKey", "CachedResponse", "ResponseCache"]

# (scheme, host, root_path, path, query string, scope key, gzip)
CacheKey = tuple[str, bytes, str, str, bytes, str, bool]


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """A 200 response as sent (headers after the middleware's, body after gzip), with what the access
    log needs to record a hit like the original request: the route template and the area asked for."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    endpoint: str
    area: str | None

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 256


class ResponseCache:
    """LRU of :class:`CachedResponse` for one release, at most ``max_bytes`` (0 disables it).

    Meant for the event loop thread of one worker: no locks.
    """

    def __init__(self, max_bytes: int, *, max_entry_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 8 if max_entry_bytes is None else max_entry_bytes
        self.release_id: str | None = None
        self._entries: OrderedDict[CacheKey, CachedResponse] = OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, release_id: str, key: CacheKey) -> CachedResponse | None:
        if release_id != self.release_id:
            self.misses += 1
            return None
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, release_id: str, key: CacheKey, entry: CachedResponse) -> bool:
        """Remember ``entry``; ``False`` when it is larger than one entry may be."""
        size = entry.size
        if not self.enabled or size > self.max_entry_bytes:
            return False
        if release_id != self.release_id:  # a new release: nothing of the old one may be served again
            self.clear()
            self.release_id = release_id
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._entries[key] = entry
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= dropped.size
        return True

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
