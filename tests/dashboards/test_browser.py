"""The region map in a real browser (Debian's headless Chromium through Playwright), served by the
live API: it loads cleanly, asks nothing from any other host, and a person can read it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from dashboards.classify import HIDDEN_LABEL
from insights.disclosure.primary import Status
from insights.release import Release
from tests.dashboards.conftest import TEST_OUTPUT, Site

pytestmark = pytest.mark.browser

LAYER_COUNT = 5  # risk score of meldingen + the rate of each of the 4 indicators


@pytest.fixture(scope="module")
def region_page(chromium, map_site: Site):
    """The region map opened in a fresh browser context; every request and console message recorded."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, extra_http_headers=map_site.headers,
                                   service_workers="block")
    page = context.new_page()
    record = {"requests": [], "console_errors": [], "page_errors": []}
    page.on("request", lambda r: record["requests"].append(r.url))
    page.on("console", lambda m: record["console_errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: record["page_errors"].append(str(e)))
    local = urlsplit(map_site.url).netloc
    # Anything for another host is recorded above and then refused, so the test cannot hang on it.
    page.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).netloc == local
               else route.abort())
    response = page.goto(f"{map_site.url}/v1/kaarten/regio", wait_until="load")
    assert response is not None and response.status == 200
    page.wait_for_selector("path[data-code]")
    yield page, record
    context.close()


def _external(urls: list[str], site: Site) -> list[str]:
    local = urlsplit(site.url).netloc
    return [u for u in urls if urlsplit(u).scheme not in ("data", "about", "blob") and urlsplit(u).netloc != local]


def test_map_loads_without_errors_and_without_other_hosts(region_page, map_site: Site):
    page, record = region_page
    page.wait_for_timeout(300)
    assert record["page_errors"] == [] and record["console_errors"] == []
    assert record["requests"], "no request recorded at all"
    assert _external(record["requests"], map_site) == []
    assert page.locator("path[data-code]").count() == 149  # every wijk of IJsselland


def test_legend_and_layer_switcher_are_present_and_the_legend_follows_the_layer(region_page):
    page, _ = region_page
    legend = page.locator("#hd-legend")
    assert legend.is_visible()
    assert "Risicosignaal meldingen" in legend.inner_text() and HIDDEN_LABEL in legend.inner_text()
    radios = page.locator(".leaflet-control-layers-base input[type=radio]")
    assert radios.count() == LAYER_COUNT
    page.get_by_text("Echtscheidingen (per 1.000 inwoners)").click()
    assert "Echtscheidingen" in legend.inner_text() and "Kleuren:" in legend.inner_text()
    page.get_by_text("Risicosignaal meldingen").first.click()
    assert "Risicosignaal meldingen" in legend.inner_text()


def _screen_point(page, code: str, lon: float, lat: float) -> tuple[float, float] | None:
    """Screen position of (lon, lat), if the wijk ``code`` is what the mouse would touch there."""
    return page.evaluate(
        """([code, lat, lon]) => {
            const p = map_hd.latLngToContainerPoint([lat, lon]);
            const box = document.getElementById('map_hd').getBoundingClientRect();
            const x = box.left + p.x, y = box.top + p.y;
            const hit = document.elementFromPoint(x, y);
            return hit && hit.getAttribute('data-code') === code ? [x, y] : null;
        }""",
        [code, lat, lon],
    )


def _hover_some(page, release: Release, codes: list[str]) -> tuple[str, str]:
    areas = release.areas.set_index("code").loc[codes].to_crs("EPSG:4326")
    for code, row in areas.iterrows():
        point = row.geometry.representative_point()
        xy = _screen_point(page, code, point.x, point.y)
        if xy:
            page.mouse.move(*xy)
            tooltip = page.locator("#hd-tooltip")
            tooltip.wait_for(state="visible")
            return code, tooltip.inner_text()
    raise AssertionError(f"none of {codes[:5]}… could be reached by the mouse")


def _wijken(release: Release, statuses: tuple[str, ...]) -> list[str]:
    cells = release.cells
    rows = cells[cells["level"].eq("wijk") & cells["period"].eq(max(release.periods))
                 & cells["indicator"].eq("meldingen") & cells["status"].isin(statuses)]
    return sorted(rows["code"])


def test_hovering_a_wijk_shows_its_tooltip(region_page, ijsselland_release: Release):
    page, _ = region_page
    code, text = _hover_some(page, ijsselland_release, _wijken(ijsselland_release, (Status.published,)))
    naam = ijsselland_release.areas.set_index("code").loc[code, "naam"]
    assert naam in text and code in text
    for part in ("per 1.000 huishoudens", "95%-interval", "signaal:", "periode:", "SYNTHETISCHE"):
        assert part in text, (part, text)


def test_a_hidden_wijk_is_hatched_and_says_so(region_page, ijsselland_release: Release):
    page, _ = region_page
    hidden = _wijken(ijsselland_release, (Status.protected, Status.secret_at_source))  # the release's public states
    assert hidden
    fill = page.locator(f'path[data-code="{hidden[0]}"]').get_attribute("fill")
    assert fill == "url(#hd-hatch)"
    pattern = page.locator("svg pattern#hd-hatch")
    assert pattern.count() == 1 and pattern.locator("line").count() == 1
    # the hatch is a neutral grey, never a colour of the legend
    assert pattern.locator("rect").get_attribute("fill") == "#d9d9d9"
    _, text = _hover_some(page, ijsselland_release, hidden)
    assert HIDDEN_LABEL in text


def test_screenshot_for_a_person_to_look_at(region_page):
    page, _ = region_page
    page.mouse.move(5, 795)
    TEST_OUTPUT.mkdir(exist_ok=True)
    path = TEST_OUTPUT / "kaart_regio.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000


def _focused_code(page) -> str | None:
    return page.evaluate("() => document.activeElement && document.activeElement.getAttribute('data-code')")


def test_a_keyboard_user_reaches_the_wijken_and_reads_their_tooltips(region_page, ijsselland_release: Release):
    page, _ = region_page
    names = ijsselland_release.areas.set_index("code")["naam"]
    page.mouse.move(5, 795)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(60):  # past the zoom buttons, layer switcher and panel, with Tab alone
        page.keyboard.press("Tab")
        if _focused_code(page):
            break
    first = _focused_code(page)
    assert first, "Tab never reached an area of the map"
    area = page.locator(f'path[data-code="{first}"]')
    assert area.get_attribute("aria-label") == f"{names[first]} ({first})"
    tooltip = page.locator("#hd-tooltip")
    assert tooltip.is_visible() and names[first] in tooltip.inner_text() and "periode:" in tooltip.inner_text()

    page.keyboard.press("Tab")
    second = _focused_code(page)
    assert second and second != first
    assert tooltip.is_visible() and names[second] in tooltip.inner_text()
    assert area.get_attribute("stroke-width") != "3"  # the highlight left the first area

    page.keyboard.press("Escape")
    assert not tooltip.is_visible()
    page.keyboard.press("Enter")
    assert tooltip.is_visible() and names[second] in tooltip.inner_text()
    page.keyboard.press("Shift+Tab")
    assert _focused_code(page) == first
    assert page.locator("path[tabindex='0'][data-code]").count() == 149
