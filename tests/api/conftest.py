"""Actors of the API tests: one key per role and area, an app over the session's release, a live server."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.keys import issue_key
from api.settings import ApiSettings
from insights.release import PUBLIC_MANIFEST, Release
from tests.conftest import LiveServer


@dataclass(frozen=True)
class Keys:
    """Plain keys of the session, by actor."""

    wijkteam_zwolle: str  # wijkteam, GM0193
    wijkteam_deventer: str  # wijkteam, GM0150
    wijkteam_regio: str  # wijkteam, the whole region VR04
    policy: str  # VR04
    policy_elsewhere: str  # VR05 (Twente): nothing of this release
    steward: str  # VR04
    steward_elsewhere: str  # VR05
    path: Path

    def headers(self, actor: str) -> dict[str, str]:
        return {"X-API-Key": getattr(self, actor)}


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    path = tmp_path_factory.mktemp("keys") / "api-keys.json"
    return Keys(
        wijkteam_zwolle=issue_key(path, "wijkteam", ["GM0193"], key_id="wijkteam-zwolle"),
        wijkteam_deventer=issue_key(path, "wijkteam", ["GM0150"], key_id="wijkteam-deventer"),
        wijkteam_regio=issue_key(path, "wijkteam", ["VR04"], key_id="wijkteam-regio"),
        policy=issue_key(path, "policy", ["VR04"], key_id="policy-ijsselland"),
        policy_elsewhere=issue_key(path, "policy", ["VR05"], key_id="policy-twente"),
        steward=issue_key(path, "steward", ["VR04"], key_id="steward-ijsselland"),
        steward_elsewhere=issue_key(path, "steward", ["VR05"], key_id="steward-twente"),
        path=path,
    )


@pytest.fixture(scope="session")
def access_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs") / "access.log"


@pytest.fixture(scope="session")
def api_settings(ijsselland_release: Release, releases_dir: Path, keys: Keys, access_log: Path) -> ApiSettings:
    return ApiSettings(releases_dir=releases_dir, api_keys_file=keys.path, access_log=access_log)


@pytest.fixture(scope="session")
def app(api_settings: ApiSettings):
    return create_app(api_settings)


@pytest.fixture(scope="session")
def client(app) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="session")
def live_url(app) -> Iterator[str]:
    """A real uvicorn server on loopback over the same app (keys and all)."""
    with LiveServer(app) as live:
        yield live.url


def releases_with_copy_of(release: Release, releases: Path) -> Path:
    """A releases folder holding a copy of ``release``, made current; returns the copy."""
    copy = releases / release.id
    shutil.copytree(release.path, copy)
    (releases / "current").write_text(copy.name + "\n")
    return copy


def publish_copy_as(source: Path, release_id: str) -> Path:
    """Copy the release folder ``source`` as a complete new release ``release_id`` beside it and make it current."""
    new = source.parent / release_id
    shutil.copytree(source, new)
    manifest = json.loads((new / PUBLIC_MANIFEST).read_text())
    (new / PUBLIC_MANIFEST).write_text(json.dumps({**manifest, "release_id": new.name}))
    (source.parent / "current").write_text(new.name + "\n")
    return new
