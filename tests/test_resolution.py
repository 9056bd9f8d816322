"""Parsing the official Chinese text into paragraphs, and the paragraph-to-map links."""

from __future__ import annotations

import json
import re

import pytest

from geo import paths, resolution
from geo.errors import BuildError

RAW = (paths.SOURCES_DIR / "resolution/A_RES_62_196_zh.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def paras():
    return resolution.parse(RAW)


def by_id(paras):
    return {p.id: p for p in paras}


def test_counts(paras):
    kinds = [p.kind for p in paras]
    assert kinds.count("operative") == 39 and kinds.count("preamble") == 7 and kinds.count("footnote") == 10
    assert [p.number for p in paras if p.kind == "operative"] == list(range(1, 40))
    resolution.validate(paras)


def test_no_page_break_debris(paras):
    for p in paras:
        assert not re.search(r"A/RES/62/196", p.text_zh), p.id
        assert "  " not in p.text_zh and "\n" not in p.text_zh, p.id
        assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", p.text_zh), p.id  # no stray spaces between CJK
        if p.kind != "footnote":
            for fn in ("联合国出版物", "条约汇编", "A/62/292", "A/C.2/57/7"):
                if p.id not in ("PP3", "OP1"):
                    assert fn not in p.text_zh, (p.id, fn)


def test_footnotes_are_separate_and_cited(paras):
    d = by_id(paras)
    assert d["OP11"].text_zh.endswith("支持各国和各区域为确保山区可持续发展做出努力；")  # joined across the page break
    assert "A/62/292" not in d["OP11"].text_zh
    assert d["FN4"].text_zh == "A/62/292。" and d["OP1"].footnotes == ["FN4"]
    assert d["PP3"].footnotes == ["FN1", "FN2"] and "¹" in d["PP3"].text_zh
    assert d["OP37"].footnotes == ["FN9", "FN10"]
    assert d["FN8"].text_zh == "可查阅www.carpathianconvention.org/text.htm。"


def test_known_content(paras):
    d = by_id(paras)
    assert "四十八个国家" in d["PP5"].text_zh and "十五个政府间组织" in d["PP5"].text_zh and "八十三个" in d["PP5"].text_zh
    assert "阿尔卑斯" in d["OP28"].text_zh and "喀尔巴阡" in d["OP29"].text_zh and "兴都库什" in d["OP30"].text_zh
    assert "2009年10月" in d["OP38"].text_zh and "比什凯克" in d["OP38"].text_zh
    assert d["ADOPTED"].text_zh == "2007年12月19日 第78次全体会议".replace(" ", "")


def test_parse_is_deterministic():
    a = [p.__dict__ for p in resolution.parse(RAW)]
    b = [p.__dict__ for p in resolution.parse(RAW)]
    assert a == b


def test_a_missing_operative_paragraph_fails_validation_naming_it():
    broken = RAW.replace(" 17. 强调需要增进山区妇女", " 强调需要增进山区妇女")
    with pytest.raises(BuildError, match=r"missing \[17"):
        resolution.validate(resolution.parse(broken))


def test_built_paragraphs_have_summaries_and_links_both_ways():
    doc = json.loads((paths.ROOT / "data/resolution/paragraphs.json").read_text(encoding="utf-8"))
    assert all(p["summary_en"] and p["title_en"] and p["title_zh"] for p in doc)
    ids = {p["id"] for p in doc}
    links = resolution.read_links(paths.ROOT / "data/resolution/links.csv")
    assert {r["paragraph_id"] for r in links} <= ids
    views = {r["view"] for r in links}
    assert set(resolution.VIEWS) - {"indicators"} <= views
    alps = [r for r in links if r["paragraph_id"] == "OP28"]
    assert alps and alps[0]["view"] == "alps" and "region_alpine-convention" in alps[0]["layers"]
    hkh = [r for r in links if r["paragraph_id"] == "OP30"]
    assert hkh and hkh[0]["view"] == "hindu-kush-himalaya"


def test_clean_joins_without_stray_spaces():
    assert resolution.clean("回顾其 1998 年 11 月\n10 日") == "回顾其1998年11月10日"
    assert resolution.clean("C.93.I.8 和更正") == "C.93.I.8和更正"
    assert resolution.clean("UNEP/CBD/COP/7/21 ，第 VII/27 号") == "UNEP/CBD/COP/7/21，第VII/27号"
