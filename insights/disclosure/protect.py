"""The whole protection step the build runs: primary rules, then secondary suppression, then audit."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from insights.disclosure.attacker import Version
from insights.disclosure.audit import with_audit_columns
from insights.disclosure.history import apply_history, as_versions
from insights.disclosure.primary import primary_suppression
from insights.disclosure.rules import Rules
from insights.disclosure.secondary import suppress

__all__ = ["protect"]


def protect(
    cells: pd.DataFrame,
    parent_of: pd.Series,
    rules: Rules,
    *,
    previous: pd.DataFrame | None = None,
    history: Sequence[Version] = (),
) -> pd.DataFrame:
    """Protect every cell of a release.

    Parameters
    ----------
    cells : one row per (code, period, indicator) over all levels, with ``code``, ``level``,
        ``period`` (int), ``indicator``, ``count`` (Int64; NA = secret in the source),
        ``denominator`` and ``households`` (see :func:`primary_suppression`). A parent's count is
        the sum of its children's counts (NA if any child is NA). Pass *all* periods and
        indicators of the release at once: they are protected together.
    parent_of : area code → parent code (NA for the top, ``NL01``).
    rules : the rules in force.
    previous : optional, the cells of an earlier published release (``code``, ``period``,
        ``indicator``, ``value``), read with ``rules`` unless it carries ``min_count`` and
        ``rounding_base`` per cell.
    history : every earlier release of the folder, oldest first, each with its own rules
        (:class:`insights.disclosure.attacker.Version`). The policy of
        :mod:`insights.disclosure.history` applies: unchanged published cells keep their earlier
        value and rules, revised cells are protected afresh (``herzien``), hidden cells stay hidden;
        the audit covers all releases together.

    Returns
    -------
    ``cells`` (same rows and order) plus ``value`` (Int64 published rounded count, NA when
    hidden, never 0 for hidden), ``status`` (a :class:`Status` value), ``reason`` (Dutch: the rule
    that fired, or ``"beschermt <code> ..."``), ``protects`` (code of the cell a secondary cell
    protects), ``min_count``, ``rounding_base``, and the audit columns ``audit_low``,
    ``audit_high`` (interval an attacker can derive; NA high = unbounded), ``protection_ok``,
    ``audit_release`` (an earlier release whose hidden value is narrowed, else NA) and ``herzien``.
    The raw ``count`` column is still present: only the release writer's public projection leaves
    the build machine; it should call :func:`assert_protected` first.
    """
    versions = as_versions(previous, history, rules)
    primary = apply_history(primary_suppression(cells, rules), rules, versions, parent_of)
    done = suppress(primary, parent_of, rules, history=versions)
    protected = done.cells
    # The last round of the secondary step audited exactly this pattern; attach its intervals.
    return with_audit_columns(protected, done.forest, done.pattern, done.f_lo, done.f_hi, rules,
                              earlier=done.earlier)
