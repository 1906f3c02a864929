"""Small hand-checkable tables for the disclosure tests."""

from __future__ import annotations

import pandas as pd
import pytest

from insights.disclosure import parse_rules

LEVELS = {0: "nederland", 1: "regio", 2: "gemeente", 3: "wijk", 4: "buurt"}


def make_cells(
    parent_of: dict[str, str | None],
    leaves: dict[tuple[int, str], dict[str, int | None]],
    *,
    households: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Cells for every area of ``parent_of`` from leaf counts per (period, indicator).

    Parent counts are the sums of their children's (NA if any child is NA). Every area has 1,000
    households and denominator 1,000 unless ``households`` says otherwise.
    """
    parents = pd.Series(parent_of, dtype="object")
    children: dict[str, list[str]] = {}
    for child, par in parent_of.items():
        if par is not None:
            children.setdefault(par, []).append(child)

    def depth(code: str) -> int:
        d = 0
        while parent_of[code] is not None:
            code = parent_of[code]
            d += 1
        return d

    rows = []
    for (period, indicator), counts in leaves.items():
        def total(code: str):
            if code not in children:
                return counts[code]  # noqa: B023 (called within the same iteration)
            parts = [total(c) for c in children[code]]
            return None if any(p is None for p in parts) else sum(parts)

        for code in parent_of:
            hh = (households or {}).get(code, 1000)
            rows.append(
                {"code": code, "level": LEVELS[depth(code)], "period": period, "indicator": indicator,
                 "count": total(code), "denominator": hh, "households": hh}
            )
    cells = pd.DataFrame(rows)
    cells["count"] = cells["count"].astype("Int64")
    cells["denominator"] = cells["denominator"].astype("Int64")
    cells["households"] = cells["households"].astype("Int64")
    parents = parents.where(parents.notna(), None)
    return cells, parents


@pytest.fixture
def rules_no_rounding():
    """Threshold 10, no rounding: the classic textbook setting."""
    return parse_rules('version = "t1"\nmin_households = 0\n[defaults]\nmin_count = 10\nrounding_base = 1\n')


@pytest.fixture
def rules_base5():
    """Threshold 10, rounding to 5: the CBS setting of the bundled rules file."""
    return parse_rules('version = "t5"\nmin_households = 0\n[defaults]\nmin_count = 10\nrounding_base = 5\n')


@pytest.fixture
def tables():
    """The table builder :func:`make_cells`, as a fixture (test folders are not packages)."""
    return make_cells
