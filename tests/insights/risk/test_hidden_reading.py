"""Hidden cells: one public reading for every hidden cell, informative, and blind to why it was hidden."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insights.cells import public_cells
from insights.disclosure import protect, public_status
from insights.disclosure.primary import Status
from insights.disclosure.rules import parse_rules
from insights.risk import score
from insights.risk.poisson_gamma import censored_loglik, gamma_posterior, hidden_weight_from_total, hidden_weight_mle

RULES = parse_rules((Path(__file__).resolve().parents[3] / "rules" / "disclosure.toml").read_text(encoding="utf-8"))


def raw_cells(counts: dict[str, list[int]]) -> tuple[pd.DataFrame, pd.Series]:
    """One regio, gemeenten with the given wijk counts (meldingen, 2024), 1,000 households per wijk."""
    rows, parent = [], {}
    for g, wijk_counts in counts.items():
        for k, c in enumerate(wijk_counts):
            code = f"WK{g[2:]}{k:02d}"
            rows.append((code, "wijk", g, c, 1000))
            parent[code] = g
        rows.append((g, "gemeente", g, sum(wijk_counts), 1000 * len(wijk_counts)))
        parent[g] = "VR04"
    total = sum(sum(v) for v in counts.values())
    rows.append(("VR04", "regio", None, total, sum(1000 * len(v) for v in counts.values())))
    parent["VR04"] = pd.NA
    frame = pd.DataFrame(rows, columns=["code", "level", "gemeente", "count", "households"])
    frame = frame.assign(regio="VR04", period=2024, indicator="meldingen", denominator=frame["households"],
                         count=frame["count"].astype("Int64"), households=frame["households"].astype("Int64"))
    return frame, pd.Series(parent, dtype="object")


def public_view(cells: pd.DataFrame, parent: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    protected = protect(cells, parent, RULES)
    public = public_cells(protected).drop(columns=["reason", "protects"])  # those two are for stewards only
    return public.assign(status=public_status(public)), protected


COUNTS = {
    "GM0001": [3, 14],
    "GM0002": [18, 25, 31, 44, 52, 12],
    "GM0003": [22, 35, 7, 48, 19, 61, 2],
    "GM0004": [30, 5, 16, 41, 38, 57],
}


def test_swapping_two_hidden_counts_changes_no_public_byte_of_the_scores():
    cells, parent = raw_cells(COUNTS)
    public, protected = public_view(cells, parent)
    first, second = protected.index[protected["code"].isin(["WK000100", "WK000101"])]
    assert {protected.at[first, "status"], protected.at[second, "status"]} == {Status.below_threshold,
                                                                                Status.secondary}
    swapped = cells.copy()
    swapped.loc[[first, second], "count"] = cells.loc[[second, first], "count"].to_numpy()
    public_b, protected_b = public_view(swapped, parent)
    assert protected_b.at[first, "status"] != protected.at[first, "status"]  # the private reasons did swap
    pd.testing.assert_frame_equal(public_b, public)
    scores_a, scores_b = score(public), score(public_b)
    assert scores_a.to_csv().encode() == scores_b.to_csv().encode()
    # Read with the private states, the same swap would show in the scores: this is what the public view prevents.
    private_a = score(public.assign(status=protected["status"].to_numpy()))
    private_b = score(public_b.assign(status=protected_b["status"].to_numpy()))
    assert private_a.loc[first, "rr"] != private_b.loc[first, "rr"]


def test_hidden_cells_are_read_informatively_not_as_their_whole_audit_interval():
    cells, parent = raw_cells(COUNTS)
    public, _ = public_view(cells, parent)
    got = score(public)
    hidden = public["status"].eq(Status.protected) & public["level"].eq("wijk")
    assert hidden.sum() >= 4
    # A cell hidden below 10 against E ≈ 35 is, read publicly, clearly lower than expected: its upper
    # 95% limit lies well below what the audit interval's upper end alone would allow.
    e = got.loc[hidden, "expected"].astype(float)
    upper_if_whole_interval = (public.loc[hidden, "audit_high"].astype(float) + 1) / e
    assert (got.loc[hidden, "rr_high95"].astype(float) < upper_if_whole_interval).all()
    assert (got.loc[hidden, "rr"].astype(float) > 0).all()  # never read as 0


def test_weight_from_public_totals_matches_the_residual():
    # Two hidden cells, P(below) = P(above) = 0.5, conditional means 4 and 12; residual 12:
    # 2 (4 + 12 q) / (1 + q) = 12  →  q = 1/3.
    a = np.array([0.5, 0.5])
    b = np.array([0.5, 0.5])
    ma, mb = 4 * a, 12 * b
    assert hidden_weight_from_total(a, b, ma, mb, 12.0) == pytest.approx(1 / 3)
    assert hidden_weight_from_total(a, b, ma, mb, 1.0) == 0.0  # residual below what q = 0 implies
    assert hidden_weight_from_total(a, b, ma, mb, 100.0) == 1.0


def test_weight_by_likelihood_is_zero_when_published_cells_outweigh():
    # log A = log B = log 0.5 for 4 hidden cells: slope at q = 0 is 4 - n_exposed
    lb = np.log(np.full(4, 0.5))
    assert hidden_weight_mle(lb, lb, 10) == 0.0
    q = hidden_weight_mle(lb, lb, 1)
    assert 4 / (1 + q) == pytest.approx(1 / (1 - q), rel=1e-6)  # derivative zero


def test_split_reading_is_the_weighted_sum_of_its_two_pieces():
    alpha, beta, e = 3.0, 3.0, 12.0
    below = censored_loglik([0], [9], [e], alpha, beta)[0]
    above = censored_loglik([10], [30], [e], alpha, beta)[0]
    mixed = censored_loglik([0], [30], [e], alpha, beta, split=[10], hidden_weight=0.25)[0]
    assert mixed == pytest.approx(np.log(np.exp(below) + 0.25 * np.exp(above)))
    # The posterior weights the pieces the same way: q = 0 is exactly "below the threshold".
    at_zero = gamma_posterior([0], [30], [e], alpha, beta, split=[10], hidden_weight=0.0)
    pd.testing.assert_frame_equal(at_zero, gamma_posterior([0], [9], [e], alpha, beta))
