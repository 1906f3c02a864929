"""Disclosure control: rules, primary suppression and rounding, secondary suppression."""

from insights.disclosure.primary import Status, primary_suppression, round_to_base
from insights.disclosure.protect import protect
from insights.disclosure.rules import IndicatorRule, Rules, parse_rules
from insights.disclosure.secondary import hide_single_hidden_children

__all__ = [
    "IndicatorRule",
    "Rules",
    "Status",
    "hide_single_hidden_children",
    "parse_rules",
    "primary_suppression",
    "protect",
    "round_to_base",
]
