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

    @model_validator(mode="after")
    def _limits_in_order(self) -> Self:
        if self.default_limit > self.max_limit:
            raise ValueError(f"default_limit {self.default_limit} exceeds max_limit {self.max_limit}")
        return self
