"""The resolution step: parsing the official Chinese text, summaries, links, loaders."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from geo import catalog, data, paths, resolution
from geo.build import BuildContext
from geo.errors import BuildError, DataFileError, ParamError

RAW = (paths.SOURCES_DIR / resolution.TEXT_FILE).read_text(encoding="utf-8")
CJK = "\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"


@pytest.fixture(scope="module")
def paras():
    return resolution.parse(RAW)


@pytest.fixture(scope="module")
def d(paras):
    return {p.id: p for p in paras}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A fresh build of the step into a temporary staging directory."""
    staging = tmp_path_factory.mktemp("res")
    ctx = BuildContext(staging, fetch=False, log=lambda *_: None)
    ctx.step = "resolution (test)"
    resolution.build(ctx)
    return staging, ctx


def _build_with(tmp_path, monkeypatch, **replace: str):
    """Run the build step on a copy of the sources with some files replaced by text."""
    src = tmp_path / "sources"
    shutil.copytree(paths.SOURCES_DIR / "resolution", src / "resolution")
    for rel, text in replace.items():
        p = src / "resolution" / rel
        p.chmod(0o644)
        p.write_text(text, encoding="utf-8")
    monkeypatch.setattr(paths, "SOURCES_DIR", src)
    ctx = BuildContext(tmp_path / "staging", fetch=False, log=lambda *_: None)
    ctx.step = "resolution (test)"
    resolution.build(ctx)


# --- structure -------------------------------------------------------------------------

def test_operative_paragraphs_are_1_to_39_in_order(paras):
    ops = [p for p in paras if p.kind == "operative"]
    assert [p.number for p in ops] == list(range(1, 40))
    assert [p.id for p in ops] == [f"OP{n}" for n in range(1, 40)]


def test_counts_and_document_order(paras):
    kinds = [p.kind for p in paras]
    assert kinds == ["title"] + ["preamble"] * 7 + ["operative"] * 39 + ["footnote"] * 10
    assert [p.id for p in paras if p.kind == "preamble"] == [f"PP{n}" for n in range(1, 8)]
    assert [p.id for p in paras if p.kind == "footnote"] == [f"FN{n}" for n in range(1, 11)]
    assert paras[0].id == "TITLE" and paras[0].text_zh == "62/196. 山区可持续发展"
    resolution.validate(paras)


def test_paragraph_boundaries(d):
    assert d["PP1"].text_zh.startswith("回顾其1998年11月10日第53/24号决议")
    assert d["PP7"].text_zh.startswith("注意到2007年10月1日至3日在罗马")
    for n in range(1, 8):
        assert resolution._REF.sub("", d[f"PP{n}"].text_zh).endswith("，"), n
    for n in range(1, 39):
        assert resolution._REF.sub("", d[f"OP{n}"].text_zh).endswith("；"), n
    assert d["OP39"].text_zh.endswith("向大会第六十四届会议提出报告。")
    assert not any(re.match(r"\d+\.", p.text_zh) for p in d.values() if p.kind == "operative")  # number stripped


def test_adoption_line_is_not_a_paragraph(paras):
    assert resolution.adoption(RAW) == "2007年12月19日 第78次全体会议"
    assert all("全体会议" not in p.text_zh for p in paras)
    assert {p.kind for p in paras} == set(resolution.KINDS)


# --- page-break debris -----------------------------------------------------------------

def test_no_page_break_debris_anywhere(paras):
    for p in paras:
        t = p.text_zh
        assert "A/RES/62/196" not in t, p.id
        assert not re.search(r"\b07-\d{5}\b", t), p.id
        assert not re.fullmatch(r"\s*\d+\s*", t), p.id  # a lone digits line became a paragraph
        assert "\n" not in t and "  " not in t and t == t.strip(), p.id
        assert "___" not in t, p.id
        assert not re.search("[¹²³⁰-⁹]", t), p.id  # no superscripts: markers are [n]
        assert not re.search(rf"[{CJK}] +[{CJK}]", t), p.id  # no stray spaces between CJK
        assert not re.search(rf"[{CJK}] +\d|\d +[{CJK}]", t), p.id  # the PDF's spacing around numbers


def test_no_footnote_text_inside_paragraphs(d):
    body_bits = ["联合国出版物", "条约汇编", "A/62/292", "A/C.2/57/7", "UNEP/CBD", "carpathianconvention", "出售品编号", "同上，第1771卷"]
    for p in d.values():
        if p.kind != "footnote":
            for bit in body_bits:
                assert bit not in p.text_zh, (p.id, bit)


def test_lines_joined_across_page_breaks(d):
    # OP11 is cut by the footnote block of page 3 in the middle of "社会"
    assert "发展中国家山区脆弱社会的社会、经济和环境造成长期不利的后果；并敦促国际社会" in d["OP11"].text_zh
    # PP6 and OP22, OP31, OP39 start right after a footnote block
    assert d["PP6"].text_zh.startswith("还注意到分别于2003年10月在意大利梅拉诺")
    assert d["OP22"].text_zh.startswith("注意到为山区可持续发展筹资")
    assert d["OP31"].text_zh.startswith("还赞赏地注意到联合国粮食及农业组织")
    assert d["OP39"].text_zh.startswith("请秘书长")
    # broken lines inside words are joined without spaces
    assert "第57/245号" in d["PP2"].text_zh and "山区可持续发展" in d["PP3"].text_zh
    assert "于2008年向可持续发展委员会第十六次会议" in d["OP36"].text_zh


# --- footnotes -------------------------------------------------------------------------

def test_footnotes_separate_and_referenced(d, paras):
    assert d["PP3"].footnotes == ["FN1", "FN2"]
    assert "《21世纪议程》[1]第13章" in d["PP3"].text_zh and "（《约翰内斯堡执行计划》）[2]的所有相关段落" in d["PP3"].text_zh
    assert d["PP4"].footnotes == ["FN3"] and d["OP1"].footnotes == ["FN4"] and d["OP20"].footnotes == ["FN5"]
    assert d["OP26"].footnotes == ["FN6"] and d["OP28"].footnotes == ["FN7"] and d["OP29"].footnotes == ["FN8"]
    assert d["OP35"].footnotes == ["FN1", "FN2"] and d["OP37"].footnotes == ["FN9", "FN10"]
    assert d["FN4"].text_zh == "A/62/292。"
    assert d["FN3"].text_zh == "A/C.2/57/7，附件。"
    assert d["FN8"].text_zh == "可查阅 www.carpathianconvention.org/text.htm。"
    assert d["FN10"].text_zh == "同上，第1771卷，第30822号。"
    assert d["FN1"].text_zh.endswith("（联合国出版物，出售品编号：C.93.I.8和更正），决议1，附件二。")
    cited = {f for p in paras for f in p.footnotes}
    assert cited == {f"FN{n}" for n in range(1, 11)}
    for p in paras:
        assert [f"FN{n}" for n in dict.fromkeys(re.findall(r"\[(\d+)\]", p.text_zh))] == p.footnotes, p.id
        if p.kind == "footnote":
            assert p.footnotes == []


# --- content ---------------------------------------------------------------------------

def test_specific_content(d):
    pp5 = d["PP5"].text_zh
    assert "四十八个国家" in pp5 and "十五个政府间组织" in pp5 and "八十三个来自主要群体的组织" in pp5 and "山区伙伴关系" in pp5
    assert "图库曼" in d["PP6"].text_zh and "安第斯倡议" in d["PP6"].text_zh
    assert "比什凯克" in d["PP4"].text_zh and "2002年10月28日至11月1日" in d["PP4"].text_zh
    assert "冰川退缩" in d["OP3"].text_zh and "冰湖溃决" in d["OP12"].text_zh
    assert "森林" in d["OP9"].text_zh and "山区生物多样性工作方案" in d["OP26"].text_zh
    assert "山脉通常为若干国家共有" in d["OP27"].text_zh
    assert "《保护阿尔卑斯山脉公约》" in d["OP28"].text_zh
    assert "喀尔巴阡山脉区域七国" in d["OP29"].text_zh
    assert "兴都库什" in d["OP30"].text_zh and "八个区域成员国" in d["OP30"].text_zh
    assert "12月11日国际山日" in d["OP33"].text_zh
    assert "第2003/61号决议" in d["OP36"].text_zh and "山区伙伴关系" in d["OP37"].text_zh
    assert "2009年10月" in d["OP38"].text_zh and "第二次比什凯克全球山区首脑会议" in d["OP38"].text_zh
    # only the paragraphs checked above name these ranges
    assert [p.id for p in d.values() if "阿尔卑斯" in p.text_zh] == ["OP28", "OP37"]
    assert [p.id for p in d.values() if "喀尔巴阡" in p.text_zh] == ["OP29", "OP37"]
    assert [p.id for p in d.values() if "兴都库什" in p.text_zh] == ["OP30"]


def test_parse_is_deterministic():
    a = [vars(p) for p in resolution.parse(RAW)]
    b = [vars(p) for p in resolution.parse(RAW)]
    assert a == b


def test_build_is_deterministic_and_matches_committed_outputs(built, tmp_path):
    staging, ctx = built
    ctx2 = BuildContext(tmp_path, fetch=False, log=lambda *_: None)
    ctx2.step = "resolution (test)"
    resolution.build(ctx2)
    for rel in (resolution.OUT_PARAGRAPHS, resolution.OUT_LINKS):
        assert (staging / rel).read_bytes() == (tmp_path / rel).read_bytes()
        assert (staging / rel).read_bytes() == (paths.ROOT / "data" / rel).read_bytes(), f"{rel} is stale: rebuild"
    assert ctx.outputs[resolution.OUT_PARAGRAPHS]["adopted"] == "2007年12月19日 第78次全体会议"


def test_built_paragraphs_shape(built):
    staging, ctx = built
    doc = json.loads((staging / resolution.OUT_PARAGRAPHS).read_text(encoding="utf-8"))
    assert all(list(p) == list(resolution.PARAGRAPH_FIELDS) for p in doc)
    assert all(p["summary_en"] and p["title_en"] and p["title_zh"] for p in doc)
    assert [p["id"] for p in doc] == [p.id for p in resolution.parse(RAW)]
    rec = ctx.outputs[resolution.OUT_PARAGRAPHS]
    assert resolution.UNOFFICIAL_NOTE in rec["description"]
    names = " ".join(s["name"] for s in rec["sources"])
    assert "A/RES/62/196" in names and "19 December 2007" in names and "Chinese" in names and "unofficial" in names


def test_summary_file_marks_itself_unofficial():
    doc = json.loads((paths.SOURCES_DIR / resolution.SUMMARY_FILE).read_text(encoding="utf-8"))
    assert doc["about"].startswith(resolution.UNOFFICIAL_NOTE)
    ids = [p.id for p in resolution.parse(RAW)]
    assert sorted(doc["paragraphs"]) == sorted(ids)
    for pid, s in doc["paragraphs"].items():
        n = len(re.findall(r"[.!?](?:\s|$)", s["summary_en"].replace("no. ", "no ").replace("vol. ", "vol ")))
        assert 1 <= n <= 3, (pid, n)
    assert doc["paragraphs"]["OP28"]["title_en"] == "The Alps and the Alpine Convention"


# --- links -----------------------------------------------------------------------------

def test_link_table_names_only_catalogue_pages_and_layers_and_reads_both_ways():
    """The committed links (equal to a fresh build: tests/test_build.py) name only catalogue pages,
    and layers each page can show; every view has a paragraph; the two readers agree."""
    links = data.links()
    ids = [p["id"] for p in data.paragraphs()]
    assert len(links) and set(links["paragraph_id"]) <= set(ids)
    for _, r in links.iterrows():
        assert r["view"] in catalog.MAP_PAGES, r["view"]
        named = r["layers"].split(";")
        assert named and set(named) <= catalog.link_layers(r["view"]), (r["paragraph_id"], named)
    assert set(catalog.VIEWS) <= set(links["view"])
    for view in catalog.MAP_PAGES:
        got = [p["id"] for p in data.paragraphs_for_view(view)]
        assert got == [pid for pid in ids if ((links["paragraph_id"] == pid) & (links["view"] == view)).any()]
        for pid in got:
            assert view in [v for v, _ in data.views_for_paragraph(pid)]


def test_required_links():
    def views(pid):
        return dict(data.views_for_paragraph(pid))

    assert "region_alpine-convention" in views("OP28")["alps"]
    assert "region_carpathian-convention" in views("OP29")["carpathians"]
    assert "region_icimod" in views("OP30")["hindu-kush-himalaya"]
    assert {"region_andean-initiative", "places"} <= set(views("PP6")["andes"])
    for pid in ("PP5", "OP36", "OP37"):
        assert "partnership_members" in views(pid)["partnership"], pid
    assert "places" in views("OP38")["world"] and "places" in views("PP4")["world"]
    for pid in ("OP3", "OP12"):
        w = views(pid)["world"]
        assert "mountain_classes" in w and any(x.startswith("sdg_VC_DSR_") for x in w), pid
    assert any("sdg_AG_LND_FRST" in lyr for lyr in views("OP9").values())
    assert any({"sdg_ER_PTD_MTN", "sdg_ER_RSK_LST"} & set(lyr) for lyr in views("OP26").values())
    assert "mountain_classes" in views("OP27")["world"]
    # every paragraph naming the Alps links to the Alps view
    for p in resolution.parse(RAW):
        if "阿尔卑斯" in p.text_zh:
            assert "alps" in views(p.id), p.id


def test_readers_reject_an_unknown_view_and_name_missing_data(tmp_path, monkeypatch):
    with pytest.raises(ParamError, match="unknown view"):
        data.paragraphs_for_view("moon")
    assert data.views_for_paragraph("OP999") == []
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    with pytest.raises(DataFileError, match="paragraphs.json"):
        data.paragraphs()


# --- corrupted inputs make the build fail, naming the problem --------------------------

def test_missing_operative_paragraph_fails_naming_it(tmp_path, monkeypatch):
    broken = RAW.replace(" 17. 强调需要增进山区妇女", " 强调需要增进山区妇女")
    assert broken != RAW
    with pytest.raises(BuildError, match=r"operative.*missing \[17\]"):
        resolution.validate(resolution.parse(broken))
    with pytest.raises(BuildError, match=r"missing \[17\]"):
        _build_with(tmp_path, monkeypatch, **{"A_RES_62_196_zh.txt": broken})


def test_misnumbered_operative_paragraph_fails():
    broken = RAW.replace(" 30. 赞赏地注意到国际山区", " 31. 赞赏地注意到国际山区")
    with pytest.raises(BuildError, match=r"operative"):
        resolution.validate(resolution.parse(broken))


def test_lost_footnote_body_fails():
    broken = RAW.replace(" 联合国，《条约汇编》，第 1760 卷，第 30619 号。", "")
    with pytest.raises(BuildError, match="FN5"):
        resolution.validate(resolution.parse(broken))


def test_footnote_left_in_text_fails():
    broken = RAW.replace("5\n 联合国，《条约汇编》，第 1760 卷", "5\n\n 联合国，《条约汇编》，第 1760 卷")
    broken = broken.replace("                                                           \n5\n", "")
    with pytest.raises(BuildError):
        resolution.validate(resolution.parse(broken))


def test_page_headers_of_another_extraction_are_dropped(paras):
    noisy = RAW.replace("4\n A/62/292。 \n", "4\n A/62/292。 \nA/RES/62/196\n07-47286\n")
    assert [vars(p) for p in resolution.parse(noisy)] == [vars(p) for p in paras]


def test_bad_summaries_and_links_fail_the_build(tmp_path, monkeypatch):
    doc = json.loads((paths.SOURCES_DIR / resolution.SUMMARY_FILE).read_text(encoding="utf-8"))
    del doc["paragraphs"]["OP12"]
    with pytest.raises(BuildError, match="OP12"):
        _build_with(tmp_path / "a", monkeypatch, **{"summary_en.json": json.dumps(doc, ensure_ascii=False)})
    doc = json.loads((paths.SOURCES_DIR / resolution.SUMMARY_FILE).read_text(encoding="utf-8"))
    doc["about"] = "Summaries."
    with pytest.raises(BuildError, match="Unofficial summary"):
        _build_with(tmp_path / "b", monkeypatch, **{"summary_en.json": json.dumps(doc, ensure_ascii=False)})
    links = (paths.SOURCES_DIR / resolution.LINKS_FILE).read_text(encoding="utf-8")
    for bad, msg in ((links + "OP40,world,places,x,地\n", "OP40"), (links + "OP1,moon,places,x,地\n", "moon"),
                     (links + "OP1,world,glaciers,x,地\n", "glaciers"),
                     (links + "OP2,partnership,partnership_timeline,x,地\n", "partnership_timeline"),
                     (links + "OP2,world,range_extent,x,地\n", "cannot be shown on world"),
                     (links + "OP1,alps,places,x,map\n", "note_zh"),
                     ("\n".join(ln for ln in links.splitlines() if ",andes," not in ln) + "\n", "andes")):
        with pytest.raises(BuildError, match=msg):
            _build_with(tmp_path / msg, monkeypatch, **{"links.csv": bad})


# --- cleaning --------------------------------------------------------------------------

def test_clean_joins_without_stray_spaces():
    assert resolution.clean("回顾其 1998 年 11 月\n10 日") == "回顾其1998年11月10日"
    assert resolution.clean("C.93.I.8 和更正") == "C.93.I.8和更正"
    assert resolution.clean("UNEP/CBD/COP/7/21，第 VII/27 号") == "UNEP/CBD/COP/7/21，第VII/27号"
    assert resolution.clean("可查阅 www.example.org/a.htm。") == "可查阅 www.example.org/a.htm。"
    assert resolution.clean("Treaty  Series\nvol. 1760") == "Treaty Series vol. 1760"


def test_source_text_is_unchanged_copy():
    import hashlib

    assert hashlib.sha256(RAW.encode("utf-8")).hexdigest() == "097fa0ab377805006e71cb9b56185d3bbad183acac96f82ac7c1079d000e5338"
    prov = Path(paths.SOURCES_DIR / "resolution/PROVENANCE.md").read_text(encoding="utf-8")
    assert "unchanged" in prov and resolution.UNOFFICIAL_NOTE in re.sub(r"\s+", " ", prov.replace("**", ""))
