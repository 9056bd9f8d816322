"""The resolution reader in Chromium, on a desktop (1440x900) and a phone (390x844): a paragraph's
text beside its drawn map, previous / next change both, Back returns to the paragraph; a bad ``?p=``
gives the notice and the first paragraph; the embedded comparison has no controls. Screenshots go to
tests/artifacts/. (The comparison's four maps and table, and the reader's anchors, are checked where
every page is opened: test_pages.py.)"""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from geo import catalog, paths
from geo.i18n import t
from tests.browser.helpers import DRAWN_READY, RUN_FINISHED_JS, images_ready_js, settle, shot

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
TIMEOUT_MS = 90_000
STICKY_TOP = 60  # px: the map panel sticks under Streamlit's header (3.75rem)
PARAS = {p["id"]: p for p in json.loads((paths.ROOT / "data/resolution/paragraphs.json").read_text(encoding="utf-8"))}
ALPS = catalog.layer("region_alpine-convention").title("en")
CARPATHIANS = catalog.layer("region_carpathian-convention").title("en")
MOUNTAIN_CLASSES = catalog.layer("mountain_classes").title("en")


def open_at(visit, url: str, size: str, wait_map: bool = True):
    """Open ``url`` (through the shared helpers), set the viewport, wait for a drawn map."""
    v = visit(url, wait_map=False, viewport=SIZES[size])  # the final size from the start: nothing reflows later
    if wait_map:
        v.wait_map_frame(TIMEOUT_MS).wait_for_function(DRAWN_READY, timeout=TIMEOUT_MS)
        settle(v.page)
    return v


def wait_map_showing(v, label: str) -> None:
    """Wait (up to 90 s) until the map frame has drawn and its layer control lists ``label``
    (the map is replaced when the paragraph changes, so the frame is looked up again)."""
    end = time.monotonic() + TIMEOUT_MS / 1000
    seen: list[str] = []
    while time.monotonic() < end:
        try:
            frame = v.wait_map_frame(max(int((end - time.monotonic()) * 1000), 1000))
            if frame.evaluate(DRAWN_READY):
                seen = v.layer_labels()
                if label in seen:
                    return
        except (PlaywrightError, AssertionError):
            pass
        v.page.wait_for_timeout(250)
    raise AssertionError(f"no drawn map listing {label!r} within 90 s; last labels: {seen}")


def chosen(v):
    return v.page.locator(".st-key-reader_chosen")


def wait_chosen(v, pid: str) -> None:
    """Wait until the paragraph beside the map is ``pid``: its heading and its official text."""
    head = chosen(v).locator("h4")
    head.filter(has_text=f"{pid} · ").wait_for(timeout=TIMEOUT_MS)
    assert PARAS[pid]["text_zh"][:12] in chosen(v).inner_text()


def box(locator_or_handle) -> dict:
    b = locator_or_handle.bounding_box()
    assert b is not None, "not rendered"
    return b


def in_view(b: dict, size: str) -> bool:
    h = SIZES[size]["height"]
    return b["y"] >= 0 and b["y"] < h and b["height"] > 0


#: Scroll the page's scrolling container (Streamlit's main area) by ``dy`` pixels.
SCROLL_BY_JS = """(dy) => { const e = document.querySelector('.st-key-reader_chosen'); let s = e.parentElement;
  while (s && !(s.scrollHeight > s.clientHeight + 1 && /(auto|scroll)/.test(getComputedStyle(s).overflowY))) s = s.parentElement;
  (s || document.scrollingElement).scrollBy(0, dy); }"""


def map_panel(v):
    """The reader's map column (sticky), found by the panel it holds."""
    return v.page.locator("[data-testid='stColumn']").filter(has=v.page.locator(".st-key-reader_map")).first


def bring_text_beside_map(v, size: str) -> None:
    """On a phone the text runs under the sticky map: scroll until the chosen paragraph's
    heading sits just below the map panel (the panel stays at the top)."""
    if size != "phone":
        return
    end = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < end:
        panel = box(map_panel(v))
        head = box(chosen(v).locator("h4"))
        gap = head["y"] - (panel["y"] + panel["height"])
        if 0 <= gap < 120 and in_view(head, size) and panel["y"] < 120:
            return
        # where the heading goes: under the panel once the panel sits at the top of the page
        v.page.evaluate(SCROLL_BY_JS, head["y"] - (STICKY_TOP + panel["height"] + 40))
        v.page.wait_for_timeout(200)
    raise AssertionError("could not bring the paragraph beside the map")


def check_map_and_text_together(v, pid: str, size: str) -> None:
    frame_box = box(v.map_frame().frame_element())
    head = box(chosen(v).locator("h4"))
    assert in_view(frame_box, size) and in_view(head, size), (frame_box, head)
    assert frame_box["y"] + frame_box["height"] * 0.5 < SIZES[size]["height"], "less than half the map in view"
    if size == "phone":  # the map sits above the text
        assert frame_box["y"] < head["y"], (frame_box, head)
    else:  # beside it
        assert frame_box["x"] + frame_box["width"] <= head["x"], (frame_box, head)


@pytest.mark.parametrize("size", list(SIZES))
def test_reader_text_beside_its_map_next_previous_and_back(visit, app_url, size):
    v = open_at(visit, f"{app_url}/resolution?p=OP28", size)
    page = v.page
    wait_chosen(v, "OP28")
    wait_map_showing(v, ALPS)
    bring_text_beside_map(v, size)
    check_map_and_text_together(v, "OP28", size)
    shot(v, f"reader_op28_{size}")

    page.get_by_role("button", name="Next (OP29)").click()
    wait_chosen(v, "OP29")
    wait_map_showing(v, CARPATHIANS)
    assert "p=OP29" in page.url
    bring_text_beside_map(v, size)
    check_map_and_text_together(v, "OP29", size)
    shot(v, f"reader_op29_{size}")

    # the previous paragraph is in the history, map and all. (Back is the browser's own history step,
    # waited for by what it shows, below. Not Playwright's go_back: it waits for a navigation to
    # commit, and once a step inside the page's history reported none: it waited out its 90 s and
    # the test failed.)
    page.evaluate("() => history.back()")
    wait_chosen(v, "OP28")
    wait_map_showing(v, ALPS)
    assert "p=OP28" in page.url

    page.get_by_role("button", name="Previous (OP27)").click()
    wait_chosen(v, "OP27")
    wait_map_showing(v, catalog.layer("region_icimod").title("en"))  # OP27: the four regional bodies on the world map
    assert "p=OP27" in page.url
    if size == "phone":  # while paragraphs change, the map stayed at the top
        assert in_view(box(v.map_frame().frame_element()), size)
    settle(page)
    assert not v.problems(), v.problems()


def test_reader_bad_paragraph_gives_the_notice_and_the_first_paragraph(visit, app_url):
    """Once, on a phone: nothing it checks depends on the size (the reader's layout at both sizes is
    the test above)."""
    size = "phone"
    v = open_at(visit, f"{app_url}/resolution?p=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3EOP99", size)
    v.page.get_by_text(t("notice_bad_param", "en", name="p")).wait_for(timeout=TIMEOUT_MS)
    wait_chosen(v, "PP1")
    wait_map_showing(v, MOUNTAIN_CLASSES)  # PP1's map: the world's mountain classes
    assert "onerror" not in v.page.inner_text("body") and not v.dialogs
    assert "p=" not in v.page.url  # the rejected value left the URL
    shot(v, f"reader_bad_p_{size}")


def test_compare_embedded_has_no_controls(visit, app_url):
    v = open_at(visit, f"{app_url}/compare?embed=true&lang=zh", "desktop", wait_map=False)
    page = v.page
    page.wait_for_function(images_ready_js(4), timeout=TIMEOUT_MS)
    page.locator("[data-testid='stTable'] table").first.wait_for(timeout=TIMEOUT_MS)
    # the run has finished, so nothing can still be on its way when absence is checked below
    page.wait_for_function(RUN_FINISHED_JS, timeout=TIMEOUT_MS)
    body = page.inner_text("body")
    assert "阿尔卑斯山脉" in body and "安第斯山脉" in body
    assert page.locator("[data-testid='stSidebar'] input").count() == 0  # no language control, no navigation
    assert t("compare_embed", "zh") not in body
    shot(v, "compare_embed_zh")
