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


#: run in a fresh process: import time, then the first (cold) preparation of each view in turn,
#: raster images included (they are otherwise made when first drawn)
DATA_LOAD = """
import json, time
t0 = time.perf_counter()
from geo import catalog, layers
from geo.state import ViewState
out = {"import_s": round(time.perf_counter() - t0, 2)}
for v in catalog.VIEWS:
    t = time.perf_counter()
    [p.image for p in layers.prepare_state(ViewState.default(v))]
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

    from geo import data, layers

    classes = data.vector("vector/mountain_classes.geojson")
    countries = data.countries()
    if view_id not in ("world", "partnership"):
        box = shapely.box(*layers.view_bounds(view_id))
        classes = gpd.clip(classes, box)
        countries = gpd.clip(countries, box)
    m = countries.explore(tiles=None, style_kwds={"fillOpacity": 0.1})
    classes.explore(m=m, column="class", categorical=True, tiles=None)
    from geo import assets

    m.default_js, m.default_css = [], []
    html = m.get_root().render()
    return html.replace("<head>", f"<head>\n<style>{assets.inline_css()}</style>\n<script>{assets.inline_js()}</script>\n", 1)


def our_html(view_id: str) -> str:
    """Our map page with every artefact inlined (what geo.static_site writes), comparable with explore()."""
    from geo import catalog, mapping
    from geo.state import ViewState

    state = ViewState.default(view_id)
    return mapping.inline_page(mapping.build(state), state, catalog.view(view_id).title("en"))


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


def start_server(script: Path, port: int, cpus: str | None = None) -> subprocess.Popen:
    """A server for ``script`` (serve.py: the app with its artefact routes; or the floor page),
    optionally pinned to ``cpus`` with taskset so the figures describe the server alone."""
    from tests.conftest import wait_healthy

    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    if cpus is not None:
        cmd = ["taskset", "-c", cpus, *cmd]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    return proc


#: In a map frame (ours or st_folium's): Leaflet has put something on screen.
LEAFLET_DRAWN = ("() => window.L && document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path, "
                 ".leaflet-image-layer').length > 0 && (!window.AtlasMap || document.documentElement.getAttribute('data-atlas') === 'drawn')")


def map_frame(page, timeout_s: float = 180):
    """The frame holding the page's map: our artefact page, or streamlit-folium's component."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        for f in page.frames:
            if "/artefacts/" in f.url or "streamlit_folium" in f.url:
                return f
        page.wait_for_timeout(50)
    raise TimeoutError("no map frame")


def wait_drawn(page, old_url: str | None = None) -> None:
    """Wait until the page's map frame (one with another address than ``old_url``) has drawn."""
    end = time.monotonic() + 180
    frame = map_frame(page)
    while frame.url == old_url or frame.is_detached():
        if time.monotonic() > end:
            raise TimeoutError("the map frame did not change")
        page.wait_for_timeout(50)
        frame = map_frame(page)
    frame.wait_for_function(LEAFLET_DRAWN, polling=50)


def view_page(browser, url: str) -> float:
    t0 = time.perf_counter()
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_default_timeout(180_000)
    page.goto(url)
    wait_drawn(page)
    page.wait_for_timeout(500)
    ctx.close()
    return time.perf_counter() - t0


class Wire:
    """Bytes a tab receives: HTTP bodies as sent (encodedDataLength: compressed; 0 from the
    browser's cache) and WebSocket frames (Streamlit's deltas), from Chromium's network events."""

    def __init__(self, page):
        self.http = 0
        self.ws = 0
        self.requests = 0
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.on("Network.loadingFinished", self._http)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)

    def _http(self, ev):
        self.http += int(ev.get("encodedDataLength", 0))
        self.requests += 1

    def _frame(self, ev):
        data = ev["response"]["payloadData"]
        self.ws += len(data) * 3 // 4 if ev["response"].get("opcode") == 2 else len(data.encode())  # binary frames come base64

    def take(self) -> dict:
        out = {"kb": round((self.http + self.ws) / 1024, 1), "http_kb": round(self.http / 1024, 1),
               "websocket_kb": round(self.ws / 1024, 1), "requests": self.requests}
        self.http = self.ws = self.requests = 0
        return out


def wire_bytes(browser, app: str, floor: str) -> dict:
    """Bytes on the wire, warm server: a first view of /alps; then (same tab, sidebar link)
    /carpathians; then back to /alps; an embed's first view; the bare floor page's first view."""
    out = {}
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(180_000)
    w = Wire(page)
    t0 = time.perf_counter()
    page.goto(f"{app}/alps")
    wait_drawn(page)
    out["first_view_s"] = round(time.perf_counter() - t0, 2)
    page.wait_for_timeout(1500)
    out["first_view"] = w.take()
    for name, path in (("next_page", "carpathians"), ("back_to_first", "alps")):
        old = map_frame(page).url
        page.click(f"[data-testid=stSidebar] a[href*='{path}']")
        wait_drawn(page, old)
        page.wait_for_timeout(1500)
        out[name] = w.take()
    ctx.close()
    for name, url in (("embed_first_view", f"{app}/alps?embed=true"), ("floor_first_view", f"{floor}/")):
        ctx = browser.new_context(viewport={"width": 1000, "height": 600})
        page = ctx.new_page()
        page.set_default_timeout(180_000)
        w = Wire(page)
        t0 = time.perf_counter()
        page.goto(url)
        wait_drawn(page)
        secs = round(time.perf_counter() - t0, 2)
        page.wait_for_timeout(1500)
        out[name] = {**w.take(), "drawn_s": secs}
        ctx.close()
    out["embed_minus_floor_kb"] = round(out["embed_first_view"]["kb"] - out["floor_first_view"]["kb"], 1)
    out["first_view_drawn_ratio_to_floor"] = round(out["first_view_s"] / out["floor_first_view"]["drawn_s"], 2)
    return out


def two_servers(browser) -> dict:
    """The app and the floor page side by side (warm), for the bytes-on-the-wire comparison."""
    from tests.conftest import free_port

    pa, pf = free_port(), free_port()
    app, floor = start_server(ROOT / "serve.py", pa), start_server(ROOT / "bench" / "floor_app.py", pf)
    try:
        for url in (f"http://127.0.0.1:{pa}/alps", f"http://127.0.0.1:{pa}/carpathians", f"http://127.0.0.1:{pa}/alps?embed=true",
                    f"http://127.0.0.1:{pf}/"):
            view_page(browser, url)  # warm: each state's map is built once per process
        return wire_bytes(browser, f"http://127.0.0.1:{pa}", f"http://127.0.0.1:{pf}")
    finally:
        for p in (app, floor):
            p.terminate()
            p.wait(20)


def server_cost(browser, script: Path, paths: list[str], views: int = 8) -> dict:
    """Server CPU seconds per page view, warm: every path is viewed once before measuring, so
    data preparation (cached per state) is not counted; it is reported as data-load time.

    Two kinds of view, each a new Streamlit session: ``cpu_s_per_view``, a visitor's first view
    (a new browser context: every file of the page is fetched); ``cpu_s_per_view_same_tab``, the
    views after it in one tab (a new address each time; the browser's cache holds the files)."""
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
        ctx = browser.new_context()
        try:
            page = ctx.new_page()
            page.set_default_timeout(180_000)
            for p in paths:  # fill the tab's cache
                page.goto(base + p)
                wait_drawn(page)
            c1 = cpu_seconds(proc.pid)
            for i in range(views):
                page.goto(base + paths[i % len(paths)])
                wait_drawn(page)
                page.wait_for_timeout(500)
            tab = (cpu_seconds(proc.pid) - c1) / views
        finally:
            ctx.close()
        return {"cpu_s_per_view": round(cpu, 3), "views_per_s_per_core": round(1 / cpu, 2) if cpu else None,
                "cpu_s_per_view_same_tab": round(tab, 3),
                "wall_s_per_view_median": round(sorted(walls)[len(walls) // 2], 2), "views_measured": views, "paths": paths}
    finally:
        proc.terminate()
        proc.wait(20)


def serving_figures(browser) -> dict:
    """The app's and the floor's server cost, and their ratios (first views; views in one tab)."""
    app = server_cost(browser, ROOT / "serve.py", ["/alps", "/carpathians", "/andes", "/", "/partnership"], views=10)
    floor = server_cost(browser, ROOT / "bench" / "floor_app.py", ["/"])
    # the same bare page behind the atlas's own file serving (geo.serving): like for like
    served = server_cost(browser, ROOT / "bench" / "floor_served.py", ["/"])
    return {"server_app": app, "server_floor": floor, "server_floor_served": served,
            "server_ratio_to_floor": round(app["cpu_s_per_view"] / floor["cpu_s_per_view"], 2),
            "server_ratio_to_floor_same_tab": round(app["cpu_s_per_view_same_tab"] / floor["cpu_s_per_view_same_tab"], 2),
            "server_ratio_to_floor_served": round(app["cpu_s_per_view"] / served["cpu_s_per_view"], 2),
            "server_ratio_to_floor_served_same_tab": round(app["cpu_s_per_view_same_tab"] / served["cpu_s_per_view_same_tab"], 2)}


def rss_sessions(browser, counts=(1, 20)) -> dict:
    from tests.conftest import free_port

    port = free_port()
    proc = start_server(ROOT / "serve.py", port)
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
                wait_drawn(page)
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


def restart_figures() -> dict:
    """Server CPU for the first view of every page (bench/client.py, no browser) by a new server:
    first on an empty artefact folder, then by another new server on the folder the first one
    filled, as after a restart or on a replica sharing the folder."""
    from bench.client import view
    from geo import catalog
    from tests.conftest import free_port, start_app, stop

    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for run in ("empty", "filled"):
            proc, url = start_app(free_port(), env={"ATLAS_ARTEFACT_DIR": folder}, log_name=f"bench-restart-{run}.log")
            try:
                c0 = cpu_seconds(proc.pid)
                for path in catalog.PAGE_PATHS.values():
                    v = view(url, "/" + path)
                    if v.problems:
                        raise RuntimeError(f"{path}: {v.problems}")
                out[f"first_views_cpu_s_{run}_folder"] = round(cpu_seconds(proc.pid) - c0, 2)
            finally:
                stop(proc)
    out["pages"] = len(catalog.PAGE_PATHS)
    print("restart", out, flush=True)
    return out


def restart_only() -> int:
    """Only :func:`restart_figures`, merged into the last results."""
    results = json.loads((OUT / "results.json").read_text()) if (OUT / "results.json").exists() else {}
    results["restart"] = restart_figures()
    (OUT / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (OUT / "results.md").write_text(markdown(results))
    return 0


def serving_only() -> int:
    """Server CPU per view against the floor and bytes on the wire, merged into the last results."""
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    results = json.loads((OUT / "results.json").read_text()) if (OUT / "results.json").exists() else {}
    results["machine"] = {"cores": os.cpu_count()}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        results.update(serving_figures(browser))
        results["wire"] = two_servers(browser)
        browser.close()
    (OUT / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    (OUT / "results.md").write_text(markdown(results))
    print(markdown(results))
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.run")
    ap.add_argument("--skip-build", action="store_true", help="do not time `make data`")
    ap.add_argument("--serving-only", action="store_true",
                    help="only the serving figures (server CPU per view vs the floor, bytes on the wire); keep the others from the last run")
    ap.add_argument("--restart-only", action="store_true",
                    help="only the first views of a new server on an empty and on a filled artefact folder; keep the others")
    args = ap.parse_args(argv)
    if args.serving_only:
        return serving_only()
    if args.restart_only:
        return restart_only()
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    results: dict = {"machine": {"cores": os.cpu_count()}, "views": {}}
    load = subprocess.run([sys.executable, "-c", DATA_LOAD], cwd=ROOT, capture_output=True, text=True, check=True)
    results["data_load"] = json.loads(load.stdout.strip().splitlines()[-1])
    results["restart"] = restart_figures()

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
        results.update(serving_figures(browser))
        results["wire"] = two_servers(browser)
        results.update(rss_sessions(browser))
        browser.close()
    if not args.skip_build:
        with tempfile.TemporaryDirectory() as d:
            results["make_data_s"] = round(timed([sys.executable, "-m", "geo.build", "--out", d]), 1)
    old = json.loads((OUT / "results.json").read_text()) if (OUT / "results.json").exists() else {}
    for key in ("load", "failover", "memory", "soak", "build"):  # written by other bench scripts: keep them
        if key in old:
            results[key] = old[key]
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
                  "| page | CPU s / first view (new visitor) | page views / s / core | CPU s / view in the same tab | median wall s / first view (one browser) |",
                  "|---|---|---|---|---|",
                  f"| Mountain Atlas map pages ({', '.join(a.get('paths', []))}) | {a['cpu_s_per_view']} | {a['views_per_s_per_core']} | "
                  f"{_f(a.get('cpu_s_per_view_same_tab'))} | {a['wall_s_per_view_median']} |",
                  f"| bare page with one small st_folium map (framework floor) | {f['cpu_s_per_view']} | {f['views_per_s_per_core']} | "
                  f"{_f(f.get('cpu_s_per_view_same_tab'))} | {f['wall_s_per_view_median']} |",
                  *[f"| the same bare page behind the atlas's file serving (bench/floor_served.py) | {x['cpu_s_per_view']} | "
                    f"{x['views_per_s_per_core']} | {_f(x.get('cpu_s_per_view_same_tab'))} | {x['wall_s_per_view_median']} |"
                    for x in [r.get("server_floor_served")] if x],
                  "", "Every view is a new Streamlit session. A first view fetches every file of the page (a new browser "
                  "context); views in the same tab go to a new address with the browser's cache holding the files.", ""]
    if r.get("server_ratio_to_floor"):
        lines += [f"Server CPU per map-page view / framework floor: **{r['server_ratio_to_floor']}** for first views, "
                  f"**{_f(r.get('server_ratio_to_floor_same_tab'))}** for views in the same tab (goal <= 1.3).", ""]
        if r.get("server_ratio_to_floor_served"):
            lines += ["The atlas answers Streamlit's own files (its code bundles, fonts) from memory, gzipped (geo/serving.py); the "
                      "stock floor reads them from disk for every request and sends them uncompressed. Against the same bare page "
                      f"behind the atlas's file serving: **{r['server_ratio_to_floor_served']}** for first views, "
                      f"**{_f(r.get('server_ratio_to_floor_served_same_tab'))}** in the same tab.", ""]
    if r.get("wire"):
        w = r["wire"]
        lines += ["## Bytes on the wire (warm server; HTTP bodies as sent plus WebSocket frames, from Chromium's network events)", "",
                  "| step | KB | HTTP KB | WebSocket KB | requests |", "|---|---|---|---|---|"]
        for k, label in (("first_view", "first view of /alps (new tab)"), ("next_page", "then /carpathians (sidebar link)"),
                         ("back_to_first", "then back to /alps (goal <= 80 KB)"), ("embed_first_view", "embed /alps?embed=true, first view"),
                         ("floor_first_view", "bare page with one small st_folium map, first view")):
            x = w[k]
            lines.append(f"| {label} | {x['kb']} | {x['http_kb']} | {x['websocket_kb']} | {x['requests']} |")
        lines += ["", f"Embed first view minus bare page: {w['embed_minus_floor_kb']} KB (goal <= 400 KB). "
                  f"Time to a drawn map, first view: /alps {w['first_view_s']} s, embed {w['embed_first_view']['drawn_s']} s, "
                  f"bare page {w['floor_first_view']['drawn_s']} s (ratio /alps : bare {w['first_view_drawn_ratio_to_floor']}).", ""]
    if r.get("data_load"):
        d = r["data_load"]
        per = ", ".join(f"{k[:-2]} {v} s" for k, v in d.items() if k not in ("import_s", "total_s"))
        lines += ["## Start-up, snapshots, build, memory", "",
                  f"- Data load in a fresh process: import {d['import_s']} s, then the first preparation of each view: {per}; total {d['total_s']} s."]
    if r.get("restart"):
        x = r["restart"]
        lines.append(f"- First view of each of the {x['pages']} pages by a new server (server CPU, no browser): "
                     f"{x['first_views_cpu_s_empty_folder']} s on an empty artefact folder, {x['first_views_cpu_s_filled_folder']} s "
                     "on the folder an earlier server filled (a restart, or a replica sharing the folder: it reads the remembered "
                     "map builds and compare maps instead of making them).")
    if r.get("snapshot_s_alps"):
        s = r["snapshot_s_alps"]
        lines.append("- Alps snapshot, first / warm: " + ", ".join(f"{k.upper()} {s[k + '_first']} / {s[k]} s" for k in ("png", "svg", "pdf") if k in s) + ".")
    if "rss_mb_1_sessions" in r:
        lines.append(f"- Server RSS: {r['rss_mb_1_sessions']} MB with 1 open session, {r['rss_mb_20_sessions']} MB with 20.")
    if "make_data_s" in r:
        lines.append(f"- `make data` (python -m geo.build into an empty folder, pinned inputs cached): {r['make_data_s']} s.")
    if r.get("load"):
        lines += ["", "## Load: concurrent sessions on the same 2 cores (browsers: Playwright contexts in one Chromium; "
                  "no browser: bench/client.py)", "",
                  "| setup | sessions | wall s | page views | errors | p50 to drawn map, or to the last map file without a browser (s) | "
                  "p95 (s) | server CPU s (all replicas) | "
                  "CPU s / view | views / s / core | replicas used | pinning | cores busy |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for k, x in r["load"].items():
            lines.append(f"| {k.replace('_', ' ')} | {x['sessions']} | {_f(x.get('wall_s'))} | {x['views']} | {x['errors']} | {_f(x['p50_s'])} | "
                         f"{_f(x['p95_s'])} | {_f(x.get('server_cpu_s'))} | {_f(x.get('server_cpu_s_per_view'))} | "
                         f"{_f(x.get('views_per_s_per_core'))} | {_f(x.get('replicas'))} | {_f(x.get('pinned'))} | "
                         f"{_f(x.get('cores_busy'))} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
