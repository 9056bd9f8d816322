"""Static embeds: ``python -m geo.export --view VIEW --out DIR``.

Writes a self-contained HTML map per view (Leaflet's CSS and JS inlined, images as data URLs,
no external request), with the view's data (CSV, GeoJSON) and a PNG snapshot beside it, and an
``index.html`` listing what was exported. Any static host or CDN can serve the folder: the way
to reach a large audience without a server per viewer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo import catalog, exports, mapping, snapshot
from geo.errors import AtlasError, ParamError
from geo.layers import esc


def export_view(state, out_dir: Path, with_png: bool = True) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    prepared = mapping.prepare_state(state)
    problems = [pr for p in prepared for pr in p.problems]
    if problems:
        raise AtlasError("; ".join(problems))
    stem = exports.file_stem(state)
    title = f"{catalog.view(state.view).title(state.lang)} — Mountain Atlas"
    m = mapping.build_map(state, prepared, height=600)
    html = mapping.standalone_html(m, title=title)
    sources = " ".join(dict.fromkeys(p.source_line for p in prepared))
    footer = (f'<div style="font:12px sans-serif;margin:6px 8px;color:#333">{esc(sources)} '
              f'<a href="{esc(stem)}.csv">CSV</a> · <a href="{esc(stem)}.geojson">GeoJSON</a></div>')
    html = html.replace("</body>", footer + "\n</body>", 1)
    written = []
    page = out_dir / f"{state.view}.html"
    page.write_text(html, encoding="utf-8")
    written.append(page)
    (out_dir / f"{stem}.csv").write_bytes(exports.table_csv(prepared))
    (out_dir / f"{stem}.geojson").write_bytes(exports.layer_geojson(state, prepared, snapshot.public_url(state)))
    written += [out_dir / f"{stem}.csv", out_dir / f"{stem}.geojson"]
    if with_png:
        (out_dir / f"{stem}.png").write_bytes(snapshot.render(state, "png"))
        written.append(out_dir / f"{stem}.png")
    return written


def write_index(out_dir: Path, views: list[str], lang: str) -> Path:
    items = "".join(f'<li><a href="{esc(v)}.html">{esc(catalog.view(v).title(lang))}</a></li>' for v in views)
    html = (f'<!doctype html><html lang="{esc(lang)}"><head><meta charset="utf-8"><title>Mountain Atlas</title></head>'
            f'<body style="font-family:sans-serif"><h1>Mountain Atlas</h1><ul>{items}</ul></body></html>')
    p = out_dir / "index.html"
    p.write_text(html, encoding="utf-8")
    return p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geo.export", description="Write self-contained HTML maps (static embeds).")
    ap.add_argument("--view", required=True, help=f"one of {', '.join(snapshot.SNAPSHOT_VIEWS)} or 'all'")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--lang", default="en")
    ap.add_argument("--layer", action="append")
    ap.add_argument("--indicator", default=None)
    ap.add_argument("--year", type=int, default=None)
    ap.add_argument("--no-png", action="store_true", help="skip the PNG snapshot")
    args = ap.parse_args(argv)
    try:
        views = list(snapshot.SNAPSHOT_VIEWS) if args.view == "all" else [args.view]
        if args.view != "all" and args.view not in snapshot.SNAPSHOT_VIEWS:
            raise ParamError(f"unknown view {args.view!r}; valid: all, {', '.join(snapshot.SNAPSHOT_VIEWS)}")
        for v in views:
            state = snapshot.state_from_args(v, args.layer if args.view != "all" else None, args.indicator, args.year, args.lang)
            export_view(state, args.out, with_png=not args.no_png)
        write_index(args.out, views, args.lang)
    except AtlasError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {len(views)} view(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
