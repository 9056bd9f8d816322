"""Every page through Streamlit's AppTest (app.py with st.navigation, then switch_page):
English, Chinese, and malformed URL parameters (a notice naming the parameter, the default shown,
the value never echoed, not in the page, the map HTML or the URL)."""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from geo import catalog
from geo.i18n import t

TIMEOUT = 120
APP = Path(__file__).resolve().parent.parent / "app.py"

#: page file -> (view id, title in en, title in zh)
PAGES = {
    "views/overview.py": "world",
    "views/alps.py": "alps",
    "views/carpathians.py": "carpathians",
    "views/hindu_kush_himalaya.py": "hindu-kush-himalaya",
    "views/andes.py": "andes",
    "views/partnership.py": "partnership",
    "views/indicators.py": "indicators",
    "views/resolution.py": "resolution",
    "views/compare.py": "compare",
}
MAP_PAGES = [p for p, v in PAGES.items() if v in catalog.VIEWS]
STATE_PARAMS = ("lang", "layers", "indicator", "year", "tiles", "embed")


def expected_title(page: str, lang: str) -> str:
    vid = PAGES[page]
    if vid in catalog.VIEWS:
        return catalog.view(vid).title(lang)
    if vid == "indicators":
        return t("nav_indicators", lang)
    if vid == "compare":
        return t("nav_compare", lang)
    return "A/RES/62/196 · " + ("山区可持续发展" if lang == "zh" else "Sustainable mountain development")


def run(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    url_path = catalog.PAGE_PATHS[PAGES[page]]
    if url_path and Path(page).stem != url_path:
        # before its first run AppTest finds pages by file name, not by st.Page's url_path
        # (hindu_kush_himalaya.py is /hindu-kush-himalaya): run the default page once first
        at.run()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    return at


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


def everything(at: AppTest) -> str:
    """Every string the app sent to the browser: texts, widget labels and options, component
    arguments (the map's HTML), data frames' cells."""
    out: list[str] = []
    for root in (at.main, at.sidebar):
        for node in root:
            proto = getattr(node, "proto", None)
            if isinstance(proto, Message):
                _strings(proto, out)
    return "\n".join(out)


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs(page):
    at = run(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, warnings(at)
    assert [x.value for x in at.title][0] == expected_title(page, "en")


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_in_chinese(page):
    at = run(page, {"lang": "zh"})
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
@pytest.mark.parametrize("page", list(PAGES))
def test_malformed_parameters_give_a_notice_and_the_default(page, value):
    names = {"views/resolution.py": ("lang", "p"), "views/compare.py": ("lang",), "views/indicators.py": (*STATE_PARAMS, "view")}.get(page, STATE_PARAMS)
    at = run(page, {name: value for name in names})
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
    at = run("views/alps.py", {name: value})
    assert not at.exception
    assert any(f"parameter {name}:" in w for w in warnings(at)), warnings(at)
    assert name not in at.query_params


def test_state_changes_go_to_the_url():
    at = run("views/alps.py")
    at.selectbox(key="ind_alps").select("mountain_share").run()
    assert not at.exception
    assert at.query_params.get("indicator") in ("mountain_share", ["mountain_share"])
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert at.query_params.get("lang") in ("zh", ["zh"])
    assert [x.value for x in at.title][0] == catalog.view("alps").title("zh")


def test_a_valid_url_is_kept_and_shown():
    at = run("views/carpathians.py", {"indicator": "sdg_AG_LND_FRST", "year": "2015", "layers": "hillshade"})
    assert not at.exception and not at.warning, warnings(at)
    assert at.selectbox(key="ind_carpathians").value == "sdg_AG_LND_FRST"
    assert at.selectbox(key="year_carpathians_sdg_AG_LND_FRST").value == 2015
    assert dict(at.query_params) == {"indicator": "sdg_AG_LND_FRST", "year": "2015", "layers": "hillshade"}


def test_resolution_page_has_every_operative_paragraph_anchor():
    at = run("views/resolution.py")
    heads = [s.value for s in at.subheader]
    assert sum(1 for h in heads if h.startswith("OP")) == 39
    assert any(h.startswith("OP28") for h in heads)
