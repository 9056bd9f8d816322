"""Page design in headless Chromium at a desktop (1440x900) and a phone (390x844) size, in
both languages: the chosen language sticks to every sidebar link, the tab title and
``<html lang>`` when it is switched; snapshots and CSVs cite the address the page was served
from. Screenshots go to tests/artifacts/design_*.png. (Every page with its source lines, on a
phone in both languages and at desktop size in one, is
test_pages.py::test_every_page_in_the_language_at_the_size.)"""

from __future__ import annotations

import csv
import io
import re

import pytest

from geo.i18n import t
from tests.browser.helpers import open_sidebar
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
TIMEOUT = 90_000


def _open(visit, url: str, size: tuple[int, int]):
    """``url`` in the worker's tab at ``size``, once its title is on screen."""
    page = visit(url, wait_map=False, timeout_ms=TIMEOUT, viewport={"width": size[0], "height": size[1]}).page
    page.get_by_role("heading", level=1).first.wait_for()
    return page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"design_{name}.png"))


def _sidebar_hrefs(page) -> list[str]:
    return page.eval_on_selector_all('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]', "els => els.map(e => e.href)")


@pytest.mark.parametrize("size,start,choice", [("phone", "en", "zh"), ("desktop", "zh", "en")])
def test_the_chosen_language_sticks_to_every_link_title_and_html_lang(visit, app_url, size, start, choice):
    url = f"{app_url}/alps" + ("?lang=zh" if start == "zh" else "")
    page = _open(visit, url, VIEWPORTS[size])
    if size == "phone":  # the phone menu has a visible label in the page's language
        page.locator('[data-testid="stExpandSidebarButton"]').wait_for()
        page.wait_for_function("""label => getComputedStyle(document.querySelector('[data-testid=stExpandSidebarButton]'),
                                                              '::after').content.includes(label)""", arg=t("menu", start))
    open_sidebar(page)
    page.locator('[data-testid="stSidebar"] [role="radiogroup"] label').filter(
        has_text="中文" if choice == "zh" else "English").click()
    if choice == "zh":
        page.wait_for_function("() => location.search.includes('lang=zh')")
    else:
        page.wait_for_function("() => !location.search.includes('lang=zh')")
    want = "zh" if choice == "zh" else "en"
    page.wait_for_function("l => document.documentElement.lang.startsWith(l)", arg=want)
    # every sidebar link follows the choice (no run in between)
    page.wait_for_function(
        """zh => { const a = [...document.querySelectorAll('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]')];
                  return a.length >= 8 && a.every(e => e.href.includes('lang=zh') === zh); }""", arg=choice == "zh")
    hrefs = _sidebar_hrefs(page)
    assert len(hrefs) >= 8
    assert all(("lang=zh" in h) == (choice == "zh") for h in hrefs), hrefs
    page.wait_for_function("zh => /[\\u4e00-\\u9fff]/.test(document.title) === zh", arg=choice == "zh")
    page.get_by_role("heading", level=1, name="阿尔卑斯山脉" if want == "zh" else "The Alps").wait_for()
    page.get_by_role("heading", name=t("key_figures", want)).wait_for()
    _shot(page, f"lang_{start}_to_{choice}_{size}")
    # and the next page opened from the sidebar stays in that language
    page.locator('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]').filter(
        has_text=t("nav_partnership", want)).click()
    page.wait_for_function("() => location.pathname.endsWith('/partnership')")
    page.get_by_role("heading", level=1, name=re.compile("山区伙伴关系" if want == "zh" else "Mountain Partnership")).wait_for()
    assert ("lang=zh" in page.url) == (choice == "zh")


@pytest.mark.parametrize("size,lang", [("desktop", "en"), ("phone", "zh")])
def test_snapshot_and_csv_cite_the_address_they_were_served_from(visit, app_url, size, lang):
    q = "?lang=zh" if lang == "zh" else ""
    page = _open(visit, f"{app_url}/alps{q}", VIEWPORTS[size])
    want = f"{app_url}/alps{q}"
    btn = page.get_by_role("button", name=t("download_csv", lang))
    btn.scroll_into_view_if_needed()
    with page.expect_download(timeout=TIMEOUT) as dl:
        btn.click()
    body = open(dl.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and all(want in r["citation"] for r in rows), rows[0]["citation"]
    assert "localhost:8501" not in body
    btn = page.get_by_role("button", name=t("download_svg", lang))
    with page.expect_download(timeout=TIMEOUT) as dl:
        btn.click()
    svg = open(dl.value.path(), encoding="utf-8").read()
    assert want.replace("&", "&amp;") in svg and "localhost:8501" not in svg
    _shot(page, f"downloads_{lang}_{size}")
