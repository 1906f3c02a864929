import pandas as pd
import pytest

from geo.codes import Level, gemeente_of, is_water_or_abroad, level_of, normalise_code


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("GM0193", Level.gemeente),
        ("WK019310", Level.wijk),
        ("WK0363AF", Level.wijk),  # Amsterdam wijk codes carry letters from 2023 on
        ("BU0363AF01", Level.buurt),
        ("VR04", Level.regio),
        ("NL01", Level.nederland),
        ("GM193", None),
        ("193", None),
    ],
)
def test_level_of_recognises_cbs_codes_without_casting_to_int(raw, level):
    assert level_of(raw) == level


def test_statline_padding_is_stripped_and_case_normalised():
    assert normalise_code("  wk019310  ") == "WK019310"


def test_gemeente_of_a_wijk_and_buurt():
    assert gemeente_of("WK019310") == "GM0193"
    assert gemeente_of("BU0363AF01") == "GM0363"
    with pytest.raises(ValueError, match="has no gemeente"):
        gemeente_of("VR04")


def test_groot_water_and_buitenland_are_water_but_a_populated_wk99_is_not():
    codes = pd.Series(["WK019399", "WK099899", "WK010699", "WK019310"])
    names = pd.Series(["Groot water", "Buitenland", "Buitengebied", "Binnenstad"])
    assert is_water_or_abroad(codes, names).tolist() == [True, True, False, False]
