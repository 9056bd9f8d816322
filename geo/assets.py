"""Leaflet's JavaScript and CSS from an installed package, so the browser never calls a CDN.

PyPI's ``xstatic-leaflet`` ships Leaflet 1.9.3, the version folium targets. The live app serves
the folder through a Streamlit component (whose file server sends proper MIME types; its static
file serving sends ``.js`` as ``text/plain``, which browsers refuse to run). Static exports
inline the files instead.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from pathlib import Path

import xstatic.pkg.leaflet as xleaflet

LEAFLET_VERSION = xleaflet.VERSION
LEAFLET_DIR = Path(xleaflet.BASE_DIR)

#: URL of the asset folder as seen from the streamlit-folium component's iframe
#: (``/component/streamlit_folium.st_folium/index.html``); relative so a proxy prefix works.
COMPONENT_NAME = "leaflet_assets"
STREAMLIT_BASE = f"../geo.ui.{COMPONENT_NAME}"


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
