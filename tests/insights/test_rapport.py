"""The steward report as a steward uses it: files in the release, the page in a real browser."""

from __future__ import annotations

import csv
import io

import pytest

from insights.release import REPORT_DIR, Release


def _gemeenten(release: Release) -> dict[str, str]:
    areas = release.areas
    return dict(zip(areas.loc[areas["level"].eq("gemeente"), "code"], areas.loc[areas["level"].eq("gemeente"), "naam"]))


def test_each_gemeente_has_a_csv_for_excel_with_its_cells_and_no_count(ijsselland_release: Release):
    folder = ijsselland_release.path / REPORT_DIR
    gemeenten = _gemeenten(ijsselland_release)
    assert sorted(p.stem for p in (folder / "gemeenten").glob("*.csv")) == sorted(gemeenten)
    raw = (folder / "gemeenten" / "GM0193.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header = list(rows[0])
    assert header[:3] == ["Gemeente", "Gebied", "Code"] and "Toestand" in header and "Voldoende beschermd" in header
    assert not {"count", "aantal", "hidden_primary", "protection_ok", "status"} & set(header)
    assert {r["Gemeente"] for r in rows} == {f"{gemeenten['GM0193']} (GM0193)"}
    cells = ijsselland_release.cells
    zwolle = cells[cells["code"].str.startswith("WK0193") | cells["code"].eq("GM0193")]
    assert len(rows) == len(zwolle)
    for row in rows:  # a hidden cell has no value in the file: never a number, never 0
        if row["Toestand"] != "gepubliceerd":
            assert row["Gepubliceerde waarde"] == "", row


@pytest.fixture(scope="module")
def report_page(chromium, ijsselland_release: Release):
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((ijsselland_release.path / REPORT_DIR / "onderdrukking.html").as_uri())
    yield page, requests
    context.close()


def test_the_report_filters_and_sorts_in_the_page_itself(report_page, ijsselland_release: Release):
    page, requests = report_page
    assert all(url.startswith("file:") for url in requests), requests  # offline: nothing from elsewhere
    body = page.locator("#cellen tbody tr:visible")
    hidden = int(ijsselland_release.cells["value"].isna().sum())
    assert body.count() == hidden  # at rest: every hidden cell, nothing else
    assert page.locator("#aantal").inner_text() == f"{hidden} van {len(ijsselland_release.cells)} cellen"

    zwolle = f"{_gemeenten(ijsselland_release)['GM0193']} (GM0193)"
    page.select_option('#filters select[data-col="0"]', zwolle)
    first_column = set(page.locator("#cellen tbody tr:visible td:first-child").all_inner_texts())
    assert first_column == {zwolle}
    page.fill("#zoek", "Wipstrik")
    names = set(page.locator("#cellen tbody tr:visible td:nth-child(2)").all_inner_texts())
    assert names and all("Wipstrik" in n for n in names)

    page.fill("#zoek", "")
    page.select_option('#filters select[data-col="0"]', "")
    page.locator("#cellen th", has_text="Code").locator("button").click()
    codes = page.locator("#cellen tbody tr:visible td:nth-child(3)").all_inner_texts()
    assert codes == sorted(codes) and len(set(codes)) > 1
    page.locator("#cellen th", has_text="Code").locator("button").click()
    assert page.locator("#cellen tbody tr:visible td:nth-child(3)").all_inner_texts() == sorted(codes, reverse=True)


def test_the_report_summarises_per_gemeente_before_the_cells(report_page, ijsselland_release: Release):
    page, _ = report_page
    headings = page.locator("h2").all_inner_texts()
    assert headings[0] == "Per gemeente en indicator" and headings[-1] == "Alle cellen"
    summary = page.locator("table").first
    for code, naam in _gemeenten(ijsselland_release).items():
        assert f"{naam} ({code})" in summary.inner_text()
    assert summary.locator('a[href="gemeenten/GM0193.csv"]').count() == 1  # one row per gemeente
