"""The maps the build writes into a release: one per gemeente and the region, offline, and holding
no hidden figure."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from dashboards.classify import FEW, HIDDEN
from dashboards.render import region_map
from dashboards.settings import MapSettings
from insights.disclosure.primary import Status
from insights.release import Release
from tests.dashboards.conftest import map_config

# the SVG namespace, Leaflet's attribution link and two bug-tracker links in Leaflet's comments
ALLOWED_URLS = {"http://www.w3.org/2000/svg", "https://leafletjs.com",
                "https://bugs.chromium.org/p/chromium/issues/detail?id=600120",
                "https://bugzilla.mozilla.org/show_bug.cgi?id=888319"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_release_has_a_region_map_and_one_map_and_print_per_gemeente(ijsselland_release: Release, release_maps):
    gemeenten = sorted(ijsselland_release.areas.loc[ijsselland_release.areas["level"].eq("gemeente"), "code"])
    expected = {f"{name}.{ext}" for name in ["regio", *gemeenten] for ext in ("html", "png")}
    assert set(release_maps) == expected
    for name in expected:
        if name.endswith(".png"):
            assert release_maps[name].read_bytes()[:8] == PNG_MAGIC
    assert all(f"kaarten/{n}" in ijsselland_release.manifest["outputs"] for n in expected), "maps are hashed"


def test_a_gemeente_map_holds_exactly_its_own_wijken(ijsselland_release: Release, release_maps):
    areas = ijsselland_release.areas
    wijken = set(areas.loc[areas["level"].eq("wijk") & areas["gemeente"].eq("GM0193"), "code"])
    config = map_config(release_maps["GM0193.html"].read_text(encoding="utf-8"))
    assert {f["properties"]["c"] for f in config["data"]["features"]} == wijken


def test_no_request_can_leave_the_machine(release_maps):
    for name, path in release_maps.items():
        if not name.endswith(".html"):
            continue
        page = path.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=", page), name
        assert not re.search(r"<link[^>]+href=", page), name
        assert not re.search(r"url\((?!data:|#)", page), f"{name}: CSS url() pointing outside the page"
        assert "L.tileLayer(" not in page, f"{name}: tiles are off by default"
        # every absolute URL left is a name or a link a person may click, never something loaded
        urls = set(re.findall(r"https?://[^\"'\s)<]+", page))
        assert urls <= ALLOWED_URLS, f"{name}: {sorted(urls - ALLOWED_URLS)}"


def test_tiles_come_only_from_the_configured_local_server(ijsselland_release: Release):
    page = region_map(ijsselland_release, gemeente="GM0193",
                      settings=MapSettings(tiles_url="http://127.0.0.1:8080/tegels/{z}/{x}/{y}.png")).get_root().render()
    assert "http://127.0.0.1:8080/tegels/{z}/{x}/{y}.png" in page
    with pytest.raises(ValueError, match=r"\{z\}"):
        MapSettings(tiles_url="http://127.0.0.1:8080/tegels.png")


def _hidden_cells(release: Release) -> pd.DataFrame:
    period = max(release.periods)
    cells = release.cells
    return cells[cells["level"].eq("wijk") & cells["period"].eq(period) & cells["status"].isin(Status.hidden)]


def test_no_hidden_value_appears_in_any_map(ijsselland_release: Release, release_maps):
    hidden = _hidden_cells(ijsselland_release)
    assert len(hidden) > 0, "the bundled build should hide some wijk cells"
    assert hidden["value"].isna().all(), "the release itself holds no hidden value"
    hidden_by_code = hidden.groupby("code")["indicator"].apply(set).to_dict()
    checked = 0
    for name, path in release_maps.items():
        if not name.endswith(".html"):
            continue
        config = map_config(path.read_text(encoding="utf-8"))
        layer_indicator = [layer["indicator"] for layer in config["layers"]]
        for feature in config["data"]["features"]:
            props = feature["properties"]
            for indicator in hidden_by_code.get(props["c"], ()):
                figures = props["d"][indicator]
                # [state, signal]: a state letter and a signal code, no number of any kind
                assert figures[0] in (HIDDEN, FEW) and len(figures) == 2, (name, props["c"], indicator, figures)
                assert not any(isinstance(x, (int, float)) and not isinstance(x, bool) for x in figures)
                for klass, layer_ind in zip(props["k"], layer_indicator):
                    if layer_ind == indicator:
                        assert klass in (HIDDEN, FEW), (name, props["c"], indicator, klass)
                checked += 1
    assert checked >= len(hidden)


def test_published_figures_in_the_map_are_the_release_figures(ijsselland_release: Release, release_maps):
    period = max(ijsselland_release.periods)
    cells = ijsselland_release.cells
    published = cells[cells["level"].eq("wijk") & cells["period"].eq(period) & cells["status"].eq(Status.published)]
    value = published.set_index(["code", "indicator"])["value"]
    config = map_config(release_maps["regio.html"].read_text(encoding="utf-8"))
    seen = 0
    for feature in config["data"]["features"]:
        props = feature["properties"]
        for indicator, figures in props["d"].items():
            if figures and figures[0] == "p":
                assert figures[1] == int(value.loc[(props["c"], indicator)])
                seen += 1
    assert seen == len(published)


def test_explanation_panel_and_banner_say_what_the_map_is(ijsselland_release: Release, release_maps):
    page = release_maps["regio.html"].read_text(encoding="utf-8")
    config = map_config(page)
    assert "geen oordeel over een huishouden" in config["panel"]
    assert ijsselland_release.id in config["panel"] and str(max(ijsselland_release.periods)) in config["panel"]
    assert ijsselland_release.synthetic and "SYNTHETISCHE DEMONSTRATIEDATA" in page
    assert all("Kleuren:" in layer["legend"] and "beschermd: te weinig waarnemingen" in layer["legend"]
               for layer in config["layers"])


def test_maps_are_byte_identical_when_rendered_twice(ijsselland_release: Release, release_maps):
    again = region_map(ijsselland_release, gemeente="GM0193").get_root().render()
    assert again == release_maps["GM0193.html"].read_text(encoding="utf-8")


def test_print_png_is_served_with_the_same_role_rules_as_the_map(server_url: str, session_keys):
    import httpx

    keys = session_keys[1]
    policy, wijkteam = {"X-API-Key": keys["policy"]}, {"X-API-Key": keys["wijkteam"]}  # wijkteam: Zwolle only
    response = httpx.get(f"{server_url}/v1/kaarten/regio.png", headers=policy, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content[:8] == PNG_MAGIC
    assert httpx.get(f"{server_url}/v1/kaarten/GM0193.png", headers=wijkteam, timeout=30).status_code == 200
    assert httpx.get(f"{server_url}/v1/kaarten/GM0148.png", headers=wijkteam, timeout=30).status_code == 403
    assert httpx.get(f"{server_url}/v1/kaarten/regio.png", headers=wijkteam, timeout=30).status_code == 403
    assert httpx.get(f"{server_url}/v1/kaarten/GM0193.png", timeout=30).status_code == 401


def test_a_worker_process_renders_the_same_maps(ijsselland_release: Release, release_maps):
    # What each process of the parallel path (whole-country releases) runs, here in-process: it
    # computes table and classes itself, so its maps must equal the ones the build wrote.
    # (bench/bench_maps.py runs the real process pool on an NL release.)
    import pickle

    from dashboards import render

    release = pickle.loads(pickle.dumps(ijsselland_release))  # as the pool sends it to a worker
    render._worker_init(release, MapSettings(png=False))
    try:
        maps = render._worker_render([("regio", None), ("GM0193", "GM0193")])
    finally:
        render._WORKER.clear()
    assert sorted(maps) == ["kaarten/GM0193.html", "kaarten/regio.html"]
    for relative, page in maps.items():
        assert page == release_maps[relative.split("/")[1]].read_text(encoding="utf-8"), relative


def test_region_maps_carry_gemeente_borders_and_names_and_gemeente_maps_do_not(ijsselland_release: Release,
                                                                                release_maps):
    areas = ijsselland_release.areas
    gemeenten = areas[areas["level"].eq("gemeente")].set_index("code")["naam"]
    region = map_config(release_maps["regio.html"].read_text(encoding="utf-8"))
    assert region["gemeenten"] == gemeenten.sort_index().to_dict()
    assert {g["c"]: g["n"] for g in region["outlines"]["names"]} == gemeenten.to_dict()
    assert region["outlines"]["lines"]["type"] in ("MultiLineString", "LineString")
    gemeente = map_config(release_maps["GM0193.html"].read_text(encoding="utf-8"))
    assert gemeente["outlines"] is None and gemeente["gemeenten"] == {"GM0193": gemeenten["GM0193"]}


def test_each_wijk_name_sits_inside_its_wijk(ijsselland_release: Release, release_maps):
    import shapely

    shapes = ijsselland_release.areas.set_index("code").to_crs("EPSG:4326").geometry
    config = map_config(release_maps["regio.html"].read_text(encoding="utf-8"))
    for feature in config["data"]["features"]:
        props = feature["properties"]
        # the label point is rounded to ~10 m; the boundaries the map draws are simplified by 20 m
        assert shapes[props["c"]].buffer(0.0005).contains(shapely.Point(props["l"])), props["c"]
        assert not props.get("s", "").startswith("Wijk ")


def test_the_print_png_names_the_wijken_and_on_the_region_the_gemeenten(ijsselland_release: Release, release_maps):
    from PIL import Image

    from dashboards.labels import short_name

    areas = ijsselland_release.areas
    zwolle = {short_name(n) for n in areas.loc[areas["level"].eq("wijk") & areas["gemeente"].eq("GM0193"), "naam"]}
    printed = Image.open(release_maps["GM0193.png"]).text["Description"].removeprefix("Namen op de kaart: ").split("; ")
    assert len(printed) >= 5 and set(printed) <= zwolle, printed
    region = Image.open(release_maps["regio.png"]).text["Description"]
    for naam in areas.loc[areas["level"].eq("gemeente"), "naam"]:
        assert naam in region
