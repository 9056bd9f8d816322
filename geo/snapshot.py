"""Static snapshots of a map view (PNG, SVG, PDF), rendered on the server with matplotlib.

The snapshot draws the same :class:`geo.layers.Prepared` layers as the live map (same data,
colours, legend, sources) in the same projection (Web Mercator), and adds what a report needs:
a title, the legends with units, a scale bar, the source and licence lines, the paragraphs of
the resolution the view illustrates, the date and the page URL.

Command line::

    python -m geo.snapshot --view alps --format png --out alps.png [--layer ID ...]
                           [--indicator ID] [--year YYYY] [--lang en|zh]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import math
import os
import sys
import textwrap
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from geo import catalog, data, layers, mapping  # noqa: E402
from geo.errors import AtlasError, ParamError  # noqa: E402
from geo.i18n import LANGS, t  # noqa: E402
from geo.state import ViewState  # noqa: E402

FORMATS = ("png", "svg", "pdf")
SNAPSHOT_VIEWS = ("world", "alps", "carpathians", "hindu-kush-himalaya", "andes", "partnership")
PNG_DPI = 200  # 2x a 100-dpi screen rendering of the 12 x 8 inch page: 2400 x 1600 pixels
PAGE_IN = (12.0, 8.0)
CJK_FAMILY = "Noto Sans CJK SC"


@lru_cache(maxsize=1)
def cjk_font_available() -> bool:
    from matplotlib import font_manager as fm

    return any(f.name == CJK_FAMILY for f in fm.fontManager.ttflist)


def _fonts(lang: str) -> list[str]:
    if lang == "zh":
        if not cjk_font_available():
            raise AtlasError(f"the font '{CJK_FAMILY}' is missing: install Debian's fonts-noto-cjk (make test / scripts/system-deps.sh does)")
        return [CJK_FAMILY, "DejaVu Sans"]
    return ["DejaVu Sans", CJK_FAMILY] if cjk_font_available() else ["DejaVu Sans"]


def public_url(state: ViewState) -> str:
    from urllib.parse import urlencode

    base = os.environ.get("ATLAS_PUBLIC_URL", "http://localhost:8501").rstrip("/")
    q = state.to_query_params()
    return f"{base}/{catalog.PAGE_PATHS[state.view]}" + (f"?{urlencode(q)}" if q else "")


def nice_length(km: float) -> float:
    """The largest 1, 2 or 5 x 10^n not above ``km``."""
    if km <= 0:
        return 0.0
    mag = 10 ** math.floor(math.log10(km))
    for m in (5, 2, 1):
        if m * mag <= km:
            return m * mag
    return mag


def scale_bar(view_bounds_3857: tuple[float, float, float, float], fraction: float = 0.2) -> tuple[float, float]:
    """``(length_km, length_in_projected_metres)`` for a bar about ``fraction`` of the map wide.

    Web Mercator stretches distances by 1/cos(latitude): at the map's centre latitude, a ground
    distance d spans d / cos(lat) projected metres.
    """
    from pyproj import Transformer

    minx, miny, maxx, maxy = view_bounds_3857
    _, lat = Transformer.from_crs(layers.WEB_MERCATOR, "EPSG:4326", always_xy=True).transform((minx + maxx) / 2, (miny + maxy) / 2)
    k = math.cos(math.radians(lat))
    ground_km = (maxx - minx) * k / 1000 * fraction
    length = nice_length(ground_km)
    return length, length * 1000 / k


def _bounds_3857(view_id: str) -> tuple[float, float, float, float]:
    from pyproj import Transformer

    minx, miny, maxx, maxy = layers.view_bounds(view_id)
    tr = Transformer.from_crs("EPSG:4326", layers.WEB_MERCATOR, always_xy=True)
    x0, y0 = tr.transform(minx, miny)
    x1, y1 = tr.transform(maxx, maxy)
    return x0, y0, x1, y1


def _draw_vectors(ax, p: layers.Prepared) -> None:
    g = p.gdf.to_crs(layers.WEB_MERCATOR)
    if g.empty:
        return
    from matplotlib.colors import to_rgba

    if (g.geom_type == "Point").all():
        ax.scatter(g.geometry.x, g.geometry.y, s=36, c=list(g["fill"]), edgecolors="black", linewidths=0.8, zorder=6)
        return
    faces = [to_rgba(f, a) for f, a in zip(g["fill"], g["fill_opacity"])]
    g.plot(ax=ax, facecolor=faces, edgecolor=list(g["stroke"]), linewidth=[max(w * 0.6, 0.2) for w in g["weight"]], zorder=3)
    nod = g[g["fill"] == layers.NO_DATA_FILL]
    if not nod.empty:
        nod.plot(ax=ax, facecolor="none", edgecolor=layers.NO_DATA_STROKE, hatch="////", linewidth=0.3, zorder=3)


def figure(state: ViewState, url: str | None = None, today: str | None = None):
    """The matplotlib figure of a snapshot (callers save and close it)."""
    lang = state.lang
    prepared = mapping.prepare_state(state)
    problems = [pr for p in prepared for pr in p.problems]
    if problems:
        raise AtlasError("; ".join(problems))
    plt.rcParams["font.family"] = _fonts(lang)
    plt.rcParams["svg.fonttype"] = "none"  # text stays text in SVG: searchable, and it is the legend
    plt.rcParams["pdf.fonttype"] = 42
    plt.rcParams["hatch.linewidth"] = 0.4
    fig = plt.figure(figsize=PAGE_IN)
    ax = fig.add_axes([0.02, 0.2, 0.64, 0.7])
    side = fig.add_axes([0.68, 0.2, 0.3, 0.7])
    side.axis("off")
    bx = _bounds_3857(state.view)
    ax.set_xlim(bx[0], bx[2])
    ax.set_ylim(bx[1], bx[3])
    ax.set_facecolor("#cddde9")
    ax.set_xticks([])
    ax.set_yticks([])
    has_choro = any(p.layer.kind in ("choropleth", "categorical") for p in prepared)
    for i, p in enumerate(prepared):
        if p.image is not None:
            b = p.image_bounds
            ax.imshow(p.image, extent=(b[0], b[2], b[1], b[3]), origin="upper", zorder=1 + i * 0.01, interpolation="nearest")
            if p.layer.id == "hillshade" and not has_choro:
                outline = layers.countries_for_view(state.view).to_crs(layers.WEB_MERCATOR)
                outline.plot(ax=ax, facecolor="none", edgecolor="#777777", linewidth=0.3, zorder=2)
        elif p.gdf is not None:
            _draw_vectors(ax, p)
    ax.set_xlim(bx[0], bx[2])
    ax.set_ylim(bx[1], bx[3])
    ax.set_aspect("equal")
    ax.set_xlabel("")
    ax.set_ylabel("")

    km, length = scale_bar(bx)
    x0 = bx[0] + (bx[2] - bx[0]) * 0.04
    y0 = bx[1] + (bx[3] - bx[1]) * 0.04
    h = (bx[3] - bx[1]) * 0.012
    ax.add_patch(Rectangle((x0, y0), length, h, facecolor="black", edgecolor="black", zorder=8))
    ax.add_patch(Rectangle((x0 + length / 2, y0), length / 2, h, facecolor="white", edgecolor="black", zorder=9))
    ax.text(x0, y0 + h * 1.8, f"{km:g} km", fontsize=8, zorder=9)

    v = catalog.view(state.view)
    title = v.title(lang)
    ind = next((p for p in prepared if p.layer.id == state.indicator), None)
    if ind is not None:
        title += f" · {ind.title}" + (f" ({state.year})" if state.year else "")
    fig.text(0.02, 0.955, title, fontsize=17, weight="bold", va="top")
    fig.text(0.02, 0.915, t("app_subtitle", lang), fontsize=9, color="#444444", va="top")

    handles_y = 1.0
    for p in prepared:
        if not p.legend:
            continue
        lg = p.legend
        handles = [Patch(facecolor=i.colour, edgecolor=i.outline or i.colour, hatch="////" if i.hatch else None, label=i.label) for i in lg.items]
        unit = "\n".join(textwrap.wrap(lg.unit, 48)) if lg.unit else ""
        leg = side.legend(handles=handles, title=lg.title + (f"\n{unit}" if unit else ""), loc="upper left", bbox_to_anchor=(0, handles_y),
                          fontsize=7.5, title_fontsize=8, frameon=False, alignment="left")
        side.add_artist(leg)
        handles_y -= 0.07 + 0.045 * len(handles) + 0.03 * unit.count("\n") + (0.03 if unit else 0)

    width = 170 if lang == "en" else 90
    sources = " ".join(dict.fromkeys(p.source_line for p in prepared))
    lines = textwrap.wrap(sources, width)[:8]
    paras = data.paragraphs_for_view(state.view)
    cited = "; ".join(f"{p['id']} {p.get('title_zh' if lang == 'zh' else 'title_en', '')}" for p in paras)
    cited_lines = textwrap.wrap(f"{t('linked_paragraphs', lang)} (A/RES/62/196): {cited}", width)[:3]
    made = t("snapshot_made", lang, date=today or dt.date.today().isoformat())
    footer = lines + cited_lines + [f"{made} · {url or public_url(state)}"]
    fig.text(0.02, 0.175, "\n".join(footer), fontsize=6.5, va="top", color="#222222", linespacing=1.35)
    return fig


def render(state: ViewState, fmt: str, url: str | None = None, today: str | None = None) -> bytes:
    """Bytes of a snapshot in ``fmt`` (png, svg or pdf)."""
    if fmt not in FORMATS:
        raise ParamError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")
    fig = figure(state, url=url, today=today)
    buf = io.BytesIO()
    try:
        meta = {"png": {"Software": "Mountain Atlas"}, "svg": {"Creator": "Mountain Atlas"}, "pdf": {"Creator": "Mountain Atlas"}}[fmt]
        fig.savefig(buf, format=fmt, dpi=PNG_DPI if fmt == "png" else 100, metadata=meta)
    finally:
        plt.close(fig)
    return buf.getvalue()


def state_from_args(view: str, layer_ids: list[str] | None, indicator: str | None, year: int | None, lang: str) -> ViewState:
    """Check CLI values against the allow-lists; :class:`ParamError` names the valid values."""
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
        state = state.with_(year=year)
    return state


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geo.snapshot", description="Render a map view to PNG, SVG or PDF.")
    ap.add_argument("--view", required=True)
    ap.add_argument("--format", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--layer", action="append", help="layer id (repeatable); default: the view's layers")
    ap.add_argument("--indicator", default=None)
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--lang", default="en")
    args = ap.parse_args(argv)
    try:
        if args.format not in FORMATS:
            raise ParamError(f"unknown format {args.format!r}; valid: {', '.join(FORMATS)}")
        state = state_from_args(args.view, args.layer, args.indicator, args.year, args.lang)
        out = render(state, args.format)
    except AtlasError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    with open(args.out, "wb") as f:
        f.write(out)
    print(f"wrote {args.out} ({len(out):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
