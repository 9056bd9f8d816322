"""Slope, relief and mountain classes on synthetic DEMs with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geo import areas, terrain
from geo.terrain import Grid

CELL = terrain.CELL_DEG


def ramp(lat_centre: float, slope_deg: float, direction: str, n: int = 21, base: float = 2000.0):
    """A plane rising east or north at ``slope_deg`` on true ground distances."""
    grid = Grid(cell_deg=CELL, lat_top=lat_centre + n * CELL / 2, wrap_x=False)
    lats = grid.row_lats(n)
    dx, dy = areas.cell_size_m(lats, CELL)
    g = math.tan(math.radians(slope_deg))
    if direction == "east":
        z = base + g * dx[:, None] * np.arange(n)[None, :]
    else:  # north: rows go south, so elevation falls with the row index
        z = base + g * np.cumsum(np.r_[0, dy[:-1]])[::-1][:, None] * np.ones((1, n))
    return z.astype(np.float64), grid


@pytest.mark.parametrize("lat", [0.0, 60.0])
@pytest.mark.parametrize("direction", ["east", "north"])
def test_ramp_slope_on_true_distances(lat, direction):
    z, grid = ramp(lat, 3.0, direction)
    s = terrain.slope_deg(z, grid)
    inner = s[2:-2, 2:-2]
    assert np.allclose(inner, 3.0, atol=0.05), (inner.min(), inner.max())


def test_same_rise_per_cell_is_twice_as_steep_at_60_north():
    """A ramp rising the same metres per cell eastwards: cells are half as wide at 60°N."""
    n = 21
    eq = Grid(cell_deg=CELL, lat_top=n * CELL / 2, wrap_x=False)
    north = Grid(cell_deg=CELL, lat_top=60 + n * CELL / 2, wrap_x=False)
    z = 2000 + 100.0 * np.arange(n)[None, :] * np.ones((n, 1))
    s_eq = np.tan(np.radians(terrain.slope_deg(z, eq)[10, 10]))
    s_60 = np.tan(np.radians(terrain.slope_deg(z, north)[10, 10]))
    dx_eq, _ = areas.cell_size_m(0.0, CELL)
    dx_60, _ = areas.cell_size_m(60.0, CELL)
    assert s_eq == pytest.approx(100 / dx_eq, rel=1e-3)
    assert s_60 / s_eq == pytest.approx(dx_eq / dx_60, rel=1e-3)
    assert s_60 / s_eq == pytest.approx(2.0, rel=0.01)


def test_plateau_is_flat_and_high_classes_need_no_slope():
    z = np.full((15, 15), 3600.0)
    grid = Grid(cell_deg=CELL, lat_top=30.0, wrap_x=False)
    cls, slope, ler = terrain.kapos_classes(z, grid)
    assert slope.max() == 0 and ler.max() == 0
    assert (cls == 2).all()  # 3500-4500 m is class 2 whatever the slope


def test_flat_plateau_at_2000_m_is_not_mountain():
    z = np.full((15, 15), 2000.0)
    cls, _, _ = terrain.kapos_classes(z, Grid(lat_top=30.0, wrap_x=False))
    assert (cls == 0).all()


def test_cone_classes_by_elevation_and_relief():
    n = 61
    grid = Grid(cell_deg=CELL, lat_top=n * CELL / 2, wrap_x=False)
    dx, dy = areas.cell_size_m(0.0, CELL)
    yy, xx = np.mgrid[0:n, 0:n]
    r = np.hypot((xx - 30) * dx, (yy - 30) * dy)  # metres from the summit
    z = np.maximum(5000.0 - r * math.tan(math.radians(4.0)), 0.0)  # a 4° cone, summit 5000 m
    cls, slope, _ = terrain.kapos_classes(z, grid)
    assert cls[30, 30] == 1
    for k, lo, hi in [(1, 4500, 1e9), (2, 3500, 4500), (3, 2500, 3500), (4, 1500, 2500)]:
        ring = (z >= lo) & (z < hi) & ((slope > 2.5) if k == 4 else True)
        assert ring.any() and (cls[ring] == k).all(), k
    # 1000-1500 m on a 4° slope: slope < 5°, but the relief within 7 km (> 300 m) makes it class 5
    band = (z >= 1050) & (z < 1450)
    assert (cls[band] == 5).all()


def test_class_boundaries():
    grid = Grid(lat_top=1.0, wrap_x=False)
    flat = lambda v: np.full((5, 5), float(v))  # noqa: E731
    assert terrain.kapos_classes(flat(4500), grid)[0][2, 2] == 1
    assert terrain.kapos_classes(flat(4499), grid)[0][2, 2] == 2
    assert terrain.kapos_classes(flat(3500), grid)[0][2, 2] == 2
    assert terrain.kapos_classes(flat(2500), grid)[0][2, 2] == 3
    assert terrain.kapos_classes(flat(2499), grid)[0][2, 2] == 0  # flat: class 4 needs slope >= 2°


def test_class_6_needs_more_than_300_m_relief():
    grid = Grid(lat_top=1.0, wrap_x=False)
    z = np.full((7, 7), 600.0)
    z[3, 4] = 900.0  # relief exactly 300 m: not more than 300
    assert terrain.kapos_classes(z, grid)[0][3, 3] == 0
    z[3, 4] = 901.0
    assert terrain.kapos_classes(z, grid)[0][3, 3] == 6


def test_sea_is_no_data_and_counts_as_sea_level_for_neighbours():
    grid = Grid(lat_top=1.0, wrap_x=False)
    z = np.full((7, 7), 800.0)
    z[:, :2] = np.nan  # sea on the west
    cls, _, ler = terrain.kapos_classes(z, grid)
    assert (cls[:, :2] == terrain.CLASS_NODATA).all()
    assert ler[3, 2] == 800.0 and cls[3, 2] == 6  # a 800 m cliff above the sea


def test_ler_footprint_includes_cells_the_7km_disk_touches():
    eq = terrain.ler_footprint(0.0, CELL)
    assert sorted(eq) == [(di, dj) for di in (-1, 0, 1) for dj in (-1, 0, 1)]
    north = terrain.ler_footprint(70.0, CELL)  # cells ~3.2 km wide: the disk reaches further east-west
    assert max(dj for _, dj in north) == 2 and max(abs(di) for di, _ in north) == 1


def test_wrap_across_the_antimeridian():
    z = np.full((5, 12), 500.0)
    z[2, 0] = 900.0
    grid = Grid(cell_deg=30.0, lat_top=75.0, wrap_x=True)
    gx, _ = terrain.gradients(z, grid)
    assert gx[2, -1] > 0  # the last column sees column 0 as its eastern neighbour


def test_hillshade_lights_slopes_facing_the_light():
    z, grid = ramp(0.0, 10.0, "east")
    facing_west = terrain.hillshade(z, cell_deg=CELL, lat_top=grid.lat_top)[10, 10]  # rises east: faces west
    facing_east = terrain.hillshade(z[:, ::-1], cell_deg=CELL, lat_top=grid.lat_top)[10, 10]
    flat = terrain.hillshade(np.zeros_like(z), cell_deg=CELL, lat_top=grid.lat_top)[10, 10]
    assert facing_west > flat > facing_east  # light from the north-west


def test_decode_altitude():
    raw = np.array([[0, 16, 255]], dtype=np.uint8)
    z = terrain.decode_altitude(raw)
    assert z[0, 0] == -450 and z[0, 1] == 16 * 28 - 450 and np.isnan(z[0, 2])


def test_cell_areas_sum_to_the_ellipsoid():
    rows = areas.row_cell_areas_km2(90.0, CELL, 2160)
    assert rows.sum() * 4320 == pytest.approx(areas.WGS84_AREA_KM2, rel=1e-9)
    assert rows[1080] > rows[0] * 100  # equator cells much larger than polar ones


def test_exact_coverage_of_a_polygon_cutting_cells():
    import shapely

    cls = np.zeros((2160, 4320), dtype=np.uint8)
    cls[:, :] = 1  # every cell class 1
    box = shapely.box(0.0, 0.0, 1.0 + CELL / 2, 1.0)  # cuts a column of cells in half
    got = terrain.class_areas_in([box], cls)[0]
    from pyproj import Geod

    want = abs(Geod(ellps="WGS84").geometry_area_perimeter(box)[0]) / 1e6
    assert got["class1_km2"] == pytest.approx(want, rel=2e-3)
