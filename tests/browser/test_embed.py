"""The live app inside an iframe on a page of another origin (another loopback address)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.browser.helpers import FRAMEWORK_NOISE
from tests.conftest import ARTIFACTS, free_port

pytestmark = pytest.mark.browser
HOST_IP = "127.0.0.2"
LOOPBACK = {"127.0.0.1", HOST_IP, "localhost"}

# In the map frame: GeoJSON features Leaflet holds, image overlays, and painted canvas pixels
# (prefer_canvas draws vectors on a canvas, so there are no .leaflet-interactive paths).
DRAWN_JS = """() => {
  // folium names its map map_<hex>; reading every window property would throw on localStorage
  // in a third-party frame
  const maps = Object.keys(window).filter(k => k.startsWith('map_'))
    .map(k => { try { return window[k]; } catch (e) { return null; } })
    .filter(v => window.L && v instanceof L.Map);
  let features = 0;
  maps.forEach(m => m.eachLayer(l => { if (l.feature) features++; }));
  let painted = 0;
  document.querySelectorAll('.leaflet-overlay-pane canvas').forEach(c => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4 * 16) if (d[i] > 0) painted++;
  });
  return {maps: maps.length, features, painted,
          images: document.querySelectorAll('.leaflet-image-layer').length,
          paths: document.querySelectorAll('.leaflet-interactive').length};
}"""


def off_loopback(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return False
    return urlsplit(url).hostname not in LOOPBACK


@pytest.fixture()
def host_page(tmp_path, app_url):
    (tmp_path / "index.html").write_text(
        f'<!doctype html><html><body><h1>A newsroom page</h1>'
        f'<iframe id="atlas" src="{app_url}/alps?embed=true&lang=zh" width="1000" height="700" style="border:0"></iframe>'
        f"</body></html>", encoding="utf-8")
    port = free_port(HOST_IP)
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", HOST_IP, "--directory", str(tmp_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://{HOST_IP}:{port}/index.html"
    for _ in range(50):
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()


def test_app_draws_inside_a_cross_origin_iframe(browser, host_page, app_url):
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    outside: list[str] = []
    failed: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if off_loopback(r.url) else None)
    page.on("websocket", lambda ws: outside.append(ws.url) if off_loopback(ws.url) else None)
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and not FRAMEWORK_NOISE.search(r.url) else None)
    try:
        page.goto(host_page)
        deadline = time.time() + 90
        map_frame = None
        while time.time() < deadline and map_frame is None:
            map_frame = next((f for f in page.frames if "streamlit_folium" in f.url), None)
            page.wait_for_timeout(300)
        assert map_frame is not None, [f.url for f in page.frames]
        app_frame = map_frame.parent_frame
        assert app_frame.url.startswith(app_url) and not page.url.startswith(app_url)  # really another origin
        map_frame.wait_for_function(f"() => {{ const d = ({DRAWN_JS})(); return d.features > 0 && d.painted > 100; }}", timeout=60_000)
        drawn = map_frame.evaluate(DRAWN_JS)
        assert drawn["maps"] == 1 and drawn["features"] > 10 and drawn["images"] >= 1, drawn  # countries, region, places
        assert drawn["painted"] > 100 or drawn["paths"] > 0, drawn
        assert "阿尔卑斯山脉" in app_frame.inner_text("body")  # embed view: map first, link back to the full page
        assert not outside, outside
        assert not failed, failed
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "embed_cross_origin.png"))
    finally:
        ctx.close()


def test_static_export_draws_from_a_file_url(browser, tmp_path):
    from geo import export
    from geo.state import ViewState

    export.export_view(ViewState.default("carpathians"), tmp_path, with_png=False)
    ctx = browser.new_context()
    page = ctx.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:", "blob:", "about:")) else None)
    page.on("websocket", lambda ws: outside.append(ws.url))
    try:
        page.goto((tmp_path / "carpathians.html").as_uri())
        page.wait_for_function(f"() => {{ const d = ({DRAWN_JS})(); return d.features > 0 && d.painted > 100; }}", timeout=30_000)
        drawn = page.evaluate(DRAWN_JS)
        assert drawn["features"] > 10 and drawn["images"] >= 1, drawn
        assert not outside, outside
        page.screenshot(path=str(ARTIFACTS / "static_export.png"))
    finally:
        ctx.close()
