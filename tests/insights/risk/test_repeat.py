"""Repeat reports as a beta-binomial share."""

import numpy as np
import pandas as pd
import pytest

from insights.risk.repeat import repeat_share
from insights.risk.simulate import simulate_published


@pytest.fixture(scope="module")
def published():
    frame, _ = simulate_published(np.random.default_rng(12), n_regios=3, gemeenten_per_regio=8,
                                  wijken_per_gemeente=4, indicators=("meldingen", "hermeldingen"))
    return frame


def test_shares_per_gemeente_and_regio(published):
    got = repeat_share(published)
    assert set(got["level"]) == {"gemeente", "regio"}
    ok = got[got["share_status"].eq("ok")]
    assert len(ok) > 20
    assert ok["prior_mean"].iloc[0] == pytest.approx(0.38, abs=0.05)
    assert ((ok["share_low90"] < ok["share"]) & (ok["share"] < ok["share_high90"])).all()
    assert ((ok["share_low95"] <= ok["share_low90"]) & (ok["share_high90"] <= ok["share_high95"])).all()
    # Shrinkage pulls the share toward the prior mean.
    gap_raw = (ok["share_published"] - ok["prior_mean"]).abs()
    gap_post = (ok["share"] - ok["prior_mean"]).abs()
    assert (gap_post <= gap_raw + 0.02).all()
    assert got[["level", "code", "period"]].equals(
        got[["level", "code", "period"]].sort_values(["level", "code", "period"]).reset_index(drop=True))


def test_too_few_reports_are_not_shown(published):
    got = repeat_share(published, min_reports=10_000)
    assert got["share_status"].eq("te weinig meldingen").all()
    assert got["share"].isna().all()


def test_hidden_repeat_count_is_an_interval_not_zero(published):
    frame = published.copy()
    rows = frame.index[frame["indicator"].eq("hermeldingen") & frame["level"].eq("gemeente")
                       & frame["status"].eq("gepubliceerd")]
    target = rows[0]
    frame.loc[target, ["value", "status"]] = [pd.NA, "onder_drempel"]
    got = repeat_share(frame).set_index(["code", "period"])
    row = got.loc[(frame.loc[target, "code"], frame.loc[target, "period"])]
    assert row["share_status"] == "ok"
    assert row["repeats_band_low"] == 0 and row["repeats_band_high"] == 9
    as_zero = published.copy()
    as_zero.loc[target, ["value", "min_count"]] = [0, 0]
    zero = repeat_share(as_zero).set_index(["code", "period"]).loc[(frame.loc[target, "code"],
                                                                   frame.loc[target, "period"])]
    assert row["share"] > zero["share"]
    assert row["share_high95"] > zero["share_high95"]
