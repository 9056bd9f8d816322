"""Countries: Natural Earth 1:10m admin-0 (npm ``world-atlas@2.0.2``) with ISO codes and names.

Source: the TopoJSON ``countries-10m.json`` of the pinned npm package ``world-atlas@2.0.2``
(Natural Earth 1:10m admin-0, public domain), read with GDAL/pyogrio (layer ``countries``,
properties ``id`` = ISO 3166-1 numeric code as a string, ``name``).

Codes and names
    pycountry gives the alpha-3 code and the English name (``common_name`` where pycountry has
    one, else ``name``) for each numeric id, and its bundled gettext catalogues
    (``pycountry.LOCALES_DIR``, domain ``iso3166-1``, locale ``zh_CN``) the Chinese name.
    Entities without a numeric id are listed one by one in :data:`NON_ISO`: each gets a code
    from the range ISO 3166-1 reserves for user assignment (``XAA``-``XZZ``); ``XKX`` for Kosovo
    is the code the European Commission uses. ``iso_status`` says which kind each row is. A
    feature without an id that is not in the table stops the build.

Duplicated ids
    Natural Earth gives "Ashmore and Cartier Is." Australia's numeric code 036; features sharing
    a code are dissolved into one row (:data:`MERGED_NOTE`). Vatican City has an empty geometry
    in this TopoJSON (quantisation removed it) and is left out (named in the manifest).

Antimeridian
    The source does *not* cut every polygon at ±180°: Russia (Chukotka, Wrangel Island) and Fiji
    have rings running from -180 to 180 (tested). :func:`split_antimeridian` cuts them, before
    any repair (repairing a wrapping ring first turns it into bands across the map). Antarctica
    is the one polygon that legitimately spans every longitude (it closes along the pole) and is
    left whole (:func:`wraps_pole`).

Display file
    ``vector/countries.geojson`` is simplified with ``shapely.coverage_simplify`` (topology
    preserving: shared borders are simplified once, so no gaps or overlaps appear) at
    :data:`DISPLAY_TOLERANCE` degrees, snapped to a :data:`DISPLAY_GRID` degree grid, repaired,
    and written compactly with fixed key order (identical bytes on every build).
"""

from __future__ import annotations

import gettext
import json
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pycountry
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon

from geo.errors import BuildError

#: Natural Earth ``name`` of a feature without ISO numeric id ->
#: (user-assigned code, English name, Chinese name, iso_status)
NON_ISO: dict[str, tuple[str, str, str, str]] = {
    "Kosovo": ("XKX", "Kosovo", "科索沃", "no ISO 3166 code; user-assigned XKX as used by the European Commission"),
    "Somaliland": ("XSL", "Somaliland", "索马里兰", "no ISO 3166 code; user-assigned"),
    "N. Cyprus": ("XNC", "Northern Cyprus", "北塞浦路斯", "no ISO 3166 code; user-assigned"),
    "Cyprus U.N. Buffer Zone": ("XCB", "Cyprus U.N. Buffer Zone", "塞浦路斯联合国缓冲区", "no ISO 3166 code; user-assigned"),
    "Dhekelia": ("XDK", "Dhekelia", "泽凯利亚", "UK Sovereign Base Area; no ISO 3166 code; user-assigned"),
    "Akrotiri": ("XAK", "Akrotiri", "阿克罗蒂里", "UK Sovereign Base Area; no ISO 3166 code; user-assigned"),
    "USNB Guantanamo Bay": ("XGB", "US Naval Base Guantanamo Bay", "关塔那摩湾美国海军基地", "leased area; no ISO 3166 code; user-assigned"),
    "Siachen Glacier": ("XSG", "Siachen Glacier", "锡亚琴冰川", "disputed area; no ISO 3166 code; user-assigned"),
    "Baikonur": ("XBK", "Baikonur", "拜科努尔", "leased area; no ISO 3166 code; user-assigned"),
    "Indian Ocean Ter.": ("XIO", "Australian Indian Ocean Territories", "澳大利亚印度洋领地",
                          "Natural Earth groups Christmas Island (CXR) and Cocos (Keeling) Islands (CCK) without an id; user-assigned"),
    "Coral Sea Is.": ("XCS", "Coral Sea Islands", "珊瑚海群岛", "no ISO 3166 code; user-assigned"),
    "Spratly Is.": ("XSP", "Spratly Islands", "南沙群岛", "disputed; no ISO 3166 code; user-assigned"),
    "Clipperton I.": ("XCL", "Clipperton Island", "克利珀顿岛", "no ISO 3166 code; user-assigned"),
    "Bajo Nuevo Bank": ("XBN", "Bajo Nuevo Bank", "新浅滩", "disputed; no ISO 3166 code; user-assigned"),
    "Serranilla Bank": ("XSB", "Serranilla Bank", "塞拉尼亚浅滩", "disputed; no ISO 3166 code; user-assigned"),
    "Scarborough Reef": ("XSR", "Scarborough Reef", "黄岩岛", "disputed; no ISO 3166 code; user-assigned"),
}

ISO_STATUS = "ISO 3166-1"
MERGED_NOTE = "Ashmore and Cartier Is. carry Australia's numeric code 036 in the source and are merged into AUS"

#: Display simplification tolerance in degrees (0.025 deg: about 2.8 km at the equator).
#: Chosen so the display file stays near 3 MB; the app simplifies further per view.
DISPLAY_TOLERANCE = 0.025
#: Display coordinates are snapped to this grid (0.001 deg: about 110 m), 3 decimals in the file.
DISPLAY_GRID = 0.001
_DISPLAY_DECIMALS = 3


# names and codes --------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _zh() -> gettext.GNUTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    except OSError as e:  # pragma: no cover - a broken pycountry install
        raise BuildError(f"pycountry's zh_CN catalogue for iso3166-1 is missing under {pycountry.LOCALES_DIR}: {e}") from e


def zh_name(country) -> str:
    """Chinese name of a pycountry country from pycountry's ``zh_CN`` catalogue.

    Raises
    ------
    BuildError
        If the catalogue has no translation (gettext would silently return the English name).
    """
    zh = _zh().gettext(country.name)
    if zh == country.name:
        raise BuildError(f"pycountry's zh_CN catalogue has no Chinese name for {country.name!r} ({country.alpha_3})")
    return zh


def en_name(country) -> str:
    """English name of a pycountry country: ``common_name`` where it has one, else ``name``."""
    return getattr(country, "common_name", None) or country.name


def iso_names(numeric: str) -> tuple[str, str, str]:
    """ISO alpha-3, English name and Chinese name for an ISO 3166-1 numeric code.

    Parameters
    ----------
    numeric : str
        Three-digit numeric code as in the TopoJSON (``"756"``).

    Returns
    -------
    tuple of str
        ``(alpha_3, name_en, name_zh)``.

    Raises
    ------
    BuildError
        If pycountry does not know the code.
    """
    c = pycountry.countries.get(numeric=str(numeric))
    if c is None:
        raise BuildError(f"ISO 3166-1 numeric code {numeric!r} is unknown to pycountry")
    return c.alpha_3, en_name(c), zh_name(c)


def iso3_match(name: str, aliases: dict[str, str]) -> tuple[str | None, str]:
    """ISO alpha-3 for a country name, and how it was found.

    Order: the explicit ``aliases`` table, pycountry's exact lookup (codes, ``name``,
    ``official_name``, ``common_name``, case-insensitive), then pycountry's fuzzy search, accepted
    only when it returns exactly one country. Fuzzy search can be wrong ("Republic of Korea"
    gives only the Democratic People's Republic): names it would get wrong belong in ``aliases``,
    and callers report every fuzzy match.

    Parameters
    ----------
    name : str
        Country name as written in a source.
    aliases : dict
        Name -> alpha-3 overrides, consulted first.

    Returns
    -------
    tuple
        ``(alpha_3 or None, method)`` with method ``"alias"``, ``"exact"``, ``"fuzzy"`` or
        ``"unmatched"``.
    """
    name = str(name).strip()
    if name in aliases:
        return aliases[name], "alias"
    try:
        return pycountry.countries.lookup(name).alpha_3, "exact"
    except LookupError:
        pass
    try:
        hits = pycountry.countries.search_fuzzy(name)
    except LookupError:
        hits = []
    if len(hits) == 1:
        return hits[0].alpha_3, "fuzzy"
    return None, "unmatched"


def iso3_lookup(name: str, aliases: dict[str, str]) -> str | None:
    """ISO alpha-3 for a country name (see :func:`iso3_match`), ``None`` if unmatched."""
    return iso3_match(name, aliases)[0]


# geometry -------------------------------------------------------------------------------

def polygonal(geom):
    """Only the polygon parts of ``geom`` (``make_valid`` can return collections with lines)."""
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


def repair(geoms):
    """Valid polygonal geometries: ``shapely.make_valid`` with the ``structure`` method.

    The ``structure`` method rebuilds polygons from their rings (union of shells minus union of
    holes) and drops collapsed parts, so the result is polygonal; on the self-intersections the
    TopoJSON quantisation leaves it gives the same areas as the ``linework`` method (checked:
    largest difference 7e-6 deg2) in a third of the time. Used for the display file.
    """
    return shapely.make_valid(geoms, method="structure", keep_collapsed=False)


def repair_full(geoms):
    """Valid polygonal geometries for the full-resolution countries: ``make_valid`` (``linework``).

    Kept for :func:`read_countries`, whose geometries other steps measure areas on
    (``stats/country_mountain_area.csv``): changing the method would change their outputs.
    Only invalid geometries are passed in (valid ones are returned unchanged anyway).
    """
    out = shapely.make_valid(geoms)
    return np.array([polygonal(g) for g in np.atleast_1d(out)], dtype=object) if isinstance(out, np.ndarray) else polygonal(out)


def wraps_pole(poly: Polygon) -> bool:
    """True for a polygon that closes along a pole (Antarctica): it spans every longitude by right."""
    minx, miny, maxx, maxy = poly.bounds
    return maxx - minx > 180 and (miny < -80 or maxy > 85)


def _wide(poly: Polygon) -> bool:
    minx, _, maxx, _ = poly.bounds
    return maxx - minx > 180 and not wraps_pole(poly)


def split_antimeridian(geom):
    """Cut polygons whose rings run across ±180° into parts on each side.

    A polygon spanning more than 180° of longitude (and not closing along a pole) is taken to
    cross the antimeridian: its western longitudes are shifted by +360°, the result is repaired
    and cut at 180°, and the eastern part shifted back. Other polygons are returned unchanged.

    Parameters
    ----------
    geom : Polygon or MultiPolygon

    Returns
    -------
    Polygon or MultiPolygon
        ``geom`` itself if nothing crosses, else a MultiPolygon with no part wider than 180°.
    """
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

    Parameters
    ----------
    path : str or Path
        The ``countries-10m.json`` TopoJSON of ``world-atlas@2.0.2``.

    Returns
    -------
    GeoDataFrame
        One row per code, sorted by ``iso3``, EPSG:4326, valid polygonal geometries cut at the
        antimeridian. Features sharing a code are merged; features without area are dropped
        (see :func:`dropped_features`).

    Raises
    ------
    BuildError
        If a feature has neither an ISO numeric id nor an entry in :data:`NON_ISO`, or an id
        pycountry does not know.

    Notes
    -----
    Reading and repairing takes about 15 s; the build's steps each ask for the countries, so the
    result is kept per file (path, size and modification time) and each call gets its own copy.
    """
    p = Path(path).resolve()
    st = p.stat()
    return _read_countries(str(p), st.st_size, st.st_mtime_ns).copy()


@lru_cache(maxsize=2)
def _read_countries(path: str, size: int, mtime_ns: int) -> gpd.GeoDataFrame:
    g = gpd.read_file(path, layer="countries")
    if "id" not in g.columns or "name" not in g.columns:
        raise BuildError(f"{path}: layer 'countries' lacks the 'id' and 'name' properties (has {list(g.columns)})")
    rows = []
    for fid, nm, geom in zip(g["id"], g["name"], g.geometry):
        if isinstance(fid, str) and fid.strip():
            iso3, en, zh = iso_names(fid.strip())
            status = ISO_STATUS
        elif nm in NON_ISO:
            iso3, en, zh, status = NON_ISO[nm]
        else:
            raise BuildError(f"{path}: feature {nm!r} has no ISO numeric id and no entry in geo.countries.NON_ISO")
        if geom is None or geom.is_empty:
            continue
        rows.append((iso3, en, zh, status, split_antimeridian(geom)))
    geoms = np.array([r[4] for r in rows], dtype=object)
    invalid = ~shapely.is_valid(geoms)
    geoms[invalid] = repair_full(geoms[invalid])
    geoms = [polygonal(x) for x in geoms]
    merged: dict[str, list] = {}
    for (iso3, en, zh, status, _), geom in zip(rows, geoms):
        if iso3 in merged:
            merged[iso3][4].append(geom)
        else:
            merged[iso3] = [iso3, en, zh, status, [geom]]
    out = []
    for iso3 in sorted(merged):
        _, en, zh, status, parts = merged[iso3]
        # union_all also for single geometries: it nodes them the way earlier builds did, so the
        # areas other steps measure stay byte-identical (see repair_full)
        geom = polygonal(shapely.union_all(parts))
        if not geom.is_valid:
            geom = repair_full(geom)
        if geom.is_empty:
            continue
        out.append({"iso3": iso3, "name_en": en, "name_zh": zh, "iso_status": status, "geometry": geom})
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def dropped_features(path: str | Path, full: gpd.GeoDataFrame) -> list[str]:
    """Source features whose code has no row in ``full`` (no area in the source)."""
    g = gpd.read_file(path, layer="countries", columns=["id", "name"], read_geometry=False)
    have = set(full["iso3"])
    out = []
    for fid, nm in zip(g["id"], g["name"]):
        code = iso_names(fid)[0] if isinstance(fid, str) and fid.strip() else NON_ISO[nm][0]
        if code not in have:
            out.append(f"{nm} ({code})")
    return sorted(out)


def display_version(full: gpd.GeoDataFrame, tolerance: float = DISPLAY_TOLERANCE, grid: float = DISPLAY_GRID) -> gpd.GeoDataFrame:
    """Topology-preserving simplification of ``full`` for drawing.

    ``shapely.coverage_simplify`` simplifies shared borders once, so neighbours still meet;
    coordinates are snapped to ``grid`` and the result repaired. A country that would vanish
    keeps its snapped unsimplified shape.

    Parameters
    ----------
    full : GeoDataFrame
        Output of :func:`read_countries`.
    tolerance : float
        Simplification tolerance in degrees.
    grid : float
        Coordinate grid in degrees.
    """
    out = full.copy()
    simp = shapely.coverage_simplify(np.asarray(out.geometry.values, dtype=object), tolerance)
    simp = shapely.set_precision(simp, grid)
    invalid = ~shapely.is_valid(simp)
    simp[invalid] = repair(simp[invalid])
    geoms = [polygonal(x) for x in simp]
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:  # tiny islands: keep their unsimplified, snapped shape
            geoms[i] = polygonal(repair(shapely.set_precision(full.geometry.values[i], grid)))
    out["geometry"] = geoms
    return out


def _ring(coords, decimals: int) -> list:
    return [[round(float(x), decimals) + 0.0, round(float(y), decimals) + 0.0] for x, y in coords]


def _geojson_geometry(geom, decimals: int) -> dict:
    geom = shapely.orient_polygons(geom, exterior_cw=False)  # RFC 7946: exteriors counter-clockwise
    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    rings = [[_ring(p.exterior.coords, decimals)] + [_ring(r.coords, decimals) for r in p.interiors] for p in polys]
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": rings[0]}
    return {"type": "MultiPolygon", "coordinates": rings}


def write_geojson_compact(gdf: gpd.GeoDataFrame, path: Path, columns: list[str], decimals: int = _DISPLAY_DECIMALS) -> None:
    """Write polygons or points as compact, deterministic GeoJSON (EPSG:4326, RFC 7946).

    Parameters
    ----------
    gdf : GeoDataFrame
        Rows in the order to write.
    path : Path
        Output file.
    columns : list of str
        Properties, in this order.
    decimals : int
        Decimals of each coordinate.
    """
    feats = []
    for _, r in gdf.iterrows():
        geom = r.geometry
        if geom.geom_type == "Point":
            gj = {"type": "Point", "coordinates": [round(geom.x, decimals) + 0.0, round(geom.y, decimals) + 0.0]}
        else:
            gj = _geojson_geometry(geom, decimals)
        props = {c: (None if r[c] is None else (r[c].item() if hasattr(r[c], "item") else r[c])) for c in columns}
        feats.append({"type": "Feature", "properties": props, "geometry": gj})
    doc = {"type": "FeatureCollection", "features": feats}
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Deterministic GeoJSON through GDAL (5 decimals, RFC 7946); used by other build steps."""
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options={"COORDINATE_PRECISION": 5, "RFC7946": "YES"})


def load_full(ctx) -> gpd.GeoDataFrame:
    """Full-resolution countries for build steps that compute areas."""
    return read_countries(ctx.raw("countries-10m.json"))


COLUMNS = ["iso3", "name_en", "name_zh", "iso_status"]


def build(ctx) -> None:
    """Build step ``countries``: write ``vector/countries.geojson``."""
    src = ctx.raw("countries-10m.json")
    full = read_countries(src)
    dropped = dropped_features(src, full)
    disp = display_version(full)
    bad = [i for i, g in zip(disp["iso3"], disp.geometry) if g.is_empty or not g.is_valid]
    if bad:
        raise BuildError(f"vector/countries.geojson: empty or invalid display geometry for {bad}")
    write_geojson_compact(disp, ctx.out("vector/countries.geojson"), COLUMNS)
    n_x = int((disp["iso_status"] != ISO_STATUS).sum())
    ctx.record(
        "vector/countries.geojson",
        f"Admin-0 countries and areas ({len(disp)}: {len(disp) - n_x} with ISO 3166-1 codes, {n_x} with user-assigned X codes, "
        f"see iso_status), ISO alpha-3, English and Chinese (zh_CN) names from pycountry {pycountry_version()}; "
        f"cut at the antimeridian (Antarctica left whole); coverage-simplified at {DISPLAY_TOLERANCE} deg, "
        f"coordinates on a {DISPLAY_GRID} deg grid, for display. {MERGED_NOTE}. "
        f"Without area in the source (left out): {', '.join(dropped) or 'none'}.",
        [ctx.raw_source("countries-10m.json"),
         {"name": f"pycountry {pycountry_version()} (ISO 3166-1 codes, English names, zh_CN translations)", "licence": "LGPL-2.1",
          "url": "https://pypi.org/project/pycountry/"}],
    )


def pycountry_version() -> str:
    """Installed pycountry version (its ISO data and translations date the names)."""
    from importlib.metadata import version

    return version("pycountry")


__all__ = ["NON_ISO", "DISPLAY_TOLERANCE", "DISPLAY_GRID", "read_countries", "display_version", "split_antimeridian",
           "wraps_pole", "polygonal", "iso_names", "iso3_match", "iso3_lookup", "write_geojson", "write_geojson_compact",
           "dropped_features", "load_full", "build"]
