"""Actors for the map tests: the maps of the session's release, a site serving them, a browser."""

from __future__ import annotations

import json
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from insights.release import MAPS_DIR, Release
from insights.settings import REPO_ROOT

TEST_OUTPUT = REPO_ROOT / "test-output"
_CONFIG = re.compile(r"helpendeMap\(map_hd, (\{.*\})\);")


def map_config(page_html: str) -> dict:
    """The JSON config a map hands to ``helpendeMap`` (everything the map knows about the areas)."""
    match = _CONFIG.search(page_html)
    assert match, "map HTML holds no helpendeMap(...) call"
    return json.loads(match.group(1).replace("<\\/", "</"))


@dataclass
class Site:
    """Where the live maps are, and the headers a browser needs to see them."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def release_maps(ijsselland_release: Release) -> dict[str, Path]:
    """The map files the build wrote into the release, by file name."""
    files = {p.name: p for p in (ijsselland_release.path / MAPS_DIR).iterdir()}
    assert files, "the build wrote no maps"
    return files


@pytest.fixture(scope="session")
def map_site(server_url: str, policy_headers: dict[str, str]) -> Site:
    """The suite's live server, reached with the policy key (IJsselland), as a browser would send it."""
    httpx.get(f"{server_url}/v1/kaarten/regio", headers=policy_headers, timeout=30).raise_for_status()
    return Site(server_url, dict(policy_headers))


@pytest.fixture(scope="session")
def nl_release(bundled_settings, tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The whole Netherlands, built without maps (they are rendered by the tests that need them).

    Takes about 40 s on an idle 2-core machine (the brief allows a real NL build under 60 s); a
    slower build warns, since then the suite should switch to a subset with extrapolation.
    """
    from insights.pipeline import build_release

    settings = bundled_settings.model_copy(update={"releases_dir": tmp_path_factory.mktemp("nl")})
    started = time.perf_counter()
    release = build_release(settings, region="Nederland", progress=lambda _: None)
    elapsed = time.perf_counter() - started
    if elapsed > 60:  # measured ~40 s on an idle 2-core machine; a shared, loaded one can be slower
        warnings.warn(f"building NL took {elapsed:.0f} s (> 60 s): consider a subset with extrapolation", stacklevel=1)
    return release
