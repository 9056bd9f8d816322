"""``make soak`` (``python -m bench.soak --minutes 30``): a long run of a few sessions.

One replica (``tests.conftest.start_app``); ``--sessions`` (default 5) browser sessions in one
Chromium, each cycling every page in both languages (from a different starting point), one page
load after another, for ``--minutes`` (default 30). A view ends when the page's rerun has
finished and, on map pages, the map is drawn (``tests/browser/helpers``). Errors: a view not
done within ``--view-timeout`` seconds, a Streamlit exception box, a console error, an HTTP
response >= 400 (Streamlit's own base-path probes excepted). Every ``--interval`` seconds the
server's RSS and its CPU seconds per view in that interval are recorded.

Writes ``bench/results.json`` key ``soak`` and the table in ``bench/README.md`` (``--no-write``
to only print). Not part of ``make test``. Loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field

from bench.failover import APP_STATE_JS
from bench.memory import cpu_seconds, cycle, rss_mb


@dataclass
class Runner:
    visit: object
    paths: list[str]
    i: int = 0
    started: float = 0.0
    seen_console: int = 0
    seen_failed: int = 0
    stopped: bool = False
    times: list[float] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.paths[self.i % len(self.paths)]


def done(r: Runner) -> bool:
    from tests.browser.helpers import DRAWN_READY

    page = r.visit.page
    try:
        conn, script = page.evaluate(APP_STATE_JS)
        if conn != "CONNECTED" or script != "notRunning":
            return False
        if r.path.startswith(("/resolution", "/compare")):
            return True
        frame = r.visit.wait_map_frame(1_000)
        return bool(frame.evaluate(DRAWN_READY))
    except Exception:  # the page is between documents, or the map frame is not there yet
        return False


def new_errors(r: Runner) -> list[str]:
    v, page = r.visit, r.visit.page
    out = [f"{r.path}: exception box" for _ in range(page.locator("[data-testid='stException']").count())]
    out += [f"{r.path}: console: {m[:160]}" for m in v.console_errors[r.seen_console:]]
    failed = v.failed
    out += [f"{r.path}: HTTP {m}" for m in failed[r.seen_failed:]]
    r.seen_console, r.seen_failed = len(v.console_errors), len(failed)
    return out


def run(browser, base: str, pid: int, sessions: int, seconds: float, interval: float, view_timeout: float, log=print) -> dict:
    from tests.browser.helpers import open_page

    paths = cycle()
    runners = []
    for k in range(sessions):
        order = paths[k * len(paths) // sessions:] + paths[:k * len(paths) // sessions]
        v = open_page(browser, base + order[0], wait_map=False, timeout_ms=int(view_timeout * 1000))
        runners.append(Runner(v, order, started=time.monotonic()))
    errors: list[str] = []
    series: list[dict] = []
    t0 = time.monotonic()
    c_last, n_last, t_last = cpu_seconds(pid), 0, t0
    views = 0
    while True:
        now = time.monotonic()
        for r in runners:
            if r.stopped:
                continue
            finished = done(r)
            if not finished and now - r.started < view_timeout:
                continue
            if finished:
                r.times.append(now - r.started)
                views += 1
            else:
                errors.append(f"{r.path}: not done in {view_timeout} s")
            errors += new_errors(r)
            if now - t0 >= seconds:
                r.stopped = True
                continue
            r.i += 1
            r.started = time.monotonic()
            try:
                r.visit.page.goto(base + r.path, wait_until="commit", timeout=int(view_timeout * 1000))
            except Exception as e:
                errors.append(f"{r.path}: {type(e).__name__}: {str(e)[:160]}")
        last = all(r.stopped for r in runners)
        if now - t_last >= interval or last:
            c = cpu_seconds(pid)
            n = views - n_last
            series.append({"minute": round((now - t0) / 60, 1), "views": views, "rss_mb": rss_mb(pid),
                           "cpu_s_per_view": round((c - c_last) / n, 2) if n else None, "errors": len(errors)})
            log(f"  {series[-1]}")
            c_last, n_last, t_last = c, views, now
        if last:
            break
        runners[0].visit.page.wait_for_timeout(250)
    for r in runners:
        r.visit.page.context.close()
    times = sorted(t for r in runners for t in r.times)
    pct = (lambda q: round(times[min(int(q * len(times)), len(times) - 1)], 2) if times else None)
    return {"sessions": sessions, "minutes": round(seconds / 60, 1), "views": views, "errors": len(errors),
            "error_samples": errors[:5], "view_s_p50": pct(0.5), "view_s_p95": pct(0.95),
            "rss_mb_first": series[0]["rss_mb"] if series else None, "rss_mb_last": series[-1]["rss_mb"] if series else None,
            "series": series}


def markdown(r: dict) -> str:
    lines = [f"{r['sessions']} sessions cycling every page and language for {r['minutes']} min on one replica: "
             f"{r['views']} page views, {r['errors']} errors, seconds per view p50 {r['view_s_p50']}, p95 {r['view_s_p95']}; "
             f"RSS {r['rss_mb_first']} MB at the first sample, {r['rss_mb_last']} MB at the end.", "",
             "| minute | views so far | RSS (MB) | server CPU s per view (interval) | errors so far |", "|---|---|---|---|---|"]
    for x in r["series"]:
        lines.append(f"| {x['minute']} | {x['views']} | {x['rss_mb']} | {x['cpu_s_per_view']} | {x['errors']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.soak")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--sessions", type=int, default=5)
    ap.add_argument("--interval", type=float, default=60, help="seconds between RSS/CPU samples")
    ap.add_argument("--view-timeout", type=float, default=180)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from bench.failover import write_results
    from tests.conftest import CHROMIUM_ARGS, chromium_path, free_port, start_app, stop

    proc, url = start_app(free_port(), log_name="soak.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
            try:
                r = run(browser, url, proc.pid, args.sessions, args.minutes * 60, args.interval, args.view_timeout)
            finally:
                browser.close()
    finally:
        stop(proc)
    md = markdown(r)
    print(md)
    if not args.no_write:
        r["date"] = time.strftime("%Y-%m-%d")
        write_results("soak", r, md)
    return 0 if r["errors"] == 0 and r["views"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
