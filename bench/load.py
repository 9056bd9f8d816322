"""``make load``: concurrent browser sessions against one server, then against two replicas
behind HAProxy with cookie-sticky sessions (deploy/serve-replicas.sh).

Each session (a Playwright context in one Chromium) opens map pages one after another and waits
until Leaflet has drawn. The run is bounded in time (``--seconds``, default 120: no view starts
after it; a view in flight has ``--view-timeout`` to finish) and in page views (``--max-views``).
Errors: a timeout, a Streamlit exception box, a failed response, or (behind the proxy) a session
whose sticky cookie changed. Before the clock starts, one tab per server opens each map page once
(``--cold`` skips that). Reports p50/p95 time to a drawn map, the servers' own CPU seconds
(/proc/PID/stat), which replicas served and how busy each core was, into bench/results.json and
results.md.

On 2 cores the browsers' core is the bottleneck (a Chromium first view costs seconds of CPU), so
the pinned server also gets the same number of sessions without browsers (``bench/client.py``:
each view is the page, a Streamlit session and its run, and the map files): their p50/p95 describe
the server.
Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["/alps", "/carpathians", "/andes", "/hindu-kush-himalaya", "/", "/partnership"]
STICKY_COOKIE = "atlas_replica"


async def open_map(page, url: str, timeout_ms: int) -> None:
    """Go to ``url`` and wait until its map has drawn (as the browser tests judge it); a page that
    shows no map frame within ``timeout_ms`` is a TimeoutError, not a hang."""
    from tests.browser.helpers import DRAWN_READY

    t0 = time.monotonic()
    await page.goto(url)
    frame = None
    while frame is None:
        frame = next((f for f in page.frames if "/artefacts/" in f.url), None)
        if frame is None:
            if time.monotonic() - t0 > timeout_ms / 1000:
                raise TimeoutError(f"no map frame after {timeout_ms / 1000:.0f} s")
            await page.wait_for_timeout(100)
    # polled every 250 ms: Playwright's default polls on every animation frame, which keeps 20 tabs
    # painting and costs the browsers' core what the run means to measure
    await frame.wait_for_function(DRAWN_READY, polling=250)


async def session(browser, base: str, deadline: float, budget: list[int], times: list[float], errors: list[str],
                  replicas: list[str], seed: int, view_timeout_ms: int) -> None:
    from tests.browser.helpers import track_requests

    rnd = random.Random(seed)
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.set_default_timeout(view_timeout_ms)
    bad: list[str] = []
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    refused: list[str] = []  # every answer >= 400 or failed request, for a view that times out
    page.on("response", lambda r: refused.append(f"{r.status} {r.url.split('?')[0][-50:]}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: refused.append(f"failed ({r.failure}) {r.url.split('?')[0][-50:]}"))
    # what a view that times out was waiting for: its requests still in flight, its WebSockets
    inflight = track_requests(page)
    sockets: list[str] = []
    page.on("websocket", lambda ws: (sockets.append("open"), ws.on("close", lambda _: sockets.append("closed"))))
    sticky: str | None = None
    try:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            path = rnd.choice(PATHS)
            t0 = time.monotonic()
            try:
                await open_map(page, base + path, view_timeout_ms)
                times.append(time.monotonic() - t0)
                if await page.locator("[data-testid='stException']").count():
                    errors.append(f"{path}: Streamlit exception shown")
                if bad:
                    errors.append(f"{path}: server errors {bad[:3]}")
                    bad.clear()
                cookie = next((c["value"] for c in await ctx.cookies() if c["name"] == STICKY_COOKIE), None)
                if cookie:
                    if sticky and cookie != sticky:
                        errors.append(f"{path}: sticky cookie changed {sticky} -> {cookie}")
                    sticky = cookie
            except Exception as e:  # a timeout or a broken page counts as an error
                errors.append(f"{path}: {type(e).__name__}: {str(e)[:160]}; {await stuck_on(page, inflight, sockets)}; refused or failed: {refused[-4:]}")
    finally:
        if sticky:
            replicas.append(sticky)
        await ctx.close()


async def stuck_on(page, inflight: dict, sockets: list[str]) -> str:
    """What a page still waits for: Streamlit's connection and script state, its requests in flight
    (the oldest first, with their age), its WebSockets opened and closed."""
    try:
        state = await page.evaluate("() => { const a = document.querySelector('[data-testid=stApp]'); return a ? "
                                    "[a.getAttribute('data-test-connection-state'), a.getAttribute('data-test-script-state')] : null; }")
    except Exception as e:
        state = f"unreadable ({type(e).__name__})"
    now = time.monotonic()
    waiting = [f"{now - t:.0f} s {u.split('?')[0][-60:]}" for t, u in sorted(inflight.values())][:4]
    return (f"app state {state}; {len(inflight)} requests in flight {waiting}; WebSockets opened {sockets.count('open')}, "
            f"closed {sockets.count('closed')}")


def core_ticks() -> dict[str, tuple[int, int]]:
    """(busy, total) clock ticks of each core since boot, from /proc/stat."""
    out = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *vals = line.split()
        if name.startswith("cpu") and name != "cpu":
            v = [int(x) for x in vals[:8]]
            out[name[3:]] = (sum(v) - v[3] - v[4], sum(v))  # idle and iowait are not busy
    return out


def core_busy(before: dict, after: dict) -> str:
    """``core 0 99 %, core 1 12 %``: how busy each core was between two :func:`core_ticks`."""
    parts = []
    for k in sorted(after, key=int):
        busy, total = (a - b for a, b in zip(after[k], before.get(k, (0, 0))))
        parts.append(f"core {k} {100 * busy / total:.0f} %" if total else f"core {k} ?")
    return ", ".join(parts)


def cpu_seconds(pids: list[int]) -> float:
    from bench.run import cpu_seconds as one

    return sum(one(p) for p in pids)


async def warm_up(browser, base: str, view_timeout_ms: int) -> None:
    """Each map page once, one after another in one tab, before the clock starts: the run then
    measures serving built maps (a state's first build is ``make bench``'s cold start); behind the
    proxy this warms the replica the tab sticks to."""
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.set_default_timeout(view_timeout_ms)
    try:
        for path in PATHS:
            await open_map(page, base + path, view_timeout_ms)
    finally:
        await ctx.close()


async def run_load(base: str, sessions: int, seconds: float, max_views: int, view_timeout_s: float, server_pids: list[int],
                   warm: bool = True) -> dict:
    from playwright.async_api import async_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    times: list[float] = []
    errors: list[str] = []
    replicas: list[str] = []
    budget = [max_views]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        for _ in range(len(server_pids) if warm else 0):  # a new tab per replica: the proxy hands each to the next
            await warm_up(browser, base, int(view_timeout_s * 1000))
        c0, t0, k0 = cpu_seconds(server_pids), time.monotonic(), core_ticks()
        deadline = t0 + seconds
        await asyncio.gather(*(session(browser, base, deadline, budget, times, errors, replicas, i, int(view_timeout_s * 1000))
                               for i in range(sessions)))
        wall, cpu, busy = time.monotonic() - t0, cpu_seconds(server_pids) - c0, core_busy(k0, core_ticks())
        await browser.close()
    used = {r: replicas.count(r) for r in sorted(set(replicas))}
    return {**summary(base, sessions, seconds, wall, times, errors, cpu, busy),
            "replicas": " ".join(f"{k}:{v}" for k, v in used.items()) or None,
            "server": "warmed (each map page once)" if warm else "cold"}


def summary(base: str, sessions: int, seconds: float, wall: float, times: list[float], errors: list[str], cpu: float,
            busy: str) -> dict:
    """One run's figures: views, errors, p50/p95/max of the view times, the servers' CPU."""
    times = sorted(times)

    def pct(q: float) -> float | None:
        return round(times[min(int(q * len(times)), len(times) - 1)], 2) if times else None

    return {"base": base, "sessions": sessions, "seconds": seconds, "wall_s": round(wall, 1), "views": len(times), "errors": len(errors),
            "error_samples": errors[:5], "p50_s": pct(0.5), "p95_s": pct(0.95), "max_s": pct(1.0),
            "server_cpu_s": round(cpu, 1), "server_cpu_s_per_view": round(cpu / len(times), 3) if times else None,
            "views_per_s_per_core": round(len(times) / cpu, 2) if cpu else None, "cores_busy": busy}


def run_protocol_load(base: str, sessions: int, seconds: float, max_views: int, view_timeout_s: float,
                      server_pids: list[int]) -> dict:
    """The same load without browsers: ``sessions`` threads, each making page views one after another
    with ``bench/client.py`` (the page, a new Streamlit session and its run, the map files), cycling
    the map pages from its own starting point. A view's time is from its first request until its
    last map file has arrived: what the server takes, since nothing is rendered. The server is warmed
    first, as for the browsers."""
    from concurrent.futures import ThreadPoolExecutor

    from bench import client

    for path in PATHS:
        client.view(base, path, view_timeout_s)
    times: list[float] = []
    errors: list[str] = []
    budget = [max_views]
    c0, t0, k0 = cpu_seconds(server_pids), time.monotonic(), core_ticks()
    deadline = t0 + seconds

    lock = threading.Lock()

    def one_session(i: int) -> None:
        n = i
        while time.monotonic() < deadline:
            with lock:  # the view budget is shared by the threads
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            path = PATHS[n % len(PATHS)]
            n += 1
            try:
                v = client.view(base, path, view_timeout_s)
            except Exception as e:  # a timeout or a dropped connection is an error, and the session goes on
                errors.append(f"{path}: {type(e).__name__}: {str(e)[:160]}")
                continue
            errors.extend(v.problems)
            if not v.problems:
                times.append(v.seconds)

    with ThreadPoolExecutor(sessions) as pool:
        list(pool.map(one_session, range(sessions)))
    wall, cpu, busy = time.monotonic() - t0, cpu_seconds(server_pids) - c0, core_busy(k0, core_ticks())
    return {**summary(base, sessions, seconds, wall, times, errors, cpu, busy), "replicas": None,
            "server": "warmed (each map page once)", "client": "bench/client.py: no browser, the time is the server's"}


def healthy(url: str, timeout: float = 120) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not become healthy")


def streamlit_pids(ports: list[int]) -> list[int]:
    """PIDs of the Streamlit servers listening on ``ports`` (read from /proc, our own children)."""
    want = {str(p) for p in ports}
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            args = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in args]
        if any("streamlit" in a for a in args) and "--server.port" in args:
            i = args.index("--server.port")
            if i + 1 < len(args) and args[i + 1] in want:
                out.append(int(d.name))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--max-views", type=int, default=600)
    ap.add_argument("--view-timeout", type=float, default=180, help="seconds one page view may take")
    ap.add_argument("--skip-replicas", action="store_true")
    ap.add_argument("--skip-single", action="store_true")
    ap.add_argument("--skip-no-browser", action="store_true", help="skip the run with bench/client.py instead of browsers")
    ap.add_argument("--cold", action="store_true", help="no warm-up: each state's first build falls inside the run")
    args = ap.parse_args(argv)
    from bench.run import markdown, start_server
    from tests.conftest import free_port, stop

    out = {}

    def pinned_server(key: str, load, clients: str) -> None:
        """The server on core 1, this process (and its browsers) on core 0."""
        pinned = (os.cpu_count() or 1) >= 2
        port = free_port()
        proc = start_server(ROOT / "serve.py", port, cpus="1" if pinned else None)
        if pinned:
            os.sched_setaffinity(0, {0})
        url = f"http://127.0.0.1:{port}"
        try:
            healthy(url)
            out[key] = load(url, [proc.pid])
            out[key]["pinned"] = f"server on core 1, {clients} on core 0" if pinned else "not pinned (one core)"
        finally:
            stop(proc)
            if pinned:
                os.sched_setaffinity(0, set(range(os.cpu_count())))
        print(out, flush=True)

    if not args.skip_single:
        pinned_server("single_server", lambda url, pids: asyncio.run(run_load(url, args.sessions, args.seconds, args.max_views,
                                                                              args.view_timeout, pids, warm=not args.cold)), "browsers")
    if not args.skip_no_browser:
        # the same sessions without browsers: what the server itself takes per view, and its p95
        pinned_server("single_server_no_browser", lambda url, pids: run_protocol_load(url, args.sessions, args.seconds, args.max_views,
                                                                                     args.view_timeout, pids), "the client")
    if not args.skip_replicas:
        ports = [free_port() for _ in range(3)]
        rep = subprocess.Popen(["bash", str(ROOT / "deploy/serve-replicas.sh"), *map(str, ports)], cwd=ROOT, start_new_session=True)
        try:
            base = f"http://127.0.0.1:{ports[0]}"
            healthy(base)
            for p in ports[1:]:
                healthy(f"http://127.0.0.1:{p}")
            pids = streamlit_pids(ports[1:])
            out["two_replicas_haproxy"] = asyncio.run(run_load(base, args.sessions, args.seconds, args.max_views, args.view_timeout, pids,
                                                              warm=not args.cold))
        finally:
            os.killpg(rep.pid, signal.SIGTERM)  # the script's own process group: replicas and proxy
            rep.wait(30)
        print(out, flush=True)
    res_path = ROOT / "bench/results.json"
    results = json.loads(res_path.read_text()) if res_path.exists() else {}
    results.setdefault("load", {}).update(out)
    res_path.write_text(json.dumps(results, indent=1) + "\n")
    (ROOT / "bench/results.md").write_text(markdown(results))
    print(markdown(results))
    return 0 if all(r["errors"] == 0 for r in out.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
