"""Every page in headless Chromium: the map draws, lists its layers, Leaflet is served locally
with a JavaScript MIME type, no console error, and nothing leaves 127.0.0.1."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from geo import catalog, paths
from geo.i18n import t
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.helpers import (CJK, DRAWN_JS, DRAWN_READY, LAYER_LABELS_JS, MAP_BOXES_JS, MAP_IFRAME, MAP_SIZED_JS,
                                   PAGE_DONE_JS, PAGE_SCROLL_JS, PAGE_SCROLL_TOP_JS, TOOLTIP_OVER_LEGEND_JS, VISIBLE_CAPTIONS_JS, area,
                                   boxes_overlap, caption_problems, images_ready_js, open_page, open_sidebar, settle, shot,
                                   touch_gesture)
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

#: URL path of each map page -> the view it draws (the indicators page draws the world view)
MAP_PAGES = {catalog.PAGE_PATHS[p]: "world" if p == "indicators" else p for p in catalog.MAP_PAGES}


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
    problems = v.problems()
    assert not problems, problems


def test_map_files_are_local_named_artefacts_with_validators(visit, app_url):
    """The map's files (Leaflet, our map script, their CSS, the TopoJSON) come from the app itself under
    content-hashed names with a JavaScript or CSS MIME type; they answer with an ETag (304 when it
    matches) and are immutable; other paths under the artefact folder are refused."""
    v = visit(f"{app_url}/carpathians")
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


SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
#: Pages whose map is a live Leaflet map in a frame (the compare page shows still images).
LIVE_MAP = {"world", "alps", "carpathians", "hindu-kush-himalaya", "andes", "partnership", "indicators", "resolution"}
#: Links to the app's own pages (not its map files, health checks or media).
OWN_LINKS_JS = """base => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)
  .filter(h => h.startsWith(base) && !/\\/(artefacts|_stcore|media|embed)\\//.test(h.slice(base.length)))"""


def check_map(page, lang: str, size: str, name: str) -> list[str]:
    """A drawn map: the wheel scrolls the page and leaves the zoom alone; the legend opens and closes;
    opened, it keeps clear of the zoom buttons and layer control, a tooltip shows on top of it, and on a
    phone (or any map under 600 px) it covers at most 45 % of the map's area and about 40 % of its height."""
    problems = []
    frame_el = page.locator(MAP_IFRAME).first
    frame_el.wait_for()
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_function(DRAWN_READY, timeout=90_000)
    title = frame_el.get_attribute("title") or ""
    path = catalog.PAGE_PATHS[name]
    # the map counts as drawn once a first layer is on screen: the terrain image may still be loading
    # and the vector canvas waiting for its next frame, so both are waited for
    terrain = path in MAP_PAGES and ("hillshade" in catalog.view(MAP_PAGES[path]).default_layers or path == "indicators")
    try:
        frame.wait_for_function(f"terrain => {{ const d = ({DRAWN_JS})(); return d.painted > 100 && (d.images > 0 || !terrain); }}",
                                arg=terrain, timeout=60_000, polling=250)
    except PlaywrightTimeout:
        pass  # reported below, with what was drawn
    drawn = frame.evaluate(DRAWN_JS)
    if terrain and drawn["images"] < 1:
        problems.append(f"the terrain image is not shown: {drawn}")
    if path in MAP_PAGES:
        labels = set(frame.evaluate(LAYER_LABELS_JS))
        if labels != expected_labels(path, lang):
            problems.append(f"layer control lists {sorted(labels)}, not {sorted(expected_labels(path, lang))}")
    if drawn["canvases"] < 1 or drawn["painted"] <= 100:
        problems.append(f"no vector features painted: {drawn}")
    if path in MAP_PAGES and title != t("map_alt", lang, title=catalog.view(MAP_PAGES[path]).title(lang)):
        problems.append(f"map frame title {title!r}")
    if lang == "zh" and not CJK.search(title):
        problems.append(f"map frame title not in Chinese: {title!r}")
    # once the map has its frame's size its zoom is final; a key press then stops it refitting, so any
    # zoom change below can only come from the wheel
    frame.wait_for_function(MAP_SIZED_JS, timeout=90_000)
    frame.evaluate("() => AtlasMap.map.getContainer().dispatchEvent(new KeyboardEvent('keydown', {key: 'Shift', bubbles: true}))")
    zoom = frame.evaluate("() => AtlasMap.map.getZoom()")
    page.evaluate(PAGE_SCROLL_TOP_JS)
    frame_el.scroll_into_view_if_needed()
    before = page.evaluate(PAGE_SCROLL_JS)
    box = frame_el.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 150))
    up = before > 0  # a map at the foot of the page: the page can only scroll back up
    for _ in range(3):
        page.mouse.wheel(0, -250 if up else 250)
    try:
        page.wait_for_function(f"() => ({PAGE_SCROLL_JS})() {'<' if up else '>'} {before}", timeout=30_000)
    except PlaywrightTimeout:
        problems.append("a wheel over the map did not scroll the page")
    if frame.evaluate("() => AtlasMap.map.getZoom()") != zoom:
        problems.append("a wheel over the map zoomed it")
    # the legend: open it if folded, look, fold it, open it again (or the reverse)
    frame_el.scroll_into_view_if_needed()
    toggle = frame.locator(".ma-legend-toggle")
    body = frame.locator(".ma-legend-body")
    first = toggle.get_attribute("aria-expanded")
    if not toggle.inner_text().endswith(t("legend", lang)):
        problems.append(f"legend button {toggle.inner_text()!r}")
    for _ in range(2):
        was = toggle.get_attribute("aria-expanded")
        try:
            toggle.click(timeout=20_000)
        except PlaywrightTimeout:
            problems.append("the legend button cannot be clicked")
            break
        now = toggle.get_attribute("aria-expanded")
        if now == was or body.is_visible() != (now == "true"):
            problems.append(f"the legend toggle went from {was} to {now}, body visible: {body.is_visible()}")
        if now == "true":
            b = frame.evaluate(MAP_BOXES_JS)
            ratio = area(b["legend"]) / area(b["map"])
            narrow = b["map"]["right"] - b["map"]["left"] < 600
            tall = (b["legend"]["bottom"] - b["legend"]["top"]) / (b["map"]["bottom"] - b["map"]["top"])
            if (size == "phone" or narrow) and (ratio > 0.45 or tall > 0.41):
                problems.append(f"the opened legend covers {ratio:.0%} of the map and {tall:.0%} of its height")
            tip = frame.evaluate(TOOLTIP_OVER_LEGEND_JS)
            if tip != "ok":
                problems.append(f"tooltip over the legend: {tip}")
            for ctl in ("zoom", "layers"):
                if b[ctl] is None or boxes_overlap(b["legend"], b[ctl]):
                    problems.append(f"the opened legend covers the {ctl} control: {b['legend']} {b[ctl]}")
            page.screenshot(path=str(ARTIFACTS / f"grid_{name}_{lang}_{size}_legend.png"))
    if toggle.get_attribute("aria-expanded") != first:
        problems.append("two clicks did not bring the legend back")
    # the mouse drags the map (a touch does not: test_on_a_touch_screen_...); then it goes back
    frame_el.scroll_into_view_if_needed()
    box = frame_el.bounding_box()
    centre = frame.evaluate("() => AtlasMap.map.getCenter()")
    x, y = box["x"] + box["width"] * 0.35, box["y"] + min(box["height"] / 2, 150)  # clear of the controls and legend
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y + 40, steps=5)
    page.mouse.up()
    try:
        frame.wait_for_function("c => { const n = AtlasMap.map.getCenter(); return n.lat !== c.lat || n.lng !== c.lng; }",
                                arg=centre, timeout=30_000)
    except PlaywrightTimeout:
        problems.append("a mouse drag over the map did not move it")
    frame.evaluate("c => { AtlasMap.map.setView(c, AtlasMap.map.getZoom(), {animate: false}); }", centre)
    return problems


def check_home(page, lang: str, size: str) -> list[str]:
    """The home page: its introduction and the ways in (the four ranges, the reader, the comparison);
    printed, it leaves the sidebar out."""
    problems = []
    intro = re.split(r"[*_\[`]", t("home_intro", lang))[0][:24]  # the plain start of the first sentence
    if intro not in page.inner_text("[data-testid=stMain]"):
        problems.append(f"no introduction ({intro!r})")
    links = page.evaluate("() => Array.from(document.querySelectorAll('[data-testid=stMain] a')).map(a => [a.innerText.trim(), a.href])")
    ways = {catalog.view(r).title(lang): catalog.PAGE_PATHS[r] for r in catalog.RANGE_VIEWS}
    ways |= {t("nav_resolution", lang): "resolution", t("nav_compare", lang): "compare"}
    for label, path in ways.items():
        hrefs = [h for text, h in links if label in text]
        if not hrefs or hrefs[0].split("?")[0].rstrip("/").rsplit("/", 1)[-1] != path:
            problems.append(f"the way in {label!r} does not lead to /{path}: {hrefs}")
    page.emulate_media(media="print")
    try:
        if page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=stSidebar]')).display") != "none":
            problems.append("the sidebar is printed")
        page.screenshot(path=str(ARTIFACTS / f"grid_world_{lang}_{size}_print.png"))
    finally:
        page.emulate_media(media="screen")
    return problems


def check_compare(page, lang: str) -> list[str]:
    """The comparison page: four maps shown at one size from images of one size (one scale), and the
    table of the four ranges with each range's computed mountain area."""
    problems = []
    try:
        page.wait_for_function(images_ready_js(4), timeout=90_000)
    except PlaywrightTimeout:
        return ["the four compare maps did not load"]
    shown = page.evaluate("() => Array.from(document.querySelectorAll('[data-testid=\"stImage\"] img'))"
                          ".map(i => { const r = i.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height),"
                          " i.naturalWidth, i.naturalHeight]; })")
    if len({tuple(x[:2]) for x in shown}) != 1 or len({tuple(x[2:]) for x in shown}) != 1:
        problems.append(f"the four maps differ in size: {shown}")
    table = page.locator("[data-testid='stTable'] table").first
    table.wait_for(timeout=90_000)
    head = table.locator("thead").inner_text()
    problems += [f"the table has no column for {r}" for r in catalog.RANGE_VIEWS if catalog.view(r).title(lang) not in head]
    text = table.inner_text()
    for f in json.loads((paths.ROOT / "data/vector/ranges.geojson").read_text(encoding="utf-8"))["features"]:
        if f"{f['properties']['mountain_km2']:,.0f}" not in text:  # each range's computed mountain area
            problems.append(f"the table lacks {f['properties']['mountain_km2']:,.0f} km²")
    return problems


def check_page(page, app_url: str, name: str, lang: str, size: str) -> list[str]:
    """One opened page: its language, links, captions, width and (if it has one) its live map."""
    from geo.ui import page_title

    problems = []
    page.wait_for_function(PAGE_DONE_JS, timeout=90_000)
    want_title = f"{page_title(name, lang)} · {t('app_title', lang)}"
    try:
        page.wait_for_function("t => document.title === t", arg=want_title, timeout=30_000)
    except PlaywrightTimeout:
        problems.append(f"tab title {page.title()!r}, not {want_title!r}")
    try:  # Streamlit sets the title; the page's own script sets <html lang> a moment later
        page.wait_for_function("l => document.documentElement.lang.startsWith(l)", arg=lang, timeout=30_000)
    except PlaywrightTimeout:
        problems.append(f"<html lang={page.evaluate('() => document.documentElement.lang')!r}>")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stSidebar] a[data-testid=stPageLink-NavLink]')"
                           ".length >= 9", timeout=30_000)
    links = page.evaluate(OWN_LINKS_JS, app_url)
    wrong = [x for x in links if ("lang=zh" in x) != (lang == "zh")]
    if wrong:
        problems.append(f"{len(wrong)} of {len(links)} links lose the language: {wrong[:3]}")
    captions = page.evaluate(VISIBLE_CAPTIONS_JS)
    problems += caption_problems(captions, lang)
    if catalog.PAGE_PATHS[name] in MAP_PAGES and not any("http" in c for c in captions):
        problems.append("no source line")
    if size == "phone":  # the closed sidebar's menu button has a visible label in the page's language
        label = page.evaluate("() => { const b = document.querySelector('[data-testid=stExpandSidebarButton]');"
                              " return b ? getComputedStyle(b, '::after').content : null; }")
        if not label or t("menu", lang) not in label:
            problems.append(f"the phone menu button's label is {label!r}, not {t('menu', lang)!r}")
    if name in LIVE_MAP:
        problems += check_map(page, lang, size, name)
    if name == "world":
        problems += check_home(page, lang, size)
    if name == "compare":
        problems += check_compare(page, lang)
    wide = page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]'); return [document.documentElement.scrollWidth, "
                         "window.innerWidth, m.scrollWidth, m.clientWidth]; }")
    if wide[0] > wide[1] + 1 or wide[2] > wide[3] + 1:
        problems.append(f"wider than the screen: document {wide[0]} > {wide[1]} or main {wide[2]} > {wide[3]}")
    page.evaluate(PAGE_SCROLL_TOP_JS)
    page.screenshot(path=str(ARTIFACTS / f"grid_{name}_{lang}_{size}.png"))
    return problems


#: What the grid opens: on a phone, where a page is most crowded (the opened legend's share of the map,
#: the width), every page in both languages; at desktop size every page once, in English and Chinese by
#: turns. The language checks run the same code at both sizes, so each page's are made on the phone in
#: both languages; the desktop's own checks (the legend clear of the controls, the wheel, the width) are
#: made on every page, half of them in each language. At desktop size each page is opened by its address
#: (a new document and a new Streamlit session, as a shared link opens); on a phone the first page is,
#: and the reader goes on from page to page with the sidebar's links, as a reader on a phone does.
GRID = {"phone-en": ("phone", ("en",), True), "phone-zh": ("phone", ("zh",), True),
        "desktop-en-zh": ("desktop", ("en", "zh"), False)}


def follow_sidebar_link(page, path: str, want_title: str) -> None:
    """Open the sidebar with its menu button, tap the link to ``path`` and wait until that page's run has
    finished (its tab title is on and the previous page's map frame has gone)."""
    before = page.evaluate(f"() => Array.from(document.querySelectorAll(\"{MAP_IFRAME}\")).map(f => f.src)")
    open_sidebar(page)
    links = page.locator('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]')
    targets = links.evaluate_all("els => els.map(e => new URL(e.href).pathname.replace(/\\/$/, ''))")
    links.nth(next(i for i, x in enumerate(targets) if x.endswith("/" + path))).click()
    page.wait_for_function("([p, t]) => location.pathname.replace(/\\/$/, '').endsWith('/' + p) && document.title === t",
                           arg=[path, want_title], timeout=90_000)
    page.wait_for_function(PAGE_DONE_JS, timeout=90_000)
    # (consecutive pages in the catalogue's order show different maps, so the new map has a new address)
    page.wait_for_function(f"old => Array.from(document.querySelectorAll(\"{MAP_IFRAME}\")).every(f => !old.includes(f.src))",
                           arg=before, timeout=90_000)


@pytest.mark.parametrize("size,langs,by_link", GRID.values(), ids=list(GRID))
def test_every_page_in_the_language_at_the_size(visit, app_url, size, langs, by_link):
    """Every page, one after another in one tab at its final size, in the language of ``langs`` (by
    turns): ``<html lang>``, the tab title, every link to the app's pages and every caption line follow
    the language; nothing wider than the screen; a live map is drawn (terrain image and painted
    features), its layer control lists the page's default layers in the language, it leaves the wheel
    to the page, and its legend folds (small on a phone); the phone's menu button is labelled in the
    language; the home page offers its ways in and prints without the sidebar; the comparison shows
    four maps at one scale and the table of the ranges; no request leaves 127.0.0.1, none fails, no
    console error. Failures are collected per page, reported at the end."""
    from geo.ui import page_title

    w, h = SIZES[size]
    failures: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v = None
    for i, (name, path) in enumerate(catalog.PAGE_PATHS.items()):
        lang = langs[i % len(langs)]
        if by_link and v is not None:
            v.clear()
            try:
                follow_sidebar_link(v.page, path, f"{page_title(name, lang)} · {t('app_title', lang)}")
            except PlaywrightTimeout as e:
                failures.append(f"{name} ({lang}): the sidebar link did not open the page: {str(e).splitlines()[0]}")
                v = None
                continue
            try:  # the menu lay over the page: once its link is tapped it folds away
                v.page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]').getBoundingClientRect().right <= 1",
                                         timeout=30_000)
            except PlaywrightTimeout:
                failures.append(f"{name} ({lang}): the menu stayed open over the page after its link was tapped")
        else:
            v = visit(f"{app_url}/{path}" + ("?lang=zh" if lang == "zh" else ""), wait_map=False, viewport={"width": w, "height": h})
        problems = check_page(v.page, app_url, name, lang, size)
        settle(v.page)
        problems += v.problems()
        failures += [f"{name} ({lang}): {p}" for p in problems]
    assert not failures, f"{len(failures)} problems at {size} size:\n" + "\n".join(failures)


#: The page's scroll position, once it has stopped moving (a swipe's fling may still carry it).
SCROLL_AT_REST_JS = ("() => { const s = (" + PAGE_SCROLL_JS + ")(); const rest = s === window.__lastScroll; "
                     "window.__lastScroll = s; return rest ? [s] : false; }")
MAP_VIEW_JS = "() => { const c = AtlasMap.map.getCenter(); return [c.lat, c.lng, AtlasMap.map.getZoom()]; }"


def test_on_a_touch_screen_one_finger_scrolls_the_page_and_two_move_the_map(browser, app_url):
    """On a phone's touch screen (in Chinese): a one-finger swipe up over the map scrolls the page past it,
    leaves the map as it was (still fitting its range to its frame) and says, in the language, to use two
    fingers; a two-finger pinch then zooms the map and a two-finger swipe moves it, and the page stays
    where it was; a tap on a country opens its tooltip."""
    v = open_page(browser, f"{app_url}/alps?lang=zh", viewport={"width": 390, "height": 844}, touch=True)
    page = v.page
    try:
        frame = page.locator(MAP_IFRAME).first.element_handle().content_frame()
        frame.wait_for_function(MAP_SIZED_JS, timeout=90_000)
        frame.evaluate("() => { window.__hints = []; new MutationObserver(() => document.querySelectorAll('.ma-hint.ma-show')"
                       ".forEach(e => window.__hints.push(e.textContent))).observe(document.body, "
                       "{subtree: true, attributes: true, attributeFilter: ['class']}); }")
        view, width = frame.evaluate(MAP_VIEW_JS), frame.evaluate("() => AtlasMap.map.getSize().x")
        box = page.locator(MAP_IFRAME).first.bounding_box()
        assert box["height"] > 400, box  # the map fills most of the screen: a swipe lands on it
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.6
        touch_gesture(page, [(x, y)], [(x, y - 250)])
        try:
            page.wait_for_function(f"() => ({PAGE_SCROLL_JS})() > 100", timeout=30_000)
        except PlaywrightTimeout:
            pytest.fail(f"a one-finger swipe over the map did not scroll the page (scrolled {page.evaluate(PAGE_SCROLL_JS)} px)")
        page.wait_for_function(SCROLL_AT_REST_JS, polling=300, timeout=60_000)
        assert frame.evaluate(MAP_VIEW_JS) == view, "a one-finger swipe moved the map"
        assert t("touch_hint", "zh") in frame.evaluate("() => window.__hints"), frame.evaluate("() => window.__hints")
        # the swipe scrolled the page and did not move the map: the map still fits its range to a frame that changes
        # size (here the screen turned wider); after two fingers moved it, it no longer does
        frame.evaluate("() => { window.__fits = 0; const fit = AtlasMap.map.fitBounds; "
                       "AtlasMap.map.fitBounds = function () { window.__fits++; return fit.apply(this, arguments); }; }")
        page.set_viewport_size({"width": 430, "height": 844})
        try:
            frame.wait_for_function("() => window.__fits > 0", timeout=30_000)
        except PlaywrightTimeout:
            pytest.fail("after a one-finger scroll over it the map no longer fits its range to its frame")
        # two fingers, on the map brought back on screen (a swipe's fling carries the page as far as its speed goes)
        page.locator(MAP_IFRAME).first.scroll_into_view_if_needed()
        scrolled = page.wait_for_function(SCROLL_AT_REST_JS, polling=300, timeout=60_000).json_value()[0]
        box = page.locator(MAP_IFRAME).first.bounding_box()
        top, bottom = max(box["y"], 0), min(box["y"] + box["height"], 844)
        assert bottom - top > 200, box
        x, y = box["x"] + box["width"] / 2, (top + bottom) / 2
        # each gesture is waited out until the map has changed and its zoom animation has ended (a map that
        # is animating takes no new pinch)
        for what, start, end, changed in (
                ("pinch", [(x - 40, y), (x + 40, y)], [(x - 100, y), (x + 100, y)], "(now, was) => now[2] > was[2]"),
                ("swipe", [(x - 40, y - 60), (x + 40, y - 60)], [(x - 40, y + 60), (x + 40, y + 60)], "(now, was) => now[0] > was[0]")):
            was = frame.evaluate(MAP_VIEW_JS)
            touch_gesture(page, start, end)
            try:
                frame.wait_for_function(f"was => ({changed})(({MAP_VIEW_JS})(), was) && !document.querySelector('.leaflet-zoom-anim')",
                                        arg=was, timeout=30_000)
            except PlaywrightTimeout:
                pytest.fail(f"a two-finger {what} did not {'zoom' if what == 'pinch' else 'move'} the map: {was} -> "
                            f"{frame.evaluate(MAP_VIEW_JS)}")
        assert page.wait_for_function(SCROLL_AT_REST_JS, polling=300, timeout=60_000).json_value()[0] == scrolled, \
            "two fingers on the map scrolled the page"
        # a tap opens the tooltip of the country under the finger, as hovering does with a mouse
        frame.evaluate("v => { AtlasMap.map.setView([v[0], v[1]], v[2], {animate: false}); }", view)  # Trentino, Italy
        box = page.locator(MAP_IFRAME).first.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        touch_gesture(page, [(x, y)], [(x, y)], steps=1)
        tips = "() => Array.from(document.querySelectorAll('.leaflet-tooltip')).map(e => e.innerText.trim()).filter(s => s)"
        try:
            frame.wait_for_function(f"() => ({tips})().length > 0", timeout=30_000)
        except PlaywrightTimeout:
            pytest.fail("a tap on a country opened no tooltip")
        assert any(CJK.search(tip) for tip in frame.evaluate(tips)), frame.evaluate(tips)
        fits = frame.evaluate("() => window.__fits")
        page.set_viewport_size({"width": 390, "height": 844})
        frame.wait_for_function("w => AtlasMap.map.getSize().x === w", arg=width, timeout=30_000)  # back to its first width
        assert frame.evaluate("() => window.__fits") == fits, "the map refitted its range after two fingers had moved it"
        shot(v, "touch_two_fingers_zh_phone")
        assert not v.problems(), v.problems()
    finally:
        page.context.close()


def test_resolution_page_lists_paragraphs_with_anchors_and_scrolls_to_one(visit, app_url):
    """A link to a paragraph's anchor (/resolution#op28) opens the reader scrolled to it; the last
    operative paragraph's anchor is there once; the official Chinese text is shown."""
    v = visit(f"{app_url}/resolution#op28", wait_map=False)
    v.page.wait_for_selector("#op28", timeout=60_000)
    v.page.wait_for_function("() => { const e = document.getElementById('op28'); if (!e) return false;"
                             " const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }",
                             timeout=90_000)
    # Streamlit adds the page's elements as its run sends them: #op28 can be on screen before #op39
    v.page.wait_for_function(PAGE_DONE_JS, timeout=90_000)
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


def test_streamlit_files_come_from_memory_gzipped_with_validators(app_url):
    """serve.py answers Streamlit's own files: gzipped for a browser that accepts it (the same bytes
    once unzipped), plain otherwise, immutable with an ETag and a 304; unknown names go on to Streamlit."""
    import gzip
    import http.client

    from streamlit import file_util

    root = Path(file_util.get_static_dir())
    with urllib.request.urlopen(f"{app_url}/", timeout=30) as r:
        bundle = re.search(r'src="\.?/?(static/js/index\.[\w-]+\.js)"', r.read().decode()).group(1)
    want = (root / bundle).read_bytes()
    req = urllib.request.Request(f"{app_url}/{bundle}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.headers["Content-Encoding"] == "gzip" and "javascript" in r.headers["Content-Type"]
        assert "immutable" in r.headers["Cache-Control"] and r.headers["ETag"]
        assert gzip.decompress(r.read()) == want
        etag = r.headers["ETag"]
    with urllib.request.urlopen(f"{app_url}/{bundle}", timeout=30) as r:
        assert r.headers.get("Content-Encoding") is None and r.read() == want
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(urllib.request.Request(f"{app_url}/{bundle}", headers={"If-None-Match": etag}), timeout=30)
    assert e.value.code == 304
    font = next(p for p in (root / "static" / "media").iterdir() if p.suffix == ".woff2")
    req = urllib.request.Request(f"{app_url}/static/media/{font.name}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=30) as r:  # already compressed: sent as it is
        assert r.headers.get("Content-Encoding") is None and r.read() == font.read_bytes()
    host, port = app_url.removeprefix("http://").split(":")
    for raw in ("/static/js/../../../../serve.py", "/static/..%2F..%2Fserve.py", "/static/js/nope.js"):
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("GET", raw)
        body = conn.getresponse().read()
        conn.close()
        assert b"StreamlitFilesFromMemory" not in body, raw  # never a file from outside the folder

