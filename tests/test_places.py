"""Places the resolution names: in their countries, named in the text, coordinates from GeoNames."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
import shapely

from geo import paths, places, raw
from geo.errors import BuildError

D = paths.ROOT / "data"
TEXT = (paths.SOURCES_DIR / "resolution/A_RES_62_196_zh.txt").read_text(encoding="utf-8")

EXPECT = {"rio-1992": "BRA", "johannesburg-2002": "ZAF", "bishkek-2002": "KGZ", "merano-2003": "ITA", "cusco-2004": "PER",
          "tucuman-2007": "ARG", "rome-2007": "ITA", "bishkek-2009": "KGZ"}


@pytest.fixture(scope="module")
def pts():
    return gpd.read_file(D / "vector/places.geojson")


@pytest.fixture(scope="module")
def world():
    return gpd.read_file(D / "vector/countries.geojson").set_index("iso3")


@pytest.fixture(scope="module")
def cities():
    return json.loads(raw.member_path("cities15000.json").read_text(encoding="utf-8"))  # fetched if not cached


def test_columns_and_ids(pts):
    assert list(pts.columns) == places.COLUMNS + ["geometry"]
    assert set(pts["id"]) == set(EXPECT) and pts["id"].is_unique
    assert (pts.geometry.geom_type == "Point").all()
    assert pts.crs.to_epsg() == 4326


def test_places_lie_in_their_countries(pts, world):
    p = pts.set_index("id")
    for pid, iso in EXPECT.items():
        pt = p.loc[pid, "geometry"]
        assert world.loc[iso, "geometry"].buffer(0.02).contains(pt), pid
        others = [i for i, g in world.geometry.items() if i != iso and g.contains(pt)]
        assert not others, (pid, others)


def test_dates_and_paragraphs(pts):
    p = pts.set_index("id")
    assert p.loc["bishkek-2002", "date"] == "2002-10-28/2002-11-01"
    assert p.loc["rio-1992", "date"] == "1992-06-03/1992-06-14"
    assert p.loc["johannesburg-2002", "date"] == "2002-08-26/2002-09-04"
    assert p.loc["rome-2007", "date"] == "2007-10-01/2007-10-03"
    assert p.loc["merano-2003", "date"] == "2003-10" and p.loc["cusco-2004", "date"] == "2004-10"
    assert p.loc["tucuman-2007", "date"] == "2007-09" and p.loc["bishkek-2009", "date"] == "2009-10"
    assert p.loc["bishkek-2009", "paragraphs"] == "OP38"
    assert p.loc["merano-2003", "paragraphs"] == "PP6" and p.loc["rome-2007", "paragraphs"].startswith("PP7")
    for paras in p["paragraphs"]:
        for pid in paras.split(";"):
            assert re.fullmatch(r"PP[1-7]|OP([1-9]|[12]\d|3[0-9])|FN\d+", pid), pid


def _preamble(text: str) -> list[str]:
    """Preamble paragraphs of the Chinese text: indented lines between "大会，" and "1."."""
    body = text.split("大会，", 1)[1].split("\n 1. ", 1)[0]
    body = re.sub(r"\n {20,}\n.*?(?=\n  )", "\n", body, flags=re.S)  # drop footnote blocks
    paras = re.split(r"\n {1,2}(?=\S)", body)
    return ["".join(p.split()) for p in paras if "".join(p.split()) and not re.fullmatch(r"\d+", "".join(p.split()))]


def test_preamble_numbering_of_the_named_places():
    pp = _preamble(TEXT)
    assert len(pp) == 7
    assert "53/24" in pp[0]
    assert "约翰内斯堡执行计划" in pp[2]
    assert "比什凯克" in pp[3] and "2002年10月28日" in pp[3]
    assert "可持续发展问题世界首脑会议" in pp[4]
    assert all(k in pp[5] for k in ("梅拉诺", "库斯科", "图库曼圣米格尔"))
    assert "罗马" in pp[6] and "阿德尔博登" in pp[6]


def test_every_place_name_occurs_in_the_text(pts):
    flat = "".join(TEXT.split())
    for zh in pts["name_zh"]:
        assert zh in flat, zh


def test_coordinates_are_geonames(pts, cities):
    for p in places.PLACES:
        c = cities[str(p.geonameid)]
        row = pts.set_index("id").loc[p.id]
        assert row.geometry.x == pytest.approx(c["longitude"], abs=1e-5) and row.geometry.y == pytest.approx(c["latitude"], abs=1e-5)
        assert f"GeoNames {p.geonameid}" in row["source"] and "A/RES/62/196" in row["source"]


def test_a_place_missing_from_the_text_or_geonames_fails(cities):
    ok = places.PLACES[0]
    from dataclasses import replace

    with pytest.raises(BuildError, match="纽约"):
        places.places_frame(cities, TEXT, [replace(ok, name_zh="纽约")])
    with pytest.raises(BuildError, match="expected 'Rome'"):
        places.places_frame(cities, TEXT, [replace(ok, name_en="Rome")])
    with pytest.raises(BuildError, match="no stated coordinate source"):
        places.places_frame(cities, TEXT, [replace(ok, geonameid=None)])
    stated = places.places_frame(cities, TEXT, [replace(ok, geonameid=None, coord_source="test survey", lon=-43.2, lat=-22.9)])
    assert stated.iloc[0]["source"].endswith("coordinates: test survey")
    assert stated.iloc[0].geometry.equals(shapely.Point(-43.2, -22.9))
