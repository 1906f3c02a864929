"""Disclosure control: rules, primary suppression and rounding, secondary suppression, audit.

Public functions (all pure: frames in, frames or text out):

- :func:`parse_rules` ``(text, source="rules") -> Rules``
- :func:`primary_suppression` ``(cells, rules) -> DataFrame``
- :func:`secondary_suppression` ``(primary, parent_of, rules, *, previous=None) -> DataFrame``
- :func:`protect` ``(cells, parent_of, rules, *, previous=None) -> DataFrame`` — what the build calls
- :func:`audit` ``(protected, parent_of, rules, *, previous=None, method="exact") -> DataFrame``
- :func:`assert_protected` ``(audited, rules) -> None``, raises ``UnprotectedOutput``
- :func:`steward_table` ``(audited) -> DataFrame`` (CSV), :func:`information_loss` ``(audited) -> DataFrame``,
  :func:`steward_report_html` ``(audited, rules_version, *, title=...) -> str``
- :func:`rules_diff` ``(cells, parent_of, old, new, *, previous=None) -> DataFrame``
"""

from insights.disclosure.audit import assert_protected, audit
from insights.disclosure.diff import rules_diff
from insights.disclosure.primary import Status, primary_suppression, public_status, round_to_base
from insights.disclosure.protect import protect
from insights.disclosure.report import information_loss, steward_report_html, steward_table
from insights.disclosure.rules import IndicatorRule, Protection, Rules, parse_rules
from insights.disclosure.secondary import secondary_suppression
from insights.disclosure.structure import NonAdditiveTable

__all__ = [
    "IndicatorRule",
    "NonAdditiveTable",
    "Protection",
    "Rules",
    "Status",
    "assert_protected",
    "audit",
    "information_loss",
    "parse_rules",
    "primary_suppression",
    "protect",
    "public_status",
    "round_to_base",
    "rules_diff",
    "secondary_suppression",
    "steward_report_html",
    "steward_table",
]
