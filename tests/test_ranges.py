"""The featured ranges: envelopes, members, published figures, and the built outputs."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo import paths, ranges

PEAKS = {
    "alps": (6.8652, 45.8326),  # Mont Blanc
    "carpathians": (20.1339, 49.1641),  # Gerlachovský štít
    "hindu-kush-himalaya": (86.9250, 27.9881),  # Everest
    "andes": (-70.0109, -32.6532),  # Aconcagua
}
OUTSIDE = {
    "alps": (2.3522, 48.8566),  # Paris
    "carpathians": (21.0122, 52.2297),  # Warsaw
    "hindu-kush-himalaya": (77.2090, 28.6139),  # Delhi
    "andes": (-58.3816, -34.6037),  # Buenos Aires
}
BODIES = {"alps": "alpine-convention", "carpathians": "carpathian-convention", "hindu-kush-himalaya": "icimod", "andes": "andean-initiative"}


def test_the_four_ranges_and_their_bodies():
    assert {k: r.body_id for k, r in ranges.RANGES.items()} == BODIES
    for k, r in ranges.RANGES.items():
        assert r.id == k and r.name_en and r.name_zh and r.envelope_note


@pytest.mark.parametrize("rid", list(PEAKS))
def test_envelopes_hold_their_peak_and_not_the_lowland_capital(rid):
    r = ranges.RANGES[rid]
    assert r.envelope.is_valid and r.envelope.area > 1
    assert r.envelope.contains(shapely.Point(PEAKS[rid]))
    assert not r.envelope.contains(shapely.Point(OUTSIDE[rid]))
    minx, miny, maxx, maxy = r.bbox
    assert shapely.box(minx, miny, maxx, maxy).contains(r.envelope)  # the view shows the whole envelope
    assert -180 <= minx < maxx <= 180


def test_range_of():
    assert ranges.range_of("alps") is ranges.RANGES["alps"]
    assert ranges.range_of("world") is None and ranges.range_of("partnership") is None


def test_envelope_notes_name_their_sources():
    assert "Alpine Convention" in ranges.RANGES["alps"].envelope_note
    assert "ICIMOD" in ranges.RANGES["hindu-kush-himalaya"].envelope_note
    assert all("Vertices in geo/catalog.py" in r.envelope_note for r in ranges.RANGES.values())


def _source_members() -> pd.DataFrame:
    """The researched member lists, mapped to body ids and ISO codes (the memberships step does this for the build)."""
    from geo.memberships import BODY_NAMES

    src = pd.read_csv(paths.SOURCES_DIR / "memberships/regional_mountain_bodies_members.csv", dtype=str, keep_default_na=False)
    iso = {"Austria": "AUT", "France": "FRA", "Germany": "DEU", "Italy": "ITA", "Liechtenstein": "LIE", "Monaco": "MCO",
           "Slovenia": "SVN", "Switzerland": "CHE", "Czech Republic": "CZE", "Czechia": "CZE", "Hungary": "HUN", "Poland": "POL",
           "Romania": "ROU", "Serbia": "SRB", "Slovakia": "SVK", "Slovak Republic": "SVK", "Ukraine": "UKR", "Afghanistan": "AFG",
           "Bangladesh": "BGD", "Bhutan": "BTN", "China": "CHN", "India": "IND", "Myanmar": "MMR", "Nepal": "NPL", "Pakistan": "PAK",
           "Argentina": "ARG", "Bolivia": "BOL", "Chile": "CHL", "Colombia": "COL", "Ecuador": "ECU", "Peru": "PER", "Venezuela": "VEN"}
    body = {**BODY_NAMES, "Andean Mountain Initiative (Mountain Partnership Andean Initiative)": "andean-initiative"}
    return pd.DataFrame({"body_id": [body.get(b, "") for b in src["body"]],
                         "iso3": [next((v for k, v in iso.items() if m.startswith(k)), "") for m in src["member"]]})


def test_member_states_from_the_researched_lists():
    m = _source_members()
    assert ranges.member_iso3(m, "alpine-convention") == ["AUT", "CHE", "DEU", "FRA", "ITA", "LIE", "MCO", "SVN"]  # EU has no code
    assert len(ranges.member_iso3(m, "carpathian-convention")) == 7
    assert "NPL" in ranges.member_iso3(m, "icimod") and "BGD" in ranges.member_iso3(m, "icimod")
    assert len(ranges.member_iso3(m, "andean-initiative")) == 7
    with pytest.raises(ValueError, match="nowhere"):
        ranges.member_iso3(m, "nowhere")


def test_regions_table_keeps_every_published_figure_as_published():
    facts = pd.read_csv(paths.SOURCES_DIR / "memberships/regional_mountain_bodies_facts.csv", dtype=str, keep_default_na=False)
    from geo.memberships import BODY_NAMES

    facts.insert(0, "body_id", [BODY_NAMES.get(b, "andean-initiative" if b.startswith("Andes") else "") for b in facts["body"]])
    computed = {"alpine-convention": 100.04, "carpathian-convention": 2.0, "icimod": 3.0, "andean-initiative": 4.0}
    t = ranges.regions_table(facts, computed, {k: k.upper() for k in computed})
    assert list(t.columns) == ["id", "kind", "name", "area_km2", "published_area_km2", "published_source"]
    n_published = int((facts["field"] == "area_km2").sum())
    assert len(t) == n_published  # every body here has a published figure: one row each, none merged
    assert sorted(t.loc[t["id"] == "alpine-convention", "published_area_km2"]) == ["190600", "190717", "190959"]
    assert "more than 4 million / over 4.2 million" in set(t["published_area_km2"])
    assert (t.loc[t["id"] == "alpine-convention", "area_km2"] == 100.0).all()
    only_computed = ranges.regions_table(facts.iloc[0:0], {"icimod": 5.0}, {"icimod": "ICIMOD"})
    assert only_computed.iloc[0]["kind"] == "computed (approximate)" and only_computed.iloc[0]["published_area_km2"] == ""


# ---------------------------------------------------------------------------------------
# the committed build output


def _data(rel):
    p = paths.data_dir() / rel
    if not p.exists():
        pytest.skip(f"{p} is absent: run `python -m geo.build --only ranges`")
    return p


def test_built_ranges_and_regions():
    import geopandas as gpd

    rng = gpd.read_file(_data("vector/ranges.geojson")).set_index("id")
    env = gpd.read_file(_data("vector/range_envelopes.geojson")).set_index("id")
    reg = gpd.read_file(_data("vector/regions.geojson")).set_index("id")
    assert set(rng.index) == set(env.index) == set(PEAKS) and set(reg.index) == set(BODIES.values())
    assert rng.is_valid.all() and env.is_valid.all() and reg.is_valid.all()
    assert reg["approximate"].all() and reg["note"].str.contains("Approximate").all()
    for rid, pt in PEAKS.items():
        assert env.loc[rid, "geometry"].contains(shapely.Point(pt))
        assert rng.loc[rid, "geometry"].buffer(0.1).contains(shapely.Point(pt)), rid  # the peak's cell is mountain
        assert env.loc[rid, "geometry"].buffer(0.002).contains(rng.loc[rid, "geometry"])  # 0.001-deg rounding
        assert reg.loc[BODIES[rid], "area_km2"] <= rng.loc[rid, "mountain_km2"] + 1
    # the Alpine Convention area is ~190,000 km²; the mountain cells of the envelope should be close
    assert 150_000 < reg.loc["alpine-convention", "area_km2"] < 230_000


def test_built_regions_csv():
    r = pd.read_csv(_data("stats/regions.csv"), dtype=str, keep_default_na=False)
    assert list(r.columns) == ["id", "kind", "name", "area_km2", "published_area_km2", "published_source"]
    assert set(r["id"]) == set(BODIES.values())
    assert (r["area_km2"] != "").all() and (r["published_source"] != "").all()
    alp = r[r["id"] == "alpine-convention"]
    assert sorted(alp["published_area_km2"]) == ["190600", "190717", "190959"]  # every published figure kept, as published
    assert "more than 4 million / over 4.2 million" in set(r["published_area_km2"])
