"""Every page a release publishes for people: the maps (HTML + print PNG) and the area profile pages."""

from __future__ import annotations

from dashboards.profile import render_profile_pages
from dashboards.render import render_release_maps
from insights.release import Release

__all__ = ["render_release_pages"]


def render_release_pages(release: Release) -> dict[str, str | bytes]:
    """Path relative to ``publiek/`` → content of every map and profile page of ``release``."""
    return {**render_release_maps(release), **render_profile_pages(release)}
