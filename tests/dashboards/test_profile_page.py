"""The offline profile page of a wijk, opened from the release folder in Debian's Chromium."""

from __future__ import annotations

import pytest

from insights.release import PUBLIEK, Release


@pytest.fixture(scope="module")
def profile(chromium, ijsselland_release: Release):
    path = ijsselland_release.path / PUBLIEK / "profielen" / "WK019330.html"
    assert path.exists(), "the default build writes a profile page per wijk"
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("request", lambda req: requests.append(req.url))
    page.goto(path.as_uri())
    yield page, errors, requests
    context.close()


def test_profile_page_is_offline_and_error_free(profile):
    page, errors, requests = profile
    assert errors == []
    assert all(url.startswith("file://") for url in requests)
    assert "SYNTHETISCH" in page.inner_text("body")


def test_every_indicator_has_a_spine_with_its_interval_and_a_sparkline_with_a_band(profile):
    page, _, _ = profile
    rows = page.locator("tbody tr")
    assert rows.count() == 4
    for i in range(rows.count()):
        row = rows.nth(i)
        assert row.locator("svg.spine").count() == 1
        assert row.locator("svg.spark").count() == 1
        text = row.inner_text()
        assert any(m in text for m in ("stijgend", "dalend", "geen duidelijke verandering", "onvoldoende gegevens"))
        if "beschermd" not in text.split("\n")[1]:  # a published figure: estimate inside its interval
            box = row.locator("svg.spine rect.interval").bounding_box()
            dot = row.locator("svg.spine circle.estimate").bounding_box()
            assert box and dot
            centre = dot["x"] + dot["width"] / 2
            assert box["x"] - 0.5 <= centre <= box["x"] + box["width"] + 0.5
            assert row.locator("svg.spark polygon.band").count() == 1
