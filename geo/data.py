"""Read the derived files under ``data/``, each checked against ``data/manifest.json``.

Every reader verifies the file's sha256 once per process (and again if the file changes on
disk) and raises :class:`geo.errors.DataFileError` naming the file if it is missing, corrupt
or not in the manifest. Results are cached per version of the file (folder, modification time,
size) and shared: treat them as read-only (copy first). Nothing needs clearing: a swapped folder
or a replaced file is a new key.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import catalog, manifest, paths
from geo.errors import DataFileError, ParamError

_lock = threading.Lock()
#: files already checked against the manifest, per (data folder, file): (mtime, size) when checked.
#: Bounded: one entry per manifest file and data folder; cleared if it ever exceeds this.
_VERIFIED_MAX = 4096
_verified: dict[tuple[str, str], tuple[float, int]] = {}


def _dir() -> Path:
    return paths.data_dir()


def file(relpath: str) -> Path:
    """The verified path of data file ``relpath``."""
    d = _dir()
    full = d / relpath
    try:
        st = full.stat()
    except FileNotFoundError:
        raise DataFileError(f"data file {relpath} is missing") from None
    key = (str(d), relpath)
    stamp = (st.st_mtime, st.st_size)
    with _lock:
        if _verified.get(key) == stamp:
            return full
    status = manifest.check_file(relpath, manifest.entry(relpath, d), d)
    if not status.ok:
        raise DataFileError(status.problem)
    with _lock:
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[key] = stamp
    return full


def version(relpaths) -> tuple:
    """A cheap key for values derived from the data files ``relpaths``, without checking them:
    their folder, modification times and sizes (``None`` for a missing file). A file replaced or
    repaired in place changes it."""
    d = _dir()
    out: list = [str(d)]
    for rel in relpaths:
        try:
            st = (d / rel).stat()
            out.append((rel, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((rel, None))
    return tuple(out)


def stamp(relpaths) -> tuple:
    """A key for values derived from the data files ``relpaths``: their folder, modification times
    and sizes (verified first). It changes when any of them is replaced, so a cache keyed by it is
    never stale. Raises :class:`DataFileError` like :func:`file`."""
    d = str(_dir())
    out = [d]
    for rel in relpaths:
        st = file(rel).stat()
        out.append((rel, st.st_mtime_ns, st.st_size))
    return tuple(out)


def problems(relpaths) -> list[str]:
    """Problems (messages) with the given data files; empty when all are fine."""
    out = []
    for rel in dict.fromkeys(relpaths):
        try:
            file(rel)
        except DataFileError as e:
            out.append(str(e))
    return out


@lru_cache(maxsize=64)
def _table(d: str, relpath: str, mtime: float) -> pd.DataFrame:
    try:
        return pd.read_csv(Path(d) / relpath, dtype={"iso3": "string"}, keep_default_na=False, na_values=[""])
    except Exception as e:  # a parse error is a damaged file
        raise DataFileError(f"data file {relpath} cannot be read: {e}") from e


def table(relpath: str) -> pd.DataFrame:
    p = file(relpath)
    return _table(str(_dir()), relpath, p.stat().st_mtime)


@lru_cache(maxsize=32)
def _vector(d: str, relpath: str, mtime: float) -> gpd.GeoDataFrame:
    try:
        g = gpd.read_file(Path(d) / relpath)
    except Exception as e:
        raise DataFileError(f"data file {relpath} cannot be read: {e}") from e
    if "iso3" in g.columns:
        g["iso3"] = g["iso3"].astype("string")
    return g


def vector(relpath: str) -> gpd.GeoDataFrame:
    p = file(relpath)
    return _vector(str(_dir()), relpath, p.stat().st_mtime)


@lru_cache(maxsize=32)
def _json(d: str, relpath: str, mtime: float):
    try:
        return json.loads((Path(d) / relpath).read_text(encoding="utf-8"))
    except Exception as e:
        raise DataFileError(f"data file {relpath} cannot be read: {e}") from e


def json_file(relpath: str):
    p = file(relpath)
    return _json(str(_dir()), relpath, p.stat().st_mtime)


@lru_cache(maxsize=8)
def _raster(d: str, relpath: str, mtime: float):
    import rasterio

    try:
        with rasterio.open(Path(d) / relpath) as src:
            arr = src.read(1)
            return arr, src.transform, src.nodata
    except Exception as e:
        raise DataFileError(f"data file {relpath} cannot be read: {e}") from e


def raster(relpath: str) -> tuple[np.ndarray, object, float | None]:
    """``(array, affine transform, nodata)`` of a single-band GeoTIFF."""
    p = file(relpath)
    return _raster(str(_dir()), relpath, p.stat().st_mtime)


# Named readers for the contract in docs/DATA.md -----------------------------------------

def countries() -> gpd.GeoDataFrame:
    return vector("vector/countries.geojson")


def mountain_stats() -> pd.DataFrame:
    return table("stats/country_mountain_area.csv")


def sdg_meta() -> dict:
    return json_file("sdg/series.json")


SDG_COLUMNS = ["iso3", "name", "year", "value"]


def sdg_series(code: str) -> pd.DataFrame:
    """Country totals of SDG series ``code`` (:data:`SDG_COLUMNS`; ``year`` int, ``value`` float)."""
    rel = f"sdg/{code}.csv"
    df = table(rel)
    if list(df.columns) != SDG_COLUMNS:
        raise DataFileError(f"data file {rel} has columns {list(df.columns)}, expected {SDG_COLUMNS}")
    return df


def paragraphs() -> list[dict]:
    return json_file("resolution/paragraphs.json")


def links() -> pd.DataFrame:
    return table("resolution/links.csv")


def paragraphs_for_view(view_id: str) -> list[dict]:
    """Paragraphs linked to a map page (:data:`geo.catalog.MAP_PAGES`), in document order."""
    if view_id not in catalog.MAP_PAGES:
        raise ParamError(f"unknown view {view_id!r}; views are {', '.join(catalog.MAP_PAGES)}")
    ids = set(links().loc[lambda d: d["view"] == view_id, "paragraph_id"])
    return [p for p in paragraphs() if p["id"] in ids]


def views_for_paragraph(pid: str) -> list[tuple[str, tuple[str, ...]]]:
    """``[(view, layers)]`` that illustrate paragraph ``pid``."""
    rows = links().loc[lambda d: d["paragraph_id"] == pid]
    out = []
    for _, r in rows.iterrows():
        layers = tuple(x for x in str(r["layers"] if pd.notna(r["layers"]) else "").split(";") if x)
        out.append((r["view"], layers))
    return out


def listed() -> tuple[str, ...]:
    """Every file the manifest lists, with the manifest itself (only the manifest when it
    cannot be read)."""
    try:
        return (paths.MANIFEST, *sorted(manifest.files(_dir())))
    except DataFileError:
        return (paths.MANIFEST,)


def manifest_entry(relpath: str) -> dict:
    return manifest.entry(relpath, _dir())
