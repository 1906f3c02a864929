"""score(): the published frame in, one honest score per row out, in input order."""

import numpy as np
import pandas as pd
import pytest

from insights.risk import SCORE_COLUMNS, score
from insights.risk.simulate import RATES, simulate_published


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    frame, _ = simulate_published(np.random.default_rng(1), n_regios=3, gemeenten_per_regio=3,
                                  wijken_per_gemeente=6, periods=(2022, 2023),
                                  indicators=("schulden", "meldingen", "hermeldingen"), secret_share=0.05)
    return frame


def test_columns_and_one_row_per_input_row(published):
    got = score(published)
    assert list(got.columns) == SCORE_COLUMNS
    assert len(got) == len(published)
    pd.testing.assert_frame_equal(got[["code", "period", "indicator"]], published[["code", "period", "indicator"]])


def test_output_keeps_input_order_never_sorted_by_score(published):
    shuffled = published.sample(frac=1.0, random_state=3)
    got = score(shuffled)
    assert got.index.equals(shuffled.index)
    assert got["code"].tolist() == shuffled["code"].tolist()
    # The same cells get the same scores whatever the order they came in.
    by_key = score(published).set_index(["code", "period", "indicator"])["rr"]
    again = got.set_index(["code", "period", "indicator"])["rr"].reindex(by_key.index)
    np.testing.assert_allclose(again.to_numpy(float), by_key.to_numpy(float), rtol=1e-6, equal_nan=True)
    scored = got["rr"].dropna().to_numpy(float)
    assert not (np.all(np.diff(scored) >= 0) or np.all(np.diff(scored) <= 0))


def test_raw_counts_are_refused(published):
    with pytest.raises(ValueError, match="published figures only"):
        score(published.assign(count=1))


def test_a_hidden_count_never_scores_as_zero(published):
    wijk = published["level"].eq("wijk") & published["indicator"].eq("meldingen")
    hidden_row = published.index[wijk & published["status"].eq("onder_drempel")][0]
    as_zero = published.copy()
    as_zero.loc[hidden_row, ["value", "status"]] = [0, "gepubliceerd"]
    as_zero.loc[hidden_row, "min_count"] = 0  # otherwise 'published' would imply >= 10
    honest, wrong = score(published).loc[hidden_row], score(as_zero).loc[hidden_row]
    assert pd.isna(honest["smr"])  # nothing published, no ratio
    assert honest["rr"] > wrong["rr"] + 0.05
    assert honest["rr_high95"] > wrong["rr_high95"]


@pytest.mark.parametrize("status, signal", [
    ("geheim_in_bron", "beschermd: te weinig waarnemingen"),
    ("te_weinig_huishoudens", "beschermd: te weinig waarnemingen"),
    ("kleine_noemer", "beschermd: te weinig waarnemingen"),
])
def test_uninformative_cells_are_protected_not_scored_as_zero(published, status, signal):
    row = published.index[published["level"].eq("wijk") & published["status"].eq("gepubliceerd")][0]
    frame = published.copy()
    frame.loc[row, ["value", "status"]] = [pd.NA, status]
    got = score(frame).loc[row]
    assert got["signal"] == signal
    assert got["funnel"] == "onbekend"
    assert got["shrinkage"] == 0  # the posterior is the prior: nothing of the area's own data


def test_every_censored_state_gets_a_defined_score(published):
    got = score(published)
    for status in ("onder_drempel", "secundair"):
        rows = published["status"].eq(status) & got["expected"].notna()
        assert rows.any()
        assert got.loc[rows, ["rr", "rr_low90", "rr_high90", "p_exceed"]].notna().all().all()
        assert got.loc[rows, "signal"].ne("beschermd: te weinig waarnemingen").all()


def test_reference_regio_marks_regio_rows_as_reference(published):
    got = score(published, reference="regio")
    regio = published["level"].eq("regio")
    assert got.loc[regio, "signal"].eq("referentiegebied: hiermee wordt vergeleken").all()
    assert got.loc[regio, "rr"].isna().all()
    assert score(published, reference="nederland").loc[regio, "rr"].notna().all()


def test_spatial_prior_option_runs_and_differs(published):
    pooled = score(published, prior="pooled")
    spatial = score(published, prior="gemeente", prior_group="regio")
    wijk = published["level"].eq("wijk")
    assert spatial.loc[wijk, "rr"].notna().any()
    assert not np.allclose(pooled.loc[wijk, "rr"].to_numpy(float, na_value=np.nan),
                           spatial.loc[wijk, "rr"].to_numpy(float, na_value=np.nan), equal_nan=True)


@pytest.mark.parametrize("option, value, match", [
    ("reference", "gemeente", "reference must be 'regio' or 'nederland'"),
    ("prior", "bym2", "prior must be 'pooled' or 'gemeente'"),
    ("prior_group", "wijk", "prior_group must be 'level' or 'regio'"),
])
def test_bad_options_raise(published, option, value, match):
    with pytest.raises(ValueError, match=match):
        score(published, **{option: value})


def test_simulation_intervals_cover_the_true_relative_risks():
    """Seeded data with known RRs: 90% intervals cover the truth in 85–95% of wijken."""
    published, truth = simulate_published(np.random.default_rng(20240), n_regios=4, gemeenten_per_regio=10,
                                          wijken_per_gemeente=10, periods=(2023,),
                                          indicators=("schulden", "meldingen"), rr_shape=6.0,
                                          household_scale=1200.0)
    got = score(published, reference="nederland")
    for name in ("schulden", "meldingen"):
        rows = published["level"].eq("wijk") & published["indicator"].eq(name) & got["rr"].notna()
        rows &= ~published["status"].isin(["geheim_in_bron", "te_weinig_huishoudens", "kleine_noemer"])
        # Truth is relative to RATES; the score is relative to the published national rate.
        national = published.loc[published["level"].eq("regio") & published["indicator"].eq(name), "value"].sum() / \
            published.loc[published["level"].eq("regio") & published["indicator"].eq(name), "denominator"].sum()
        true_rr = truth.loc[rows, "rr"] * RATES[name] / national
        covered = (got.loc[rows, "rr_low90"] <= true_rr) & (true_rr <= got.loc[rows, "rr_high90"])
        assert rows.sum() > 300
        assert 0.85 <= covered.mean() <= 0.95, f"{name}: 90% coverage {covered.mean():.3f}"
        covered95 = (got.loc[rows, "rr_low95"] <= true_rr) & (true_rr <= got.loc[rows, "rr_high95"])
        assert 0.90 <= covered95.mean() <= 0.985


def test_simulation_false_positives_under_the_null_stay_near_nominal():
    """All RR = 1: funnel flags outside 95% near 5% (at most), clear signals rare."""
    published, _ = simulate_published(np.random.default_rng(77), n_regios=4, gemeenten_per_regio=10,
                                      wijken_per_gemeente=10, periods=(2022, 2023),
                                      indicators=("schulden", "meldingen"), rr_shape=np.inf)
    got = score(published, reference="nederland")
    wijk = published["level"].eq("wijk") & got["funnel"].ne("onbekend")
    outside95 = got.loc[wijk, "funnel"].ne("binnen grenzen").mean()
    outside998 = got.loc[wijk, "funnel"].isin(["boven 99,8%-grens", "onder 99,8%-grens"]).mean()
    assert outside95 <= 0.065
    assert outside998 <= 0.01
    clear = got.loc[wijk, "signal"].isin(["duidelijk hoger dan verwacht", "duidelijk lager dan verwacht"]).mean()
    assert clear <= 0.05


def with_nederland(published: pd.DataFrame) -> pd.DataFrame:
    """The frame of a whole-country release: a published Nederland row per period and indicator (the sum of the
    regio rows, rounded to 5)."""
    regio = published[published["level"].eq("regio")]
    total = regio.groupby(["period", "indicator"], as_index=False).agg(
        value=("value", "sum"), denominator=("denominator", "sum"), min_count=("min_count", "first"),
        rounding_base=("rounding_base", "first"))
    total["value"] = (np.floor(total["value"].astype(float) / 5 + 0.5) * 5).astype("Int64")
    nl = total.assign(code="NL01", level="nederland", gemeente=None, regio=None, status="gepubliceerd")
    return pd.concat([published, nl[published.columns]], ignore_index=True)


def test_every_score_states_its_reference_and_a_regional_release_says_why_there_is_no_national_one(published):
    from insights.risk.score import NO_NATIONAL

    got = score(published)
    assert got["reference"].eq("eigen veiligheidsregio").all()
    assert got["rr_nl"].isna().all()  # never a faked national rate from the regio rows present
    assert got["signal_nl"].eq(NO_NATIONAL).all()


def test_a_whole_country_frame_compares_each_wijk_with_nederland_too(published):
    frame = with_nederland(published)
    got = score(frame)
    national = score(frame, reference="nederland")
    wijk = frame["level"].eq("wijk") & got["rr"].notna()
    assert got.loc[wijk, "rr_nl"].notna().all()
    pd.testing.assert_series_equal(got.loc[wijk, "rr_nl"], national.loc[wijk, "rr"], check_names=False)
    assert got.loc[wijk, "signal_nl"].tolist() == national.loc[wijk, "signal"].tolist()
    # the regional reference is the regio's own rate: where a regio's rate is above the national one, its wijken
    # compare higher against Nederland than against their own regio
    nl = frame[frame["level"].eq("nederland")].set_index(["period", "indicator"])
    regio = frame[frame["level"].eq("regio")]
    ratio = (regio["value"].astype(float) / regio["denominator"].astype(float)).to_numpy() / (
        nl["value"].astype(float) / nl["denominator"].astype(float)).reindex(
        pd.MultiIndex.from_frame(regio[["period", "indicator"]])).to_numpy()
    high = dict(zip(zip(regio["code"], regio["period"], regio["indicator"], strict=True), ratio > 1.02, strict=True))
    rows = frame[wijk]
    is_high = pd.Series([high[(r, p, i)] for r, p, i in zip(rows["regio"], rows["period"], rows["indicator"],
                                                             strict=True)], index=rows.index)
    ratio_nl = got.loc[wijk, "rr_nl"].astype(float) / got.loc[wijk, "rr"].astype(float)
    assert is_high.any()
    assert (ratio_nl[is_high] > 1).mean() > 0.75  # (shrinkage towards different prior means blurs a few)
    assert ratio_nl[is_high].median() > 1.02
