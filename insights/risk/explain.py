"""Explanation per area: the count band in words, and the non-causal composite of the area profile.
 The composite is a negative-binomial regression of reports on the debt and divorce
rates of the same areas; its per-indicator contributions β_k (x_k − x̄_k) describe association
("samenhang"), never cause.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.base.model import GenericLikelihoodModel

from insights.indicators import INDICATORS
from insights.risk.censoring import count_interval
from insights.risk.guard import check_model_inputs
from insights.risk.poisson_gamma import (
    _expand,
    _nb_logpmf,
    _nb_logsf,
    _segment_logsumexp,
)

__all__ = ["NON_CAUSAL", "CompositeModel", "composite_model", "count_band", "indicator_profile"]

NON_CAUSAL = "samenhang, geen oorzaak: de bijdragen beschrijven hoe gebieden verschillen, niet waarom"


def count_band(low: pd.Series, high: pd.Series) -> pd.Series:
    """Dutch text for the interval of true counts a published cell allows (``"18 tot en met 22"``)."""
    lo = low.to_numpy(dtype=float)
    hi = high.to_numpy(dtype=float)
    text = np.empty(len(lo), dtype=object)
    for i, (a, b) in enumerate(zip(lo, hi)):
        if a == 0 and np.isinf(b):
            text[i] = "onbekend (beschermd)"
        elif np.isinf(b):
            text[i] = f"{int(a)} of meer"
        elif a == 0:
            text[i] = f"minder dan {int(b) + 1}"
        elif a == b:
            text[i] = f"{int(a)}"
        else:
            text[i] = f"{int(a)} tot en met {int(b)}"
    return pd.Series(text, index=low.index, name="count_band", dtype="object")


def indicator_profile(published: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """One row per area, period and indicator with everything needed to read its score.

    Parameters
    ----------
    published : the published frame given to :func:`insights.risk.score.score`.
    scores : its result (same index).

    Returns
    -------
    DataFrame ordered by ``code``, ``period`` and the indicator registry order (never by score):
    ``code``, ``level``, ``period``, ``indicator``, ``label`` (Dutch), ``count_band`` (text),
    ``denominator`` (count), ``expected`` (count), ``smr``, ``rr``, ``rr_low95``, ``rr_high95`` (the
    interval the signal is read from), ``p_exceed``, ``signal``.
    """
    if not published.index.equals(scores.index):
        raise ValueError("scores must be the result of score(published): the indexes differ")
    bounds = count_interval(published["value"], published["status"], published["min_count"],
                            published["rounding_base"])
    out = pd.DataFrame({
        "code": published["code"], "level": published["level"], "period": published["period"],
        "indicator": published["indicator"],
        "label": published["indicator"].map(lambda n: INDICATORS[n].label if n in INDICATORS else n),
        "count_band": count_band(bounds["low"], bounds["high"]),
        "denominator": published["denominator"],
    })
    for col in ("expected", "smr", "rr", "rr_low95", "rr_high95", "p_exceed", "signal"):
        out[col] = scores[col]
    order = {name: i for i, name in enumerate(INDICATORS)}
    out["_o"] = out["indicator"].map(order).fillna(len(order))
    return out.sort_values(["code", "period", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)


class _IntervalNegBin(GenericLikelihoodModel):
    """NB2 regression with offset whose outcome is an interval of counts (hidden or rounded)."""

    def __init__(self, low, high, exog, offset, **kwargs):
        super().__init__(endog=np.asarray(low, dtype=float), exog=exog, extra_params_names=["log_alpha"], **kwargs)
        self.low = np.asarray(low, dtype=float)
        self.high = np.asarray(high, dtype=float)
        self.log_exposure = np.asarray(offset, dtype=float)
        finite = np.isfinite(self.high)
        self._finite = np.flatnonzero(finite)
        self._open = np.flatnonzero(~finite)
        self._support = _expand(self.low, self.high, self._finite)

    def loglikeobs(self, params):
        b, a = params[:-1], np.exp(params[-1])  # a: Gamma shape of the area effect (1 / NB2 alpha)
        mu = np.exp(self.log_exposure + self.exog @ b)
        out = np.zeros(len(mu))
        sup = self._support
        if len(sup.y):
            lp = _nb_logpmf(sup.y, a, np.full(len(sup.y), a), mu[sup.area])
            out[self._finite] = _segment_logsumexp(lp, sup.starts)
        if len(self._open):
            i = self._open
            out[i] = _nb_logsf(self.low[i] - 1, a, np.full(len(i), a), mu[i])
        return out


@dataclass(frozen=True)
class CompositeModel:
    """Result of :func:`composite_model`.

    ``coefficients``: one row per term (``const`` and each covariate rate) with ``estimate``
    (log rate ratio per unit of the covariate, a rate per 1,000), ``std_err``, ``rate_ratio``,
    ``low95``/``high95`` (for the rate ratio). ``contributions``: one row per area (ordered by code)
    with the covariate values, ``bijdrage_<k>`` = β_k (x_k − x̄_k) on the log scale, ``composite``
    = exp(Σ bijdragen) (relative to an area with average covariates) and ``label`` (non-causal).
    ``alpha``: the fitted Gamma shape of the residual area effect. ``n_areas``: areas used.
    """

    coefficients: pd.DataFrame
    contributions: pd.DataFrame
    alpha: float
    n_areas: int
    note: str = NON_CAUSAL


def composite_model(
    published: pd.DataFrame,
    *,
    outcome: str = "meldingen",
    covariates: tuple[str, ...] = ("schulden", "echtscheidingen"),
    level: str = "wijk",
    period: int | None = None,
    extra: pd.DataFrame | None = None,
) -> CompositeModel:
    """Negative-binomial regression of ``outcome`` on covariate rates, with a log-denominator offset.

    Parameters
    ----------
    published : the published frame (see :func:`insights.risk.score.score`).
    outcome : indicator modelled (a count); its ``denominator`` gives the offset log(denominator).
    covariates : indicators whose published rates (per 1,000 of their denominator) explain it.
    level : area level to fit on.
    period : year; default the latest in the frame.
    extra : optional further area covariates indexed by ``code`` (e.g. CBS kerncijfers columns).
        Every name is checked by :func:`insights.risk.guard.check_model_inputs` first.

    Returns
    -------
    :class:`CompositeModel`.

    Raises
    ------
    insights.errors.ForbiddenModelInput
        When a covariate or ``extra`` column is about origin, ethnicity, nationality or migration.

    Notes
    -----
    The outcome enters as an interval of counts (hidden below threshold: [0, T−1]; rounded:
    [v−2, v+2]), never as 0, via an interval-censored NB2 likelihood fitted with statsmodels'
    ``GenericLikelihoodModel`` (standard errors from the numerical Hessian). Covariates must be
    published: areas with a hidden covariate are left out (complete cases), and rounding of the
    covariates is ignored (a small attenuation of β). The result describes association between
    areas (ecological), not cause, and nothing about any household.

    References
    ----------
    Hilbe, J. M. (2011). Negative Binomial Regression, 2nd ed. Cambridge University Press.
    """
    extra_names = [] if extra is None else [str(c) for c in extra.columns]
    check_model_inputs([*covariates, *extra_names])
    rows = published[published["level"].eq(level)]
    if period is None:
        period = int(rows["period"].max())
    rows = rows[rows["period"].eq(period)]
    y = rows[rows["indicator"].eq(outcome)].set_index("code")
    if y.empty:
        raise ValueError(f"no {outcome!r} cells at level {level!r} in period {period}")
    bounds = count_interval(y["value"], y["status"], y["min_count"], y["rounding_base"])
    den = y["denominator"].astype("Float64")
    x = pd.DataFrame(index=y.index)
    for name in covariates:
        c = rows[rows["indicator"].eq(name)].set_index("code")
        rate = c["value"].astype("Float64") / c["denominator"].astype("Float64") * 1000
        x[f"{name}_per_1000"] = rate.reindex(y.index)
    if extra is not None:
        x = x.join(extra.reindex(y.index).astype(float))
    x = x.astype(float)
    use = (bounds["informative"] & den.notna() & (den > 0)).to_numpy() & x.notna().all(axis=1).to_numpy()
    if use.sum() < x.shape[1] + 5:
        raise ValueError(f"too few complete areas ({int(use.sum())}) for {x.shape[1]} covariates")
    xs = x[use]
    mean = xs.mean()
    names = ["const", *xs.columns]
    exog = pd.DataFrame(np.column_stack([np.ones(int(use.sum())), (xs - mean).to_numpy()]), columns=names)
    model = _IntervalNegBin(bounds.loc[use, "low"].to_numpy(), bounds.loc[use, "high"].to_numpy(), exog,
                            np.log(den[use].to_numpy(dtype=float)))
    mid = np.where(np.isfinite(bounds.loc[use, "high"]), (bounds.loc[use, "low"] + bounds.loc[use, "high"]) / 2,
                   bounds.loc[use, "low"])
    start = np.zeros(len(names) + 1)
    start[0] = np.log(mid.sum() / den[use].to_numpy(dtype=float).sum())
    start[-1] = np.log(5.0)
    fit = model.fit(start_params=start, method="bfgs", maxiter=500, disp=False)
    beta = np.asarray(fit.params)[:-1]
    se = np.sqrt(np.clip(np.diag(np.asarray(fit.cov_params()))[:-1], 0, None))
    coefficients = pd.DataFrame({
        "term": names, "estimate": beta, "std_err": se, "rate_ratio": np.exp(beta),
        "low95": np.exp(beta - 1.959964 * se), "high95": np.exp(beta + 1.959964 * se),
    })
    contrib = pd.DataFrame(index=xs.index)
    for k, name in enumerate(xs.columns, start=1):
        contrib[name] = xs[name]
        contrib[f"bijdrage_{name}"] = beta[k] * (xs[name] - mean[name])
    contrib["composite"] = np.exp(contrib.filter(like="bijdrage_").sum(axis=1))
    contrib["label"] = NON_CAUSAL
    contrib = contrib.rename_axis("code").reset_index().sort_values("code", kind="stable").reset_index(drop=True)
    contrib.insert(1, "period", period)
    return CompositeModel(
        coefficients=coefficients,
        contributions=contrib,
        alpha=float(np.exp(np.asarray(fit.params)[-1])),
        n_areas=int(use.sum()),
    )
