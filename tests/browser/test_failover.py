"""The short version of the failover bench (bench/failover.py), asserting what its long version
reports: a replica that dies loses no session that can reconnect."""

from __future__ import annotations

import pytest

from bench import failover

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

