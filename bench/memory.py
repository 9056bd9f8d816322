"""``python -m bench.memory``: server memory over many page views.

One replica (``tests.conftest.start_app``); N page views, one after another, cycling every page
in every language. Each view is what a browser asks of the server for a page load, made without a
browser (``bench/client.py``): the page's HTML, a new Streamlit session on its own WebSocket whose
script run is read to the end, then the files of its map frames and images; the socket is then
closed, as a visitor's who leaves. No browser shares the 2 cores with the server, so the views
follow each other as fast as the server serves them. The server's resident memory (VmRSS of its
process) is read after every view. (The soak bench, ``bench/soak.py``, keeps real browsers on the
server for half an hour.)

Goal: RSS after N views at most 1.2x RSS after the warm-up (by then every page and language has
been served once, so every bounded cache holds what this cycle needs). Long version: 500 views
against 50 (``bench/results.json`` key ``memory`` and the table in ``bench/README.md``); the
short version (36 against 18, at most 1.1x) runs in ``make test`` (tests/test_memory.py).

Caches and their bounds (all written in the code): ``geo/ui.py`` ``_prepared``
(st.cache_resource, max_entries=64) and ``_data_problems`` (st.cache_data, max_entries=8);
``geo/data.py`` lru_cache 64/32/32/8 and the checked-files map (4096); ``geo/layers.py``
lru_cache 16 x3; ``geo/countries.py``, ``geo/assets.py``, ``geo/snapshot.py`` lru_cache 1;
``geo/serving.py`` the Streamlit files it has served (at most its static folder, 25 MB).
Streamlit keeps a closed session for ``server.disconnectedSessionTTL`` so it can be resumed;
that is bounded in time, not in count.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.run import cpu_seconds, rss_mb as _rss_mb  # one reader of /proc for all benches


def rss_mb(pid: int) -> float:
    """The process's resident memory in MB, to 0.1 (read as bench.run reads it)."""
    return round(_rss_mb(pid), 1)


def cycle() -> list[str]:
    """Every page in every language: ``/alps?lang=zh`` ..."""
    from geo import catalog

    out = []
    for lang in ("en", "zh"):
        for path in catalog.PAGE_PATHS.values():
            out.append(f"/{path}" + ("?lang=zh" if lang == "zh" else ""))
    return out


def run(base: str, pid: int, views: int, warm: int, log=print, every: int = 10, max_seconds: float | None = None) -> dict:
    """``views`` page views of the app at ``base`` (server process ``pid``), one after another, cycling
    every page in every language; RSS after the ``warm``-th view is the reference."""
    from bench import client

    paths = cycle()
    series: list[dict] = []
    errors: list[str] = []
    rss_warm = None
    t0, c0 = time.monotonic(), cpu_seconds(pid)
    done = 0
    for i in range(1, views + 1):
        if max_seconds is not None and time.monotonic() - t0 > max_seconds and i > warm:
            log(f"  stopping after {i - 1} views: --minutes reached")
            break
        done = i
        path = paths[(i - 1) % len(paths)]
        try:
            errors += client.view(base, path).problems
        except Exception as e:  # a timeout or a dropped connection is an error, and the run goes on
            errors.append(f"{path}: {type(e).__name__}: {str(e)[:160]}")
        rss = rss_mb(pid)
        if i == warm:
            rss_warm = rss
        if i % every == 0 or i in (1, warm, views) or (max_seconds is not None and time.monotonic() - t0 > max_seconds):
            series.append({"view": i, "rss_mb": rss, "s": round(time.monotonic() - t0, 1),
                           "cpu_s": round(cpu_seconds(pid) - c0, 1)})
            log(f"  view {i}: RSS {rss} MB, {series[-1]['s']} s")
    rss_end = rss_mb(pid)
    if series[-1]["view"] != done:
        series.append({"view": done, "rss_mb": rss_end, "s": round(time.monotonic() - t0, 1), "cpu_s": round(cpu_seconds(pid) - c0, 1)})
    views = done
    return {"views": views, "warm_views": warm, "pages_cycled": len(paths), "rss_mb_first_view": series[0]["rss_mb"],
            "rss_mb_after_warm": rss_warm, "rss_mb_after_all": rss_end,
            "ratio": round(rss_end / rss_warm, 3) if rss_warm else None, "goal_ratio": 1.2,
            "errors": len(errors), "error_samples": errors[:5], "wall_s": round(time.monotonic() - t0, 1),
            "server_cpu_s_per_view": round((cpu_seconds(pid) - c0) / views, 3), "series": series}


def markdown(r: dict) -> str:
    lines = [f"{r['views']} page views, one after another, cycling {r['pages_cycled']} page/language pairs on one replica: "
             f"RSS {r['rss_mb_first_view']} MB after the first view, {r['rss_mb_after_warm']} MB after {r['warm_views']}, "
             f"{r['rss_mb_after_all']} MB after {r['views']}: ratio {r['ratio']} (goal <= {r['goal_ratio']}); "
             f"{r['errors']} errors; {r['server_cpu_s_per_view']} server CPU s per view.", "",
             "| views | RSS (MB) | wall s | server CPU s |", "|---|---|---|---|"]
    for x in r["series"]:
        if x["view"] in (1, r["warm_views"], r["views"]) or x["view"] % (10 * max(1, r["views"] // 100)) == 0:
            lines.append(f"| {x['view']} | {x['rss_mb']} | {x['s']} | {x['cpu_s']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.memory")
    ap.add_argument("--views", type=int, default=500)
    ap.add_argument("--warm", type=int, default=50, help="the view whose RSS is the reference")
    ap.add_argument("--minutes", type=float, default=None, help="stop after this long (after the warm-up), reporting the views done")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    from bench.failover import write_results
    from tests.conftest import free_port, start_app, stop

    proc, url = start_app(free_port(), log_name="memory.log")
    try:
        r = run(url, proc.pid, args.views, args.warm, max_seconds=args.minutes * 60 if args.minutes else None)
    finally:
        stop(proc)
    md = markdown(r)
    print(md)
    if not args.no_write:
        r["date"] = time.strftime("%Y-%m-%d")
        write_results("memory", r, md)
    return 0 if r["errors"] == 0 and r["ratio"] is not None and r["ratio"] <= r["goal_ratio"] else 1


if __name__ == "__main__":
    sys.exit(main())
