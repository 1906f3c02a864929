"""The default job on the real bundled data: IJsselland built, protected, scored, served, mapped."""

import httpx
import pandas as pd

from insights.disclosure.primary import Status
from insights.ingest import read_rules
from insights.release import MODEL_CARD_FILE, REGISTER_FILE, REPORT_DIR, read_beheer


def test_default_build_covers_ijsselland(ijsselland_release):
    areas = ijsselland_release.areas
    assert areas["level"].value_counts().to_dict() == {"wijk": 149, "gemeente": 11, "regio": 1}
    assert set(areas.loc[areas["level"] == "regio", "code"]) == {"VR04"}
    assert ijsselland_release.manifest["synthetic"] is True
    assert ijsselland_release.periods == [2020, 2021, 2022, 2023, 2024]
    assert "SYNTHETIC" in ijsselland_release.manifest["licence"]


def test_no_published_count_is_below_its_rule_or_unrounded(ijsselland_release, bundled_settings):
    rules = read_rules(bundled_settings.rules)
    cells = ijsselland_release.cells
    published = cells[cells["status"] == Status.published]
    assert len(published) > 0
    for name, rows in published.groupby("indicator"):
        rule = rules.for_indicator(name)
        assert (rows["value"] >= rule.min_count).all(), name
        assert (rows["value"] % rule.rounding_base == 0).all(), name
    hidden = cells[cells["status"] != Status.published]
    assert hidden["value"].isna().all()
    assert "count" not in cells.columns


def test_every_wijk_has_a_reason_when_hidden(ijsselland_release):
    cells = read_beheer(ijsselland_release.path).cells  # reasons are in the steward part
    hidden = cells[cells["status"] != Status.published]
    assert (hidden["reason"].str.len() > 0).all()


def test_served_over_real_http_with_figures_for_the_region_and_a_map(server_url, policy_headers):
    features = []
    url = f"{server_url}/v1/collections/wijken/items?limit=50"
    while url:
        page = httpx.get(url, headers=policy_headers, timeout=30)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("application/geo+json")
        body = page.json()
        features += body["features"]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
    assert len(features) == 149
    assert len({f["id"] for f in features}) == 149
    statuses = pd.Series([f["properties"]["meldingen_status"] for f in features])
    values = pd.Series([f["properties"]["meldingen"] for f in features])
    assert (values[statuses != Status.published].isna()).all()  # hidden is null, never 0
    assert (values[statuses == Status.published] >= 10).all()
    lon, lat = features[0]["geometry"]["coordinates"][0][0][:2] if features[0]["geometry"]["type"] == "Polygon" \
        else features[0]["geometry"]["coordinates"][0][0][0][:2]
    assert 5.5 < lon < 7.0 and 52.0 < lat < 53.0  # CRS84 at the edge
    page = httpx.get(f"{server_url}/v1/kaarten/regio", headers=policy_headers, timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "leaflet" in page.text.lower()


def test_the_api_refuses_anonymous_requests_for_figures(server_url):
    response = httpx.get(f"{server_url}/v1/collections/wijken/items", timeout=30)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_release_carries_steward_report_and_model_card(ijsselland_release):
    folder = ijsselland_release.path
    report = (folder / REPORT_DIR / "onderdrukking.csv").read_text()
    assert "count" not in report.splitlines()[0].split(",")
    assert "Audit geslaagd" in (folder / REPORT_DIR / "onderdrukking.html").read_text()
    card = (folder / MODEL_CARD_FILE).read_text()
    assert "geen prevalentie" in card.lower() or "Meldingen zijn geen prevalentie" in card
    assert (folder / REGISTER_FILE).exists()
    assert set(ijsselland_release.manifest["outputs"]) >= {"modelkaart.md", "algoritmeregister.json"}
    assert not any(name.startswith("rapport") for name in ijsselland_release.manifest["outputs"])
    assert {f"{REPORT_DIR}/onderdrukking.html", MODEL_CARD_FILE} <= set(read_beheer(folder).manifest["outputs"])


def test_nothing_public_tells_threshold_from_secondary_suppression(server_url, policy_headers, session_keys):
    items = httpx.get(f"{server_url}/v1/collections/wijken/items?limit=1000", headers=policy_headers, timeout=30).json()
    properties = [f["properties"] for f in items["features"]]
    statuses = {v for p in properties for k, v in p.items() if k.endswith("_status")}
    assert "beschermd" in statuses
    assert statuses <= set(Status.public)
    assert not any(k.endswith("_reason") for p in properties for k in p)
    rows = httpx.get(f"{server_url}/v1/cijfers", headers=policy_headers, timeout=60).json()
    rows = rows if isinstance(rows, list) else next(v for v in rows.values() if isinstance(v, list))
    assert {r["status"] for r in rows} <= set(Status.public)
    # stewards do see why a cell is hidden
    steward = {"X-API-Key": session_keys[1]["steward"]}
    pattern = httpx.get(f"{server_url}/v1/onderdrukking", headers=steward, timeout=60).json()
    pattern = pattern if isinstance(pattern, list) else next(v for v in pattern.values() if isinstance(v, list))
    assert {Status.below_threshold, Status.secondary} <= {r["status"] for r in pattern}


def _contradictions(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows whose signal says something the 95% interval next to it (as printed, 2 decimals) does not."""
    from insights.risk.signal import HIGHER, LOWER, UNCLEAR

    low, high = rows["rr_low95"].astype(float).round(2), rows["rr_high95"].astype(float).round(2)
    bad = (rows["signal"].eq(HIGHER) & ~(low > 1)) | (rows["signal"].eq(LOWER) & ~(high < 1)) | (
        rows["signal"].eq(UNCLEAR) & ((low > 1) | (high < 1)))
    return rows[bad]


def test_no_api_row_or_profile_contradicts_its_own_numbers(server_url, policy_headers, ijsselland_release):
    from insights.disclosure.primary import public_status
    from insights.risk import indicator_profile
    from insights.risk.signal import HIGHER, LOWER

    body = httpx.get(f"{server_url}/v1/cijfers", headers=policy_headers, timeout=60).json()
    rows = pd.DataFrame(body if isinstance(body, list) else next(v for v in body.values() if isinstance(v, list)))
    assert len(rows) == len(ijsselland_release.scores)
    assert rows["signal"].isin([HIGHER, LOWER]).any()  # the check has something to check
    assert _contradictions(rows).empty, _contradictions(rows).head()
    cells, scores = ijsselland_release.cells, ijsselland_release.scores
    key = ["code", "period", "indicator"]
    assert (cells[key].to_numpy() == scores[key].to_numpy()).all()
    profile = indicator_profile(cells.assign(status=public_status(cells)), scores)
    assert len(profile) == len(scores)
    assert _contradictions(profile).empty, _contradictions(profile).head()
