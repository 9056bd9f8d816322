"""Every page through Streamlit's AppTest: English, Chinese, and malformed URL parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGES = ["views/overview.py", "views/alps.py", "views/carpathians.py", "views/hindu_kush_himalaya.py", "views/andes.py",
         "views/partnership.py", "views/indicators.py", "views/resolution.py"]
TIMEOUT = 120
APP = Path(__file__).resolve().parent.parent / "app.py"


def run(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [t.value for t in at.title] + [s.value for s in at.subheader] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [e.value for e in at.error] + [str(m.label) for m in at.metric]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(page):
    at = run(page)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, "page has no title"


@pytest.mark.parametrize("page", ["views/alps.py", "views/resolution.py", "views/partnership.py"])
def test_chinese(page):
    at = run(page, lang="zh")
    assert not at.exception
    body = texts(at)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(t.value for t in at.title)), "title is not Chinese"
    assert "山区" in body


@pytest.mark.parametrize("name,value", [
    ("lang", "<script>alert(1)</script>"),
    ("layers", "hillshade,../../etc/passwd"),
    ("indicator", "javascript:alert(1)"),
    ("year", "99999999999999999999"),
    ("layers", "x" * 10_000),
    ("indicator", "sdg_AG_LND_FRST\u202e"),
])
def test_malformed_parameters_give_a_notice_and_the_default(name, value):
    at = run("views/alps.py", **{name: value})
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(name in w for w in warnings), warnings
    everything = texts(at)
    assert value not in everything and "<script" not in everything


def test_state_changes_go_to_the_url():
    at = run("views/alps.py")
    at.selectbox(key="ind_alps").select("mountain_share").run()
    assert not at.exception
    assert at.query_params.get("indicator") in ("mountain_share", ["mountain_share"])


def test_resolution_page_has_every_operative_paragraph_anchor():
    at = run("views/resolution.py")
    heads = [s.value for s in at.subheader]
    assert sum(1 for h in heads if h.startswith("OP")) == 39
    assert any(h.startswith("OP28") for h in heads)
