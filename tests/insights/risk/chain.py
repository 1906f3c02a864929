"""Simulated indicator counts pushed through the real chain: cells → protect → public view.

Seeded and SYNTHETIC: real IJsselland wijken and denominators, counts drawn from a model with a wijk
effect (SD 0.30), a year-to-year variation per wijk, indicator and year (SD 0.08, as the bundled
generator) and an optional multiplicative effect per wijk and year.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd

from insights.cells import build_cells, public_cells
from insights.disclosure import protect
from insights.pipeline import prepare_cells
from insights.settings import BuildSettings

RATES = {"schulden": 0.05, "echtscheidingen": 0.0019, "meldingen": 0.016}
PERIODS = (2020, 2021, 2022, 2023, 2024)


@lru_cache(maxsize=1)
def _inputs():
    _, parents, prep = prepare_cells(BuildSettings(), progress=lambda _: None)
    template = prep.table.frame
    template = template[template["code"].isin(prep.hierarchy.loc[prep.hierarchy["level"].eq("wijk"), "code"])]
    wijken = (template[template["period"].eq(template["period"].max())]
              [["code", "huishoudens", "inwoners"]].dropna().sort_values("code").reset_index(drop=True))
    return wijken, prep.hierarchy, parents, prep.rules


def simulate_public(rng: np.random.Generator, effect: Callable[[pd.DataFrame, int], np.ndarray] | None = None,
                    *, year_sd: float = 0.08) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(public cells, wijken) for one simulated dataset; ``effect(wijken, year)`` multiplies the rates."""
    wijken, hierarchy, parents, rules = _inputs()
    u = rng.normal(0, 0.30, len(wijken))
    frames = []
    for year in PERIODS:
        factor = np.ones(len(wijken)) if effect is None else effect(wijken, year)
        row = {"code": wijken["code"], "period": year, "huishoudens": wijken["huishoudens"],
               "inwoners": wijken["inwoners"]}
        for name, rate in RATES.items():
            den = wijken["inwoners" if name == "echtscheidingen" else "huishoudens"].to_numpy(dtype=float)
            mu = den * rate * np.exp(u + rng.normal(0, year_sd, len(wijken))) * factor
            row[name] = pd.array(rng.poisson(mu), dtype="Int64")
        frames.append(pd.DataFrame(row))
    counts = pd.concat(frames, ignore_index=True)
    counts["period"] = counts["period"].astype(np.int64)
    for col in ("huishoudens", "inwoners"):
        counts[col] = counts[col].astype("Int64")
    cells = build_cells(counts, hierarchy)
    protected = protect(cells, parents, rules)
    return public_cells(protected), wijken
