"""``make load``: 20 concurrent browser sessions against one server, then against two replicas
behind HAProxy with cookie-sticky sessions (scripts/serve-replicas.sh).

Each session opens map pages one after another and waits until Leaflet has drawn; the run is
bounded in time (``--seconds``, default 120) and in page views (``--max-views``). Loopback only.
Reports errors and the p50/p95 time to a drawn map into bench/results.json and results.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["/alps", "/carpathians", "/andes", "/hindu-kush-himalaya", "/", "/partnership"]


async def session(browser, base: str, deadline: float, budget: list[int], times: list[float], errors: list[str], seed: int) -> None:
    rnd = random.Random(seed)
    ctx = await browser.new_context()
    page = await ctx.new_page()
    page.set_default_timeout(120_000)
    try:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            path = rnd.choice(PATHS)
            t0 = time.monotonic()
            try:
                await page.goto(base + path)
                await page.wait_for_selector("iframe[title='streamlit_folium.st_folium']")
                frame = None
                while frame is None:
                    frame = next((f for f in page.frames if "streamlit_folium" in f.url), None)
                    await page.wait_for_timeout(100)
                await frame.wait_for_function("() => window.L && document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-image-layer').length > 0")
                if await page.locator("[data-testid='stException']").count():
                    errors.append(f"{path}: exception shown")
                times.append(time.monotonic() - t0)
            except Exception as e:  # a timeout or a broken page counts as an error
                errors.append(f"{path}: {type(e).__name__}: {str(e)[:120]}")
    finally:
        await ctx.close()


async def run_load(base: str, sessions: int, seconds: float, max_views: int) -> dict:
    from playwright.async_api import async_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    times: list[float] = []
    errors: list[str] = []
    budget = [max_views]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(session(browser, base, deadline, budget, times, errors, i) for i in range(sessions)))
        await browser.close()
    times.sort()

    def pct(q: float) -> float | None:
        return round(times[min(int(q * len(times)), len(times) - 1)], 2) if times else None

    return {"base": base, "sessions": sessions, "seconds": seconds, "views": len(times), "errors": len(errors),
            "error_samples": errors[:5], "p50_s": pct(0.5), "p95_s": pct(0.95)}


def healthy(url: str, timeout: float = 120) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not become healthy")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--max-views", type=int, default=600)
    ap.add_argument("--skip-replicas", action="store_true")
    ap.add_argument("--skip-single", action="store_true")
    args = ap.parse_args(argv)
    from tests.conftest import free_port, start_app

    out = {}
    if not args.skip_single:
        proc, url = start_app(free_port(), log_name="load-single.log")
        try:
            out["single_server"] = asyncio.run(run_load(url, args.sessions, args.seconds, args.max_views))
        finally:
            proc.terminate()
            proc.wait(20)
    print(out, flush=True)
    if not args.skip_replicas:
        ports = [free_port() for _ in range(3)]
        rep = subprocess.Popen(["bash", str(ROOT / "scripts/serve-replicas.sh"), *map(str, ports)], cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{ports[0]}"
            healthy(base)
            out["two_replicas_haproxy"] = asyncio.run(run_load(base, args.sessions, args.seconds, args.max_views))
        finally:
            rep.terminate()
            rep.wait(20)
    res_path = ROOT / "bench/results.json"
    results = json.loads(res_path.read_text()) if res_path.exists() else {}
    results.setdefault("load", {}).update(out)
    res_path.write_text(json.dumps(results, indent=1) + "\n")
    lines = ["", "| load (20 browser sessions) | page views | errors | p50 to drawn map (s) | p95 (s) |", "|---|---|---|---|---|"]
    for k, r in out.items():
        lines.append(f"| {k.replace('_', ' ')} | {r['views']} | {r['errors']} | {r['p50_s']} | {r['p95_s']} |")
    with open(ROOT / "bench/results.md", "a") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(r["errors"] == 0 for r in out.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
