import json

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo.boundaries import normalise_wijken
from geo.errors import BoundaryError
from geo.hierarchy import build_hierarchy, parent_of
from geo.io import read_boundaries

BOWTIE = Polygon([(6.0, 52.5), (6.01, 52.51), (6.01, 52.5), (6.0, 52.51), (6.0, 52.5)])  # self-intersecting


@pytest.fixture
def wgs84_wijken() -> gpd.GeoDataFrame:
    """Two Zwolle wijken (real codes), one water wijk and Buitenland; one invalid polygon."""
    return gpd.GeoDataFrame(
        {
            "wijkcode": ["WK019310", "WK019311", "WK019399", "WK099899"],
            "wijknaam": ["Wijk 10 Binnenstad", "Wijk 11 Diezerpoort", "Groot water", "Buitenland"],
            "gemeentecode": ["GM0193", "GM0193", "GM0193", "GM0998"],
            "gemeentenaam": ["Zwolle", "Zwolle", "Zwolle", "Buitenland"],
            "aantal_inwoners": [6540, -99999999, None, None],
            "huishoudens": [4330, 2910, None, None],
        },
        geometry=[box(6.09, 52.50, 6.10, 52.51), BOWTIE, box(6.2, 52.6, 6.3, 52.7), box(4.9, 51.4, 4.95, 51.45)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp"])
def test_boundaries_are_repaired_and_held_in_rd_new(tmp_path, wgs84_wijken, suffix):
    path = tmp_path / f"wijken{suffix}"
    wgs84_wijken.to_file(path)
    frame = read_boundaries(path)
    assert frame.crs.to_epsg() == 28992
    assert frame.geometry.is_valid.all()
    # RD New coordinates of Zwolle are metres around (203 000, 502 000)
    x, y = frame.geometry.iloc[0].centroid.coords[0]
    assert 190_000 < x < 215_000 and 490_000 < y < 515_000


def test_topojson_without_crs_is_read_as_wgs84(tmp_path):
    topo = {
        "type": "Topology",
        "objects": {"wijken": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0]], "properties": {"wijkcode": "WK019310"}}]}},
        "arcs": [[[6.09, 52.50], [6.10, 52.50], [6.10, 52.51], [6.09, 52.51], [6.09, 52.50]]],
    }
    path = tmp_path / "wijken.topojson"
    path.write_text(json.dumps(topo))
    frame = read_boundaries(path)
    assert frame.crs.to_epsg() == 28992
    assert frame["wijkcode"].tolist() == ["WK019310"]
    assert 190_000 < frame.geometry.iloc[0].centroid.x < 215_000


def test_unreadable_and_missing_files_name_the_file(tmp_path):
    with pytest.raises(BoundaryError, match="not found"):
        read_boundaries(tmp_path / "nope.geojson")
    bad = tmp_path / "kapot.geojson"
    bad.write_text("{ not json")
    with pytest.raises(BoundaryError, match="kapot.geojson"):
        read_boundaries(bad)


def test_normalise_wijken_drops_water_and_abroad_and_reads_sentinels_as_secret(wgs84_wijken):
    frame = normalise_wijken(wgs84_wijken.to_crs("EPSG:28992"))
    assert frame["code"].tolist() == ["WK019310", "WK019311"]
    assert frame["inwoners"].iloc[0] == 6540
    assert frame["inwoners"].isna().iloc[1]  # -99999999 is secret, never a count
    assert str(frame["inwoners"].dtype) == "Int64"


def test_normalise_wijken_names_the_missing_column(wgs84_wijken):
    with pytest.raises(BoundaryError, match="huishoudens"):
        normalise_wijken(wgs84_wijken.drop(columns="huishoudens"))


def test_hierarchy_links_wijk_gemeente_regio_nederland(wgs84_wijken):
    import pandas as pd

    wijken = normalise_wijken(wgs84_wijken)
    regions = pd.DataFrame({"gemeentecode": ["GM0193"], "gemeentenaam": ["Zwolle"],
                            "veiligheidsregiocode": ["VR04"], "veiligheidsregionaam": ["IJsselland"]})
    hierarchy = build_hierarchy(wijken, regions)
    parents = parent_of(hierarchy)
    assert parents["WK019310"] == "GM0193"
    assert parents["GM0193"] == "VR04"
    assert parents["VR04"] == "NL01"
    assert pd.isna(parents["NL01"])
    assert hierarchy["level"].tolist() == ["wijk", "wijk", "gemeente", "regio", "nederland"]


def test_make_valid_keeps_area(wgs84_wijken):
    from geo.geometry import repair

    repaired = repair(wgs84_wijken.iloc[[1]])
    assert repaired.geometry.is_valid.all()
    assert shapely.area(repaired.geometry.iloc[0]) > 0
