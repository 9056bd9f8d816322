"""Static embeds: ``python -m geo.static_site --view VIEW|all --out DIR``.

Writes, per view, a self-contained HTML map ``DIR/<view>.html``: the same map page as the live
app and its embeds (:func:`geo.mapping.build` over the same artefacts), with every artefact
inlined by :func:`geo.mapping.inline_page` (Leaflet, our map script, geometry, rasters as data
URLs), so it opens from disk and makes no external request: the only absolute URL in the page is
the live page's address, printed as citation text, never as a ``src`` or ``href``. Beside it the view's data (CSV, GeoJSON) and a PNG snapshot, named
like the app's downloads. With several views, ``DIR/index.html`` lists them. Any static host
or CDN can serve the folder: the way to reach a large audience without a server per viewer.

Every data value in the page is HTML-escaped (:func:`geo.layers.esc`).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from geo import catalog, data, downloads, layers, mapping, snapshot
from geo.errors import AtlasError, DataFileError, ParamError
from geo.i18n import LANGS, t
from geo.layers import esc
from geo.state import ViewState, public_url

FOOTER_CSS = ("font:12px/1.45 sans-serif;margin:8px 10px;color:#333;max-width:1100px;flex:none")


def _footer(state: ViewState, prepared, stem: str, url: str, today: str, with_png: bool) -> str:
    lang = state.lang
    sources = "".join(f"<li>{esc(s)}</li>" for s in dict.fromkeys(p.source_line for p in prepared))
    try:
        paras = data.paragraphs_for_view(state.view)
    except DataFileError:
        paras = []
    key = "title_zh" if lang == "zh" else "title_en"
    cited = "; ".join(f"<b>{esc(p['id'])}</b> {esc(p.get(key) or '')}" for p in paras)
    links = [f'<a href="{esc(stem)}.csv">CSV</a>', f'<a href="{esc(stem)}.geojson">GeoJSON</a>']
    if with_png:
        links.append(f'<a href="{esc(stem)}.png">PNG</a>')
    parts = [f'<div class="ma-export-footer" style="{FOOTER_CSS}">',
             f"<ul style=\"margin:0 0 4px 16px;padding:0\">{sources}</ul>"]
    if cited:
        parts.append(f"<p style=\"margin:2px 0\">{esc(t('linked_paragraphs', lang))} (A/RES/62/196): {cited}</p>")
    parts.append(f"<p style=\"margin:2px 0\">{esc(t('data_files', lang))}: {' · '.join(links)}</p>")
    parts.append(f"<p style=\"margin:2px 0\">{esc(t('cite_as', lang))}: {esc(downloads.CITATION)} "
                 f"{esc(t('live_map', lang))}: <span class=\"ma-url\">{esc(url)}</span>. "
                 f"{esc(t('exported_on', lang, date=today))}</p></div>")
    return "\n".join(parts)


def export_view(state: ViewState, out_dir: Path, with_png: bool = True, url: str | None = None,
                today: str | None = None) -> list[Path]:
    """Write the HTML map, CSV, GeoJSON and (``with_png``) PNG snapshot of ``state``.

    Returns
    -------
    list of Path
        The files written, the HTML page first.

    Raises
    ------
    AtlasError
        If a layer's data file is missing or damaged.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    state = state.with_(embed=False, tiles=False, notices=())  # tiles would load from the internet
    prepared = layers.prepare_state(state)
    problems = [pr for p in prepared for pr in p.problems]
    if problems:
        raise AtlasError("; ".join(problems))
    url = url or public_url(state)
    today = today or dt.date.today().isoformat()
    stem = downloads.file_stem(state)
    title = f"{catalog.view(state.view).title(state.lang)} — {t('app_title', state.lang)}"
    heading = f'<h1 style="font:bold 18px sans-serif;margin:8px 10px;flex:none">{esc(title)}</h1>'
    html = mapping.inline_page(mapping.build(state), state, title, footer=_footer(state, prepared, stem, url, today, with_png))
    html = html.replace("<body>", f"<body>\n{heading}", 1)
    page = out_dir / f"{state.view}.html"
    page.write_text(html, encoding="utf-8")
    written = [page]
    files = {f"{stem}.csv": downloads.table_csv(prepared, state, url, today),
             f"{stem}.geojson": downloads.layer_geojson(prepared, state, url, today)}
    if with_png:
        files[f"{stem}.png"] = snapshot.render(state, "png", url=url, today=today, prepared=prepared)
    for name, content in files.items():
        (out_dir / name).write_bytes(content)
        written.append(out_dir / name)
    return written


def write_index(out_dir: Path, views: list[str], lang: str) -> Path:
    """``index.html`` linking the exported views."""
    items = "".join(f'<li><a href="{esc(v)}.html">{esc(catalog.view(v).title(lang))}</a></li>' for v in views)
    name = esc(t("app_title", lang))
    html = (f'<!doctype html><html lang="{esc(lang)}"><head><meta charset="utf-8"><title>{name}</title></head>'
            f'<body style="font-family:sans-serif"><h1>{name}</h1><p>{esc(t("app_subtitle", lang))}</p><ul>{items}</ul></body></html>')
    p = Path(out_dir) / "index.html"
    p.write_text(html, encoding="utf-8")
    return p


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    valid_views = ("all", *snapshot.SNAPSHOT_VIEWS)
    ap = snapshot.OneLineParser(prog="python -m geo.static_site", description="Write self-contained HTML maps (static embeds).")
    ap.add_argument("--view", required=True, help=f"one of {', '.join(valid_views)}")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--lang", default="en", help=f"one of {', '.join(LANGS)}")
    ap.add_argument("--layer", action="append", help="layer id (repeatable; single view only)")
    ap.add_argument("--indicator", default=None)
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--no-png", action="store_true", help="skip the PNG snapshot")
    args = ap.parse_args(argv)
    try:
        if args.view not in valid_views:
            raise ParamError(f"unknown view {args.view!r}; valid: {', '.join(valid_views)}")
        if args.view == "all" and args.layer:
            raise ParamError("--layer needs a single --view (layers differ per view); valid views: " + ", ".join(snapshot.SNAPSHOT_VIEWS))
        views = list(snapshot.SNAPSHOT_VIEWS) if args.view == "all" else [args.view]
        states = [snapshot.state_from_args(v, args.layer, args.indicator, args.year, args.lang) for v in views]
        for state in states:
            export_view(state, args.out, with_png=not args.no_png)
        if len(views) > 1:
            write_index(args.out, views, args.lang)
    except AtlasError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write to {args.out}: {e.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {len(views)} view(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
