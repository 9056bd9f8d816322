"""The four ranges side by side: tables, the CSV download and small maps at one common scale.

Plain Python (no Streamlit, no folium): :mod:`geo.ui` lays the page out from what this module
returns. Everything comes from ``data/``:

- computed mountain area by class: ``vector/ranges.geojson`` (``class1_km2`` .. ``class6_km2``);
- approximate area within member states and published figures: ``stats/regions.csv``;
- regional bodies and members: ``tables/regional_members.csv``;
- SDG indicators of the member countries: ``sdg/*.csv`` via :func:`geo.layers.indicator_values`
  (latest year per country; "no data" where a country has none).

Small maps: each range is drawn in its own Lambert azimuthal equal-area projection centred on
the range, in a square frame of the same ground size for all four, rendered to the same number
of pixels: one common km-per-pixel scale, so sizes compare truly (areas too, being equal-area).
"""

from __future__ import annotations

import io
import math
from functools import lru_cache

import pandas as pd

from geo import catalog, data, figures, layers
from geo.errors import DataFileError
from geo.i18n import t

RANGES = catalog.RANGE_VIEWS
CLASSES = figures.CLASSES  # 1-6, and 7 (inner basins on the 30″ grid): the total counts all of them
#: SDG series shown in the page's member table (all SDG series go into the CSV)
SHOWN_SDG = ("sdg_ER_MTN_GRNCVI", "sdg_ER_MTN_DGRDP", "sdg_ER_PTD_MTN", "sdg_AG_LND_FRST")
ALL_SDG = tuple(x for x in catalog.INDICATORS if x.startswith("sdg_"))
MAP_PX = 360  # every small map is MAP_PX x MAP_PX display pixels (rendered at 2x)
MAP_SCALE = 2
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

FACTS_LICENCE = "researched facts; each row cites its own source"


def _name(range_id: str, lang: str) -> str:
    return catalog.view(range_id).title(lang)


def _body(range_id: str, lang: str) -> str:
    return catalog.BODY_TITLES[catalog.view(range_id).body_id][1 if lang == "zh" else 0]


def _range_rows() -> pd.DataFrame:
    rng = data.vector("vector/ranges.geojson")
    missing = [r for r in RANGES if r not in set(rng["id"])]
    if missing:
        raise DataFileError(f"data file vector/ranges.geojson has no row for {', '.join(missing)}")
    return pd.DataFrame(rng.drop(columns="geometry")).set_index("id")


def members(range_id: str) -> pd.DataFrame:
    """The regional body's members (``member_name``, ``iso3``, ``role``, ``source``) in file order."""
    body = catalog.view(range_id).body_id
    m = data.table("tables/regional_members.csv")
    return m[m["body_id"] == body].reset_index(drop=True)


def published(range_id: str) -> pd.DataFrame:
    """Published area figures (text as published) with their sources, and the area computed here."""
    body = catalog.view(range_id).body_id
    r = data.table("stats/regions.csv")
    return r[r["id"] == body].reset_index(drop=True)


def member_label(name: str, iso3, lang: str) -> str:
    """A member's name in ``lang`` (Chinese from the countries file when it has the ISO code)."""
    if lang == "zh" and isinstance(iso3, str) and iso3:
        c = data.countries()
        hit = c.loc[c["iso3"] == iso3, "name_zh"]
        if not hit.empty and isinstance(hit.iloc[0], str) and hit.iloc[0]:
            return hit.iloc[0]
    return name


def comparison_table(lang: str = "en") -> pd.DataFrame:
    """Rows: what is compared; one column per range (display text). The first column names the row."""
    rng = _range_rows()
    item = t("compare_item", lang)
    rows: list[dict] = []

    def row(label: str, values: dict[str, str]) -> None:
        rows.append({item: label, **{_name(r, lang): values[r] for r in RANGES}})

    row(t("compare_body", lang), {r: _body(r, lang) for r in RANGES})
    mem = {r: members(r) for r in RANGES}
    row(t("compare_members_n", lang), {r: figures.members_text(figures.range_figures(r), lang) for r in RANGES})  # "8 states + European Union"
    row(t("compare_members", lang), {r: ", ".join(member_label(n, i, lang) for n, i in zip(mem[r]["member_name"], mem[r]["iso3"]))
                                     for r in RANGES})
    row(t("compare_mountain_km2", lang), {r: layers.fmt_number(float(rng.loc[r, "mountain_km2"])) for r in RANGES})
    for k in CLASSES:
        row(f"{t('class', lang)} {k} ({layers.CLASS_NAMES[k][1 if lang == 'zh' else 0]}), km²",
            {r: layers.fmt_number(float(rng.loc[r, f"class{k}_km2"])) for r in RANGES})
    pub = {r: published(r) for r in RANGES}
    row(t("compare_approx_km2", lang),
        {r: layers.fmt_number(float(pub[r]["area_km2"].iloc[0])) if not pub[r].empty else t("no_data", lang) for r in RANGES})
    row(t("compare_published_km2", lang),
        {r: "; ".join(published_text(v) for v in pub[r]["published_area_km2"]) if not pub[r].empty else t("no_data", lang)
         for r in RANGES})
    return pd.DataFrame(rows)


def published_text(v) -> str:
    f = figures.as_number(v)
    return layers.fmt_number(f) if f is not None else str(v)


def indicator_cells(iso3, layer_id: str, lang: str) -> tuple[str, float | None, int | None]:
    """``(display text, value, year)`` of the latest value of ``layer_id`` for a country."""
    vals = _latest(layer_id)
    if isinstance(iso3, str) and iso3 in vals.index:
        v, y = vals.loc[iso3, "value"], vals.loc[iso3, "year"]
        unit = catalog.layer(layer_id).unit(lang)
        return f"{layers.fmt_number(float(v))} {unit} ({int(y)})".replace("  ", " "), float(v), int(y)
    return t("no_data", lang), None, None


@lru_cache(maxsize=32)
def _latest_cached(layer_id: str, stamp: tuple) -> pd.DataFrame:
    vals, _ = layers.indicator_values(layer_id, None)
    return vals.dropna(subset=["value"]).set_index("iso3")


def _latest(layer_id: str) -> pd.DataFrame:
    code = catalog.layer(layer_id).sdg_code
    return _latest_cached(layer_id, data.stamp([f"sdg/{code}.csv"]))  # verified; its version keys the cache


def member_indicators(lang: str = "en", shown: tuple[str, ...] = SHOWN_SDG) -> pd.DataFrame:
    """One row per member of the four bodies: range, member, then per SDG series the latest
    value with its year, or "no data"."""
    out = []
    for r in RANGES:
        for _, m in members(r).iterrows():
            row = {t("compare_range", lang): _name(r, lang), t("compare_member", lang): member_label(m["member_name"], m["iso3"], lang)}
            for lid in shown:
                row[catalog.layer(lid).title(lang)] = indicator_cells(m["iso3"], lid, lang)[0]
            out.append(row)
    return pd.DataFrame(out)


def sdg_source(layer_id: str) -> tuple[str, str]:
    """(source, licence) of an SDG series, from ``sdg/series.json`` (the catalogue's as fallback)."""
    lay = catalog.layer(layer_id)
    meta = data.sdg_meta().get(lay.sdg_code, {})
    return (meta.get("source"), meta.get("licence")) if meta.get("source") else layers.provenance(lay)


def long_rows(lang: str = "en") -> pd.DataFrame:
    """Everything the page compares, one fact per row, with ``source`` and ``licence`` on every row.

    Columns: range, range_name, body, section, item, value, unit, year, source, licence.
    """
    rng = _range_rows()
    regions_src = data.manifest_entry("stats/regions.csv")
    regions_licence = "; ".join(dict.fromkeys(s.get("licence", "") for s in regions_src.get("sources", []) if s.get("licence")))
    rows: list[dict] = []

    def add(r, section, item, value, unit, year, source, licence):
        rows.append({"range": r, "range_name": _name(r, lang), "body": _body(r, lang), "section": section, "item": item,
                     "value": value, "unit": unit, "year": year, "source": source, "licence": licence})

    range_source, range_licence = layers.provenance(catalog.layer("range_extent"))
    for r in RANGES:
        add(r, "computed_area", "mountain area (all classes)", float(rng.loc[r, "mountain_km2"]), "km2", "", range_source, range_licence)
        for k in CLASSES:
            add(r, "computed_area", f"class {k} ({layers.CLASS_NAMES[k][0]})", float(rng.loc[r, f"class{k}_km2"]), "km2", "",
                range_source, range_licence)
        pub = published(r)
        if not pub.empty:
            add(r, "approximate_area", "mountain area within member states (approximate, not the legal perimeter)",
                float(pub["area_km2"].iloc[0]), "km2", "", layers.provenance(catalog.layer(f"region_{catalog.view(r).body_id}"))[0], regions_licence)
        for _, p in pub.iterrows():
            add(r, "published_area", "published area figure (as published)", p["published_area_km2"], "km2", "",
                p["published_source"], FACTS_LICENCE)
        for _, m in members(r).iterrows():
            add(r, "member", m["member_name"], m["role"], "", "", m["source"], FACTS_LICENCE)
            for lid in ALL_SDG:
                _, v, y = indicator_cells(m["iso3"], lid, "en")
                src, lic = sdg_source(lid)
                lay = catalog.layer(lid)
                add(r, "sdg", f"{m['member_name']}: {lay.title_en} (SDG {lay.indicator}, {lay.sdg_code})",
                    v if v is not None else "no data", lay.unit_en, y if y is not None else "", src, lic)
    return pd.DataFrame(rows, columns=["range", "range_name", "body", "section", "item", "value", "unit", "year", "source", "licence"])


def _safe_cell(v):
    """Neutralise a text cell a spreadsheet would run as a formula."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def csv_bytes(lang: str = "en") -> bytes:
    """:func:`long_rows` as CSV (UTF-8 with BOM for Excel, formulas neutralised)."""
    df = long_rows(lang).map(_safe_cell)
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------------------------------
# small maps at one common scale


def laea_crs(range_id: str) -> str:
    minx, miny, maxx, maxy = catalog.view(range_id).bbox
    return f"+proj=laea +lat_0={(miny + maxy) / 2:.3f} +lon_0={(minx + maxx) / 2:.3f} +datum=WGS84 +units=m +no_defs"


def projected_range(range_id: str):
    rng = data.vector("vector/ranges.geojson")
    return rng[rng["id"] == range_id].to_crs(laea_crs(range_id))


@lru_cache(maxsize=4)
def frame_km() -> float:
    """The common frame (km, square) that holds the largest of the four ranges with a margin,
    rounded up to 500 km."""
    biggest = 0.0
    for r in RANGES:
        minx, miny, maxx, maxy = projected_range(r).total_bounds
        biggest = max(biggest, 2 * max(abs(minx), abs(maxx), abs(miny), abs(maxy)) / 1000)
    return math.ceil(biggest * 1.08 / 500) * 500


def km_per_px() -> float:
    """Ground kilometres per display pixel, the same on every small map."""
    return frame_km() / MAP_PX


def map_caption(lang: str) -> str:
    """What the four maps share: the frame's ground width and the projection."""
    return t("compare_map_caption", lang, km=f"{frame_km():,.0f}")


def map_alt(range_id: str, lang: str) -> str:
    return t("compare_map_alt", lang, name=_name(range_id, lang), body=_body(range_id, lang), km=f"{frame_km():,.0f}")


__all__ = ["ALL_SDG", "CLASSES", "MAP_PX", "RANGES", "SHOWN_SDG", "comparison_table", "csv_bytes", "frame_km",
           "indicator_cells", "km_per_px", "long_rows", "laea_crs", "map_alt", "map_caption", "member_indicators", "members",
           "projected_range", "published"]
