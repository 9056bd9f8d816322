"""Areas on the WGS84 ellipsoid for latitude/longitude grids, and coverage-weighted zonal sums.

Cell areas
    The area of a cell between latitudes φ1 < φ2 spanning Δλ radians of longitude on an
    ellipsoid with semi-major axis *a* and eccentricity *e* is ``a²(1-e²)/2 · Δλ · (q(φ2) - q(φ1))``
    with ``q(φ) = sinφ/(1-e²sin²φ) + 1/(2e)·ln((1+e·sinφ)/(1-e·sinφ))``: the integral behind the
    authalic latitude (Snyder 1987, *Map Projections: A Working Manual*, USGS Professional Paper
    1395, eq. 3-12). It is exact, not an approximation by a sphere: summed over the globe it gives
    the surface area of the WGS84 ellipsoid, 510,065,621.7 km².

Ground distances
    A cell is ``N(φ)·cosφ·Δλ`` wide and ``M(φ)·Δφ`` tall at the latitude φ of its centre, with the
    WGS84 radii of curvature ``N`` (prime vertical) and ``M`` (meridian). Used for slope.

Coverage-weighted zonal sums
    :func:`zonal_sums` adds up raster layers under polygons, each cell counted by the fraction of
    it the polygon covers (computed exactly by ``exactextract`` from the polygon's edges, not by
    sampling) times the cell's ellipsoidal area. Cells cut by a border thus count by their true
    share on either side.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from geo.errors import BuildError

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)
WGS84_E = np.sqrt(WGS84_E2)
#: Surface area of the WGS84 ellipsoid in km² (from the formula above with φ from -90° to 90°).
WGS84_AREA_KM2 = 510_065_621.724


def _q(phi: np.ndarray) -> np.ndarray:
    s = np.sin(phi)
    e = WGS84_E
    return s / (1 - WGS84_E2 * s * s) + np.log((1 + e * s) / (1 - e * s)) / (2 * e)


def band_area_km2(lat_south, lat_north, dlon_deg: float) -> np.ndarray:
    """Area of cells between two latitudes on the WGS84 ellipsoid.

    Parameters
    ----------
    lat_south, lat_north : float or array_like
        Latitudes of the cell edges in degrees.
    dlon_deg : float
        Width of the cell in degrees of longitude.

    Returns
    -------
    numpy.ndarray
        Area in km² (always positive).
    """
    p1 = np.radians(np.asarray(lat_south, dtype=float))
    p2 = np.radians(np.asarray(lat_north, dtype=float))
    a2 = WGS84_A**2 * (1 - WGS84_E2) / 2
    return np.abs(a2 * np.radians(dlon_deg) * (_q(p2) - _q(p1))) / 1e6


def row_cell_areas_km2(lat_top: float, cell_deg: float, nrows: int) -> np.ndarray:
    """Area of one cell in each row of a north-up grid.

    Parameters
    ----------
    lat_top : float
        Latitude of the top edge of the first row (degrees).
    cell_deg : float
        Cell size in degrees (square cells).
    nrows : int
        Number of rows.

    Returns
    -------
    numpy.ndarray
        ``nrows`` areas in km², north to south.
    """
    tops = lat_top - cell_deg * np.arange(nrows)
    return band_area_km2(tops - cell_deg, tops, cell_deg)


def cell_area_grid_km2(lat_top: float, cell_deg: float, shape: tuple[int, int]) -> np.ndarray:
    """Cell areas in km² for a whole north-up grid of ``shape`` (rows, columns)."""
    rows = row_cell_areas_km2(lat_top, cell_deg, shape[0])
    return np.repeat(rows[:, None], shape[1], axis=1)


def meridian_radius(lat_deg) -> np.ndarray:
    """Meridional radius of curvature ``M(φ)`` of WGS84 in metres."""
    s = np.sin(np.radians(lat_deg))
    return WGS84_A * (1 - WGS84_E2) / (1 - WGS84_E2 * s * s) ** 1.5


def normal_radius(lat_deg) -> np.ndarray:
    """Prime-vertical radius of curvature ``N(φ)`` of WGS84 in metres."""
    s = np.sin(np.radians(lat_deg))
    return WGS84_A / np.sqrt(1 - WGS84_E2 * s * s)


def cell_size_m(lat_deg, cell_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Ground size of cells centred at ``lat_deg``.

    Returns
    -------
    tuple of numpy.ndarray
        ``(dx, dy)``: east-west and north-south size in metres.
    """
    lat = np.asarray(lat_deg, dtype=float)
    d = np.radians(cell_deg)
    return normal_radius(lat) * np.cos(np.radians(lat)) * d, meridian_radius(lat) * d


def zonal_sums(geoms: Sequence, layers: Mapping[str, np.ndarray], *, lat_top: float = 90.0, lon_left: float = -180.0,
               cell_deg: float = 1 / 12) -> list[dict[str, float]]:
    """Ellipsoidal area of each layer under each polygon, cells weighted by their covered fraction.

    Parameters
    ----------
    geoms : sequence of shapely geometries
        Polygons in lon/lat (EPSG:4326) within the grid's extent.
    layers : mapping of str to numpy.ndarray
        Layers of the grid's shape with values in 0..1 (e.g. ``cls == 3`` as 0/1), all the same shape.
    lat_top, lon_left, cell_deg : float
        The grid: latitude of the top edge, longitude of the left edge, cell size in degrees.

    Returns
    -------
    list of dict
        One dict per geometry, ``{name: km²}``: the sum over cells of value × covered fraction ×
        cell area.

    Raises
    ------
    BuildError
        If the layers differ in shape or are empty.
    """
    import geopandas as gpd
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    if not layers:
        raise BuildError("zonal_sums needs at least one layer")
    shapes = {np.shape(v) for v in layers.values()}
    if len(shapes) != 1:
        raise BuildError(f"zonal_sums: layers differ in shape: {sorted(shapes)}")
    nrows, ncols = shapes.pop()
    ext = (lon_left, lat_top - nrows * cell_deg, lon_left + ncols * cell_deg, lat_top)
    names = list(layers)
    bands = [NumPyRasterSource(np.asarray(layers[n], dtype=np.float64), *ext, name=f"L{i}") for i, n in enumerate(names)]
    weights = NumPyRasterSource(cell_area_grid_km2(lat_top, cell_deg, (nrows, ncols)), *ext, name="area")
    vec = gpd.GeoDataFrame({"fid": np.arange(len(geoms))}, geometry=list(geoms), crs="EPSG:4326")
    df = exact_extract(bands, vec, ["weighted_sum"], weights=weights, include_cols=["fid"], output="pandas")
    df = df.sort_values("fid")
    # exactextract names a column "weighted_sum" for one band, "<band>_<weights>_weighted_sum" for several
    cols = ["weighted_sum"] if len(names) == 1 else [f"L{i}_area_weighted_sum" for i in range(len(names))]
    return [{n: float(r[c]) for n, c in zip(names, cols)} for _, r in df.iterrows()]


__all__ = [
    "WGS84_A", "WGS84_F", "WGS84_E2", "WGS84_AREA_KM2", "band_area_km2", "row_cell_areas_km2", "cell_area_grid_km2",
    "meridian_radius", "normal_radius", "cell_size_m", "zonal_sums",
]
