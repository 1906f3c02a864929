"""Every real-shaped file a user may hand over is read to the expected cells or refused with the exact line."""

from pathlib import Path

import pandas as pd
import pytest

from geo.errors import InputFileError
from insights.ingest import read_indicators, read_mapping

from .shapes import BAD, GOOD, Shape, materialise

WIJKEN = ["WK014800", "WK014801", "WK019310", "WK019311", "WK019312"]
DENOMINATORS = pd.DataFrame({
    "code": WIJKEN,
    "huishoudens": [6305, 1200, 4330, 2910, 3235],
    "inwoners": [15330, 2500, 6540, 6805, 7010],
})
REGIO_OF = {"GM0148": "VR04", "GM0193": "VR04"}


def read(shape: Shape, folder: Path):
    path, mapping = materialise(shape, folder)
    return read_indicators([path], wijk_codes=WIJKEN, denominators=DENOMINATORS, regio_of=REGIO_OF,
                           mapping=read_mapping(mapping) if mapping else None)


def test_the_table_holds_at_least_40_shapes():
    assert len(GOOD) + len(BAD) >= 40
    assert len({s.id for s in GOOD + BAD}) == len(GOOD) + len(BAD)


@pytest.mark.parametrize("shape", GOOD, ids=[s.id for s in GOOD])
def test_good_shape_reads_to_the_expected_cells(shape, tmp_path):
    table = read(shape, tmp_path)
    frame = table.frame.set_index(["code", "period"])
    assert frame.index.is_unique
    assert set(frame.index.get_level_values("code")) <= set(WIJKEN)  # totals and buurten are not wijk rows
    for cell, expected in shape.cells.items():
        code, year = cell.split()
        row = frame.loc[(code, int(year))]
        got = {column: (None if pd.isna(row[column]) else int(row[column])) for column in expected}
        assert got == expected, cell
    notes = "\n".join(table.notes)
    for note in shape.notes:
        assert note in notes


@pytest.mark.parametrize("shape", BAD, ids=[s.id for s in BAD])
def test_bad_shape_is_refused_with_one_exact_line(shape, tmp_path):
    with pytest.raises(InputFileError) as caught:
        read(shape, tmp_path)
    assert str(caught.value) == shape.error
    assert "\n" not in str(caught.value)
