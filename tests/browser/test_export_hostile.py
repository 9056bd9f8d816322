"""Static exports under hostile input: every page that ``python -m geo.static_site --view all`` writes,
opened in Chromium from a local web server on 127.0.0.1 and from a file:// URL, with the
project's hostile corpora in the query string and in the fragment. No script of theirs runs
(window.__pwned setter and alert/confirm/prompt traps in every frame before any script), nothing
is requested from anywhere but the page's own host, the map still draws, nothing of the URL is
written into the page."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from geo import catalog
from tests.browser.helpers import DRAWN_READY, settle
from tests.browser.test_hostile import CORPUS_A, CORPUS_B
from tests.conftest import free_port
from tests.test_app import HOSTILE

pytestmark = pytest.mark.browser

PAGES = ("index", *catalog.VIEWS)  # what `--view all` writes: an index and one page per view
# the AppTest corpus as (name, value) pairs: each value under a parameter name of its own
CORPUS_C = [(f"p_{k.replace('-', '_')}", v if isinstance(v, str) else ",".join(v)) for k, v in HOSTILE.items()]
#: all three corpora in one URL (44 KB, under the 64 KB request line of the local web server): the
#: exported pages read nothing of their URL, so one hostile visit per page covers what three did
CORPUS = CORPUS_A + CORPUS_B + CORPUS_C
# fragments a page might read (location.hash) and write into the DOM or eval
RAW_FRAGMENTS = ["<img src=x onerror=window.__pwned=7>", "javascript:window.__pwned=8", "\"><svg/onload=alert(9)>"]


@pytest.fixture(scope="module")
def exported(exported_site):
    """The CLI's own output, as a user would publish it (tests/conftest.py: no PNG, it is not a page)."""
    written = sorted(p.stem for p in exported_site.glob("*.html"))
    assert written == sorted(PAGES), written  # every page is covered below
    return exported_site


@pytest.fixture(scope="module")
def served(exported):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(exported)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(base + "/index.html", timeout=2)
            break
        except OSError:
            if time.monotonic() > end or proc.poll() is not None:
                proc.terminate()
                pytest.fail("the local web server for the export did not start")
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(10)


def hostile_url(base: str, page: str, corpus) -> str:
    query = urllib.parse.urlencode(corpus)
    fragment = urllib.parse.quote("&".join(RAW_FRAGMENTS) + "&" + query, safe="=&<>\"'/:;()")
    return f"{base}/{page}.html?{query}#{fragment}"


def check(visit, url: str, page_name: str) -> None:
    v = visit(url, wait_map=False)  # the tab traps scripts in every frame (helpers.TRAPS)
    page = v.page
    page.wait_for_load_state("load", timeout=90_000)
    if page_name != "index":  # the map draws as it would without the hostile URL
        page.wait_for_function(DRAWN_READY, timeout=90_000)
    settle(page)
    assert not v.dialogs, f"a dialog opened: {v.dialogs}"
    assert page.evaluate("() => window.__pwnedHits || []") == []
    assert "__pwned" not in page.content(), "something of the URL was written into the page"
    assert not v.problems(), v.problems()  # nothing leaves the machine, nothing fails, no console error


@pytest.mark.parametrize("page_name", PAGES)
def test_served_export_ignores_hostile_query_and_fragment(visit, served, page_name):
    check(visit, hostile_url(served, page_name, CORPUS), page_name)


@pytest.mark.parametrize("page_name", ["index", "alps"])  # the two page templates, from a file:// URL
def test_file_url_export_ignores_hostile_query_and_fragment(visit, exported, page_name):
    check(visit, hostile_url(exported.as_uri(), page_name, CORPUS), page_name)


def test_the_trap_would_catch_a_script(visit, tmp_path):
    """The check above can fail: a page that writes its fragment into the DOM trips the trap."""
    (tmp_path / "bad.html").write_text(
        "<!doctype html><html><body><div id=o></div><script>"
        "document.getElementById('o').innerHTML = decodeURIComponent(location.hash.slice(1));</script></body></html>",
        encoding="utf-8")
    url = hostile_url(tmp_path.as_uri(), "bad", CORPUS_A)
    visit(url, wait_map=False).page.wait_for_function("() => (window.__pwnedHits || []).length > 0", timeout=30_000)
