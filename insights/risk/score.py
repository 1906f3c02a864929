"""Scores per area from protected (published) figures only."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from insights.disclosure.primary import Status
from insights.risk.censoring import count_interval
from insights.risk.expected import expected_counts, reference_rates
from insights.risk.funnel import funnel_flags
from insights.risk.poisson_gamma import fit_gamma_prior, gamma_posterior
from insights.risk.signal import REFERENCE, signal_category
from insights.risk.smr import standardised_ratio

__all__ = ["PRIOR_COLUMNS", "SCORE_COLUMNS", "score"]

_KEY = ["code", "period", "indicator"]
_POSTERIOR = ["rr", "rr_low90", "rr_high90", "rr_low95", "rr_high95", "p_exceed", "shrinkage"]
#: Columns of :func:`score`'s result, in order.
SCORE_COLUMNS = [*_KEY, "expected", "smr", "smr_low", "smr_high", *_POSTERIOR, "funnel", "signal"]
#: Keys of each fitted prior in ``score(...).attrs["priors"]`` (a list of dicts, one per fit).
PRIOR_COLUMNS = ["level", "period", "indicator", "regio", "n_areas", "prior_mean", "prior_shape", "shape_at_bound",
                 "hidden_weight", "loglik", "gradient"]
# Coarse to fine: the spatial prior of a wijk is its gemeente. A "nederland" row, and with
# reference="regio" every regio row, is the reference itself and is not scored.
_LEVELS = ("regio", "gemeente", "wijk")


def score(
    published: pd.DataFrame,
    *,
    reference: str = "regio",
    prior: str = "pooled",
    prior_group: str = "level",
    secondary: str = "at_least_threshold",
) -> pd.DataFrame:
    """Observed/expected and empirical-Bayes relative risk per area, period and indicator.

    Parameters
    ----------
    published : the public projection of the protected cells, one row per (code, period,
        indicator) over the levels ``wijk``, ``gemeente`` and ``regio``: ``code``, ``level``,
        ``gemeente``, ``regio``, ``period``, ``indicator``, ``value`` (Int64 rounded count, NA when
        hidden), ``status``, ``denominator`` (count), ``min_count`` and ``rounding_base``. It must
        not hold raw counts.
    reference : where the reference rate comes from: ``"regio"`` (the area's veiligheidsregio) or
        ``"nederland"`` (all published regio totals); see :func:`insights.risk.expected.reference_rates`.
    prior : ``"pooled"`` (one Gamma prior mean per level, period and indicator, fitted) or
        ``"gemeente"`` (spatial variant: a wijk's prior mean is its gemeente's smoothed relative
        risk; only the prior shape is fitted).
    prior_group : the reference areas a prior is fitted on: ``"level"`` (all areas of the same
        level, period and indicator in the frame) or ``"regio"`` (those of the same regio too,
        falling back to the level when a regio has fewer than 3 informative areas).
    secondary : how a ``secundair`` cell is read, see :func:`insights.risk.censoring.count_interval`.

    Returns
    -------
    One row per input row, in input order (never sorted by score), columns :data:`SCORE_COLUMNS`:
    ``expected`` (count), ``smr``/``smr_low``/``smr_high`` (published value / E with a 95% exact
    Poisson interval widened for rounding; NA when hidden), ``rr`` (posterior mean relative risk),
    ``rr_low90``/``rr_high90``/``rr_low95``/``rr_high95`` (central posterior intervals),
    ``p_exceed`` = P(RR > 1), ``shrinkage`` = E / (E + β), ``funnel`` (flag against the 95%/99.8%
    overdispersion-adjusted funnel) and ``signal`` (Dutch text, from the 95% interval as printed:
    :func:`insights.risk.signal.signal_category`). ``attrs["priors"]`` lists the fitted priors
    (:data:`PRIOR_COLUMNS`: shape, mean, ``shape_at_bound``, the hidden-cell weight q, convergence).
    The posterior columns are NA where
    no expected count exists; a hidden cell is scored from its interval of possible counts, never
    as 0, and a cell that says nothing about its count gets the prior and the signal
    "beschermd: te weinig waarnemingen". The reference areas themselves (a ``nederland`` row; regio
    rows when ``reference="regio"``) get no posterior and the signal "referentiegebied: …".

    Notes
    -----
    Every number follows from published figures: the reference rate is a published (rounded) regio
    total over its denominator. Model: Poisson–Gamma empirical Bayes with interval-censored
    likelihood (:mod:`insights.risk.poisson_gamma`). Every ``beschermd`` cell is read by the same
    public rule (:func:`insights.risk.poisson_gamma.censored_loglik`): below its threshold, or with
    weight q at or above it, q set from the published parent totals (what a gemeente's total leaves for
    its hidden wijken). Funnel overdispersion comes from published cells with E well above T.
    """
    if "count" in published.columns:
        raise ValueError("score() takes published figures only; drop the raw 'count' column first")
    if prior not in ("pooled", "gemeente"):
        raise ValueError(f"prior must be 'pooled' or 'gemeente', got {prior!r}")
    if prior_group not in ("level", "regio"):
        raise ValueError(f"prior_group must be 'level' or 'regio', got {prior_group!r}")
    missing = {"code", "level", "regio", "period", "indicator", "value", "status", "denominator",
               "min_count", "rounding_base"} - set(published.columns)
    if prior == "gemeente":
        missing |= {"gemeente"} - set(published.columns)
    if missing:
        raise ValueError(f"published frame lacks column(s) {sorted(missing)}")

    frame = published.reset_index(drop=True)
    rate = reference_rates(frame, reference)
    expected = expected_counts(frame["denominator"], rate)

    parts = []
    for base, rows in frame.groupby(frame["rounding_base"].fillna(1), sort=True):
        parts.append(standardised_ratio(rows["value"], expected[rows.index], rounding_base=int(base)))
    ratios = pd.concat(parts).reindex(frame.index) if parts else pd.DataFrame(index=frame.index)

    bounds = count_interval(frame["value"], frame["status"], frame["min_count"], frame["rounding_base"],
                            secondary=secondary, audit_low=frame.get("audit_low"), audit_high=frame.get("audit_high"))
    e = expected.to_numpy(dtype=float, na_value=np.nan)
    scorable = np.isfinite(e) & (e > 0)
    post = pd.DataFrame(np.nan, index=frame.index, columns=_POSTERIOR)
    funnel = pd.Series("onbekend", index=frame.index, dtype="object")

    published_cell = frame["status"].eq(Status.published).to_numpy()
    priors = []
    levels = _LEVELS if reference == "nederland" else _LEVELS[1:]
    for level in levels:
        at_level = frame["level"].eq(level).to_numpy() & scorable
        for (period, indicator), group in frame[at_level].groupby(["period", "indicator"], sort=False):
            # Fit in code order so the result does not depend on the input's row order.
            group = group.sort_values("code", kind="stable")
            idx = group.index.to_numpy()
            mean = None
            if prior == "gemeente" and level == "wijk":
                mean = _gemeente_prior_mean(frame, post, group)
            subgroups = [idx] if prior_group == "level" else [
                g.index.to_numpy() for _, g in group.groupby("regio", sort=False)]
            pooled = None

            def residual(rows: np.ndarray, level: str = level, period=period, indicator=indicator):
                return _hidden_residual(frame, rows, level, period, indicator)

            for sub in subgroups:
                sub_mean = None if mean is None else mean.loc[sub].to_numpy()
                fit = _fit(bounds.loc[sub], e[sub], sub_mean, published_cell[sub], *residual(sub))
                if fit is None:  # too few informative areas in this regio: use the level's prior
                    if pooled is None:
                        pooled = _fit(bounds.loc[idx], e[idx], None if mean is None else mean.loc[idx].to_numpy(),
                                      published_cell[idx], *residual(idx))
                    fit = pooled
                    if fit is None:
                        continue
                priors.append(_prior_row(level, period, indicator, fit, sub, frame))
                m = np.asarray(fit.mean if sub_mean is None else sub_mean, dtype=float)
                b = bounds.loc[sub]
                result = gamma_posterior(b["low"], b["high"], e[sub], fit.alpha, fit.alpha / m,
                                         split=b["split"], hidden_weight=fit.hidden_weight,
                                         shape_grid=fit.shape_grid)
                post.loc[sub, _POSTERIOR] = result[_POSTERIOR].to_numpy()
            # Funnel limits widen for the overdispersion of published cells large enough that the
            # threshold hardly truncates them (P(Y < T | E) < 1% under the reference rate).
            b = bounds.loc[idx]
            t = frame.loc[idx, "min_count"].astype("Float64").fillna(0).to_numpy(dtype=float)
            clear = published_cell[idx] & (stats.poisson.cdf(t - 1, e[idx]) < 0.01)
            flags = funnel_flags(b["low"], b["high"], e[idx], dispersion_from=clear)
            funnel.loc[idx] = flags["funnel"].to_numpy()

    informative = bounds["informative"] & pd.Series(scorable, index=frame.index) & post["p_exceed"].notna()
    signal = signal_category(post["rr_low95"], post["rr_high95"], informative)
    is_reference = frame["level"].eq("nederland") | (frame["level"].eq("regio") & (reference == "regio"))
    signal[is_reference.to_numpy()] = REFERENCE
    out = pd.concat([frame[_KEY], expected, ratios, post.astype("Float64"), funnel.rename("funnel"), signal], axis=1)
    out = out[SCORE_COLUMNS]
    out.index = published.index
    out.attrs["priors"] = [dict(zip(PRIOR_COLUMNS, row, strict=True)) for row in priors]
    return out


def _fit(bounds: pd.DataFrame, e, mean, exposed, hidden_total, in_total):
    try:
        return fit_gamma_prior(bounds["low"], bounds["high"], e, prior_mean=mean, split=bounds["split"],
                               exposed=exposed, hidden_total=hidden_total, in_total=in_total)
    except ValueError:
        return None


_PARENT = {"wijk": ("gemeente", "gemeente"), "gemeente": ("regio", "regio")}


def _hidden_residual(frame: pd.DataFrame, rows: np.ndarray, level: str, period, indicator):
    """What the published figures say the hidden cells among ``rows`` sum to: per parent with a
    published total whose hidden children are all ``beschermd`` rows of this fit, the total minus its
    published children (≥ 0), summed; and which rows lie under such a parent. ``(None, None)`` above
    gemeente level."""
    if level not in _PARENT:
        return None, None
    parent_level, column = _PARENT[level]
    parents = frame[frame["level"].eq(parent_level) & frame["period"].eq(period) & frame["indicator"].eq(indicator)]
    total = parents.set_index(parents["code"].astype("object"))["value"].astype("Float64")
    total = total[~total.index.duplicated()].dropna()
    children = frame[frame["level"].eq(level) & frame["period"].eq(period) & frame["indicator"].eq(indicator)]
    key = children[column].astype("object")
    hidden = children["status"].eq(Status.protected)
    known = key.isin(total.index)
    shown = children["value"].astype("Float64").where(children["status"].eq(Status.published), 0).fillna(0)
    residual = (total - shown[known].groupby(key[known]).sum()).clip(lower=0)
    # A parent counts only when every child it hides is a beschermd cell being fitted here: a child
    # hidden for another reason (secret, few households) or without an expected count is in the
    # residual but not in the fit.
    unfitted = children["status"].ne(Status.published) & ~(hidden & children.index.isin(rows))
    spoilt = set(key[unfitted])
    with_hidden = [k for k in key[known & hidden].unique() if k not in spoilt]
    hidden_total = float(residual.reindex(with_hidden).fillna(0).sum())
    covered = frame.loc[rows, "status"].eq(Status.protected) & frame.loc[rows, column].astype("object").isin(
        with_hidden)
    return hidden_total, covered.to_numpy()


def _prior_row(level, period, indicator, fit, sub, frame) -> tuple:
    regios = frame.loc[sub, "regio"].dropna().unique()
    # Plain Python values: the table travels as JSON (parquet metadata, model card).
    return (str(level), int(period), str(indicator), str(regios[0]) if len(regios) == 1 else None, int(fit.n_areas),
            float(np.mean(fit.mean)), float(fit.alpha), bool(fit.shape_at_bound), float(fit.hidden_weight),
            float(fit.loglik), float(fit.gradient))


def _gemeente_prior_mean(frame: pd.DataFrame, post: pd.DataFrame, wijken: pd.DataFrame) -> pd.Series:
    """Prior mean of each wijk: the smoothed RR of its gemeente (already scored), else 1."""
    period, indicator = wijken["period"].iloc[0], wijken["indicator"].iloc[0]
    gm = frame[frame["level"].eq("gemeente") & frame["period"].eq(period) & frame["indicator"].eq(indicator)]
    rr = post.loc[gm.index, "rr"].set_axis(gm["code"].astype("object").to_numpy())
    rr = rr[~rr.index.duplicated()]
    mean = wijken["gemeente"].astype("object").map(rr).astype(float)
    return mean.where(np.isfinite(mean) & (mean > 0), 1.0)
