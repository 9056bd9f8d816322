"""Elevation, slope, local relief, the UNEP-WCMC / Kapos mountain classes, and hillshade.

The functions take plain arrays plus the grid's geometry (cell size in degrees and the latitude
of the top edge), so tests can feed synthetic DEMs with known answers. Ground distances are
true distances on the WGS84 ellipsoid at each row's latitude. See docs/mountain-definition.md
for every choice and what the 5 arc-minute grid does to slope and relief.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np

from geo import areas
from geo.errors import BuildError

CELL_DEG = 1 / 12  # 5 arc-minutes
NODATA_I16 = -32768
CLASS_NODATA = 255
LER_RADIUS_M = 7000.0

#: Kapos et al. (2000) / UNEP-WCMC (2002) thresholds, in metres and degrees.
CLASS_RULES = {
    1: "elevation >= 4500 m",
    2: "3500 m <= elevation < 4500 m",
    3: "2500 m <= elevation < 3500 m",
    4: "1500 m <= elevation < 2500 m and slope >= 2 deg",
    5: "1000 m <= elevation < 1500 m and (slope >= 5 deg or local elevation range > 300 m)",
    6: "300 m <= elevation < 1000 m and local elevation range > 300 m",
}
CLASS_NAMES_ZH = {1: "第1类", 2: "第2类", 3: "第3类", 4: "第4类", 5: "第5类", 6: "第6类"}


@dataclass(frozen=True)
class Grid:
    """A north-up lat/lon grid: cell size in degrees and the latitude of the top edge."""

    cell_deg: float = CELL_DEG
    lat_top: float = 90.0
    lon_left: float = -180.0
    wrap_x: bool = True  # the grid spans all longitudes (east edge meets west edge)

    def row_lats(self, nrows: int) -> np.ndarray:
        return self.lat_top - self.cell_deg * (np.arange(nrows) + 0.5)


# ---------------------------------------------------------------------------------------
# reading the pinned DEM


def decode_altitude(raw: np.ndarray) -> np.ndarray:
    """pvlib's Altitude.h5 encoding: metres = value * 28 - 450; 255 is no data (sea)."""
    z = raw.astype(np.float32) * 28.0 - 450.0
    z[raw == 255] = np.nan
    return z


def read_altitude_h5(path) -> np.ndarray:
    import h5py

    with h5py.File(path, "r") as f:
        if "Altitude" not in f:
            raise BuildError(f"{path} has no 'Altitude' dataset")
        raw = f["Altitude"][:]
    if raw.shape != (2160, 4320) or raw.dtype != np.uint8:
        raise BuildError(f"{path}: expected a 2160x4320 uint8 grid, found {raw.shape} {raw.dtype}")
    return decode_altitude(raw)


def pvlib_attribution(wheel_path) -> str:
    """The DEM attributions as pvlib states them in ``lookup_altitude``'s docstring."""
    with zipfile.ZipFile(wheel_path) as zf:
        src = zf.read("pvlib/location.py").decode("utf-8")
    start = src.index("Attributions:")
    end = src.index("References", start)
    lines = [ln.strip() for ln in src[start:end].splitlines()]
    text = " ".join(ln for ln in lines if ln and not set(ln) <= {"-"})
    return text.replace("Attributions: ", "").replace("* ", "")


# ---------------------------------------------------------------------------------------
# slope and local relief on true distances


def _shift(z: np.ndarray, di: int, dj: int, wrap_x: bool) -> np.ndarray:
    """``z`` shifted so that out[i, j] = z[i + di, j + dj]; rows clamp at the edges."""
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
    """``(dz/dx east, dz/dy north)`` by central differences on ground distances (metres)."""
    lats = grid.row_lats(z.shape[0])
    dx, dy = areas.cell_size_m(lats, grid.cell_deg)
    gx = (_shift(z, 0, 1, grid.wrap_x) - _shift(z, 0, -1, grid.wrap_x)) / (2 * dx[:, None])
    if not grid.wrap_x:  # one-sided at the west and east edges
        gx[:, 0] = (z[:, 1] - z[:, 0]) / dx
        gx[:, -1] = (z[:, -1] - z[:, -2]) / dx
    north = _shift(z, -1, 0, False)
    south = _shift(z, 1, 0, False)
    span = np.full(z.shape[0], 2.0)
    span[0] = span[-1] = 1.0
    gy = (north - south) / (span * dy)[:, None]
    return gx, gy


def slope_deg(z: np.ndarray, grid: Grid) -> np.ndarray:
    """Slope in degrees."""
    gx, gy = gradients(z, grid)
    return np.degrees(np.arctan(np.hypot(gx, gy)))


def ler_footprint(lat: float, cell_deg: float, radius_m: float = LER_RADIUS_M, max_dj: int = 40) -> list[tuple[int, int]]:
    """Cell offsets ``(di, dj)`` of the cells that intersect a disk of ``radius_m`` around a cell centre.

    On a coarse grid the disk is smaller than a cell (5' is ~9.3 km north-south), so counting
    only cells whose *centre* lies in the disk would leave the cell alone; a cell that the disk
    touches is included instead. Distances use the cell size at the centre's latitude.
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
    """Local elevation range: max - min over :func:`ler_footprint` around each cell."""
    lats = grid.row_lats(z.shape[0])
    out = np.zeros_like(z)
    keys = [tuple(ler_footprint(min(abs(la), 85.0), grid.cell_deg, radius_m)) for la in lats]
    n = z.shape[0]
    start = 0
    while start < n:  # contiguous runs of rows that share a footprint
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
        rng = hi - lo
        # rows clamp at the block's edges, so keep only rows whose neighbours were all inside it
        out[start:stop] = rng[start - r0: stop - r0]
        start = stop
    return out


def kapos_classes(z: np.ndarray, grid: Grid, sea_level_for_nodata: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mountain classes 1-6 (0: land, not mountain; 255: no data) with slope and local range.

    No-data cells (the sea) count as 0 m when slope and relief are computed for their
    neighbours, and get class 255 themselves.
    """
    nodata = np.isnan(z)
    zz = np.where(nodata, 0.0, z).astype(np.float32) if sea_level_for_nodata else z
    slope = slope_deg(zz, grid)
    ler = local_range(zz, grid)
    cls = np.zeros(z.shape, dtype=np.uint8)
    e = zz
    cls[(e >= 300) & (e < 1000) & (ler > 300)] = 6
    cls[(e >= 1000) & (e < 1500) & ((slope >= 5) | (ler > 300))] = 5
    cls[(e >= 1500) & (e < 2500) & (slope >= 2)] = 4
    cls[(e >= 2500) & (e < 3500)] = 3
    cls[(e >= 3500) & (e < 4500)] = 2
    cls[e >= 4500] = 1
    cls[nodata] = CLASS_NODATA
    return cls, slope, ler


def hillshade(z: np.ndarray, cell_deg: float = CELL_DEG, lat_top: float = 90.0, azimuth: float = 315.0,
              altitude: float = 45.0, z_factor: float = 3.0, wrap_x: bool = False) -> np.ndarray:
    """Shaded relief in 0..1 (1 fully lit) on true ground distances.

    ``z_factor`` exaggerates relief, which a 9 km grid otherwise flattens to near-uniform grey.
    """
    gx, gy = gradients(z.astype(np.float32) * z_factor, Grid(cell_deg=cell_deg, lat_top=lat_top, wrap_x=wrap_x))
    slope = np.arctan(np.hypot(gx, gy))
    aspect = np.arctan2(-gx, -gy)  # direction the surface faces, clockwise from north
    az = np.radians(azimuth)
    alt = np.radians(altitude)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    return np.clip(shade, 0, 1)


# ---------------------------------------------------------------------------------------
# build steps


def _write_tif(path, arr, nodata, dtype, tags: dict) -> None:
    import rasterio
    from rasterio.transform import from_origin

    profile = dict(driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1, dtype=dtype, crs="EPSG:4326",
                   transform=from_origin(-180.0, 90.0, CELL_DEG, CELL_DEG), nodata=nodata, compress="deflate",
                   predictor=2 if dtype == "int16" else 1, tiled=True, blockxsize=512, blockysize=512)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr.astype(dtype), 1)
        dst.update_tags(**tags)


def build(ctx) -> None:
    """Elevation GeoTIFF, Kapos class GeoTIFF and dissolved class polygons."""
    h5 = ctx.raw("Altitude.h5")
    from geo import raw as rawmod

    attribution = pvlib_attribution(rawmod.package_archive("pvlib", fetch=ctx.fetch, cache_dir=ctx.cache_dir))
    z = read_altitude_h5(h5)
    src = ctx.raw_source("Altitude.h5")
    src["attribution"] = attribution
    elev = np.where(np.isnan(z), NODATA_I16, np.round(z)).astype(np.int16)
    _write_tif(ctx.out("terrain/elevation.tif"), elev, NODATA_I16, "int16",
               {"SOURCE": "pvlib 0.16.1 data/Altitude.h5 (Mapzen terrain tiles, 5 arc-minute)", "LICENSE": "BSD-3-Clause (pvlib)",
                "ATTRIBUTION": attribution, "UNITS": "metres above sea level; 28 m steps"})
    ctx.record("terrain/elevation.tif", "Elevation, metres, 5 arc-minute global grid (int16, -32768 = sea / no data)", [src])

    cls, _, _ = kapos_classes(z, Grid())
    _write_tif(ctx.out("terrain/mountain_classes.tif"), cls, CLASS_NODATA, "uint8",
               {"DEFINITION": "; ".join(f"{k}: {v}" for k, v in CLASS_RULES.items()),
                "REFERENCE": "Kapos et al. 2000; UNEP-WCMC 2002, Mountain Watch, p. 74", "VALUES": "1-6 classes; 0 land not mountain; 255 sea/no data"})
    ctx.record("terrain/mountain_classes.tif",
               "UNEP-WCMC / Kapos mountain classes 1-6 on the 5' grid (0 land not mountain, 255 no data); method in docs/mountain-definition.md",
               [src, {"name": "Kapos et al. (2000); UNEP-WCMC (2002) Mountain Watch p. 74 (definition)", "licence": "definition (no data used)",
                      "url": "https://www.fao.org/mountain-partnership/about/definitions/"}])

    gdf = class_polygons(cls)
    from geo.countries import write_geojson

    write_geojson(gdf, ctx.out("vector/mountain_classes.geojson"))
    ctx.record("vector/mountain_classes.geojson", "Mountain classes as polygons, dissolved per class, simplified to the 5' grid (0.05 deg, about 0.6 cell)",
               [src])


def class_polygons(cls: np.ndarray, simplify_deg: float = 0.05):
    """Dissolved, simplified polygons per class (1-6) from the class raster."""
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
    # shapes() already merges touching cells of a class; polygons of one class share at most
    # corner points, so they form a valid MultiPolygon without a costly union
    values = [k for k in range(1, 7) if parts[k]]
    geoms = [shapely.MultiPolygon(parts[k]) for k in values]
    g = gpd.GeoDataFrame({"class": values}, geometry=geoms, crs="EPSG:4326")
    simp = shapely.set_precision(shapely.simplify(g.geometry.values, simplify_deg, preserve_topology=True), 0.001)
    g["geometry"] = [polygonal(shapely.make_valid(x)) for x in simp]
    g["name_en"] = [f"Class {k}: {CLASS_RULES[k]}" for k in g["class"]]
    g["name_zh"] = [CLASS_NAMES_ZH[k] for k in g["class"]]
    return g[["class", "name_en", "name_zh", "geometry"]].sort_values("class").reset_index(drop=True)


def class_areas_in(geoms, cls: np.ndarray) -> list[dict]:
    """Exact-coverage areas (km², WGS84 ellipsoid) of each class under each geometry.

    Uses exactextract: every cell counts by the fraction of it the polygon covers, weighted by
    the cell's ellipsoidal area. Returns one dict per geometry with ``class1_km2..class6_km2``
    and ``land_cells_km2`` (cells with elevation data).
    """
    import geopandas as gpd
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    nrows, ncols = cls.shape
    area = np.repeat(areas.row_cell_areas_km2(90.0, CELL_DEG, nrows)[:, None], ncols, axis=1)
    bands = [NumPyRasterSource(((cls >= 1) & (cls <= 6)).astype(np.float64), -180, -90, 180, 90, name="mountain")]
    bands += [NumPyRasterSource((cls == k).astype(np.float64), -180, -90, 180, 90, name=f"class{k}") for k in range(1, 7)]
    bands += [NumPyRasterSource((cls != CLASS_NODATA).astype(np.float64), -180, -90, 180, 90, name="land_cells")]
    weights = NumPyRasterSource(area, -180, -90, 180, 90, name="area")
    vec = gpd.GeoDataFrame({"fid": range(len(geoms))}, geometry=list(geoms), crs="EPSG:4326")
    df = exact_extract(bands, vec, ["weighted_sum"], weights=weights, include_cols=["fid"], output="pandas")
    out = []
    for _, r in df.sort_values("fid").iterrows():
        rec = {f"class{k}_km2": float(r[f"class{k}_area_weighted_sum"]) for k in range(1, 7)}
        rec["mountain_km2"] = float(r["mountain_area_weighted_sum"])
        rec["land_cells_km2"] = float(r["land_cells_area_weighted_sum"])
        out.append(rec)
    return out


def build_stats(ctx) -> None:
    """Mountain area per country: exact cell coverage, ellipsoidal areas."""
    import pandas as pd
    import rasterio
    from pyproj import Geod

    from geo.countries import load_full

    with rasterio.open(ctx.path("terrain/mountain_classes.tif")) as src:
        cls = src.read(1)
    countries = load_full(ctx)
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
    df = df[cols].sort_values("iso3")
    for c in cols[3:]:
        df[c] = df[c].round(1 if c != "mountain_share_pct" else 2)
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    ctx.out("stats/country_mountain_area.csv").write_text(buf.getvalue(), encoding="utf-8")
    ctx.record(
        "stats/country_mountain_area.csv",
        "Mountain area per country and class (km², WGS84 ellipsoid). Cells cut by borders count by the fraction covered "
        "(exactextract); land_km2 is the country polygon's ellipsoidal area (pyproj.Geod). Share = mountain / land.",
        [ctx.raw_source("Altitude.h5"), ctx.raw_source("countries-10m.json"),
         {"name": "exactextract (coverage fractions)", "licence": "Apache-2.0", "url": "https://pypi.org/project/exactextract/"}],
    )
