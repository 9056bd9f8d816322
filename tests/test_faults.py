"""Faults in the data: a poisoned copy (HTML in names and values, checksums updated so the files
pass the manifest check) is escaped wherever it reaches a browser; a missing or corrupt file breaks
only the parts that use it, and they name the file."""

from __future__ import annotations

import re

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from geo import artefacts, layers, mapping
from geo.state import ViewState
from tests.conftest import Poison, copy_data, edit_csv, reseal, run_page

# every payload would run script if it reached the DOM unescaped (the poisoned copy: tests/conftest.py)
P_NAME_EN, P_NAME_ZH, P_MEMBER, P_SOURCE = Poison.NAME_EN, Poison.NAME_ZH, Poison.MEMBER, Poison.SOURCE
P_PLACE, P_EVENT = Poison.PLACE, Poison.EVENT
P_VALUE = "<img src=x onerror=alert('value')>"
POISON = list(Poison.ALL)


def _use(monkeypatch, root) -> None:
    monkeypatch.setenv("ATLAS_DATA_DIR", str(root))


def _as_the_browser_reads_it(html: str) -> str:
    """JSON may write < > & ' as \\u003c etc.: JavaScript turns them back into characters before a
    tooltip's or the legend's innerHTML sees them, so decode them."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)


def _assert_escaped(html: str, expect_escaped: list[str]) -> None:
    text = _as_the_browser_reads_it(html)
    for p in POISON + [P_VALUE]:
        assert p not in text, f"raw payload in the map HTML: {p}"
    for p in expect_escaped:
        assert layers.esc(p) in text, f"escaped payload not found (is the poisoned data used?): {layers.esc(p)}"


@pytest.mark.parametrize("state,expect", [
    (ViewState.default("alps"), [P_NAME_EN, P_PLACE, P_EVENT, P_SOURCE]),
    (ViewState.default("alps").with_(lang="zh"), [P_NAME_ZH, P_PLACE, P_EVENT]),
    (ViewState.default("world").with_(indicator="mountain_share"), [P_NAME_EN]),
    (ViewState.default("world").with_(indicator="sdg_AG_LND_FRST", layers=()), [P_NAME_EN]),
    (ViewState.default("partnership"), [P_NAME_EN, P_EVENT, P_SOURCE]),
], ids=["alps", "alps-zh", "world-share", "world-forest", "partnership"])
def test_poisoned_names_are_escaped_in_the_map(poisoned, state, expect):
    prepared = layers.prepare_state(state)
    assert all(p.ok for p in prepared), [p.problems for p in prepared]
    store = artefacts.store()
    mb = mapping.build(state, store)
    sent = [store.path(n).read_text(encoding="utf-8") for n in mb.needs if not n.endswith((".png", ".jpg"))]
    _assert_escaped("\n".join(sent), expect)


def test_poisoned_tables_keep_the_text_as_data(poisoned):
    """Tables carry the text as data (st.dataframe shows cells as text, never as HTML)."""
    members = layers.prepare("alps", "region_alpine-convention").table
    assert P_MEMBER in set(members["member_name"])
    places = layers.prepare("world", "places").table
    assert P_PLACE in set(places["name_en"])


def _strings(msg: Message, out: list[tuple[str, str]], kind: str) -> None:
    for field, value in msg.ListFields():
        for x in (value if field.is_repeated else [value]):
            if isinstance(x, Message):
                _strings(x, out, kind)
            elif isinstance(x, str):
                out.append((kind, x))


def _sent(at: AppTest) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for root in (at.main, at.sidebar):
        for node in root:
            proto = getattr(node, "proto", None)
            if isinstance(proto, Message):
                kind = type(node).__name__
                if kind == "Markdown" and getattr(proto, "allow_html", False):
                    kind = "html-markdown"
                _strings(proto, out, kind)
    return out


HTML_KINDS = ("html-markdown", "Html", "UnknownElement")  # unsafe markdown, st.html, components (the map)
TEXT_WIDGETS = ("Selectbox", "Multiselect", "Radio")  # options are text in the browser (the find box lists names)
MAP_PAGE = re.compile(r"/artefacts/[0-9a-f]{16}/([a-z0-9-]+\.[0-9a-f]{16}\.html)")


@pytest.mark.parametrize("page", ["views/alps.py", "views/partnership.py", "views/overview.py"])
def test_poisoned_pages_send_no_live_html(poisoned, page):
    at = run_page(page)
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    sent = _sent(at)
    # and any other string with a script tag, but for the options of widgets that show them as text
    html = [(kind, s) for kind, s in sent if kind in HTML_KINDS or ("<script" in s and kind not in TEXT_WIDGETS)]
    maps = {m.group(1) for _, s in sent for m in MAP_PAGE.finditer(s)}
    assert html and maps, "the page sent no HTML-rendering element or no map: nothing below would be checked"
    store = artefacts.store()
    for name in maps:  # the map the page's iframe shows: its page and per-state JSON, as the browser reads them
        doc = store.path(name).read_text(encoding="utf-8")
        html.append(("map page", doc))
        html += [("map state", _as_the_browser_reads_it(store.path(n).read_text(encoding="utf-8")))
                 for n in re.findall(r"state-[a-z-]+\.[0-9a-f]{16}\.json", doc)]
    leaks = [(kind, p) for kind, s in html for p in POISON if p in s]
    assert not leaks, leaks  # HTML-rendering elements never carry a raw payload
    assert any(layers.esc(p) in s for _, s in html for p in POISON), "no escaped payload: is the poisoned data in use?"


def test_poisoned_value_is_a_named_problem_not_a_crash(tmp_path, monkeypatch):
    root = copy_data(tmp_path)
    edit_csv(root / "sdg/AG_LND_FRST.csv", lambda r: r.update(value=P_VALUE) if r["iso3"] == "AUT" else None)
    reseal(root, "sdg/AG_LND_FRST.csv")
    _use(monkeypatch, root)
    try:
        p = layers.prepare("alps", "sdg_AG_LND_FRST")
        assert not p.ok and p.problems == ["data file sdg/AG_LND_FRST.csv has a value that is not a number"]
        at = run_page("views/alps.py", {"indicator": "sdg_AG_LND_FRST"})
        assert not at.exception, at.exception
        errors = [e.value for e in at.error]
        assert any("sdg/AG_LND_FRST.csv" in e for e in errors), errors
        assert not any(P_VALUE in e for e in errors)
        assert at.metric  # the rest of the page still works
    finally:
        monkeypatch.delenv("ATLAS_DATA_DIR")


# ---------------------------------------------------------------------------------------
# missing and corrupt files

MISSING = "sdg/AG_LND_FRST.csv"
CORRUPT = "vector/places.geojson"


@pytest.fixture()
def damaged(tmp_path, monkeypatch):
    root = copy_data(tmp_path)
    (root / MISSING).unlink()
    p = root / CORRUPT
    p.write_bytes(p.read_bytes()[:200])  # truncated
    _use(monkeypatch, root)
    yield root
    monkeypatch.delenv("ATLAS_DATA_DIR")


def test_prepare_names_the_missing_and_the_corrupt_file(damaged):
    p = layers.prepare("world", "sdg_AG_LND_FRST")
    assert not p.ok and len(p.problems) == 1 and MISSING in p.problems[0] and "missing" in p.problems[0]
    p = layers.prepare("alps", "places")
    assert not p.ok and len(p.problems) == 1 and CORRUPT in p.problems[0] and "corrupt" in p.problems[0]
    assert layers.prepare("alps", "mountain_classes").ok and layers.prepare("world", "mountain_share").ok
    assert layers.available_years("sdg_AG_LND_FRST") == []


def test_pages_that_need_a_damaged_file_name_it_and_others_work(damaged):
    at = run_page("views/indicators.py", {"indicator": "sdg_AG_LND_FRST"})
    assert not at.exception
    assert any(MISSING in e.value for e in at.error), [e.value for e in at.error]
    at = run_page("views/alps.py")  # shows places by default
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(CORRUPT in e for e in errors) and not any(MISSING in e for e in errors), errors
    assert at.metric  # key figures still shown
    at = run_page("views/partnership.py")  # needs neither file
    assert not at.exception and not at.error, [e.value for e in at.error]
    health = " ".join(w.value for w in at.sidebar.warning)
    assert MISSING in health and CORRUPT in health  # the sidebar names every damaged file
    at = run_page("views/resolution.py")  # the text needs neither file; the reader's first map (the world) shows places
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and all(CORRUPT in e for e in errors), errors
    assert sum(1 for h in at.subheader if h.value.startswith("OP")) == 39  # the whole text is still there
