"""Layer preparation shared by the live map (:mod:`geo.mapping`), snapshots and exports.

``prepare(view_id, layer_id, lang, year)`` turns a catalogue layer into what any renderer
needs: geometry clipped and simplified for the view, one colour per feature, an escaped
tooltip, a legend, a table (the text alternative and CSV download) and the source line.
Because every renderer reads the same :class:`Prepared`, the live map and the snapshot show
the same thing.

Unknown is never zero: a country without a value gets the "no data" style and legend entry.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import catalog, data, figures, i18n
from geo.errors import DataFileError
from geo.i18n import t

WEB_MERCATOR = "EPSG:3857"
MAX_LAT = 85.0

#: Okabe-Ito colours (colour-blind safe) for categories and bodies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
#: Body colours stand out against the yellow-orange-brown mountain classes: no orange or
#: vermillion (ICIMOD's vermillion washed out the orange classes on the HKH page).
BODY_COLOURS = {
    "alpine-convention": OKABE_ITO["blue"],
    "carpathian-convention": OKABE_ITO["green"],
    "icimod": OKABE_ITO["sky"],
    "andean-initiative": OKABE_ITO["purple"],
}
#: Fill opacity of a body's approximate area: light, so the classes below stay legible
REGION_FILL_OPACITY = 0.1
NO_DATA_FILL = "#d9d9d9"
NO_DATA_STROKE = "#8c8c8c"
COUNTRY_STROKE = "#555555"
PERCENT_BINS = (0, 10, 25, 50, 75, 100.0001)


@dataclass
class LegendItem:
    colour: str
    label: str
    hatch: bool = False  # "no data" swatches are hatched in snapshots
    outline: str | None = None
    dash: bool = False  # the feature is drawn with a dashed outline


@dataclass
class Legend:
    title: str
    unit: str
    items: list[LegendItem]


@dataclass
class Prepared:
    """A layer ready to draw. Polygons and points are EPSG:4326; images are EPSG:3857."""

    layer: catalog.Layer
    title: str
    gdf: gpd.GeoDataFrame | None = None  # columns: geometry, fill, stroke, weight, fill_opacity, dash, tip
    #: a raster layer's image, made when first drawn (a page's text, table and sources do not need
    #: it): () -> (RGBA uint8 array in EPSG:3857, (minx, miny, maxx, maxy) in EPSG:3857), cached
    raster: Callable[[], tuple[np.ndarray, tuple[float, float, float, float]]] | None = field(default=None, repr=False)
    image_format: str = "png"
    legend: Legend | None = None
    table: pd.DataFrame | None = None
    source_line: str = ""
    year_label: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def image(self) -> np.ndarray | None:
        """RGBA uint8, EPSG:3857 (None for a vector layer)."""
        return self.raster()[0] if self.raster else None

    @property
    def image_bounds(self) -> tuple[float, float, float, float] | None:
        """minx, miny, maxx, maxy of :attr:`image` in EPSG:3857."""
        return self.raster()[1] if self.raster else None


# ---------------------------------------------------------------------------------------
# geometry helpers


def view_bounds(view_id: str) -> tuple[float, float, float, float]:
    """The view's bbox, clamped to what Web Mercator can show."""
    minx, miny, maxx, maxy = catalog.view(view_id).bbox
    return (max(minx, -180.0), max(miny, -MAX_LAT), min(maxx, 180.0), min(maxy, MAX_LAT))


def data_bounds(view_id: str) -> tuple[float, float, float, float]:
    """The view's bbox padded by half its longest side (clamped): what its map files cover, so
    a frame of another aspect ratio shows terrain and whole borders, not cut edges."""
    minx, miny, maxx, maxy = view_bounds(view_id)
    if maxx - minx >= 359:
        return (-180.0, -MAX_LAT, 180.0, MAX_LAT)
    pad = max(maxx - minx, maxy - miny) / 2
    return (max(minx - pad, -180.0), max(miny - pad, -MAX_LAT), min(maxx + pad, 180.0), min(maxy + pad, MAX_LAT))


def tolerance(view_id: str) -> float:
    """Simplification tolerance in degrees: about a pixel of a 1200-pixel map of the view."""
    minx, miny, maxx, maxy = view_bounds(view_id)
    return max(max(maxx - minx, maxy - miny) / 1200.0, 0.002)


def _clip(gdf: gpd.GeoDataFrame, view_id: str, pad: float = 1.0) -> gpd.GeoDataFrame:
    """Clip to the view's data bounds (``pad=0``: to the view itself)."""
    minx, miny, maxx, maxy = view_bounds(view_id)
    if (maxx - minx) >= 359:
        return gdf
    if pad:
        minx, miny, maxx, maxy = data_bounds(view_id)
    box = shapely.box(max(minx - pad, -180), max(miny - pad, -90), min(maxx + pad, 180), min(maxy + pad, 90))
    sub = gdf[gdf.intersects(box)].copy()
    sub["geometry"] = sub.geometry.intersection(box)
    return sub[~sub.geometry.is_empty]


def _round(geoms, grid: float):
    """Snap to ``grid`` keeping valid output. GEOS's rounding fails on a few inputs ("unable to
    assign free hole to a shell", ICIMOD's area on the world view): those keep their
    simplified, unrounded shape."""
    try:
        out = shapely.set_precision(geoms, grid)
    except shapely.errors.GEOSException:
        out = geoms.copy()
        for i, g in enumerate(geoms):
            try:
                out[i] = shapely.set_precision(g, grid)
            except shapely.errors.GEOSException:
                out[i] = g
    for i in np.flatnonzero(~shapely.is_valid(out)):  # e.g. nested shells left by simplification
        try:
            out[i] = shapely.make_valid(out[i], method="structure")
        except shapely.errors.GEOSException:
            pass
    return out


def _simplify(gdf: gpd.GeoDataFrame, view_id: str) -> gpd.GeoDataFrame:
    tol = tolerance(view_id)
    out = gdf.copy()
    geoms = shapely.simplify(out.geometry.values, tol, preserve_topology=True)
    # a decimal grid keeps the GeoJSON short (0.001, not 0.0096 whose multiples print long)
    geoms = _round(geoms, 10 ** math.floor(math.log10(tol / 4)))
    out["geometry"] = geoms
    vals = out.geometry.values
    return out[~(shapely.is_empty(vals) | shapely.is_missing(vals))]


def countries_for_view(view_id: str) -> gpd.GeoDataFrame:
    """Countries clipped to the view and simplified to what it can show (cached per version of
    the countries file, shared: read-only)."""
    return _countries_for_view(view_id, data.stamp(("vector/countries.geojson",)))


@lru_cache(maxsize=16)
def _countries_for_view(view_id: str, stamp: tuple) -> gpd.GeoDataFrame:
    return _simplify(_clip(data.countries(), view_id), view_id)


_URL = re.compile(r"https?://[^\s\u3000-\u303f\uff00-\uffef]+?(?=[\s\u3000-\u303f\uff00-\uffef]|[.,;)](?:\s|$)|$)")


def first_sentence(text: str) -> str:
    """The first sentence of a statement (for legends), in English or Chinese."""
    m = re.search(r"^.*?(?:[。；]|[.;](?=\s)|[（(])", text)
    return (m.group(0).rstrip("（(") if m else text).strip()


def md_links(text: str) -> str:
    """Markdown with each URL as an explicit link that stops at Chinese punctuation
    (markdown's auto-linking would run a link on into the Chinese text after it)."""
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(esc(text[last:m.start()]).replace("[", "\\[").replace("]", "\\]"))
        out.append(f"[{esc(m.group(0))}]({m.group(0)})")
        last = m.end()
    out.append(esc(text[last:]).replace("[", "\\[").replace("]", "\\]"))
    return "".join(out)


def esc(value) -> str:
    """HTML-escape anything shown to a person (data or user text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True)


def tip(title: str, rows: list[tuple[str, object]], lang: str = "en") -> str:
    """An escaped tooltip: a bold title and label/value lines (a label may be empty)."""
    sep = i18n.colon(lang)
    lines = [f"<b>{esc(title)}</b>"] + [f"{esc(k)}{sep}{esc(v)}" if k else esc(v) for k, v in rows if v not in (None, "")]
    return "<br>".join(lines)


def country_name(row, lang: str) -> str:
    if lang == "zh" and isinstance(row.get("name_zh"), str) and row.get("name_zh"):
        return row["name_zh"]
    return row.get("name_en") or row.get("iso3") or ""


def fmt_number(v: float, unit: str = "", lang: str = "en") -> str:
    """A number with its unit, by :func:`geo.i18n.fmt_number` (the one number formatter)."""
    s = i18n.fmt_number(v, lang)
    return f"{s} {unit}".strip() if s else ""


def source_line(layer: catalog.Layer, lang: str, extra: list[str] | None = None) -> str:
    """``Sources: publisher, title (year), link; … Licence: …`` in ``lang``: sources a reader
    can reach. The full provenance (files, versions, build steps) is :func:`provenance`, from
    data/manifest.json, shown one click away on the page."""
    cites = list(dict.fromkeys([*(s.cite(lang) for s in cited(layer.files)), *(extra or [])]))
    sep, end = ("；", "。") if lang == "zh" else ("; ", ".")
    col = i18n.colon(lang)
    text = f"{t('sources' if len(cites) > 1 else 'source', lang)}{col}{sep.join(cites)}" if cites else ""
    lic = f"{t('licence', lang)}{col}{layer.licence_text(lang)}{end}"
    return f"{text}. {lic}" if lang != "zh" and text else f"{text}{'。' if text else ''}{lic}"


def provenance(layer: catalog.Layer) -> tuple[str, str]:
    """``(sources, licences)`` of a layer: :func:`file_provenance` of the files it reads."""
    return file_provenance(layer.files)


def file_provenance(files) -> tuple[str, str]:
    """``(sources, licences)`` from the manifest entries of data files: each source once (with
    its package version where it has one), then each licence once. A file the manifest does not
    list adds nothing (the page names it as a problem)."""
    names: dict[str, None] = {}
    lics: dict[str, None] = {}
    for rel in files:
        try:
            entry = data.manifest_entry(rel)
        except DataFileError:
            continue
        for src in entry.get("sources", []):
            name, ver = str(src.get("name", "")).strip(), src.get("version")
            if name:
                names[f"{name} {ver}" if ver and str(ver) not in name else name] = None
            if src.get("licence"):
                lics[str(src["licence"]).strip()] = None
    return "; ".join(names), "; ".join(lics)


def cited(files) -> list[catalog.Source]:
    """The public sources of data files, as the build cited them in data/manifest.json: for each
    file, its own citation (a file this project computed) and then its sources', each once.
    A file the manifest does not list adds nothing (the page names it as a problem)."""
    out: dict[catalog.Source, None] = {}
    for rel in files:
        try:
            entry = data.manifest_entry(rel)
        except DataFileError:
            continue
        for rec in [entry.get("cite"), *(s.get("cite") for s in entry.get("sources", []) if isinstance(s, dict))]:
            if isinstance(rec, dict):
                out[catalog.Source.from_record(rec)] = None
    return list(out)


def citations(layer: catalog.Layer, lang: str) -> list[str]:
    """Every public source of a layer in ``lang``: those of the files it reads (:func:`cited`) and,
    for member lists, the pages the rows cite (from the data)."""
    extra: list[str] = []
    try:
        if layer.body_id:
            extra = member_sources(layer.body_id, lang)
        elif layer.kind == "categorical":
            tbl = data.table("tables/partnership_members.csv")
            urls = list(dict.fromkeys(u for u in (figures.first_url(str(c)) for c in tbl["source"].dropna()) if u))
            extra = [f"{t('nav_partnership', lang)}{i18n.colon(lang)}{' '.join(urls)}"] if urls else []
    except DataFileError:
        pass
    return list(dict.fromkeys([*(s.cite(lang) for s in cited(layer.files)), *extra]))


def member_sources(body_id: str, lang: str) -> list[str]:
    """Where the body's member list comes from: its public pages (from the data)."""
    m = data.table("tables/regional_members.csv")
    urls = []
    for cell in m.loc[m["body_id"] == body_id, "source"].dropna():
        u = figures.first_url(str(cell))
        if u and u not in urls:
            urls.append(u)
    label = t("members_of", lang, body=figures.body_name(body_id, lang))
    return [f"{label}{i18n.colon(lang)}{' '.join(urls)}"] if urls else []


# ---------------------------------------------------------------------------------------
# colours


def colours(palette: str, n: int) -> list[str]:
    import matplotlib

    cmap = matplotlib.colormaps[palette]
    lo, hi = (0.12, 0.95) if n > 1 else (0.6, 0.6)
    return [matplotlib.colors.to_hex(cmap(lo + (hi - lo) * i / max(n - 1, 1))) for i in range(n)]


def bins_for(layer: catalog.Layer, values: pd.Series) -> list[float]:
    """Class breaks: fixed for percentages, rounded quantiles otherwise (global, so views agree)."""
    if "%" in layer.unit_en:
        return list(PERCENT_BINS)
    v = values.dropna().to_numpy(dtype=float)
    if len(v) == 0:
        return [0.0, 1.0]
    qs = np.unique(np.quantile(v, [0, 0.2, 0.4, 0.6, 0.8, 1.0]))

    def nice(x: float) -> float:
        if x == 0:
            return 0.0
        mag = 10 ** math.floor(math.log10(abs(x)))
        return round(x / mag, 1) * mag

    edges = sorted({nice(q) for q in qs[1:-1]})
    return [float(v.min())] + [e for e in edges if v.min() < e < v.max()] + [float(v.max()) + 1e-9]


def bin_labels(edges: list[float], unit: str) -> list[str]:
    out = []
    for a, b in zip(edges[:-1], edges[1:]):
        hi = 100 if b > 100 and "%" in unit else b
        out.append(f"{fmt_number(a)}–{fmt_number(hi)}")
    return out


# ---------------------------------------------------------------------------------------
# values per country


def _numbers(values: pd.Series, relpath: str) -> pd.Series:
    """Values as floats; a cell that is not a number is a damaged file (named, value not echoed)."""
    try:
        return values.astype(float)
    except (ValueError, TypeError):
        raise DataFileError(f"data file {relpath} has a value that is not a number") from None


def indicator_values(layer_id: str, year: int | None) -> tuple[pd.DataFrame, str]:
    """``(frame with iso3, value, year, all-years values for binning), year label)``."""
    layer = catalog.layer(layer_id)
    if layer_id == "mountain_share":
        st = data.mountain_stats()
        df = pd.DataFrame({"iso3": st["iso3"], "value": _numbers(st["mountain_share_pct"], "stats/country_mountain_area.csv"), "year": pd.NA})
        return df, ""
    series = data.sdg_series(layer.sdg_code).copy()
    series["value"] = _numbers(series["value"], layer.files[0])
    if year is None:
        latest = series.sort_values("year").groupby("iso3", as_index=False).last()
        return latest[["iso3", "value", "year"]], "latest"
    return series.loc[series["year"] == year, ["iso3", "value", "year"]], str(year)


def available_years(layer_id: str) -> list[int]:
    layer = catalog.layer(layer_id)
    if not layer.sdg_code:
        return []
    try:
        return sorted(int(y) for y in data.sdg_series(layer.sdg_code)["year"].unique())
    except DataFileError:
        return []


# ---------------------------------------------------------------------------------------
# preparation per kind


def _choropleth(view_id: str, layer: catalog.Layer, lang: str, year: int | None) -> Prepared:
    vals, year_label = indicator_values(layer.id, year)
    all_vals = data.mountain_stats()["mountain_share_pct"] if layer.id == "mountain_share" else data.sdg_series(layer.sdg_code)["value"]
    edges = bins_for(layer, all_vals.astype(float))
    cols = colours(layer.palette, len(edges) - 1)
    g = countries_for_view(view_id).merge(vals, on="iso3", how="left")
    idx = np.clip(np.searchsorted(edges, g["value"].to_numpy(dtype=float), side="right") - 1, 0, len(cols) - 1)
    has = g["value"].notna().to_numpy()
    g["fill"] = np.where(has, np.array(cols, dtype=object)[idx], NO_DATA_FILL)
    g["stroke"] = np.where(has, COUNTRY_STROKE, NO_DATA_STROKE)
    g["weight"] = 0.5
    g["fill_opacity"] = np.where(has, 0.75, 0.5)
    g["dash"] = np.where(has, "", "3 3")
    unit = layer.unit(lang)
    no_data = t("no_data", lang)

    cites = [s.cite(lang) for s in cited(layer.files)]

    def row_tip(r) -> str:
        val = fmt_number(r["value"], unit, lang) if pd.notna(r["value"]) else no_data
        yr = "" if pd.isna(r.get("year")) else str(int(r["year"]))
        return tip(country_name(r, lang), [(layer.title(lang), val), (t("year", lang), yr),
                                           (t("source", lang), "; ".join(cites))], lang)

    g["tip"] = [row_tip(r) for _, r in g.iterrows()]
    legend = Legend(
        title=layer.title(lang) + (f" ({year_label})" if year_label and year_label != "latest" else ""),
        unit=unit,
        items=[LegendItem(c, lab) for c, lab in zip(cols, bin_labels(edges, layer.unit_en))]
        + [LegendItem(NO_DATA_FILL, no_data, hatch=True, outline=NO_DATA_STROKE)],
    )
    minx, miny, maxx, maxy = view_bounds(view_id)
    in_view = g.geometry.intersects(shapely.box(minx, miny, maxx, maxy)).to_numpy()  # the map file covers more
    tbl = g.loc[in_view, ["iso3", "name_en", "name_zh", "value", "year"]].copy()
    tbl = tbl.sort_values("value", ascending=False, na_position="last").reset_index(drop=True)
    tbl.insert(0, "rank", [i + 1 if pd.notna(v) else pd.NA for i, v in enumerate(tbl["value"])])
    tbl["value"] = tbl["value"].round(3)
    return Prepared(layer, layer.title(lang), gdf=g[["iso3", "geometry", "fill", "stroke", "weight", "fill_opacity", "dash", "tip"]],
                    legend=legend, table=tbl, source_line=source_line(layer, lang), year_label=year_label)


def partnership_status() -> pd.DataFrame:
    """Per listed government: iso3 and status ``listed`` or ``listed_unsure``."""
    m = data.table("tables/partnership_members.csv")
    gov = m[m["category"].str.startswith("government") & m["iso3"].notna()].copy()
    gov["status"] = np.where(gov["certainty"].fillna("").str.upper().str.contains("UNSURE"), "listed_unsure", "listed")
    return gov.sort_values("status").drop_duplicates("iso3")[["iso3", "name", "status", "as_of", "source"]]


def _partnership(view_id: str, layer: catalog.Layer, lang: str) -> Prepared:
    st = partnership_status()
    meta = data.json_file("tables/partnership_meta.json")
    g = countries_for_view(view_id).merge(st, on="iso3", how="left")
    colour = {"listed": OKABE_ITO["blue"], "listed_unsure": OKABE_ITO["sky"]}
    status = g["status"].fillna("not_listed")
    g["fill"] = [colour.get(s, NO_DATA_FILL) for s in status]
    g["stroke"] = [COUNTRY_STROKE if s != "not_listed" else NO_DATA_STROKE for s in status]
    g["weight"] = 0.5
    g["fill_opacity"] = [0.7 if s != "not_listed" else 0.35 for s in status]
    g["dash"] = ""
    labels = {"listed": t("listed_member", lang), "listed_unsure": t("listed_unsure", lang), "not_listed": t("not_listed", lang)}
    g["tip"] = [
        tip(country_name(r, lang), [(layer.title(lang), labels[s]), (t("as_of", lang), r.get("as_of") if s != "not_listed" else ""),
                                    (t("source", lang), r.get("source") if s != "not_listed" else "")], lang)
        for (_, r), s in zip(g.iterrows(), status)
    ]
    statement = meta.get("statement_zh" if lang == "zh" else "statement_en", "")
    legend = Legend(layer.title(lang), first_sentence(statement), [
        LegendItem(colour["listed"], labels["listed"]),
        LegendItem(colour["listed_unsure"], labels["listed_unsure"]),
        LegendItem(NO_DATA_FILL, labels["not_listed"], hatch=True, outline=NO_DATA_STROKE),
    ])
    tbl = data.table("tables/partnership_members.csv").copy()
    urls = list(dict.fromkeys(u for u in (figures.first_url(str(c)) for c in tbl["source"].dropna()) if u))
    urls = [f"{t('nav_partnership', lang)}{i18n.colon(lang)}{' '.join(urls)}"] if urls else []
    return Prepared(layer, layer.title(lang), gdf=g[["iso3", "geometry", "fill", "stroke", "weight", "fill_opacity", "dash", "tip"]],
                    legend=legend, table=tbl, source_line=source_line(layer, lang, urls) + " " + statement)


def _region(view_id: str, layer: catalog.Layer, lang: str) -> Prepared:
    body = layer.body_id
    colour = BODY_COLOURS[body]
    members = data.table("tables/regional_members.csv")
    members = members[members["body_id"] == body]
    iso = set(members["iso3"].dropna())
    c = countries_for_view(view_id)
    states = c[c["iso3"].isin(iso)].copy()
    states["fill"] = colour
    states["stroke"] = colour
    states["weight"] = 2.0
    states["fill_opacity"] = 0.0  # member states: outline only, the classes show through
    states["dash"] = ""
    name_en, name_zh = catalog.BODY_TITLES[body]
    bname = name_zh if lang == "zh" else name_en
    states["tip"] = [tip(country_name(r, lang), [(bname, t("member_state", lang))], lang) for _, r in states.iterrows()]
    reg = data.vector("vector/regions.geojson")
    reg = _simplify(_clip(reg[reg["id"] == body], view_id), view_id)
    reg = reg.assign(fill=colour, stroke=colour, weight=1.0, fill_opacity=REGION_FILL_OPACITY, dash="4 3")
    area = figures.range_figures(range_view_of(body)).body_area_km2
    reg["tip"] = [tip(bname, [("", t("approx_area", lang)), (t("area", lang), i18n.fmt_area(area, lang))], lang)
                  for _ in range(len(reg))]
    cols = ["iso3", "geometry", "fill", "stroke", "weight", "fill_opacity", "dash", "tip"]
    reg["iso3"] = pd.NA
    g = pd.concat([states[cols], reg[cols]], ignore_index=True)
    # distinct swatches: an empty box with a solid outline, a light fill with a dashed outline
    legend = Legend(bname, "", [LegendItem("#ffffff", t("member_state", lang), outline=colour),
                                LegendItem(_mix(colour, REGION_FILL_OPACITY), t("approx_area", lang), outline=colour, dash=True)])
    tbl = members[["member_name", "iso3", "role", "source"]].reset_index(drop=True)
    return Prepared(layer, layer.title(lang), gdf=gpd.GeoDataFrame(g, geometry="geometry", crs="EPSG:4326"),
                    legend=legend, table=tbl, source_line=source_line(layer, lang, member_sources(body, lang)))


def range_view_of(body_id: str) -> str:
    """The range view of a regional body (``icimod`` -> ``hindu-kush-himalaya``)."""
    return next(v.id for v in catalog.VIEWS.values() if v.body_id == body_id)


def _mix(colour: str, alpha: float, over: str = "#ffffff") -> str:
    """``colour`` at ``alpha`` over ``over``, as an opaque hex colour (a legend swatch of a fill)."""
    import matplotlib.colors as mc

    a, b = mc.to_rgb(colour), mc.to_rgb(over)
    return mc.to_hex(tuple(alpha * x + (1 - alpha) * y for x, y in zip(a, b)))


def _range_extent(view_id: str, layer: catalog.Layer, lang: str) -> Prepared:
    rng = catalog.view(view_id).range_id
    r = data.vector("vector/ranges.geojson")
    r = r[r["id"] == rng] if rng else r
    r = _simplify(_clip(r, view_id), view_id).assign(fill="#000000", stroke="#222222", weight=1.2, fill_opacity=0.0, dash="")
    r["tip"] = [tip(row["name_zh"] if lang == "zh" else row["name_en"],
                    [(t("range_area", lang), i18n.fmt_area(figures.range_figures(row["id"]).mountain_km2, lang)),
                     ("", t("range_area_help", lang))], lang)
                for _, row in r.iterrows()]
    r["iso3"] = pd.NA
    legend = Legend(layer.title(lang), "", [LegendItem("#ffffff", t("range_outline", lang), outline="#222222")])
    rows = []
    for rid in r["id"]:
        f = figures.range_figures(rid)  # the numbers of the table (and the CSV) are the figures'
        rows.append({"id": rid, "name_en": f.name_en, "name_zh": f.name_zh, "body_id": f.body_id, "envelope_note": f.envelope_note,
                     "mountain_km2": f.mountain_km2, **{f"class{k}_km2": f.class_km2[k] for k in range(1, 7)}})
    return Prepared(layer, layer.title(lang), gdf=r[["iso3", "geometry", "fill", "stroke", "weight", "fill_opacity", "dash", "tip"]],
                    legend=legend, table=pd.DataFrame(rows), source_line=source_line(layer, lang))


def _places(view_id: str, layer: catalog.Layer, lang: str) -> Prepared:
    p = data.vector("vector/places.geojson")
    p = _clip(p, view_id, pad=0.0).copy()
    p = p.assign(fill=OKABE_ITO["orange"], stroke="#000000", weight=1.0, fill_opacity=0.9, dash="")
    p["tip"] = [
        tip(r["name_zh"] if lang == "zh" else r["name_en"],
            [("", r["event_zh"] if lang == "zh" else r["event_en"]), (t("date", lang), r["date"]), (t("paragraphs", lang), r["paragraphs"]),
             (t("source", lang), r.get("source", ""))], lang)
        for _, r in p.iterrows()
    ]
    p["iso3"] = pd.NA
    legend = Legend(layer.title(lang), "", [LegendItem(OKABE_ITO["orange"], t("place_item", lang), outline="#000000")])
    tbl = pd.DataFrame(p.drop(columns=["geometry", "fill", "stroke", "weight", "fill_opacity", "dash", "tip", "iso3"]))
    tbl["lon"] = p.geometry.x.round(4).to_numpy()
    tbl["lat"] = p.geometry.y.round(4).to_numpy()
    return Prepared(layer, layer.title(lang), gdf=p[["iso3", "geometry", "fill", "stroke", "weight", "fill_opacity", "dash", "tip"]],
                    legend=legend, table=tbl, source_line=source_line(layer, lang))


# ---------------------------------------------------------------------------------------
# rasters, reprojected to Web Mercator so Leaflet and snapshots place them right

#: Short class labels (English, Chinese), from the catalogue.
CLASS_NAMES = {k: (c.label_en, c.label_zh) for k, c in catalog.MOUNTAIN_CLASSES.items()}
#: The 30″ class tile and where it applies (lon/lat bounds); range views draw it there.
FINE_CLASSES = "terrain/mountain_classes_30s.tif"
FINE_BOUNDS = (0.0, 0.0, 90.0, 50.0)
FINE_NOTE = ("30″ GLOBE grid inside 0–50°N, 0–90°E; 5′ grid elsewhere", "0–50°N、0–90°E 范围内为 30″ GLOBE 格网，其余为 5′ 格网")


def class_colours() -> dict[int, str]:
    cols = colours("YlOrBr", 6)[::-1]  # class 1 darkest
    return {**{k: cols[k - 1] for k in range(1, 7)}, 7: "#8fb8a8"}


def uses_fine_grid(view_id: str) -> bool:
    """Whether a view's class map draws the 30″ tile: range views that overlap it."""
    if catalog.view(view_id).range_id is None:
        return False
    minx, miny, maxx, maxy = view_bounds(view_id)
    return minx < FINE_BOUNDS[2] and maxx > FINE_BOUNDS[0] and miny < FINE_BOUNDS[3] and maxy > FINE_BOUNDS[1]


def _with_fine_classes(sub: np.ndarray, b: tuple[float, float, float, float]) -> np.ndarray:
    """The 5' window ``sub`` (bounds ``b``) at 30″, each 5' cell as 10 × 10 cells, with the 30″
    classes written over the part the tile covers."""
    import rasterio
    import rasterio.windows

    fine = np.repeat(np.repeat(sub, 10, axis=0), 10, axis=1)
    x0, y0 = max(b[0], FINE_BOUNDS[0]), max(b[1], FINE_BOUNDS[1])
    x1, y1 = min(b[2], FINE_BOUNDS[2]), min(b[3], FINE_BOUNDS[3])
    if x1 <= x0 or y1 <= y0:
        return fine
    try:
        with rasterio.open(data.file(FINE_CLASSES)) as src:
            win = rasterio.windows.from_bounds(x0, y0, x1, y1, transform=src.transform).round_offsets().round_lengths()
            part = src.read(1, window=win)
    except DataFileError:
        raise
    except Exception as e:
        raise DataFileError(f"data file {FINE_CLASSES} cannot be read: {e}") from e
    r0 = int(round((b[3] - y1) * 120))
    c0 = int(round((x0 - b[0]) * 120))
    fine[r0: r0 + part.shape[0], c0: c0 + part.shape[1]] = part
    return fine


def _window(view_id: str, transform, shape, padded: bool = True) -> tuple[slice, slice, tuple[float, float, float, float]]:
    """Rows, columns and bounds of a raster window: the view's data bounds, or (``padded=False``) the view."""
    minx, miny, maxx, maxy = data_bounds(view_id) if padded else view_bounds(view_id)
    inv = ~transform
    c0, r0 = inv @ (minx, maxy)
    c1, r1 = inv @ (maxx, miny)
    r0, r1 = max(int(math.floor(r0)), 0), min(int(math.ceil(r1)), shape[0])
    c0, c1 = max(int(math.floor(c0)), 0), min(int(math.ceil(c1)), shape[1])
    x0, y0 = transform @ (c0, r0)
    x1, y1 = transform @ (c1, r1)
    return slice(r0, r1), slice(c0, c1), (x0, y1, x1, y0)


def _to_mercator(arr: np.ndarray, bounds4326, resampling, width: int, nodata) -> tuple[np.ndarray, tuple]:
    import rasterio.transform
    import rasterio.warp
    from rasterio.enums import Resampling

    minx, miny, maxx, maxy = bounds4326
    miny, maxy = max(miny, -MAX_LAT), min(maxy, MAX_LAT)
    src_t = rasterio.transform.from_bounds(*bounds4326, arr.shape[1], arr.shape[0])
    (dminx, dmaxx), (dminy, dmaxy) = rasterio.warp.transform("EPSG:4326", WEB_MERCATOR, [minx, maxx], [miny, maxy])
    aspect = (dmaxy - dminy) / (dmaxx - dminx)
    if aspect > 1:  # tall views: ``width`` is the longest side
        width = max(int(round(width / aspect)), 1)
    height = max(int(round(width * aspect)), 1)
    dst = np.full((height, width), nodata, dtype=arr.dtype)
    dst_t = rasterio.transform.from_bounds(dminx, dminy, dmaxx, dmaxy, width, height)
    rasterio.warp.reproject(arr, dst, src_transform=src_t, src_crs="EPSG:4326", dst_transform=dst_t, dst_crs=WEB_MERCATOR,
                            resampling=getattr(Resampling, resampling), src_nodata=nodata, dst_nodata=nodata)
    return dst, (dminx, dminy, dmaxx, dmaxy)


def image_width(view_id: str, native_cols: int, native_rows: int = 0) -> int:
    """Pixels along the longest side of a view's overlay: twice the native resolution for small
    views (smoother when zoomed), at least 900 and at most 1400."""
    native = max(native_cols, native_rows)
    return int(min(max(native * (2 if native < 600 else 1), 900), 1400))


def _frozen(img: np.ndarray) -> np.ndarray:
    img.flags.writeable = False  # shared by every caller of the cache
    return img


@lru_cache(maxsize=16)
def _classes_image(view_id: str, stamp: tuple) -> tuple[np.ndarray, tuple]:
    """RGBA classes of a view in Web Mercator; ``stamp``: :func:`geo.data.stamp` of the files read."""
    arr, transform, nodata = data.raster("terrain/mountain_classes.tif")
    fine = uses_fine_grid(view_id)  # the 30″ classes: the view itself (a padded window would blur them)
    rs, cs, b = _window(view_id, transform, arr.shape, padded=not fine)
    sub = arr[rs, cs]
    if fine:
        sub = _with_fine_classes(sub, b)
    merc, mb = _to_mercator(sub, b, "nearest", image_width(view_id, sub.shape[1], sub.shape[0]), 255)
    rgba = np.zeros(merc.shape + (4,), dtype=np.uint8)
    for k, hexcol in class_colours().items():
        r, g, bl = (int(hexcol[i:i + 2], 16) for i in (1, 3, 5))
        rgba[merc == k] = (r, g, bl, 200)
    return _frozen(rgba), mb


@lru_cache(maxsize=16)
def _hillshade_image(view_id: str, stamp: tuple) -> tuple[np.ndarray, tuple]:
    """Grey hillshade of a view in Web Mercator; ``stamp``: :func:`geo.data.stamp` of the DEM."""
    from geo import terrain

    elev, transform, nodata = data.raster("terrain/elevation.tif")
    rs, cs, b = _window(view_id, transform, elev.shape)
    pad = 1
    r0, r1 = max(rs.start - pad, 0), min(rs.stop + pad, elev.shape[0])
    c0, c1 = max(cs.start - pad, 0), min(cs.stop + pad, elev.shape[1])
    sub = elev[r0:r1, c0:c1].astype("float32")
    ocean = sub == nodata
    lat_top = transform.f + transform.e * r0
    shade = terrain.hillshade(np.where(ocean, 0, sub), cell_deg=abs(transform.a), lat_top=lat_top)
    shade = shade[rs.start - r0: shade.shape[0] - (r1 - rs.stop), cs.start - c0: shade.shape[1] - (c1 - cs.stop)]
    ocean = ocean[rs.start - r0: ocean.shape[0] - (r1 - rs.stop), cs.start - c0: ocean.shape[1] - (c1 - cs.stop)]
    # 0-255 shade on land, 0 reserved for ocean
    grey = np.where(ocean, 0, np.clip(shade * 254 + 1, 1, 255)).astype(np.uint8)
    merc, mb = _to_mercator(grey, b, "bilinear", image_width(view_id, grey.shape[1], grey.shape[0]), 0)
    land = merc > 0
    g = merc.astype(np.float32) / 255.0
    rgb = np.empty(merc.shape + (3,), dtype=np.float32)
    land_col = np.array([0.93, 0.91, 0.86])
    for i in range(3):
        rgb[..., i] = np.where(land, land_col[i] * (0.55 + 0.45 * g), [0.80, 0.87, 0.92][i])
    rgba = np.dstack([(rgb * 255).astype(np.uint8), np.full(merc.shape, 255, np.uint8)])
    return _frozen(rgba), mb


def _raster_layer(view_id: str, layer: catalog.Layer, lang: str) -> Prepared:
    if layer.id == "hillshade":
        stamp = data.stamp(("terrain/elevation.tif",))
        return Prepared(layer, layer.title(lang), raster=lambda: _hillshade_image(view_id, stamp), image_format="jpeg",
                        source_line=source_line(layer, lang))
    stamp = data.stamp(("terrain/mountain_classes.tif", FINE_CLASSES))
    cc = class_colours()
    fine = uses_fine_grid(view_id)
    note = FINE_NOTE[1 if lang == "zh" else 0] if fine else ("5′ grid" if lang != "zh" else "5′ 格网")
    legend = Legend(layer.title(lang), note, [LegendItem(cc[k], f"{k}: {CLASS_NAMES[k][1 if lang == 'zh' else 0]}")
                                              for k in range(1, 8 if fine else 7)])
    tbl = None
    if catalog.view(view_id).range_id is None:
        areas = figures.world_figures().class_km2
        tbl = pd.DataFrame({"class": list(areas), "definition": [CLASS_NAMES[k][1 if lang == "zh" else 0] for k in areas],
                            "area_km2": [round(v) for v in areas.values()]})
    return Prepared(layer, layer.title(lang), raster=lambda: _classes_image(view_id, stamp), legend=legend, table=tbl,
                    source_line=source_line(layer, lang))


def prepare(view_id: str, layer_id: str, lang: str = "en", year: int | None = None) -> Prepared:
    """Prepare one layer for one view. Data problems are returned in ``problems``, not raised."""
    layer = catalog.layer(layer_id)
    problems = data.problems(layer.files)
    if problems:
        return Prepared(layer, layer.title(lang), problems=problems, source_line=source_line(layer, lang))
    try:
        if layer.kind == "raster":
            return _raster_layer(view_id, layer, lang)
        if layer.kind == "choropleth":
            return _choropleth(view_id, layer, lang, year)
        if layer.kind == "categorical":
            return _partnership(view_id, layer, lang)
        if layer.kind == "points":
            return _places(view_id, layer, lang)
        if layer.id == "range_extent":
            return _range_extent(view_id, layer, lang)
        if layer.body_id:
            return _region(view_id, layer, lang)
    except DataFileError as e:
        return Prepared(layer, layer.title(lang), problems=[str(e)], source_line=source_line(layer, lang))
    raise ValueError(f"no preparation for layer {layer_id!r}")


def encode_image(p: Prepared) -> bytes:
    """PNG (with alpha) or JPEG bytes of a prepared raster layer."""
    from PIL import Image

    buf = io.BytesIO()
    if p.image_format == "jpeg":
        Image.fromarray(p.image[..., :3]).save(buf, format="JPEG", quality=72, optimize=True)
    else:
        Image.fromarray(p.image).quantize(colors=16, method=Image.Quantize.FASTOCTREE).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def mercator_to_latlon_bounds(b: tuple[float, float, float, float]) -> list[list[float]]:
    """``[[south, west], [north, east]]`` for Leaflet from EPSG:3857 bounds."""
    from pyproj import Transformer

    tr = Transformer.from_crs(WEB_MERCATOR, "EPSG:4326", always_xy=True)
    w, s = tr.transform(b[0], b[1])
    e, n = tr.transform(b[2], b[3])
    return [[s, w], [n, e]]


def legends(prepared: list[Prepared]) -> list[Legend]:
    """The legends of a view in the order every renderer lists them: the order of the layers
    (the live map's legend control and the snapshot's legend column agree)."""
    return [p.legend for p in prepared if p.ok and p.legend]


def state_files(state) -> tuple[str, ...]:
    """The data files the layers of ``state`` read (a :class:`geo.state.ViewState`)."""
    ids = (*state.layers, *([state.indicator] if state.indicator else []))
    return tuple(dict.fromkeys(f for lid in ids for f in catalog.layer(lid).files))


def prepare_state(state) -> list[Prepared]:
    """Prepared layers of a :class:`geo.state.ViewState`, bottom to top (basemap first,
    indicator under overlays, points on top): the order of the live map, snapshots and exports."""
    order = [lid for lid in ("hillshade",) if lid in state.layers]
    if state.indicator:
        order.append(state.indicator)
    order += [lid for lid in state.layers if lid not in order]
    order.sort(key=lambda lid: (lid != "hillshade", catalog.layer(lid).kind == "points"))
    return [prepare(state.view, lid, state.lang, state.year) for lid in order]
