"""Data downloads of a map view (CSV and GeoJSON) and the download row of a page.

Every download carries where its numbers come from: the CSV has ``source`` and ``licence``
columns on every row (so a spreadsheet user sees them next to the numbers) and the GeoJSON has a
top-level ``metadata`` member with title, sources, licences, citation, URL and date.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd

from geo import catalog, layers
from geo.state import ViewState

CITATION = "Mountain Atlas, maps for UN General Assembly resolution A/RES/62/196 (Sustainable mountain development)."


def file_stem(state: ViewState) -> str:
    parts = ["mountain-atlas", state.view, state.indicator or "map", str(state.year or "latest"), state.lang]
    return "_".join(parts)


def table_frame(prepared: list[layers.Prepared]) -> pd.DataFrame:
    """One long table of every layer's rows, with layer, source and licence on each row."""
    frames = []
    for p in prepared:
        if not p.ok or p.table is None or p.table.empty:
            continue
        f = p.table.copy()
        f.insert(0, "layer", p.layer.id)
        f["source"] = p.layer.source
        f["licence"] = p.layer.licence
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["layer", "source", "licence"])


def table_csv(prepared: list[layers.Prepared]) -> bytes:
    buf = io.StringIO()
    table_frame(prepared).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8-sig")  # the BOM lets Excel open UTF-8 (Chinese names) correctly


def layer_geojson(state: ViewState, prepared: list[layers.Prepared], url: str = "", today: str | None = None) -> bytes:
    """The vector layers of a view as one FeatureCollection, values not styles, with metadata."""
    feats = []
    for p in prepared:
        if not p.ok or p.gdf is None or p.gdf.empty:
            continue
        g = p.gdf[["iso3", "geometry"]].copy()
        if p.table is not None and "iso3" in p.table.columns and p.table["iso3"].notna().any():
            vals = p.table.drop_duplicates("iso3").set_index("iso3")
            keep = [c for c in ("name_en", "name_zh", "value", "year", "rank", "member_name", "role", "status") if c in vals.columns]
            g = g.join(vals[keep], on="iso3")
        g["layer"] = p.layer.id
        doc = json.loads(g.to_json(drop_id=True, na="drop"))
        feats.extend(doc["features"])
    meta = {
        "title": catalog.view(state.view).title(state.lang),
        "view": state.view,
        "layers": [p.layer.id for p in prepared],
        "sources": sorted({p.layer.source for p in prepared}),
        "licences": sorted({p.layer.licence for p in prepared}),
        "citation": CITATION,
        "url": url,
        "date": today or dt.date.today().isoformat(),
        "note": "Countries without a value have no 'value' property: no data, not zero.",
    }
    return json.dumps({"type": "FeatureCollection", "metadata": meta, "features": feats}, ensure_ascii=False).encode("utf-8")


def download_row(state: ViewState, prepared: list[layers.Prepared]) -> None:
    """Streamlit download buttons (the one function here that uses Streamlit)."""
    import streamlit as st

    from geo import snapshot
    from geo.i18n import t

    stem = file_stem(state)
    cols = st.columns(5)
    mimes = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
    for col, fmt in zip(cols[:3], ("png", "svg", "pdf")):
        col.download_button(t(f"download_{fmt}", state.lang), data=lambda fmt=fmt: _snapshot(state, fmt), file_name=f"{stem}.{fmt}",
                            mime=mimes[fmt], key=f"dl_{fmt}_{state.view}", on_click="ignore")
    cols[3].download_button(t("download_csv", state.lang), data=lambda: table_csv(prepared), file_name=f"{stem}.csv", mime="text/csv",
                            key=f"dl_csv_{state.view}", on_click="ignore")
    cols[4].download_button(t("download_geojson", state.lang), data=lambda: layer_geojson(state, prepared, snapshot.public_url(state)),
                            file_name=f"{stem}.geojson", mime="application/geo+json", key=f"dl_geojson_{state.view}", on_click="ignore")
    st.caption(f"{t('sources', state.lang)}: {CITATION}")


def _snapshot(state: ViewState, fmt: str) -> bytes:
    from geo import snapshot

    return snapshot.render(state.with_(notices=()), fmt)
