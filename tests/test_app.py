"""Every page through Streamlit's AppTest (app.py with st.navigation, then switch_page):
English, Chinese, and malformed URL parameters (a notice naming the parameter, the default shown,
the value never echoed, not in the page, the map HTML or the URL)."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from geo import artefacts, catalog
from geo.i18n import t
from geo.state import PARAMS
from tests.conftest import TEMPLATE_VIEWS, run_page


#: page file -> page id (the catalogue's pages; a page missing from views/ fails test_every_page_runs)
PAGES = {p.file: k for k, p in catalog.PAGES.items()}
MAP_PAGES = [p for p, v in PAGES.items() if v in catalog.VIEWS]
STATE_PARAMS = PARAMS


def expected_title(page: str, lang: str) -> str:
    vid = PAGES[page]
    if vid in catalog.VIEWS:
        return catalog.view(vid).title(lang)
    if vid == "indicators":
        return t("nav_indicators", lang)
    if vid == "compare":
        return t("nav_compare", lang)
    return "A/RES/62/196 · " + ("山区可持续发展" if lang == "zh" else "Sustainable mountain development")


def _strings(msg: Message, out: list[str]) -> None:
    for field, value in msg.ListFields():
        values = value if field.is_repeated else [value]
        for x in values:
            if isinstance(x, Message):
                _strings(x, out)
            elif isinstance(x, str):
                out.append(x)
            elif isinstance(x, bytes):
                out.append(x.decode("utf-8", "replace"))


MAP_SRC = re.compile(r"/artefacts/([0-9a-f]{16})/([a-z0-9-]+\.[0-9a-f]{16}\.html)")


def everything(at: AppTest) -> str:
    """Every string the app sent to the browser: texts, widget labels and options, data frames'
    cells, and the map each iframe shows (its page and per-state JSON from the artefact store)."""
    out: list[str] = []
    for root in (at.main, at.sidebar):
        for node in root:
            proto = getattr(node, "proto", None)
            if isinstance(proto, Message):
                _strings(proto, out)
    store = artefacts.store()
    for gen, page in {m.groups() for x in out for m in MAP_SRC.finditer(x)}:
        assert gen == store.generation
        html = store.path(page).read_text(encoding="utf-8")
        out.append(html)
        out += [store.path(n).read_text(encoding="utf-8") for n in re.findall(r"state-[a-z-]+\.[0-9a-f]{16}\.json", html)]
    return "\n".join(out)


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs(page):
    at = run_page(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, warnings(at)
    assert [x.value for x in at.title][0] == expected_title(page, "en")


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_in_chinese(page):
    at = run_page(page, {"lang": "zh"})
    assert not at.exception, at.exception
    assert not at.warning, warnings(at)
    assert [x.value for x in at.title][0] == expected_title(page, "zh")
    assert at.sidebar.radio[0].value == "zh"  # the language control follows the URL


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "js-url": "javascript:alert(1)",
    "quotes": "\"'><img src=x onerror=alert(1)>",
    "traversal": "../../../../etc/passwd",
    "10kB": "x" * 10_240,
    "control": "hillshade\x00\x07",
    "bidi": "hillshade\u202e",
    "huge-number": "9" * 400,
    "unknown-id": "no_such_layer",
    "repeated": ["en", "zh"],
}


@pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("page", [p for p, v in PAGES.items() if v in TEMPLATE_VIEWS])
def test_malformed_parameters_give_a_notice_and_the_default(page, value):
    names = {"views/resolution.py": ("lang", "p"), "views/compare.py": ("lang",), "views/indicators.py": (*STATE_PARAMS, "view")}.get(page, STATE_PARAMS)
    at = run_page(page, {name: value for name in names})
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    notices = warnings(at)
    for name in names:
        if name == "embed":
            continue  # Streamlit keeps ``embed`` out of st.query_params (it owns it): ignored silently
        assert any(f"parameter {name}:" in w for w in notices), (name, notices)
    assert [x.value for x in at.title][0] == expected_title(page, "en")  # the default language
    if isinstance(value, str):  # (the repeated values are valid ids, shown as such elsewhere)
        sent = everything(at)
        assert value not in sent and html.escape(value) not in sent and quote(value) not in sent, "a rejected value was echoed"
    if page in MAP_PAGES:  # the URL keeps only valid differences from the defaults
        assert not set(at.query_params) & (set(names) - {"embed"}), dict(at.query_params)


@pytest.mark.parametrize("name,value", [("layers", "region_icimod"), ("layers", "hillshade,hillshade"),
                                        ("indicator", "sdg_NOT_A_SERIES"), ("year", "1800"), ("indicator", "mountain_classes")])
def test_values_that_look_plausible_but_are_not_allowed(name, value):
    at = run_page("views/alps.py", {name: value})
    assert not at.exception
    assert any(f"parameter {name}:" in w for w in warnings(at)), warnings(at)
    assert name not in at.query_params


def test_state_changes_go_to_the_url():
    at = run_page("views/alps.py")
    at.selectbox(key="ind_alps").select("mountain_share").run()
    assert not at.exception
    assert at.query_params.get("indicator") in ("mountain_share", ["mountain_share"])
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert at.query_params.get("lang") in ("zh", ["zh"])
    assert [x.value for x in at.title][0] == catalog.view("alps").title("zh")


def test_a_valid_url_is_kept_and_shown():
    at = run_page("views/carpathians.py", {"indicator": "sdg_AG_LND_FRST", "year": "2015", "layers": "hillshade"})
    assert not at.exception and not at.warning, warnings(at)
    assert at.selectbox(key="ind_carpathians").value == "sdg_AG_LND_FRST"
    assert at.selectbox(key="year_carpathians_sdg_AG_LND_FRST").value == 2015
    assert dict(at.query_params) == {"indicator": "sdg_AG_LND_FRST", "year": "2015", "layers": "hillshade"}


def test_resolution_page_has_every_operative_paragraph_anchor():
    at = run_page("views/resolution.py")
    heads = [s.value for s in at.subheader]
    assert sum(1 for h in heads if h.startswith("OP")) == 39
    assert any(h.startswith("OP28") for h in heads)


def test_sessions_share_one_map_render_and_a_rerun_sends_no_map():
    from geo import mapping

    first = run_page("views/alps.py")
    builds = mapping.BUILD_COUNT["n"]
    src = first.get("iframe")[0].proto.src
    second = run_page("views/alps.py")  # another session, same state
    second.run()  # and a rerun that keeps the map state
    frames = second.get("iframe")
    assert len(frames) == 1 and frames[0].proto.src == src and mapping.BUILD_COUNT["n"] == builds
    assert frames[0].proto.ByteSize() < 500  # the page carries the map's address, not the map
    assert MAP_SRC.search(src) and frames[0].proto.alt == "Map: The Alps"
    zh = run_page("views/alps.py", {"lang": "zh"})
    assert zh.get("iframe")[0].proto.src != src and mapping.BUILD_COUNT["n"] <= builds + 1  # built here unless an earlier test did


def test_folded_panels_send_nothing_until_opened():
    """Embed snippets, data tables and full provenance are drawn only once opened (a first view
    sends neither them nor the browser code that shows them); opened, they hold the page's state."""
    at = run_page("views/alps.py", {"lang": "zh"})
    assert not at.get("code") and not at.dataframe
    closed = len(at.caption)
    for key in ("embed_panel", "data_table", "provenance"):
        at.session_state[key] = True
    at.run()
    assert not at.exception
    codes = [c.value for c in at.get("code")]
    assert len(codes) == 3 and all("lang=zh" in c and "embed=true" in c for c in codes[:2]), codes
    assert "/embed/alps?lang=zh" in codes[2] and 'sandbox="allow-scripts allow-popups"' in codes[2]
    members = [d.value for d in at.dataframe if "成员" in d.value.columns]
    assert members and "奥地利" in set(members[0]["成员"])
    assert len(at.caption) > closed and any("vector/" in c.value for c in at.caption)  # the files and their sources
    assert t("provenance_in_english", "zh") in [c.value for c in at.caption]  # the English records are said to be so
    p = run_page("views/partnership.py")
    assert not p.dataframe
    p.session_state["partnership_counts"] = True
    p.run()
    assert "Governments" in p.dataframe[0].value.columns


# --- the resolution reader -------------------------------------------------------------

def _para(pid: str) -> dict:
    from geo import data

    return next(p for p in data.paragraphs() if p["id"] == pid)


def _chosen(at: AppTest) -> str:
    """The id of the paragraph shown beside the map (the reader's "#### ID · title" heading)."""
    heads = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert len(heads) == 1, heads
    return heads[0][5:].split(" · ")[0]


def _map_caption(at: AppTest) -> str:
    heads = [m.value for m in at.markdown if m.value.startswith("**") and "** · " in m.value]
    assert len(heads) == 1, heads
    return heads[0]


def test_reader_shows_the_chosen_paragraph_beside_its_map():
    at = run_page("views/resolution.py", {"p": "OP28"})
    assert not at.exception and not at.warning, warnings(at)
    assert _chosen(at) == "OP28"
    texts = [m.value for m in at.markdown]
    assert texts.count(html.escape(_para("OP28")["text_zh"], quote=True)) == 2  # beside the map and in the full text
    assert _map_caption(at).startswith("**Map for OP28**")
    from geo import data, reader

    note = reader.map_links("OP28", data.links(), "en")[0].note
    assert note in [c.value for c in at.caption]
    intro = texts[0]
    assert "19 December 2007" in intro and "sixty-second session" in intro and "78th plenary meeting" in intro
    assert "7 preambular paragraphs" in intro and "39 operative paragraphs" in intro
    official = next(x for x in texts if x.startswith("**Official document"))
    for code in ("ar", "zh", "en", "fr", "ru", "es"):
        assert f"(https://undocs.org/{code}/A/RES/62/196)" in official
    assert any(t("unofficial_note", "en") in c.value for c in at.caption)


def test_reader_previous_next_and_contents_change_the_paragraph_and_the_url():
    at = run_page("views/resolution.py", {"p": "OP28"})
    at.button(key="reader_next").click().run()
    assert _chosen(at) == "OP29" and at.query_params["p"] in ("OP29", ["OP29"])
    assert _map_caption(at).startswith("**Map for OP29**")
    at.button(key="reader_prev").click().run()
    at.button(key="reader_prev").click().run()
    assert _chosen(at) == "OP27" and at.query_params["p"] in ("OP27", ["OP27"])
    at.button(key="toc_FN7").click().run()
    assert _chosen(at) == "FN7"
    at.button(key="pick_PP4").click().run()
    assert _chosen(at) == "PP4" and at.query_params["p"] in ("PP4", ["PP4"])
    assert at.button(key="pick_PP4").disabled and not at.button(key="pick_PP5").disabled
    assert not at.exception


def test_reader_ends_and_paragraphs_without_a_map():
    at = run_page("views/resolution.py")
    assert _chosen(at) == "PP1" and at.button(key="reader_prev").disabled
    at = run_page("views/resolution.py", {"p": "OP1"})
    assert [i.value for i in at.info] and t("no_map", "en") in at.info[0].value
    assert _para("OP1")["title_en"] in at.info[0].value  # what the paragraph is about
    at = run_page("views/resolution.py", {"p": "fn10"})  # case-insensitive ids, like the #fn10 anchors
    assert _chosen(at) == "FN10" and at.button(key="reader_next").disabled and not at.warning


def test_reader_paragraph_with_two_maps_offers_both():
    at = run_page("views/resolution.py", {"p": "OP9"})
    radio = at.radio(key="reader_which_OP9")
    assert radio.options == [catalog.view("world").title("en"), t("nav_indicators", "en")]
    before = [c.value for c in at.caption]
    radio.set_value(1).run()
    after = [c.value for c in at.caption]
    assert "Forest area and Mountain Green Cover Index" in after and "Forest area and Mountain Green Cover Index" not in before


@pytest.mark.parametrize("value", ["OP40", "TITLE", "<b>OP28</b>", ["OP28", "OP29"]], ids=["unknown", "title", "html", "repeated"])
def test_reader_bad_paragraph_gives_a_notice_and_the_first_paragraph(value):
    at = run_page("views/resolution.py", {"p": value})
    assert not at.exception
    assert warnings(at) == [t("notice_bad_param", "en", name="p")]
    assert _chosen(at) == "PP1" and "p" not in at.query_params
    if isinstance(value, str) and value != "TITLE":
        assert value not in everything(at)


def test_reader_in_chinese():
    at = run_page("views/resolution.py", {"p": "OP28", "lang": "zh"})
    assert not at.exception and not at.warning
    assert "2007年12月19日" in at.markdown[0].value and "第六十二届会议" in at.markdown[0].value
    assert _map_caption(at).startswith("**OP28 的地图**")
    assert at.button(key="reader_next").label.startswith("下一段")


# --- the comparison page ----------------------------------------------------------------

def test_compare_page_shows_four_ranges_maps_table_and_download():
    at = run_page("views/compare.py")
    assert not at.exception and not at.error and not at.warning, warnings(at)
    names = [catalog.view(r).title("en") for r in catalog.RANGE_VIEWS]
    table = at.table[0].value
    assert list(table.columns)[1:] == names
    members = at.dataframe[0].value
    assert set(members["Range"]) == set(names) and len(members) == 31
    images = at.get("image")
    assert len(images) == 4
    widths = {img.proto.imgs[0].url for img in images}
    assert len(widths) == 4  # four different maps
    from geo import compare

    assert f"each frame is {compare.frame_km():,.0f} km wide" in " ".join(c.value for c in at.caption)
    dl = at.get("download_button")
    assert len(dl) == 1 and "CSV" in dl[0].proto.label
    assert any("Embed this comparison" in e.proto.label for e in at.get("expander"))


def test_compare_page_in_chinese():
    at = run_page("views/compare.py", {"lang": "zh"})
    assert not at.exception and not at.warning
    assert list(at.table[0].value.columns)[1:] == [catalog.view(r).title("zh") for r in catalog.RANGE_VIEWS]
    assert "奥地利" in set(at.dataframe[0].value["成员"])
    assert at.sidebar.radio[0].value == "zh"
