"""API keys: role + area scope per key, stored hashed in a JSON keys file (the embedded default).

Keys file layout (``HELPENDE_API_KEYS_FILE``)::

    {"keys": [{"id": "wijkteam-zwolle", "sha256": "<hex digest of the key>", "role": "wijkteam",
               "gebieden": ["GM0193"]}]}

``gebieden`` holds gemeente codes (``GM0193``), veiligheidsregio codes (``VR04``) or ``"*"`` (every
area of the release). The plain key is shown once, when it is issued, and never stored. A lookup
hashes the presented key (SHA-256) and compares digests with :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from api.scope import ALL_AREAS, Scope
from geo.errors import HelpendeDataError

log = logging.getLogger("helpende.api.keys")

__all__ = ["ALL_AREAS", "DEMO_KEYS_FILE", "KeyStore", "Principal", "Role", "fresh_demo_keys", "issue_demo_keys",
           "issue_key", "parse_keys"]

DEMO_KEYS_FILE = "demo-api-keys.json"  # beside the releases; never an operator's keys file

_SCOPE = re.compile(r"^(GM\d{4}|VR\d{2}|\*)$")


class Role(StrEnum):
    wijkteam = "wijkteam"
    policy = "policy"
    steward = "steward"


@dataclass(frozen=True)
class Principal:
    """Who is asking: a key id or a token subject, with a role and the areas it may see."""

    id: str
    role: Role
    gebieden: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def scope(self) -> Scope:
        """The areas this principal may see (:class:`api.scope.Scope`: the one rule for every route)."""
        return Scope(self.gebieden)

    # part of every ETag and cache key: computed once per principal (key lookups return the same object)
    @cached_property
    def scope_key(self) -> str:
        return f"{self.role}:{self.scope.key}"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _validate_scope(gebieden: list[str], where: str) -> frozenset[str]:
    bad = [g for g in gebieden if not _SCOPE.match(str(g))]
    if bad or not gebieden:
        raise HelpendeDataError(f"{where}: gebieden must be a non-empty list of GMxxxx, VRxx or '*'; got {gebieden!r}")
    return frozenset(gebieden)


def parse_keys(data: object, name: str) -> dict[str, tuple[str, Principal]]:
    """The key table of a parsed keys file: ``{digest: (digest, principal)}``.

    Raises :class:`HelpendeDataError` naming the file and entry unless ``data`` has exactly the
    documented shape (an object whose ``keys`` is a list of objects with string fields).
    """
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise HelpendeDataError(f"{name}: expected an object with a list 'keys', got {type(data).__name__}")
    table: dict[str, tuple[str, Principal]] = {}
    for i, entry in enumerate(entries):
        where = f"{name}, key {i + 1}"
        if not isinstance(entry, dict):
            raise HelpendeDataError(f"{where}: expected an object, got {type(entry).__name__}")
        fields = {k: entry.get(k) for k in ("id", "sha256", "role")}
        if not all(isinstance(v, str) for v in fields.values()):
            raise HelpendeDataError(f"{where}: needs id, sha256 and role (wijkteam|policy|steward) as strings")
        try:
            role = Role(str(fields["role"]))
        except ValueError as exc:
            raise HelpendeDataError(f"{where}: role must be wijkteam, policy or steward: {exc}") from exc
        digest = str(fields["sha256"]).lower()
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise HelpendeDataError(f"{where}: sha256 must be 64 hex digits")
        gebieden = entry.get("gebieden", [])
        if not isinstance(gebieden, list) or not all(isinstance(g, str) for g in gebieden):
            raise HelpendeDataError(f"{where}: gebieden must be a list of strings")
        table[digest] = (digest, Principal(str(fields["id"]), role, _validate_scope(gebieden, where)))
    return table


class KeyStore:
    """The keys file in memory; re-read when its modification time changes (checked once a second)."""

    def __init__(self, path: Path | None, *, check_interval_s: float = 1.0) -> None:
        self.path = Path(path) if path is not None else None
        self.check_interval_s = check_interval_s
        self._by_digest: dict[str, tuple[str, Principal]] = {}
        self._mtime: float | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self._reload()  # at start-up a broken keys file stops the server with its error

    def _reload(self) -> None:
        if self.path is None or not self.path.exists():
            self._by_digest, self._mtime = {}, None
            return
        mtime = self.path.stat().st_mtime
        self._by_digest, self._mtime = (
            parse_keys(json.loads(self.path.read_text(encoding="utf-8")), self.path.name),
            mtime,
        )

    def _maybe_reload(self) -> None:
        """Re-read a changed keys file. One that cannot be read or is invalid accepts **no** key until it
        is fixed (fail closed: a botched edit that meant to revoke a key must not keep it valid); the
        reason is logged and kept in ``last_error``, never shown to callers."""
        now = time.monotonic()
        if now - self._checked_at < self.check_interval_s:
            return
        with self._lock:
            self._checked_at = now
            mtime = None
            try:
                mtime = self.path.stat().st_mtime if self.path is not None and self.path.exists() else None
                if mtime != self._mtime:
                    self._reload()
                    self.last_error = None
            except Exception as exc:  # noqa: BLE001 - whatever went wrong, no key of a file we could not read
                self._by_digest, self._mtime = {}, mtime  # tried again when the file changes
                self.last_error = f"{self.path}: {exc}"
                log.error("keys file not loaded; no API key is accepted until it is fixed: %s", self.last_error)

    def lookup(self, key: str | None) -> Principal | None:
        """The principal of ``key``, or ``None``; digests are compared in constant time."""
        if not key:
            return None
        self._maybe_reload()
        presented = _digest(key)
        stored, principal = self._by_digest.get(presented, ("0" * 64, None))
        if hmac.compare_digest(stored, presented) and principal is not None:
            return principal
        return None


def issue_key(path: Path, role: Role | str, gebieden: list[str], *, key_id: str | None = None) -> str:
    """Add a new key to the keys file (created with mode 0600) and return the plain key, once."""
    role = Role(role)
    scope = _validate_scope(list(gebieden), "issue_key")
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"keys": []}
    key = f"hd_{secrets.token_urlsafe(32)}"
    data["keys"].append({"id": key_id or f"{role}-{secrets.token_hex(4)}", "sha256": _digest(key),
                         "role": str(role), "gebieden": sorted(scope)})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, path)
    return key


def issue_demo_keys(path: Path, *, gemeente: str = "GM0193", regio: str = "VR04") -> dict[str, str]:
    """Issue one demo key per role into ``path`` and return ``{role: plain key}``.

    wijkteam sees ``gemeente`` only; policy and steward see the whole region ``regio``.
    """
    return {
        "wijkteam": issue_key(path, Role.wijkteam, [gemeente], key_id=f"demo-wijkteam-{gemeente}"),
        "policy": issue_key(path, Role.policy, [regio], key_id=f"demo-policy-{regio}"),
        "steward": issue_key(path, Role.steward, [regio], key_id=f"demo-steward-{regio}"),
    }


def fresh_demo_keys(path: Path) -> dict[str, str]:
    """Replace the demo keys file ``path`` with new demo keys (:func:`issue_demo_keys`) and return them.

    Refuses (``HelpendeDataError``) a file that holds any key not issued as a demo key: an operator's
    keys file is never emptied.
    """
    path = Path(path)
    if path.exists():
        try:
            ids = [principal.id for _, principal in parse_keys(json.loads(path.read_text(encoding="utf-8")),
                                                               path.name).values()]
        except (ValueError, HelpendeDataError) as exc:
            raise HelpendeDataError(f"{path.name}: not a demo keys file ({exc}); left as it is") from exc
        if any(not i.startswith("demo-") for i in ids):
            raise HelpendeDataError(f"{path.name} holds keys that are not demo keys; left as it is")
    fresh = path.with_name(f".{path.name}.demo-{os.getpid()}")
    fresh.unlink(missing_ok=True)
    issued = issue_demo_keys(fresh)
    os.replace(fresh, path)
    return issued
