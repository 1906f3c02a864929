"""Map settings (``HELPENDE_MAP_*``), built once by the caller and passed in."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["MapSettings"]


class MapSettings(BaseSettings):
    """How maps are rendered.

    ``tiles_url`` is off by default: the maps then need no network at all. Set it to a tile server
    inside the municipal network (e.g. ``http://tiles.intern/{z}/{x}/{y}.png``) to get a background;
    every tile is then fetched from that host only.
    """

    model_config = SettingsConfigDict(env_prefix="HELPENDE_MAP_", extra="ignore")

    tiles_url: str | None = None
    tiles_attribution: str = "achtergrondkaart: lokale tegelserver"
    png: bool = True
    png_dpi: int = Field(150, ge=50, le=600)
    # Processes for a release with many maps (0 = one per core). Off by default: on the shared 2-core
    # test machine two processes were slower than one (each got half a core); try it on a dedicated one.
    workers: int = Field(1, ge=0)
    parallel_from: int = Field(40, ge=1)  # render in parallel above this many maps (NL: 343)

    @model_validator(mode="after")
    def _tile_template(self) -> Self:
        if self.tiles_url is not None and not all(p in self.tiles_url for p in ("{z}", "{x}", "{y}")):
            raise ValueError(f"tiles_url {self.tiles_url!r} must contain {{z}}, {{x}} and {{y}}")
        return self
