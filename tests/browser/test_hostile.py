"""Hostile URL parameters on every page template in Chromium: no script of theirs runs in any frame, no
Streamlit exception box, a plain notice naming the parameter, nothing leaves loopback, and the
server stays up."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from geo import catalog
from tests.browser.helpers import DRAWN_READY, RUN_FINISHED_JS, settle
from tests.conftest import TEMPLATE_VIEWS

pytestmark = pytest.mark.browser

# (name, value): every payload sets window.__pwned and/or calls alert() if it ever runs.
CORPUS_A = [
    ("lang", "<script>window.__pwned=1;alert('lang')</script>"),
    ("layers", "\"'><img src=x onerror=\"window.__pwned=2;alert('layers')\">"),
    ("indicator", "javascript:window.__pwned=3;alert('indicator')"),
    ("year", "9" * 400),
    ("tiles", "../../../../etc/passwd"),
    ("embed", "<svg/onload=window.__pwned=4>"),
    ("view", "'-alert('view')-'"),
]
CORPUS_B = [
    ("layers", "x" * 10_240),
    ("indicator", "sdg_AG_LND_FRST\u202e<b>"),
    ("year", "2015\x00<script>alert(5)</script>"),
    ("lang", "en"), ("lang", "zh"),  # repeated key
    ("tiles", "\"onmouseover=\"window.__pwned=6"),
]
PAGES = [catalog.PAGE_PATHS[v] for v in TEMPLATE_VIEWS]  # once per page template


def expected_notices(path: str, corpus) -> set[str]:
    names = {n for n, _ in corpus} - {"embed"}  # Streamlit owns ``embed`` and drops other values silently
    if path in ("resolution", "compare"):  # they read lang (and the reader p) only
        return names & {"lang"}
    if path != "indicators":
        names.discard("view")
    return names


@pytest.mark.parametrize("corpus", [CORPUS_A, CORPUS_B], ids=["injection", "size-bidi-control-repeat"])
@pytest.mark.parametrize("path", PAGES)
def test_hostile_parameters_do_nothing(visit, app_url, path, corpus):
    query = urllib.parse.urlencode(corpus)
    v = visit(f"{app_url}/{path}?{query}", wait_map=False)  # the tab traps scripts in every frame (helpers.TRAPS)
    page = v.page
    page.wait_for_selector("[data-testid='stAlert'], [data-testid='stAlertContainer']", timeout=90_000)
    if path not in ("resolution", "compare"):  # the default map draws (compare shows static images)
        v.wait_map_frame(90_000).wait_for_function(DRAWN_READY, timeout=90_000)
    page.wait_for_function(RUN_FINISHED_JS, timeout=90_000)  # every notice is in, before absences are checked
    settle(page)
    assert not v.dialogs, f"a dialog opened: {v.dialogs}"
    assert page.evaluate("() => window.__pwnedHits || []") == []
    body = page.inner_text("body")
    for name in expected_notices(path, corpus):
        assert f"Ignored the URL parameter {name}:" in body, (name, body[:500])
    for _, value in corpus:
        if len(value) > 3:
            assert value not in body, "a rejected value was echoed"
    assert "__pwned" not in page.content()  # not in the DOM of the page, escaped or not
    assert not v.problems(), v.problems()  # no exception box, nothing leaves 127.0.0.1, nothing fails, no console error
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=10) as r:
        assert r.status == 200
