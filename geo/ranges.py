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

from geo import catalog


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


def _range(v) -> Range:
    env = Polygon(v.envelope)
    if not env.is_valid:  # a typo in a vertex must not reach the data
        raise ValueError(f"envelope of {v.id} is not a valid polygon: {shapely.is_valid_reason(env)}")
    return Range(v.id, v.title_en, v.title_zh, v.body_id, v.bbox, env, v.envelope_note)


#: The ranges of the catalogue's range views (ids, names, bounds, bodies and envelopes are the catalogue's).
RANGES: dict[str, Range] = {vid: _range(catalog.view(vid)) for vid in catalog.RANGE_VIEWS}


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
    from geo.build import cite
    from geo.terrain import DEFINITION_SOURCE, combined_class_areas, combined_shares_from, globe_source

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
        body = catalog.BODIES[r.body_id]
        reg_rows.append({"id": r.body_id, "name_en": body.name_en, "name_zh": body.name_zh, "approximate": True, "note": APPROX_NOTE,
                         "area_km2": round(rst["mountain_km2"], 1),
                         "grid_30s_pct": _pct(rst["area_30s_km2"], terr), "geometry": polygonal(shapely.make_valid(mpoly.intersection(terr)))})
        computed[r.body_id] = rst["mountain_km2"]
        names[r.body_id] = body.name_en

    env_src = {"name": "Range envelopes drawn by Mountain Atlas (vertices and sources in geo/catalog.py)", "licence": "CC BY 4.0",
               "url": "docs/mountain-definition.md"}
    # the ranges are mountain classes (the Kapos definition) inside the envelopes
    srcs = [ctx.raw_source("Altitude.h5"), globe_source(ctx), ctx.raw_source("countries-10m.json"), DEFINITION_SOURCE, env_src]
    ours = {"cite": cite("atlas")}  # computed (or drawn) by this project
    mem_src = {"name": "Regional member lists (tables/regional_members.csv)", "licence": "facts with per-row sources",
               "url": "data/sources/memberships/README.md"}
    write_geojson(gpd.GeoDataFrame(rng_rows, crs="EPSG:4326"), ctx.out("vector/ranges.geojson"))
    ctx.record("vector/ranges.geojson", "The four featured ranges: mountain classes inside each documented envelope, with areas per class 1-7 "
               "(km², WGS84 ellipsoid, exact cell coverage; 30\" GLOBE classes inside 0-50N, 0-90E, the sub-grid model elsewhere: "
               "grid_30s_pct is the share of the envelope on the 30\" grid; envelope_km2 its land area). The outline is the 5' cells "
               "at least half mountain", srcs, **ours)
    write_geojson(gpd.GeoDataFrame(env_rows, crs="EPSG:4326"), ctx.out("vector/range_envelopes.geojson"))
    ctx.record("vector/range_envelopes.geojson", "Hand-drawn envelopes of the four ranges (how and from what: envelope_note)", [env_src], **ours)
    write_geojson(gpd.GeoDataFrame(reg_rows, crs="EPSG:4326"), ctx.out("vector/regions.geojson"))
    ctx.record("vector/regions.geojson", "Approximate areas of application: each range's mountain area within its body's member states "
               "(approximate, not legal perimeters)", [*srcs, mem_src], **ours)
    ctx.out("stats/regions.csv").write_text(_csv(regions_table(facts, computed, names)), encoding="utf-8")
    ctx.record("stats/regions.csv", "Computed approximate area of application beside every published area figure, one row per published figure "
               "(published text kept as published)", [*srcs, mem_src,
               ctx.local_source("memberships/regional_mountain_bodies_facts.csv", "Published area figures of the regional bodies",
                                "facts with per-row sources", "data/sources/memberships/README.md")], **ours)


__all__ = ["Range", "RANGES", "range_of", "member_iso3", "mountain_polygon_in", "regions_table", "build"]
