"""API settings, built once in :func:`api.app.create_app` (``HELPENDE_*`` environment variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ApiSettings"]


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HELPENDE_", extra="ignore")

    releases_dir: Path = Path("releases")
    default_limit: int = Field(100, ge=1)
    max_limit: int = Field(1000, ge=1)
    base_url: str = ""  # public URL prefix for links; empty = taken from the request
    release_check_interval_s: float = Field(1.0, gt=0)

    # credentials: hashed API keys (embedded default) and/or OIDC bearer tokens (production)
    api_keys_file: Path | None = None
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    oidc_jwks_file: Path | None = None
    oidc_role_claim: str = "helpende_rol"
    oidc_scope_claim: str = "helpende_gebieden"

    # whole responses of cacheable routes kept per worker for repeats (0 = off); see api.response_cache
    response_cache_mb: int = Field(64, ge=0)

    # append-only access log (JSON lines: who, endpoint, area, time, status; never a payload)
    access_log: Path | None = None

    @model_validator(mode="after")
    def _limits_in_order(self) -> Self:
        if self.default_limit > self.max_limit:
            raise ValueError(f"default_limit {self.default_limit} exceeds max_limit {self.max_limit}")
        return self

    @model_validator(mode="after")
    def _oidc_complete(self) -> Self:
        oidc = [self.oidc_issuer, self.oidc_audience, self.oidc_jwks_url or self.oidc_jwks_file]
        if any(oidc) and not all(oidc):
            raise ValueError("OIDC needs oidc_issuer, oidc_audience and one of oidc_jwks_url / oidc_jwks_file")
        if self.oidc_jwks_url and self.oidc_jwks_file:
            raise ValueError("give oidc_jwks_url or oidc_jwks_file, not both")
        if self.oidc_jwks_url and not self.oidc_jwks_url.startswith("https://"):
            raise ValueError(f"oidc_jwks_url must be https://, got {self.oidc_jwks_url!r}")
        return self

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None
