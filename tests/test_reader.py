"""geo.reader: the ``p`` allow-list, neighbours, each paragraph's map states, the official links."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from geo import catalog, data, paths, reader
from geo.state import ViewState

PARAS = json.loads((paths.ROOT / "data/resolution/paragraphs.json").read_text(encoding="utf-8"))
IDS = [p["id"] for p in reader.readable(PARAS)]


def test_readable_paragraphs_are_every_pp_op_and_footnote_in_order():
    assert IDS[0] == "PP1" and "TITLE" not in IDS
    assert [i for i in IDS if i.startswith("OP")] == [f"OP{k}" for k in range(1, 40)]
    assert [i for i in IDS if i.startswith("PP")] == [f"PP{k}" for k in range(1, 8)]
    assert reader.counts(PARAS) == {"preamble": 7, "operative": 39, "footnote": 10}


@pytest.mark.parametrize("raw,expected", [
    (None, ("PP1", False)), ([], ("PP1", False)),
    (["OP28"], ("OP28", False)), (["op28"], ("OP28", False)), (["FN7"], ("FN7", False)),
    (["OP40"], ("PP1", True)), (["TITLE"], ("PP1", True)), (["OP28", "OP29"], ("PP1", True)),
    (["<script>alert(1)</script>"], ("PP1", True)), (["x" * 10_000], ("PP1", True)), ([""], ("PP1", True)),
    (["OP2\x00"], ("PP1", True)), (["ＯＰ28"], ("PP1", True)),
])
def test_choose_checks_the_allow_list(raw, expected):
    assert reader.choose(raw, IDS) == expected


def test_neighbours():
    assert reader.neighbours("PP1", IDS) == (None, "PP2")
    assert reader.neighbours("PP7", IDS) == ("PP6", "OP1")
    assert reader.neighbours("OP28", IDS) == ("OP27", "OP29")
    assert reader.neighbours(IDS[-1], IDS) == (IDS[-2], None)


def test_official_links_name_the_symbol_in_six_languages():
    codes = [c for c, _ in reader.OFFICIAL_LANGUAGES]
    assert sorted(codes) == sorted(["ar", "zh", "en", "fr", "ru", "es"])
    assert reader.official_url("fr") == "https://undocs.org/fr/A/RES/62/196"
    with pytest.raises(ValueError):
        reader.official_url("de")


def _links_file() -> list[dict]:
    with open(paths.ROOT / "data/resolution/links.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_op28_is_the_alps_with_the_alpine_convention_and_extent():
    maps = reader.map_links("OP28", data.links(), "en")
    assert len(maps) == 1
    m = maps[0]
    assert m.page == "alps" and m.state.view == "alps"
    assert {"range_extent", "region_alpine-convention"} <= set(m.state.layers)
    assert set(ViewState.default("alps").layers) <= set(m.state.layers)
    assert m.note == next(r["note"] for r in _links_file() if r["paragraph_id"] == "OP28")
    zh = reader.map_links("OP28", data.links(), "zh")[0]
    assert zh.note == next(r["note_zh"] for r in _links_file() if r["paragraph_id"] == "OP28") and "阿尔卑斯" in zh.note


def test_every_linked_paragraph_gets_a_map_with_only_allowed_layers():
    rows = _links_file()
    links = data.links()
    for pid in dict.fromkeys(r["paragraph_id"] for r in rows):
        want = [r for r in rows if r["paragraph_id"] == pid]
        maps = reader.map_links(pid, links, "zh")
        assert [m.page for m in maps] == [r["view"] for r in want], pid
        for m, r in zip(maps, want):
            assert m.state.lang == "zh"
            view = catalog.view(m.state.view)
            assert all(x in view.allowed_layers for x in m.state.layers), (pid, m.state.layers)
            linked = [x for x in r["layers"].split(";") if x]
            if any(x in catalog.INDICATORS for x in linked):
                assert m.state.indicator == next(x for x in linked if x in catalog.INDICATORS), pid
            # layers the view cannot show (e.g. the timeline, a chart) are dropped, the others drawn
            assert {x for x in linked if x in view.allowed_layers} <= set(m.state.layers), pid


def test_indicators_links_draw_the_world_with_terrain_and_the_indicator():
    (world, ind) = reader.map_links("OP11", data.links(), "en")
    assert world.page == "world" and ind.page == "indicators"
    assert ind.state.view == "world" and ind.state.layers == ("hillshade",) and ind.state.indicator == "sdg_VC_DSR_MORT"


def test_paragraphs_without_links_have_no_maps_and_unknown_views_are_skipped():
    assert reader.map_links("OP1", data.links(), "en") == []
    fake = pd.DataFrame([{"paragraph_id": "OP1", "view": "nowhere", "layers": "places", "note": ""}])
    assert reader.map_links("OP1", fake, "en") == []
