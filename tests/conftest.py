"""Actors shared by the whole suite: the bundled real data, a built release, a live server.

Tests never read ``../shared``: the repository's own ``data/`` must be enough. A missing bundled
file fails the test (no skip).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from insights.release import Release
from insights.settings import REPO_ROOT, BuildSettings

DATA = REPO_ROOT / "data"


@pytest.fixture(scope="session")
def bundled_settings() -> BuildSettings:
    settings = BuildSettings()
    for path in (settings.boundaries, settings.regions, settings.covariates, *settings.indicators, settings.rules):
        assert Path(path).exists(), f"bundled input missing: {path}"
    return settings


@pytest.fixture(scope="session")
def releases_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("releases")


@pytest.fixture(scope="session")
def ijsselland_release(bundled_settings: BuildSettings, releases_dir: Path) -> Release:
    """The default build (IJsselland, bundled data, maps included), built once per session."""
    from insights.pipeline import build_release

    settings = bundled_settings.model_copy(update={"releases_dir": releases_dir})
    return build_release(settings, progress=lambda _: None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real uvicorn server on a loopback port, in a background thread."""

    def __init__(self, app) -> None:
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "LiveServer":
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
def server_url(ijsselland_release: Release, releases_dir: Path) -> Iterator[str]:
    """Base URL of a live server over the session's releases folder."""
    from api import create_app
    from api.settings import ApiSettings

    with LiveServer(create_app(ApiSettings(releases_dir=releases_dir))) as live:
        httpx.get(f"{live.url}/v1", timeout=30).raise_for_status()
        yield live.url
