"""Every page in headless Chromium: the map draws, lists its layers, Leaflet is served locally
with a JavaScript MIME type, no console error, and nothing leaves 127.0.0.1."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request

import pytest

from geo import catalog
from geo.i18n import t
from tests.browser.helpers import MAP_IFRAME, settle, shot

pytestmark = pytest.mark.browser

#: URL path -> (view, layers drawn by default, indicator drawn by default)
MAP_PAGES = {
    "": "world",
    "alps": "alps",
    "carpathians": "carpathians",
    "hindu-kush-himalaya": "hindu-kush-himalaya",
    "andes": "andes",
    "partnership": "partnership",
    "indicators": "world",
}


def expected_labels(path: str, lang: str = "en") -> set[str]:
    """The layer control's labels, from the catalogue titles of what the page draws by default."""
    view = catalog.view(MAP_PAGES[path])
    if path == "indicators":  # the indicators page: terrain plus the mountain-share choropleth
        ids, indicator = ["hillshade"], "mountain_share"
    else:
        ids, indicator = list(view.default_layers), view.default_indicator
    labels = {catalog.layer(x).title(lang) for x in ids}
    if indicator:
        labels.add(catalog.layer(indicator).title(lang))
    if "hillshade" in ids and not indicator:
        labels.add(t("country", lang))  # country outlines drawn over the terrain
    return labels


def check_clean(v) -> None:
    assert not v.outside, f"requests leaving 127.0.0.1: {v.outside}"
    assert not v.failed, f"failed requests: {v.failed}"
    assert not v.console_errors, f"console errors: {v.console_errors}"
    assert v.page.locator("[data-testid='stException']").count() == 0, "Streamlit exception box shown"


@pytest.mark.parametrize("path", list(MAP_PAGES))
def test_map_page_draws_lists_its_layers_and_stays_offline(visit, app_url, path):
    v = visit(f"{app_url}/{path}")
    drawn = v.drawn()
    view = catalog.view(MAP_PAGES[path])
    if "hillshade" in view.default_layers or path == "indicators":
        assert drawn["images"] >= 1, drawn  # the terrain image overlay has loaded
    assert drawn["canvases"] >= 1 and drawn["painted"] > 100, drawn  # vector features painted on the canvas
    assert set(v.layer_labels()) == expected_labels(path)
    check_clean(v)
    shot(v, f"page_{path or 'world'}")


def test_map_files_are_local_content_named_artefacts(visit, app_url):
    v = visit(f"{app_url}/alps")
    named = re.compile(r"/artefacts/[0-9a-f]{16}/[a-z0-9-]+\.[0-9a-f]{16}\.[a-z]+$")
    js = [r for r in v.responses if r.url.split("?")[0].endswith(".js") and "/artefacts/" in r.url]
    css = [r for r in v.responses if r.url.split("?")[0].endswith(".css") and "/artefacts/" in r.url]
    assert len(js) == 2 and len(css) == 2, [r.url for r in v.responses if "/artefacts/" in r.url]  # Leaflet and our map script
    for r in js + css:
        assert r.url.startswith(app_url) and named.search(r.url), r.url
        assert r.status in (200, 304) and ("javascript" in r.content_type or "text/css" in r.content_type), (r.url, r.content_type)
    from geo import assets

    assert v.map_frame().evaluate("() => typeof window.L === 'object' && window.L.version") == assets.LEAFLET_VERSION
    check_clean(v)


def test_artefacts_answer_with_validators_and_refuse_other_paths(visit, app_url):
    v = visit(f"{app_url}/carpathians")
    url = next(r.url for r in v.responses if r.url.endswith(".topojson"))
    with urllib.request.urlopen(url, timeout=30) as r:
        etag, cache = r.headers["ETag"], r.headers["Cache-Control"]
        assert r.status == 200 and "immutable" in cache and "max-age=31536000" in cache and etag
        assert json.loads(r.read())["type"] == "Topology"
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(urllib.request.Request(url, headers={"If-None-Match": etag}), timeout=30)
    assert e.value.code == 304
    gen_url = url.rsplit("/", 1)[0]
    for bad in ("..%2Fmanifest.json", "manifest.json", "..%2F..%2F..%2Fapp.py", "x.0123456789abcdef.py"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(f"{gen_url}/{bad}", timeout=30)
        assert e.value.code in (400, 404), bad
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"{gen_url}/map-alps.0123456789abcdef.html", timeout=30)
    assert e.value.code == 404


@pytest.mark.parametrize("path,lang,size", [("alps", "en", (1440, 900)), ("alps", "zh", (390, 844)),
                                            ("", "zh", (1440, 900)), ("partnership", "en", (390, 844))])
def test_map_manners_wheel_scrolls_the_page_and_the_legend_folds(visit, app_url, path, lang, size):
    v = visit(f"{app_url}/{path}" + ("?lang=zh" if lang == "zh" else ""), viewport={"width": size[0], "height": size[1]})
    frame = v.map_frame()
    # the map refits when its frame is resized (in Leaflet's resize event, as its size changes): once it has
    # the frame's new size, its zoom is final
    frame.wait_for_function("() => AtlasMap.map.getSize().x === document.documentElement.clientWidth "
                            "&& AtlasMap.map.getSize().y === document.documentElement.clientHeight", timeout=90_000)
    # a key press counts as the reader's own move: the map stops refitting to its frame, so any zoom change
    # below can only come from the wheel
    frame.evaluate("() => AtlasMap.map.getContainer().dispatchEvent(new KeyboardEvent('keydown', {key: 'Shift', bubbles: true}))")
    assert v.page.locator(MAP_IFRAME).get_attribute("title") == t("map_alt", lang, title=catalog.view(MAP_PAGES[path]).title(lang))
    zoom = frame.evaluate("() => AtlasMap.map.getZoom()")
    scroller = "() => { const m = document.querySelector('[data-testid=stMain]'); return (m ? m.scrollTop : 0) + window.scrollY; }"
    v.page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]'); if (m) m.scrollTop = 0; window.scrollTo(0, 0); }")
    v.page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    before = v.page.evaluate(scroller)
    box = v.page.locator(MAP_IFRAME).bounding_box()
    v.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 150))
    for _ in range(3):
        v.page.mouse.wheel(0, 250)
    v.page.wait_for_function(f"() => ({scroller})() > {before}", timeout=30_000)
    assert frame.evaluate("() => AtlasMap.map.getZoom()") == zoom  # the page scrolled, the map did not zoom
    toggle = frame.locator(".ma-legend-toggle")
    first = toggle.get_attribute("aria-expanded")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") != first
    assert toggle.inner_text().endswith(t("legend", lang))


def test_chinese_page_shows_chinese(visit, app_url):
    v = visit(f"{app_url}/alps?lang=zh")
    body = v.page.inner_text("body")
    assert "阿尔卑斯山脉" in body and "关键数据" in body
    assert set(v.layer_labels()) == expected_labels("alps", "zh")
    check_clean(v)
    shot(v, "page_alps_zh")


def test_resolution_page_lists_paragraphs_with_anchors(visit, app_url):
    v = visit(f"{app_url}/resolution#op28", wait_map=False)
    v.page.wait_for_selector("#op28", timeout=60_000)
    assert v.page.locator("#op39").count() == 1
    assert "阿尔卑斯" in v.page.inner_text("body")
    settle(v.page)
    check_clean(v)
    shot(v, "page_resolution")


def test_framing_allowed_and_xsrf_on(app_url):
    """An embed needs the page to be frameable; XSRF protection stays on in the running server."""
    for path in ("/", "/alps", "/alps?embed=true"):
        with urllib.request.urlopen(f"{app_url}{path}", timeout=30) as r:
            xfo = r.headers.get("X-Frame-Options", "")
            csp = r.headers.get("Content-Security-Policy", "")
        assert xfo.upper() not in ("DENY", "SAMEORIGIN"), (path, xfo)
        ancestors = csp.split("frame-ancestors", 1)[1].split(";")[0] if "frame-ancestors" in csp else ""
        assert "'none'" not in ancestors and "'self'" != ancestors.strip(), (path, csp)
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=30) as r:
        assert any(c.startswith("_streamlit_xsrf=") for c in r.headers.get_all("Set-Cookie") or []), "no XSRF cookie"
    # a state-changing request without the XSRF token is refused
    req = urllib.request.Request(f"{app_url}/_stcore/upload_file/some-session/some-file", data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 403
