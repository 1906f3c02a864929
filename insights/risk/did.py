"""Intervention effects: difference-in-differences rate ratios from public count intervals.

A policy officer names wijken where something started (a veiligheidsteam from 2022) and, optionally,
comparison wijken. Per indicator a negative-binomial GLM with area and period effects estimates how
much the rate in the intervention wijken changed after the start beyond the change in the comparison
wijken. Association in time, not proof of cause: the verdict says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from insights.indicators import INDICATORS
from insights.risk.censored_nb import fit_censored_nb

__all__ = ["EFFECT_COLUMNS", "Intervention", "did_effect", "intervention_effects"]

_Z = float(stats.norm.isf(0.025))

EFFECT_COLUMNS = [
    "interventie", "indicator", "start", "wijken", "n_wijken", "n_vergelijking", "periods_before", "periods_after",
    "rate_ratio", "low95", "high95", "p_value", "pretrend_ratio", "pretrend_low95", "pretrend_high95",
    "pretrend_p", "dispersion", "verdict", "caveats",
]


@dataclass(frozen=True)
class Intervention:
    """A named intervention: the wijken it ran in, its first year, and optional comparison wijken
    (empty: the other wijken of the same regio(s)) and indicators (empty: all)."""

    name: str
    wijken: tuple[str, ...]
    start: int
    comparison: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    description: str = field(default="", compare=False)


@dataclass(frozen=True)
class _Fit:
    log_ratio: float
    se: float
    alpha: float


def _fe_design(area: np.ndarray, period: np.ndarray, extra: list[np.ndarray]) -> np.ndarray:
    """Constant, area and period dummies (first level dropped), then the ``extra`` columns."""
    areas, a_idx = np.unique(area, return_inverse=True)
    periods, p_idx = np.unique(period, return_inverse=True)
    cols = [np.ones(len(area))]
    cols += [(a_idx == k).astype(float) for k in range(1, len(areas))]
    cols += [(p_idx == k).astype(float) for k in range(1, len(periods))]
    return np.column_stack(cols + extra)


def _fit_last(low, high, exog, offset, weight, rvar) -> _Fit | None:
    """Fit Poisson, estimate the NB2 dispersion from its residuals, refit; the last coefficient."""
    p = exog.shape[1]
    if weight.sum() <= p + 1:
        return None
    mid = (low + high) / 2
    exact = weight.astype(bool) & np.isfinite(high) & (high - low <= 4)
    pois = fit_censored_nb(low[None], high[None], exog, offset[None], alpha=0.0, weight=weight[None])
    mu = pois.mu[0]
    used = int(weight.sum())
    num = (((mid - mu) ** 2) * used / (used - p) - mu - rvar)[exact].sum()
    den = (mu ** 2)[exact].sum()
    alpha = float(max(num / den, 0.0)) if den > 0 else 0.0
    fit = fit_censored_nb(low[None], high[None], exog, offset[None], alpha=alpha, weight=weight[None])
    se = float(np.sqrt(fit.cov[0, -1, -1]))
    if not (fit.converged[0] and np.isfinite(se)):
        return None
    return _Fit(float(fit.params[0, -1]), se, alpha)


def did_effect(cells: pd.DataFrame, treated: set[str], start: int) -> dict[str, float | int | None]:
    """Difference-in-differences rate ratio for one indicator.

    Parameters
    ----------
    cells : wijk rows of one indicator over the periods (intervention and comparison wijken only):
        ``code``, ``period``, ``low``, ``high``, ``informative``, ``denominator``, ``rounding_base``.
    treated : codes of the intervention wijken.
    start : first period in which the intervention ran.

    Returns
    -------
    Dict: ``rate_ratio``, ``low95``, ``high95``, ``p_value`` (Wald, ratio 1), ``pretrend_ratio`` (yearly
    ratio of the intervention wijken' trend to the comparison trend before the start) with
    ``pretrend_low95``/``pretrend_high95``/``pretrend_p`` (NA with fewer than 2 periods before),
    ``dispersion`` (NB2 alpha estimated from the data), ``periods_before``, ``periods_after``.

    Notes
    -----
    log mu_it = a_i + g_t + d · treated_i · [t ≥ start] + log denominator_it; y_it ~ NB2(mu_it, alpha),
    interval-censored (published values as their rounding interval, hidden cells as their public
    interval). alpha from the Poisson fit's residuals (moment estimate, corrected for the fitted
    parameters), then the NB2 refit; standard errors by Louis' formula. Pre-trend check: the same
    model on the periods before the start with d replaced by a slope treated_i · (t − start).
    """
    rows = cells[cells["denominator"].notna() & (cells["denominator"].astype(float) > 0)]
    rows = rows[rows["informative"].astype(bool)]
    # An area needs a cell that excludes 0 before and after the start: an area whose cells all allow 0
    # (hidden below the threshold) would push its own effect to minus infinity and carries no contrast.
    positive = rows["low"].astype(float) > 0
    after = rows["period"] >= start
    keep = positive.groupby(rows["code"]).transform("any") & (positive & after).groupby(rows["code"]).transform(
        "any") & (positive & ~after).groupby(rows["code"]).transform("any")
    rows = rows[keep].sort_values(["code", "period"], kind="stable")
    out: dict[str, float | int | None] = {k: None for k in (
        "rate_ratio", "low95", "high95", "p_value", "pretrend_ratio", "pretrend_low95", "pretrend_high95",
        "pretrend_p", "dispersion")}
    periods = sorted(int(p) for p in rows["period"].unique())
    before = sum(p < start for p in periods)
    out["periods_before"] = before
    out["periods_after"] = sum(p >= start for p in periods)
    is_t = rows["code"].isin(treated).to_numpy()
    post = (rows["period"].to_numpy() >= start)
    if not ((is_t & post).any() and (is_t & ~post).any() and (~is_t & post).any() and (~is_t & ~post).any()):
        return out
    low = rows["low"].to_numpy(dtype=float)
    high = rows["high"].to_numpy(dtype=float)
    offset = np.log(rows["denominator"].to_numpy(dtype=float))
    base = rows["rounding_base"].astype("Float64").fillna(1.0).to_numpy(dtype=float)
    rvar = (base ** 2 - 1) / 12
    weight = np.ones(len(rows))
    area, period = rows["code"].to_numpy(), rows["period"].to_numpy()
    fit = _fit_last(low, high, _fe_design(area, period, [(is_t & post).astype(float)]), offset, weight, rvar)
    if fit is not None:
        out.update(rate_ratio=float(np.exp(fit.log_ratio)), low95=float(np.exp(fit.log_ratio - _Z * fit.se)),
                   high95=float(np.exp(fit.log_ratio + _Z * fit.se)),
                   p_value=float(2 * stats.norm.sf(abs(fit.log_ratio / fit.se))), dispersion=fit.alpha)
    pre = ~post
    if before >= 2 and (is_t & pre).any() and (~is_t & pre).any():
        slope = (is_t[pre] * (period[pre] - start)).astype(float)
        pf = _fit_last(low[pre], high[pre], _fe_design(area[pre], period[pre], [slope]), offset[pre], weight[pre],
                       rvar[pre])
        if pf is not None and np.isfinite(pf.se) and pf.se < 10:
            out.update(
                pretrend_ratio=float(np.exp(pf.log_ratio)),
                pretrend_low95=float(np.exp(pf.log_ratio - _Z * pf.se)),
                pretrend_high95=float(np.exp(pf.log_ratio + _Z * pf.se)),
                pretrend_p=float(2 * stats.norm.sf(abs(pf.log_ratio / pf.se))),
            )
    return out


def _pct(ratio: float) -> str:
    return f"{100 * (ratio - 1):+.0f}%".replace("-", "−")


def _verdict(name: str, indicator: str, r: dict, n_treated: int) -> tuple[str, str]:
    label = f"het cijfer '{INDICATORS[indicator].label if indicator in INDICATORS else indicator}'"
    caveats = ["samenhang in de tijd, geen bewijs van oorzaak: andere veranderingen in dezelfde jaren kunnen meespelen"]
    if indicator in ("meldingen", "hermeldingen"):
        caveats.append("meer meldingen kan ook betekenen dat de aanpak zichtbaar maakt wat er al was")
    if r["rate_ratio"] is None:
        return (f"Niet te bepalen voor {name}: te weinig gepubliceerde cijfers vóór en na de start.",
                "; ".join(caveats))
    if r["pretrend_p"] is None:
        caveats.append("minder dan twee jaar vóór de start: of de trends vooraf gelijk liepen is niet te toetsen")
    elif r["pretrend_p"] < 0.05:
        caveats.append(f"de trends liepen vóór de start al uiteen (p = {r['pretrend_p']:.2f}): "
                       "het verschil kan daar al vandaan komen")
    if n_treated < 3:
        caveats.append("weinig interventiewijken: het interval is breed en één wijk weegt zwaar")
    interval = f"95%-interval {_pct(r['low95'])} tot {_pct(r['high95'])}"
    if r["high95"] < 1:
        text = (f"Na de start van {name} lag {label} in de interventiewijken duidelijk lager dan op grond van de "
                f"vergelijkingswijken te verwachten was: {_pct(r['rate_ratio'])} ({interval}).")
    elif r["low95"] > 1:
        text = (f"Na de start van {name} lag {label} in de interventiewijken duidelijk hoger dan op grond van de "
                f"vergelijkingswijken te verwachten was: {_pct(r['rate_ratio'])} ({interval}).")
    else:
        text = (f"Geen duidelijk verschil na de start van {name}: {label} veranderde in de interventiewijken niet "
                f"aantoonbaar anders dan in de vergelijkingswijken ({_pct(r['rate_ratio'])}, {interval}).")
    return text, "; ".join(caveats)


def intervention_effects(cells: pd.DataFrame, interventions: list[Intervention]) -> pd.DataFrame:
    """Difference-in-differences per intervention and indicator, with a pre-trend check and a verdict.

    Parameters
    ----------
    cells : public wijk cells (see :func:`did_effect`) with ``level``, ``regio`` and ``indicator``.
    interventions : what the policy officer described.

    Returns
    -------
    DataFrame with :data:`EFFECT_COLUMNS`, in the order of ``interventions`` and then the indicator
    registry: ``wijken`` (the intervention wijken, comma-separated), ``rate_ratio`` (after/before in the
    intervention wijken relative to the comparison wijken) with 95% interval and ``p_value``; pre-trend
    yearly ratio, interval and ``pretrend_p``; ``verdict`` (plain Dutch) and ``caveats`` (Dutch, ``; ``-separated).
    """
    wijken = cells[cells["level"].eq("wijk")]
    regio_of = wijken.drop_duplicates("code").set_index("code")["regio"]
    known = set(regio_of.index)
    rows = []
    for iv in interventions:
        treated = set(iv.wijken) & known
        if iv.comparison:
            comparison = set(iv.comparison) & known - treated
        else:
            regios = set(regio_of.reindex(sorted(treated)).dropna())
            comparison = set(regio_of[regio_of.isin(regios)].index) - treated
        names = [n for n in INDICATORS if n in set(wijken["indicator"]) and (not iv.indicators or n in iv.indicators)]
        for name in names:
            part = wijken[wijken["indicator"].eq(name) & wijken["code"].isin(treated | comparison)]
            r = did_effect(part, treated, iv.start)
            verdict, caveats = _verdict(iv.name, name, r, len(treated))
            rows.append({"interventie": iv.name, "indicator": name, "start": iv.start,
                         "wijken": ",".join(sorted(treated)), "n_wijken": len(treated),
                         "n_vergelijking": len(comparison), **r, "verdict": verdict, "caveats": caveats})
    out = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    for col in ("rate_ratio", "low95", "high95", "p_value", "pretrend_ratio", "pretrend_low95", "pretrend_high95",
                "pretrend_p", "dispersion"):
        out[col] = out[col].astype("Float64")
    for col in ("start", "n_wijken", "n_vergelijking", "periods_before", "periods_after"):
        out[col] = out[col].astype("Int64")
    return out
