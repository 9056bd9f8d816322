"""The short version of the memory bench (bench/memory.py), asserting what its long version
reports: the server's memory stays flat over page views; and the browserless client it uses
(bench/client.py) sees what a browser would."""

from __future__ import annotations

from bench import client, memory
from tests.conftest import free_port, start_app, stop


def test_memory_stays_flat_over_page_views():
    """Two cycles of every page in both languages (18 views each): the reference is RSS after the
    first cycle (every page and language served once, every bounded cache filled), then one more
    cycle. The bound is tighter than the long run's 1.2x over 500 views so that it still catches a
    leak of about 3 MB per view."""
    proc, url = start_app(free_port(), log_name="memory-test.log")
    try:
        cycle = len(memory.cycle())
        first = client.view(url, "/alps?lang=zh")
        r = memory.run(url, proc.pid, views=2 * cycle, warm=cycle, log=lambda *_: None)
    finally:
        stop(proc)
    # the client saw the page as a browser would: the run finished, the map page and its files answered
    assert not first.problems, first.problems
    names = {u.rsplit("/", 1)[1].split(".")[0] for u in first.files}
    assert {"map-alps", "state-alps", "leaflet", "atlas-map", "countries-alps", "hillshade-alps"} <= names, sorted(names)
    assert all(s == 200 for s in first.files.values()), first.files
    assert r["views"] == 2 * cycle and r["errors"] == 0, r["error_samples"]
    assert r["ratio"] <= 1.1, (r["rss_mb_after_warm"], r["rss_mb_after_all"], r["series"])
