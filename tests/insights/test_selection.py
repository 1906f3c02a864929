"""Which gemeente a user means: a CBS code or a name that names exactly one gemeente."""

import pandas as pd
import pytest

from insights.errors import HelpendeDataError
from insights.selection import resolve_gemeente, resolve_selection

HIERARCHY = pd.DataFrame(
    {
        "code": ["VR04", "VR14", "GM0193", "GM0148", "GM0373", "GM0893", "GM1842"],
        "naam": [
            "IJsselland",
            "Noord-Holland Noord",
            "Zwolle",
            "Dalfsen",
            "Bergen (NH.)",
            "Bergen (L.)",
            "Súdwest-Fryslân",
        ],
        "level": ["regio", "regio", "gemeente", "gemeente", "gemeente", "gemeente", "gemeente"],
        "regio": [None, None, "VR04", "VR04", "VR14", "VR14", "VR04"],
    }
)


@pytest.mark.parametrize("text", ["GM0193", "gm0193", " GM0193 ", "0193", "Zwolle", "zwolle", "ZWOLLE"])
def test_a_code_or_an_unambiguous_name_resolves_to_the_cbs_code(text):
    assert resolve_gemeente(HIERARCHY, text) == "GM0193"


def test_accents_and_spaces_do_not_matter_in_a_name():
    assert resolve_gemeente(HIERARCHY, "sudwest-fryslan") == "GM1842"


def test_a_misspelt_name_gets_a_suggestion_with_its_code():
    with pytest.raises(HelpendeDataError) as caught:
        resolve_gemeente(HIERARCHY, "Zwole")
    message = str(caught.value)
    assert "\n" not in message
    assert "did you mean Zwolle?" in message and "GM0193 (Zwolle)" in message


def test_an_unknown_name_says_to_use_the_cbs_code():
    with pytest.raises(HelpendeDataError, match=r"use the CBS code, e\.g\. GM0193 \(Zwolle\)"):
        resolve_gemeente(HIERARCHY, "Atlantis")


def test_a_code_outside_the_areas_names_where_it_was_looked_for():
    with pytest.raises(HelpendeDataError) as caught:
        resolve_gemeente(HIERARCHY, "GM0363", where="the current release (IJsselland)")
    message = str(caught.value)
    assert "GM0363" in message and "the current release (IJsselland)" in message and "GM0193 (Zwolle)" in message


def test_selection_takes_names_and_codes_and_drops_repeats():
    selection = resolve_selection(HIERARCHY, gemeenten=["Zwolle", "GM0193", "dalfsen"])
    assert selection.gemeenten == frozenset({"GM0193", "GM0148"})
    assert selection.regios == frozenset({"VR04"})
