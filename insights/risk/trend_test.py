"""Trend per area and indicator over the last periods, from public count intervals only.

Fingertips-style markers ("stijgend", "dalend", "geen duidelijke verandering", "onvoldoende gegevens")
from a negative-binomial log-linear regression of the counts on the year with the denominator as
offset. The year-to-year extra-Poisson variation is estimated from the data (pooled per level and
indicator), so a marker is not raised by ordinary year-to-year wobble.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from insights.risk.censored_nb import conditional_moments, fit_censored_nb

__all__ = ["DECREASING", "INCREASING", "MARKERS", "NO_CHANGE", "TOO_LITTLE", "TREND_COLUMNS",
           "estimate_dispersion", "trend_markers"]

INCREASING = "stijgend"
DECREASING = "dalend"
NO_CHANGE = "geen duidelijke verandering"
TOO_LITTLE = "onvoldoende gegevens"
MARKERS = (INCREASING, DECREASING, NO_CHANGE, TOO_LITTLE)
_Z = float(stats.norm.isf(0.025))
#: Series at a level needed to estimate its own dispersion; fewer borrow the largest of the other levels.
MIN_SERIES_FOR_DISPERSION = 10
#: Only series whose every cell is at least this count inform the dispersion: near the threshold the
#: published series are a selection (the low years are hidden), which would understate the variation.
MIN_COUNT_FOR_DISPERSION = 30

TREND_COLUMNS = [
    "code", "level", "indicator", "first_period", "last_period", "n_periods", "apc", "apc_low95", "apc_high95",
    "p_value", "marker", "dispersion", "dispersion_source", "previous_period", "change_ratio", "change_low95",
    "change_high95",
]


def estimate_dispersion(low: np.ndarray, high: np.ndarray, denominator: np.ndarray, used: np.ndarray,
                        rounding_var: np.ndarray) -> tuple[float, int]:
    """Moment estimate of the NB2 dispersion alpha from fully published series (pooled).

    Parameters
    ----------
    low, high : (n, t) count intervals; a series counts only when every used cell has a finite interval
        no wider than its rounding (a published value) and at least :data:`MIN_COUNT_FOR_DISPERSION`.
    denominator : (n, t) exposures.
    used : (n, t) bool, cells in the series.
    rounding_var : (n, t) variance the rounding adds ((b² − 1) / 12 for base b).

    Returns
    -------
    ``(alpha, n_series)``: alpha ≥ 0 such that Var y ≈ mu + alpha mu² beyond Poisson and rounding noise
    around each series' own log-linear trend; ``n_series`` the number of series it rests on.

    Notes
    -----
    Residuals of a Poisson log-linear fit per series, corrected for the two fitted parameters by the
    factor t / (t − 2): e = (y − mu)² t/(t − 2) − mu − r estimates alpha mu². First alpha₀ = Σe / Σmu², then
    alpha = Σ w e/mu² / Σ w with w = (1/mu + alpha₀)⁻² (inverse-variance weights: big areas do not
    dominate). For a log-normal year effect with SD s, alpha ≈ exp(s²) − 1 (s = 0.08 gives 0.0064).
    """
    mid = (low + high) / 2
    full = (used.sum(1) >= 3) & np.all(~used | (np.isfinite(high) & (high - low <= 4 * np.sqrt(rounding_var) + 1)
                                                 & (low >= MIN_COUNT_FOR_DISPERSION)), axis=1)
    if not full.any():
        return 0.0, 0
    i = np.flatnonzero(full)
    t = np.arange(low.shape[1], dtype=float)
    exog = np.column_stack([np.ones_like(t), t - t.mean()])
    fit = fit_censored_nb(mid[i], mid[i], exog, np.log(np.where(used[i], denominator[i], 1.0)), alpha=0.0,
                          weight=used[i].astype(float))
    k = used[i].sum(1, keepdims=True)
    resid2 = (mid[i] - fit.mu) ** 2 * k / np.maximum(k - 2, 1)
    excess = np.where(used[i], resid2 - fit.mu - rounding_var[i], 0.0)
    mu2 = np.where(used[i], fit.mu ** 2, 0.0)
    if mu2.sum() <= 0:
        return 0.0, len(i)
    alpha = max(excess.sum() / mu2.sum(), 0.0)
    # Second pass with (approximately) inverse-variance weights per cell: Var(excess / mu²) ∝ (1/mu + alpha)²,
    # so large series count equally instead of dominating by mu² (areas of very different sizes).
    with np.errstate(divide="ignore"):
        w = np.where(used[i], 1.0 / (1.0 / np.maximum(fit.mu, 1e-9) + max(alpha, 1e-4)) ** 2, 0.0)
        ratio = np.where(used[i], excess / np.maximum(mu2, 1e-300), 0.0)
    return float(max((w * ratio).sum() / w.sum(), 0.0)), len(i)


def _score_p(low, high, exog, offset, alpha, used, dof) -> np.ndarray:
    """Two-sided p-value of the score test of no trend (slope 0), censoring-aware (Louis information)."""
    null = fit_censored_nb(low, high, exog[:, :1], offset, alpha=alpha, weight=used.astype(float))
    mu = null.mu
    t = exog[:, 1]
    n = len(low)
    flat = conditional_moments(low.ravel(), high.ravel(), mu.ravel(), alpha)
    ey, vy = flat[0].reshape(n, -1), flat[1].reshape(n, -1)
    w = used.astype(float)
    u = (w * t * (ey - mu) / (1 + alpha * mu)).sum(1)
    info_w = w * (mu / (1 + alpha * mu) - vy / (1 + alpha * mu) ** 2)
    # information for the slope, adjusted for the intercept (efficient score)
    i_tt = (info_w * t * t).sum(1) - (info_w * t).sum(1) ** 2 / np.maximum(info_w.sum(1), 1e-300)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = u / np.sqrt(i_tt)
    return 2 * stats.t.sf(np.abs(z), dof) if np.isfinite(dof) else 2 * stats.norm.sf(np.abs(z))


def trend_markers(
    cells: pd.DataFrame,
    *,
    window: int = 5,
    min_periods: int = 3,
    level_order: tuple[str, ...] = ("wijk", "gemeente", "regio", "nederland"),
) -> pd.DataFrame:
    """Annual percentage change with 95% interval and a Dutch marker per area and indicator.

    Parameters
    ----------
    cells : one row per (code, period, indicator): ``code``, ``level``, ``period`` (year), ``indicator``,
        ``low``/``high`` (the public interval of the true count; ``high`` may be ``inf``), ``informative``
        (bool: False when the cell says nothing), ``value`` (published rounded count, NA when hidden),
        ``denominator`` (count, NA when unknown) and ``rounding_base``.
    window : number of most recent periods used (over all areas).
    min_periods : fewer informative periods (or fewer than 2 published) give "onvoldoende gegevens".
    level_order : levels, in the order dispersion is borrowed from when a level has too few series.

    Returns
    -------
    DataFrame ordered by ``code``, ``indicator`` (never by change), columns :data:`TREND_COLUMNS`:
    ``apc`` (annual change of the rate, %), ``apc_low95``/``apc_high95`` (Wald), ``p_value`` (score test
    of no change, two-sided), ``marker``, ``dispersion`` (alpha used) and ``dispersion_source`` (the level it was
    estimated at), ``change_ratio`` (published rate in the last period / previous period) with a 95%
    interval taking rounding (the interval corners) and the dispersion into account; NA when either cell
    is hidden.

    Notes
    -----
    Model per series: y_t ~ NB2(mu_t, alpha), log mu_t = a + b (t − t̄) + log d_t; the published value is
    the interval it stands for, a hidden cell its public interval (censored likelihood, never 0).
    Marker "stijgend"/"dalend" when the score test of b = 0 gives p < 0.05 (the score test keeps its
    level with small counts better than the Wald interval, which is reported alongside). Because alpha
    is itself estimated, both use Student's t with the residual degrees of freedom behind alpha
    (series × (periods − 2)) instead of the normal, as a quasi-likelihood F test would. alpha is estimated per level
    and indicator by :func:`estimate_dispersion`, so the test allows for year-to-year variation.
    """
    periods = sorted(int(p) for p in cells["period"].unique())[-window:]
    rows = cells[cells["period"].isin(periods)].copy()
    rows = rows[rows["denominator"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    keys = rows[["code", "indicator"]].drop_duplicates().sort_values(["code", "indicator"], kind="stable")
    index = pd.MultiIndex.from_frame(keys)
    rows["_inf"] = rows["informative"].astype(bool)
    base = rows["rounding_base"].astype("Float64").fillna(1.0).astype(float)
    rows["_rvar"] = (base ** 2 - 1) / 12
    rows["_pub"] = rows["value"].notna().astype(float)

    def wide(col: str, fill: float) -> np.ndarray:
        table = rows.pivot_table(index=["code", "indicator"], columns="period", values=col, aggfunc="first",
                                 dropna=False)
        return table.reindex(index=index, columns=periods).astype(float).fillna(fill).to_numpy()

    low, high = wide("low", 0.0), wide("high", np.inf)
    den = wide("denominator", np.nan)
    rows["_inf_f"] = rows["_inf"].astype(float)
    used = (wide("_inf_f", 0.0) > 0) & np.isfinite(den) & (den > 0)
    published = (wide("_pub", 0.0) > 0) & used
    rvar = wide("_rvar", 0.0)
    level = keys["code"].map(rows.drop_duplicates("code").set_index("code")["level"]).to_numpy()
    indicator = keys["indicator"].to_numpy()
    n_used = used.sum(1)
    enough = (n_used >= min_periods) & (published.sum(1) >= 2)

    alpha = np.zeros(len(keys))
    dof = np.full(len(keys), np.inf)  # residual degrees of freedom behind alpha (inf: none estimated)
    source = np.empty(len(keys), dtype=object)
    for name in np.unique(indicator):
        own: dict[str, tuple[float, int]] = {}
        for lvl in level_order:
            sel = (indicator == name) & (level == lvl)
            if sel.any():
                own[lvl] = estimate_dispersion(low[sel], high[sel], den[sel], used[sel], rvar[sel])
        reliable = {k: v for k, v in own.items() if v[1] >= MIN_SERIES_FOR_DISPERSION}
        fallback = max(reliable.items(), key=lambda kv: kv[1][0]) if reliable else (None, (0.0, 0))
        for lvl in own:
            sel = (indicator == name) & (level == lvl)
            lvl_src, (a_hat, n_series) = (lvl, reliable[lvl]) if lvl in reliable else fallback
            alpha[sel], source[sel] = a_hat, lvl_src or "geen (Poisson)"
            dof[sel] = n_series * (len(periods) - 2) if lvl_src else np.inf

    t = np.asarray(periods, dtype=float)
    exog = np.column_stack([np.ones_like(t), t - t.mean()])
    apc = np.full(len(keys), np.nan)
    lo95, hi95, pval = apc.copy(), apc.copy(), apc.copy()
    safe_low = np.where(used, low, 0.0)
    safe_high = np.where(used, high, 0.0)
    offset = np.log(np.where(used, den, 1.0))
    for a, df in {(float(a), float(d)) for a, d in zip(alpha, dof)}:
        sel = np.flatnonzero(enough & (alpha == a) & (dof == df))
        if not len(sel):
            continue
        fit = fit_censored_nb(safe_low[sel], safe_high[sel], exog, offset[sel], alpha=float(a),
                              weight=used[sel].astype(float))
        b, se = fit.params[:, 1], np.sqrt(fit.cov[:, 1, 1])
        good = fit.converged & np.isfinite(se)
        crit = float(stats.t.isf(0.025, df)) if np.isfinite(df) else _Z
        apc[sel[good]] = 100 * np.expm1(b[good])
        lo95[sel[good]] = 100 * np.expm1(b[good] - crit * se[good])
        hi95[sel[good]] = 100 * np.expm1(b[good] + crit * se[good])
        pval[sel[good]] = _score_p(safe_low[sel], safe_high[sel], exog, offset[sel], float(a), used[sel], df)[good]
    clear = np.isfinite(pval) & (pval < 0.05)
    marker = np.where(~np.isfinite(apc), TOO_LITTLE,
                      np.where(clear & (apc > 0), INCREASING, np.where(clear & (apc < 0), DECREASING, NO_CHANGE)))

    ratio, c_lo, c_hi = (np.full(len(keys), np.nan) for _ in range(3))
    if len(periods) >= 2:
        both = published[:, -1] & published[:, -2]
        d1, d2 = den[:, -2], den[:, -1]
        v1, v2 = (low[:, -2] + high[:, -2]) / 2, (low[:, -1] + high[:, -1]) / 2
        l1, h1 = np.maximum(low[:, -2], 0.5), high[:, -2]
        l2, h2 = np.maximum(low[:, -1], 0.5), high[:, -1]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(both, (v2 / d2) / (v1 / d1), np.nan)
            c_lo = np.where(both, np.exp(np.log((l2 / d2) / (h1 / d1)) - _Z * np.sqrt(1 / l2 + 1 / h1 + 2 * alpha)),
                            np.nan)
            c_hi = np.where(both, np.exp(np.log((h2 / d2) / (l1 / d1)) + _Z * np.sqrt(1 / h2 + 1 / l1 + 2 * alpha)),
                            np.nan)
    out = pd.DataFrame({
        "code": keys["code"].to_numpy(), "level": level, "indicator": indicator,
        "first_period": periods[0], "last_period": periods[-1], "n_periods": n_used.astype(np.int64),
        "apc": apc, "apc_low95": lo95, "apc_high95": hi95, "p_value": pval, "marker": marker,
        "dispersion": alpha, "dispersion_source": source,
        "previous_period": periods[-2] if len(periods) >= 2 else pd.NA,
        "change_ratio": ratio, "change_low95": c_lo, "change_high95": c_hi,
    })
    for col in ("apc", "apc_low95", "apc_high95", "p_value", "change_ratio", "change_low95", "change_high95"):
        out[col] = out[col].astype("Float64")
    out["previous_period"] = out["previous_period"].astype("Int64")
    return out[TREND_COLUMNS].reset_index(drop=True)
