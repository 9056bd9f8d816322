"""Elevation, slope, local relief, the UNEP-WCMC / Kapos mountain classes, and hillshade.

The functions take plain arrays plus the grid's geometry (:class:`Grid`: cell size in degrees,
the latitude of the top edge, whether columns wrap around the globe), so tests can feed
synthetic DEMs with known answers. Ground distances are true distances on the WGS84 ellipsoid
at each row's latitude (:func:`geo.areas.cell_size_m`). Every choice of the mountain
definition, and what the 5 arc-minute grid does to slope and relief, is written down in
``docs/mountain-definition.md``.

Build steps: :func:`build` (``terrain``) writes ``terrain/elevation.tif``,
``terrain/mountain_classes.tif`` and ``vector/mountain_classes.geojson``; :func:`build_stats`
(``mountain-stats``) writes ``stats/country_mountain_area.csv``. No Streamlit here.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from geo import areas
from geo.errors import BuildError

#: 5 arc-minutes: the pvlib grid.
CELL_DEG = 1 / 12
NODATA_I16 = -32768
CLASS_NODATA = 255
#: Radius of the local elevation range (Kapos et al. 2000).
LER_RADIUS_M = 7000.0
#: Latitude band (south, north) that the SDG 15.4.2 metadata's restatement of Kapos et al. (2000)
#: attaches to class 6 ("... local elevation range ≥ 300 m outside 23°N—19°S"). Not applied by
#: default: the official SDG 15.4.2 mountain areas clearly include class-6 terrain inside it
#: (see docs/mountain-definition.md); :func:`kapos_classes` can apply it on request.
CLASS6_SDG_BAND = (-19.0, 23.0)

#: Kapos et al. (2000) / UNEP-WCMC (2002) rules as computed here (lower bounds inclusive).
CLASS_RULES = {
    1: "elevation ≥ 4500 m",
    2: "elevation 3500–4500 m",
    3: "elevation 2500–3500 m",
    4: "elevation 1500–2500 m and slope ≥ 2°",
    5: "elevation 1000–1500 m and (slope ≥ 5° or local elevation range > 300 m)",
    6: "elevation 300–1000 m and local elevation range > 300 m",
}
CLASS_RULES_ZH = {
    1: "海拔 ≥ 4500 米",
    2: "海拔 3500–4500 米",
    3: "海拔 2500–3500 米",
    4: "海拔 1500–2500 米且坡度 ≥ 2°",
    5: "海拔 1000–1500 米且（坡度 ≥ 5° 或局地高差 > 300 米）",
    6: "海拔 300–1000 米且局地高差 > 300 米",
}
#: Display polygons: Visvalingam-Whyatt coverage simplification tolerance (deg, ~1.4 cells)
#: and coordinate grid (deg, ~1.1 km, an eighth of a cell).
POLYGON_TOLERANCE = 0.12
POLYGON_GRID = 0.01


@dataclass(frozen=True)
class Grid:
    """A north-up latitude/longitude grid.

    Attributes
    ----------
    cell_deg : float
        Cell size in degrees (square cells).
    lat_top : float
        Latitude of the top edge of row 0.
    lon_left : float
        Longitude of the left edge of column 0.
    wrap_x : bool
        True when the grid spans all longitudes, so the last column's eastern neighbour is column 0.
    """

    cell_deg: float = CELL_DEG
    lat_top: float = 90.0
    lon_left: float = -180.0
    wrap_x: bool = True

    def row_lats(self, nrows: int) -> np.ndarray:
        """Latitudes of the row centres (degrees)."""
        return self.lat_top - self.cell_deg * (np.arange(nrows) + 0.5)


# ---------------------------------------------------------------------------------------
# reading the pinned DEM


def decode_altitude(raw: np.ndarray) -> np.ndarray:
    """Metres from pvlib's ``Altitude.h5`` encoding.

    Parameters
    ----------
    raw : numpy.ndarray of uint8
        Stored values; metres = value × 28 − 450, and 255 is no data (the sea).

    Returns
    -------
    numpy.ndarray of float32
        Elevation in metres, NaN where there is no data.
    """
    z = raw.astype(np.float32) * 28.0 - 450.0
    z[raw == 255] = np.nan
    return z


def read_altitude_h5(path) -> np.ndarray:
    """Read and decode the ``Altitude`` dataset (2160 × 4320 uint8, row 0 at 90°N).

    Raises
    ------
    BuildError
        If the dataset is missing or not the expected grid.
    """
    import h5py

    with h5py.File(path, "r") as f:
        if "Altitude" not in f:
            raise BuildError(f"{path} has no 'Altitude' dataset (keys: {sorted(f.keys())})")
        raw = f["Altitude"][:]
    if raw.shape != (2160, 4320) or raw.dtype != np.uint8:
        raise BuildError(f"{path}: expected a 2160x4320 uint8 grid, found {raw.shape} {raw.dtype}")
    return decode_altitude(raw)


def pvlib_attribution(wheel_path) -> str:
    """The DEM attributions as pvlib lists them in ``lookup_altitude``'s docstring.

    Parameters
    ----------
    wheel_path : path-like
        The pinned pvlib wheel.

    Returns
    -------
    str
        The bullet items joined with ``"; "``.
    """
    with zipfile.ZipFile(wheel_path) as zf:
        src = zf.read("pvlib/location.py").decode("utf-8")
    try:
        start = src.index("Attributions:") + len("Attributions:")
        end = src.index("References", start)
    except ValueError as e:
        raise BuildError(f"{wheel_path}: pvlib/location.py no longer lists DEM attributions") from e
    items = re.split(r"^\s*\*\s+", src[start:end], flags=re.M)
    items = [" ".join(i.split()).rstrip(";.") for i in items if i.strip()]
    return "; ".join(items) + "."


# ---------------------------------------------------------------------------------------
# slope and local relief on true distances


def _shift(z: np.ndarray, di: int, dj: int, wrap_x: bool) -> np.ndarray:
    """``z`` shifted so that ``out[i, j] = z[i + di, j + dj]``; rows (and columns unless wrapping) clamp at the edges."""
    n = z.shape[0]
    rows = np.clip(np.arange(n) + di, 0, n - 1)
    out = z[rows]
    if dj:
        if wrap_x:
            out = np.roll(out, -dj, axis=1)
        else:
            cols = np.clip(np.arange(z.shape[1]) + dj, 0, z.shape[1] - 1)
            out = out[:, cols]
    return out


def gradients(z: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Surface gradient by central differences on ground distances.

    Parameters
    ----------
    z : numpy.ndarray
        Elevation in metres (no NaN).
    grid : Grid
        The grid's geometry.

    Returns
    -------
    tuple of numpy.ndarray
        ``(dz/dx, dz/dy)`` towards east and north, in metres per metre. Edge rows (and edge
        columns of a grid that does not wrap) use one-sided differences.
    """
    lats = grid.row_lats(z.shape[0])
    dx, dy = areas.cell_size_m(lats, grid.cell_deg)
    gx = (_shift(z, 0, 1, grid.wrap_x) - _shift(z, 0, -1, grid.wrap_x)) / (2 * dx[:, None])
    if not grid.wrap_x:
        gx[:, 0] = (z[:, 1] - z[:, 0]) / dx
        gx[:, -1] = (z[:, -1] - z[:, -2]) / dx
    north = _shift(z, -1, 0, False)
    south = _shift(z, 1, 0, False)
    span = np.full(z.shape[0], 2.0)
    span[0] = span[-1] = 1.0
    gy = (north - south) / (span * dy)[:, None]
    return gx, gy


def slope_deg(z: np.ndarray, grid: Grid) -> np.ndarray:
    """Slope of the fitted plane (central differences), in degrees."""
    gx, gy = gradients(z, grid)
    return np.degrees(np.arctan(np.hypot(gx, gy)))


def steepest_slope_deg(z: np.ndarray, grid: Grid) -> np.ndarray:
    """Steepest slope from a cell to any of its eight neighbours, in degrees.

    The distance to a neighbour is measured with the cell size at the centre cell's latitude
    (east-west ``dx``, north-south ``dy``, diagonal ``hypot(dx, dy)``). On a plane this never
    exceeds :func:`slope_deg`; on rough terrain it sees relief over one cell (9 km) instead
    of two, which the coarse grid otherwise averages away.
    """
    lats = grid.row_lats(z.shape[0])
    dx, dy = areas.cell_size_m(lats, grid.cell_deg)
    best = np.zeros(z.shape, dtype=np.float64)
    n = z.shape[0]
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di == 0 and dj == 0:
                continue
            rise = np.abs(_shift(z, di, dj, grid.wrap_x) - z)
            dist = np.hypot(dj * dx, di * dy)[:, None]
            g = rise / dist
            # clamped rows/columns compare a cell with itself or a non-neighbour: ignore them
            if di == -1:
                g[0] = 0
            if di == 1:
                g[n - 1] = 0
            if not grid.wrap_x and dj == -1:
                g[:, 0] = 0
            if not grid.wrap_x and dj == 1:
                g[:, -1] = 0
            np.maximum(best, g, out=best)
    return np.degrees(np.arctan(best))


def mountain_slope_deg(z: np.ndarray, grid: Grid) -> np.ndarray:
    """The slope the class rules use: the larger of :func:`slope_deg` and :func:`steepest_slope_deg`.

    Exact on planes (a plane's steepest neighbour slope never exceeds the plane's own slope);
    on a 5' grid it recovers part of the slope that a plane fitted over two cells loses. Why and by
    how much: docs/mountain-definition.md.
    """
    return np.maximum(slope_deg(z, grid), steepest_slope_deg(z, grid))


def ler_footprint(lat: float, cell_deg: float, radius_m: float = LER_RADIUS_M, max_dj: int = 60) -> list[tuple[int, int]]:
    """Cell offsets ``(di, dj)`` of the cells a disk of ``radius_m`` around a cell centre touches.

    On a 5' grid the 7 km disk is smaller than a cell (about 9.3 km north-south), so counting
    only cells whose *centre* lies in the disk would leave each cell alone. A cell counts when
    the nearest point of its rectangle is within ``radius_m`` of the centre. Cells narrow
    towards the poles, so the footprint widens east-west with latitude (an ellipse in cells).

    Parameters
    ----------
    lat : float
        Latitude of the centre cell (degrees).
    cell_deg : float
        Cell size in degrees.
    radius_m : float
        Disk radius in metres.
    max_dj : int
        Cap on the east-west reach in cells (reached only within ~1° of the poles).

    Returns
    -------
    list of tuple of int
        Offsets, the centre ``(0, 0)`` included, in row-major order.
    """
    dx, dy = areas.cell_size_m(lat, cell_deg)
    dx, dy = float(dx), float(dy)
    out = []
    max_di = int(np.ceil(radius_m / dy)) + 1
    for di in range(-max_di, max_di + 1):
        gap_y = max(abs(di) * dy - dy / 2, 0.0)
        if gap_y > radius_m:
            continue
        for dj in range(-max_dj, max_dj + 1):
            gap_x = max(abs(dj) * dx - dx / 2, 0.0)
            if np.hypot(gap_x, gap_y) <= radius_m:
                out.append((di, dj))
    return out


def local_range(z: np.ndarray, grid: Grid, radius_m: float = LER_RADIUS_M) -> np.ndarray:
    """Local elevation range: max − min over :func:`ler_footprint` around each cell.

    Rows that share a footprint are processed together, so the cost is one shifted min/max per
    footprint cell and latitude band. Above 85° the footprint of 85° is used.
    """
    lats = grid.row_lats(z.shape[0])
    out = np.zeros(z.shape, dtype=z.dtype)
    keys = [tuple(ler_footprint(min(abs(la), 85.0), grid.cell_deg, radius_m)) for la in lats]
    n = z.shape[0]
    start = 0
    while start < n:
        stop = start
        while stop < n and keys[stop] == keys[start]:
            stop += 1
        fp = keys[start]
        pad = max(abs(di) for di, _ in fp)
        r0, r1 = max(start - pad, 0), min(stop + pad, n)
        block = z[r0:r1]
        lo = np.full(block.shape, np.inf, dtype=z.dtype)
        hi = np.full(block.shape, -np.inf, dtype=z.dtype)
        for di, dj in fp:
            sh = _shift(block, di, dj, grid.wrap_x)
            np.minimum(lo, sh, out=lo)
            np.maximum(hi, sh, out=hi)
        out[start:stop] = (hi - lo)[start - r0: stop - r0]
        start = stop
    return out


def kapos_classes(z: np.ndarray, grid: Grid, class6_excluded_band: tuple[float, float] | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mountain classes 1-6 by the Kapos et al. (2000) rules, with the slope and relief used.

    Parameters
    ----------
    z : numpy.ndarray
        Elevation in metres; NaN is no data (the sea).
    grid : Grid
        The grid's geometry.
    class6_excluded_band : (south, north) or None
        If given, class 6 is not assigned to rows whose centre lies strictly between these
        latitudes (e.g. :data:`CLASS6_SDG_BAND`). Default: class 6 everywhere.

    Returns
    -------
    tuple of numpy.ndarray
        ``(classes, slope_deg, local_range_m)``; classes are uint8 1-6, 0 for land that is not
        mountain, 255 for no data. No-data cells count as 0 m when their land neighbours' slope
        and relief are computed, so a coastal cliff has relief.
    """
    nodata = np.isnan(z)
    e = np.where(nodata, 0.0, z).astype(np.float32)
    slope = mountain_slope_deg(e, grid)
    ler = local_range(e, grid)
    cls = np.zeros(z.shape, dtype=np.uint8)
    c6 = (e >= 300) & (e < 1000) & (ler > 300)
    if class6_excluded_band is not None:
        lats = grid.row_lats(z.shape[0])[:, None]
        c6 &= ~((lats > class6_excluded_band[0]) & (lats < class6_excluded_band[1]))
    cls[c6] = 6
    cls[(e >= 1000) & (e < 1500) & ((slope >= 5) | (ler > 300))] = 5
    cls[(e >= 1500) & (e < 2500) & (slope >= 2)] = 4
    cls[(e >= 2500) & (e < 3500)] = 3
    cls[(e >= 3500) & (e < 4500)] = 2
    cls[e >= 4500] = 1
    cls[nodata] = CLASS_NODATA
    return cls, slope, ler


def hillshade(z: np.ndarray, cell_deg: float = CELL_DEG, lat_top: float = 90.0, azimuth: float = 315.0,
              altitude: float = 45.0, z_factor: float = 3.0, wrap_x: bool = False) -> np.ndarray:
    """Shaded relief on true ground distances.

    Parameters
    ----------
    z : numpy.ndarray
        Elevation in metres (no NaN; fill the sea first).
    cell_deg, lat_top : float
        Cell size and the latitude of the top edge.
    azimuth, altitude : float
        Direction of the light, clockwise from north, and its height above the horizon (degrees).
    z_factor : float
        Vertical exaggeration; a 9 km grid otherwise shades to a near-uniform grey.
    wrap_x : bool
        Whether the array spans all longitudes.

    Returns
    -------
    numpy.ndarray
        Illumination in 0..1 (1 fully lit).
    """
    gx, gy = gradients(np.asarray(z, dtype=np.float32) * z_factor, Grid(cell_deg=cell_deg, lat_top=lat_top, wrap_x=wrap_x))
    slope = np.arctan(np.hypot(gx, gy))
    aspect = np.arctan2(-gx, -gy)  # direction the surface faces, clockwise from north
    az = np.radians(azimuth)
    alt = np.radians(altitude)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    return np.clip(shade, 0, 1)


# ---------------------------------------------------------------------------------------
# outputs


def _write_tif(path, arr: np.ndarray, nodata, dtype: str, tags: dict) -> None:
    """A deterministic GeoTIFF: fixed tiling and compression, no timestamp tags."""
    import rasterio
    from rasterio.transform import from_origin

    profile = dict(driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1, dtype=dtype, crs="EPSG:4326",
                   transform=from_origin(-180.0, 90.0, CELL_DEG, CELL_DEG), nodata=nodata, compress="deflate",
                   predictor=2 if dtype == "int16" else 1, tiled=True, blockxsize=512, blockysize=512)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr.astype(dtype), 1)
        dst.update_tags(**tags)


def class_polygons(cls: np.ndarray, tolerance: float = POLYGON_TOLERANCE, grid_deg: float = POLYGON_GRID):
    """Polygons per class (1-6) from the global class raster, dissolved and simplified for display.

    The raster's cells are traced into polygons (4-connected, so parts of one class touch at
    most at corners and form a valid MultiPolygon without a union), the six classes are
    simplified together as a coverage (shared edges stay shared: no gaps or overlaps between
    classes), and coordinates are snapped to ``grid_deg``. Everything stays within lon
    -180..180: the raster ends there, so no ring crosses the antimeridian.

    Returns
    -------
    geopandas.GeoDataFrame
        ``class, name_en, name_zh, geometry`` sorted by class.
    """
    import geopandas as gpd
    import rasterio.features
    import shapely
    from rasterio.transform import from_origin

    from geo.countries import polygonal

    transform = from_origin(-180.0, 90.0, CELL_DEG, CELL_DEG)
    mask = (cls >= 1) & (cls <= 6)
    parts: dict[int, list] = {k: [] for k in range(1, 7)}
    for geom, val in rasterio.features.shapes(cls, mask=mask, transform=transform, connectivity=4):
        parts[int(val)].append(shapely.geometry.shape(geom))
    values = [k for k in range(1, 7) if parts[k]]
    geoms = np.array([shapely.MultiPolygon(parts[k]) for k in values], dtype=object)
    # snapping first keeps the coverage: grid vertices are 1/12 deg apart, far more than grid_deg,
    # and a shared edge snaps the same way on both sides; simplification then only drops vertices
    snapped = shapely.set_precision(geoms, grid_deg)
    simp = shapely.coverage_simplify(snapped, tolerance)
    out = [polygonal(shapely.make_valid(x)) for x in simp]
    g = gpd.GeoDataFrame({"class": values}, geometry=out, crs="EPSG:4326")
    g["name_en"] = [f"Class {k}: {CLASS_RULES[k]}" for k in values]
    g["name_zh"] = [f"第{k}类：{CLASS_RULES_ZH[k]}" for k in values]
    return g[["class", "name_en", "name_zh", "geometry"]]


def write_compact_geojson(gdf, path) -> None:
    """GeoJSON without whitespace (RFC 7946: EPSG:4326 lon/lat, counter-clockwise shells), deterministic bytes.

    Coordinates are written as shapely gives them (shortest round-trip form), so values
    snapped to a decimal grid stay short.
    """
    import json

    import shapely

    feats = []
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    for rec, geom in zip(gdf[props].to_dict("records"), gdf.geometry.values):
        rec = {k: (v.item() if hasattr(v, "item") else v) for k, v in rec.items()}
        g = shapely.to_geojson(shapely.orient_polygons(geom))
        feats.append('{"type":"Feature","properties":%s,"geometry":%s}' % (json.dumps(rec, ensure_ascii=False, separators=(",", ":")), g))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(feats) + "\n]}\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def class_areas_in(geoms, cls: np.ndarray) -> list[dict]:
    """Area of each class under each polygon (km², WGS84 ellipsoid, exact cell coverage).

    Parameters
    ----------
    geoms : sequence of shapely geometries
        Polygons in lon/lat.
    cls : numpy.ndarray
        The global class raster (2160 × 4320).

    Returns
    -------
    list of dict
        Per geometry: ``class1_km2..class6_km2``, ``mountain_km2`` and ``data_km2`` (cells with
        elevation data, i.e. land in the DEM).
    """
    layers = {f"class{k}_km2": (cls == k) for k in range(1, 7)}
    layers["mountain_km2"] = (cls >= 1) & (cls <= 6)
    layers["data_km2"] = cls != CLASS_NODATA
    return areas.zonal_sums(geoms, layers, lat_top=90.0, lon_left=-180.0, cell_deg=CELL_DEG)


def _dem_source(ctx) -> tuple[dict, str]:
    from geo import raw as rawmod

    attribution = pvlib_attribution(rawmod.package_archive("pvlib", fetch=ctx.fetch, cache_dir=ctx.cache_dir))
    src = ctx.raw_source("Altitude.h5")
    src["attribution"] = attribution
    return src, attribution


DEFINITION_SOURCE = {
    "name": "Kapos et al. (2000); UNEP-WCMC (2002) Mountain Watch p. 74, as restated by the FAO Mountain Partnership "
            "and the SDG 15.4.2 metadata (definition only, no data used)",
    "licence": "definition (no data used)",
    "url": "https://www.fao.org/mountain-partnership/about/definitions/",
}


def build(ctx) -> None:
    """Step ``terrain``: elevation GeoTIFF, class GeoTIFF and class polygons."""
    z = read_altitude_h5(ctx.raw("Altitude.h5"))
    src, attribution = _dem_source(ctx)
    elev = np.where(np.isnan(z), NODATA_I16, np.round(z)).astype(np.int16)
    _write_tif(ctx.out("terrain/elevation.tif"), elev, NODATA_I16, "int16",
               {"SOURCE": "pvlib 0.16.1, pvlib/data/Altitude.h5: 5 arc-minute elevation aggregated from Mapzen terrain tiles",
                "LICENSE": "BSD-3-Clause (pvlib); terrain data under the terms of its attributions",
                "ATTRIBUTION": attribution,
                "UNITS": "metres above sea level, decoded as value*28-450 (28 m steps); -32768 = sea / no data"})
    ctx.record("terrain/elevation.tif", "Elevation in metres on the 5 arc-minute global grid (int16; -32768 = sea / no data), "
               "decoded from pvlib's Altitude.h5 (value*28-450 m)", [src])

    cls, _, _ = kapos_classes(z, Grid())
    _write_tif(ctx.out("terrain/mountain_classes.tif"), cls, CLASS_NODATA, "uint8",
               {"DEFINITION": "; ".join(f"{k}: {v}" for k, v in CLASS_RULES.items()),
                "SLOPE": "max(central-difference slope, steepest slope to a neighbour) on WGS84 ground distances",
                "LOCAL_RANGE": "max-min over the cells a 7 km disk around the cell centre touches",
                "REFERENCE": "Kapos et al. 2000; UNEP-WCMC 2002, Mountain Watch, p. 74; docs/mountain-definition.md",
                "VALUES": "1-6 classes; 0 land not mountain; 255 sea / no data"})
    ctx.record("terrain/mountain_classes.tif",
               "UNEP-WCMC / Kapos mountain classes 1-6 on the 5' grid (0 land not mountain, 255 no data); method and its "
               "limits in docs/mountain-definition.md", [src, DEFINITION_SOURCE])

    gdf = class_polygons(cls)
    write_compact_geojson(gdf, ctx.out("vector/mountain_classes.geojson"))
    ctx.record("vector/mountain_classes.geojson",
               f"Mountain classes as polygons dissolved per class, coverage-simplified ({POLYGON_TOLERANCE} deg) and snapped "
               f"to {POLYGON_GRID} deg for display; statistics use the raster", [src, DEFINITION_SOURCE])


def country_mountain_table(countries, cls: np.ndarray):
    """Mountain area per country.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        ``iso3, name_en, name_zh, geometry`` at full resolution.
    cls : numpy.ndarray
        The global class raster.

    Returns
    -------
    pandas.DataFrame
        ``iso3, name, name_zh, land_km2, mountain_km2, mountain_share_pct, class1_km2..class6_km2``.
        ``land_km2`` is the polygon's ellipsoidal area (pyproj ``Geod``); class areas count
        cells by the covered fraction times the cell's ellipsoidal area.
    """
    import pandas as pd
    from pyproj import Geod

    recs = class_areas_in(countries.geometry.values, cls)
    geod = Geod(ellps="WGS84")
    land = [abs(geod.geometry_area_perimeter(g)[0]) / 1e6 for g in countries.geometry.values]
    df = pd.DataFrame(recs)
    df.insert(0, "iso3", countries["iso3"].to_numpy())
    df.insert(1, "name", countries["name_en"].to_numpy())
    df.insert(2, "name_zh", countries["name_zh"].to_numpy())
    df.insert(3, "land_km2", land)
    df["mountain_share_pct"] = np.where(df["land_km2"] > 0, 100 * df["mountain_km2"] / df["land_km2"], np.nan)
    cols = ["iso3", "name", "name_zh", "land_km2", "mountain_km2", "mountain_share_pct", *[f"class{k}_km2" for k in range(1, 7)]]
    df = df[cols].sort_values("iso3").reset_index(drop=True)
    for c in cols[3:]:
        df[c] = df[c].round(2 if c == "mountain_share_pct" else 1)
    return df


def build_stats(ctx) -> None:
    """Step ``mountain-stats``: ``stats/country_mountain_area.csv``."""
    import rasterio

    from geo.countries import read_countries

    with rasterio.open(ctx.path("terrain/mountain_classes.tif")) as src:
        cls = src.read(1)
    countries = read_countries(ctx.raw("countries-10m.json"))
    df = country_mountain_table(countries, cls)
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    ctx.out("stats/country_mountain_area.csv").write_text(buf.getvalue(), encoding="utf-8")
    ctx.record(
        "stats/country_mountain_area.csv",
        "Mountain area per country and class (km², WGS84 ellipsoid), computed from the 5' class raster: cells cut by borders "
        "count by the fraction covered (exactextract); land_km2 is the country polygon's ellipsoidal area (pyproj.Geod); "
        "share = mountain / land. Not the official SDG 15.4.2 figures (docs/mountain-definition.md).",
        [ctx.raw_source("Altitude.h5"), ctx.raw_source("countries-10m.json"), DEFINITION_SOURCE,
         {"name": "exactextract (coverage fractions)", "licence": "Apache-2.0", "url": "https://pypi.org/project/exactextract/"}],
    )


__all__ = [
    "CELL_DEG", "CLASS_NODATA", "CLASS_RULES", "CLASS_RULES_ZH", "CLASS6_SDG_BAND", "Grid", "decode_altitude", "read_altitude_h5",
    "pvlib_attribution", "gradients", "slope_deg", "steepest_slope_deg", "mountain_slope_deg", "ler_footprint", "local_range",
    "kapos_classes", "hillshade", "class_polygons", "class_areas_in", "country_mountain_table", "build", "build_stats",
]
