"""Countries: ISO codes and names, the non-ISO entities, the antimeridian and the display file."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pycountry
import pytest
import shapely

from geo import countries, paths, raw
from geo.errors import BuildError
from tests.conftest import once_per_run

D = paths.ROOT / "data"


@pytest.fixture(scope="module")
def src():
    return raw.member_path("countries-10m.json")  # fetched from its registry (pinned) if not cached yet


@pytest.fixture(scope="module")
def source_layer(src):
    return gpd.read_file(src, layer="countries")


@pytest.fixture(scope="module")
def full(src, tmp_path_factory, worker_id):
    """The full-resolution countries (about 10 s to read and repair), read once per test run."""
    def read(folder):
        countries.read_countries(src).to_pickle(folder / "full.pkl")

    return pd.read_pickle(once_per_run(tmp_path_factory, worker_id, "countries-full", read) / "full.pkl")


@pytest.fixture(scope="module")
def world():
    return gpd.read_file(D / "vector/countries.geojson")


def test_alpha3_and_names_from_pycountry():
    assert countries.iso_names("756") == ("CHE", "Switzerland", "瑞士")
    assert countries.iso_names("524") == ("NPL", "Nepal", "尼泊尔")
    assert countries.iso_names("417")[0] == "KGZ"
    with pytest.raises(BuildError, match="999"):
        countries.iso_names("999")


def test_chinese_name_missing_from_the_catalogue_fails():
    fake = type("C", (), {"name": "Atlantis, Republic of", "alpha_3": "ATL"})()
    with pytest.raises(BuildError, match="Atlantis"):
        countries.zh_name(fake)


def test_every_feature_has_a_unique_code_and_names(full, world):
    for df in (full, world):
        assert df["iso3"].is_unique
        assert df["iso3"].str.fullmatch(r"[A-Z]{3}").all()
        assert (df["name_en"].str.len() > 0).all() and (df["name_zh"].str.len() > 0).all()
        assert not df["name_zh"].str.fullmatch(r"[ -~]+").any()  # every Chinese name is not plain ASCII
    assert list(world.columns) == ["iso3", "name_en", "name_zh", "iso_status", "geometry"]
    assert list(world["iso3"]) == sorted(world["iso3"])
    by = world.set_index("iso3")
    assert by.loc["CHE", "name_zh"] == "瑞士" and by.loc["NPL", "name_zh"] == "尼泊尔"
    assert by.loc["KGZ", "name_en"] == "Kyrgyzstan" and by.loc["CHN", "name_zh"] == "中国"


def test_iso_rows_match_pycountry(world):
    iso = world[world["iso_status"] == countries.ISO_STATUS]
    for code, zh in zip(iso["iso3"], iso["name_zh"]):
        c = pycountry.countries.get(alpha_3=code)
        assert c is not None, code
        assert countries.zh_name(c) == zh


def test_every_source_feature_without_id_is_in_the_table(source_layer, world):
    no_id = set(source_layer.loc[source_layer["id"].isna(), "name"])
    assert no_id == set(countries.NON_ISO)
    assert {"Kosovo", "N. Cyprus", "Somaliland", "Baikonur", "Siachen Glacier", "Indian Ocean Ter.", "Coral Sea Is.",
            "Spratly Is.", "Clipperton I.", "Serranilla Bank", "Bajo Nuevo Bank", "Scarborough Reef",
            "Cyprus U.N. Buffer Zone"} <= no_id
    by = world.set_index("iso3")
    for name, (code, en, zh, status) in countries.NON_ISO.items():
        assert code.startswith("X") and pycountry.countries.get(alpha_3=code) is None, code
        assert by.loc[code, "name_en"] == en and by.loc[code, "name_zh"] == zh
        assert "no ISO" in status or "without an id" in status
        assert by.loc[code, "iso_status"] == status
    assert by.loc["XKX", "name_en"] == "Kosovo" and by.loc["XKX", "name_zh"] == "科索沃"
    assert len({c for c, *_ in countries.NON_ISO.values()}) == len(countries.NON_ISO)


def test_unknown_feature_without_id_fails(tmp_path):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": None, "name": "Freedonia"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}
    p = tmp_path / "c.geojson"
    p.write_text(json.dumps(fc))
    import pyogrio

    layer = pyogrio.list_layers(p)[0][0]
    g = gpd.read_file(p, layer=layer)
    g.to_file(tmp_path / "c.gpkg", layer="countries")
    with pytest.raises(BuildError, match="Freedonia"):
        countries.read_countries(tmp_path / "c.gpkg")


def test_duplicate_ids_are_merged(source_layer, full):
    dup = source_layer[source_layer["id"].notna() & source_layer["id"].duplicated(keep=False)]
    assert set(dup["name"]) == {"Australia", "Ashmore and Cartier Is."}
    aus = full.set_index("iso3").loc["AUS", "geometry"]
    ashmore = source_layer.loc[source_layer["name"] == "Ashmore and Cartier Is.", "geometry"].iloc[0]
    assert aus.buffer(1e-6).contains(ashmore.representative_point())


def test_only_vatican_lacks_area(src, full):
    assert countries.dropped_features(src, full) == ["Vatican (VAT)"]


def test_source_does_not_split_at_the_antimeridian(source_layer):
    wide = {n for n, g in zip(source_layer["name"], source_layer.geometry)
            if any(p.bounds[2] - p.bounds[0] > 180 and not countries.wraps_pole(p) for p in getattr(g, "geoms", [g]))}
    assert wide == {"Russia", "Fiji"}  # so we must split


@pytest.mark.parametrize("which", ["full", "world"])
def test_no_ring_spans_more_than_180_degrees(which, full, world):
    df = {"full": full, "world": world}[which]
    for iso, geom in zip(df["iso3"], df.geometry):
        for part in getattr(geom, "geoms", [geom]):
            minx, _, maxx, _ = part.bounds
            if iso == "ATA":  # Antarctica closes along the pole and spans every longitude by right
                assert countries.wraps_pole(part) or maxx - minx <= 180
                continue
            assert maxx - minx <= 180, iso


def test_russia_and_fiji_are_whole_on_each_side(world):
    by = world.set_index("iso3")
    rus = by.loc["RUS", "geometry"]
    mainland = next(p for p in rus.geoms if p.contains(shapely.Point(37.6, 55.75)))
    assert mainland.contains(shapely.Point(129.7, 62.0)) and mainland.contains(shapely.Point(170.0, 67.0))
    assert rus.contains(shapely.Point(-175.0, 66.0)) or rus.buffer(0.05).contains(shapely.Point(-174.0, 66.5))  # Chukotka east of 180
    assert rus.bounds[0] == pytest.approx(-180, abs=0.01) and rus.bounds[2] == pytest.approx(180, abs=0.01)
    fji = by.loc["FJI", "geometry"]
    assert fji.bounds[0] == pytest.approx(-180, abs=0.01) and fji.bounds[2] == pytest.approx(180, abs=0.01)
    assert fji.buffer(0.05).contains(shapely.Point(178.45, -18.14))  # Suva


def test_split_antimeridian_cuts_a_wrapping_polygon():
    wrap = shapely.Polygon([(170, 60), (180, 60), (-180, 60), (-170, 60), (-170, 65), (-180, 65), (180, 65), (170, 65)])
    out = countries.split_antimeridian(wrap)
    assert len(out.geoms) == 2
    assert all(p.bounds[2] - p.bounds[0] <= 10.001 for p in out.geoms)
    assert sum(p.area for p in out.geoms) == pytest.approx(20 * 5)
    plain = shapely.box(10, 10, 20, 20)
    assert countries.split_antimeridian(plain) is plain


def test_geometries_valid_and_display_close_to_full(full, world):
    assert full.is_valid.all() and not full.geometry.is_empty.any()
    assert world.is_valid.all() and not world.geometry.is_empty.any()
    assert set(world["iso3"]) == set(full["iso3"])
    f = full.set_index("iso3").geometry
    w = world.set_index("iso3").geometry
    for iso in ["CHE", "NPL", "KGZ", "BOL", "RUS", "USA", "IDN"]:
        assert w[iso].area == pytest.approx(f[iso].area, rel=0.03), iso


def test_display_file_size_and_rounding():
    p = D / "vector/countries.geojson"
    assert p.stat().st_size < 3_200_000
    text = p.read_text(encoding="utf-8")
    import re

    decimals = {len(m) for m in re.findall(r"\.(\d+)[,\]]", text[:200_000])}
    assert max(decimals) <= 3


def test_display_is_a_coverage_without_overlaps(world):
    alps = world[world["iso3"].isin(["CHE", "AUT", "ITA", "FRA", "DEU", "LIE", "SVN"])]
    for i, a in alps.iterrows():
        for j, b in alps.iterrows():
            if i < j:
                assert a.geometry.intersection(b.geometry).area < 1e-6, (a["iso3"], b["iso3"])


def test_compact_writer_is_deterministic(full, tmp_path):
    small = full[full["iso3"].isin(["CHE", "LIE", "FJI"])].reset_index(drop=True)
    disp = countries.display_version(small)
    countries.write_geojson_compact(disp, tmp_path / "a.geojson", countries.COLUMNS)
    countries.write_geojson_compact(disp, tmp_path / "b.geojson", countries.COLUMNS)
    assert (tmp_path / "a.geojson").read_bytes() == (tmp_path / "b.geojson").read_bytes()
    back = gpd.read_file(tmp_path / "a.geojson")
    assert list(back["iso3"]) == ["CHE", "FJI", "LIE"] and back.is_valid.all()
    # RFC 7946: exterior rings counter-clockwise
    doc = json.loads((tmp_path / "a.geojson").read_text())
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw


def test_name_lookup_guards_against_fuzzy_mistakes():
    assert countries.iso3_match("Republic of Korea", {"Republic of Korea": "KOR"}) == ("KOR", "alias")
    assert countries.iso3_match("Nepal", {}) == ("NPL", "exact")
    assert countries.iso3_match("Freedonia", {}) == (None, "unmatched")
