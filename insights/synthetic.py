"""Seeded generator of **synthetic** demo indicator counts per wijk (no public wijk-level data exist).

The model (all rates per year):

* Denominators are real: CBS 2024 households ``h`` and inhabitants ``n`` per wijk, held constant
  over the five years.
* Covariates are real CBS 2023 gemeente figures, standardised over the gemeenten passed:
  ``z_div`` (% divorced), ``z_one`` (% one-person households), ``z_kids`` (% households with
  children). Origin and migration variables are never used.
* A wijk effect ``u ~ Normal(0, 0.30)`` shared by all indicators (areas with more debt tend to have
  more reports), and per indicator and year noise ``e ~ Normal(0, 0.08)``.
* ``schulden ~ Poisson(h · 0.050 · exp(0.20 z_div + 0.15 z_one + 0.8 u − 0.03 (t − 2022) + e))``
* ``echtscheidingen ~ Poisson(n · 0.0019 · exp(0.25 z_div + 0.10 z_kids + 0.3 u + e))``
* ``meldingen ~ Poisson(h · 0.016 · exp(0.25 z_div + 0.10 z_one + 0.10 z_kids + 1.0 u + 0.02 (t − 2022) + e))``
* ``hermeldingen ~ Binomial(meldingen, logistic(logit(0.38) + 0.3 u))`` (CBS: about 38% of
  Veilig Thuis reports follow an earlier one).

Counts are capped at their denominator. Every row carries ``synthetisch = ja``; a build that reads
such a row marks its release, API responses and maps as synthetic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights.indicators import INDICATORS

__all__ = ["generate_indicators", "DEFAULT_SEED", "DEFAULT_PERIODS"]

DEFAULT_SEED = 20261123
DEFAULT_PERIODS = (2020, 2021, 2022, 2023, 2024)


def _standardise(values: pd.Series) -> pd.Series:
    values = values.astype(float)
    return ((values - values.mean()) / values.std(ddof=0)).fillna(0.0)


def generate_indicators(
    wijken: pd.DataFrame,
    gemeente_covariates: pd.DataFrame,
    *,
    seed: int = DEFAULT_SEED,
    periods: tuple[int, ...] = DEFAULT_PERIODS,
) -> pd.DataFrame:
    """Synthetic counts per wijk and year in the indicator-CSV shape.

    Parameters
    ----------
    wijken : ``code``, ``gemeentecode``, ``huishoudens``, ``inwoners`` (counts) per wijk.
    gemeente_covariates : ``gemeentecode``, ``percentage_gescheiden``, ``percentage_eenpersoons``,
        ``percentage_met_kinderen`` (percent, 0–100) per gemeente.
    seed : seed of the NumPy generator; the same seed and inputs give identical output.
    periods : calendar years.

    Returns
    -------
    DataFrame with ``gebiedscode``, ``periode``, ``huishoudens``, ``inwoners``, ``schulden``,
    ``echtscheidingen``, ``meldingen``, ``hermeldingen``, ``synthetisch`` (``"ja"``), sorted by code
    and year. Wijken with unknown households or inhabitants get secret (NA) counts.
    """
    rng = np.random.default_rng(seed)
    w = wijken.sort_values("code").reset_index(drop=True)
    cov = gemeente_covariates.set_index("gemeentecode")
    z_div = w["gemeentecode"].map(_standardise(cov["percentage_gescheiden"])).fillna(0).to_numpy()
    z_one = w["gemeentecode"].map(_standardise(cov["percentage_eenpersoons"])).fillna(0).to_numpy()
    z_kids = w["gemeentecode"].map(_standardise(cov["percentage_met_kinderen"])).fillna(0).to_numpy()
    h = w["huishoudens"].astype("Float64").fillna(0).to_numpy(dtype=float)
    n = w["inwoners"].astype("Float64").fillna(0).to_numpy(dtype=float)
    known = (w["huishoudens"].notna() & w["inwoners"].notna()).to_numpy()
    u = rng.normal(0.0, 0.30, len(w))

    frames = []
    for t in periods:
        dt = t - 2022
        e = rng.normal(0.0, 0.08, (3, len(w)))
        debt = rng.poisson(h * 0.050 * np.exp(0.20 * z_div + 0.15 * z_one + 0.8 * u - 0.03 * dt + e[0]))
        divorces = rng.poisson(n * 0.0019 * np.exp(0.25 * z_div + 0.10 * z_kids + 0.3 * u + e[1]))
        reports = rng.poisson(
            h * 0.016 * np.exp(0.25 * z_div + 0.10 * z_one + 0.10 * z_kids + 1.0 * u + 0.02 * dt + e[2])
        )
        debt, divorces, reports = (
            np.minimum(debt, h).astype(int),
            np.minimum(divorces, n).astype(int),
            np.minimum(reports, h).astype(int),
        )
        p_repeat = 1 / (1 + np.exp(-(np.log(0.38 / 0.62) + 0.3 * u)))
        repeats = rng.binomial(reports, p_repeat)
        frame = pd.DataFrame(
            {
                "gebiedscode": w["code"],
                "periode": t,
                "huishoudens": w["huishoudens"].astype("Int64"),
                "inwoners": w["inwoners"].astype("Int64"),
                "schulden": pd.array(np.where(known, debt, 0), dtype="Int64"),
                "echtscheidingen": pd.array(np.where(known, divorces, 0), dtype="Int64"),
                "meldingen": pd.array(np.where(known, reports, 0), dtype="Int64"),
                "hermeldingen": pd.array(np.where(known, repeats, 0), dtype="Int64"),
                "synthetisch": "ja",
            }
        )
        for col in INDICATORS:
            frame.loc[~known, col] = pd.NA
        frames.append(frame)
    return pd.concat(frames).sort_values(["gebiedscode", "periode"]).reset_index(drop=True)
