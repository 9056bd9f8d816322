"""The one catalogue of layers and views.

Maps, snapshots, exports, data downloads and source lines all read this module. Adding an
indicator means adding a :class:`Layer` here and its data file (built by :mod:`geo.build`).

Which paragraphs of the resolution a layer or view illustrates is kept in one authored table,
``data/sources/resolution/links.csv`` (built to ``data/resolution/links.csv``); see
:func:`geo.data.paragraphs_for_view`.
"""

from __future__ import annotations

from dataclasses import dataclass

SDG_LICENCE = "UN SDG data: free to use with attribution; repository MIT"
DEM_LICENCE = "BSD-3-Clause (pvlib); elevation data attributions in pvlib"


@dataclass(frozen=True)
class Source:
    """A source a reader can reach: publisher, title, year and a public link, in two languages.

    The citations themselves are written by the build into ``data/manifest.json`` (``cite`` of a
    source record: :data:`geo.build.CITATIONS` as :func:`dataclasses.asdict` writes it) and read
    from there (:func:`geo.layers.cited`)."""

    publisher_en: str
    publisher_zh: str
    title_en: str
    title_zh: str
    year: str
    url: str

    @classmethod
    def from_record(cls, rec: dict) -> "Source":
        """A citation as the manifest keeps it (a missing field is empty; a missing Chinese publisher
        or title is the English one)."""
        f = {k: str(rec.get(k) or "") for k in ("publisher_en", "publisher_zh", "title_en", "title_zh", "year", "url")}
        return cls(f["publisher_en"], f["publisher_zh"] or f["publisher_en"], f["title_en"], f["title_zh"] or f["title_en"],
                   f["year"], f["url"])

    def publisher(self, lang: str) -> str:
        return self.publisher_zh if lang == "zh" else self.publisher_en

    def cite(self, lang: str) -> str:
        """``Publisher, title (year), URL`` in ``lang``; Chinese titles in 《》."""
        if lang == "zh":
            year = f"（{self.year}年）" if self.year else ""
            return f"{self.publisher_zh}《{self.title_zh}》{year}" + (f" {self.url}" if self.url else "")
        year = f" ({self.year})" if self.year else ""
        return f"{self.publisher_en}, {self.title_en}{year}" + (f", {self.url}" if self.url else "")


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
    licence: str
    files: tuple[str, ...]
    sdg_code: str | None = None
    indicator: str | None = None  # SDG indicator number, e.g. "15.4.2"
    body_id: str | None = None
    palette: str = "viridis"

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def licence_text(self, lang: str) -> str:
        """The licence in ``lang`` (the English text when no translation is kept)."""
        return LICENCE_ZH.get(self.licence, self.licence) if lang == "zh" else self.licence

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
        licence=SDG_LICENCE,
        files=(f"sdg/{code}.csv", "sdg/series.json", "vector/countries.geojson"),
        sdg_code=code,
        indicator=indicator,
        palette=palette,
    )


@dataclass(frozen=True)
class MountainClass:
    """A UNEP-WCMC / Kapos mountain class: its rule as computed (lower bounds inclusive), and the
    short label of legends, charts and tables."""

    number: int
    rule_en: str
    rule_zh: str
    label_en: str
    label_zh: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


#: Kapos et al. (2000) / UNEP-WCMC (2002) classes 1-6, and class 7 as resolved on the 30″ grid.
MOUNTAIN_CLASSES: dict[int, MountainClass] = {
    c.number: c
    for c in [
        MountainClass(1, "elevation ≥ 4500 m", "海拔 ≥ 4500 米", "≥4500 m", "≥4500 米"),
        MountainClass(2, "elevation 3500–4500 m", "海拔 3500–4500 米", "3500–4500 m", "3500–4500 米"),
        MountainClass(3, "elevation 2500–3500 m", "海拔 2500–3500 米", "2500–3500 m", "2500–3500 米"),
        MountainClass(4, "elevation 1500–2500 m and slope ≥ 2°", "海拔 1500–2500 米且坡度 ≥ 2°",
                      "1500–2500 m, slope ≥2°", "1500–2500 米，坡度 ≥2°"),
        MountainClass(5, "elevation 1000–1500 m and (slope ≥ 5° or local elevation range > 300 m)",
                      "海拔 1000–1500 米且（坡度 ≥ 5° 或局地高差 > 300 米）",
                      "1000–1500 m, slope ≥5° or relief >300 m", "1000–1500 米，坡度 ≥5° 或起伏 >300 米"),
        MountainClass(6, "elevation 300–1000 m and local elevation range > 300 m", "海拔 300–1000 米且局地高差 > 300 米",
                      "300–1000 m, relief >300 m", "300–1000 米，起伏 >300 米"),
        MountainClass(7, "isolated inner basin or plateau < 25 km² surrounded by mountains (30\" grid only)",
                      "四周为山地、面积 < 25 平方公里的孤立内陆盆地或高原（仅 30″ 格网）",
                      "inner basin <25 km² (30″ grid)", "内陆盆地 <25 平方公里（30″ 格网）"),
    ]
}


@dataclass(frozen=True)
class Body:
    """A regional arrangement the resolution names: short titles for maps and legends, full
    names for tables and data files, and the range it works in."""

    id: str
    title_en: str
    title_zh: str
    name_en: str
    name_zh: str
    range_id: str


BODIES: dict[str, Body] = {
    b.id: b
    for b in [
        Body("alpine-convention", "Alpine Convention", "阿尔卑斯公约", "Alpine Convention", "阿尔卑斯公约", "alps"),
        Body("carpathian-convention", "Carpathian Convention", "喀尔巴阡公约", "Carpathian Convention", "喀尔巴阡公约",
             "carpathians"),
        Body("icimod", "ICIMOD (Hindu Kush-Himalaya)", "国际山地综合开发中心（兴都库什-喜马拉雅）",
             "ICIMOD (International Centre for Integrated Mountain Development)", "国际山地综合开发中心", "hindu-kush-himalaya"),
        Body("andean-initiative", "Andean Initiative", "安第斯倡议", "Andean Initiative of the Mountain Partnership",
             "山区伙伴关系安第斯倡议", "andes"),
    ]
}
#: Short titles of each body, (English, Chinese).
BODY_TITLES = {k: (b.title_en, b.title_zh) for k, b in BODIES.items()}


def _region(body_id: str) -> Layer:
    en, zh = BODY_TITLES[body_id]
    return Layer(
        id=f"region_{body_id}",
        kind="vector",
        title_en=f"{en}: member states and approximate area",
        title_zh=f"{zh}：成员国与大致适用范围",
        unit_en="",
        unit_zh="",
        licence="CC BY 4.0 (Mountain Atlas derived data); member lists cite their own sources",
        files=("tables/regional_members.csv", "vector/regions.geojson", "vector/countries.geojson"),
        body_id=body_id,
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
            licence=DEM_LICENCE,
            files=("terrain/elevation.tif",),
        ),
        Layer(
            id="mountain_classes",
            kind="raster",
            title_en="Mountain classes (UNEP-WCMC / Kapos)",
            title_zh="山区等级（UNEP-WCMC / Kapos）",
            unit_en="class 1-6",
            unit_zh="等级 1-6",
            licence="CC BY 4.0 (Mountain Atlas derived data); DEM BSD-3-Clause",
            files=("terrain/mountain_classes.tif", "terrain/mountain_classes_30s.tif", "vector/mountain_classes.geojson"),
            palette="YlOrBr",
        ),
        Layer(
            id="range_extent",
            kind="vector",
            title_en="Range extent (mountain area in the range envelope)",
            title_zh="山脉范围（范围包络内的山区）",
            unit_en="",
            unit_zh="",
            licence="CC BY 4.0 (Mountain Atlas derived data)",
            files=("vector/ranges.geojson", "vector/range_envelopes.geojson"),
        ),
        Layer(
            id="mountain_share",
            kind="choropleth",
            title_en="Mountain share of land area",
            title_zh="山区占陆地面积比例",
            unit_en="% of land",
            unit_zh="占陆地面积 %",
            licence="CC BY 4.0 (Mountain Atlas derived data)",
            files=("stats/country_mountain_area.csv", "vector/countries.geojson"),
            palette="YlOrBr",
        ),
        *[_region(b) for b in BODY_TITLES],
        Layer(
            id="partnership_members",
            kind="categorical",
            title_en="Mountain Partnership members (partial list)",
            title_zh="山区伙伴关系成员（不完整名单）",
            unit_en="",
            unit_zh="",
            licence="Facts with per-row sources",
            files=("tables/partnership_members.csv", "tables/partnership_meta.json", "vector/countries.geojson"),
        ),
        Layer(
            id="places",
            kind="points",
            title_en="Places the resolution names",
            title_zh="决议提及的地点",
            unit_en="",
            unit_zh="",
            licence="CC BY 4.0 (GeoNames)",
            files=("vector/places.geojson",),
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
    #: What a browser may fetch for this view's map with every layer on (artefacts and Leaflet);
    #: tests/test_artefacts.py holds every view to it.
    max_bytes: int = 600_000
    #: Range views: the hand-drawn envelope (lon, lat vertices, WGS84) in which the mountain
    #: classes count as the range (see :mod:`geo.ranges`), and what it was drawn from.
    envelope: tuple[tuple[float, float], ...] = ()
    envelope_note: str = ""

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
        out = list(dict.fromkeys([*self.default_layers, *base]))
        return tuple(x for x in out if LAYERS[x].kind != "choropleth")


def _range_view(vid: str, en: str, zh: str, body: str, bbox, envelope, note: str) -> View:
    return View(
        id=vid,
        title_en=en,
        title_zh=zh,
        bbox=bbox,
        default_layers=("hillshade", "mountain_classes", "range_extent", f"region_{body}", "places"),
        default_indicator=None,
        range_id=vid,
        body_id=body,
        envelope=envelope,
        envelope_note=note,
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
        _range_view("alps", "The Alps", "阿尔卑斯山脉", "alpine-convention", (4.0, 43.0, 17.5, 49.0),
                    ((5.0, 43.6), (7.6, 43.7), (8.6, 44.2), (9.3, 45.2), (10.5, 45.5), (12.0, 45.7), (13.8, 45.7), (14.6, 45.8),
                     (16.2, 46.3), (16.6, 47.4), (16.3, 48.3), (13.0, 48.1), (10.0, 47.9), (7.5, 47.8), (6.6, 46.9), (5.6, 46.1), (5.0, 45.0)),
                    "Hand-drawn by Mountain Atlas around the Alpine arc, from the Ligurian coast (Nice, Monaco) to the Vienna Woods "
                    "and Maribor, following the area the Alpine Convention defines in the map annexed to its Framework Convention "
                    "(about 190,000 km², about 1,200 km long and up to 300 km wide, in eight states: alpconv.org 'The Alps'; the "
                    "Convention's perimeter dataset, atlas.alpconv.org, doi:10.48784/VK93-8P54). Vertices in geo/catalog.py."),
        _range_view("carpathians", "The Carpathians", "喀尔巴阡山脉", "carpathian-convention", (16.5, 43.5, 27.5, 50.5),
                    ((17.0, 48.1), (17.3, 48.9), (17.8, 49.6), (18.6, 49.8), (19.0, 49.9), (21.0, 49.9), (22.8, 49.6), (24.2, 48.9),
                     (25.6, 48.1), (26.8, 46.7), (26.9, 45.3), (25.0, 45.0), (23.2, 44.9), (22.8, 44.2), (22.6, 43.5), (21.6, 43.6),
                     (21.2, 44.8), (21.8, 45.6), (22.6, 46.5), (22.4, 47.7), (21.0, 48.4), (19.2, 48.1), (17.8, 47.9)),
                    "Hand-drawn by Mountain Atlas around the Carpathian arc: from the Little Carpathians at Bratislava and the "
                    "Moravian-Silesian Beskids through the Tatras and the Ukrainian and Romanian Carpathians to the Apuseni, the "
                    "Iron Gates and the eastern Serbian Carpathians, the area shared by the seven Parties of the Carpathian Convention "
                    "(about 210,000 km² as stated by UNEP for the Convention's 20th anniversary). Each Party defines the Convention's "
                    "area on its own territory; no single legal perimeter is used here. Vertices in geo/catalog.py."),
        _range_view("hindu-kush-himalaya", "The Hindu Kush-Himalaya", "兴都库什-喜马拉雅", "icimod", (60.0, 15.0, 106.0, 40.5),
                    ((61.0, 29.0), (60.5, 34.5), (66.0, 37.6), (71.5, 39.6), (75.0, 39.8), (80.0, 36.6), (90.0, 37.8), (98.0, 36.8),
                     (103.8, 33.2), (103.2, 27.5), (99.2, 22.0), (97.2, 19.5), (94.3, 19.6), (92.2, 20.8), (91.6, 22.4), (91.9, 24.1),
                     (89.0, 26.4), (84.0, 26.9), (80.0, 28.6), (77.0, 30.4), (74.0, 31.8), (70.5, 29.8), (67.0, 27.8), (64.0, 27.4)),
                    "Hand-drawn by Mountain Atlas around the region ICIMOD calls the Hindu Kush Himalaya: about 3,500 km from the Hindu "
                    "Kush in Afghanistan across the Karakoram, the Himalaya and the Tibetan Plateau to the Hengduan mountains, northern "
                    "Myanmar and the Chittagong Hill Tracts, in ICIMOD's eight regional member countries (icimod.org 'The Hindu Kush "
                    "Himalaya'; Molden et al. 2017, Mountain Research and Development 37(4)). The northern edge follows the Kunlun "
                    "margin; the larger HI-MAP delineation ('more than 4 million km²') reaches further. Vertices in geo/catalog.py."),
        _range_view("andes", "The Andes", "安第斯山脉", "andean-initiative", (-82.5, -56.5, -60.0, 12.5),
                    ((-81.0, -5.0), (-79.5, 1.5), (-78.3, 6.0), (-75.8, 11.2), (-71.5, 11.9), (-67.0, 10.8), (-66.4, 9.5), (-70.5, 7.0),
                     (-73.0, 3.0), (-75.0, -1.0), (-76.0, -7.0), (-72.5, -13.0), (-66.5, -15.5), (-64.0, -20.0), (-63.8, -27.0),
                     (-66.3, -33.0), (-68.5, -38.0), (-70.0, -44.0), (-70.5, -50.0), (-68.3, -55.0), (-72.0, -55.8), (-76.0, -49.0),
                     (-75.0, -40.0), (-72.5, -32.0), (-71.4, -25.0), (-70.6, -18.5), (-76.5, -14.0), (-80.2, -8.0)),
                    "Hand-drawn by Mountain Atlas along the Andes, from the Venezuelan (Mérida, Coastal range) and Colombian "
                    "cordilleras to Tierra del Fuego, with the Altiplano and the Sierras Pampeanas, in the seven countries of the "
                    "Andean Initiative of the Mountain Partnership (CONDESAN's regional report for Rio+20 gives 'more than "
                    "2,500,000 km²'). Vertices in geo/catalog.py."),
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

@dataclass(frozen=True)
class Page:
    """A page of the app: its URL path ("" is the overview at "/") and its thin page file
    (relative to ``app.py``; the folder is ``views/``, see the README)."""

    id: str
    path: str
    file: str


PAGES: dict[str, Page] = {
    p.id: p
    for p in [
        Page("world", "", "views/overview.py"),
        Page("alps", "alps", "views/alps.py"),
        Page("carpathians", "carpathians", "views/carpathians.py"),
        Page("hindu-kush-himalaya", "hindu-kush-himalaya", "views/hindu_kush_himalaya.py"),
        Page("andes", "andes", "views/andes.py"),
        Page("partnership", "partnership", "views/partnership.py"),
        Page("indicators", "indicators", "views/indicators.py"),
        Page("resolution", "resolution", "views/resolution.py"),
        Page("compare", "compare", "views/compare.py"),
    ]
}
#: URL path of each page.
PAGE_PATHS = {k: p.path for k, p in PAGES.items()}
RANGE_VIEWS = tuple(k for k, v in VIEWS.items() if v.range_id)
INDICATORS = tuple(k for k, v in LAYERS.items() if v.is_indicator)
#: Pages with a map that a paragraph of the resolution can open: every view, and the
#: indicators page (the world map with one indicator).
MAP_PAGES = (*VIEWS, "indicators")


def link_layers(page: str) -> frozenset[str]:
    """Layer ids a link to map page ``page`` may name: the view's layers and any indicator
    (the indicators page draws the world view)."""
    v = VIEWS["world" if page == "indicators" else page]
    return frozenset(v.allowed_layers) | frozenset(INDICATORS)


def layer(layer_id: str) -> Layer:
    return LAYERS[layer_id]


def view(view_id: str) -> View:
    return VIEWS[view_id]
