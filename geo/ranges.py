"""The four featured ranges and the approximate areas of their regional arrangements.

A range is *the mountain classes inside an envelope*. Each envelope is a hand-drawn polygon,
given below vertex by vertex (lon, lat in degrees, WGS84), drawn by Mountain Atlas around the
range as its regional arrangement describes it (``envelope_note`` says from what) and checked
against the class raster so that it holds the range's mountain cells and its best-known peak
(tests check Mont Blanc, Gerlachovský štít, Everest and Aconcagua). Envelopes are
approximations made for this atlas, not legal perimeters: lowland inside an envelope does not
count, because only mountain cells (classes 1-6) do.

The approximate area of application of each arrangement is the range's mountain area within
its member states' territory (``tables/regional_members.csv``). Published figures of the
arrangements are listed beside it in ``stats/regions.csv``, one row per published figure,
never merged or averaged.

No Streamlit here; the app calls :func:`range_of`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon


@dataclass(frozen=True)
class Range:
    """A featured mountain range.

    Attributes
    ----------
    id : str
        Range and view id (``alps``, ``carpathians``, ``hindu-kush-himalaya``, ``andes``).
    name_en, name_zh : str
        Names.
    body_id : str
        The regional arrangement (``alpine-convention``, ``carpathian-convention``, ``icimod``, ``andean-initiative``).
    bbox : tuple of float
        ``(minx, miny, maxx, maxy)``: the map view's extent in degrees.
    envelope : shapely.geometry.Polygon
        The hand-drawn envelope (vertices listed in this module).
    envelope_note : str
        How the envelope was drawn and from what sources.
    """

    id: str
    name_en: str
    name_zh: str
    body_id: str
    bbox: tuple[float, float, float, float]
    envelope: Polygon = field(repr=False)
    envelope_note: str


def _range(id, name_en, name_zh, body_id, bbox, vertices, note) -> Range:
    env = Polygon(vertices)
    if not env.is_valid:  # a typo in a vertex must not reach the data
        raise ValueError(f"envelope of {id} is not a valid polygon: {shapely.is_valid_reason(env)}")
    return Range(id, name_en, name_zh, body_id, bbox, env, note)


RANGES: dict[str, Range] = {
    r.id: r
    for r in [
        _range(
            "alps", "The Alps", "阿尔卑斯山脉", "alpine-convention", (4.0, 43.0, 17.5, 49.0),
            ((5.0, 43.6), (7.6, 43.7), (8.6, 44.2), (9.3, 45.2), (10.5, 45.5), (12.0, 45.7), (13.8, 45.7), (14.6, 45.8),
             (16.2, 46.3), (16.6, 47.4), (16.3, 48.3), (13.0, 48.1), (10.0, 47.9), (7.5, 47.8), (6.6, 46.9), (5.6, 46.1), (5.0, 45.0)),
            "Hand-drawn by Mountain Atlas around the Alpine arc, from the Ligurian coast (Nice, Monaco) to the Vienna Woods "
            "and Maribor, following the area the Alpine Convention defines in the map annexed to its Framework Convention "
            "(about 190,000 km², about 1,200 km long and up to 300 km wide, in eight states: alpconv.org 'The Alps'; the "
            "Convention's perimeter dataset, atlas.alpconv.org, doi:10.48784/VK93-8P54). Vertices in geo/ranges.py.",
        ),
        _range(
            "carpathians", "The Carpathians", "喀尔巴阡山脉", "carpathian-convention", (16.5, 43.5, 27.5, 50.5),
            ((17.0, 48.1), (17.3, 48.9), (17.8, 49.6), (18.6, 49.8), (19.0, 49.9), (21.0, 49.9), (22.8, 49.6), (24.2, 48.9),
             (25.6, 48.1), (26.8, 46.7), (26.9, 45.3), (25.0, 45.0), (23.2, 44.9), (22.8, 44.2), (22.6, 43.5), (21.6, 43.6),
             (21.2, 44.8), (21.8, 45.6), (22.6, 46.5), (22.4, 47.7), (21.0, 48.4), (19.2, 48.1), (17.8, 47.9)),
            "Hand-drawn by Mountain Atlas around the Carpathian arc: from the Little Carpathians at Bratislava and the "
            "Moravian-Silesian Beskids through the Tatras and the Ukrainian and Romanian Carpathians to the Apuseni, the "
            "Iron Gates and the eastern Serbian Carpathians, the area shared by the seven Parties of the Carpathian Convention "
            "(about 210,000 km² as stated by UNEP for the Convention's 20th anniversary). Each Party defines the Convention's "
            "area on its own territory; no single legal perimeter is used here. Vertices in geo/ranges.py.",
        ),
        _range(
            "hindu-kush-himalaya", "The Hindu Kush-Himalaya", "兴都库什-喜马拉雅", "icimod", (60.0, 15.0, 106.0, 40.5),
            ((61.0, 29.0), (60.5, 34.5), (66.0, 37.6), (71.5, 39.6), (75.0, 39.8), (80.0, 36.6), (90.0, 37.8), (98.0, 36.8),
             (103.8, 33.2), (103.2, 27.5), (99.2, 22.0), (97.2, 19.5), (94.3, 19.6), (92.2, 20.8), (91.6, 22.4), (91.9, 24.1),
             (89.0, 26.4), (84.0, 26.9), (80.0, 28.6), (77.0, 30.4), (74.0, 31.8), (70.5, 29.8), (67.0, 27.8), (64.0, 27.4)),
            "Hand-drawn by Mountain Atlas around the region ICIMOD calls the Hindu Kush Himalaya: about 3,500 km from the Hindu "
            "Kush in Afghanistan across the Karakoram, the Himalaya and the Tibetan Plateau to the Hengduan mountains, northern "
            "Myanmar and the Chittagong Hill Tracts, in ICIMOD's eight regional member countries (icimod.org 'The Hindu Kush "
            "Himalaya'; Molden et al. 2017, Mountain Research and Development 37(4)). The northern edge follows the Kunlun "
            "margin; the larger HI-MAP delineation ('more than 4 million km²') reaches further. Vertices in geo/ranges.py.",
        ),
        _range(
            "andes", "The Andes", "安第斯山脉", "andean-initiative", (-82.5, -56.5, -60.0, 12.5),
            ((-81.0, -5.0), (-79.5, 1.5), (-78.3, 6.0), (-75.8, 11.2), (-71.5, 11.9), (-67.0, 10.8), (-66.4, 9.5), (-70.5, 7.0),
             (-73.0, 3.0), (-75.0, -1.0), (-76.0, -7.0), (-72.5, -13.0), (-66.5, -15.5), (-64.0, -20.0), (-63.8, -27.0),
             (-66.3, -33.0), (-68.5, -38.0), (-70.0, -44.0), (-70.5, -50.0), (-68.3, -55.0), (-72.0, -55.8), (-76.0, -49.0),
             (-75.0, -40.0), (-72.5, -32.0), (-71.4, -25.0), (-70.6, -18.5), (-76.5, -14.0), (-80.2, -8.0)),
            "Hand-drawn by Mountain Atlas along the Andes, from the Venezuelan (Mérida, Coastal range) and Colombian "
            "cordilleras to Tierra del Fuego, with the Altiplano and the Sierras Pampeanas, in the seven countries of the "
            "Andean Initiative of the Mountain Partnership (CONDESAN's regional report for Rio+20 gives 'more than "
            "2,500,000 km²'). Vertices in geo/ranges.py.",
        ),
    ]
}


def range_of(view_id: str) -> Range | None:
    """The range shown by a view, or None for views without one (``world``, ``partnership``)."""
    return RANGES.get(view_id)


def member_iso3(members: pd.DataFrame, body_id: str) -> list[str]:
    """ISO codes of a body's member states (organisations such as the EU have no code and are left out).

    Parameters
    ----------
    members : pandas.DataFrame
        ``tables/regional_members.csv`` (``body_id, iso3, ...``).
    body_id : str
        The body.

    Raises
    ------
    ValueError
        If the body has no member with a code.
    """
    iso = sorted(set(members.loc[members["body_id"] == body_id, "iso3"].fillna("")) - {""})
    if not iso:
        raise ValueError(f"no member state with an ISO code for {body_id!r} in the member table")
    return iso


def mountain_polygon_in(cls: np.ndarray, region, simplify_deg: float = 0.05):
    """Mountain cells (classes 1-6) of the global class raster inside ``region``, as one (multi)polygon.

    Parameters
    ----------
    cls : numpy.ndarray
        Global 5' class raster (row 0 at 90°N, column 0 at 180°W).
    region : shapely geometry
        The envelope (or envelope within member territory).
    simplify_deg : float
        Topology-preserving simplification tolerance before the cut (about 0.6 cell).
    """
    import rasterio.features
    import rasterio.windows
    from rasterio.transform import from_origin

    from geo.countries import polygonal
    from geo.terrain import CELL_DEG

    transform = from_origin(-180.0, 90.0, CELL_DEG, CELL_DEG)
    win = rasterio.windows.from_bounds(*region.bounds, transform=transform).round_offsets().round_lengths()
    r0, c0 = max(int(win.row_off) - 1, 0), max(int(win.col_off) - 1, 0)
    sub = cls[r0: r0 + int(win.height) + 3, c0: c0 + int(win.width) + 3]
    wt = rasterio.windows.transform(rasterio.windows.Window(c0, r0, sub.shape[1], sub.shape[0]), transform)
    mask = (sub >= 1) & (sub <= 6)
    parts = [shapely.geometry.shape(g) for g, _ in rasterio.features.shapes(mask.astype(np.uint8), mask=mask, transform=wt, connectivity=4)]
    cells = shapely.simplify(shapely.MultiPolygon(parts), simplify_deg, preserve_topology=True)
    geom = shapely.make_valid(cells).intersection(region)
    return polygonal(shapely.make_valid(shapely.set_precision(geom, 0.001)))


def _csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def regions_table(facts: pd.DataFrame, computed: dict[str, float], names: dict[str, str]) -> pd.DataFrame:
    """``stats/regions.csv``: the computed approximate area beside every published area figure.

    Parameters
    ----------
    facts : pandas.DataFrame
        ``tables/regional_facts.csv`` (``body_id, field, value, note, source``); rows with
        ``field == "area_km2"`` are published areas, kept as published text ("more than 4 million").
    computed : dict
        body id -> computed approximate area (km²).
    names : dict
        body id -> English name.

    Returns
    -------
    pandas.DataFrame
        ``id, kind, name, area_km2, published_area_km2, published_source``: one row per published
        figure (``kind`` = ``computed (approximate) vs published``), or one ``computed (approximate)``
        row for a body without a published figure.
    """
    rows = []
    for body_id, area in computed.items():
        published = facts[(facts["body_id"] == body_id) & (facts["field"] == "area_km2")]
        if published.empty:
            rows.append({"id": body_id, "kind": "computed (approximate)", "name": names[body_id], "area_km2": round(area, 1),
                         "published_area_km2": "", "published_source": "no published figure in our sources"})
        for _, f in published.iterrows():
            src = f"{f['source']} ({f['note']})" if str(f.get("note", "")).strip() else f["source"]
            rows.append({"id": body_id, "kind": "computed (approximate) vs published", "name": names[body_id],
                         "area_km2": round(area, 1), "published_area_km2": f["value"], "published_source": src})
    return pd.DataFrame(rows, columns=["id", "kind", "name", "area_km2", "published_area_km2", "published_source"])


APPROX_NOTE = ("Approximate: the mountain area (classes 1-7; 30\" GLOBE grid inside 0-50N, 0-90E, the calibrated 5' sub-grid "
               "model elsewhere) of the range envelope within member states' territory, computed by Mountain Atlas; not the legal "
               "area of application.")


def _pct(part_km2: float, geom) -> float:
    """``part_km2`` as a percentage of ``geom``'s ellipsoidal area (capped at 100)."""
    from pyproj import Geod

    total = abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0]) / 1e6
    return round(min(100.0, 100 * part_km2 / total), 1) if total > 0 else 0.0


def build(ctx) -> None:
    """Step ``ranges``: ``vector/ranges.geojson``, ``vector/range_envelopes.geojson``, ``vector/regions.geojson``, ``stats/regions.csv``."""
    import geopandas as gpd

    from geo.countries import polygonal, read_countries, write_geojson
    from geo.memberships import BODIES
    from geo.terrain import combined_class_areas, combined_shares_from, globe_source

    tile_cls, shares = combined_shares_from(ctx)
    # the outline: 5' cells at least half mountain (30" classes inside the tile, the model elsewhere)
    cls = np.where(shares[1:8].sum(axis=0) >= 0.5, 1, 0).astype(np.uint8)
    members = pd.read_csv(ctx.path("tables/regional_members.csv"), dtype=str, keep_default_na=False)
    facts = pd.read_csv(ctx.path("tables/regional_facts.csv"), dtype=str, keep_default_na=False)
    countries = read_countries(ctx.raw("countries-10m.json"))

    ranges = list(RANGES.values())
    range_stats = combined_class_areas([r.envelope for r in ranges], tile_cls, shares)
    territories = []
    for r in ranges:
        iso = member_iso3(members, r.body_id)
        missing = sorted(set(iso) - set(countries["iso3"]))
        if missing:
            from geo.errors import BuildError

            raise BuildError(f"members of {r.body_id} without a country polygon: {missing}")
        territory = shapely.union_all(countries.loc[countries["iso3"].isin(iso), "geometry"].values)
        territories.append(polygonal(shapely.make_valid(r.envelope.intersection(territory))))
    region_stats = combined_class_areas(territories, tile_cls, shares)

    rng_rows, env_rows, reg_rows = [], [], []
    computed, names = {}, {}
    for r, st, terr, rst in zip(ranges, range_stats, territories, region_stats):
        mpoly = mountain_polygon_in(cls, r.envelope)
        rng_rows.append({"id": r.id, "name_en": r.name_en, "name_zh": r.name_zh, "body_id": r.body_id, "envelope_note": r.envelope_note,
                         "mountain_km2": round(st["mountain_km2"], 1), **{f"class{k}_km2": round(st[f"class{k}_km2"], 1) for k in range(1, 8)},
                         "envelope_km2": round(st["data_km2"], 1), "grid_30s_pct": _pct(st["area_30s_km2"], r.envelope),
                         "geometry": mpoly})
        env_rows.append({"id": r.id, "envelope_note": r.envelope_note, "geometry": r.envelope})
        body = BODIES[r.body_id]
        reg_rows.append({"id": r.body_id, "name_en": body["name_en"], "name_zh": body["name_zh"], "approximate": True, "note": APPROX_NOTE,
                         "area_km2": round(rst["mountain_km2"], 1),
                         "grid_30s_pct": _pct(rst["area_30s_km2"], terr), "geometry": polygonal(shapely.make_valid(mpoly.intersection(terr)))})
        computed[r.body_id] = rst["mountain_km2"]
        names[r.body_id] = body["name_en"]

    srcs = [ctx.raw_source("Altitude.h5"), globe_source(ctx), ctx.raw_source("countries-10m.json"),
            {"name": "Range envelopes drawn by Mountain Atlas (vertices and sources in geo/ranges.py)", "licence": "CC BY 4.0",
             "url": "docs/mountain-definition.md"}]
    mem_src = {"name": "Regional member lists (tables/regional_members.csv)", "licence": "facts with per-row sources",
               "url": "data/sources/memberships/README.md"}
    write_geojson(gpd.GeoDataFrame(rng_rows, crs="EPSG:4326"), ctx.out("vector/ranges.geojson"))
    ctx.record("vector/ranges.geojson", "The four featured ranges: mountain classes inside each documented envelope, with areas per class 1-7 "
               "(km², WGS84 ellipsoid, exact cell coverage; 30\" GLOBE classes inside 0-50N, 0-90E, the sub-grid model elsewhere: "
               "grid_30s_pct is the share of the envelope on the 30\" grid; envelope_km2 its land area). The outline is the 5' cells "
               "at least half mountain", srcs)
    write_geojson(gpd.GeoDataFrame(env_rows, crs="EPSG:4326"), ctx.out("vector/range_envelopes.geojson"))
    ctx.record("vector/range_envelopes.geojson", "Hand-drawn envelopes of the four ranges (how and from what: envelope_note)", srcs[3:])
    write_geojson(gpd.GeoDataFrame(reg_rows, crs="EPSG:4326"), ctx.out("vector/regions.geojson"))
    ctx.record("vector/regions.geojson", "Approximate areas of application: each range's mountain area within its body's member states "
               "(approximate, not legal perimeters)", [*srcs, mem_src])
    ctx.out("stats/regions.csv").write_text(_csv(regions_table(facts, computed, names)), encoding="utf-8")
    ctx.record("stats/regions.csv", "Computed approximate area of application beside every published area figure, one row per published figure "
               "(published text kept as published)", [*srcs, mem_src,
               ctx.local_source("memberships/regional_mountain_bodies_facts.csv", "Published area figures of the regional bodies",
                                "facts with per-row sources", "data/sources/memberships/README.md")])


__all__ = ["Range", "RANGES", "range_of", "member_iso3", "mountain_polygon_in", "regions_table", "build"]
