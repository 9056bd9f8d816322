"""Every figure shown for a view, from one place.

The metric, the tables, the map tooltips, the class chart, the snapshot, the static export and
the CSV all read their numbers here: :func:`range_figures` for a range (its computed area, the
area per class, the regional body's members and approximate area, the published figures with
their sources), :func:`world_figures` for the world and :func:`country_figures` for one country.
Formatting is :mod:`geo.i18n`'s (one formatter per language). No Streamlit here.

Three areas of a range are different things and are labelled so wherever they stand:

- the *range area*: mountain cells (classes 1-6) of the 5′ grid inside the range envelope drawn
  by Mountain Atlas (``vector/ranges.geojson``);
- the body's *approximate area*: the same cells, but only within member states' territory
  (``vector/regions.geojson``), so never larger than the range area;
- *published* figures: what the body or others published, for its own legal perimeter.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from geo import catalog, data
from geo.errors import DataFileError
from geo.i18n import fmt_area, fmt_number, fmt_pct, t

#: Kapos classes 1-6, and class 7 (isolated inner basins) where the data has it (the 30″ grid).
CLASSES = (1, 2, 3, 4, 5, 6, 7)

#: Lower elevation bound of the classes defined by elevation alone (Kapos et al.)
CLASS_FLOOR_M = {1: 4500, 2: 3500, 3: 2500}


@dataclass(frozen=True)
class Member:
    name: str
    iso3: str | None
    role: str
    source: str

    @property
    def is_state(self) -> bool:
        """A member with a country code is a state; the others (the EU) are parties, not states."""
        return bool(self.iso3)


@dataclass(frozen=True)
class Published:
    value_km2: float | None  # None when the published text is not one number ("more than 4 million")
    text: str
    note: str
    source: str


@dataclass(frozen=True)
class RangeFigures:
    view_id: str
    range_id: str
    body_id: str
    name_en: str
    name_zh: str
    mountain_km2: float
    class_km2: dict[int, float]
    body_area_km2: float | None
    body_area_note: str
    envelope_note: str
    members: tuple[Member, ...]
    published: tuple[Published, ...]
    top_cell_m: float | None = None

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def states(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.is_state)

    @property
    def other_parties(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if not m.is_state)

    @property
    def member_iso3(self) -> frozenset[str]:
        return frozenset(m.iso3 for m in self.states)


@dataclass(frozen=True)
class WorldFigures:
    mountain_km2: float
    land_km2: float
    class_km2: dict[int, float] = field(default_factory=dict)

    @property
    def share_pct(self) -> float:
        return 100.0 * self.mountain_km2 / self.land_km2 if self.land_km2 else math.nan


@dataclass(frozen=True)
class CountryFigures:
    iso3: str
    name_en: str
    name_zh: str
    land_km2: float
    mountain_km2: float
    share_pct: float
    class_km2: dict[int, float]

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" and self.name_zh else self.name_en


# ---------------------------------------------------------------------------------------
# the figures


def as_number(v) -> float | None:
    """A cell as a float; None for empty, NaN or text."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def range_figures(view_id: str) -> RangeFigures:
    """All figures of a range view (``alps``, ``carpathians``, ``hindu-kush-himalaya``, ``andes``).

    Raises
    ------
    DataFileError
        If a file it needs is missing or damaged (named in the message).
    KeyError
        If ``view_id`` is not a range view.
    """
    if not catalog.view(view_id).range_id:
        raise KeyError(f"{view_id} is not a range view")
    return dataclasses.replace(_range_figures(view_id, data.stamp(_RANGE_FILES)), top_cell_m=top_cell_m(view_id))


#: The files :func:`range_figures` reads (its cache key); the top cell has its own.
_RANGE_FILES = ("vector/ranges.geojson", "vector/regions.geojson", "tables/regional_members.csv",
                "tables/regional_facts.csv")
_TOP_CELL_FILES = ("vector/range_envelopes.geojson", "terrain/elevation.tif")


@lru_cache(maxsize=16)
def _range_figures(view_id: str, _stamp: tuple) -> RangeFigures:
    v = catalog.view(view_id)
    ranges = data.vector("vector/ranges.geojson")
    rows = ranges[ranges["id"] == v.range_id]
    if rows.empty:
        raise DataFileError(f"data file vector/ranges.geojson has no range {v.range_id}")
    r = rows.iloc[0]
    regions = data.vector("vector/regions.geojson")
    reg = regions[regions["id"] == v.body_id]
    members = data.table("tables/regional_members.csv")
    members = members[members["body_id"] == v.body_id]
    published = data.table("tables/regional_facts.csv")
    published = published[(published["body_id"] == v.body_id) & (published["field"] == "area_km2")]
    return RangeFigures(
        view_id=view_id,
        range_id=v.range_id,
        body_id=v.body_id,
        name_en=str(r["name_en"]),
        name_zh=str(r["name_zh"]),
        mountain_km2=float(r["mountain_km2"]),
        class_km2={k: float(r[f"class{k}_km2"]) for k in CLASSES if f"class{k}_km2" in r.index},
        body_area_km2=as_number(reg.iloc[0]["area_km2"]) if not reg.empty else None,
        body_area_note=str(reg.iloc[0].get("note") or "") if not reg.empty else "",
        envelope_note=str(r.get("envelope_note") or ""),
        members=tuple(Member(str(m["member_name"]), m["iso3"] if isinstance(m["iso3"], str) and m["iso3"] else None,
                             str(m["role"]), str(m["source"])) for _, m in members.iterrows()),
        published=tuple(Published(as_number(p["value_num"]), str(p["value"]), "" if pd.isna(p["note"]) else str(p["note"]),
                                  str(p["source"])) for _, p in published.iterrows()),
        top_cell_m=None,
    )


def top_cell_m(view_id: str) -> float | None:
    """Elevation (m) of the highest 5′ grid cell inside the range envelope; None if unknown."""
    try:
        return _top_cell(view_id, data.stamp(_TOP_CELL_FILES))
    except DataFileError:
        return None


@lru_cache(maxsize=16)
def _top_cell(view_id: str, _stamp: tuple) -> float | None:
    import numpy as np
    from rasterio.features import geometry_mask

    rng = catalog.view(view_id).range_id
    env = data.vector("vector/range_envelopes.geojson")
    env = env[env["id"] == rng]
    if env.empty:
        return None
    arr, transform, nodata = data.raster("terrain/elevation.tif")
    inside = ~geometry_mask(list(env.geometry), out_shape=arr.shape, transform=transform)
    vals = arr[inside & (arr != nodata)] if nodata is not None else arr[inside]
    return float(np.max(vals)) if vals.size else None


def world_figures() -> WorldFigures:
    """The world's mountain area, land area and area per class (sums over countries)."""
    st = data.mountain_stats()
    return WorldFigures(mountain_km2=float(st["mountain_km2"].sum()), land_km2=float(st["land_km2"].sum()),
                        class_km2={k: float(st[f"class{k}_km2"].sum()) for k in CLASSES if f"class{k}_km2" in st.columns})


def country_figures(iso3: str) -> CountryFigures | None:
    """One country's mountain figures; None when the country is not in the statistics."""
    st = data.mountain_stats()
    rows = st[st["iso3"] == iso3]
    if rows.empty:
        return None
    r = rows.iloc[0]
    return CountryFigures(iso3=iso3, name_en=str(r["name"]), name_zh=str(r.get("name_zh") or ""), land_km2=float(r["land_km2"]),
                          mountain_km2=float(r["mountain_km2"]), share_pct=float(r["mountain_share_pct"]),
                          class_km2={k: float(r[f"class{k}_km2"]) for k in CLASSES if f"class{k}_km2" in r.index})


def class_km2(view_id: str) -> dict[int, float]:
    """Mountain area (km²) per class for a view: the range's, or the world's."""
    if catalog.view(view_id).range_id:
        return range_figures(view_id).class_km2
    return world_figures().class_km2


# ---------------------------------------------------------------------------------------
# sentences around the figures


def body_name(body_id: str, lang: str) -> str:
    """The body's short name for sentences (``ICIMOD``, not the title with its region)."""
    en, zh = catalog.BODY_TITLES[body_id]
    name = re.sub(r"\s*[（(].*[)）]$", "", zh if lang == "zh" else en)
    return name if lang == "zh" or name.isupper() else f"the {name}"


def members_text(f: RangeFigures, lang: str) -> str:
    """``8 states + European Union`` (parties that are not states named), from the member list."""
    others = [m.name for m in f.other_parties]
    if others:
        sep = "、" if lang == "zh" else ", "
        return t("members_count_plus", lang, states=len(f.states), others=sep.join(_member_name(n, lang) for n in others))
    return t("members_count", lang, states=len(f.states))


_MEMBER_ZH = {"European Union": "欧洲联盟"}


def _member_name(name: str, lang: str, iso3: str | None = None) -> str:
    """A member's name in ``lang``: countries by their code (countries.geojson), others from a table."""
    if lang != "zh":
        return name
    if iso3:
        try:
            c = data.countries()
            zh = c.loc[c["iso3"] == iso3, "name_zh"]
            if len(zh) and isinstance(zh.iloc[0], str) and zh.iloc[0]:
                return zh.iloc[0]
        except DataFileError:
            pass
    return _MEMBER_ZH.get(name, name)


def member_names(f: RangeFigures, lang: str) -> list[str]:
    return [_member_name(m.name, lang, m.iso3) for m in f.members]


_QUALIFIERS = {"about": ("about ", "约"), "more than": ("more than ", "超过"), "over": ("over ", "超过")}
_PUBLISHED = re.compile(r"^(about|more than|over)?\s*([\d.,]+)\s*(million)?$")


def published_text(p: Published, lang: str) -> str:
    """A published area for people: ``190,959 km²``, ``about 210,000 km²`` / ``约210,000 平方公里``;
    a text we cannot read as numbers is shown as published."""
    if p.value_km2 is not None:
        return fmt_area(p.value_km2, lang)
    parts = []
    for seg in p.text.split(" / "):
        m = _PUBLISHED.match(seg.strip())
        if not m:
            return p.text
        qual, num, million = m.groups()
        value = float(num.replace(",", "")) * (1e6 if million else 1)
        prefix = _QUALIFIERS[qual][1 if lang == "zh" else 0] if qual else ""
        parts.append(prefix + fmt_area(value, lang))
    return " / ".join(parts)


def published_range(f: RangeFigures, lang: str) -> str:
    """The published figures: the range of the numeric ones (``190,600–190,959 km²``) and the
    others as published (``about 210,000 km²``)."""
    nums = sorted(p.value_km2 for p in f.published if p.value_km2 is not None)
    out = []
    if nums:
        out.append(fmt_area(nums[0], lang) if nums[0] == nums[-1] else f"{fmt_number(nums[0], lang)}–{fmt_area(nums[-1], lang)}")
    out += [published_text(p, lang) for p in f.published if p.value_km2 is None]
    return ("；" if lang == "zh" else "; ").join(out) or t("no_published", lang)


def why_differ(f: RangeFigures, lang: str) -> str:
    """Why the range area, the body's approximate area and the published figures differ."""
    return t("why_differ", lang, range_area=fmt_area(f.mountain_km2, lang), body=body_name(f.body_id, lang),
             body_area=fmt_area(f.body_area_km2, lang) or t("no_data", lang), published=published_range(f, lang))


def empty_classes_note(class_km2: dict[int, float], top_m: float | None, lang: str, fine: bool = False) -> str:
    """Why the highest classes show 0 km² (none of the range's grid cells reaches their floor)."""
    empty = []
    for k in (1, 2, 3):
        if class_km2.get(k, 0.0) > 0:
            break
        empty.append(k)
    if not empty:
        return ""
    unit = "米" if lang == "zh" else "m"
    threshold = f"{fmt_number(CLASS_FLOOR_M[empty[-1]], lang)} {unit}"
    top = f"{fmt_number(top_m, lang)} {unit}" if top_m is not None else t("no_data", lang)
    classes = "–".join(str(k) for k in (empty[0], empty[-1])) if len(empty) > 1 else str(empty[0])
    if fine:  # the range's classes come from the 30″ grid (its elevations are not kept: no highest cell)
        return t("class_empty_fine", lang, classes=classes, threshold=threshold)
    return t("class_empty", lang, classes=classes, threshold=threshold, top=top)


def source_host(text: str) -> str:
    """The first URL's host in a source cell (``alpconv.org``), for a short link label."""
    m = re.search(r"https?://(?:www\.)?([^/\s(]+)", text)
    return m.group(1) if m else text


def first_url(text: str) -> str | None:
    m = re.search(r"https?://[^\s;]+", text)
    return m.group(0) if m else None


def key_figure_rows(view_id: str, lang: str) -> list[tuple[str, str, str]]:
    """``(label, value, help)`` of a view's key figures, formatted for ``lang``."""
    if catalog.view(view_id).range_id:
        f = range_figures(view_id)
        body = body_name(f.body_id, lang)
        rows = [(t("range_area", lang), fmt_area(f.mountain_km2, lang), t("range_area_help", lang))]
        if f.body_area_km2 is not None:
            rows.append((t("body_area", lang, body=body), fmt_area(f.body_area_km2, lang), t("approx_area", lang)))
        rows.append((t("members_of", lang, body=body), members_text(f, lang),
                     ("、" if lang == "zh" else "; ").join(member_names(f, lang))))
        return rows
    w = world_figures()
    return [(t("mountain_area", lang), fmt_area(w.mountain_km2, lang), t("computed_note", lang)),
            (t("mountain_share", lang), fmt_pct(w.share_pct, lang), t("computed_note", lang))]


# ---------------------------------------------------------------------------------------
# tables for people: labels in the UI language with units, numbers formatted, a range's
# tables limited to the range's countries


def _name_col(df: pd.DataFrame, lang: str, en: str = "name_en", zh: str = "name_zh") -> pd.Series:
    if lang == "zh" and zh in df.columns:
        return df[zh].where(df[zh].notna() & (df[zh].astype(str) != ""), df[en])
    return df[en]


def view_members(view_id: str) -> frozenset[str] | None:
    """ISO3 codes of the range's member states (None for the world: no filter)."""
    if not catalog.view(view_id).range_id:
        return None
    try:
        return range_figures(view_id).member_iso3
    except DataFileError:
        return None


def rows_for_view(table: pd.DataFrame, view_id: str) -> pd.DataFrame:
    """A per-country table limited to a range's member states (unchanged for the world)."""
    members = view_members(view_id)
    if members is None or "iso3" not in table.columns:
        return table
    return table[table["iso3"].isin(members)].reset_index(drop=True)


def people_table(p, view_id: str, lang: str) -> pd.DataFrame:
    """The table of a prepared layer (:class:`geo.layers.Prepared`) for reading on the page.

    Column labels are in ``lang`` with units; ids (``iso3``, ``body_id``) are left out; numbers
    are formatted by :func:`geo.i18n.fmt_number` (text, so the page shows what the map shows).
    """
    tbl = p.table
    if tbl is None or tbl.empty:
        return pd.DataFrame()
    kind, lid = p.layer.kind, p.layer.id
    km2 = t("km2", lang)

    def col(label: str, unit: str = "") -> str:
        from geo.i18n import unit_label

        return unit_label(t(label, lang) if label in _LABEL_KEYS else label, unit)

    if kind == "choropleth":
        tbl = rows_for_view(tbl, view_id)
        if catalog.view(view_id).range_id:  # rank within the range
            ranked = tbl["value"].notna()
            tbl = tbl.assign(rank=pd.Series(range(1, ranked.sum() + 1), index=tbl.index[ranked]))
        out = pd.DataFrame({
            col("rank"): [fmt_number(v, lang, 0) if pd.notna(v) else "" for v in tbl["rank"]],
            col("country"): _name_col(tbl, lang).to_list(),
            unit_value_label(p.layer, lang): [fmt_number(v, lang) if pd.notna(v) else t("no_data", lang) for v in tbl["value"]],
            col("year"): ["" if pd.isna(v) else str(int(v)) for v in tbl["year"]],
        })
        return out
    if lid.startswith("region_"):
        return pd.DataFrame({
            col("member"): [_member_name(str(n), lang, i if isinstance(i, str) else None) for n, i in zip(tbl["member_name"], tbl["iso3"])],
            col("role"): [_ZH.get(r, r) if lang == "zh" else r for r in tbl["role"]],
            col("source"): tbl["source"].to_list(),
        })
    if lid == "range_extent":
        out = pd.DataFrame({col("range"): _name_col(tbl, lang).to_list(),
                            col("range_area", km2): [fmt_number(range_figures(r).mountain_km2, lang) for r in tbl["id"]]})
        for k in range_figures(tbl["id"].iloc[0]).class_km2 if len(tbl) else ():
            out[col(f"{t('class', lang)} {k}", km2)] = [fmt_number(range_figures(r).class_km2.get(k, 0.0), lang) for r in tbl["id"]]
        return out
    if lid == "mountain_classes":
        return pd.DataFrame({col("class"): tbl["class"].astype(str).to_list(), col("definition"): tbl["definition"].to_list(),
                             col("area", km2): [fmt_number(v, lang) for v in tbl["area_km2"]]})
    if kind == "points":
        return pd.DataFrame({
            col("name"): _name_col(tbl, lang).to_list(),
            col("event"): _name_col(tbl, lang, "event_en", "event_zh").to_list(),
            col("date"): tbl["date"].to_list(),
            col("paragraphs"): tbl["paragraphs"].str.replace(";", ", ").to_list(),
            col("latitude", "°"): [fmt_number(v, lang, 2) for v in tbl["lat"]],
            col("longitude", "°"): [fmt_number(v, lang, 2) for v in tbl["lon"]],
            col("source"): tbl["source"].to_list(),
        })
    if kind == "categorical":
        names = tbl["name"]
        if lang == "zh" and "iso3" in tbl.columns:
            names = [_member_name(str(n), lang, i if isinstance(i, str) else None) for n, i in zip(tbl["name"], tbl["iso3"])]
        return pd.DataFrame({col("name"): list(names), col("category"): [_ZH.get(c, c) if lang == "zh" else c for c in tbl["category"]],
                             col("as_of"): tbl["as_of"].to_list(), col("source"): tbl["source"].to_list()})
    return tbl


#: Chinese for the roles and categories in the member tables
_ZH = {"contracting party": "缔约方", "party": "缔约方", "regional member country": "区域成员国", "member country": "成员国",
       "government": "政府", "intergovernmental organization": "政府间组织", "major group organization": "主要群体组织"}

_LABEL_KEYS = {"rank", "country", "year", "member", "role", "source", "range", "range_area", "class", "definition", "area",
               "name", "event", "date", "paragraphs", "latitude", "longitude", "category", "as_of", "value"}


def unit_value_label(layer, lang: str) -> str:
    """``Forest area (% of land area)``: an indicator's column label with its unit."""
    from geo.i18n import unit_label

    return unit_label(layer.title(lang), layer.unit(lang))
