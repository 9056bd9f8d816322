"""Data downloads: CSV a journalist can open in Excel with the source beside the numbers,
GeoJSON with metadata and data values (not styles), file names."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from geo import catalog, downloads, layers
from geo.state import ViewState

WORLD = ViewState.default("world").with_(indicator="mountain_share")
URL = "https://atlas.example.org/?indicator=mountain_share"


@pytest.fixture(scope="module")
def world_prepared():
    return layers.prepare_state(WORLD)


def test_csv_has_source_licence_and_citation_on_every_row(world_prepared):
    raw = downloads.table_csv(world_prepared, WORLD, URL, "2026-01-02")
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 (Chinese names)
    df = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert list(df.columns[-3:]) == ["source", "licence", "citation"]
    assert df["source"].notna().all() and df["licence"].notna().all()
    assert df["citation"].str.contains("A/RES/62/196").all() and df["citation"].str.contains(URL, regex=False).all()
    share = df[df["layer"] == "mountain_share"]
    assert share.loc[share["iso3"] == "CHE", "value"].iloc[0] > 60
    assert share["unit"].eq("% of land").all()
    assert "Mountain share of land area" in set(df["layer_title"])


def test_csv_neutralises_spreadsheet_formulas():
    layer = catalog.layer("places")
    tbl = pd.DataFrame({"name_en": ["=HYPERLINK(\"http://x\",\"y\")", "+1", "Rome"], "value": [-1.5, 2.0, 3.0]})
    p = layers.Prepared(layer, "Places", table=tbl)
    df = pd.read_csv(io.BytesIO(downloads.table_csv([p])), encoding="utf-8-sig")
    assert list(df["name_en"]) == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1", "Rome"]
    assert list(df["value"]) == [-1.5, 2.0, 3.0]  # numbers stay numbers


def test_geojson_has_metadata_and_values_not_styles(world_prepared):
    doc = json.loads(downloads.layer_geojson(world_prepared, WORLD, URL, "2026-01-02"))
    assert doc["type"] == "FeatureCollection"
    meta = doc["metadata"]
    assert meta["title"] == "The world's mountains" and meta["url"] == URL and meta["date"] == "2026-01-02"
    assert "A/RES/62/196" in meta["citation"] and meta["sources"] and meta["licences"]
    assert {"hillshade", "mountain_classes"} <= set(meta["not_included"])  # rasters are not features
    share = [f for f in doc["features"] if f["properties"]["layer"] == "mountain_share"]
    che = next(f for f in share if f["properties"].get("iso3") == "CHE")
    assert che["properties"]["value"] > 60 and che["properties"]["name_en"]
    for f in doc["features"]:
        assert not set(f["properties"]) & set(downloads.STYLE_COLUMNS), f["properties"]
    assert all("value" in f["properties"] or f["properties"]["status"] == "no data" for f in share)
    places = [f for f in doc["features"] if f["properties"]["layer"] == "places"]
    assert places and all(f["properties"].get("name_en") and f["properties"].get("date") for f in places)
    assert all(f["geometry"]["type"] == "Point" for f in places)


def test_geojson_region_features_say_what_they_are():
    state = ViewState.default("alps")
    doc = json.loads(downloads.layer_geojson(layers.prepare_state(state), state))
    reg = [f["properties"] for f in doc["features"] if f["properties"]["layer"] == "region_alpine-convention"]
    members = [p for p in reg if p.get("iso3")]
    assert {"AUT", "CHE", "FRA", "ITA"} <= {p["iso3"] for p in members} and all(p.get("role") for p in members)
    areas = [p for p in reg if not p.get("iso3")]
    assert areas and all("approximate" in p["part"] and p.get("area_km2") for p in areas)
    rng = [f["properties"] for f in doc["features"] if f["properties"]["layer"] == "range_extent"]
    assert rng and rng[0]["id"] == "alps" and rng[0]["mountain_km2"] > 0
    assert doc["metadata"]["url"].endswith("/alps")


def test_file_names():
    assert downloads.file_stem(WORLD.with_(year=2015, indicator="sdg_AG_LND_FRST", lang="zh")) == \
        "mountain-atlas_world_sdg_AG_LND_FRST_2015_zh"
    assert downloads.file_stem(ViewState.default("alps")) == "mountain-atlas_alps_map_latest_en"


def test_download_row_renders_no_snapshot_up_front(monkeypatch):
    """The row hands Streamlit callables; nothing is rendered until a click."""
    import types

    from geo import snapshot

    calls = []
    monkeypatch.setattr(snapshot, "render", lambda *a, **k: calls.append(a) or b"x")
    buttons = []

    class Col:
        def download_button(self, label, data, file_name, mime, key, on_click):
            buttons.append((label, data, file_name, mime, on_click))

    from geo import ui

    fake = types.SimpleNamespace(columns=lambda n: [Col() for _ in range(n)], caption=lambda *a, **k: None)
    monkeypatch.setattr(ui, "st", fake)
    state = ViewState.default("alps")
    ui.download_row(state, layers.prepare_state(state))
    assert [b[2] for b in buttons] == [f"mountain-atlas_alps_map_latest_en.{x}" for x in ("png", "svg", "pdf", "csv", "geojson")]
    assert all(callable(b[1]) for b in buttons) and not calls
    assert buttons[0][1]() == b"x" and len(calls) == 1  # rendered on demand
    assert json.loads(buttons[4][1]())["metadata"]["view"] == "alps"


def test_geojson_marks_no_data_as_unknown_not_zero():
    state = ViewState.default("world").with_(indicator="sdg_AG_LND_FRST", layers=())
    doc = json.loads(downloads.layer_geojson(layers.prepare_state(state), state))
    feats = [f["properties"] for f in doc["features"]]
    nodata = [p for p in feats if "value" not in p]
    assert nodata and all(p["status"] == "no data" for p in nodata)
    assert all(isinstance(p["value"], float) and "status" not in p for p in feats if "value" in p)
    assert doc["metadata"]["layers"][0]["year"] == "latest"
