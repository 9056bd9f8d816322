"""Memberships: regional bodies, the partial Partnership list, its counts and completeness."""

from __future__ import annotations


import pandas as pd
import pytest

from geo import memberships as m
from geo import catalog, data, paths
from geo.errors import BuildError

S = paths.SOURCES_DIR / "memberships"


def _from_source(fn, name: str) -> pd.DataFrame:
    """What the build step makes of a researched table (the committed file equals it:
    test_committed_tables_are_what_the_build_makes_of_the_sources)."""
    return fn(m.read_source(S / name))


@pytest.fixture(scope="module")
def regional():
    return _from_source(m.regional_members, "regional_mountain_bodies_members.csv")


@pytest.fixture(scope="module")
def members():
    return _from_source(m.partnership_members, "mountain_partnership_members_partial.csv")


@pytest.fixture(scope="module")
def counts():
    return _from_source(m.partnership_counts, "mountain_partnership_membership_counts.csv")


@pytest.fixture(scope="module")
def meta(members, counts):
    return m.completeness(members, counts)


def test_bodies_ids_and_ranges():
    assert set(catalog.BODIES) == {"alpine-convention", "carpathian-convention", "icimod", "andean-initiative"}
    assert {b.range_id for b in catalog.BODIES.values()} == set(catalog.RANGE_VIEWS)
    assert all(catalog.view(b.range_id).body_id == k for k, b in catalog.BODIES.items())
    assert all(b.name_en and b.name_zh and b.title_en and b.title_zh for b in catalog.BODIES.values())
    assert set(m.BODY_NAMES.values()) == set(catalog.BODIES)


def test_regional_member_counts(regional):
    assert list(regional.columns) == ["body_id", "body_name", "member_name", "iso3", "role", "source"]
    states = regional[regional["iso3"] != ""]
    assert states.groupby("body_id").size().to_dict() == {"alpine-convention": 8, "carpathian-convention": 7, "icimod": 8,
                                                         "andean-initiative": 7}
    eu = regional[regional["member_name"] == "European Union"]
    assert len(eu) == 1 and eu.iloc[0]["body_id"] == "alpine-convention" and eu.iloc[0]["iso3"] == ""
    assert (regional.loc[regional["member_name"] != "European Union", "iso3"] != "").all()  # only the EU lacks a code
    assert (regional["source"].str.len() > 0).all()


def test_regional_member_codes(regional):
    codes = {b: set(g["iso3"]) - {""} for b, g in regional.groupby("body_id")}
    assert codes["alpine-convention"] == {"AUT", "FRA", "DEU", "ITA", "LIE", "MCO", "SVN", "CHE"}
    assert codes["carpathian-convention"] == {"CZE", "HUN", "POL", "ROU", "SRB", "SVK", "UKR"}
    assert codes["icimod"] == {"AFG", "BGD", "BTN", "CHN", "IND", "MMR", "NPL", "PAK"}
    assert codes["andean-initiative"] == {"ARG", "BOL", "CHL", "COL", "ECU", "PER", "VEN"}


def test_regional_facts_never_invent_numbers():
    f = _from_source(m.regional_facts, "regional_mountain_bodies_facts.csv")
    assert list(f.columns) == ["body_id", "field", "value", "value_num", "note", "source"]
    f["value_num"] = pd.to_numeric(f["value_num"].replace("", None))
    worded = f[f["value"].str.contains(r"[A-Za-z]", regex=True)]
    assert worded["value_num"].isna().all()
    assert set(f.loc[(f["body_id"] == "alpine-convention") & (f["field"] == "area_km2"), "value_num"]) == {190959, 190717, 190600}
    hkh = f[(f["body_id"] == "icimod") & (f["field"] == "area_km2")]
    assert sorted(hkh["value"]) == ["3441719", "more than 4 million / over 4.2 million"]
    assert m.plain_number("more than 4 million") == "" and m.plain_number("about 210000") == ""
    assert m.plain_number("190,959") == "190959" and m.plain_number("5867") == "5867"


def test_partnership_governments_all_matched(members):
    assert list(members.columns) == ["name", "iso3", "category", "as_of", "certainty", "source"]
    assert set(members["category"]) <= set(m.CATEGORIES)
    gov = members[members["category"] == "government"]
    assert (gov["iso3"].str.fullmatch(r"[A-Z]{3}")).all() and gov["iso3"].is_unique
    assert (members.loc[members["category"] != "government", "iso3"] == "").all()
    by = dict(zip(gov["name"], gov["iso3"]))
    assert by["Democratic Republic of Congo"] == "COD" and by["Iran"] == "IRN" and by["Türkiye"] == "TUR"
    assert by["Bolivia"] == "BOL" and by["Republic of Korea"] == "KOR"  # fuzzy search alone gives PRK
    assert by["Italy"] == "ITA" and by["Kyrgyzstan"] == "KGZ"
    src = pd.read_csv(S / "mountain_partnership_members_partial.csv", dtype=str, keep_default_na=False)
    assert len(members) == len(src)


def test_partnership_never_marks_a_non_member(members, meta):
    for col in members.columns:
        assert not members[col].str.contains("non-member|not a member", case=False).any(), col
    assert "not listed in our sources" in meta["absent_means_en"]
    assert "并不表示它不是" in meta["absent_means_zh"]
    assert meta["absent_means_en"] in meta["statement_en"] and meta["absent_means_zh"] in meta["statement_zh"]


def test_unmatched_government_fails_naming_it():
    src = pd.DataFrame({"member": ["Atlantis", "Nepal", "Freedonia"], "category": ["government"] * 3, "as_of": ["x"] * 3,
                        "certainty": ["listed"] * 3, "source": ["y"] * 3})
    with pytest.raises(BuildError, match="Atlantis.*Freedonia"):
        m.partnership_members(src)


def test_organizations_need_no_code_and_categories_normalise():
    src = pd.DataFrame({"member": ["FAO"], "category": ["intergovernmental organization (host of Secretariat)"], "as_of": ["x"],
                        "certainty": ["host"], "source": ["y"]})
    out = m.partnership_members(src)
    assert out.iloc[0]["category"] == "intergovernmental organization" and out.iloc[0]["iso3"] == ""
    with pytest.raises(BuildError, match="club"):
        m.normalise_category("club")


def test_counts_timeline(counts):
    assert list(counts.columns) == ["year", "as_of", "governments", "intergovernmental_orgs", "major_group_orgs",
                                    "subnational_authorities", "note", "source"]
    undated = counts[counts["year"].isna()]
    assert len(undated) == 2 and undated["as_of"].str.startswith("undated").all()
    dated = counts.dropna(subset=["year"])
    assert list(dated["year"]) == sorted(dated["year"])
    r2007 = counts[counts["year"] == 2007].iloc[0]
    assert (r2007["governments"], r2007["intergovernmental_orgs"], r2007["major_group_orgs"]) == (48, 15, 83)
    gov = dated.dropna(subset=["governments"])
    assert gov["governments"].is_monotonic_increasing
    assert pd.isna(counts[counts["year"] == 2002].iloc[0]["governments"])  # "more than 30 ... (combined)" is no number
    assert m.year_of("undated (~2016-2019?)") is None and m.year_of("2011 (A/RES/66/205)") == 2011


def test_completeness_meta(members, meta):
    gov = members[members["category"] == "government"]
    assert meta["governments_listed"] == len(gov) == 54
    assert meta["governments_listed_certain"] == len(gov) - gov["certainty"].str.upper().str.contains("UNSURE").sum() == 53
    assert meta["uncertain_names"] == ["Papua New Guinea"]
    assert meta["governments_total"] == 68 and "wikipedia" in meta["total_source"].lower()
    assert meta["as_of"] == m.TOTAL_AS_OF
    assert (meta["latest_dated_total"], meta["latest_dated_as_of"]) == (63, "2022")
    assert meta["statement_en"].startswith("54 of 68 member governments listed")
    assert meta["statement_zh"].startswith("列出68个成员国政府中的54个")


def test_completeness_refuses_a_total_below_a_dated_count(members, counts):
    bad = counts.copy()
    bad.loc[bad["as_of"] == m.TOTAL_AS_OF, "governments"] = 50
    with pytest.raises(BuildError, match="not the most recent"):
        m.completeness(members, bad)


def test_committed_tables_are_what_the_build_makes_of_the_sources(regional, members, counts, meta):
    """The app reads the committed files through geo.data; they are the build's frames, written."""
    facts = _from_source(m.regional_facts, "regional_mountain_bodies_facts.csv")
    for rel, frame in (("tables/regional_members.csv", regional), ("tables/regional_facts.csv", facts),
                       ("tables/partnership_members.csv", members), ("tables/partnership_counts.csv", counts)):
        assert data.file(rel).read_text(encoding="utf-8") == m._csv_text(frame), rel
    assert data.json_file("tables/partnership_meta.json") == meta
