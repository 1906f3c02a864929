"""Calibration measures of scores against a simulated truth (for the benchmark and its CI version)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.disclosure.primary import Status
from insights.risk.signal import HIGHER
from insights.risk.simulate import RATES

__all__ = ["CALIBRATION_COLUMNS", "POWER_COLUMNS", "calibration_measures", "power_measures", "true_relative_risk"]

#: Columns of :func:`calibration_measures`, one row per indicator.
CALIBRATION_COLUMNS = ["indicator", "n_wijken", "share_hidden", "coverage95", "coverage95_hidden",
                       "coverage95_published", "calibration_max_error", "flag_rate_higher"]


def true_relative_risk(published: pd.DataFrame, truth: pd.DataFrame, scores: pd.DataFrame) -> pd.Series:
    """The true relative risk of each cell against the reference rate the score used.

    Parameters
    ----------
    published, truth : from :func:`insights.risk.simulate.simulate_published` (aligned rows).
    scores : :func:`insights.risk.score.score` of ``published`` (same index).

    Returns
    -------
    Float Series: the simulated rate (national rate × true RR, per unit of denominator) over the
    reference rate (expected / published denominator). NaN where there is no expected count or no
    true RR (levels above wijk).
    """
    rate = published["indicator"].map(RATES).astype(float) * truth["rr"].to_numpy()
    den = published["denominator"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    e = scores["expected"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ref = e / den
        return pd.Series(rate.to_numpy() / ref, index=published.index, name="rr_true")


def calibration_measures(published: pd.DataFrame, truth: pd.DataFrame, scores: pd.DataFrame,
                         *, bins: int = 10, min_per_bin: int = 30) -> pd.DataFrame:
    """Coverage, calibration and flag rate of the wijk scores, per indicator.

    Parameters
    ----------
    published, truth, scores : as in :func:`true_relative_risk`; several replicates may be
        concatenated (with a fresh index).
    bins : number of equal-width bins of P(RR > 1) for the calibration check.
    min_per_bin : bins with fewer wijken are left out of ``calibration_max_error``.

    Returns
    -------
    One row per indicator (:data:`CALIBRATION_COLUMNS`) over the wijken with a posterior:
    ``coverage95`` = share whose 95% interval holds the true RR (also for hidden ``beschermd``
    and published cells), ``calibration_max_error`` = largest |mean P(RR > 1) − share with true
    RR > 1| over the bins, ``flag_rate_higher`` = share signalled "duidelijk hoger".
    """
    rr = true_relative_risk(published, truth, scores)
    ok = published["level"].eq("wijk") & scores["p_exceed"].notna() & rr.notna()
    rows = []
    for name in dict.fromkeys(published.loc[ok, "indicator"]):
        m = ok & published["indicator"].eq(name)
        s, t = scores[m], rr[m].to_numpy()
        low = s["rr_low95"].to_numpy(dtype=float)
        high = s["rr_high95"].to_numpy(dtype=float)
        covered = (low <= t) & (t <= high)
        hidden = published.loc[m, "status"].eq(Status.protected).to_numpy()
        p = s["p_exceed"].to_numpy(dtype=float)
        which = np.minimum((p * bins).astype(int), bins - 1)
        errors = [abs(p[which == k].mean() - (t[which == k] > 1).mean())
                  for k in range(bins) if (which == k).sum() >= min_per_bin]
        rows.append({
            "indicator": name, "n_wijken": int(m.sum()), "share_hidden": float(hidden.mean()),
            "coverage95": float(covered.mean()),
            "coverage95_hidden": float(covered[hidden].mean()) if hidden.any() else float("nan"),
            "coverage95_published": float(covered[~hidden].mean()) if (~hidden).any() else float("nan"),
            "calibration_max_error": float(max(errors)) if errors else float("nan"),
            "flag_rate_higher": float((s["signal"] == HIGHER).mean()),
        })
    return pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)


#: Columns of :func:`power_measures`, one row per indicator.
POWER_COLUMNS = ["indicator", "n_raised", "power", "power_hidden", "power_published", "false_flag_rate"]


def power_measures(published: pd.DataFrame, truth: pd.DataFrame, scores: pd.DataFrame,
                   *, raised: float = 2.0) -> pd.DataFrame:
    """Share of wijken with a raised true RR that are signalled "duidelijk hoger", per indicator.

    Parameters
    ----------
    published, truth, scores : as in :func:`calibration_measures`, from a simulation where some
        wijken have true RR ``raised`` (against the national rate) and the rest 1
        (``simulate_published(rr_shape=inf, hotspot_share=..., hotspot_rr=raised)``).
    raised : the raised true RR.

    Returns
    -------
    One row per indicator (:data:`POWER_COLUMNS`): ``power`` over all raised wijken with a
    posterior, ``power_hidden`` / ``power_published`` by their public state, and
    ``false_flag_rate`` = share of the other wijken signalled "duidelijk hoger".
    """
    ok = published["level"].eq("wijk") & scores["p_exceed"].notna() & truth["rr"].notna()
    rows = []
    for name in dict.fromkeys(published.loc[ok, "indicator"]):
        m = ok & published["indicator"].eq(name)
        up = np.isclose(truth.loc[m, "rr"].to_numpy(dtype=float), raised)
        flagged = (scores.loc[m, "signal"] == HIGHER).to_numpy()
        hidden = published.loc[m, "status"].eq(Status.protected).to_numpy()
        rows.append({
            "indicator": name, "n_raised": int(up.sum()),
            "power": float(flagged[up].mean()) if up.any() else float("nan"),
            "power_hidden": float(flagged[up & hidden].mean()) if (up & hidden).any() else float("nan"),
            "power_published": float(flagged[up & ~hidden].mean()) if (up & ~hidden).any() else float("nan"),
            "false_flag_rate": float(flagged[~up].mean()) if (~up).any() else float("nan"),
        })
    return pd.DataFrame(rows, columns=POWER_COLUMNS)
