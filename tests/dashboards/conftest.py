"""Actors for the map tests: the maps of the session's release, a site serving them, a browser."""

from __future__ import annotations

import json
import re
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
def nl_release(national_release: Release) -> Release:
    """The whole Netherlands, built without maps (they are rendered by the tests that need them): the
    suite's one national build (``tests/conftest.py``), shared with the publication-boundary check."""
    return national_release
