"""OIDC bearer tokens (production option): a JWT checked against the identity provider's JWKS.

The token must be signed by a key in the JWKS (RS256/ES256), unexpired, for our audience and from
our issuer. Claims: ``sub`` (who), the role claim (``wijkteam``/``policy``/``steward``) and the
scope claim (list of ``GMxxxx``/``VRxx``/``*``); claim names are settings.
"""

from __future__ import annotations

import json
from pathlib import Path

import jwt

from api.keys import Principal, Role, _validate_scope
from geo.errors import HelpendeDataError

__all__ = ["InvalidToken", "JwtVerifier"]

ALGORITHMS = ["RS256", "ES256"]


class InvalidToken(HelpendeDataError):
    """A bearer token that is malformed, expired, for someone else or signed by an unknown key."""


class JwtVerifier:
    def __init__(self, *, issuer: str, audience: str, jwks_url: str | None = None, jwks_file: Path | None = None,
                 role_claim: str = "helpende_rol", scope_claim: str = "helpende_gebieden") -> None:
        if (jwks_url is None) == (jwks_file is None):
            raise HelpendeDataError("OIDC needs exactly one of oidc_jwks_url and oidc_jwks_file")
        self.issuer, self.audience = issuer, audience
        self.role_claim, self.scope_claim = role_claim, scope_claim
        self._client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self._jwks = jwt.PyJWKSet.from_dict(json.loads(Path(jwks_file).read_text())) if jwks_file else None

    def _signing_key(self, token: str):
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        kid = jwt.get_unverified_header(token).get("kid")
        for key in self._jwks.keys if self._jwks is not None else []:
            if key.key_id == kid:
                return key.key
        raise InvalidToken("token ondertekend met een onbekende sleutel")

    def verify(self, token: str) -> Principal:
        """The principal of a valid token; :class:`InvalidToken` (401) for *any* failure to verify it —
        a malformed header, an unknown or mismatched algorithm or key type, a bad signature or claim —
        never another exception (fail closed)."""
        try:
            claims = jwt.decode(token, self._signing_key(token), algorithms=ALGORITHMS, audience=self.audience,
                                issuer=self.issuer, options={"require": ["exp", "iss", "aud", "sub"]})
        except InvalidToken:
            raise
        except Exception as exc:  # e.g. TypeError for an ES256 token naming an RSA key
            raise InvalidToken(
                "token geweigerd: ongeldig, verlopen, niet voor deze API of niet te controleren"
            ) from exc
        try:
            role = Role(claims[self.role_claim])
            scope = claims[self.scope_claim]
            gebieden = _validate_scope([str(g) for g in scope] if isinstance(scope, list) else str(scope).split(),
                                       "token")
            subject = claims["sub"]
            if not isinstance(subject, str):
                raise TypeError("sub is not a string")
        except Exception as exc:  # any claim of the wrong shape
            raise InvalidToken(f"token zonder geldige claim {self.role_claim!r} of {self.scope_claim!r}") from exc
        return Principal(f"oidc:{subject}", role, gebieden)
