"""The four featured ranges and the approximate areas of their regional arrangements.

A range is *the mountain classes inside an envelope*. Each envelope is a hand-drawn polygon,
given below vertex by vertex, drawn around the range as its regional arrangement describes it
(see ``envelope_note``) and checked against the class raster so that it holds the range's
mountain cells and its best-known peaks (tests check Mont Blanc, Gerlachovský štít, Everest
and Aconcagua). Envelopes are approximations made for this atlas, not legal perimeters.

The approximate area of application of each arrangement is the range's mountain area within
its member states' territory. Published figures from the arrangements are shown beside it,
one row per published figure, never merged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon


@dataclass(frozen=True)
class Range:
    id: str
    name_en: str
    name_zh: str
    body_id: str
    bbox: tuple[float, float, float, float]
    vertices: tuple[tuple[float, float], ...]
    envelope_note: str

    @property
    def envelope(self) -> Polygon:
        return Polygon(self.vertices)


RANGES: dict[str, Range] = {
    r.id: r
    for r in [
        Range(
            "alps", "The Alps", "阿尔卑斯山脉", "alpine-convention", (4.0, 43.0, 17.5, 49.0),
            ((5.0, 43.6), (7.6, 43.7), (8.6, 44.2), (9.3, 45.2), (10.5, 45.5), (12.0, 45.7), (13.8, 45.7), (14.6, 45.8),
             (16.2, 46.3), (16.6, 47.4), (16.3, 48.3), (13.0, 48.1), (10.0, 47.9), (7.5, 47.8), (6.6, 46.9), (5.6, 46.1), (5.0, 45.0)),
            "Hand-drawn around the Alpine arc from the Ligurian coast (Nice, Monaco) to the Vienna Woods and Maribor, "
            "following the extent the Alpine Convention describes for its area of application; checked against the class raster.",
        ),
        Range(
            "carpathians", "The Carpathians", "喀尔巴阡山脉", "carpathian-convention", (16.5, 43.5, 27.5, 50.5),
            ((17.0, 48.1), (17.6, 49.0), (19.0, 49.8), (21.0, 49.8), (22.8, 49.6), (24.2, 48.9), (25.6, 48.1), (26.8, 46.7),
             (26.9, 45.3), (25.0, 45.0), (23.2, 44.9), (22.8, 44.2), (22.6, 43.5), (21.6, 43.6), (21.2, 44.8), (21.8, 45.6),
             (22.6, 46.5), (22.4, 47.7), (21.0, 48.4), (19.2, 48.1), (17.8, 47.9)),
            "Hand-drawn around the Carpathian arc from Bratislava through the Tatras, the Ukrainian and Romanian Carpathians "
            "to the Iron Gates and eastern Serbia, the countries of the Carpathian Convention; checked against the class raster.",
        ),
        Range(
            "hindu-kush-himalaya", "The Hindu Kush-Himalaya", "兴都库什-喜马拉雅", "icimod", (60.0, 15.0, 106.0, 40.5),
            ((61.0, 29.0), (60.5, 34.5), (66.0, 37.6), (71.5, 39.6), (75.0, 39.8), (80.0, 36.6), (90.0, 37.8), (98.0, 36.8),
             (103.8, 33.2), (103.2, 27.5), (99.2, 22.0), (97.2, 19.5), (94.0, 20.5), (92.5, 24.5), (89.0, 26.4), (84.0, 26.9),
             (80.0, 28.6), (77.0, 30.4), (74.0, 31.8), (70.5, 29.8), (67.0, 27.8), (64.0, 27.4)),
            "Hand-drawn around the region ICIMOD calls the Hindu Kush-Himalaya, from the Hindu Kush in Afghanistan across the "
            "Karakoram, Himalaya and Tibetan Plateau to the Hengduan mountains and northern Myanmar; checked against the class raster.",
        ),
        Range(
            "andes", "The Andes", "安第斯山脉", "andean-initiative", (-82.5, -56.5, -60.0, 12.5),
            ((-81.0, -5.0), (-79.5, 1.5), (-78.3, 6.0), (-75.8, 11.2), (-71.5, 11.9), (-67.0, 10.8), (-66.4, 9.5), (-70.5, 7.0),
             (-73.0, 3.0), (-75.0, -1.0), (-76.0, -7.0), (-72.5, -13.0), (-66.5, -15.5), (-64.0, -20.0), (-63.8, -27.0),
             (-66.3, -33.0), (-68.5, -38.0), (-70.0, -44.0), (-70.5, -50.0), (-68.3, -55.0), (-72.0, -55.8), (-76.0, -49.0),
             (-75.0, -40.0), (-72.5, -32.0), (-71.4, -25.0), (-70.6, -18.5), (-76.5, -14.0), (-80.2, -8.0)),
            "Hand-drawn along the Andes from the Venezuelan and Colombian cordilleras to Tierra del Fuego, the seven countries "
            "of the Andean Initiative; checked against the class raster.",
        ),
    ]
}


def range_of(view_id: str) -> Range | None:
    return RANGES.get(view_id)


def _csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def mountain_polygon_in(cls: np.ndarray, envelope: Polygon, simplify_deg: float = 0.05):
    """Mountain cells (classes 1-6) inside ``envelope`` as one (multi)polygon."""
    import rasterio.features
    from rasterio.transform import from_origin
    from rasterio.windows import from_bounds

    from geo.countries import polygonal
    from geo.terrain import CELL_DEG

    transform = from_origin(-180.0, 90.0, CELL_DEG, CELL_DEG)
    win = from_bounds(*envelope.bounds, transform=transform).round_offsets().round_lengths()
    r0, c0 = int(win.row_off), int(win.col_off)
    sub = cls[r0: r0 + int(win.height) + 1, c0: c0 + int(win.width) + 1]
    wt = rasterio.windows.transform(rasterio.windows.Window(c0, r0, sub.shape[1], sub.shape[0]), transform)
    mask = (sub >= 1) & (sub <= 6)
    parts = [shapely.geometry.shape(g) for g, v in rasterio.features.shapes(mask.astype(np.uint8), mask=mask, transform=wt, connectivity=4)]
    geom = shapely.MultiPolygon(parts).intersection(envelope)
    geom = polygonal(shapely.make_valid(shapely.set_precision(shapely.simplify(geom, simplify_deg, preserve_topology=True), 0.001)))
    return geom


def build(ctx) -> None:
    import geopandas as gpd
    import rasterio

    from geo.countries import load_full, polygonal, write_geojson
    from geo.memberships import BODIES
    from geo.terrain import class_areas_in

    with rasterio.open(ctx.path("terrain/mountain_classes.tif")) as src:
        cls = src.read(1)
    members = pd.read_csv(ctx.path("tables/regional_members.csv"), dtype=str, keep_default_na=False)
    facts = pd.read_csv(ctx.path("tables/regional_facts.csv"), dtype=str, keep_default_na=False)
    countries = load_full(ctx)

    envelopes = [r.envelope for r in RANGES.values()]
    range_stats = class_areas_in(envelopes, cls)
    region_geoms = []
    for r in RANGES.values():
        iso = set(members.loc[members["body_id"] == r.body_id, "iso3"]) - {""}
        territory = shapely.union_all(countries.loc[countries["iso3"].isin(iso), "geometry"].values)
        region_geoms.append(polygonal(shapely.make_valid(r.envelope.intersection(territory))))
    region_stats = class_areas_in(region_geoms, cls)

    rng_rows, env_rows, reg_rows, csv_rows = [], [], [], []
    for r, st, rgeom, rst in zip(RANGES.values(), range_stats, region_geoms, region_stats):
        mpoly = mountain_polygon_in(cls, r.envelope)
        rng_rows.append({"id": r.id, "name_en": r.name_en, "name_zh": r.name_zh, "body_id": r.body_id, "envelope_note": r.envelope_note,
                         "mountain_km2": round(st["mountain_km2"], 1), **{f"class{k}_km2": round(st[f"class{k}_km2"], 1) for k in range(1, 7)},
                         "geometry": mpoly})
        env_rows.append({"id": r.id, "envelope_note": r.envelope_note, "geometry": r.envelope})
        body = BODIES[r.body_id]
        note = ("Approximate: mountain cells of the range envelope within member states' territory, computed by Mountain Atlas; "
                "not the legal area of application.")
        reg_poly = polygonal(shapely.make_valid(mpoly.intersection(rgeom)))
        reg_rows.append({"id": r.body_id, "name_en": body["name_en"], "name_zh": body["name_zh"], "approximate": True, "note": note,
                         "area_km2": round(rst["mountain_km2"], 1), "geometry": reg_poly})
        published = facts[(facts["body_id"] == r.body_id) & (facts["field"] == "area_km2")]
        computed = round(rst["mountain_km2"], 1)
        if published.empty:
            csv_rows.append({"id": r.body_id, "kind": "computed (approximate)", "name": body["name_en"], "area_km2": computed,
                             "published_area_km2": "", "published_source": "no published figure in our sources"})
        for _, f in published.iterrows():
            csv_rows.append({"id": r.body_id, "kind": "computed (approximate) vs published", "name": body["name_en"], "area_km2": computed,
                             "published_area_km2": f["value"], "published_source": f"{f['source']} ({f['note']})" if f["note"] else f["source"]})

    srcs = [ctx.raw_source("Altitude.h5"), ctx.raw_source("countries-10m.json"),
            {"name": "Range envelopes drawn by Mountain Atlas (geo/ranges.py)", "licence": "CC BY 4.0", "url": "docs/mountain-definition.md"}]
    write_geojson(gpd.GeoDataFrame(rng_rows, crs="EPSG:4326"), ctx.out("vector/ranges.geojson"))
    ctx.record("vector/ranges.geojson", "The four featured ranges: mountain classes inside each documented envelope, with areas per class (km², ellipsoid, exact coverage)", srcs)
    write_geojson(gpd.GeoDataFrame(env_rows, crs="EPSG:4326"), ctx.out("vector/range_envelopes.geojson"))
    ctx.record("vector/range_envelopes.geojson", "Hand-drawn envelopes of the four ranges (how each is drawn: envelope_note)", srcs[2:])
    write_geojson(gpd.GeoDataFrame(reg_rows, crs="EPSG:4326"), ctx.out("vector/regions.geojson"))
    mem_src = {"name": "Regional member lists (data/tables/regional_members.csv)", "licence": "facts with per-row sources", "url": "data/sources/memberships/README.md"}
    ctx.record("vector/regions.geojson", "Approximate areas of application: range mountain area within member territory (approximate, not legal perimeters)", [*srcs, mem_src])
    ctx.out("stats/regions.csv").write_text(_csv(pd.DataFrame(csv_rows)), encoding="utf-8")
    ctx.record("stats/regions.csv", "Computed approximate areas beside every published area figure, one row per published figure", [*srcs, mem_src,
               {"name": "Published area figures (data/tables/regional_facts.csv)", "licence": "facts with per-row sources", "url": "data/sources/memberships/README.md"}])
