"""Data downloads of a map view (CSV and GeoJSON) and the download row of a page.

Every download says where its numbers come from, in a form that survives being opened in a
spreadsheet: the CSV has ``layer``, ``source``, ``licence`` and ``citation`` columns on every
row (a leading comment block would break Excel's column detection and is easily lost), is
UTF-8 with a byte-order mark (so Excel shows Chinese names) and has spreadsheet formulas
neutralised (a text cell starting with ``= + - @`` gets a leading apostrophe). The GeoJSON is
one FeatureCollection with a top-level ``metadata`` member (title, view, layers, sources,
licences, citation, URL, date) and features that carry data values, not map styling.

No Streamlit here: the page's download row is ``geo.ui.download_row``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math

import pandas as pd

from geo import catalog, data, figures, layers
from geo.errors import DataFileError
from geo.state import ViewState, public_url

CITATION = "Mountain Atlas, maps for UN General Assembly resolution A/RES/62/196 (Sustainable mountain development)."
STYLE_COLUMNS = ("fill", "stroke", "weight", "fill_opacity", "dash", "tip")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def file_stem(state: ViewState) -> str:
    """``mountain-atlas_<view>_<indicator or map>_<year or latest>_<lang>``."""
    parts = ["mountain-atlas", state.view, state.indicator or "map", str(state.year or "latest"), state.lang]
    return "_".join(parts)


def citation(state: ViewState | None = None, url: str | None = None, today: str | None = None) -> str:
    """The citation line of a download: project, view, URL and access date."""
    parts = [CITATION]
    if state is not None:
        parts.append(f"View: {catalog.view(state.view).title('en')}.")
        url = url or public_url(state)
    if url:
        parts.append(f"{url} (accessed {today or dt.date.today().isoformat()}).")
    return " ".join(parts)


def _safe_cell(v):
    """Neutralise a text cell a spreadsheet would run as a formula."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def table_frame(prepared: list[layers.Prepared], state: ViewState | None = None, url: str | None = None,
                today: str | None = None) -> pd.DataFrame:
    """One long table of every layer's rows with ``layer``, ``layer_title``, ``source``,
    ``licence`` and ``citation`` on each row."""
    cite = citation(state, url, today)
    frames = []
    for p in prepared:
        if not p.ok or p.table is None or p.table.empty:
            continue
        f = p.table.copy()
        if state is not None and p.layer.kind == "choropleth":
            f = figures.rows_for_view(f, state.view)  # a range's table lists the range's countries
        f.insert(0, "layer", p.layer.id)
        f.insert(1, "layer_title", p.title)
        if p.year_label:
            f["year_shown"] = p.year_label
        if p.layer.unit_en and "unit" not in f.columns:
            f["unit"] = p.layer.unit_en
        f["source"], f["licence"] = layers.provenance(p.layer)
        f["citation"] = cite
        frames.append(f)
    if not frames:
        return pd.DataFrame(columns=["layer", "layer_title", "source", "licence", "citation"])
    out = pd.concat(frames, ignore_index=True)
    tail = ["source", "licence", "citation"]
    out = out[[c for c in out.columns if c not in tail] + tail]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].map(_safe_cell)
    return out


def table_csv(prepared: list[layers.Prepared], state: ViewState | None = None, url: str | None = None,
              today: str | None = None) -> bytes:
    """The layers' tables as CSV bytes (UTF-8 with BOM, for Excel), sources on every row.

    Parameters
    ----------
    prepared : list of Prepared
        ``layers.prepare_state(state)``.
    state : ViewState, optional
        Names the view and its URL in the citation column.
    url, today : str, optional
        URL and access date for the citation (defaults: the state's public URL, today).
    """
    buf = io.StringIO()
    table_frame(prepared, state, url, today).to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


def _clean(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def _region_areas(body_id: str) -> dict:
    try:
        reg = data.vector("vector/regions.geojson")
    except DataFileError:
        return {}
    rows = reg[reg["id"] == body_id]
    if rows.empty:
        return {}
    r = rows.iloc[0]
    keep = ("id", "name_en", "name_zh", "approximate", "note", "area_km2")
    return {k: _clean(r[k]) for k in keep if k in rows.columns}


def _features(p: layers.Prepared) -> list[dict]:
    g = p.gdf
    tbl = p.table if p.table is not None else pd.DataFrame()
    by_iso = None
    if "iso3" in tbl.columns and tbl["iso3"].notna().any():
        by_iso = tbl[tbl["iso3"].notna()].drop_duplicates("iso3").set_index("iso3")
    positional = by_iso is None and len(tbl) == len(g)  # places, range extents: one row per feature
    region_props = _region_areas(p.layer.body_id) if p.layer.body_id else {}
    feats = []
    for i, (iso, geom) in enumerate(zip(g["iso3"], g.geometry)):
        if geom is None or geom.is_empty:
            continue
        props: dict = {"layer": p.layer.id}
        if by_iso is not None and pd.notna(iso):
            props["iso3"] = str(iso)
            if iso in by_iso.index:
                props.update({k: _clean(v) for k, v in by_iso.loc[iso].items() if k not in STYLE_COLUMNS})
            elif p.layer.kind in ("choropleth", "categorical"):
                props["status"] = "no data" if p.layer.kind == "choropleth" else "not listed in our sources"
        elif pd.notna(iso):
            props["iso3"] = str(iso)
        elif positional:
            props.update({k: _clean(v) for k, v in tbl.iloc[i].items() if k not in STYLE_COLUMNS})
        elif region_props:
            props.update({"part": "approximate area (not the legal perimeter)", **region_props})
        if p.layer.kind == "choropleth" and props.get("value") is None:
            props["status"] = "no data"
        feats.append({"type": "Feature", "properties": {k: v for k, v in props.items() if v is not None},
                      "geometry": geom.__geo_interface__})
    return feats


def layer_geojson(prepared: list[layers.Prepared], state: ViewState | None = None, url: str | None = None,
                  today: str | None = None) -> bytes:
    """The vector layers of a view as one GeoJSON FeatureCollection (EPSG:4326).

    Parameters
    ----------
    prepared : list of Prepared
        ``layers.prepare_state(state)``.
    state : ViewState, optional
        Gives the metadata's title, view and (by default) URL.
    url, today : str, optional
        The view URL and date in the metadata.

    Returns
    -------
    bytes
        UTF-8 JSON. Features carry ``layer`` and the data values (no colours); a country
        without a value has no ``value`` and ``status: "no data"``: unknown, not zero. Raster
        layers (hillshade, mountain classes) are listed in ``metadata.not_included``.
    """
    today = today or dt.date.today().isoformat()
    if state is not None and url is None:
        url = public_url(state)
    feats = []
    for p in prepared:
        if p.ok and p.gdf is not None and not p.gdf.empty:
            feats.extend(_features(p))
    ok = [p for p in prepared if p.ok]
    prov = {p.layer.id: layers.provenance(p.layer) for p in ok}
    meta = {
        "title": (catalog.view(state.view).title(state.lang) if state else "Mountain Atlas"),
        "view": state.view if state else None,
        "language": state.lang if state else None,
        "layers": [{"id": p.layer.id, "title": p.title, "unit": p.layer.unit(state.lang if state else "en") or None,
                    "year": p.year_label or None, "source": prov[p.layer.id][0], "licence": prov[p.layer.id][1]} for p in ok],
        "sources": sorted({src for src, _ in prov.values()}),
        "licences": sorted({lic for _, lic in prov.values()}),
        "citation": citation(state, url, today),
        "url": url,
        "date": today,
        "crs": "EPSG:4326 (geometries simplified for display at this view's scale)",
        "not_included": [p.layer.id for p in ok if p.raster is not None],
        "note": "Countries without a value have status 'no data' and no 'value': unknown, not zero.",
    }
    doc = {"type": "FeatureCollection", "metadata": meta, "features": feats}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
