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


# ---------------------------------------------------------------------------------------
# the slope the class rules use, and the class-6 latitude qualifier


@pytest.mark.parametrize("lat", [0.0, 60.0])
def test_mountain_slope_equals_plane_slope_on_a_ramp(lat):
    """On a plane the steepest-neighbour slope never exceeds the plane's slope, so the rule slope is exact."""
    for direction in ("east", "north"):
        z, grid = ramp(lat, 3.0, direction)
        s = terrain.mountain_slope_deg(z, grid)[2:-2, 2:-2]
        assert np.allclose(s, 3.0, atol=0.05), (direction, s.min(), s.max())
        assert (terrain.steepest_slope_deg(z, grid)[2:-2, 2:-2] <= s + 1e-9).all()


def test_diagonal_plane_steepest_slope_is_below_the_plane_slope():
    n = 21
    grid = Grid(cell_deg=CELL, lat_top=n * CELL / 2, wrap_x=False)
    dx, dy = areas.cell_size_m(0.0, CELL)
    g = math.tan(math.radians(4.0)) / math.sqrt(2)  # rises north-east at 4 degrees
    yy, xx = np.mgrid[0:n, 0:n]
    z = 2000 + g * (xx * dx - yy * dy)
    plane = terrain.slope_deg(z, grid)[10, 10]
    steep = terrain.steepest_slope_deg(z, grid)[10, 10]
    assert plane == pytest.approx(4.0, abs=0.02)
    assert steep < plane
    assert terrain.mountain_slope_deg(z, grid)[10, 10] == pytest.approx(plane)


def test_a_single_step_is_seen_by_the_steepest_slope_not_by_the_plane_fit():
    """A 9 km-wide ridge: central differences straddle it and see nothing; a neighbour step does."""
    grid = Grid(lat_top=1.0, wrap_x=False)
    z = np.full((9, 9), 1600.0)
    z[:, 4] = 2100.0  # a one-cell ridge 500 m high
    plane = terrain.slope_deg(z, grid)
    steep = terrain.steepest_slope_deg(z, grid)
    dx, _ = areas.cell_size_m(grid.row_lats(9)[4], CELL)
    assert plane[4, 4] == pytest.approx(0.0, abs=1e-9)
    assert steep[4, 4] == pytest.approx(math.degrees(math.atan(500 / dx)), rel=1e-6)
    cls = terrain.kapos_classes(z, grid)[0]
    assert cls[4, 4] == 4 and cls[4, 3] == 4 and cls[4, 0] == 0


def test_class_5_at_5_arcmin_comes_from_relief():
    """5 degrees over one 9.3 km cell is a rise of ~810 m, which is always > 300 m of relief:
    on this grid the slope branch of class 5 never decides alone. 299 m is not enough, 301 m is."""
    grid = Grid(lat_top=1.0, wrap_x=False)
    dx, _ = areas.cell_size_m(0.5, CELL)
    assert math.tan(math.radians(5)) * dx > 300
    z = np.full((7, 7), 1200.0)
    z[3, 4] = 1499.0
    cls, slope, ler = terrain.kapos_classes(z, grid)
    assert slope[3, 3] < 5 and ler[3, 3] == 299 and cls[3, 3] == 0
    z[3, 4] = 1501.0
    assert terrain.kapos_classes(z, grid)[0][3, 3] == 5


def test_class_6_latitude_band_on_request():
    n = 720  # rows from 30N to 30S
    z = np.full((n, 5), 600.0)
    z[:, 2] = 950.0  # relief 350 m everywhere
    grid = Grid(lat_top=30.0, wrap_x=False)
    lats = grid.row_lats(n)
    default = terrain.kapos_classes(z, grid)[0]
    banded = terrain.kapos_classes(z, grid, class6_excluded_band=terrain.CLASS6_SDG_BAND)[0]
    assert (default[:, 1] == 6).all()
    inside = (lats > -19) & (lats < 23)
    assert (banded[inside, 1] == 0).all() and (banded[~inside, 1] == 6).all()


def test_lower_bounds_are_inclusive_at_every_class_edge():
    grid = Grid(lat_top=1.0, wrap_x=False)

    def centre(z):
        return terrain.kapos_classes(z, grid)[0][3, 3]

    flat = np.full((7, 7), 0.0)
    for v, want in [(4500, 1), (3500, 2), (3499, 3), (2500, 3), (2499, 0)]:
        assert centre(flat + v) == want, v
    steep = np.zeros((7, 7)) + np.arange(7)[None, :] * 400.0  # 400 m per cell: > 2 deg, relief > 300 m
    for base, want in [(2499, 4), (1500, 4), (1000, 5), (300, 6), (299, 0)]:
        z = steep + (base - steep[3, 3])
        assert centre(z) == want, base
    z = steep + (999 - steep[3, 3])
    assert centre(z) == 6
    z = steep + (1499 - steep[3, 3])
    assert centre(z) == 5


# ---------------------------------------------------------------------------------------
# outputs


def test_class_polygons_tile_the_classes_without_gaps_or_overlaps():
    import itertools

    cls = np.zeros((2160, 4320), dtype=np.uint8)
    cls[:] = terrain.CLASS_NODATA
    r0, c0 = 1000, 2000
    cls[r0:r0 + 30, c0:c0 + 30] = 0
    cls[r0 + 5:r0 + 25, c0 + 5:c0 + 25] = 4
    cls[r0 + 10:r0 + 20, c0 + 10:c0 + 20] = 2
    cls[r0 + 12, c0 + 2] = 6  # a single cell
    cls[10:20, 0:3] = 3  # touches the antimeridian
    g = terrain.class_polygons(cls)
    assert list(g["class"]) == [2, 3, 4, 6]
    assert g.is_valid.all()
    for a, b in itertools.combinations(g.geometry, 2):
        assert a.intersection(b).area < 1e-9
    b = g.total_bounds
    assert b[0] >= -180 and b[2] <= 180
    c2 = g.set_index("class").geometry[2]
    assert c2.area == pytest.approx((10 * CELL) ** 2, rel=0.02)  # a 10x10-cell square survives simplification
    assert g.set_index("class").geometry[6].area > 0  # a single cell is kept
    assert "3500" in g.set_index("class").loc[2, "name_en"]


def test_compact_geojson_is_deterministic_and_readable(tmp_path):
    import geopandas as gpd
    import shapely

    g = gpd.GeoDataFrame({"class": [1], "name_en": ["a"], "name_zh": ["第1类"]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
    p1, p2 = tmp_path / "a.geojson", tmp_path / "b.geojson"
    terrain.write_compact_geojson(g, p1)
    terrain.write_compact_geojson(g, p2)
    assert p1.read_bytes() == p2.read_bytes()
    back = gpd.read_file(p1)
    assert back.loc[0, "name_zh"] == "第1类" and back.geometry[0].equals(shapely.box(0, 0, 1, 1))
    ring = list(back.geometry[0].exterior.coords)
    assert shapely.LinearRing(ring).is_ccw  # RFC 7946 shells are counter-clockwise


def test_geotiff_bytes_are_deterministic(tmp_path):
    import hashlib

    arr = (np.arange(2160 * 4320) % 3000).reshape(2160, 4320).astype(np.int16)
    digests = []
    for name in ("a.tif", "b.tif"):
        terrain._write_tif(tmp_path / name, arr, terrain.NODATA_I16, "int16", {"X": "y"})
        digests.append(hashlib.sha256((tmp_path / name).read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_pvlib_attribution_is_read_from_the_wheel():
    from geo import paths

    wheel = paths.CACHE_DIR / "pvlib-0.16.1-py3-none-any.whl"
    if not wheel.exists():
        pytest.skip(f"{wheel} not downloaded (run make data)")
    text = terrain.pvlib_attribution(wheel)
    assert "ETOPO1" in text and "U.S. Geological Survey" in text
    assert "Administration; Mexico" in text  # one item per bullet, none run together


# ---------------------------------------------------------------------------------------
# the committed build output


def _data(rel):
    from geo import paths

    p = paths.data_dir() / rel
    if not p.exists():
        pytest.skip(f"{p} is absent: run `python -m geo.build --only terrain --only mountain-stats`")
    return p


def test_elevation_tif_is_the_contract():
    import rasterio

    with rasterio.open(_data("terrain/elevation.tif")) as src:
        assert (src.width, src.height, src.dtypes[0], src.nodata) == (4320, 2160, "int16", -32768)
        assert src.crs.to_epsg() == 4326
        assert src.transform.a == pytest.approx(1 / 12) and src.transform.c == -180 and src.transform.f == 90
        tags = src.tags()
        assert "BSD-3-Clause" in tags["LICENSE"] and "ETOPO1" in tags["ATTRIBUTION"]
        z = src.read(1)
    r, c = int((90 - 27.988) * 12), int((86.925 + 180) * 12)
    assert 5500 < z[r - 2:r + 3, c - 2:c + 3].max() < 8849  # 5' cells average Everest's summit away
    assert (z[2099] != -32768).mean() > 0.99  # Antarctica at 84.9 S is land ...
    assert (z[2100:] == -32768).all()  # ... but the DEM (Web Mercator tiles) stops at 85 S: documented gap


def test_class_raster_and_vectors_are_the_contract():
    import geopandas as gpd
    import rasterio

    with rasterio.open(_data("terrain/mountain_classes.tif")) as src:
        cls = src.read(1)
        assert src.nodata == 255 and src.dtypes[0] == "uint8"
    assert set(np.unique(cls)) <= {0, 1, 2, 3, 4, 5, 6, 255}
    mont_blanc = cls[int((90 - 45.833) * 12), int((6.865 + 180) * 12)]
    assert mont_blanc in (1, 2, 3)
    p = _data("vector/mountain_classes.geojson")
    assert p.stat().st_size < 5_000_000
    g = gpd.read_file(p)
    assert list(g["class"]) == [1, 2, 3, 4, 5, 6] and list(g.columns[:3]) == ["class", "name_en", "name_zh"]
    assert g.is_valid.all()
    b = g.total_bounds
    assert b[0] >= -180 and b[2] <= 180
