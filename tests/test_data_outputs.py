"""The committed derived data: countries, statistics, ranges, memberships, places, SDG."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import countries, memberships, paths, sdg
from geo.errors import BuildError

D = paths.ROOT / "data"


@pytest.fixture(scope="module")
def world():
    return gpd.read_file(D / "vector/countries.geojson")


@pytest.fixture(scope="module")
def stats():
    return pd.read_csv(D / "stats/country_mountain_area.csv", keep_default_na=False, na_values=[""])


def test_countries_have_unique_codes_and_names(world):
    assert world["iso3"].is_unique and world["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert world.is_valid.all() and not world.geometry.is_empty.any()
    by = world.set_index("iso3")
    assert by.loc["CHE", "name_zh"] == "瑞士" and by.loc["NPL", "name_zh"] == "尼泊尔"
    assert by.loc["XKX", "name_en"] == "Kosovo" and "no ISO" in by.loc["XKX", "iso_status"]
    assert (world["name_zh"].str.len() > 0).all()


def test_no_polygon_crosses_the_antimeridian(world):
    for iso, geom in zip(world["iso3"], world.geometry):
        if iso == "ATA":  # Antarctica spans every longitude by right
            continue
        for part in getattr(geom, "geoms", [geom]):
            minx, _, maxx, _ = part.bounds
            assert maxx - minx <= 180, iso
    rus = world.set_index("iso3").loc["RUS", "geometry"]
    moscow, yakutsk, anadyr = shapely.Point(37.6, 55.75), shapely.Point(129.7, 62.0), shapely.Point(170.0, 67.0)
    mainland = next(p for p in rus.geoms if p.contains(moscow))
    assert mainland.contains(yakutsk) and mainland.contains(anadyr)  # one mainland, not bands
    assert rus.bounds[0] == pytest.approx(-180, abs=0.01) and rus.bounds[2] == pytest.approx(180, abs=0.01)


def test_split_antimeridian_cuts_a_wrapping_polygon():
    wrap = shapely.Polygon([(170, 60), (180, 60), (-180, 60), (-170, 60), (-170, 65), (-180, 65), (180, 65), (170, 65)])
    out = countries.split_antimeridian(wrap)
    assert all(p.bounds[2] - p.bounds[0] <= 10.001 for p in out.geoms)
    assert sum(p.area for p in out.geoms) == pytest.approx(20 * 5)


@pytest.mark.parametrize("iso,km2,tol", [("CHE", 41_285, 0.02), ("NPL", 147_181, 0.02), ("AUT", 83_879, 0.02), ("BOL", 1_098_581, 0.02)])
def test_land_areas_match_known_country_areas(stats, iso, km2, tol):
    got = stats.set_index("iso3").loc[iso, "land_km2"]
    assert got == pytest.approx(km2, rel=tol)


def test_mountain_shares_are_plausible(stats):
    s = stats.set_index("iso3")["mountain_share_pct"]
    assert s["NLD"] < 0.5 and s["DNK"] < 0.5  # the sub-grid model's mean share of flat lowland bins
    assert s["CHE"] > 60 and s["NPL"] > 60 and s["BTN"] > 80
    classes = stats[[f"class{k}_km2" for k in range(1, 8)]].sum(axis=1)
    assert (abs(classes - stats["mountain_km2"]) < 1).all()
    assert (stats["mountain_km2"] <= stats["land_km2"] * 1.02).all()


def test_ranges_hold_their_peaks_and_are_valid():
    env = gpd.read_file(D / "vector/range_envelopes.geojson").set_index("id")
    peaks = {"alps": (6.865, 45.833), "carpathians": (20.134, 49.164), "hindu-kush-himalaya": (86.925, 27.988), "andes": (-70.011, -32.653)}
    for rid, pt in peaks.items():
        assert env.loc[rid, "geometry"].contains(shapely.Point(pt)), rid
    rng = gpd.read_file(D / "vector/ranges.geojson")
    assert rng.is_valid.all() and set(rng["id"]) == set(peaks)
    reg = gpd.read_file(D / "vector/regions.geojson")
    assert reg["approximate"].all() and reg.is_valid.all()


def test_regions_csv_keeps_every_published_figure():
    r = pd.read_csv(D / "stats/regions.csv", dtype=str)
    alp = r[r["id"] == "alpine-convention"]
    assert sorted(alp["published_area_km2"]) == ["190600", "190717", "190959"]
    assert "more than 4 million / over 4.2 million" in set(r["published_area_km2"])


def test_membership_counts():
    m = pd.read_csv(D / "tables/regional_members.csv", dtype=str, keep_default_na=False)
    n = m.groupby("body_id").size().to_dict()
    assert n == {"alpine-convention": 9, "carpathian-convention": 7, "icimod": 8, "andean-initiative": 7}
    assert (m.loc[m["member_name"] == "European Union", "iso3"] == "").all()
    assert (m.loc[m["member_name"] != "European Union", "iso3"] != "").all()


def test_partnership_list_never_marks_a_non_member():
    pm = pd.read_csv(D / "tables/partnership_members.csv", dtype=str, keep_default_na=False)
    gov = pm[pm["category"] == "government"]
    assert (gov["iso3"] != "").all()
    assert not pm.apply(lambda r: r.astype(str).str.contains("non-member", case=False).any(), axis=1).any()
    import json

    meta = json.loads((D / "tables/partnership_meta.json").read_text())
    assert meta["governments_listed"] == len(gov)
    assert f"{len(gov)} of {meta['governments_total']}" in meta["statement_en"]
    assert "not listed" in meta["absent_means_en"]


def test_unknown_country_name_stops_the_build():
    src = pd.DataFrame({"member": ["Atlantis"], "category": ["government"], "as_of": ["x"], "certainty": ["listed"], "source": ["y"]})
    with pytest.raises(BuildError, match="Atlantis"):
        memberships.partnership_members(src)


def test_places_lie_in_their_countries(world):
    p = gpd.read_file(D / "vector/places.geojson").set_index("id")
    expect = {"bishkek-2002": "KGZ", "johannesburg-2002": "ZAF", "rio-1992": "BRA", "merano-2003": "ITA", "cusco-2004": "PER",
              "tucuman-2007": "ARG", "rome-2007": "ITA", "bishkek-2009": "KGZ"}
    w = world.set_index("iso3")
    for pid, iso in expect.items():
        assert w.loc[iso, "geometry"].buffer(0.05).contains(p.loc[pid, "geometry"]), pid
    assert p.loc["bishkek-2009", "paragraphs"] == "OP38"


def test_sdg_series_are_country_totals_matched_to_iso():
    import json

    meta = json.loads((D / "sdg/series.json").read_text())
    assert len(meta) == len(sdg.FILES)
    for code, m in meta.items():
        df = pd.read_csv(D / m["file"], dtype={"iso3": str})
        assert not df.duplicated(["iso3", "year"]).any(), code
        assert df["iso3"].str.fullmatch(r"[A-Z]{3}").all(), code
        assert m["countries"] == df["iso3"].nunique()


def test_sdg_unmatched_name_fails_naming_it():
    df = pd.DataFrame({"Year": ["2020"], "SeriesCode": ["AG_LND_FRST"], "GeoAreaName": ["Freedonia"], "Value": ["1"]})
    with pytest.raises(BuildError, match="Freedonia"):
        sdg.country_totals(df, "AG_LND_FRST", {}, "test.csv")


def test_sdg_conflicting_values_fail():
    df = pd.DataFrame({"Year": ["2020", "2020"], "SeriesCode": ["AG_LND_FRST"] * 2, "GeoAreaName": ["Nepal", "Nepal"], "Value": ["1", "2"]})
    with pytest.raises(BuildError, match="more than one value"):
        sdg.country_totals(df, "AG_LND_FRST", {}, "test.csv")


def test_sdg_verbatim_repeats_are_kept_once():
    df = pd.DataFrame({"Year": ["2020", "2020"], "SeriesCode": ["VC_DSR_MORT"] * 2, "GeoAreaName": ["Nepal", "Nepal"], "Value": ["5", "5"]})
    out = sdg.country_totals(df, "VC_DSR_MORT", {}, "test.csv")
    assert len(out) == 1 and out.iloc[0]["iso3"] == "NPL"


def test_range_maps_draw_the_30s_classes_where_the_tile_covers_them():
    """The Alps' class image carries class 7 (only the 30" grid has it) and says which grid it
    draws; the Andes (outside the tile) and the world map draw the 5' classes."""
    from geo import layers

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
