"""Static snapshots of a map view (PNG, SVG, PDF), rendered on the server with matplotlib.

The snapshot draws the same :class:`geo.layers.Prepared` layers as the live map
(:func:`geo.layers.prepare_state`: same data, colours, legend and sources) in the same
projection, Web Mercator (EPSG:3857): polygons and points are reprojected here, raster layers
already are 3857 images with their bounds. It adds what a printed report needs: a title (view,
indicator, year), the legends with their units (hatched "no data" swatches and fills), a scale
bar (true distance at the map's centre latitude), the source and licence line of every layer,
the paragraphs of A/RES/62/196 the view illustrates, the date and the page URL.

Page: A4 landscape (11.69 x 8.27 in). PNG is rendered at 2x a 150-dpi screen rendering, i.e.
300 dpi, 3507 x 2481 pixels; SVG and PDF are vector.

Fonts and text. Chinese (``lang="zh"``) uses Noto Sans CJK SC from Debian's
``fonts-noto-cjk`` (``scripts/system-deps.sh``); it is looked up through matplotlib's font
manager, then ``fc-match``, and a missing font is a one-line :class:`AtlasError`. SVG keeps its
text as ``<text>`` elements (``svg.fonttype = "none"``) so the title, legend, units, sources and
paragraphs stay searchable, selectable and editable in a report; the SVG names the font
families (``'Noto Sans CJK SC'`` / ``'DejaVu Sans'``) and a viewer without them substitutes a
local sans-serif. PDF embeds the fonts (TrueType subsets, ``pdf.fonttype = 42``) and PNG is
pixels, so neither depends on the reader's fonts. Text is never drawn with path effects,
because matplotlib turns such text into outlines.

matplotlib's settings are process-global and not thread-safe, so renders are serialized with
a lock (Streamlit serves sessions from threads); pyplot is never used (no figure registry to
leak). Command line::

    python -m geo.snapshot --view alps --format png --out alps.png [--layer ID ...]
                           [--indicator ID] [--year YYYY] [--lang en|zh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import unicodedata
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

from geo import catalog, data, layers  # noqa: E402
from geo.errors import AtlasError, DataFileError, ParamError  # noqa: E402
from geo.i18n import LANGS, colon, t  # noqa: E402
from geo.state import ViewState, public_url  # noqa: E402

FORMATS = ("png", "svg", "pdf")
SNAPSHOT_VIEWS = tuple(catalog.VIEWS)  # every map view has snapshots
PAGE_IN = (11.69, 8.27)  # A4 landscape
SCREEN_DPI = 150
PNG_SCALE = 2
PNG_DPI = SCREEN_DPI * PNG_SCALE  # 300 dpi: 3507 x 2481 pixels
PNG_SIZE = (round(PAGE_IN[0] * PNG_DPI), round(PAGE_IN[1] * PNG_DPI))
CJK_FAMILY = "Noto Sans CJK SC"
LATIN_FAMILY = "DejaVu Sans"
OCEAN = "#cddde9"
MAX_MERCATOR_LAT = 85.05112878

_RENDER_LOCK = threading.Lock()

# page layout, inches
_MARGIN = 0.4
_TITLE_H = 0.85
_LEGEND_W = 2.75
_GAP = 0.25


# ---------------------------------------------------------------------------------------
# fonts


@lru_cache(maxsize=1)
def cjk_font_path() -> str:
    """The file of the CJK font (Noto Sans CJK SC), registered with matplotlib.

    Raises
    ------
    AtlasError
        If neither matplotlib's font manager nor ``fc-match`` finds the font.
    """
    from matplotlib import font_manager as fm

    try:
        return fm.findfont(fm.FontProperties(family=CJK_FAMILY), fallback_to_default=False)
    except ValueError:
        pass
    if shutil.which("fc-match"):
        out = subprocess.run(["fc-match", "-f", "%{file}|%{family}", CJK_FAMILY], capture_output=True, text=True, check=False).stdout
        path, _, family = out.partition("|")
        if CJK_FAMILY in family and os.path.exists(path):
            fm.fontManager.addfont(path)
            return path
    raise AtlasError(f"the font '{CJK_FAMILY}' is missing, so Chinese snapshots cannot be drawn: "
                     "install Debian's fonts-noto-cjk (scripts/system-deps.sh does)")


def cjk_font_available() -> bool:
    """True when :func:`cjk_font_path` finds the CJK font."""
    try:
        cjk_font_path()
        return True
    except AtlasError:
        return False


def font_families(lang: str) -> list[str]:
    """matplotlib font families for ``lang``, first choice first (fallbacks per glyph)."""
    if lang == "zh":
        cjk_font_path()  # raises a clear error when absent
        return [CJK_FAMILY, LATIN_FAMILY]
    return [LATIN_FAMILY, CJK_FAMILY] if cjk_font_available() else [LATIN_FAMILY]


# ---------------------------------------------------------------------------------------
# Scale bar


def nice_length(km: float) -> float:
    """The largest 1, 2 or 5 x 10^n not above ``km`` (0 for ``km <= 0``)."""
    if km <= 0:
        return 0.0
    mag = 10 ** math.floor(math.log10(km))
    for m in (5, 2, 1):
        if m * mag <= km:
            return m * mag
    return mag


def mercator_y_to_lat(y: float) -> float:
    """Latitude (degrees) of a Web Mercator northing (metres)."""
    return math.degrees(2 * math.atan(math.exp(y / 6378137.0)) - math.pi / 2)


def scale_bar(view_bounds_3857: tuple[float, float, float, float], fraction: float = 0.2) -> tuple[float, float]:
    """A scale bar about ``fraction`` of the map wide.

    Web Mercator stretches distances by ``1 / cos(latitude)``: at the map's centre latitude a
    ground distance ``d`` spans ``d / cos(lat)`` projected metres.

    Parameters
    ----------
    view_bounds_3857 : tuple of float
        ``(minx, miny, maxx, maxy)`` of the map in EPSG:3857 metres.
    fraction : float
        Target bar length as a fraction of the map's width.

    Returns
    -------
    tuple of float
        ``(length_km, length_in_projected_metres)``.
    """
    minx, miny, maxx, maxy = view_bounds_3857
    k = math.cos(math.radians(mercator_y_to_lat((miny + maxy) / 2)))
    length = nice_length((maxx - minx) * k / 1000 * fraction)
    return length, length * 1000 / k


# ---------------------------------------------------------------------------------------
# geometry to matplotlib


@lru_cache(maxsize=1)
def _to_3857():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", layers.WEB_MERCATOR, always_xy=True)


def project(geoms: np.ndarray) -> np.ndarray:
    """Shapely geometries from EPSG:4326 to EPSG:3857 (latitudes clamped to Web Mercator's)."""
    tr = _to_3857()

    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], np.clip(xy[:, 1], -MAX_MERCATOR_LAT, MAX_MERCATOR_LAT))
        return np.column_stack([x, y])

    return shapely.transform(geoms, fn)


def polygon_paths(geoms) -> list[MplPath]:
    """One compound matplotlib path (holes included) per polygon or multipolygon."""
    out = []
    for g in geoms:
        verts, codes = [], []
        for poly in getattr(g, "geoms", [g]):
            if poly.is_empty or poly.geom_type != "Polygon":
                continue
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)
                if len(xy) < 3:
                    continue
                c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                verts.append(xy)
                codes.append(c)
        out.append(MplPath(np.concatenate(verts), np.concatenate(codes)) if verts else MplPath(np.zeros((0, 2))))
    return out


def compare_map_png(range_id: str) -> bytes:
    """The compare page's small PNG map of ``range_id`` (no text but the scale bar's "km"):
    countries, member states in the body's colour, the range's mountain area, in the common
    frame of :func:`geo.compare.frame_km`; ``compare.MAP_PX`` square at 2x pixels."""
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle
    from pyproj import Transformer

    from geo import compare

    crs = compare.laea_crs(range_id)
    half = compare.frame_km() * 1000 / 2
    to_geo = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lon0, lat0, lon1, lat1 = to_geo.transform_bounds(-half, -half, half, half, densify_pts=64)
    tol = compare.km_per_px() * 1000 * 0.5
    countries = data.countries().clip_by_rect(max(lon0 - 1, -180), max(lat0 - 1, -90), min(lon1 + 1, 180), min(lat1 + 1, 90))
    countries = countries[~countries.is_empty]
    iso = data.countries().loc[countries.index, "iso3"]
    proj = countries.to_crs(crs).simplify(tol)
    member_iso = set(compare.members(range_id)["iso3"].dropna())
    is_member = iso.isin(member_iso).to_numpy()
    body_colour = layers.BODY_COLOURS[catalog.view(range_id).body_id]
    rng = compare.projected_range(range_id).simplify(tol / 2)

    size_in = compare.MAP_PX / 100
    with _RENDER_LOCK:
        fig = Figure(figsize=(size_in, size_in), dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_facecolor(OCEAN)
        ax.set_xlim(-half, half)
        ax.set_ylim(-half, half)
        ax.set_xticks([])
        ax.set_yticks([])
        for s in ax.spines.values():
            s.set_linewidth(0.8)
        geoms = proj.values
        others = polygon_paths(geoms[~is_member])
        mems = polygon_paths(geoms[is_member])
        ax.add_collection(PathCollection(others, facecolors="#f2efe9", edgecolors="#9a9a9a", linewidths=0.25, zorder=1))
        ax.add_collection(PathCollection(mems, facecolors=body_colour, edgecolors=body_colour, linewidths=0.6, alpha=0.45, zorder=2))
        ax.add_collection(PathCollection(polygon_paths(rng.values), facecolors="#3d2b1f", edgecolors="#3d2b1f",
                                         linewidths=0.3, zorder=3))
        # scale bar: true length (equal-area azimuthal: true at the centre, close across the frame)
        km = nice_length(compare.frame_km() * 0.25)
        x0, y0 = -half + half * 0.08, -half + half * 0.08
        h = half * 0.03
        ax.add_patch(Rectangle((x0 - half * 0.03, y0 - h), km * 1000 + half * 0.06, h * 6.2, facecolor="white", alpha=0.8,
                               edgecolor="none", zorder=10))
        ax.add_patch(Rectangle((x0, y0), km * 500, h, facecolor="black", edgecolor="black", linewidth=0.5, zorder=11))
        ax.add_patch(Rectangle((x0 + km * 500, y0), km * 500, h, facecolor="white", edgecolor="black", linewidth=0.5, zorder=11))
        ax.text(x0, y0 + h * 1.6, f"{km:,.0f} km", fontsize=10, family="DejaVu Sans", va="bottom", zorder=12)
        ax.set_aspect("equal")
        buf = io.BytesIO()
        try:
            fig.savefig(buf, format="png", dpi=100 * compare.MAP_SCALE, metadata={"Software": "Mountain Atlas"})
        finally:
            fig.clear()
    return buf.getvalue()


def _draw_vectors(ax, p: layers.Prepared, lang: str, z: float) -> None:
    g = p.gdf
    if g is None or g.empty:
        return
    from matplotlib.colors import to_rgba

    geoms = project(g.geometry.values)
    if all(geom.geom_type == "Point" for geom in geoms):
        xs, ys = shapely.get_x(geoms), shapely.get_y(geoms)
        ax.scatter(xs, ys, s=30, c=list(g["fill"]), edgecolors="black", linewidths=0.7, zorder=z + 5)
        return
    polys = np.array([geom.geom_type in ("Polygon", "MultiPolygon") for geom in geoms])
    g, geoms = g[polys], geoms[polys]
    paths = polygon_paths(geoms)
    faces = [to_rgba(f, a) for f, a in zip(g["fill"], g["fill_opacity"])]
    widths = [max(float(w) * 0.5, 0.2) for w in g["weight"]]
    dashed = [bool(d) and "no" not in str(d) for d in g["dash"]]
    styles = ["--" if d and f != layers.NO_DATA_FILL else "-" for d, f in zip(dashed, g["fill"])]
    ax.add_collection(PathCollection(paths, facecolors=faces, edgecolors=list(g["stroke"]), linewidths=widths,
                                     linestyles=styles, zorder=z))
    nod = [i for i, f in enumerate(g["fill"]) if f == layers.NO_DATA_FILL]
    if nod:  # hatched like the legend's "no data" swatch: unknown is never a colour of the scale
        ax.add_collection(PathCollection([paths[i] for i in nod], facecolors="none", edgecolors=layers.NO_DATA_STROKE,
                                         linewidths=0.0, hatch="////", zorder=z + 0.001))


def _label_places(ax, p: layers.Prepared, lang: str, bx) -> None:
    """Name the places (the live map shows them in tooltips, a printed map cannot)."""
    tbl = p.table
    if tbl is None or tbl.empty or "lon" not in tbl.columns:
        return
    name_col = "name_zh" if lang == "zh" and "name_zh" in tbl.columns else "name_en"
    groups: dict[tuple[float, float], list[str]] = {}
    names: dict[tuple[float, float], str] = {}
    for _, r in tbl.iterrows():
        key = (round(float(r["lon"]), 2), round(float(r["lat"]), 2))
        names.setdefault(key, str(r.get(name_col) or r.get("name_en") or ""))
        year = str(r.get("date") or "")[:4]
        if year and year not in groups.setdefault(key, []):
            groups[key].append(year)
        groups.setdefault(key, [])
    xy = project(shapely.points(list(groups))) if groups else []
    dx = (bx[2] - bx[0]) * 0.008
    for (key, years), pt in zip(groups.items(), xy):
        x, y = pt.x, pt.y
        if not (bx[0] <= x <= bx[2] and bx[1] <= y <= bx[3]):
            continue
        label = names[key] + (f" {', '.join(years)}" if years else "")
        ax.text(x + dx, y, label, fontsize=6.5, va="center", ha="left", zorder=20, clip_on=True,
                bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.75))


# ---------------------------------------------------------------------------------------
# text layout


def _char_width(ch: str) -> float:
    """Approximate advance of a character in ems (CJK wide characters are one em)."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch.isupper() or ch.isdigit() or ch in "mwMW%@":
        return 0.7
    return 0.58 if ch.isalpha() else 0.42


def wrap(text: str, width_in: float, fontsize: float, bold: bool = False) -> list[str]:
    """Wrap ``text`` to lines at most ``width_in`` inches wide at ``fontsize`` points.

    Latin text breaks at spaces; CJK text may break between any two wide characters. Widths
    are estimated (a little generously), not measured: measuring needs a renderer per line.
    """
    limit = width_in * 72.0 / fontsize / (1.15 if bold else 1.0)  # in ems
    tokens = re.findall(r"[\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]|[^\s\u2E80-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]+|\s+", text)
    lines, cur, w = [], "", 0.0
    for tok in tokens:
        if tok.isspace():
            if cur:
                cur, w = cur + " ", w + 0.33
            continue
        tw = sum(_char_width(c) for c in tok)
        if cur and w + tw > limit:
            lines.append(cur.rstrip())
            cur, w = "", 0.0
        while tw > limit and len(tok) > 1:  # a very long word (URL): cut it
            n = max(int(len(tok) * limit / tw), 1)
            lines.append(tok[:n])
            tok = tok[n:]
            tw = sum(_char_width(c) for c in tok)
        cur, w = cur + tok, w + tw
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


def _line_h(fontsize: float) -> float:
    return fontsize * 1.32 / 72.0


def _footer_lines(state: ViewState, prepared: list[layers.Prepared], url: str, today: str, width_in: float, fs: float) -> list[str]:
    lang = state.lang
    lines: list[str] = []
    for src in dict.fromkeys(p.source_line for p in prepared):
        lines += wrap(src, width_in, fs)
    try:
        paras = data.paragraphs_for_view(state.view)
    except DataFileError:
        paras = []
    if paras:
        key = "title_zh" if lang == "zh" else "title_en"
        cited = "; ".join(f"{p['id']} {p.get(key) or ''}".strip() for p in paras)
        sep = "；" if lang == "zh" else "; "
        cited = sep.join(f"{p['id']} {p.get(key) or ''}".strip() for p in paras)
        lines += wrap(f"{t('linked_paragraphs', lang)} (A/RES/62/196){colon(lang)}{cited}", width_in, fs)
    lines += wrap(f"{t('snapshot_made', lang, date=today)} · {url}", width_in, fs)
    return lines


def _title(state: ViewState, prepared: list[layers.Prepared]) -> str:
    lang = state.lang
    title = catalog.view(state.view).title(lang)
    ind = next((p for p in prepared if p.layer.id == state.indicator), None)
    if ind is not None:
        title += f" · {ind.title}"
        if state.year:
            title += f", {state.year}"
        elif ind.year_label == "latest":
            title += f" ({t('latest', lang)})"
    return title


def _short(text: str, limit: int = 160) -> str:
    """The first sentence of a long legend note (the footer carries the whole note)."""
    if len(text) <= limit:
        return text
    m = re.search(r"[.。](\s|$)", text)
    return text[: m.end()].strip() if m and m.end() < len(text) else text


def _draw_legends(fig, prepared: list[layers.Prepared], x: float, top: float, width: float, bottom: float) -> None:
    """Legends stacked in a column (figure inches from the lower left): title, unit, swatches."""
    legends = layers.legends(prepared)  # the live map's order
    tr = fig.dpi_scale_trans
    for scale in (1.0, 0.85, 0.72, 0.6):
        ts, us, ls = 8.5 * scale, 7.5 * scale, 7.5 * scale
        sw, sh = 0.26 * scale, 0.14 * scale
        blocks = []
        h_total = 0.0
        for lg in legends:
            tl = wrap(lg.title, width, ts, bold=True)
            ul = wrap(_short(lg.unit), width, us) if lg.unit else []
            items = [(i, wrap(i.label, width - sw - 0.08, ls)) for i in lg.items]
            h = len(tl) * _line_h(ts) + len(ul) * _line_h(us) + sum(max(len(il), 1) * _line_h(ls) + 0.03 for _, il in items) + 0.18
            blocks.append((lg, tl, ul, items, h))
            h_total += h
        if top - h_total >= bottom:
            break
    y = top
    for lg, tl, ul, items, h in blocks:
        fig.text(x, y, "\n".join(tl), transform=tr, fontsize=ts, weight="bold", va="top", linespacing=1.2)
        y -= len(tl) * _line_h(ts)
        if ul:
            fig.text(x, y, "\n".join(ul), transform=tr, fontsize=us, color="#333333", va="top", linespacing=1.2)
            y -= len(ul) * _line_h(us)
        y -= 0.04
        for item, il in items:
            n = max(len(il), 1)
            rh = n * _line_h(ls)
            fig.patches.append(Rectangle((x, y - sh - 0.01), sw, sh, transform=tr, figure=fig, facecolor=item.colour,
                                         edgecolor=item.outline or item.colour, linewidth=1.0 if item.dash else 0.8,
                                         linestyle="--" if item.dash else "-", hatch="////" if item.hatch else None))
            fig.text(x + sw + 0.08, y, "\n".join(il), transform=tr, fontsize=ls, va="top", linespacing=1.2)
            y -= rh + 0.03
        y -= 0.15


# ---------------------------------------------------------------------------------------
# the figure


def _bounds_3857(view_id: str) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = layers.view_bounds(view_id)
    x0, y0 = _to_3857().transform(minx, miny)
    x1, y1 = _to_3857().transform(maxx, maxy)
    return x0, y0, x1, y1


def figure(state: ViewState, url: str | None = None, today: str | None = None,
           prepared: list[layers.Prepared] | None = None) -> Figure:
    """The matplotlib figure of a snapshot (no pyplot; call inside :data:`_RENDER_LOCK` and
    the font settings of :func:`_rc`, as :func:`render` does).

    Raises
    ------
    AtlasError
        If a layer's data file is missing or damaged (the message names it).
    """
    lang = state.lang
    prepared = prepared if prepared is not None else layers.prepare_state(state)
    problems = [pr for p in prepared for pr in p.problems]
    if problems:
        raise AtlasError("; ".join(problems))
    url = url or public_url(state)
    today = today or dt.date.today().isoformat()
    W, H = PAGE_IN
    fig = Figure(figsize=PAGE_IN)

    # footer first: its height decides how tall the map may be
    foot_fs = 6.5
    text_w = W - 2 * _MARGIN
    footer = _footer_lines(state, prepared, url, today, text_w, foot_fs)
    foot_h = len(footer) * _line_h(foot_fs)

    bx = _bounds_3857(state.view)
    aspect = (bx[3] - bx[1]) / (bx[2] - bx[0])
    max_w = W - 2 * _MARGIN - _LEGEND_W - _GAP
    max_h = H - _MARGIN - _TITLE_H - foot_h - _GAP - _MARGIN * 0.6
    map_w = min(max_w, max_h / aspect)
    map_h = map_w * aspect
    slack = max_h - map_h  # centre the page's content vertically
    map_top = H - _MARGIN - _TITLE_H - slack / 2
    top = H - _MARGIN - slack / 2
    ax = fig.add_axes((_MARGIN / W, (map_top - map_h) / H, map_w / W, map_h / H))
    ax.set_xlim(bx[0], bx[2])
    ax.set_ylim(bx[1], bx[3])
    ax.set_facecolor(OCEAN)
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_linewidth(0.6)

    has_choro = any(p.layer.kind in ("choropleth", "categorical") for p in prepared)
    for i, p in enumerate(prepared):
        z = 1 + i
        if p.image is not None:
            b = p.image_bounds
            ax.imshow(p.image, extent=(b[0], b[2], b[1], b[3]), origin="upper", zorder=z, interpolation="nearest",
                      resample=False)
            if p.layer.id == "hillshade" and not has_choro:  # country borders, as on the live map
                outline = layers.countries_for_view(state.view)
                ax.add_collection(PathCollection(polygon_paths(project(outline.geometry.values)), facecolors="none",
                                                 edgecolors="#777777", linewidths=0.3, zorder=z + 0.5))
        elif p.gdf is not None:
            _draw_vectors(ax, p, lang, z)
            if p.layer.kind == "points":
                _label_places(ax, p, lang, bx)
    ax.set_xlim(bx[0], bx[2])
    ax.set_ylim(bx[1], bx[3])
    ax.set_aspect("equal", adjustable="box")

    # scale bar: true length at the map's centre latitude
    km, length = scale_bar(bx)
    x0 = bx[0] + (bx[2] - bx[0]) * 0.035
    y0 = bx[1] + (bx[3] - bx[1]) * 0.035
    h = (bx[3] - bx[1]) * 0.010 * max(1.0, 0.6 / aspect if aspect < 1 else 1.0)
    ax.add_patch(Rectangle((x0 - length * 0.04, y0 - h * 0.8), length * 1.08, h * 4.6, facecolor="white", alpha=0.75,
                           edgecolor="none", zorder=30))
    ax.add_patch(Rectangle((x0, y0), length / 2, h, facecolor="black", edgecolor="black", linewidth=0.6, zorder=31))
    ax.add_patch(Rectangle((x0 + length / 2, y0), length / 2, h, facecolor="white", edgecolor="black", linewidth=0.6, zorder=31))
    lat = mercator_y_to_lat((bx[1] + bx[3]) / 2)
    lat_txt = f"{abs(lat):.0f}°{'N' if lat >= 0 else 'S'}" if lang == "en" else f"{'北纬' if lat >= 0 else '南纬'}{abs(lat):.0f}°"
    km_unit = "公里" if lang == "zh" else "km"
    ax.text(x0, y0 + h * 1.5, f"{km:g} {km_unit}  ({t('scale_at', lang, lat=lat_txt)})", fontsize=6.5, zorder=32, va="bottom")

    # title
    tr = fig.dpi_scale_trans
    fig.text(_MARGIN, top, _title(state, prepared), transform=tr, fontsize=16, weight="bold", va="top")
    fig.text(_MARGIN, top - 0.36, t("app_subtitle", lang), transform=tr, fontsize=8.5, color="#444444", va="top")

    # legends right of the map, footer under it
    legend_x = _MARGIN + map_w + _GAP
    legend_w = W - _MARGIN - legend_x
    foot_top = map_top - map_h - 0.18
    _draw_legends(fig, prepared, legend_x, map_top, legend_w, foot_top + 0.05)
    fig.text(_MARGIN, foot_top, "\n".join(footer), transform=tr, fontsize=foot_fs, va="top", color="#222222", linespacing=1.32)
    return fig


def _rc(lang: str) -> dict:
    return {
        "font.family": font_families(lang),
        "svg.fonttype": "none",  # text stays <text>: searchable legend, sources and paragraphs
        "pdf.fonttype": 42,  # embedded TrueType subsets
        "hatch.linewidth": 0.4,
        "hatch.color": layers.NO_DATA_STROKE,
        "svg.hashsalt": "mountain-atlas",  # stable ids: identical inputs give identical SVGs
    }


def render(state: ViewState, fmt: str, url: str | None = None, today: str | None = None,
           prepared: list[layers.Prepared] | None = None) -> bytes:
    """Render a snapshot of ``state``.

    Parameters
    ----------
    state : ViewState
        The map state (view, layers, indicator, year, language).
    fmt : {"png", "svg", "pdf"}
        Output format. PNG is 300 dpi (2x a 150-dpi screen), A4 landscape.
    url : str, optional
        The page URL printed on the snapshot; default :func:`public_url` of ``state``.
    today : str, optional
        The date printed (ISO); default today.
    prepared : list of Prepared, optional
        ``layers.prepare_state(state)`` if the caller has it already.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    ParamError
        For an unknown format.
    AtlasError
        For a damaged data file or a missing CJK font.
    """
    if fmt not in FORMATS:
        raise ParamError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    rc = _rc(state.lang)
    buf = io.BytesIO()
    with _RENDER_LOCK, matplotlib.rc_context(rc):
        fig = figure(state, url=url, today=today, prepared=prepared)
        try:
            if fmt == "png":
                fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": "Mountain Atlas"},
                            pil_kwargs={"compress_level": 3})
            elif fmt == "svg":
                fig.savefig(buf, format="svg", metadata={"Creator": "Mountain Atlas", "Date": None})
            else:
                fig.savefig(buf, format="pdf", dpi=SCREEN_DPI, metadata={"Creator": "Mountain Atlas"})
        finally:
            fig.clear()
    return buf.getvalue()


# ---------------------------------------------------------------------------------------
# command line


def state_from_args(view: str, layer_ids: list[str] | None, indicator: str | None, year: int | None, lang: str) -> ViewState:
    """A :class:`ViewState` from command-line values checked against the allow-lists.

    Raises
    ------
    ParamError
        Naming the bad value and listing the valid ones.
    """
    if view not in SNAPSHOT_VIEWS:
        raise ParamError(f"unknown view {view!r}; valid: {', '.join(SNAPSHOT_VIEWS)}")
    if lang not in LANGS:
        raise ParamError(f"unknown language {lang!r}; valid: {', '.join(LANGS)}")
    v = catalog.view(view)
    state = ViewState.default(view).with_(lang=lang)
    if layer_ids:
        bad = [x for x in layer_ids if x not in v.allowed_layers]
        if bad:
            raise ParamError(f"unknown layer {bad[0]!r} for view {view}; valid: {', '.join(v.allowed_layers)}")
        state = state.with_(layers=tuple(dict.fromkeys(layer_ids)))
    if indicator is not None:
        if indicator != "none" and indicator not in catalog.INDICATORS:
            raise ParamError(f"unknown indicator {indicator!r}; valid: none, {', '.join(catalog.INDICATORS)}")
        state = state.with_(indicator=None if indicator == "none" else indicator)
    if year is not None:
        years = layers.available_years(state.indicator) if state.indicator else []
        if not years:
            raise ParamError(f"--year needs an SDG indicator with years; valid indicators: {', '.join(i for i in catalog.INDICATORS if i.startswith('sdg_'))}")
        if year not in years:
            raise ParamError(f"no data for {state.indicator} in {year}; valid years: {', '.join(map(str, years))}")
        state = state.with_(year=year)
    return state


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (no usage block), exit code 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"error: {message} (see --help)\n")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    ap = OneLineParser(prog="python -m geo.snapshot", description="Render a map view to PNG, SVG or PDF.")
    ap.add_argument("--view", required=True, help=f"one of {', '.join(SNAPSHOT_VIEWS)}")
    ap.add_argument("--format", required=True, help=f"one of {', '.join(FORMATS)}")
    ap.add_argument("--out", required=True, help="output file")
    ap.add_argument("--layer", action="append", help="layer id (repeatable); default: the view's layers")
    ap.add_argument("--indicator", default=None, help="indicator id or 'none'")
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--lang", default="en", help=f"one of {', '.join(LANGS)}")
    ap.add_argument("--url", default=None, help="page URL printed on the snapshot (default: from ATLAS_PUBLIC_URL)")
    args = ap.parse_args(argv)
    try:
        if args.format not in FORMATS:
            raise ParamError(f"unknown format {args.format!r}; valid: {', '.join(FORMATS)}")
        state = state_from_args(args.view, args.layer, args.indicator, args.year, args.lang)
        out = render(state, args.format, url=args.url)
    except AtlasError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        with open(args.out, "wb") as f:
            f.write(out)
    except OSError as e:
        print(f"error: cannot write {args.out}: {e.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} ({len(out):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
