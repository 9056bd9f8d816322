"""What a person sees: open a page, wait for the map to draw, record requests, responses and errors."""

from __future__ import annotations

import re
import time
import weakref
from dataclasses import dataclass, field

from tests.conftest import ARTIFACTS

# Streamlit's frontend probes a page-prefixed health URL to detect a base path; a 404 there is
# the framework's own, expected on any page other than "/".
FRAMEWORK_NOISE = re.compile(r"/_stcore/(health|host-config)$")
LOOPBACK = re.compile(r"^(https?|wss?)://127\.0\.0\.1[:/]")
#: URLs that never leave the machine (an exported page opened from disk is a file: URL)
LOCAL_SCHEMES = re.compile(r"^(data|blob|about|javascript|file):")
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
#: Streamlit is not running the page's script (before a check that something is absent, once the
#: run has visibly started: Streamlit adds elements as the run sends them).
RUN_FINISHED_JS = "() => document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state') === 'notRunning'"
#: Streamlit has finished the page's run and its title is on screen.
PAGE_DONE_JS = f"() => ({RUN_FINISHED_JS})() && document.querySelector('[data-testid=stMain] h1') !== null"
#: The visible caption lines of a page (source lines, notes), as shown.
VISIBLE_CAPTIONS_JS = ("() => Array.from(document.querySelectorAll('[data-testid=stCaptionContainer]'))"
                       ".filter(e => e.offsetParent !== null).map(e => e.innerText).filter(s => s.trim())")
#: How far the page has scrolled (Streamlit scrolls its main block, not the window).
PAGE_SCROLL_JS = "() => { const m = document.querySelector('[data-testid=stMain]'); return (m ? m.scrollTop : 0) + window.scrollY; }"
PAGE_SCROLL_TOP_JS = "() => { const m = document.querySelector('[data-testid=stMain]'); if (m) m.scrollTop = 0; window.scrollTo(0, 0); }"
#: Inside a map frame: the map has taken its frame's size (from then on it only refits when the frame changes).
MAP_SIZED_JS = ("() => AtlasMap.map.getSize().x === document.documentElement.clientWidth "
                "&& AtlasMap.map.getSize().y === document.documentElement.clientHeight")
#: Inside a map frame: the boxes of the map, its legend and the controls at the top.
MAP_BOXES_JS = """() => {
  const box = s => { const e = document.querySelector(s); if (!e) return null;
                     const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
  return {map: box('.leaflet-container'), legend: box('.ma-legend'), zoom: box('.leaflet-control-zoom'),
          layers: box('.leaflet-control-layers')};
}"""
#: Inside a map frame: open a feature's tooltip where the opened legend is; is the tooltip on top there?
TOOLTIP_OVER_LEGEND_JS = """() => {
  const m = AtlasMap.map, c = m.getContainer().getBoundingClientRect();
  const lg = document.querySelector('.ma-legend').getBoundingClientRect();
  let layer = null;
  m.eachLayer(l => { if (!layer && l.feature && l.getTooltip && l.getTooltip()) layer = l; });
  if (!layer) return 'no feature with a tooltip';
  layer.openTooltip(m.containerPointToLatLng(L.point(lg.left + lg.width / 2 - c.left, lg.top + lg.height / 2 - c.top)));
  const tip = layer.getTooltip().getElement(), r = tip.getBoundingClientRect();
  const x0 = Math.max(r.left, lg.left), x1 = Math.min(r.right, lg.right), y0 = Math.max(r.top, lg.top), y1 = Math.min(r.bottom, lg.bottom);
  if (x0 >= x1 || y0 >= y1) { layer.closeTooltip(); return 'the tooltip did not open over the legend'; }
  tip.style.pointerEvents = 'auto';  // tooltips ignore the pointer; hit-test them for once
  const hit = document.elementFromPoint((x0 + x1) / 2, (y0 + y1) / 2);
  tip.style.pointerEvents = '';
  // its lines wrap only where they are wider than its largest width (CSS max-width), never narrower
  const probe = tip.cloneNode(true);
  probe.style.cssText = 'position: fixed; left: 0; top: 0; visibility: hidden; white-space: nowrap; width: auto; max-width: none;';
  document.body.appendChild(probe);
  const need = Math.min(probe.getBoundingClientRect().width, parseFloat(getComputedStyle(tip).maxWidth) || Infinity);
  probe.remove();
  layer.closeTooltip();
  if (r.width < need - 1) return `the tooltip is squeezed to ${Math.round(r.width)} px, its text needs ${Math.round(need)} px`;
  return hit && hit.closest('.leaflet-tooltip') ? 'ok' : 'the tooltip is under ' + (hit ? hit.className : 'nothing');
}"""
CJK = re.compile(r"[\u4e00-\u9fff]")
#: Run in every frame before any script of its own: a payload that reaches a JavaScript context
#: sets window.__pwned or calls alert/confirm/prompt, and each such hit is listed in
#: window.top.__pwnedHits (the hostile-input tests assert it stays empty).
TRAPS = """
(() => {
  const hit = (how) => { try { (window.top.__pwnedHits = window.top.__pwnedHits || []).push(how); } catch (e) {} };
  Object.defineProperty(window, '__pwned', {configurable: false, get() { return undefined; }, set(v) { hit('__pwned=' + v); }});
  for (const f of ['alert', 'confirm', 'prompt']) window[f] = function (m) { hit(f + ':' + m); };
})();
"""
DEFAULT_VIEWPORT = {"width": 1400, "height": 1000}
LAYER_LABELS_JS = ("() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label, "
                   ".leaflet-control-layers-base label')).map(l => l.textContent.trim())")


_INFLIGHT: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


@dataclass
class Response:
    url: str
    status: int
    content_type: str


@dataclass
class Visit:
    page: object
    requests: list[str] = field(default_factory=list)  #: every URL asked for, web sockets included
    responses: list[Response] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def outside(self) -> list[str]:
        """Every request that is not to 127.0.0.1 (nor a data:, blob:, about: or file: URL)."""
        return [u for u in self.requests if not (LOOPBACK.match(u) or LOCAL_SCHEMES.match(u))]

    @property
    def failed(self) -> list[str]:
        return [f"{r.status} {r.url}" for r in self.responses if r.status >= 400 and not FRAMEWORK_NOISE.search(r.url)]

    def clear(self) -> None:
        """Forget what was recorded so far (before the tab goes to a new address)."""
        for seen in (self.requests, self.responses, self.console_errors, self.dialogs):
            seen.clear()

    def problems(self) -> list[str]:
        """What a clean page has none of: requests leaving 127.0.0.1, failed requests, console
        errors, Streamlit's exception box."""
        out = [f"requests leaving 127.0.0.1: {self.outside}"] if self.outside else []
        out += [f"failed requests: {self.failed}"] if self.failed else []
        out += [f"console errors: {self.console_errors[:3]}"] if self.console_errors else []
        if self.page.locator("[data-testid='stException']").count():
            out.append("Streamlit exception box shown")
        return out

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

    def layer_labels(self) -> list[str]:
        return self.map_frame().evaluate(LAYER_LABELS_JS)


def record(page) -> Visit:
    """Record every request, response, console error and dialog of ``page`` from now on."""
    v = Visit(page)
    track_requests(page)
    page.on("request", lambda r: v.requests.append(r.url))
    page.on("websocket", lambda ws: v.requests.append(ws.url))  # a socket is a request too
    page.on("response", lambda r: v.responses.append(Response(r.url, r.status, r.headers.get("content-type", ""))))
    # failed loads are recorded with their status in ``responses``; everything else is an error
    page.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None)
    page.on("pageerror", lambda e: v.console_errors.append(str(e)))
    page.on("dialog", lambda d: (v.dialogs.append(d.message), d.dismiss()))
    return v


def open_page(browser, url: str, wait_map: bool = True, timeout_ms: int = 90_000, viewport: dict | None = None,
              touch: bool = False) -> Visit:
    """Open ``url`` in a fresh browser context of ``viewport`` size (1400x1000 unless given), a
    phone's touch screen with ``touch``, recording everything; wait until the map drew."""
    page = browser.new_context(viewport=viewport or DEFAULT_VIEWPORT, has_touch=touch, is_mobile=touch).new_page()
    page.set_default_timeout(timeout_ms)
    v = record(page)
    go(v, url, wait_map, timeout_ms)
    return v


def go(v: Visit, url: str, wait_map: bool = True, timeout_ms: int = 90_000) -> None:
    """Take the tab of ``v`` to ``url``; with ``wait_map``, wait until its map drew and late
    requests had their chance."""
    v.page.goto(url, wait_until="domcontentloaded")
    if wait_map:
        frame = v.wait_map_frame(timeout_ms)
        frame.wait_for_function(DRAWN_READY, timeout=timeout_ms)
        settle(v.page)


class Tab:
    """One browser tab per test worker, reused from test to test as a reader reuses a tab: each
    address is a new document and a new Streamlit session, while the tab keeps its renderer and
    its cache (measured: about 3 s of the machine's CPU per page load, against 5 s in a fresh
    browser context). Every frame in it gets ``TRAPS``. Between tests the tab forgets what a test
    left (the page's local and session storage, the cookies, media emulation) and goes to
    about:blank, which closes the page's Streamlit session; a tab that cannot is replaced."""

    def __init__(self, browser):
        self.browser = browser
        self._visit: Visit | None = None

    def open(self, url: str, wait_map: bool = True, timeout_ms: int = 90_000, viewport: dict | None = None) -> Visit:
        """``url`` in this tab at ``viewport`` size (1400x1000 unless given), recorded from a clean
        slate: a Visit as ``open_page`` gives."""
        if self._visit is None:
            ctx = self.browser.new_context(viewport=DEFAULT_VIEWPORT)
            ctx.add_init_script(TRAPS)
            self._visit = record(ctx.new_page())
        v = self._visit
        v.page.set_default_timeout(timeout_ms)
        v.page.set_viewport_size(viewport or DEFAULT_VIEWPORT)
        v.clear()
        go(v, url, wait_map, timeout_ms)
        return v

    def leave(self) -> None:
        if self._visit is None:
            return
        page = self._visit.page
        try:
            page.evaluate("() => { try { localStorage.clear(); sessionStorage.clear(); } catch (e) {} }")
            page.context.clear_cookies()
            page.emulate_media(media="null")
            page.goto("about:blank", timeout=30_000)
            self._visit.clear()
        except Exception:  # a page that hangs or crashed: the next test gets a new tab
            self.close()

    def close(self) -> None:
        if self._visit is not None:
            try:
                self._visit.page.context.close()
            finally:
                self._visit = None


def touch_gesture(page, start: list[tuple[float, float]], end: list[tuple[float, float]], steps: int = 10) -> None:
    """Fingers put on ``page`` at ``start`` (one point per finger, CSS pixels of the page), moved in
    ``steps`` to ``end`` and lifted: through Chromium's input pipeline, so the browser scrolls, or
    not, as it would under a finger (the page needs a context with ``has_touch``)."""
    cdp = page.context.new_cdp_session(page)
    try:
        def points(k: int) -> list[dict]:
            return [{"x": x0 + (x1 - x0) * k / steps, "y": y0 + (y1 - y0) * k / steps, "id": i}
                    for i, ((x0, y0), (x1, y1)) in enumerate(zip(start, end))]

        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)})
        for k in range(1, steps + 1):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": points(k)})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()


def track_requests(page) -> dict:
    """The requests of ``page`` (and its frames) now in flight, as ``{id: (time.monotonic() when
    sent, url)}``, kept up to date from its events; attached once per page (requests already under
    way when it is attached are not seen). For a sync or an async Playwright page."""
    inflight = _INFLIGHT.get(page)
    if inflight is None:
        inflight = _INFLIGHT[page] = {}
        page.on("request", lambda r: inflight.__setitem__(id(r), (time.monotonic(), r.url)))
        page.on("requestfinished", lambda r: inflight.pop(id(r), None))
        page.on("requestfailed", lambda r: inflight.pop(id(r), None))
    return inflight


def settle(page, quiet_ms: int = 500, timeout_ms: int = 15_000) -> None:
    """Give late requests a chance to show up: wait until no request of the page has been in
    flight for ``quiet_ms``, for at most ``timeout_ms``.

    (Playwright's "networkidle" is not used: on some first views it never came although no
    request was open, and each such wait cost its whole timeout.)"""
    inflight = track_requests(page)
    end = time.monotonic() + timeout_ms / 1000
    quiet_since = time.monotonic()
    while time.monotonic() < end:
        page.wait_for_timeout(100)  # Playwright delivers the page's events while it waits
        if inflight:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_ms / 1000:
            return


def caption_problems(captions: list[str], lang: str) -> list[str]:
    """What is wrong with a page's caption lines in ``lang``: a Latin-only line (or English labels) on a
    Chinese page, a full-width colon on an English one, a repository path shown as a source."""
    out = []
    for c in captions:
        if lang == "zh" and not CJK.search(c):
            out.append(f"a Latin-only line on the Chinese page: {c[:120]!r}")
        if lang == "zh" and ("Source:" in c or "Licence:" in c):
            out.append(f"English labels on the Chinese page: {c[:120]!r}")
        if lang == "en" and "：" in c:
            out.append(f"a Chinese colon on the English page: {c[:120]!r}")
        if "http" in c and ("data/manifest.json" in c or "docs/" in c):
            out.append(f"a repository path as a source: {c[:120]!r}")
    return out


def open_sidebar(page) -> None:
    """On a phone the sidebar starts closed: open it with the labelled menu button (on a wide
    screen it is open already) and wait until it is on screen."""
    button = page.locator('[data-testid="stExpandSidebarButton"]')
    if button.is_visible():
        button.click()
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().left >= 0")


def images_ready_js(n: int) -> str:
    """A page script: the page shows exactly ``n`` Streamlit images, all loaded."""
    return ("() => { const imgs = Array.from(document.querySelectorAll('[data-testid=\"stImage\"] img'));"
            f" return imgs.length === {n} && imgs.every(i => i.complete && i.naturalWidth > 0); }}")


def boxes_overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def area(b: dict) -> float:
    return max(0.0, b["right"] - b["left"]) * max(0.0, b["bottom"] - b["top"])


def shot(v: Visit, name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    v.page.screenshot(path=str(path), full_page=False)
    return str(path)
