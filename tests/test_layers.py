"""Layer preparation and the folium map, on a tiny data folder with known answers."""

from __future__ import annotations

import json
import re

import pytest

from geo import artefacts, catalog, layers, mapping
from geo.state import ViewState
from tests import tiny_data


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    root = tiny_data.make(tmp_path / "data")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(root))
    yield root


def _fills(p):
    return dict(zip(p.gdf["iso3"], p.gdf["fill"]))


def test_no_data_is_not_zero(tiny):
    p = layers.prepare("world", "sdg_AG_LND_FRST", "en", 2015)
    assert p.ok, p.problems
    fills = _fills(p)
    assert fills["CCC"] == layers.NO_DATA_FILL  # no value at all
    assert fills["AAA"] != layers.NO_DATA_FILL  # zero is a value, drawn in the palette
    assert fills["AAA"] == layers.colours("YlGn", 5)[0]
    tip_c = p.gdf.set_index("iso3").loc["CCC", "tip"]
    assert "No data" in tip_c
    assert p.legend.items[-1].label == "No data"


def test_year_selection_and_latest(tiny):
    p2015 = layers.prepare("world", "sdg_AG_LND_FRST", "en", 2015)
    latest = layers.prepare("world", "sdg_AG_LND_FRST", "en", None)
    t15 = p2015.table.set_index("iso3")
    tl = latest.table.set_index("iso3")
    assert t15.loc["BBB", "value"] == 40.0
    assert tl.loc["BBB", "value"] == 50.0 and int(tl.loc["BBB", "year"]) == 2020
    assert tl.loc["AAA", "value"] == 0.0 and int(tl.loc["AAA", "year"]) == 2015
    assert layers.available_years("sdg_AG_LND_FRST") == [2015, 2020]


def test_ranked_table_puts_no_data_last_without_rank(tiny):
    p = layers.prepare("world", "mountain_share", "en")
    t = p.table
    assert list(t["iso3"][:2]) == ["BBB", "CCC"]
    p = layers.prepare("world", "sdg_AG_LND_FRST", "en", 2015)
    last = p.table.iloc[-1]
    assert last["iso3"] == "CCC" and str(last["rank"]) == "<NA>"


def test_partnership_never_says_non_member(tiny):
    p = layers.prepare("partnership", "partnership_members", "en")
    fills = _fills(p)
    assert fills["AAA"] == layers.NO_DATA_FILL
    tips = p.gdf.set_index("iso3")["tip"]
    assert "Not listed in our sources" in tips["AAA"]
    assert "name uncertain" in tips["CCC"]
    assert not any(re.search(r"non-?member", x, re.I) for x in tips)


def test_markup_in_data_is_escaped_in_tooltips_and_map(tiny):
    p = layers.prepare("world", "mountain_share", "en")
    tip = p.gdf.set_index("iso3").loc["BBB", "tip"]
    assert tiny_data.EVIL not in tip and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in tip
    state = ViewState(view="world", layers=(), indicator="mountain_share")
    store = artefacts.store()
    mb = mapping.build(state, store)
    sent = "".join(store.path(n).read_text(encoding="utf-8") for n in mb.needs if not n.endswith((".png", ".jpg")))
    assert tiny_data.EVIL not in sent and 'onerror="alert' not in sent and "onerror=\\\"alert" not in sent
    spec = json.loads(store.path(mb.spec).read_text(encoding="utf-8"))
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in spec["layers"][0]["features"]["BBB"][1]


def test_source_lines_cite_what_the_manifest_records_for_the_files_read(tiny):
    """Citations are the build's, from data/manifest.json, for the files the layer reads: the series
    file's source and the countries file's own citation; nothing is cited from elsewhere."""
    doc = json.loads((tiny / "manifest.json").read_text())
    doc["files"]["sdg/AG_LND_FRST.csv"]["sources"][0]["cite"] = {
        "publisher_en": "Pub X", "publisher_zh": "出版者X", "title_en": "Series Y", "title_zh": "系列Y", "year": "2024",
        "url": "https://example.org/y"}
    doc["files"]["vector/countries.geojson"]["cite"] = {"publisher_en": "Borders Z", "title_en": "lines", "url": "https://example.org/z"}
    doc["files"]["vector/countries.geojson"]["sources"].append({"name": "a tool", "cite": "not a citation"})
    (tiny / "manifest.json").write_text(json.dumps(doc))
    en = layers.prepare("world", "sdg_AG_LND_FRST", "en", 2015).source_line
    assert en.startswith("Sources: Pub X, Series Y (2024), https://example.org/y; Borders Z, lines, https://example.org/z."), en
    zh = layers.prepare("world", "sdg_AG_LND_FRST", "zh", 2015).source_line
    # no Chinese publisher or title recorded: the English ones are shown
    assert zh.startswith("来源：出版者X《系列Y》（2024年） https://example.org/y；Borders Z《lines》 https://example.org/z"), zh
    assert [s.publisher("en") for s in layers.cited(catalog.layer("sdg_AG_LND_FRST").files)] == ["Pub X", "Borders Z"]
    share = layers.prepare("world", "mountain_share", "en").source_line  # reads the countries, not the series
    assert "Borders Z" in share and "Pub X" not in share, share


def test_missing_file_is_reported_not_raised(tiny):
    (tiny / "sdg/AG_LND_FRST.csv").unlink()
    p = layers.prepare("world", "sdg_AG_LND_FRST", "en", None)
    assert not p.ok and "sdg/AG_LND_FRST.csv" in p.problems[0] and "missing" in p.problems[0]


def test_corrupt_file_is_reported(tiny):
    f = tiny / "stats/country_mountain_area.csv"
    f.write_text(f.read_text().replace("50.0", "51.0"))
    p = layers.prepare("world", "mountain_share", "en")
    assert not p.ok and "stats/country_mountain_area.csv" in p.problems[0] and "corrupt" in p.problems[0]


def test_map_page_links_only_its_own_artefacts(tiny):
    state = ViewState(view="world", layers=(), indicator="mountain_share")
    mb = mapping.build(state)
    html = artefacts.store().path(mb.page).read_text(encoding="utf-8")
    urls = re.findall(r'(?:src|href)=["\']([^"\']+)', html)
    assert {mb.files["leaflet.js"], mb.files["atlas-map.js"], mb.files["leaflet.css"], mb.files["atlas-map.css"]} <= set(urls)
    assert all(artefacts.NAME.match(u) for u in urls), urls  # relative, content-named, nothing off the host


def test_inline_page_needs_no_server(tiny):
    state = ViewState(view="world", layers=("hillshade",), indicator="mountain_share")
    html = mapping.inline_page(mapping.build(state), state, "t")
    refs = re.findall(r'<(?:script|link|img|iframe)\b[^>]*?(?:src|href)=["\']([^"\']+)', html) + re.findall(r'url\((?!data:|#)([^)]+)\)', html)
    assert not refs, refs  # every file inlined: scripts, styles, JSON, images as data URLs
    assert "L.map(" in html and "leaflet-container" in html and 'id="atlas-inline"' in html and "url(data:image/png;base64," in html


def test_online_tiles_only_when_asked(tiny):
    store = artefacts.store()
    off = mapping.build(ViewState(view="world", layers=(), indicator="mountain_share"), store)
    on = mapping.build(ViewState(view="world", layers=(), indicator="mountain_share", tiles=True), store)
    assert "tile.openstreetmap.org" not in "".join(store.path(n).read_text(encoding="utf-8") for n in off.needs if n.endswith((".json", ".html")))
    assert "tile.openstreetmap.org" in store.path(on.spec).read_text(encoding="utf-8")


def test_bins_fixed_for_percent_quantiles_otherwise():
    import pandas as pd

    assert layers.bins_for(catalog.layer("sdg_AG_LND_FRST"), pd.Series([1.0, 2.0])) == list(layers.PERCENT_BINS)
    edges = layers.bins_for(catalog.layer("sdg_VC_DSR_MORT"), pd.Series(range(0, 1001)))
    assert edges[0] == 0 and edges[-1] > 1000 and edges == sorted(edges) and len(edges) >= 4


def test_catalogue_views_and_layers_are_consistent():
    for v in catalog.VIEWS.values():
        for lid in v.default_layers:
            assert lid in catalog.LAYERS
            assert lid in v.allowed_layers
        assert v.default_indicator is None or v.default_indicator in catalog.INDICATORS
    for lay in catalog.LAYERS.values():
        assert lay.files and lay.title_en and lay.title_zh and lay.licence and all(layers.provenance(lay))


def test_every_allowed_layer_prepares_valid_geometry_on_the_real_data():
    """Regression: ICIMOD's area on the world view made GEOS's rounding raise."""
    for vid, v in catalog.VIEWS.items():
        for lid in v.allowed_layers:
            p = layers.prepare(vid, lid)
            assert p.ok, (vid, lid, p.problems)
            if p.gdf is not None:
                assert p.gdf.is_valid.all(), (vid, lid)


def test_range_maps_draw_the_30s_classes_where_the_tile_covers_them():
    """The Alps' class image carries class 7 (only the 30" grid has it) and says which grid it
    draws; the Andes (outside the tile) and the world map draw the 5' classes (real data)."""
    assert layers.uses_fine_grid("alps") and layers.uses_fine_grid("carpathians") and layers.uses_fine_grid("hindu-kush-himalaya")
    assert not layers.uses_fine_grid("andes") and not layers.uses_fine_grid("world")
    c7 = tuple(int(layers.class_colours()[7][i:i + 2], 16) for i in (1, 3, 5))
    p = layers.prepare("alps", "mountain_classes")
    andes = layers.prepare("andes", "mountain_classes").image
    has7 = lambda img: bool(((img[..., :3] == c7).all(axis=-1) & (img[..., 3] > 0)).any())  # noqa: E731
    assert has7(p.image) and not has7(andes)
    assert "30″" in p.legend.unit and len(p.legend.items) == 7
    w = layers.prepare("world", "mountain_classes")
    assert "5′" in w.legend.unit and len(w.legend.items) == 6
