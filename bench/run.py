"""``make bench``: size and speed of Mountain Atlas against ``GeoDataFrame.explore()``.

In one run, on the same data:

- per view: bytes of the map page, and seconds until Leaflet has drawn in headless Chromium,
  for our map and for ``explore()`` of the same layers (mountain-class polygons + countries,
  clipped to the view for ranges); both pages get Leaflet inlined so neither needs a CDN;
- server CPU seconds per page view of the running app, read from the server process's own
  accounting (/proc/PID/stat), and what that means in page views per second per core, beside a
  bare page holding one small st_folium map (the framework's floor);
- data-load time at start (import, then the first preparation of each view), snapshot times
  (PNG/SVG/PDF, first and warm; if geo/snapshot.py exists), ``make data`` time;
- server memory (RSS) with 1 and with 20 open sessions.

Writes ``bench/results.json`` and ``bench/results.md``. Loopback only; every loop is bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench"
VIEWS = ("world", "alps", "partnership")
CLK = os.sysconf("SC_CLK_TCK")


#: run in a fresh process: import time, then the first (cold) preparation of each view in turn
DATA_LOAD = """
import json, time
t0 = time.perf_counter()
from geo import mapping
from geo.state import ViewState
out = {"import_s": round(time.perf_counter() - t0, 2)}
for v in ("world", "alps", "carpathians", "hindu-kush-himalaya", "andes", "partnership"):
    t = time.perf_counter()
    mapping.prepare_state(ViewState.default(v))
    out[v + "_s"] = round(time.perf_counter() - t, 2)
out["total_s"] = round(time.perf_counter() - t0, 2)
print(json.dumps(out))
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK  # utime + stime


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def explore_html(view_id: str) -> str:
    """What a user would otherwise do: explore() of the class polygons and the countries."""
    import geopandas as gpd
    import shapely

    from geo import data, layers, mapping

    classes = data.vector("vector/mountain_classes.geojson")
    countries = data.countries()
    if view_id not in ("world", "partnership"):
        box = shapely.box(*layers.view_bounds(view_id))
        classes = gpd.clip(classes, box)
        countries = gpd.clip(countries, box)
    m = countries.explore(tiles=None, style_kwds={"fillOpacity": 0.1})
    classes.explore(m=m, column="class", categorical=True, tiles=None)
    return mapping.standalone_html(m)


def our_html(view_id: str) -> str:
    from geo import mapping
    from geo.state import ViewState

    return mapping.standalone_html(mapping.build_map(ViewState.default(view_id)))


DRAWN_AT = ("() => (window.L && (document.querySelectorAll('.leaflet-overlay-pane path').length + "
            "document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-image-layer').length) > 0) ? performance.now() : false")


def draw_seconds(browser, html: str, runs: int = 3) -> float:
    """Median seconds from navigation start (performance.now() is 0 there) until Leaflet has drawn."""
    times = []
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "map.html"
        f.write_text(html, encoding="utf-8")
        for _ in range(runs):
            ctx = browser.new_context(viewport={"width": 1200, "height": 800})
            page = ctx.new_page()
            page.set_default_timeout(180_000)
            page.goto(f.as_uri(), wait_until="commit")
            drawn_ms = page.wait_for_function(DRAWN_AT, polling=20).json_value()
            times.append(drawn_ms / 1000)
            ctx.close()
    return sorted(times)[len(times) // 2]


def start_server(script: Path, port: int) -> subprocess.Popen:
    from tests.conftest import wait_healthy

    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    return proc


def view_page(browser, url: str, frame_selector: str = "iframe[title='streamlit_folium.st_folium']") -> float:
    t0 = time.perf_counter()
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_default_timeout(180_000)
    page.goto(url)
    page.wait_for_selector(frame_selector)
    while not any("streamlit_folium" in f.url for f in page.frames):
        page.wait_for_timeout(100)
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    frame.wait_for_function("() => window.L && document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path, .leaflet-image-layer').length > 0")
    page.wait_for_timeout(500)
    ctx.close()
    return time.perf_counter() - t0


def server_cost(browser, script: Path, paths: list[str], views: int = 8) -> dict:
    """Server CPU seconds per page view, warm: every path is viewed once before measuring, so
    data preparation (cached per state) is not counted; it is reported as data-load time."""
    from tests.conftest import free_port

    port = free_port()
    proc = start_server(script, port)
    try:
        base = f"http://127.0.0.1:{port}"
        for p in paths:  # warm caches: the first view of each state pays its data preparation
            view_page(browser, base + p)
        c0 = cpu_seconds(proc.pid)
        walls = [view_page(browser, base + paths[i % len(paths)]) for i in range(views)]
        cpu = (cpu_seconds(proc.pid) - c0) / views
        return {"cpu_s_per_view": round(cpu, 3), "views_per_s_per_core": round(1 / cpu, 2) if cpu else None,
                "wall_s_per_view_median": round(sorted(walls)[len(walls) // 2], 2), "views_measured": views, "paths": paths}
    finally:
        proc.terminate()
        proc.wait(20)


def rss_sessions(browser, counts=(1, 20)) -> dict:
    from tests.conftest import free_port

    port = free_port()
    proc = start_server(ROOT / "app.py", port)
    out = {}
    ctxs = []
    try:
        base = f"http://127.0.0.1:{port}/alps"
        for n in counts:
            while len(ctxs) < n:
                ctx = browser.new_context()
                page = ctx.new_page()
                page.set_default_timeout(180_000)
                page.goto(base)
                page.wait_for_selector("iframe[title='streamlit_folium.st_folium']")
                ctxs.append(ctx)
            time.sleep(2)
            out[f"rss_mb_{n}_sessions"] = round(rss_mb(proc.pid), 1)
    finally:
        for c in ctxs:
            c.close()
        proc.terminate()
        proc.wait(20)
    return out


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.run")
    ap.add_argument("--skip-build", action="store_true", help="do not time `make data`")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    results: dict = {"machine": {"cores": os.cpu_count()}, "views": {}}
    load = subprocess.run([sys.executable, "-c", DATA_LOAD], cwd=ROOT, capture_output=True, text=True, check=True)
    results["data_load"] = json.loads(load.stdout.strip().splitlines()[-1])

    try:
        from geo import snapshot
    except ImportError:
        snapshot = None
    if snapshot is not None:
        from geo.state import ViewState

        snap = {}
        for fmt in snapshot.FORMATS:
            t0 = time.perf_counter()
            snapshot.render(ViewState.default("alps"), fmt)
            snap[f"{fmt}_first"] = round(time.perf_counter() - t0, 2)
            t0 = time.perf_counter()
            snapshot.render(ViewState.default("alps"), fmt)
            snap[fmt] = round(time.perf_counter() - t0, 2)
        results["snapshot_s_alps"] = snap

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        for v in VIEWS:
            ours, theirs = our_html(v), explore_html(v)
            r = {"ours_bytes": len(ours.encode()), "explore_bytes": len(theirs.encode()),
                 "ours_draw_s": round(draw_seconds(browser, ours), 2), "explore_draw_s": round(draw_seconds(browser, theirs), 2)}
            r["bytes_ratio"] = round(r["explore_bytes"] / r["ours_bytes"], 1)
            r["draw_ratio"] = round(r["explore_draw_s"] / r["ours_draw_s"], 1)
            results["views"][v] = r
            print(v, r, flush=True)
        results["server_app"] = server_cost(browser, ROOT / "app.py", ["/alps", "/carpathians", "/andes", "/", "/partnership"], views=10)
        results["server_floor"] = server_cost(browser, ROOT / "bench" / "floor_app.py", ["/"])
        results.update(rss_sessions(browser))
        browser.close()
    if not args.skip_build:
        with tempfile.TemporaryDirectory() as d:
            results["make_data_s"] = round(timed([sys.executable, "-m", "geo.build", "--out", d]), 1)
    old = json.loads((OUT / "results.json").read_text()) if (OUT / "results.json").exists() else {}
    if "load" in old:  # keep the load test's figures (bench.load writes them)
        results["load"] = old["load"]
    (OUT / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (OUT / "results.md").write_text(markdown(results))
    print(markdown(results))
    return 0


def _f(x, fmt="{}") -> str:
    return "n/a" if x is None else fmt.format(x)


def markdown(r: dict) -> str:
    """The whole report, from results.json (bench.run and bench.load both call this)."""
    lines = ["# Benchmark results", "",
             f"Machine: {r.get('machine', {}).get('cores')} cores; app, browser and baseline all on it. Loopback only.", ""]
    if r.get("views"):
        lines += ["## Map page: ours vs `GeoDataFrame.explore()` (same layers, no tiles, Leaflet inlined in both)", "",
                  "| view | our HTML | explore() HTML | size: explore() / ours | our draw (s) | explore() draw (s) | time: explore() / ours |",
                  "|---|---|---|---|---|---|---|"]
        for v, x in r["views"].items():
            lines.append(f"| {v} | {x['ours_bytes'] / 1e6:.2f} MB | {x['explore_bytes'] / 1e6:.2f} MB | {x['bytes_ratio']} | "
                         f"{x['ours_draw_s']} | {x['explore_draw_s']} | {x['draw_ratio']} |")
        lines += ["", "Draw time: seconds from navigation start (performance.now()) until Leaflet has put the layers on screen "
                  "in headless Chromium, page loaded from a file:// URL; median of the runs.", ""]
    if r.get("server_app"):
        a, f = r["server_app"], r["server_floor"]
        lines += ["## Server cost per page view (the Streamlit process's own CPU time, /proc/PID/stat; warm caches)", "",
                  "| page | CPU s / view | page views / s / core | median wall s / view (one browser) |", "|---|---|---|---|",
                  f"| Mountain Atlas map pages ({', '.join(a.get('paths', []))}) | {a['cpu_s_per_view']} | {a['views_per_s_per_core']} | {a['wall_s_per_view_median']} |",
                  f"| bare page with one small st_folium map (framework floor) | {f['cpu_s_per_view']} | {f['views_per_s_per_core']} | {f['wall_s_per_view_median']} |",
                  ""]
    if r.get("data_load"):
        d = r["data_load"]
        per = ", ".join(f"{k[:-2]} {v} s" for k, v in d.items() if k not in ("import_s", "total_s"))
        lines += ["## Start-up, snapshots, build, memory", "",
                  f"- Data load in a fresh process: import {d['import_s']} s, then the first preparation of each view: {per}; total {d['total_s']} s."]
    if r.get("snapshot_s_alps"):
        s = r["snapshot_s_alps"]
        lines.append("- Alps snapshot, first / warm: " + ", ".join(f"{k.upper()} {s[k + '_first']} / {s[k]} s" for k in ("png", "svg", "pdf") if k in s) + ".")
    if "rss_mb_1_sessions" in r:
        lines.append(f"- Server RSS: {r['rss_mb_1_sessions']} MB with 1 open session, {r['rss_mb_20_sessions']} MB with 20.")
    if "make_data_s" in r:
        lines.append(f"- `make data` (python -m geo.build into an empty folder, pinned inputs cached): {r['make_data_s']} s.")
    if r.get("load"):
        lines += ["", "## Load: concurrent browser sessions (Playwright contexts in one Chromium on the same 2 cores)", "",
                  "| setup | sessions | wall s | page views | errors | p50 to drawn map (s) | p95 (s) | server CPU s (all replicas) | replicas used |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for k, x in r["load"].items():
            lines.append(f"| {k.replace('_', ' ')} | {x['sessions']} | {_f(x.get('wall_s'))} | {x['views']} | {x['errors']} | {_f(x['p50_s'])} | "
                         f"{_f(x['p95_s'])} | {_f(x.get('server_cpu_s'))} | {_f(x.get('replicas'))} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
