"""What a person sees: open a page, wait for the map to draw, record requests, responses and errors."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from tests.conftest import ARTIFACTS

# Streamlit's frontend probes a page-prefixed health URL to detect a base path; a 404 there is
# the framework's own, expected on any page other than "/".
FRAMEWORK_NOISE = re.compile(r"/_stcore/(health|host-config)$")
LOOPBACK = re.compile(r"^(https?|wss?)://127\.0\.0\.1[:/]")
LOCAL_SCHEMES = re.compile(r"^(data|blob|about|javascript):")
#: The map is an iframe holding a map artefact page (geo.mapping), served from /artefacts/<generation>/.
MAP_IFRAME = "iframe[data-testid='stIFrame'][src*='/artefacts/']"
MAP_FRAME_URL = re.compile(r"/artefacts/[0-9a-f]{16}/(map|embed)-[a-z-]+\.[0-9a-f]{16}\.html$")

#: Counts of what Leaflet has put on screen inside the map iframe: loaded image overlays,
#: SVG paths, canvases, and painted (non-transparent) pixels of the vector canvases, sampled.
DRAWN_JS = """() => {
  const imgs = Array.from(document.querySelectorAll('img.leaflet-image-layer'));
  const canv = Array.from(document.querySelectorAll('.leaflet-overlay-pane canvas'));
  let painted = 0;
  for (const c of canv) {
    if (!c.width || !c.height) continue;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4 * 7) if (d[i] > 0) painted++;
  }
  return {images: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
          paths: document.querySelectorAll('path.leaflet-interactive').length,
          canvases: canv.length, painted: painted};
}"""
DRAWN_READY = ("() => window.L && document.documentElement.getAttribute('data-atlas') === 'drawn' && "
               "document.querySelector('.leaflet-container') && "
               "(Array.from(document.querySelectorAll('img.leaflet-image-layer')).some(i => i.complete && i.naturalWidth > 0) || "
               "document.querySelectorAll('path.leaflet-interactive, .leaflet-overlay-pane canvas').length > 0)")
LAYER_LABELS_JS = ("() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label, "
                   ".leaflet-control-layers-base label')).map(l => l.textContent.trim())")


@dataclass
class Response:
    url: str
    status: int
    content_type: str


@dataclass
class Visit:
    page: object
    requests: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def outside(self) -> list[str]:
        """Every request that is not to 127.0.0.1 (nor a data:/blob:/about: URL)."""
        return [u for u in self.requests if not (LOOPBACK.match(u) or LOCAL_SCHEMES.match(u))]

    @property
    def failed(self) -> list[str]:
        return [f"{r.status} {r.url}" for r in self.responses if r.status >= 400 and not FRAMEWORK_NOISE.search(r.url)]

    def responses_for(self, suffix: str) -> list[Response]:
        return [r for r in self.responses if r.url.split("?")[0].endswith(suffix)]

    def map_frame(self):
        return next((f for f in self.page.frames if MAP_FRAME_URL.search(f.url)), None)

    def wait_map_frame(self, timeout_ms: int):
        self.page.wait_for_selector(MAP_IFRAME, timeout=timeout_ms)
        end = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < end:
            frame = self.map_frame()
            if frame is not None:
                return frame
            self.page.wait_for_timeout(200)
        raise AssertionError("the page has no map frame")

    def drawn(self) -> dict:
        return self.map_frame().evaluate(DRAWN_JS)

    def layer_labels(self) -> list[str]:
        return self.map_frame().evaluate(LAYER_LABELS_JS)


def open_page(browser, url: str, wait_map: bool = True, timeout_ms: int = 90_000, init_script: str | None = None,
              viewport: dict | None = None) -> Visit:
    """Open ``url`` in a fresh browser context of ``viewport`` size (1400x1000 unless given),
    recording everything; wait until the map drew."""
    ctx = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})
    if init_script:
        ctx.add_init_script(init_script)
    page = ctx.new_page()
    page.set_default_timeout(timeout_ms)
    v = Visit(page)
    page.on("request", lambda r: v.requests.append(r.url))
    page.on("response", lambda r: v.responses.append(Response(r.url, r.status, r.headers.get("content-type", ""))))
    # failed loads are recorded with their status in ``responses``; everything else is an error
    page.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: v.console_errors.append(str(e)))
    page.on("dialog", lambda d: (v.dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="domcontentloaded")
    if wait_map:
        frame = v.wait_map_frame(timeout_ms)
        frame.wait_for_function(DRAWN_READY, timeout=timeout_ms)
        settle(page)
    return v


def settle(page, timeout_ms: int = 15_000) -> None:
    """Give late requests a chance to show up: network idle, or at most ``timeout_ms``.

    (A busy 2-core machine can delay the idle moment; Streamlit's health polling after a dropped
    WebSocket would postpone it for ever. Neither is what these tests check.)"""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except PlaywrightTimeout:
        pass
    page.wait_for_timeout(300)  # let Leaflet finish its canvas frame


def shot(v: Visit, name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    v.page.screenshot(path=str(path), full_page=False)
    return str(path)
