"""Typed settings for a build, read from ``HELPENDE_*`` environment variables or given directly."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["EXAMPLE_INTERVENTIONS", "REPO_ROOT", "BuildSettings"]

REPO_ROOT = Path(__file__).resolve().parents[1]
_OPEN = REPO_ROOT / "data" / "open"
#: Bundled EXAMPLE interventions (IJsselland wijken); a build of another area skips what it does not hold.
EXAMPLE_INTERVENTIONS = REPO_ROOT / "data" / "voorbeeld" / "interventies.toml"


class BuildSettings(BaseSettings):
    """Where a build finds its inputs and writes its release. Defaults: the bundled open data."""

    model_config = SettingsConfigDict(env_prefix="HELPENDE_", extra="ignore")

    boundaries: Path = _OPEN / "wijken_2024_wgs84_simplified.geojson"
    regions: Path = _OPEN / "gemeente_veiligheidsregio_ggdregio_2023.csv"
    covariates: Path = _OPEN / "gemeenten_2023_pdok_kerncijfers_wgs84.geojson"
    indicators: list[Path] = Field(
        default_factory=lambda: [REPO_ROOT / "data" / "synthetic" / "indicatoren_synthetisch_2020_2024.csv"]
    )
    mapping: Path | None = None  # steward's column mapping (TOML) for exports with their own column names
    rules: Path = REPO_ROOT / "rules" / "disclosure.toml"
    # Record files (insights.registrations); when given they replace ``indicators``.
    registraties: list[Path] = Field(default_factory=list)
    registraties_mapping: Path = REPO_ROOT / "rules" / "registraties.toml"
    pc6: Path | None = None
    releases_dir: Path = Path("releases")
    region: str = "IJsselland"
    interventions: Path | None = EXAMPLE_INTERVENTIONS
