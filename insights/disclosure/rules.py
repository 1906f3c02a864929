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
from insights.rounding import rounding_above, rounding_below

__all__ = ["IndicatorRule", "Protection", "Rules", "parse_rules"]


class IndicatorRule(BaseModel):
    """Protection of one indicator.

    min_count : counts below this are hidden (primary suppression); a count, ≥ 1.
    rounding_base : published counts are rounded to the nearest multiple of this (1 = no rounding).
    min_denominator : areas whose denominator (households or inhabitants) is below this publish no
        value of the indicator; 0 switches the floor off.
    part_of : name of another indicator that always counts at least as much in every area and period
        (hermeldingen are part of meldingen). The audit then adds ``this ≤ that`` to what an attacker
        knows. ``None`` (default): no link.
    """

    model_config = ConfigDict(extra="forbid")
    min_count: int = Field(10, ge=1)
    rounding_base: int = Field(5, ge=1)
    min_denominator: int = Field(0, ge=0)
    part_of: str | None = None

    @property
    def rounding_below(self) -> int:
        """A published value ``v`` means the count is at least ``v - rounding_below``."""
        return int(rounding_below(self.rounding_base))

    @property
    def rounding_above(self) -> int:
        """A published value ``v`` means the count is at most ``v + rounding_above``."""
        return int(rounding_above(self.rounding_base))

    @model_validator(mode="after")
    def _threshold_survives_rounding(self) -> Self:
        if self.min_count < self.rounding_base:
            raise ValueError(
                f"min_count {self.min_count} is below rounding_base {self.rounding_base}: "
                "a published value could round to 0"
            )
        lowest = (2 * self.min_count + self.rounding_base) // (2 * self.rounding_base) * self.rounding_base
        if lowest < self.min_count:
            raise ValueError(
                f"rounding_base {self.rounding_base} rounds the threshold {self.min_count} down to {lowest}: "
                "a published value would lie below min_count; choose a base with which min_count rounds to "
                "at least itself (e.g. a divisor of min_count)"
            )
        return self


class Protection(BaseModel):
    """The protection range: what an attacker must *not* be able to rule out for a hidden cell.

    contains_zero : the interval an attacker can derive for a cell hidden by a rule must reach 0
        ("none" cannot be excluded).
    contains_threshold : that interval must reach the indicator's ``min_count`` ("enough to publish"
        cannot be excluded). With both (the default) nobody can tell none from publishable.
    secondary_as_rounded : a cell hidden only to protect another may not be known more precisely
        than its own rounded value would have told (interval at least ``rounding_base - 1`` wide).
    """

    model_config = ConfigDict(extra="forbid")
    contains_zero: bool = True
    contains_threshold: bool = True
    secondary_as_rounded: bool = True

    @model_validator(mode="after")
    def _something_protected(self) -> Self:
        if not (self.contains_zero or self.contains_threshold):
            raise ValueError("protection: at least one of contains_zero and contains_threshold must be true")
        return self


class Rules(BaseModel):
    """The whole rules file. ``min_households`` is the floor below which an area publishes nothing."""

    model_config = ConfigDict(extra="forbid")
    version: str = Field(min_length=1)
    min_households: int = Field(50, ge=0)
    defaults: IndicatorRule = IndicatorRule()
    protection: Protection = Protection()
    indicators: dict[str, IndicatorRule] = {}

    @model_validator(mode="after")
    def _known_indicators(self) -> Self:
        unknown = sorted(set(self.indicators) - set(INDICATORS))
        if unknown:
            raise ValueError(f"unknown indicator(s) {unknown}; known: {sorted(INDICATORS)}")
        if self.defaults.part_of is not None:
            raise ValueError("defaults: part_of belongs in an indicator section, not in [defaults]")
        for name, rule in self.indicators.items():
            if rule.part_of is None:
                continue
            if rule.part_of not in INDICATORS:
                raise ValueError(
                    f"indicators.{name}.part_of: unknown indicator {rule.part_of!r}; known: {sorted(INDICATORS)}"
                )
            if rule.part_of == name:
                raise ValueError(f"indicators.{name}.part_of: an indicator cannot be part of itself")
            seen = [name]
            nxt: str | None = rule.part_of
            while nxt is not None:
                if nxt in seen:
                    raise ValueError(f"indicators.{name}.part_of: circular chain {' ⊂ '.join(seen + [nxt])}")
                seen.append(nxt)
                nxt = self.indicators.get(nxt, self.defaults).part_of
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
            name: {**{k: v for k, v in defaults.items() if k != "part_of"}, **section}
            if isinstance(section, dict)
            else section
            for name, section in raw["indicators"].items()
        }
    try:
        return Rules.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}" for err in exc.errors()
        )
        raise RulesError(f"{source}: {problems}") from None
