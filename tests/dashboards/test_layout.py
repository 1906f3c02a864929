"""The maps on a phone, a tablet and a desktop screen, and on paper, in Debian's Chromium (Playwright),
served by the live API: panels fold and never hide the selected area, every wijk can be reached,
names are on the map and on the print. Screenshots go to ``test-output/screenshots/``."""

from __future__ import annotations

import pytest

from tests.dashboards.conftest import TEST_OUTPUT, Site

pytestmark = pytest.mark.browser

SCREENS = {"telefoon": (390, 844), "tablet": (768, 1024), "desktop": (1366, 768)}
A4_LANDSCAPE_PX = (1123, 794)  # 297 × 210 mm at 96 px per inch
SCREENSHOTS = TEST_OUTPUT / "screenshots"
MAX_PANEL_SHARE = 0.25

# Per panel: the share of the map it covers. All rectangles relative to the page.
_PANELS = """() => {
  const map = document.getElementById('map_hd').getBoundingClientRect();
  const clip = (r) => Math.max(0, Math.min(r.right, map.right) - Math.max(r.left, map.left))
                    * Math.max(0, Math.min(r.bottom, map.bottom) - Math.max(r.top, map.top));
  const panels = Array.from(document.querySelectorAll('.leaflet-control')).filter((el) => el.offsetWidth > 0);
  return panels.map((el) => {
    const r = el.getBoundingClientRect();
    return {name: el.className.split(' ').filter((c) => c.startsWith('hd-') || c.includes('control-')).join(' '),
            share: clip(r) / (map.width * map.height), rect: [r.left, r.top, r.right, r.bottom]};
  });
}"""

# The box around every wijk on screen.
_AREA = """() => {
  let box = null;
  document.querySelectorAll('path[data-code]').forEach((el) => {
    const r = el.getBoundingClientRect();
    box = box ? [Math.min(box[0], r.left), Math.min(box[1], r.top),
                 Math.max(box[2], r.right), Math.max(box[3], r.bottom)]
              : [r.left, r.top, r.right, r.bottom];
  });
  return box;
}"""

# Wijken the mouse cannot reach: at rest, at the name's point (inside the wijk) the wijk is what the
# mouse touches, outside every panel; a wijk too small for that at rest must be reachable zoomed in.
_UNREACHABLE = """() => {
  const api = window.helpendeMapApi, box = document.getElementById('map_hd').getBoundingClientRect();
  const panels = Array.from(document.querySelectorAll('.leaflet-control')).map((el) => el.getBoundingClientRect());
  function hits(layer) {
    const l = layer.feature.properties.l, p = map_hd.latLngToContainerPoint([l[1], l[0]]);
    const x = box.left + p.x, y = box.top + p.y;
    if (panels.some((r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom)) { return false; }
    const el = document.elementFromPoint(x, y);
    return !!el && el.getAttribute('data-code') === layer.feature.properties.c;
  }
  const atRest = [], missing = [];
  api.areas.eachLayer((layer) => { if (!hits(layer)) { atRest.push(layer); } });
  atRest.forEach((layer) => {
    const l = layer.feature.properties.l;
    map_hd.setView([l[1], l[0]], 15, {animate: false});
    if (!hits(layer)) { missing.push(layer.feature.properties.c); }
  });
  api.fit();
  return {total: document.querySelectorAll('path[data-code]').length, zoomedIn: atRest.length, missing: missing};
}"""


def _overlap(a: list[float], b: list[float]) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


@pytest.fixture(scope="module")
def open_map(chromium, map_site: Site):
    """``open_map(name, width, height)``: the map in a page of that size; the same page again unless
    ``fresh`` (a test that zooms, prints or folds asks for its own page)."""
    contexts, pages = [], {}

    def open_(name: str, width: int, height: int, *, fresh: bool = False):
        if not fresh and (name, width, height) in pages:
            return pages[name, width, height]
        context = chromium.new_context(viewport={"width": width, "height": height}, extra_http_headers=map_site.headers,
                                       service_workers="block")
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        response = page.goto(f"{map_site.url}/v1/kaarten/{name}", wait_until="load")
        assert response is not None and response.status == 200
        page.wait_for_selector("path[data-code]", state="attached")
        page.wait_for_function("() => window.helpendeMapApi !== undefined")
        if not fresh:
            pages[name, width, height] = page, errors
        return page, errors

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("kaart", ["regio", "GM0193"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_panels_fold_and_leave_the_selected_area_free(open_map, screen: str, kaart: str):
    page, errors = open_map(kaart, *SCREENS[screen])
    panels = page.evaluate(_PANELS)
    names = " ".join(p["name"] for p in panels)
    for expected in ("leaflet-control-zoom", "hd-panel", "hd-layers", "hd-legend-box", "leaflet-control-scale"):
        assert expected in names, (expected, names)
    for panel in panels:
        assert panel["share"] <= MAX_PANEL_SHARE, (screen, kaart, panel)
    area = page.evaluate(_AREA)
    inner = [area[0] + 1, area[1] + 1, area[2] - 1, area[3] - 1]  # 1 px for the borders' anti-aliasing
    for panel in panels:  # no panel over the box around the selected wijken
        assert _overlap(inner, panel["rect"]) == 0, (screen, kaart, panel, area)
    assert errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(1, SCREENS[screen][1] - 1)
    page.screenshot(path=str(SCREENSHOTS / f"{kaart}_{screen}.png"))


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_wijk_can_be_reached_with_the_mouse(open_map, screen: str, ijsselland_release):
    page, _ = open_map("regio", *SCREENS[screen])
    result = page.evaluate(_UNREACHABLE)
    wijken = ijsselland_release.areas["level"].eq("wijk").sum()
    assert result["total"] == wijken
    assert result["missing"] == []
    assert result["zoomedIn"] < wijken / 2, "most wijken should be reachable without zooming in"


def test_a_panel_folds_and_unfolds_with_a_click(open_map):
    page, _ = open_map("GM0193", *SCREENS["telefoon"], fresh=True)
    legend = page.locator(".hd-legend-box")
    before = legend.evaluate("el => el.open")
    legend.locator("summary").click()
    assert legend.evaluate("el => el.open") is (not before)
    legend.locator("summary").click()
    assert legend.evaluate("el => el.open") is before


@pytest.mark.parametrize("screen", list(SCREENS))
def test_wijk_and_gemeente_names_are_on_the_map(open_map, screen: str, ijsselland_release):
    areas = ijsselland_release.areas
    gemeenten = set(areas.loc[areas["level"].eq("gemeente"), "naam"])
    page, _ = open_map("regio", *SCREENS[screen])
    shown = page.locator(".hd-label-g.hd-label-on").all_inner_texts()
    assert sorted(shown) == sorted(gemeenten), shown  # every gemeente named, each once
    page, _ = open_map("GM0193", *SCREENS[screen], fresh=True)
    wijken = page.locator(".hd-label-w.hd-label-on").all_inner_texts()
    assert len(wijken) >= 5, wijken
    # a wijk too small for its name at rest shows it once the reader zooms in on it
    hidden = page.evaluate("""() => {
      const shown = new Set(Array.from(document.querySelectorAll('.hd-label-w.hd-label-on'), (el) => el.textContent));
      let name = null;
      window.helpendeMapApi.areas.eachLayer((layer) => {
        const p = layer.feature.properties;
        if (!name && !shown.has(p.s || p.n)) {
          name = p.s || p.n; map_hd.fitBounds(layer.getBounds(), {animate: false});
        }
      });
      return name;
    }""")
    assert hidden, "every name already shown at rest: nothing to zoom in on"
    assert hidden in page.locator(".hd-label-w.hd-label-on").all_inner_texts()


def test_the_scale_is_metric_only(open_map):
    page, _ = open_map("GM0193", *SCREENS["desktop"])
    scales = page.locator(".leaflet-control-scale-line").all_inner_texts()
    assert len(scales) == 1 and scales[0].split()[-1] in ("m", "km"), scales


def test_the_tooltip_names_the_gemeente(open_map):
    page, _ = open_map("regio", *SCREENS["desktop"], fresh=True)
    page.locator('path[data-code^="WK0148"]').first.focus()
    text = page.locator("#hd-tooltip").inner_text()
    assert "gemeente Dalfsen" in text


@pytest.mark.parametrize("kaart", ["regio", "GM0193"])
def test_the_printed_map_carries_the_names_and_the_legend_but_no_buttons(open_map, kaart: str):
    page, _ = open_map(kaart, *SCREENS["desktop"], fresh=True)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_LANDSCAPE_PX[0], "height": A4_LANDSCAPE_PX[1]})
    page.wait_for_function("() => document.querySelectorAll('.hd-label-on').length > 0")
    assert page.locator(".hd-label-on").count() >= 5
    assert page.locator(".hd-legend").is_visible()
    assert not page.locator(".hd-layers").is_visible() and not page.locator(".leaflet-control-zoom").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{kaart}_afdruk.png"))


@pytest.fixture
def tile_server():
    """A real local tile server: every /{z}/{x}/{y}.png is one 256 px light-blue PNG; paths it served are kept."""
    import io
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 220, 240)).save(buffer, format="PNG")
    tile, served = buffer.getvalue(), []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served
    server.shutdown()
    server.server_close()


def test_an_optional_local_background_comes_from_that_server_only(chromium, ijsselland_release, tile_server, tmp_path):
    from dashboards.render import region_map
    from dashboards.settings import MapSettings

    base, served = tile_server
    settings = MapSettings(tiles_url=base + "/tegels/{z}/{x}/{y}.png")
    page_file = tmp_path / "kaart.html"
    region_map(ijsselland_release, gemeente="GM0193", settings=settings).save(str(page_file))
    context = chromium.new_context(viewport={"width": 768, "height": 1024})
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        page.wait_for_selector("img.leaflet-tile-loaded", state="attached")
        assert served and all(path.startswith("/tegels/") for path in served)
        assert [u for u in requests if not u.startswith(("file:", "data:", base + "/tegels/"))] == []
        # the wijken let the background show through
        assert page.locator("path[data-code]").first.get_attribute("fill-opacity") == "0.72"
    finally:
        context.close()
