"""Short versions of the reliability benches (bench/failover.py, bench/memory.py), asserting what
their long versions report: a replica that dies loses no session that can reconnect, and memory
stays flat over page views."""

from __future__ import annotations

import pytest

from bench import failover, memory
from tests.conftest import free_port, start_app, stop

pytestmark = pytest.mark.browser


def test_sessions_on_a_killed_replica_come_back_on_the_other(browser):
    r = failover.run(browser, n_sessions=2, recover_timeout=240)
    s, per = r["summary"], r["per_session"]
    dropped = [x for x in per if x["victim"]]
    assert s["haproxy_after_kill"][s["killed"]].startswith("DOWN"), s  # the proxy kept running and saw it
    assert dropped, "no session was on the killed replica"
    for x in dropped:  # back on the surviving replica, rerun from the URL, map drawn
        assert x["reconnected"] and x["map_drawn"], x
        assert x["rerun"] == "automatic", x  # the page reran by itself, not at the next click
        assert x["replica_after"] not in (None, s["killed"]), x
        assert x["url_kept"], x
        assert x["seconds_to_map"] is not None and x["seconds_to_map"] < 240, x
    for x in per:
        assert x["errors"] == [], x  # nothing beyond Streamlit's own reconnect notice
        if not x["victim"]:
            assert x["map_drawn"] and x["url_kept"] and x["replica_after"] == x["replica_before"], x
    assert s["restarted_replica_reached"], s  # the restarted replica takes new sessions (its cookie)


def test_memory_stays_flat_over_page_views(browser):
    """Two cycles of every page in both languages (18 views each): the reference is RSS after the
    first cycle (every page and language served once, every bounded cache filled), then one more
    cycle. The bound is tighter than the long run's 1.2x over 450 views so that it still catches a
    leak of about 3 MB per view, as 1.2x over the 40 views after a 20-view warm-up did before (2.5 MB);
    measured on this machine: RSS flat within 2 % from view 10 to view 60 (ratio 0.99)."""
    proc, url = start_app(free_port(), log_name="memory-test.log")
    try:
        cycle = len(memory.cycle())
        r = memory.run(browser, url, proc.pid, views=2 * cycle, warm=cycle, log=lambda *_: None)
    finally:
        stop(proc)
    assert r["views"] == 2 * cycle and r["errors"] == 0, r["error_samples"]
    assert r["ratio"] <= 1.1, (r["rss_mb_after_warm"], r["rss_mb_after_all"], r["series"])
