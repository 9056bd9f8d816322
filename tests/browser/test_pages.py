"""Every page in headless Chromium: the map draws, lists its layers, and nothing leaves loopback."""

from __future__ import annotations

import pytest

from geo import catalog
from tests.browser.helpers import shot, visit

pytestmark = pytest.mark.browser

MAP_PAGES = {"": "world", "alps": "alps", "carpathians": "carpathians", "hindu-kush-himalaya": "hindu-kush-himalaya",
             "andes": "andes", "partnership": "partnership", "indicators": "world"}


@pytest.mark.parametrize("path", list(MAP_PAGES))
def test_map_page_draws_and_stays_offline(browser, app_url, path):
    v = visit(browser, f"{app_url}/{path}")
    try:
        frame = v.map_frame()
        drawn = frame.evaluate("() => document.querySelectorAll('.leaflet-image-layer').length + "
                               "document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path').length")
        assert drawn > 0
        labels = frame.evaluate("() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label')).map(l => l.textContent.trim())")
        view = catalog.view(MAP_PAGES[path])
        want = [catalog.layer(lid).title("en") for lid in view.default_layers]
        if path == "indicators":
            want = [catalog.layer("mountain_share").title("en")]
        for title in want:
            assert any(title in lab for lab in labels), (title, labels)
        assert frame.evaluate("() => typeof window.L") == "object"
        assert not v.outside, f"requests leaving 127.0.0.1: {v.outside}"
        assert not v.failed, f"failed requests: {v.failed}"
        assert not v.real_errors, f"console errors: {v.real_errors}"
        assert v.page.locator("[data-testid='stException']").count() == 0
        shot(v, f"page_{path or 'world'}")
    finally:
        v.page.context.close()


def test_leaflet_is_served_as_javascript(app_url):
    import urllib.request

    from geo import assets

    with urllib.request.urlopen(f"{app_url}/component/geo.ui.{assets.COMPONENT_NAME}/leaflet.js") as r:
        assert r.status == 200 and "javascript" in r.headers["Content-Type"]
        assert b"Leaflet" in r.read(2000)


def test_chinese_page_shows_chinese(browser, app_url):
    v = visit(browser, f"{app_url}/alps?lang=zh")
    try:
        body = v.page.inner_text("body")
        assert "阿尔卑斯山脉" in body and "关键数据" in body
        labels = v.map_frame().evaluate("() => document.querySelector('.leaflet-control-layers').textContent")
        assert "山区等级" in labels
        shot(v, "page_alps_zh")
    finally:
        v.page.context.close()


def test_resolution_page_lists_paragraphs_with_anchors(browser, app_url):
    v = visit(browser, f"{app_url}/resolution#op28", wait_map=False)
    try:
        v.page.wait_for_selector("#op28", timeout=60_000)
        assert v.page.locator("#op39").count() == 1
        assert "阿尔卑斯" in v.page.inner_text("body")
        assert not v.outside
        shot(v, "page_resolution")
    finally:
        v.page.context.close()


def test_framing_allowed_and_xsrf_on(app_url):
    import urllib.request

    with urllib.request.urlopen(f"{app_url}/") as r:
        xfo = r.headers.get("X-Frame-Options", "")
        csp = r.headers.get("Content-Security-Policy", "")
    assert xfo.upper() not in ("DENY", "SAMEORIGIN")
    assert "frame-ancestors 'none'" not in csp
    from streamlit import config

    config.get_config_options(force_reparse=True, options_from_flags={})
    assert config.get_option("server.enableXsrfProtection") is True
