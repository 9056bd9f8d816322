"""Leaflet's JavaScript and CSS from an installed package, so the browser never calls a CDN.

PyPI's ``xstatic-leaflet`` ships Leaflet 1.9.3, the version folium targets. The app writes its
files into the map artefact store (:mod:`geo.mapping`), served under content-hashed names;
static exports inline them.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

LEAFLET_VERSION = xleaflet.VERSION
LEAFLET_DIR = Path(xleaflet.BASE_DIR)

#: Name of the component whose asset route serves Leaflet to the benchmark's bare st_folium page
#: (the app itself serves Leaflet as a map artefact, :mod:`geo.mapping`).
COMPONENT_NAME = "leaflet_assets"


def js_css_links(base: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """folium ``default_js`` / ``default_css`` lists pointing at ``base``."""
    return [("leaflet", f"{base}/leaflet.js")], [("leaflet_css", f"{base}/leaflet.css")]


@lru_cache(maxsize=1)
def inline_css() -> str:
    """leaflet.css with its images inlined as data URLs."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def repl(m: re.Match) -> str:
        p = LEAFLET_DIR / m.group(1)
        b64 = base64.b64encode(p.read_bytes()).decode()
        return f"url(data:image/png;base64,{b64})"

    return re.sub(r"url\((images/[^)]+\.png)\)", repl, css)


@lru_cache(maxsize=1)
def inline_js() -> str:
    js = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    return re.sub(r"//# sourceMappingURL=\S+", "", js)
