"""Countries: Natural Earth 1:10m admin-0 (npm ``world-atlas@2.0.2``) with ISO codes and names.

The TopoJSON's ``id`` is the ISO 3166-1 numeric code; pycountry gives alpha-3, the English
name and (through its bundled gettext catalogues) the Chinese name. Entities without an ISO
code get a user-assigned alpha-3 code from the X range (ISO 3166-1 reserves XAA-XZZ for user
assignment; ``XKX`` for Kosovo is the code the EU and others use), listed in
:data:`NON_ISO` with their Chinese names, and ``iso_status`` says so.

Natural Earth draws some polygons across the antimeridian (Russia's Chukotka, Fiji): in plain
longitude/latitude they would be drawn as bands across the whole map. :func:`split_antimeridian`
cuts them at ±180°.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

import geopandas as gpd

import pycountry
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon

from geo.errors import BuildError

#: Natural Earth name -> (user-assigned code, English name, Chinese name, note)
NON_ISO: dict[str, tuple[str, str, str, str]] = {
    "Kosovo": ("XKX", "Kosovo", "科索沃", "no ISO 3166 code; XKX as used by the European Commission"),
    "Somaliland": ("XSL", "Somaliland", "索马里兰", "no ISO 3166 code; user-assigned"),
    "N. Cyprus": ("XNC", "Northern Cyprus", "北塞浦路斯", "no ISO 3166 code; user-assigned"),
    "Cyprus U.N. Buffer Zone": ("XCB", "Cyprus U.N. Buffer Zone", "塞浦路斯联合国缓冲区", "no ISO 3166 code; user-assigned"),
    "Dhekelia": ("XDK", "Dhekelia", "泽凯利亚", "UK Sovereign Base Area; no ISO 3166 code; user-assigned"),
    "Akrotiri": ("XAK", "Akrotiri", "阿克罗蒂里", "UK Sovereign Base Area; no ISO 3166 code; user-assigned"),
    "USNB Guantanamo Bay": ("XGB", "US Naval Base Guantanamo Bay", "关塔那摩湾美国海军基地", "no ISO 3166 code; user-assigned"),
    "Siachen Glacier": ("XSG", "Siachen Glacier", "锡亚琴冰川", "disputed area; no ISO 3166 code; user-assigned"),
    "Baikonur": ("XBK", "Baikonur", "拜科努尔", "leased area; no ISO 3166 code; user-assigned"),
    "Indian Ocean Ter.": ("XIO", "Australian Indian Ocean Territories", "澳大利亚印度洋领地", "no single ISO 3166 code in this source; user-assigned"),
    "Coral Sea Is.": ("XCS", "Coral Sea Islands", "珊瑚海群岛", "no ISO 3166 code; user-assigned"),
    "Spratly Is.": ("XSP", "Spratly Islands", "南沙群岛", "disputed; no ISO 3166 code; user-assigned"),
    "Clipperton I.": ("XCL", "Clipperton Island", "克利珀顿岛", "no ISO 3166 code; user-assigned"),
    "Bajo Nuevo Bank": ("XBN", "Bajo Nuevo Bank", "新浅滩", "disputed; no ISO 3166 code; user-assigned"),
    "Serranilla Bank": ("XSB", "Serranilla Bank", "塞拉尼亚浅滩", "disputed; no ISO 3166 code; user-assigned"),
    "Scarborough Reef": ("XSR", "Scarborough Reef", "黄岩岛", "disputed; no ISO 3166 code; user-assigned"),
}

#: Display simplification tolerance in degrees (about 1 km); the app simplifies further per view.
DISPLAY_TOLERANCE = 0.01
#: Coordinates are rounded to this grid in the display file (about 10 m).
DISPLAY_GRID = 0.0001


@lru_cache(maxsize=1)
def _zh() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)


def iso_names(numeric: str) -> tuple[str, str, str]:
    """``(alpha_3, English common name, Chinese name)`` for an ISO 3166-1 numeric code."""
    c = pycountry.countries.get(numeric=numeric)
    if c is None:
        raise BuildError(f"ISO 3166-1 numeric code {numeric!r} is unknown to pycountry")
    en = getattr(c, "common_name", None) or c.name
    zh = _zh().gettext(c.name)
    return c.alpha_3, en, zh


def iso3_lookup(name: str, aliases: dict[str, str]) -> str | None:
    """ISO alpha-3 for a country name: an explicit alias first, then pycountry's lookup."""
    if name in aliases:
        return aliases[name]
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def polygonal(geom):
    """Only the polygon parts of ``geom`` (make_valid can return collections with lines)."""
    if geom is None or geom.is_empty:
        return geom
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = []
    for g in getattr(geom, "geoms", []):
        g = polygonal(g)
        if g is not None and not g.is_empty:
            parts.extend(getattr(g, "geoms", [g]))
    return MultiPolygon(parts)


def _wide(poly: Polygon) -> bool:
    minx, miny, maxx, _ = poly.bounds
    return maxx - minx > 180 and miny > -80  # Antarctica legitimately spans every longitude


def split_antimeridian(geom):
    """Cut polygons that cross ±180° into parts on each side; others are returned unchanged."""
    if geom is None or geom.is_empty:
        return geom
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    if not any(_wide(p) for p in polys):
        return geom
    out: list[Polygon] = []
    east = shapely.box(0, -90, 180, 90)
    west = shapely.box(180, -90, 540, 90)
    for p in polys:
        if not _wide(p):
            out.append(p)
            continue
        shifted = shapely.transform(p, lambda xy: xy + ((xy[:, :1] < 0) * [360.0, 0.0]))
        shifted = shapely.make_valid(shifted)
        for part, dx in ((shifted.intersection(east), 0.0), (shifted.intersection(west), -360.0)):
            part = shapely.affinity.translate(part, xoff=dx) if dx else part
            out.extend(g for g in getattr(part, "geoms", [part]) if isinstance(g, Polygon) and not g.is_empty)
    return MultiPolygon(out)


def read_countries(path: str | Path) -> gpd.GeoDataFrame:
    """Full-resolution countries with ``iso3, name_en, name_zh, iso_status, geometry``.

    Features sharing an ISO code are merged (Natural Earth gives Ashmore and Cartier Islands
    Australia's code 036); every feature without a code must be in :data:`NON_ISO`.
    """
    g = gpd.read_file(path, layer="countries")
    rows = []
    for _, r in g.iterrows():
        if isinstance(r["id"], str) and r["id"]:
            iso3, en, zh = iso_names(r["id"])
            status = "ISO 3166-1"
        else:
            if r["name"] not in NON_ISO:
                raise BuildError(f"{path}: feature {r['name']!r} has no ISO code and no entry in geo.countries.NON_ISO")
            iso3, en, zh, status = NON_ISO[r["name"]]
        rows.append({"iso3": iso3, "name_en": en, "name_zh": zh, "iso_status": status, "geometry": polygonal(shapely.make_valid(split_antimeridian(r.geometry)))})
    df = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    merged = df.dissolve(by="iso3", aggfunc="first", as_index=False)
    merged["geometry"] = [polygonal(x) for x in shapely.make_valid(merged.geometry.values)]
    # the 1:10m TopoJSON's quantisation leaves a few tiny entities without area (Vatican City)
    merged = merged[~merged.geometry.is_empty]
    return merged[["iso3", "name_en", "name_zh", "iso_status", "geometry"]].sort_values("iso3").reset_index(drop=True)


def display_version(full: gpd.GeoDataFrame, tolerance: float = DISPLAY_TOLERANCE) -> gpd.GeoDataFrame:
    """Topology-preserving simplification (shared borders stay shared) for drawing."""
    out = full.copy()
    simp = shapely.coverage_simplify(out.geometry.values, tolerance)
    simp = shapely.set_precision(simp, DISPLAY_GRID)
    out["geometry"] = [polygonal(x) for x in shapely.make_valid(simp)]
    keep = ~out.geometry.is_empty
    # tiny islands can vanish at this tolerance: keep their unsimplified, rounded shape
    if not keep.all():
        out.loc[~keep, "geometry"] = shapely.set_precision(full.geometry.values[~keep.to_numpy()], DISPLAY_GRID)
    return out


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Deterministic GeoJSON (fixed column order, no timestamps)."""
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options={"COORDINATE_PRECISION": 5, "RFC7946": "YES"})


def build(ctx) -> None:
    src = ctx.raw("countries-10m.json")
    full = read_countries(src)
    raw_ids = gpd.read_file(src, layer="countries", columns=["id", "name"])
    disp = display_version(full)
    out = ctx.out("vector/countries.geojson")
    write_geojson(disp, out)
    ctx.record(
        "vector/countries.geojson",
        f"Admin-0 countries ({len(disp)}), ISO 3166-1 alpha-3 and English/Chinese names (pycountry {pycountry.__dict__.get('__version__', '')}), "
        f"cut at the antimeridian, coverage-simplified at {DISPLAY_TOLERANCE} deg for display. "
        f"Merged: Ashmore and Cartier Is. into AUS (same ISO code in the source). "
        f"Without area in the source (dropped): {', '.join(full_names_missing(raw_ids, full)) or 'none'}",
        [ctx.raw_source("countries-10m.json"), {"name": "pycountry (ISO 3166-1 codes and zh_CN names)", "licence": "LGPL-2.1", "url": "https://pypi.org/project/pycountry/"}],
    )


def full_names_missing(raw_ids: gpd.GeoDataFrame, full: gpd.GeoDataFrame) -> list[str]:
    """Source features with an ISO code whose country has no area after reading."""
    out = []
    for _, r in raw_ids.iterrows():
        if isinstance(r["id"], str) and r["id"]:
            iso3 = iso_names(r["id"])[0]
            if iso3 not in set(full["iso3"]):
                out.append(f"{r['name']} ({iso3})")
    return sorted(out)


def load_full(ctx) -> gpd.GeoDataFrame:
    """Full-resolution countries for build steps that compute areas."""
    return read_countries(ctx.raw("countries-10m.json"))


__all__ = ["NON_ISO", "read_countries", "display_version", "split_antimeridian", "build", "load_full", "iso_names"]

