"""Outside the steward view nobody can tell threshold suppression from secondary suppression."""

import pandas as pd
import pytest

from insights.disclosure.primary import Status, public_status
from insights.risk import score
from insights.risk.censoring import count_interval


def test_public_status_folds_what_would_reveal_the_size_of_a_hidden_count():
    cells = pd.DataFrame(
        {
            "indicator": [
                "meldingen",
                "meldingen",
                "meldingen",
                "meldingen",
                "echtscheidingen",
                "hermeldingen",
                "meldingen",
            ],
            "status": [
                Status.published,
                Status.below_threshold,
                Status.secondary,
                Status.few_households,
                Status.small_denominator,
                Status.small_denominator,
                Status.secret_at_source,
            ],
        }
    )
    assert public_status(cells).tolist() == [
        "gepubliceerd", "beschermd", "beschermd", "te_weinig_huishoudens",
        "kleine_noemer",  # divided by inhabitants: a public CBS figure
        "beschermd",  # divided by meldingen, itself possibly hidden
        "geheim_in_bron",
    ]


def test_a_protected_cell_is_read_as_its_audit_interval():
    bounds = count_interval(
        pd.Series([pd.NA, pd.NA], dtype="Int64"),
        pd.Series([Status.protected, Status.protected]),
        pd.Series([10, 10], dtype="Int64"),
        pd.Series([5, 5], dtype="Int64"),
        audit_low=pd.Series([0, 3], dtype="Int64"),
        audit_high=pd.Series([14, pd.NA], dtype="Int64"),
    )
    assert bounds[["low", "high"]].values.tolist() == [[0.0, 14.0], [3.0, float("inf")]]


def two_hidden_wijken(first: str, second: str) -> pd.DataFrame:
    """A regio with one published gemeente total and two hidden wijken with the same public facts."""
    rows = [
        ("VR04", "regio", pd.NA, 400, Status.published, 40000, pd.NA, pd.NA),
        ("GM0193", "gemeente", "GM0193", 400, Status.published, 40000, pd.NA, pd.NA),
        ("WK019310", "wijk", "GM0193", pd.NA, first, 1000, 0, 14),
        ("WK019311", "wijk", "GM0193", pd.NA, second, 1000, 0, 14),
        ("WK019312", "wijk", "GM0193", 380, Status.published, 38000, pd.NA, pd.NA),
    ]
    frame = pd.DataFrame(rows, columns=["code", "level", "gemeente", "value", "status", "denominator",
                                        "audit_low", "audit_high"])
    return frame.assign(regio="VR04", period=2024, indicator="meldingen", min_count=10, rounding_base=5,
                        value=lambda f: f["value"].astype("Int64"),
                        audit_low=lambda f: f["audit_low"].astype("Int64"),
                        audit_high=lambda f: f["audit_high"].astype("Int64"))


@pytest.mark.parametrize(
    "private", [(Status.below_threshold, Status.secondary), (Status.secondary, Status.below_threshold)]
)
def test_public_scores_do_not_depend_on_why_a_cell_was_hidden(private):
    frame = two_hidden_wijken(*private)
    scores = score(frame.assign(status=public_status(frame)))
    a, b = scores.iloc[2], scores.iloc[3]
    for column in ("rr", "rr_low95", "rr_high95", "p_exceed", "signal"):
        assert a[column] == b[column], column
    # but the private statuses, read directly, would tell them apart: this is what public_status prevents
    direct = score(frame)
    assert direct.iloc[2]["rr"] != direct.iloc[3]["rr"]
