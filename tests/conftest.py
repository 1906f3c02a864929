"""Actors shared by the whole suite: the bundled real data, a built release, a live server.

Tests never read ``../shared``: the repository's own ``data/`` must be enough. A missing bundled
file fails the test (no skip).
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
import uvicorn
from shapely.geometry import box

from insights.release import Release
from insights.settings import BuildSettings


@pytest.fixture(scope="session")
def bundled_settings() -> BuildSettings:
    settings = BuildSettings()
    for path in (settings.boundaries, settings.regions, settings.covariates, *settings.indicators, settings.rules):
        assert Path(path).exists(), f"bundled input missing: {path}"
    return settings


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (Playwright never downloads a browser here); one per session, shared
    by the map tests and the steward report test."""
    sync_api = pytest.importorskip("playwright.sync_api")
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: apt-get install chromium"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def releases_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("releases")


@pytest.fixture(scope="session")
def ijsselland_release(bundled_settings: BuildSettings, releases_dir: Path) -> Release:
    """The default build (IJsselland, bundled data, maps included), built once per session."""
    from dashboards.pages import render_release_pages
    from insights.pipeline import build_release

    settings = bundled_settings.model_copy(update={"releases_dir": releases_dir})
    return build_release(settings, progress=lambda _: None, extra_files=render_release_pages)


@pytest.fixture(scope="session")
def national_release(bundled_settings: BuildSettings, tmp_path_factory: pytest.TempPathFactory) -> Release:
    """``helpende-data build --region Nederland --no-maps`` on the bundled data, built once per session
    (tens of seconds: use it from tests marked ``slow`` only)."""
    from insights.pipeline import build_release

    settings = bundled_settings.model_copy(update={"releases_dir": tmp_path_factory.mktemp("releases_nl")})
    return build_release(settings, region="Nederland", progress=lambda _: None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real uvicorn server on a loopback port, in a background thread, configured as
    ``helpende-data serve`` configures it (:func:`api.server.server_config`)."""

    def __init__(self, app) -> None:
        from api.server import server_config

        self.port = _free_port()
        self.server = uvicorn.Server(server_config(app, host="127.0.0.1", port=self.port))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def session_keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A keys file with one demo key per role (wijkteam: Zwolle; policy, steward: IJsselland)."""
    from api.keys import issue_demo_keys

    path = tmp_path_factory.mktemp("keys") / "keys.json"
    return path, issue_demo_keys(path)


@pytest.fixture(scope="session")
def policy_headers(session_keys) -> dict[str, str]:
    return {"X-API-Key": session_keys[1]["policy"]}


@pytest.fixture(scope="session")
def server_url(ijsselland_release: Release, releases_dir: Path, session_keys) -> Iterator[str]:
    """Base URL of a live server over the session's releases folder, accepting ``session_keys``."""
    from api import create_app
    from api.settings import ApiSettings

    settings = ApiSettings(releases_dir=releases_dir, api_keys_file=session_keys[0])
    with LiveServer(create_app(settings)) as live:
        httpx.get(f"{live.url}/v1", timeout=30).raise_for_status()
        yield live.url

WIJKEN = ["WK014800", "WK014801", "WK019310", "WK019311", "WK019312"]
HOUSEHOLDS = [6305, 1200, 4330, 2910, 3235]


def make_small_world(folder: Path, settings: BuildSettings) -> BuildSettings:
    """Settings for a build over 5 wijken (1 km squares in RD New) with two years of counts, in ``folder``."""
    boundaries = gpd.GeoDataFrame(
        {
            "wijkcode": WIJKEN,
            "wijknaam": ["Dalfsen", "Lemelerveld", "Binnenstad", "Diezerpoort", "Wipstrik"],
            "gemeentecode": ["GM0148", "GM0148", "GM0193", "GM0193", "GM0193"],
            "gemeentenaam": ["Dalfsen", "Dalfsen", "Zwolle", "Zwolle", "Zwolle"],
            "aantal_inwoners": [15330, 2500, 6540, 6805, 7010],
            "huishoudens": HOUSEHOLDS,
        },
        geometry=[box(x, 500_000, x + 1_000, 501_000) for x in range(200_000, 205_000, 1_000)],
        crs="EPSG:28992",
    )
    folder.mkdir(parents=True, exist_ok=True)
    boundaries_path = folder / "wijken.geojson"
    boundaries.to_file(boundaries_path)
    rows = ["gebiedscode;periode;schulden;meldingen;hermeldingen"]
    for year in (2023, 2024):
        for code, households in zip(WIJKEN, HOUSEHOLDS):
            rows.append(f"{code};{year};{households // 20};{households // 60};{households // 200}")
    indicators = folder / "indicatoren.csv"
    indicators.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return settings.model_copy(
        update={"boundaries": boundaries_path, "indicators": [indicators], "releases_dir": folder / "releases"}
    )


@pytest.fixture
def small_world(tmp_path: Path, bundled_settings: BuildSettings) -> BuildSettings:
    """Settings for a build over 5 wijken (1 km squares in RD New) with two years of counts."""
    return make_small_world(tmp_path, bundled_settings)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256: equal snapshots mean byte-identical folders."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
