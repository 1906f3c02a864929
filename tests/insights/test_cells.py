import pandas as pd

from insights.cells import build_cells, public_cells

HIERARCHY = pd.DataFrame(
    {
        "code": ["WK019310", "WK019311", "WK014800", "GM0193", "GM0148", "VR04"],
        "naam": ["Binnenstad", "Diezerpoort", "Dalfsen", "Zwolle", "Dalfsen", "IJsselland"],
        "level": ["wijk", "wijk", "wijk", "gemeente", "gemeente", "regio"],
        "parent": ["GM0193", "GM0193", "GM0148", "VR04", "VR04", pd.NA],
        "gemeente": ["GM0193", "GM0193", "GM0148", "GM0193", "GM0148", pd.NA],
        "regio": ["VR04"] * 6,
    }
)


def counts(meldingen: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["WK019310", "WK019311", "WK014800"],
            "period": [2024] * 3,
            "meldingen": pd.array(meldingen, dtype="Int64"),
            "hermeldingen": pd.array([5, 4, 3], dtype="Int64"),
            "huishoudens": pd.array([4330, 2910, 6305], dtype="Int64"),
            "inwoners": pd.array([6540, 6805, 15330], dtype="Int64"),
        }
    )


def cell(cells: pd.DataFrame, code: str, indicator: str = "meldingen") -> pd.Series:
    return cells[(cells["code"] == code) & (cells["indicator"] == indicator)].iloc[0]


def test_parents_are_sums_of_children_with_their_denominators():
    cells = build_cells(counts([40, 25, 60]), HIERARCHY)
    assert cell(cells, "GM0193")["count"] == 65
    assert cell(cells, "VR04")["count"] == 125
    assert cell(cells, "GM0193")["denominator"] == 4330 + 2910
    # hermeldingen are divided by meldingen
    assert cell(cells, "WK019310", "hermeldingen")["denominator"] == 40
    assert cell(cells, "VR04", "hermeldingen")["count"] == 12


def test_a_secret_wijk_makes_its_totals_unknown_never_a_sum_with_zero():
    cells = build_cells(counts([40, None, 60]), HIERARCHY)
    assert cell(cells, "WK019311")["count"] is pd.NA
    assert cell(cells, "GM0193")["count"] is pd.NA
    assert cell(cells, "VR04")["count"] is pd.NA
    assert cell(cells, "GM0148")["count"] == 60


def test_a_missing_row_for_a_period_is_secret():
    frame = pd.concat([counts([40, 25, 60]), counts([41, 26, 61]).iloc[[0, 2]].assign(period=2023)])
    cells = build_cells(frame, HIERARCHY)
    row = cells[(cells["code"] == "WK019311") & (cells["period"] == 2023) & (cells["indicator"] == "meldingen")]
    assert row["count"].iloc[0] is pd.NA


def test_public_cells_drop_raw_counts_and_take_published_denominators():
    cells = build_cells(counts([40, 25, 60]), HIERARCHY)
    protected = cells.assign(
        value=pd.array([pd.NA] * len(cells), dtype="Int64"),
        status="onder_drempel",
        reason="",
        min_count=10,
        rounding_base=5,
    )
    public = public_cells(protected)
    assert "count" not in public.columns
    assert "households" not in public.columns
    # the meldingen denominator of hermeldingen is hidden, so it is unknown, not the raw 40
    assert cell(public, "WK019310", "hermeldingen")["denominator"] is pd.NA
