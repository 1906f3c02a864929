"""Size budgets: a region map ≤ 2 MB, the whole-Netherlands wijken map ≤ 8 MB.

The NL release is really built (about 40 s here; the fixture fails above 60 s), then its maps are
rendered: Nederland, the veiligheidsregio with the most wijken, and the gemeente with the most wijken.
"""

from __future__ import annotations

import pytest

from dashboards.classify import layers_for
from dashboards.data import map_table
from dashboards.render import region_map
from insights.release import Release

MB = 1_000_000
REGION_BUDGET = 2 * MB
NL_BUDGET = 8 * MB

pytestmark = pytest.mark.slow


def test_region_map_of_the_default_build_fits_its_budget(release_maps):
    size = release_maps["regio.html"].stat().st_size
    print(f"IJsselland regio.html: {size / MB:.2f} MB")
    assert size <= REGION_BUDGET


@pytest.fixture(scope="module")
def nl_maps(nl_release: Release) -> dict[str, int]:
    table = map_table(nl_release)
    layers = layers_for(table)
    sizes = {"Nederland": len(region_map(nl_release, table=table, layers=layers).get_root().render().encode())}
    biggest_regio = table.groupby("regio").size().idxmax()
    biggest_gemeente = table.groupby("gemeente").size().idxmax()
    sizes[f"regio {biggest_regio}"] = len(
        region_map(nl_release, regio=biggest_regio, table=table, layers=layers).get_root().render().encode())
    sizes[f"gemeente {biggest_gemeente}"] = len(
        region_map(nl_release, gemeente=biggest_gemeente, table=table, layers=layers).get_root().render().encode())
    print({k: f"{v / MB:.2f} MB" for k, v in sizes.items()}, f"{len(table)} wijken")
    return sizes


def test_whole_netherlands_wijken_map_fits_its_budget(nl_maps: dict[str, int], nl_release: Release):
    assert nl_release.manifest["counts"]["wijken"] > 3000, "this must be the whole country"
    assert nl_maps["Nederland"] <= NL_BUDGET


def test_largest_region_map_fits_the_region_budget(nl_maps: dict[str, int]):
    (size,) = [v for k, v in nl_maps.items() if k.startswith("regio ")]
    assert size <= REGION_BUDGET
