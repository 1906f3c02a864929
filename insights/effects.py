"""Effect tables of a release: trends, repeat-report shares, area profiles and intervention effects.

Composes the pure methods of :mod:`insights.risk` over the published frame (no raw counts): every
cell is read once, as the public sees it (:func:`insights.risk.public_interval.public_count_interval`).
No I/O; the pipeline passes the tables to :func:`insights.release.write_release`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from insights.indicators import INDICATORS
from insights.labels import HIDDEN_LABEL
from insights.risk.did import Intervention, intervention_effects
from insights.risk.explain import NON_CAUSAL, composite_model, count_band
from insights.risk.public_interval import public_count_interval
from insights.risk.repeat import repeat_share
from insights.risk.signal import REFERENCE
from insights.risk.trend_check import marker_rates
from insights.risk.trend_test import MARKERS, trend_markers

__all__ = ["TABLE_FILES", "EffectTables", "effect_tables"]

#: Release table name → what it holds (file ``<name>.parquet``).
TABLE_FILES = {
    "trends": "trend per gebied en indicator over de laatste vijf perioden",
    "hermeldingen": "aandeel hermeldingen per gebied (beta-binomiaal)",
    "profielen": "gebiedsprofiel per wijk en gemeente: elke indicator tegen de regio",
    "effecten": "effect per interventie en indicator (verschil-in-verschillen)",
}
TREND_WINDOW = 5
#: Seed of the build's own check of the trend marker (false positives and power at its wijk sizes).
CHECK_SEED = 20261204
YEAR_SD = 0.08
REPEAT_MIN_REPORTS = 20


@dataclass(frozen=True)
class EffectTables:
    """The tables (name → frame) and what ran, for the manifest and the model card."""

    tables: dict[str, pd.DataFrame]
    facts: dict[str, Any] = field(default_factory=dict)


def _rate_interval(low: pd.Series, high: pd.Series, per_unit: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95% limits of a rate for a count known to lie in [low, high]."""
    lo = low.to_numpy(dtype=float)
    hi = high.to_numpy(dtype=float)
    d = per_unit.to_numpy(dtype=float, na_value=np.nan)
    lower = np.where(lo > 0, stats.chi2.ppf(0.025, 2 * np.maximum(lo, 1e-9)) / 2, 0.0)
    upper = np.where(np.isfinite(hi), stats.chi2.ppf(0.975, 2 * (np.where(np.isfinite(hi), hi, 0) + 1)) / 2, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return lower / d, upper / d


def _repeat_reference(public: pd.DataFrame) -> pd.Series:
    rows = public[public["indicator"].eq("hermeldingen") & public["level"].eq("regio")]
    share = rows["value"].astype("Float64") / rows["denominator"].astype("Float64")
    return pd.Series(share.to_numpy(dtype=float, na_value=np.nan),
                     index=pd.MultiIndex.from_arrays([rows["code"].astype(object), rows["period"].astype(np.int64)]))


def _profiles(public: pd.DataFrame, scores: pd.DataFrame, trends: pd.DataFrame, repeats: pd.DataFrame,
              composite: pd.DataFrame | None) -> pd.DataFrame:
    key = ["code", "period", "indicator"]
    rows = public[public["level"].isin(["wijk", "gemeente"])]
    scale = rows["indicator"].map(lambda n: INDICATORS[n].scale if n in INDICATORS else 1).astype(float)
    per_unit = rows["denominator"].astype("Float64") / scale
    rate_low, rate_high = _rate_interval(rows["low"], rows["high"], per_unit)
    out = rows[["code", "level", "gemeente", "regio", "period", "indicator", "value", "status", "denominator"]].copy()
    out["count_band"] = count_band(rows["low"], rows["high"]).to_numpy()
    out["rate"] = (rows["value"].astype("Float64") / per_unit).astype("Float64")
    out["rate_low95"] = pd.array(rate_low, dtype="Float64")
    out["rate_high95"] = pd.array(rate_high, dtype="Float64")
    sc = scores.set_index(key)
    merged = out.join(sc[["expected", "smr", "rr", "rr_low95", "rr_high95", "p_exceed", "funnel", "signal"]], on=key)
    with np.errstate(divide="ignore", invalid="ignore"):
        regio_rate = merged["expected"].astype("Float64") / per_unit
    merged["regio_rate"] = regio_rate.astype("Float64")
    merged = merged.merge(trends[["code", "indicator", "apc", "apc_low95", "apc_high95", "marker"]]
                          .rename(columns={"marker": "trend"}), on=["code", "indicator"], how="left")
    merged["trend"] = merged["trend"].fillna(MARKERS[-1])
    rep = repeats[["code", "period", "share", "share_low95", "share_high95", "signal"]].rename(
        columns={"share": "repeat_share", "share_low95": "repeat_low95", "share_high95": "repeat_high95",
                 "signal": "repeat_signal"}).assign(indicator="hermeldingen")
    merged = merged.merge(rep, on=key, how="left")
    merged["composite"] = pd.array([pd.NA] * len(merged), dtype="Float64")
    merged["composite_label"] = pd.Series([None] * len(merged), dtype="object")
    if composite is not None and not composite.empty:
        c = composite.set_index(["code", "period"])["composite"]
        at = merged["indicator"].eq("meldingen")
        keys = pd.MultiIndex.from_frame(merged.loc[at, ["code", "period"]])
        merged.loc[at, "composite"] = pd.array(c.reindex(keys).to_numpy(dtype=float), dtype="Float64")
        merged.loc[at & merged["composite"].notna(), "composite_label"] = NON_CAUSAL
    order = {n: i for i, n in enumerate(INDICATORS)}
    merged["_o"] = merged["indicator"].map(order).fillna(len(order))
    merged = merged.sort_values(["code", "period", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    for col in merged.columns:
        if str(merged[col].dtype) in ("Float64", "float64"):
            merged[col] = merged[col].astype("Float64").round(6)
    return merged


def effect_tables(published: pd.DataFrame, scores: pd.DataFrame,
                  interventions: list[Intervention] | None = None) -> EffectTables:
    """Trends, repeat shares, profiles and (with ``interventions``) effects from the published frame.

    Parameters
    ----------
    published : the published cells (no raw counts), with the audit columns when present.
    scores : :func:`insights.risk.score.score` of the same frame (public status).
    interventions : described by a policy officer (:mod:`insights.interventions`); None or empty: no
        ``effecten`` table.

    Returns
    -------
    :class:`EffectTables` with ``trends``, ``hermeldingen``, ``profielen`` and maybe ``effecten``, and
    ``facts``: methods, parameters and figures of what ran (for the model card).
    """
    public = public_count_interval(published)
    trends = trend_markers(public, window=TREND_WINDOW)
    reference = _repeat_reference(public)
    repeats = repeat_share(public, levels=("wijk", "gemeente", "regio"), min_reports=REPEAT_MIN_REPORTS,
                           reference=reference if len(reference) else None)
    if "signal" not in repeats.columns:
        repeats["signal"] = HIDDEN_LABEL
    repeats.loc[repeats["level"].eq("regio"), "signal"] = REFERENCE
    composite = None
    composite_note = "niet berekend"
    try:
        model = composite_model(published.assign(status=public["status"]))
        composite = model.contributions
        composite_note = f"NB2-regressie op {model.n_areas} wijken, periode {int(composite['period'].iloc[0])}"
    except (ValueError, np.linalg.LinAlgError) as err:
        composite_note = f"niet berekend: {err}"
    profiles = _profiles(public, scores, trends, repeats, composite)
    sizes = public.loc[public["level"].eq("wijk") & public["indicator"].eq("meldingen"), "value"].dropna()
    sizes = sizes.astype(float).clip(lower=1).to_numpy()
    check: dict[str, Any] = {}
    if len(sizes):
        rng = np.random.default_rng(CHECK_SEED)
        sample = rng.choice(sizes, size=2000)
        check = {"year_sd": YEAR_SD, "series": 2000, "seed": CHECK_SEED,
                 "false_positive": round(marker_rates(rng, sample, year_sd=YEAR_SD)["any"], 4),
                 "power_10pct": round(marker_rates(rng, sample, change=0.10, year_sd=YEAR_SD)["up"], 4),
                 "sizes": "gepubliceerde meldingen per wijk in deze release"}
    tables = {"trends": trends, "hermeldingen": repeats, "profielen": profiles}
    dispersion = (trends.drop_duplicates(["level", "indicator"])
                  .set_index(["level", "indicator"])[["dispersion", "dispersion_source"]])
    facts: dict[str, Any] = {
        "trend": {
            "window": TREND_WINDOW,
            "periods": sorted(int(p) for p in public["period"].unique())[-TREND_WINDOW:],
            "model": "negatief-binomiale regressie (NB2) op het jaar met log(noemer) als offset, interval-gecensureerd",
            "test": "Wald, 95%-interval van de jaarlijkse verandering; overdispersie per niveau en indicator geschat",
            "dispersion": [{"level": lvl, "indicator": ind, "alpha": round(float(r["dispersion"]), 5),
                            "source": str(r["dispersion_source"])} for (lvl, ind), r in dispersion.iterrows()],
            "check": check,
            "markers": {m: int(v) for m, v in trends["marker"].value_counts().reindex(MARKERS, fill_value=0).items()},
        },
        "repeat": {"levels": ["wijk", "gemeente", "regio"], "min_reports": REPEAT_MIN_REPORTS,
                   "ok": int(repeats["share_status"].eq("ok").sum()), "rows": len(repeats)},
        "profiles": {"rows": len(profiles), "composite": composite_note},
    }
    if interventions:
        effects = intervention_effects(public, interventions)
        tables["effecten"] = effects
        facts["effects"] = {
            "interventions": [iv.name for iv in interventions],
            "rows": len(effects),
            "estimated": int(effects["rate_ratio"].notna().sum()),
            "model": "verschil-in-verschillen: NB2-GLM met gebieds- en periode-effecten, interval-gecensureerd",
        }
    return EffectTables(tables=tables, facts=facts)
