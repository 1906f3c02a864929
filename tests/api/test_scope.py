"""The one "who may see this area" rule: its scalar and vector forms agree, and a filter it allows
never reaches an area it does not cover (what the response cache and the list narrowing rely on)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from api.scope import Scope

REGIOS = ["VR03", "VR04", "VR05"]
GEMEENTEN = {"GM0148": "VR04", "GM0193": "VR04", "GM0150": "VR04", "GM0153": "VR05", "GM0014": "VR03"}


def _areas() -> list[tuple[str, str | None, str | None]]:
    """Areas as a release lists them: wijken and gemeenten with their gemeente and regio (or an unknown
    regio), and regios (with or without themselves as regio)."""
    out: list[tuple[str, str | None, str | None]] = []
    for gemeente, regio in GEMEENTEN.items():
        for code in (gemeente, f"WK{gemeente[2:]}01", f"WK{gemeente[2:]}02"):
            out += [(code, gemeente, regio), (code, gemeente, None)]
    for regio in REGIOS:
        out += [(regio, None, regio), (regio, None, None)]
    return out


AREAS = _areas()
WIJKEN = [a for a in AREAS if a[0].startswith("WK") and a[2] is not None]
scopes = st.lists(st.sampled_from([*REGIOS, *GEMEENTEN, "*"]), min_size=1, max_size=4).map(Scope.of)


@settings(max_examples=1000, deadline=None)
@given(scopes, st.lists(st.sampled_from(AREAS), max_size=30))
def test_the_vector_form_agrees_with_the_scalar_form(scope, listed):
    codes, gemeenten, regios = (np.array([a[i] for a in listed], dtype=object) for i in range(3))
    mask = scope.mask(codes, gemeenten, regios)
    assert mask.dtype == bool and len(mask) == len(listed) and not mask.flags.writeable
    assert mask.tolist() == [scope.covers(*area) for area in listed]


@settings(max_examples=1000, deadline=None)
@given(scopes, st.sampled_from(sorted(GEMEENTEN)), st.booleans(), st.sampled_from([None, *REGIOS]))
def test_an_allowed_filter_only_reaches_covered_areas(scope, gemeente, filter_gemeente, regio):
    if not filter_gemeente and regio is None:  # no filter is not checked here: lists are narrowed instead
        regio = "VR04"
    reached = [w for w in WIJKEN if (not filter_gemeente or w[1] == gemeente) and (regio is None or w[2] == regio)]
    allowed = scope.covers_filter(gemeente=gemeente if filter_gemeente else None, regio=regio,
                                  regio_of_gemeente=GEMEENTEN[gemeente] if filter_gemeente else None)
    if allowed:
        assert all(scope.covers(*w) for w in reached)


def test_equal_scopes_are_one_key_and_every_area_is_one_key():
    assert Scope.of(["GM0193", "VR04"]) == Scope.of(["VR04", "GM0193"])
    assert hash(Scope.of(["GM0193", "VR04"])) == hash(Scope.of(["VR04", "GM0193"]))
    assert Scope.of(["*", "GM0193"]).key == Scope.of(["*"]).key == "*"
    assert Scope.of(["GM0193"]).key != Scope.of(["VR04"]).key


def test_the_rule():
    zwolle, region = Scope.of(["GM0193"]), Scope.of(["VR04"])
    assert zwolle.covers("WK019310", "GM0193", "VR04") and not zwolle.covers("WK015001", "GM0150", "VR04")
    assert not zwolle.covers("VR04", None, "VR04")  # a regio-level area needs the whole regio
    assert region.covers("VR04", None, "VR04") and region.covers("WK015001", "GM0150", "VR04")
    assert not region.covers("VR05", None, "VR05")
    assert zwolle.covers_filter(gemeente="GM0193") and not zwolle.covers_filter(regio="VR04")
    assert region.covers_filter(gemeente="GM0150", regio_of_gemeente="VR04")
