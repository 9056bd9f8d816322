"""Embeds: the live app inside iframes on a page of another origin (another loopback address) at
three sizes, the static embed in a frame sandboxed without ``allow-same-origin``, and the static
export opened from disk."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.browser.helpers import MAP_FRAME_URL
from tests.conftest import ARTIFACTS, free_port

pytestmark = pytest.mark.browser
HOST_IP = "127.0.0.2"
LOOPBACK = {"127.0.0.1", HOST_IP, "localhost"}
SIZES = [(360, 640), (768, 432), (1000, 500)]
CARPATHIANS = [[43.5, 16.5], [50.5, 27.5]]

# In a map frame: features Leaflet holds, image overlays, painted canvas pixels (vectors are drawn on
# a canvas), and whether the map was drawn from its spec.
DRAWN_JS = """() => {
  const m = window.AtlasMap && window.AtlasMap.map;
  let features = 0;
  if (m) m.eachLayer(l => { if (l.feature) features++; });
  let painted = 0;
  document.querySelectorAll('.leaflet-overlay-pane canvas').forEach(c => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4 * 16) if (d[i] > 0) painted++;
  });
  return {drawn: document.documentElement.getAttribute('data-atlas'), features, painted,
          images: Array.from(document.querySelectorAll('img.leaflet-image-layer')).filter(i => i.complete && i.naturalWidth > 0).length};
}"""
READY = f"() => {{ const d = ({DRAWN_JS})(); return d.drawn === 'drawn' && d.features > 0 && d.painted > 100; }}"


def off_loopback(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return False
    return urlsplit(url).hostname not in LOOPBACK


@pytest.fixture(scope="module")
def host(tmp_path_factory, app_url):
    """A static web server on another origin; ``host(name, iframe_html)`` writes a page, returns its URL."""
    folder = tmp_path_factory.mktemp("host")
    port = free_port(HOST_IP)
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", HOST_IP, "--directory", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://{HOST_IP}:{port}"
    (folder / "ping.html").write_text("ok")
    end = time.time() + 60
    while time.time() < end:
        try:
            urllib.request.urlopen(f"{base}/ping.html", timeout=2)
            break
        except OSError:
            time.sleep(0.2)

    def page(name: str, iframe: str) -> str:
        (folder / name).write_text(f'<!doctype html><html><body style="margin:0">{iframe}</body></html>', encoding="utf-8")
        return f"{base}/{name}"

    yield page
    proc.terminate()


@contextlib.contextmanager
def hosted(visit, url: str, width: int, height: int):
    """Open a host page in the worker's tab at ``width`` x ``height``; yield (page, drawn map frame);
    then check that nothing left the loopback addresses and nothing failed."""
    v = visit(url, wait_map=False, viewport={"width": width, "height": height})
    frame = wait_frame(v.page, MAP_FRAME_URL)
    frame.wait_for_function(READY, timeout=90_000)
    yield v.page, frame
    outside = [u for u in v.requests if off_loopback(u)]
    assert not outside and not v.failed, (outside, v.failed)


def wait_frame(page, pattern, timeout_s: float = 90):
    end = time.time() + timeout_s
    while time.time() < end:
        frame = next((f for f in page.frames if pattern.search(f.url)), None)
        if frame is not None:
            return frame
        page.wait_for_timeout(250)
    raise AssertionError(f"no frame matching {pattern.pattern}: {[f.url for f in page.frames]}")


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_embed_fits_its_frame(visit, host, app_url, width, height):
    url = host(f"embed-{width}.html", f'<iframe id="atlas" src="{app_url}/carpathians?embed=true" width="{width}" '
                                      f'height="{height}" style="border:0;display:block"></iframe>')
    with hosted(visit, url, width + 40, height + 40) as (page, frame):
        app = frame.parent_frame
        assert app.url.startswith(app_url) and not page.url.startswith(app_url)  # really another origin
        # the map fills the frame's width and all its height but one footer line, which is visible
        footer = app.locator(".st-key-ma-embed-footer")
        footer.wait_for(timeout=60_000)
        map_box = app.evaluate("() => { const r = document.querySelector('[data-testid=stIFrame]').getBoundingClientRect(); "
                               "return {top: r.top, bottom: r.bottom, width: r.width}; }")
        foot = footer.evaluate("e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }")
        assert abs(map_box["width"] - width) <= 1 and map_box["top"] <= 1, map_box
        assert map_box["bottom"] >= height - 40 and foot["top"] >= map_box["bottom"] - 1 and foot["bottom"] <= height + 0.5, (map_box, foot)
        assert "↗" in footer.inner_text() and footer.locator("a").count() == 1  # the link back
        # nothing of the view cut off: the map opens on the range's bounds, without animating
        assert frame.evaluate(f"() => AtlasMap.map.getBounds().pad(0.001).contains(L.latLngBounds({CARPATHIANS}))")
        # the legend starts folded below 600 px and unfolds on demand
        toggle = frame.locator(".ma-legend-toggle")
        first = toggle.get_attribute("aria-expanded")
        assert first == ("false" if width < 600 else "true")
        toggle.click()
        assert toggle.get_attribute("aria-expanded") != first
        assert frame.locator(".ma-legend-body").is_visible() == (first == "false")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"embed_{width}x{height}.png"))


def test_chinese_embed_draws_in_a_cross_origin_frame(visit, host, app_url):
    url = host("embed-zh.html", f'<h1>A newsroom page</h1><iframe src="{app_url}/alps?embed=true&lang=zh" width="1000" '
                                f'height="700" style="border:0"></iframe>')
    with hosted(visit, url, 1200, 900) as (page, frame):
        # countries, region, places; terrain and classes (the images load after the shapes are drawn)
        frame.wait_for_function(f"() => {{ const d = ({DRAWN_JS})(); return d.features > 10 && d.images >= 1; }}", timeout=90_000)
        footer = frame.parent_frame.locator(".st-key-ma-embed-footer")  # written after the map: wait for it
        footer.wait_for(timeout=90_000)
        assert "阿尔卑斯山脉" in footer.inner_text()  # the link back names the view in Chinese
        assert frame.evaluate("() => document.documentElement.lang") == "zh"
        page.screenshot(path=str(ARTIFACTS / "embed_cross_origin.png"))


def test_static_embed_draws_in_a_sandboxed_frame(visit, host, app_url):
    """Sites that sandbox iframes without allow-same-origin get the static embed of the same view."""
    url = host("static.html", f'<iframe src="{app_url}/embed/alps?lang=zh&layers=hillshade,mountain_classes,places" '
                              f'sandbox="allow-scripts allow-popups" width="800" height="500" style="border:0"></iframe>')
    with hosted(visit, url, 900, 600) as (page, frame):
        assert frame.evaluate("() => window.origin") == "null"  # really sandboxed: an opaque origin
        footer = frame.locator(".ma-footer")
        assert footer.is_visible() and "阿尔卑斯山脉" in footer.inner_text()
        href = footer.locator("a").get_attribute("href")
        assert href.endswith("alps?lang=zh&layers=hillshade%2Cmountain_classes%2Cplaces"), href
        page.screenshot(path=str(ARTIFACTS / "embed_static_sandboxed.png"))
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{app_url}/embed/alps?layers=%3Cscript%3E", timeout=30)
    assert e.value.code == 400 and b"<script>" not in e.value.read()
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{app_url}/embed/nowhere", timeout=30)
    assert e.value.code == 404


def test_static_export_draws_from_a_file_url(visit, tmp_path):
    from geo import static_site
    from geo.state import ViewState

    static_site.export_view(ViewState.default("carpathians"), tmp_path, with_png=False)
    v = visit((tmp_path / "carpathians.html").as_uri(), wait_map=False)
    v.page.wait_for_function(READY, timeout=60_000)
    drawn = v.page.evaluate(DRAWN_JS)
    assert drawn["features"] > 10 and drawn["images"] >= 1, drawn
    outside = [u for u in v.requests if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert not outside, outside
    v.page.screenshot(path=str(ARTIFACTS / "static_export.png"))
