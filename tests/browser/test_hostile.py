"""Hostile URL parameters on every page: no script runs, a plain notice, the server stays up."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from geo import catalog
from tests.browser.helpers import open_page as visit

pytestmark = pytest.mark.browser

PAYLOAD = [
    ("lang", "<script>window.__pwned=1</script>"),
    ("layers", "\"'><img src=x onerror=\"window.__pwned=1\">"),
    ("indicator", "javascript:window.__pwned=1"),
    ("year", "9" * 40),
    ("tiles", "../../../../etc/passwd"),
    ("view", "<svg onload=window.__pwned=1>"),
]


@pytest.mark.parametrize("path", list(catalog.PAGE_PATHS.values()))
def test_hostile_parameters_do_nothing(browser, app_url, path):
    query = urllib.parse.urlencode(PAYLOAD + [("layers", "x" * 10_000), ("lang", "zh\u202e")])
    dialogs: list[str] = []
    v = visit(browser, f"{app_url}/{path}?{query}", wait_map=False)
    try:
        v.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        v.page.wait_for_selector("[data-testid='stAlert'], [data-testid='stAlertContainer']", timeout=90_000)
        v.page.wait_for_timeout(1500)
        assert not dialogs
        for frame in v.page.frames:
            assert frame.evaluate("() => window.__pwned === undefined"), frame.url
        body = v.page.inner_text("body")
        assert "Ignored the URL parameter" in body or "已忽略网址参数" in body
        assert "<script>" not in body and "onerror" not in body and "__pwned" not in body
        assert v.page.locator("[data-testid='stException']").count() == 0
        assert not v.outside
    finally:
        v.page.context.close()
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=10) as r:
        assert r.status == 200
