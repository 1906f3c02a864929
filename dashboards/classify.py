"""Map layers: which areas get which colour, and the legend that says why.

Pure functions over the map table (:func:`dashboards.data.map_table`); the HTML map and the PNG
both draw from the same :class:`Layer`, so classes, colours and hatching are identical.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd

from insights.indicators import DENOMINATORS, HEADLINE, INDICATORS
from insights.labels import HIDDEN_LABEL
from insights.release import Status  # the cell states a release publishes

__all__ = [
    "FEW",
    "FEW_FILL",
    "FEW_LABEL",
    "HATCH_COLOUR",
    "HIDDEN",
    "HIDDEN_FILL",
    "HIDDEN_LABEL",
    "NO_DATA",
    "NO_DATA_LABEL",
    "Layer",
    "area_state",
    "fmt",
    "layers_for",
]

FEW_LABEL = "te weinig huishoudens/inwoners om te tonen"
NO_DATA_LABEL = "geen gegevens"
# Area states that are not a data class. Letters, never a number: a 0 could be read as a value.
HIDDEN, FEW, NO_DATA = "b", "w", "n"
HIDDEN_FILL = "#d9d9d9"   # neutral grey, not in any palette below
HATCH_COLOUR = "#636363"
FEW_FILL = "#f7f7f7"
NO_DATA_FILL = "#ffffff"

# ColorBrewer schemes marked colour-blind safe (colorbrewer2.org): sequential YlOrBr for rates,
# diverging PuOr for the relative risk (purple = lower, orange = higher than expected).
YLORBR = ["#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"]
YLORBR_K = {1: ["#fe9929"], 2: ["#fed98e", "#d95f0e"], 3: ["#fff7bc", "#fec44f", "#d95f0e"],
            4: ["#ffffd4", "#fed98e", "#fe9929", "#cc4c02"], 5: YLORBR}
PUOR = ["#542788", "#998ec3", "#f7f7f7", "#f1a340", "#b35806"]
RISK_BREAKS = [0.8, 0.95, 1.05, 1.25]
# Colour classes of the estimated RR: numbers only, so they never read like a signal ("duidelijk hoger …").
RISK_LABELS = ["RR onder 0,80", "RR 0,80 – 0,95", "RR 0,95 – 1,05", "RR 1,05 – 1,25", "RR 1,25 of meer"]


def fmt(value: object, digits: int = 1) -> str:
    """Dutch number: comma decimals; '—' for missing (``value`` is a number, or missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):.{digits}f}".replace(".", ",")  # type: ignore[arg-type]


@dataclass(frozen=True)
class Layer:
    """One switchable layer of a map.

    ``classes`` holds per area (aligned with the table) a class number 0..k-1 into ``colours``, or
    one of :data:`HIDDEN`, :data:`FEW`, :data:`NO_DATA`.
    """

    key: str
    title: str
    indicator: str
    score: bool
    colours: list[str]
    edges: list[str]
    method: str
    classes: pd.Series


def area_state(table: pd.DataFrame, name: str) -> pd.Series:
    """Per area: 'p' (published), :data:`HIDDEN`, :data:`FEW` or :data:`NO_DATA` for indicator ``name``.

    :data:`FEW` marks areas hidden because of their public CBS size (too few households, or a
    households/inhabitants denominator below its floor); every other hidden cell is
    :data:`HIDDEN` — the map never tells primary from secondary suppression.
    """
    status = table.get(f"{name}_status", pd.Series(pd.NA, index=table.index))
    spec = INDICATORS[name]
    few = status.eq(Status.few_households)
    if spec.denominator in DENOMINATORS:
        few |= status.eq(Status.small_denominator)
    hidden = status.isin(Status.hidden)
    state = pd.Series(NO_DATA, index=table.index, dtype="object")
    state[status.eq(Status.published).fillna(False).astype(bool)] = "p"
    state[hidden.fillna(False).astype(bool)] = HIDDEN
    state[few.fillna(False).astype(bool)] = FEW
    return state


def _rate_classes(values: pd.Series) -> tuple[pd.Series, list[str], str]:
    y = values.astype(float)
    distinct = int(y.nunique())
    k = min(5, distinct)
    if k < 2:
        return (
            np.zeros(len(y), dtype=int),
            [fmt(y.max()) if len(y) else "—"],
            "één kleur: te weinig verschillende waarden om in te delen",
        )
    skew = float(pd.Series(y).skew()) if len(y) > 2 else 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if abs(skew) > 1 and len(y) >= 20:
            # Fisher-Jenks is quadratic in n; above 300 values fit it on 300 evenly spaced order
            # statistics (deterministic, unlike FisherJenksSampled's random sample).
            ordered = np.sort(y.to_numpy())
            fit_on = (
                ordered[np.linspace(0, len(ordered) - 1, 300).round().astype(int)] if len(ordered) > 300 else ordered
            )
            scheme = mapclassify.FisherJenks(fit_on, k=k)
            method = "grenzen waar de waarden het verst uit elkaar liggen (enkele wijken wijken sterk af)"
        else:
            scheme = mapclassify.Quantiles(y.to_numpy(), k=k)
            method = "elke kleur ongeveer evenveel wijken"
    bins = list(dict.fromkeys(float(b) for b in scheme.bins))
    yb = np.searchsorted(bins, y.to_numpy(), side="left")
    lows = [float(y.min()), *bins[:-1]]
    edges = [
        f"{fmt(lo)} – {fmt(hi)}" if i == 0 else f"> {fmt(lo)} – {fmt(hi)}" for i, (lo, hi) in enumerate(zip(lows, bins))
    ]
    return yb, edges, method


def _classes(state: pd.Series, shown: pd.Series, yb) -> pd.Series:
    """Class number (Python int) for shown areas; the state letter otherwise ('p' without a value → no data)."""
    out = [NO_DATA if s == "p" else s for s in state]
    for position, k in zip(np.flatnonzero(shown.to_numpy(dtype=bool)), [] if yb is None else list(yb)):
        out[position] = int(k)
    return pd.Series(out, index=state.index, dtype="object")


def layers_for(table: pd.DataFrame) -> list[Layer]:
    """The layers of a map: the risk score of the headline indicator (meldingen) first, then each
    indicator's rate."""
    layers: list[Layer] = []
    if f"{HEADLINE}_status" in table.columns:
        state = area_state(table, HEADLINE)
        score_col = f"{HEADLINE}_rr" if f"{HEADLINE}_rr" in table.columns else f"{HEADLINE}_smr"
        values = table[score_col].astype("Float64")
        shown = state.eq("p") & values.notna()
        yb = None
        if shown.any():
            yb = mapclassify.UserDefined(values[shown].astype(float).to_numpy(), bins=[*RISK_BREAKS, math.inf]).yb
        classes = _classes(state, shown, yb)
        what = (
            "meldingen vergeleken met wat je in de regio zou verwachten, gecorrigeerd voor toeval bij kleine aantallen"
            if score_col.endswith("_rr")
            else "meldingen vergeleken met wat je in de regio zou verwachten"
        )
        layers.append(Layer(
            key="risico", title=f"Risicosignaal {HEADLINE}", indicator=HEADLINE,
            score=True,
            colours=PUOR, edges=RISK_LABELS,
            method=f"{what}; vaste grenzen rond 1 = zoals verwacht",
            classes=classes,
        ))
    for name, spec in INDICATORS.items():
        if f"{name}_rate" not in table.columns:
            continue
        state = area_state(table, name)
        values = table[f"{name}_rate"].astype("Float64")
        shown = state.eq("p") & values.notna()
        yb, edges, method = None, ["—"], "geen gepubliceerde waarden"
        if shown.any():
            yb, edges, method = _rate_classes(values[shown])
        classes = _classes(state, shown, yb)
        colours = YLORBR_K[len(edges)]
        layers.append(Layer(key=name, title=f"{spec.short_title} ({spec.per})", indicator=name, score=False,
                            colours=colours, edges=edges, method=f"{method}; {spec.per}", classes=classes))
    return layers
