"""Areas on the WGS84 ellipsoid for latitude/longitude grids.

The area of a cell between latitudes φ1 < φ2 and Δλ radians of longitude on an ellipsoid
with semi-major axis *a* and eccentricity *e* is ``a²(1-e²)/2 · Δλ · (q(φ2) - q(φ1))`` with
``q(φ) = sinφ/(1-e²sin²φ) + 1/(2e)·ln((1+e·sinφ)/(1-e·sinφ))`` (the authalic-latitude
integral; Snyder, *Map Projections: A Working Manual*, USGS PP 1395, eq. 3-12). Summed over
the globe it gives the ellipsoid's surface area, 510,065,621.7 km².
"""

from __future__ import annotations

import numpy as np

WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
WGS84_E2 = WGS84_F * (2 - WGS84_F)
WGS84_E = np.sqrt(WGS84_E2)
#: Surface area of the WGS84 ellipsoid in km².
WGS84_AREA_KM2 = 510_065_621.724


def _q(phi: np.ndarray) -> np.ndarray:
    s = np.sin(phi)
    e = WGS84_E
    return s / (1 - WGS84_E2 * s * s) + np.log((1 + e * s) / (1 - e * s)) / (2 * e)


def band_area_km2(lat_south, lat_north, dlon_deg: float) -> np.ndarray:
    """Area in km² of cells spanning ``dlon_deg`` of longitude between two latitudes (degrees)."""
    p1 = np.radians(np.asarray(lat_south, dtype=float))
    p2 = np.radians(np.asarray(lat_north, dtype=float))
    a2 = WGS84_A**2 * (1 - WGS84_E2) / 2
    return np.abs(a2 * np.radians(dlon_deg) * (_q(p2) - _q(p1))) / 1e6


def row_cell_areas_km2(lat_top: float, cell_deg: float, nrows: int) -> np.ndarray:
    """Area of one cell in each row of a north-up grid whose first row's top edge is ``lat_top``."""
    tops = lat_top - cell_deg * np.arange(nrows)
    return band_area_km2(tops - cell_deg, tops, cell_deg)


def meridian_radius(lat_deg) -> np.ndarray:
    """Meridional radius of curvature M(φ) in metres."""
    s = np.sin(np.radians(lat_deg))
    return WGS84_A * (1 - WGS84_E2) / (1 - WGS84_E2 * s * s) ** 1.5


def normal_radius(lat_deg) -> np.ndarray:
    """Prime-vertical radius of curvature N(φ) in metres."""
    s = np.sin(np.radians(lat_deg))
    return WGS84_A / np.sqrt(1 - WGS84_E2 * s * s)


def cell_size_m(lat_deg, cell_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """``(dx, dy)``: east-west and north-south ground size in metres of cells centred at ``lat_deg``."""
    lat = np.asarray(lat_deg, dtype=float)
    d = np.radians(cell_deg)
    return normal_radius(lat) * np.cos(np.radians(lat)) * d, meridian_radius(lat) * d
