"""The API docs work offline: Swagger UI comes from the package, under a Content-Security-Policy that
lets no script in from elsewhere, and it renders the operations in a real browser."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from tests.dashboards.conftest import CHROMIUM, CHROMIUM_ARGS


def test_the_docs_page_loads_nothing_from_elsewhere(live_url):
    page = httpx.get(f"{live_url}/v1/docs", timeout=10)
    assert page.status_code == 200 and "http" not in page.text.replace('lang="nl"', "")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-eval" not in csp
    for asset in ("docs/static/swagger-ui-bundle.js", "docs/static/swagger-ui.css", "docs/init.js"):
        assert httpx.get(f"{live_url}/v1/{asset}", timeout=10).status_code == 200, asset
    assert httpx.get(f"{live_url}/v1/docs/static/index.html", timeout=10).status_code == 404


def test_swagger_ui_renders_every_operation_offline_in_a_browser(live_url):
    sync_api = pytest.importorskip("playwright.sync_api")
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install chromium"
    origin = urlparse(live_url).netloc
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            requested, console = [], []
            page.on("request", lambda r: requested.append(r.url))
            page.on("console", lambda m: console.append(m.text))
            page.goto(f"{live_url}/v1/docs")
            page.wait_for_selector(".opblock", timeout=30_000)
            operations = page.locator(".opblock-summary-path").all_inner_texts()
        finally:
            browser.close()
    spec = httpx.get(f"{live_url}/v1/openapi.json", timeout=10).json()
    assert {o.replace("\u200b", "") for o in operations} >= set(spec["paths"]) - {"/"}
    assert all(urlparse(u).netloc == origin for u in requested if u.startswith("http")), requested
    assert not [m for m in console if "Content Security Policy" in m], console
