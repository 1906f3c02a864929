"""Repeat reports (hermeldingen) as a share of reports (meldingen): beta-binomial per area."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from insights.labels import HIDDEN_LABEL
from insights.risk.censoring import count_interval
from insights.risk.signal import signal_category

__all__ = ["repeat_share"]

_TOO_FEW = "te weinig meldingen"


def _log_betabinom(y, n, a, b):
    return (special.gammaln(n + 1) - special.gammaln(y + 1) - special.gammaln(n - y + 1)
            + special.betaln(y + a, n - y + b) - special.betaln(a, b))


def repeat_share(
    published: pd.DataFrame,
    *,
    levels: tuple[str, ...] = ("gemeente", "regio"),
    min_reports: int = 20,
    repeat: str = "hermeldingen",
    reference: pd.Series | None = None,
) -> pd.DataFrame:
    """Share of Veilig Thuis reports that are repeat reports, smoothed per gemeente and regio.

    Parameters
    ----------
    published : published frame holding ``repeat`` cells whose ``denominator`` is the published
        number of reports (meldingen) of the same area and period.
    levels : levels reported (repeat shares of single wijken are too thin to show).
    min_reports : an area needs at least this many published reports to get a share ("where
        counts allow").
    repeat : name of the repeat-report indicator.
    reference : optional share to compare with, indexed by (regio code, period) (e.g. the regio's
        published hermeldingen / meldingen); gives ``p_exceed`` and ``signal``.

    Returns
    -------
    DataFrame ordered by ``level``, ``code``, ``period``: ``reports`` (n, published meldingen),
    ``repeats_band_low``/``repeats_band_high`` (interval of repeat counts allowed), ``share_published``
    (published repeats / n), ``share`` (posterior mean), ``share_low90``, ``share_high90``,
    ``share_low95``, ``share_high95``, ``prior_mean`` (fitted mean share a / (a + b)),
    ``shrinkage`` = n / (n + a + b), ``share_status`` (``"ok"``, "te weinig meldingen" or
    "beschermd: te weinig waarnemingen"), and with ``reference``: ``reference_share``, ``p_exceed``
    (posterior P(share > reference share)) and ``signal`` (the categories of
    :func:`insights.risk.signal.signal_category`).

    Notes
    -----
    y_i ~ Binomial(n_i, p_i), p_i ~ Beta(a, b): marginally beta-binomial. (a, b) are fitted by
    maximum likelihood per level and period across the areas that qualify; hidden or rounded repeat
    counts enter as intervals (columns ``low``/``high``/``informative`` of ``published`` when present,
    e.g. from :func:`insights.risk.public_interval.public_count_interval`, else read from the status)
    (a rounded value v as [v−2, v+2] ∩ [0, n]), never as 0, and the
    posterior is the matching mixture of Beta(a + y, b + n − y). The number of reports n is itself
    a rounded published figure and is taken as exact (its rounding moves a share by ≤ 2/n).
    CBS reports about 38% of reports nationally are repeat reports.

    References
    ----------
    Skellam, J. G. (1948). A probability distribution derived from the binomial distribution by
    regarding the probability of success as variable between the sets of trials. JRSS B 10, 257–261.
    """
    rows = published[published["indicator"].eq(repeat) & published["level"].isin(levels)]
    if {"low", "high", "informative"} <= set(rows.columns):
        bounds = rows[["low", "high", "informative"]].astype({"low": float, "high": float, "informative": bool})
    else:
        bounds = count_interval(rows["value"], rows["status"], rows["min_count"], rows["rounding_base"])
    ref = np.full(len(rows), np.nan)
    if reference is not None:
        keys = pd.MultiIndex.from_arrays([rows["regio"].astype(object), rows["period"].astype(np.int64)])
        ref = pd.Series(reference, dtype=float).reindex(keys).to_numpy(dtype=float)
    p_exceed = np.full(len(rows), np.nan)
    n = rows["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    lo = bounds["low"].to_numpy()
    hi = np.minimum(bounds["high"].to_numpy(), np.nan_to_num(n, nan=0.0))
    enough = np.isfinite(n) & (n >= min_reports)
    informative = bounds["informative"].to_numpy() & enough & (lo <= hi)
    cols = ["share", "share_low90", "share_high90", "share_low95", "share_high95", "prior_mean", "shrinkage"]
    res = pd.DataFrame(np.nan, index=rows.index, columns=cols)
    for _, g in rows.groupby(["level", "period"], sort=False):
        pos = rows.index.get_indexer(g.index)
        use = pos[informative[pos]]
        if len(use) < 3:
            continue
        a, b = _fit(lo[use], hi[use], n[use])
        for i in use:
            ys = np.arange(lo[i], hi[i] + 1)
            logw = _log_betabinom(ys, n[i], a, b)
            w = np.exp(logw - logw.max())
            w /= w.sum()
            pa, pb = a + ys, b + n[i] - ys
            mean = float((w * pa / (pa + pb)).sum())
            qs = [_quantile(q, w, pa, pb) for q in (0.05, 0.95, 0.025, 0.975)]
            res.iloc[i] = [mean, *qs, a / (a + b), n[i] / (n[i] + a + b)]
            if np.isfinite(ref[i]):
                p_exceed[i] = float((w * special.betaincc(pa, pb, ref[i])).sum())
    status = np.where(~np.isfinite(n) | ~bounds["informative"].to_numpy(), HIDDEN_LABEL,
                      np.where(~enough, _TOO_FEW, "ok"))
    status = np.where((status == "ok") & res["share"].isna().to_numpy(), _TOO_FEW, status)
    out = pd.DataFrame(
        {
            "code": rows["code"].to_numpy(),
            "level": rows["level"].to_numpy(),
            "period": rows["period"].to_numpy(),
            "reports": rows["denominator"].to_numpy(),
            "repeats_band_low": lo,
            "repeats_band_high": bounds["high"].to_numpy(),
            "share_published": rows["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan) / n,
        }
    )
    for c in cols:
        out[c] = res[c].to_numpy()
    out["share_status"] = status  # not a cell status: whether a share could be estimated
    if reference is not None:
        out["reference_share"] = ref
        out["p_exceed"] = p_exceed
        ok = (status == "ok") & np.isfinite(p_exceed)
        # the same rule as the scores: "duidelijk" only when the printed 95% interval of the share lies
        # wholly above (or below) the regio's share, i.e. the interval of share / reference excludes 1
        out["signal"] = signal_category(pd.Series(out["share_low95"] / ref), pd.Series(out["share_high95"] / ref),
                                        pd.Series(ok)).to_numpy()
    return out.sort_values(["level", "code", "period"], kind="stable").reset_index(drop=True)


def _fit(lo, hi, n):
    width = (hi - lo + 1).astype(int)
    area = np.repeat(np.arange(len(lo)), width)
    y = lo[area] + (np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width))
    starts = np.cumsum(width) - width

    def nll(p):
        a, b = np.exp(p)
        lp = _log_betabinom(y, n[area], a, b)
        peak = np.maximum.reduceat(lp, starts)
        return -float((peak + np.log(np.add.reduceat(np.exp(lp - peak[area]), starts))).sum())

    mid = (lo + hi) / 2
    m = float(np.clip(mid.sum() / n.sum(), 0.01, 0.99))
    res = optimize.minimize(nll, x0=[np.log(m * 50), np.log((1 - m) * 50)], method="Nelder-Mead",
                            bounds=[(np.log(1e-2), np.log(1e5))] * 2, options={"xatol": 1e-6, "fatol": 1e-8})
    return tuple(float(v) for v in np.exp(res.x))


def _quantile(q, w, a, b):
    if len(w) == 1:
        return float(stats.beta.ppf(q, a[0], b[0]))
    def f(x):
        return float((w * special.betainc(a, b, x)).sum()) - q
    lo, hi = float(stats.beta.ppf(q, a, b).min()), float(stats.beta.ppf(q, a, b).max())
    if hi - lo < 1e-12:
        return lo
    return float(optimize.brentq(f, lo, hi, xtol=1e-12))
