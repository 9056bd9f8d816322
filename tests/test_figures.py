"""Figures and formatters: every number shown for a range comes from geo.figures.range_figures,
formatted by geo.i18n per language; tables are for people; sources are reachable."""

from __future__ import annotations

import dataclasses
import io
import re

import pandas as pd
import pytest

from geo import catalog, downloads, figures, i18n, layers, ui
from geo.state import ViewState
from tests.conftest import run_page

RANGES = catalog.RANGE_VIEWS


# ---------------------------------------------------------------------------------------
# formatters


@pytest.mark.parametrize("v,lang,out", [
    (192560.5, "en", "192,560 km²"), (192480.1, "zh", "192,480 平方公里"), (0.0, "en", "0 km²"),
    (3693989.2, "en", "3,693,989 km²"), (None, "en", ""), (float("nan"), "zh", ""),
])
def test_area_formatter(v, lang, out):
    assert i18n.fmt_area(v, lang) == out


def test_number_formatter_separators_and_precision():
    assert i18n.fmt_number(1234567.8) == "1,234,568"
    assert i18n.fmt_number(42.25) == "42.2" or i18n.fmt_number(42.25) == "42.3"
    assert i18n.fmt_number(0.01234) == "0.0123"
    assert i18n.fmt_number(5, digits=2) == "5.00"
    assert i18n.fmt_pct(21.456) == "21.5 %"
    assert i18n.unit_label("面积", "平方公里") == "面积（平方公里）"
    assert i18n.unit_label("Area", "km²") == "Area (km²)"


def test_no_chinese_colon_in_english_and_no_latin_colon_in_chinese():
    assert i18n.colon("en") == ": " and i18n.colon("zh") == "："
    for key, (en, zh) in i18n.LABELS.items():
        assert "：" not in en and "（" not in en, key


# ---------------------------------------------------------------------------------------
# range figures from the data


@pytest.mark.parametrize("view_id", RANGES)
def test_range_figures_agree_with_the_data(view_id):
    f = figures.range_figures(view_id)
    r = layers.data.vector("vector/ranges.geojson")
    row = r[r["id"] == view_id].iloc[0]
    assert f.mountain_km2 == pytest.approx(float(row["mountain_km2"]))
    assert sum(f.class_km2.values()) == pytest.approx(f.mountain_km2, rel=1e-3)
    # the body's approximate area is the range's mountain cells within member territory
    assert f.body_area_km2 is not None and f.body_area_km2 <= f.mountain_km2 + 1e-6
    members = layers.data.table("tables/regional_members.csv")
    members = members[members["body_id"] == f.body_id]
    assert len(f.members) == len(members)
    assert len(f.states) == members["iso3"].notna().sum()


def test_alps_members_are_eight_states_and_the_eu():
    f = figures.range_figures("alps")
    assert len(f.states) == 8 and [m.name for m in f.other_parties] == ["European Union"]
    assert figures.members_text(f, "en") == "8 states + European Union"
    assert figures.members_text(f, "zh") == "8个国家 + 欧洲联盟"
    assert figures.members_text(figures.range_figures("andes"), "en") == "7 states"


def test_differences_are_explained_with_the_same_numbers():
    f = figures.range_figures("alps")
    text = figures.why_differ(f, "en")
    assert i18n.fmt_area(f.mountain_km2, "en") in text and i18n.fmt_area(f.body_area_km2, "en") in text
    nums = sorted(p.value_km2 for p in f.published if p.value_km2)
    assert i18n.fmt_number(nums[0]) in text and i18n.fmt_number(nums[-1]) in text
    zh = figures.why_differ(f, "zh")
    assert "平方公里" in zh and "km²" not in zh


def test_published_texts_are_formatted_per_language():
    p = figures.Published(None, "about 210000", "", "")
    assert figures.published_text(p, "en") == "about 210,000 km²"
    assert figures.published_text(p, "zh") == "约210,000 平方公里"
    p = figures.Published(None, "more than 4 million / over 4.2 million", "", "")
    assert figures.published_text(p, "en") == "more than 4,000,000 km² / over 4,200,000 km²"
    assert figures.published_text(figures.Published(None, "unreadable text", "", ""), "en") == "unreadable text"


def test_empty_high_classes_are_explained_from_the_grid():
    carp = figures.range_figures("carpathians")  # classes 1-2 empty on the 30″ grid of the Carpathians
    assert carp.class_km2[1] == 0 and carp.class_km2[2] == 0 and carp.class_km2[4] > 0
    note = figures.empty_classes_note(carp.class_km2, carp.top_cell_m, "en", fine=True)
    assert "Classes 1–2" in note and "3,500 m" in note and "30″" in note
    coarse = figures.empty_classes_note({1: 0.0, 2: 0.0, 3: 5.0}, 3246.0, "en")  # a 5′-grid range: names its highest cell
    assert "Classes 1–2" in coarse and "3,500 m" in coarse and "3,246 m" in coarse
    assert figures.empty_classes_note(figures.range_figures("alps").class_km2, None, "en") == ""  # Mont Blanc at 30″
    assert figures.empty_classes_note(figures.range_figures("andes").class_km2, None, "en") == ""


# ---------------------------------------------------------------------------------------
# one function: patch it, and every place that shows a range's figures changes


@pytest.fixture
def patched_alps(monkeypatch):
    real = figures.range_figures

    def fake(view_id):
        f = real(view_id)
        if view_id != "alps":
            return f
        return dataclasses.replace(f, mountain_km2=123456.0, body_area_km2=65432.0,
                                   class_km2={1: 0.0, 2: 0.0, 3: 11111.0, 4: 22222.0, 5: 33333.0, 6: 56790.0})

    monkeypatch.setattr(figures, "range_figures", fake)
    return fake


def test_all_figures_for_a_range_come_from_range_figures(patched_alps):
    # metric rows
    rows = figures.key_figure_rows("alps", "en")
    assert rows[0][1] == "123,456 km²" and rows[1][1] == "65,432 km²"
    # class chart data
    assert figures.class_km2("alps")[6] == 56790.0
    # tooltips
    ext = layers.prepare("alps", "range_extent", "zh")
    assert "123,456 平方公里" in ext.gdf["tip"].iloc[0]
    reg = layers.prepare("alps", "region_alpine-convention", "en")
    assert any("65,432 km²" in tip for tip in reg.gdf["tip"])
    # the people's table and the CSV
    shown = figures.people_table(layers.prepare("alps", "range_extent", "en"), "alps", "en")
    assert shown.iloc[0, 1] == "123,456" and "56,790" in shown.iloc[0].to_list()
    state = ViewState.default("alps")
    csv = downloads.table_csv([layers.prepare("alps", "range_extent", "en")], state, url="https://example.org/alps")
    df = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert df.loc[df["layer"] == "range_extent", "mountain_km2"].iloc[0] == 123456.0
    # the explanation
    assert "123,456 km²" in figures.why_differ(figures.range_figures("alps"), "en")


# ---------------------------------------------------------------------------------------
# tables for people


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_range_tables_list_only_members_with_labels_in_the_language(lang):
    p = layers.prepare("alps", "sdg_AG_LND_FRST", lang)
    shown = figures.people_table(p, "alps", lang)
    countries = set(shown[i18n.t("country", lang)])
    members = layers.data.countries()
    members = members[members["iso3"].isin(figures.range_figures("alps").member_iso3)]
    expected = {layers.country_name(r, lang) for _, r in members.iterrows()}
    assert countries == expected
    assert not {"Spain", "Luxembourg", "Czechia", "西班牙"} & countries
    for c in shown.columns:
        assert c not in ("iso3", "name_en", "name_zh", "envelope_note", "value", "rank")
    assert any(p.layer.unit(lang) in c for c in shown.columns)  # the unit is in the label


def test_csv_of_a_range_lists_only_its_countries():
    state = ViewState.default("alps").with_(indicator="sdg_AG_LND_FRST")
    p = layers.prepare("alps", "sdg_AG_LND_FRST", "en")
    df = pd.read_csv(io.BytesIO(downloads.table_csv([p], state, url="https://example.org/alps")), encoding="utf-8-sig")
    assert set(df["iso3"]) <= set(figures.range_figures("alps").member_iso3)
    assert "ESP" not in set(df["iso3"])


def test_region_table_is_for_people():
    shown = figures.people_table(layers.prepare("alps", "region_alpine-convention", "zh"), "alps", "zh")
    assert list(shown.columns) == ["成员", "角色", "来源"]
    assert "欧洲联盟" in set(shown["成员"]) and "缔约方" in set(shown["角色"])


# ---------------------------------------------------------------------------------------
# legends, colours, sources


def test_class_chart_colours_are_the_legend_colours():
    p = layers.prepare("alps", "mountain_classes", "en")
    areas = figures.class_km2("alps")
    html = ui.class_bars_html(areas, "en")
    bars = [(float(w), c) for w, c in re.findall(r"width:([\d.]+)%;background:(#[0-9a-f]{6})", html)]
    assert [c for _, c in bars] == [i.colour for i in p.legend.items]  # same colours, same order as the legend
    biggest = max(areas.values())
    assert [w for w, _ in bars] == [round(100 * a / biggest, 1) for a in areas.values()]  # bars to scale
    assert all(i18n.fmt_area(a, "en") in html for a in areas.values())
    assert len(set(layers.class_colours().values())) == len(layers.class_colours())


def test_region_swatches_are_distinct_and_icimod_is_not_orange():
    import matplotlib.colors as mc

    for body in catalog.BODY_TITLES:
        view = layers.range_view_of(body)
        lg = layers.prepare(view, f"region_{body}", "en").legend
        a, b = lg.items
        assert (a.colour, a.dash) != (b.colour, b.dash)
    h, s, v = mc.rgb_to_hsv(mc.to_rgb(layers.BODY_COLOURS["icimod"]))
    # the classes are yellow-orange-brown (hue 0.05-0.17): a body colour must be far from them
    for k, c in layers.class_colours().items():
        hc = mc.rgb_to_hsv(mc.to_rgb(c))[0]
        # classes 1-6 are orange-brown; class 7 (inner basins, 30″ only) is a sea-green, apart from the sky blue too
        assert min(abs(h - hc), 1 - abs(h - hc)) > (0.25 if k <= 6 else 0.1), k


def test_legends_never_repeat_their_heading_as_an_item():
    for vid in ("alps", "world"):
        for lid in catalog.view(vid).allowed_layers:
            p = layers.prepare(vid, lid, "en")
            if p.legend:
                assert all(i.label != p.legend.title for i in p.legend.items), lid


def test_snapshot_lists_legends_in_the_live_map_order():
    from geo import snapshot

    state = ViewState.default("hindu-kush-himalaya")
    prepared = layers.prepare_state(state)
    live = [p.legend.title for p in prepared if p.legend]
    assert [lg.title for lg in layers.legends(prepared)] == live
    import inspect

    assert "reversed" not in inspect.getsource(snapshot._draw_legends)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_source_lines_cite_reachable_sources_in_the_language(lang):
    for vid in ("alps", "world"):
        for lid in catalog.view(vid).allowed_layers:
            line = layers.prepare(vid, lid, lang).source_line
            assert "data/manifest.json" not in line and "docs/" not in line and "data/tables" not in line, lid
            assert re.search(r"https?://", line), lid
            if lang == "zh":
                assert re.search(r"[\u4e00-\u9fff]", line), lid
                assert "Source:" not in line and "Licence:" not in line
            else:
                assert "：" not in line.split("http")[0]


# ---------------------------------------------------------------------------------------
# pages through AppTest: language, tables, home page

def _page_links(at) -> list:
    from streamlit.proto.PageLink_pb2 import PageLink

    out = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            walk(child)
        proto = getattr(node, "proto", None)
        if isinstance(proto, PageLink):
            out.append(proto)

    walk(at.sidebar)
    return out


def test_choosing_chinese_applies_to_every_sidebar_link_on_the_same_run():
    at = run_page("views/alps.py", timeout=180)
    links = _page_links(at)
    assert len(links) == len(catalog.PAGES) and not any("lang=zh" in x.query_string for x in links)
    at.sidebar.radio(key="lang").set_value("zh").run()
    assert at.query_params["lang"] in ("zh", ["zh"])
    links = _page_links(at)
    assert len(links) == len(catalog.PAGES) and all("lang=zh" in x.query_string for x in links)
    assert links[1].label == "阿尔卑斯山脉"
    assert at.title[0].value == "阿尔卑斯山脉"
    labels = [m.label for m in at.metric]
    assert "山脉山区面积" in labels
    assert all("km²" not in m.value for m in at.metric)
    assert not [e for e in at.exception]


def test_home_page_says_what_this_is_and_search_shows_a_country():
    at = run_page("views/overview.py", timeout=180)
    text = " ".join(m.value for m in at.markdown)
    assert i18n.t("home_intro", "en") in text and "compare" in [e.proto.page for e in at.get("page_link")]
    box = at.selectbox(key="find_en")
    che = next(o for o in ui._find_options("en") if o[:2] == ("country", "CHE"))
    box.select(che).run()
    f = figures.country_figures("CHE")
    metrics = [(m.label, m.value) for m in at.metric]
    assert (i18n.t("mountain_area", "en"), i18n.fmt_area(f.mountain_km2, "en")) in metrics
    assert (i18n.t("mountain_share", "en"), i18n.fmt_pct(f.share_pct, "en")) in metrics
    assert any(i18n.t("country_figures", "en", name="Switzerland") == h.value for h in at.subheader)
    assert not [e for e in at.exception]
