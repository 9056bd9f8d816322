"""What a person sees: open a page, wait for the map to draw, record requests and errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tests.conftest import ARTIFACTS

# Streamlit's frontend probes a page-prefixed health URL to detect a base path; a 404 there is
# the framework's own, expected on any page other than "/".
FRAMEWORK_NOISE = re.compile(r"/_stcore/(health|host-config)$")


@dataclass
class Visit:
    page: object
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @property
    def outside(self) -> list[str]:
        return [u for u in self.requests if not re.match(r"^(https?://127\.0\.0\.1[:/]|data:|blob:|about:)", u)]

    @property
    def real_errors(self) -> list[str]:
        return list(self.console_errors)

    def map_frame(self):
        for f in self.page.frames:
            if "streamlit_folium" in f.url:
                return f
        return None


def visit(browser, url: str, wait_map: bool = True, timeout_ms: int = 90_000) -> Visit:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(timeout_ms)
    v = Visit(page)
    page.on("request", lambda r: v.requests.append(r.url))
    page.on("response", lambda r: v.failed.append(r.url) if r.status >= 400 and not FRAMEWORK_NOISE.search(r.url) else None)
    page.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: v.console_errors.append(str(e)))
    page.goto(url, wait_until="domcontentloaded")
    if wait_map:
        page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=timeout_ms)
        deadline = timeout_ms
        frame = None
        while frame is None and deadline > 0:
            frame = v.map_frame()
            page.wait_for_timeout(250)
            deadline -= 250
        assert frame is not None, "no map frame"
        frame.wait_for_function("() => window.L && document.querySelector('.leaflet-container') && "
                                "(document.querySelectorAll('.leaflet-image-layer').length + document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path').length) > 0",
                                timeout=timeout_ms)
    page.wait_for_load_state("networkidle")
    return v


def shot(v: Visit, name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    v.page.screenshot(path=str(path), full_page=False)
    return str(path)
