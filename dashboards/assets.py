"""Vendored front-end files, inlined into every map so that a map makes no request at all.

Why inline rather than serve ``/static``: a map is then one self-contained HTML file. It works from
the API, from a file share, as an e-mail attachment and from ``helpende-data map --out``; and the
browser never needs an unauthenticated side route for its scripts. The cost is ~165 kB of Leaflet
per map file (about 45 kB gzipped on the wire). See ``dashboards/static/NOTICE`` for sources and
licences.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

__all__ = ["STATIC", "inline_css", "inline_js", "leaflet_css", "leaflet_js", "map_css", "map_js"]

STATIC = Path(__file__).parent / "static"


def _read(relative: str) -> str:
    return (STATIC / relative).read_text(encoding="utf-8")


@cache
def leaflet_js() -> str:
    return _read("leaflet/leaflet.js")


@cache
def leaflet_css() -> str:
    """Leaflet's CSS with its images as data URIs; images we do not vendor (markers) become ``none``."""

    def embed(match: re.Match) -> str:
        image = STATIC / "leaflet" / "images" / match.group(1)
        if not image.exists():
            return "none"
        return "url(data:image/png;base64," + base64.b64encode(image.read_bytes()).decode("ascii") + ")"

    return re.sub(r"url\(images/([\w.-]+)\)", embed, _read("leaflet/leaflet.css"))


@cache
def map_js() -> str:
    return _read("hd-map.js")


@cache
def map_css() -> str:
    return _read("hd-map.css")


def inline_js(source: str) -> str:
    # A literal "</script" inside a script would end the element early.
    return "<script>" + source.replace("</script", "<\\/script") + "</script>"


def inline_css(source: str) -> str:
    return "<style>" + source.replace("</style", "<\\/style") + "</style>"
