"""Who may see which area: the one definition, in a scalar and a vector form that agree.

A key (or token) carries *gebieden*: gemeente codes (``GM0193``), veiligheidsregio codes (``VR04``) or
``"*"`` (every area of the release). The rule:

- ``*`` covers every area;
- a regio-level area (code ``VRxx``) needs that regio itself;
- a gemeente or a wijk needs its gemeente or its regio.

Every route, filter, map, per-release memo and the response cache take the rule from here: the cache
may hand one caller's answer to another only because both forms agree (property test in
``tests/api/test_scope.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

__all__ = ["ALL_AREAS", "Scope"]

ALL_AREAS = "*"
_REGIO_PREFIX = "VR"


@dataclass(frozen=True)
class Scope:
    """The areas a caller may see; frozen and hashable, so it keys memos and the response cache."""

    gebieden: frozenset[str]

    @classmethod
    def of(cls, gebieden: Iterable[str]) -> Scope:
        return cls(frozenset(gebieden))

    @property
    def all_areas(self) -> bool:
        return ALL_AREAS in self.gebieden

    @cached_property
    def key(self) -> str:
        """A canonical text of the scope (``"*"`` for every area): equal scopes give equal keys."""
        return ALL_AREAS if self.all_areas else ",".join(sorted(self.gebieden))

    def covers(self, code: str, gemeente: str | None, regio: str | None) -> bool:
        """May this scope see the area ``code`` (a wijk, gemeente or regio) in ``gemeente`` / ``regio``?"""
        if self.all_areas:
            return True
        if code.startswith(_REGIO_PREFIX):
            return code in self.gebieden
        return (gemeente in self.gebieden) or (regio in self.gebieden)

    def mask(self, codes: np.ndarray, gemeenten: np.ndarray, regios: np.ndarray) -> np.ndarray:
        """:meth:`covers` for arrays of areas at once (object arrays; ``None`` where an area has no
        gemeente or regio); a read-only boolean array."""
        codes = np.asarray(codes, dtype=object)
        if self.all_areas:
            mask = np.ones(len(codes), dtype=bool)
        else:
            scope = np.array(sorted(self.gebieden), dtype=object)
            is_regio = np.array([str(c).startswith(_REGIO_PREFIX) for c in codes], dtype=bool)
            by_area = np.isin(np.asarray(gemeenten, dtype=object), scope) | np.isin(np.asarray(regios, dtype=object),
                                                                                     scope)
            mask = np.where(is_regio, np.isin(codes, scope), by_area) if len(codes) else np.zeros(0, dtype=bool)
        mask.flags.writeable = False
        return mask

    def covers_filter(self, *, gemeente: str | None = None, regio: str | None = None,
                      regio_of_gemeente: str | None = None) -> bool:
        """May this scope ask for *everything* in ``gemeente`` and/or ``regio``?

        A gemeente filter alone is allowed when the scope covers that gemeente (by itself or by its regio,
        ``regio_of_gemeente``); a regio filter needs the regio; both together need the regio.
        """
        if self.all_areas:
            return True
        if regio is not None:
            return regio in self.gebieden
        if gemeente is not None:
            return self.covers(gemeente, gemeente, regio_of_gemeente)
        return True
