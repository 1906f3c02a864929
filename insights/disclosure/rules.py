"""The disclosure rules stewards review: a TOML file parsed into a typed model.

The file (``rules/disclosure.toml``) holds a version, defaults and optional per-indicator overrides.
Parsing is pure (text in, model out); reading the file happens in :mod:`insights.ingest`.
"""

from __future__ import annotations

import tomllib
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from insights.errors import RulesError
from insights.indicators import INDICATORS

__all__ = ["IndicatorRule", "Rules", "parse_rules"]


class IndicatorRule(BaseModel):
    """Protection of one indicator.

    min_count : counts below this are hidden (primary suppression); a count, ≥ 1.
    rounding_base : published counts are rounded to the nearest multiple of this (1 = no rounding).
    min_denominator : areas whose denominator (households or inhabitants) is below this publish no
        value of the indicator; 0 switches the floor off.
    """

    model_config = ConfigDict(extra="forbid")
    min_count: int = Field(10, ge=1)
    rounding_base: int = Field(5, ge=1)
    min_denominator: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _threshold_survives_rounding(self) -> Self:
        if self.min_count < self.rounding_base:
            raise ValueError(
                f"min_count {self.min_count} is below rounding_base {self.rounding_base}: "
                "a published value could round to 0"
            )
        return self


class Rules(BaseModel):
    """The whole rules file. ``min_households`` is the floor below which an area publishes nothing."""

    model_config = ConfigDict(extra="forbid")
    version: str = Field(min_length=1)
    min_households: int = Field(50, ge=0)
    defaults: IndicatorRule = IndicatorRule()
    indicators: dict[str, IndicatorRule] = {}

    @model_validator(mode="after")
    def _known_indicators(self) -> Self:
        unknown = sorted(set(self.indicators) - set(INDICATORS))
        if unknown:
            raise ValueError(f"unknown indicator(s) {unknown}; known: {sorted(INDICATORS)}")
        return self

    def for_indicator(self, name: str) -> IndicatorRule:
        """The rule in force for ``name``: its own section, else the defaults."""
        return self.indicators.get(name, self.defaults)


def parse_rules(text: str, source: str = "rules") -> Rules:
    """Parse TOML text into :class:`Rules`; every problem raises :class:`RulesError` naming ``source``."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{source}: not valid TOML: {exc}") from None
    # An indicator section only overrides what it names; the rest comes from [defaults].
    defaults = raw.get("defaults", {})
    if isinstance(raw.get("indicators"), dict) and isinstance(defaults, dict):
        raw["indicators"] = {
            name: {**defaults, **section} if isinstance(section, dict) else section
            for name, section in raw["indicators"].items()
        }
    try:
        return Rules.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}" for err in exc.errors()
        )
        raise RulesError(f"{source}: {problems}") from None
