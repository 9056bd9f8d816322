"""``python -m bench.failover``: what users see when one replica dies.

Two replicas behind HAProxy (deploy/serve-replicas.sh, with RESTART_DELAY=off so the dead
replica stays down until we restart it). N browser sessions (Playwright contexts in Debian's
Chromium) open map pages, each with some state in its URL, and wait until their map is drawn.
Then the process of the replica serving the first session is killed (SIGKILL, a crash).

Per session we record, from the kill on:

- ``reconnected``: a new WebSocket to ``/_stcore/stream`` on which the server sent a
  ``script_finished`` message (Streamlit's frontend reconnects and asks for a rerun; the
  protobuf frames are decoded with Streamlit's own ``ForwardMsg``), so the page ran again on the
  surviving replica; ``replica_after`` is the sticky cookie's value then;
- ``seconds_to_map``: from the kill until that rerun has finished and the map is drawn
  (``tests/browser/helpers``: the map frame and ``DRAWN_READY``);
- ``url_kept``: the page URL (its query string is the view's state) equals the one before;
- ``errors``: Streamlit exception boxes, error alerts, the "Connection error" dialog, uncaught
  page errors, HTTP responses >= 500, console errors other than the failed WebSocket/health
  requests of the reconnect itself, which are counted apart as ``reconnect_notices``.

Sessions on the surviving replica must be untouched: no new WebSocket, map still drawn.
Then the dead replica is started again (``serve-replicas.sh --replica PORT``); once HAProxy's
health check has it up, new sessions are opened until one is served by it (the cookie names it).

``--sessions 10`` (default) writes ``bench/results.json`` key ``failover`` and the table in
``bench/README.md``; the short version (2 sessions) runs in ``make test``
(tests/browser/test_failover.py). Loopback only; every wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
STICKY = "atlas_replica"

#: pages with some state in the URL (all valid: the URL must survive unchanged)
SESSION_PATHS = [
    "/alps?lang=zh",
    "/carpathians?indicator=sdg_AG_LND_FRST",
    "/?lang=zh&layers=hillshade,mountain_classes",
    "/andes?layers=hillshade,places",
    "/partnership?lang=zh",
    "/hindu-kush-himalaya?indicator=mountain_share",
    "/alps?indicator=sdg_ER_PTD_MTN",
    "/carpathians?lang=zh&layers=hillshade,range_extent",
    "/andes?lang=zh",
    "/hindu-kush-himalaya?lang=zh&indicator=sdg_AG_LND_FRST",
]
APP_STATE_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
  return a ? [a.getAttribute('data-test-connection-state'), a.getAttribute('data-test-script-state')] : [null, null]; }"""
#: the page's own log of Streamlit's connection and script states, with wall-clock times (ms)
STATE_LOG_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const log = window.__atlasStates = [];
  const note = () => log.push([Date.now(), app.getAttribute('data-test-connection-state'), app.getAttribute('data-test-script-state')]);
  note();
  new MutationObserver(note).observe(app, {attributes: true, attributeFilter: ['data-test-connection-state', 'data-test-script-state']});
}"""
SHOWN_ERRORS_JS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stException"]')) out.push('exception: ' + e.innerText.slice(0, 160));
  for (const e of document.querySelectorAll('[data-testid="stAlertContentError"]')) out.push('error box: ' + e.innerText.slice(0, 160));
  for (const d of document.querySelectorAll('[role="dialog"]')) if (/connection error|is streamlit still running/i.test(d.innerText)) out.push('dialog: ' + d.innerText.slice(0, 160));
  return out; }"""
#: console messages that belong to the reconnect itself (the dropped WebSocket, failed pings)
RECONNECT_NOISE = ("WebSocket connection to", "WebSocket is closed", "_stcore/stream", "_stcore/health",
                   "_stcore/host-config", "net::ERR_", "Failed to load resource")


def forward_kind(payload) -> str | None:
    """The type of one Streamlit ForwardMsg frame (``new_session``, ``delta``, ``script_finished``...)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return None
    m = ForwardMsg()
    try:
        m.ParseFromString(payload)
    except Exception:
        return None
    return m.WhichOneof("type")


@dataclass
class Socket:
    opened: float
    url: str
    kinds: list[tuple[float, str]] = field(default_factory=list)
    closed: float | None = None


@dataclass
class Session:
    path: str
    visit: object = field(repr=False)
    url_before: str = ""
    replica_before: str | None = None
    sockets: list[Socket] = field(default_factory=list)
    console_after: list[str] = field(default_factory=list)
    page_errors_after: list[str] = field(default_factory=list)
    states_seen: set = field(default_factory=set)
    # outcome
    victim: bool = False
    reconnected: bool = False
    seconds_to_reconnect: float | None = None
    map_kept: bool | None = None
    rerun: str | None = None
    key_pressed: float | None = None
    replica_after: str | None = None
    seconds_to_map: float | None = None
    map_drawn: bool = False
    url_after: str = ""
    errors: list[str] = field(default_factory=list)
    reconnect_notices: int = 0

    def watch(self) -> None:
        page = self.visit.page

        def on_ws(ws) -> None:
            s = Socket(time.monotonic(), ws.url)
            self.sockets.append(s)
            ws.on("framereceived", lambda payload: s.kinds.append((time.monotonic(), forward_kind(payload) or "?")))
            ws.on("close", lambda _ws: setattr(s, "closed", time.monotonic()))

        page.on("websocket", on_ws)
        page.evaluate(STATE_LOG_JS)
        page.on("console", lambda m: self.console_after.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors_after.append(str(e)))

    def cookie(self) -> str | None:
        return next((c["value"] for c in self.visit.page.context.cookies() if c["name"] == STICKY), None)

    def rerun_finished_after(self, t: float) -> float | None:
        """When a WebSocket opened after ``t`` got a ``script_finished`` (the page ran again)."""
        for s in self.sockets:
            if s.opened > t:
                done = [when for when, kind in s.kinds if kind == "script_finished"]
                if done:
                    return done[0]
        return None

    def record(self) -> dict:
        d = {k: getattr(self, k) for k in ("path", "victim", "replica_before", "replica_after", "reconnected",
                                           "seconds_to_reconnect", "map_kept", "rerun", "key_pressed", "seconds_to_map", "map_drawn",
                                           "errors", "reconnect_notices")}
        d["url_kept"] = self.url_after == self.url_before
        return d


# --- the deployment ---------------------------------------------------------------------------

def wait_http(url: str, timeout: float = 120, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=3) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {timeout} s")


def haproxy_status(run_dir: Path) -> dict[str, str]:
    """``{"r1": "UP", "r2": "DOWN", ...}`` from HAProxy's admin socket (``show stat``)."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(5)
        s.connect(str(run_dir / "haproxy.sock"))
        s.sendall(b"show stat\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    lines = data.decode().splitlines()
    head = lines[0].lstrip("# ").split(",")
    out = {}
    for line in lines[1:]:
        row = dict(zip(head, line.split(",")))
        if row.get("pxname") == "replicas" and row.get("svname", "").startswith("r"):
            out[row["svname"]] = row.get("status", "")
    return out


class Replicas:
    """deploy/serve-replicas.sh with two replicas, in its own process group."""

    def __init__(self, log=print):
        self.run_dir = Path(tempfile.mkdtemp(prefix="atlas-failover-"))
        self.proxy_port, *self.ports = (free_port() for _ in range(3))
        self.base = f"http://127.0.0.1:{self.proxy_port}"
        self.restarted: subprocess.Popen | None = None
        self.log = log
        env = {**os.environ, "RUN_DIR": str(self.run_dir), "RESTART_DELAY": "off", "BASE_PATH": ""}
        self.proc = subprocess.Popen(["bash", str(ROOT / "deploy/serve-replicas.sh"), str(self.proxy_port), *map(str, self.ports)],
                                     cwd=ROOT, env=env, start_new_session=True,
                                     stdout=open(self.run_dir / "script.log", "w"), stderr=subprocess.STDOUT)
        try:
            for p in self.ports:
                wait_http(f"http://127.0.0.1:{p}/_stcore/health", proc=self.proc)
            self.wait_status({"r1": "UP", "r2": "UP"})
        except BaseException:
            self.stop()
            raise

    def name(self, port: int) -> str:
        return f"r{self.ports.index(port) + 1}"

    def port(self, name: str) -> int:
        return self.ports[int(name[1:]) - 1]

    def pid(self, name: str) -> int:
        return int((self.run_dir / f"replica-{self.port(name)}.pid").read_text())

    def wait_status(self, want: dict[str, str], timeout: float = 90) -> None:
        end = time.monotonic() + timeout
        while True:
            try:
                got = haproxy_status(self.run_dir)
            except OSError as e:  # HAProxy still starting: no socket yet
                got = {"socket": str(e)}
            if all(got.get(k, "").startswith(v) for k, v in want.items()):
                return
            if time.monotonic() > end:
                raise RuntimeError(f"HAProxy reports {got}, waited for {want}")
            time.sleep(0.5)

    def kill(self, name: str) -> None:
        os.kill(self.pid(name), signal.SIGKILL)

    def restart(self, name: str) -> None:
        """Start the replica again, with the script's own command (``--replica PORT``)."""
        port = self.port(name)
        self.restarted = subprocess.Popen(["bash", str(ROOT / "deploy/serve-replicas.sh"), "--replica", str(port)], cwd=ROOT,
                                          env={**os.environ, "BASE_PATH": ""}, start_new_session=True,
                                          stdout=open(self.run_dir / f"replica-{port}-restarted.log", "w"), stderr=subprocess.STDOUT)
        wait_http(f"http://127.0.0.1:{port}/_stcore/health", proc=self.restarted)
        self.wait_status({name: "UP"})

    def stop(self) -> None:
        for p in (self.restarted, self.proc):
            if p is None or p.poll() is not None:
                continue
            try:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


# --- the run ----------------------------------------------------------------------------------

def open_sessions(browser, base: str, paths: list[str], timeout_ms: int, log) -> list[Session]:
    from tests.browser.helpers import open_page

    out = []
    for path in paths:
        t = time.monotonic()
        v = open_page(browser, base + path, timeout_ms=timeout_ms)
        s = Session(path, v)
        s.url_before = v.page.url
        s.replica_before = s.cookie()
        s.watch()
        out.append(s)
        log(f"  {path}: map drawn in {time.monotonic() - t:.1f} s on {s.replica_before}")
    return out


def map_drawn(s: Session) -> bool:
    from tests.browser.helpers import DRAWN_READY

    try:
        frame = s.visit.wait_map_frame(2_000)
        return bool(frame.evaluate(DRAWN_READY))
    except Exception:
        return False


def page_log(s: "Session") -> list:
    return s.visit.page.evaluate("() => window.__atlasStates || []")


def first_after(s: "Session", wall_kill: float, want, fallback: float) -> float:
    """Seconds from the kill to the first logged state matching ``want(connection, script)``."""
    for ms, conn, script in page_log(s):
        if ms / 1000 > wall_kill and want(conn, script):
            return round(ms / 1000 - wall_kill, 2)
    return round(fallback, 2)


def last_idle(s: "Session", wall_kill: float, fallback: float) -> float:
    """Seconds from the kill to the last time the page became idle and connected."""
    idle = [ms / 1000 for ms, conn, script in page_log(s) if ms / 1000 > wall_kill and conn == "CONNECTED" and script == "notRunning"]
    return round(idle[-1] - wall_kill, 2) if idle else round(fallback, 2)


def socket_after(s: "Session", t: float) -> "Socket | None":
    return next((x for x in reversed(s.sockets) if x.opened > t and x.closed is None), None)


#: what a person's next action does (any widget change reruns the page): Streamlit's "r" key,
#: pressed if no rerun has started this many seconds after the reconnect (the page asks for one
#: itself at once: geo.ui._rerun_after_reconnect)
NEXT_ACTION_AFTER_S = 15
RERUN_KEY_JS = "() => { if (document.activeElement) document.activeElement.blur(); }"


def watch_recovery(sessions: list[Session], t_kill: float, timeout: float, log) -> None:
    """Poll every dropped session until it is back (or ``timeout`` seconds have passed).

    Back means: reconnected (a new WebSocket, Streamlit's connection state CONNECTED), then a
    rerun finished on that WebSocket (``script_finished``) and the map is drawn. Streamlit 1.67's
    frontend asks for a rerun after a reconnect if a run was in flight when the connection
    dropped, or if the page has a timed fragment (ours do: geo.ui._rerun_after_reconnect);
    otherwise the page stays as it was (map on screen) until the person's next action. If no
    rerun has started ``NEXT_ACTION_AFTER_S`` after the reconnect, we do what that action does,
    with Streamlit's rerun key, and time it too (reported as "next action", not "automatic").
    """
    pending = [s for s in sessions if s.victim]
    end = t_kill + timeout
    wall_kill = time.time() - (time.monotonic() - t_kill)
    while pending and time.monotonic() < end:
        for s in list(pending):
            page = s.visit.page
            conn, script = page.evaluate(APP_STATE_JS)
            s.states_seen.add(conn)
            sock = socket_after(s, t_kill)
            if sock is None or conn != "CONNECTED":
                continue
            now = time.monotonic()
            if s.seconds_to_reconnect is None:
                s.seconds_to_reconnect = first_after(s, wall_kill, lambda c, _r: c == "CONNECTED", now - t_kill)
                s.map_kept = map_drawn(s)
                log(f"  {s.path}: reconnected after {s.seconds_to_reconnect} s on {s.cookie()}, map on screen: {s.map_kept}")
            started = any(kind in ("new_session", "script_finished") for _, kind in sock.kinds)
            if not started and s.rerun is None and script == "notRunning" and now - sock.opened > NEXT_ACTION_AFTER_S:
                page.evaluate(RERUN_KEY_JS)
                s.key_pressed = round(time.time() - wall_kill, 2)
                page.keyboard.press("r")
                s.rerun = "next action"
            finished = s.rerun_finished_after(t_kill)
            if finished is not None and script == "notRunning" and map_drawn(s):
                s.rerun = s.rerun or "automatic"
                # the moment the page went idle after its rerun (the page's own log), the map drawn then
                s.seconds_to_map = last_idle(s, wall_kill, time.monotonic() - t_kill)
                s.reconnected = True
                pending.remove(s)
                log(f"  {s.path}: rerun ({s.rerun}) finished, map drawn {s.seconds_to_map} s after the kill")
        if pending:
            sessions[0].visit.page.wait_for_timeout(150)


def judge(s: Session, t_kill: float) -> None:
    wall_kill = time.time() - (time.monotonic() - t_kill)
    page = s.visit.page
    s.url_after = page.url
    s.replica_after = s.cookie()
    s.map_drawn = map_drawn(s)
    s.errors += page.evaluate(SHOWN_ERRORS_JS)
    s.errors += [f"page error: {e[:160]}" for e in s.page_errors_after]
    noise = [m for m in s.console_after if any(n in m for n in RECONNECT_NOISE)]
    s.errors += [f"console: {m[:160]}" for m in s.console_after if m not in noise]
    s.states_seen |= {conn for ms, conn, _ in page_log(s) if ms / 1000 > wall_kill}
    s.reconnect_notices = len(noise) + int(bool(s.states_seen - {"CONNECTED", None}))
    s.errors += [f"HTTP {r.status} {r.url}" for r in list(s.visit.responses) if r.status >= 500]
    if not s.victim:  # untouched: the same WebSocket, nothing reopened
        if any(sock.opened > t_kill for sock in s.sockets):
            s.errors.append("a session on the surviving replica reconnected")
        s.reconnected = False


def run(browser, n_sessions: int = 10, recover_timeout: float = 120, view_timeout_ms: int = 180_000, log=print) -> dict:
    paths = [SESSION_PATHS[i % len(SESSION_PATHS)] for i in range(n_sessions)]
    rep = Replicas(log)
    sessions: list[Session] = []
    try:
        log(f"replicas up behind {rep.base}; opening {n_sessions} sessions")
        sessions += open_sessions(browser, rep.base, paths, view_timeout_ms, log)
        victim = sessions[0].replica_before or "r1"
        for s in sessions:
            s.victim = s.replica_before == victim
        # the kill: a crash of the victim replica's process
        t_kill = time.monotonic()
        rep.kill(victim)
        log(f"killed {victim} (pid file {rep.run_dir}); waiting for its sessions")
        watch_recovery(sessions, t_kill, recover_timeout, log)
        for s in sessions:
            judge(s, t_kill)
        # what the proxy made of it: its health checks (every 2 s, down after 2 failures) may still
        # be counting when the sessions are already back, so wait (bounded) for its verdict
        end = time.monotonic() + 60
        status_after_kill = haproxy_status(rep.run_dir)
        while not status_after_kill.get(victim, "").startswith("DOWN") and time.monotonic() < end:
            time.sleep(0.5)
            status_after_kill = haproxy_status(rep.run_dir)
        # restart: new sessions reach the replica again
        t_restart = time.monotonic()
        rep.restart(victim)
        restart_s = round(time.monotonic() - t_restart, 1)
        new_cookies = []
        from tests.browser.helpers import open_page

        for _ in range(6):  # round robin: one of the first few new sessions goes to it
            v = open_page(browser, rep.base + "/alps", timeout_ms=view_timeout_ms)
            cookie = next((c["value"] for c in v.page.context.cookies() if c["name"] == STICKY), None)
            new_cookies.append(cookie)
            v.page.context.close()
            if cookie == victim:
                break
        victims = [s for s in sessions if s.victim]
        times = [s.seconds_to_map for s in victims if s.seconds_to_map is not None]
        records = [s.record() for s in sessions]
        summary = {
            "sessions": n_sessions, "killed": victim, "sessions_on_killed": len(victims),
            "back": sum(1 for s in victims if s.reconnected and s.map_drawn),
            "moved_to_other_replica": sum(1 for s in victims if s.replica_after and s.replica_after != victim),
            "others_untouched": sum(1 for s in sessions if not s.victim and s.map_drawn and not s.errors),
            "errors": sum(len(s.errors) for s in sessions),
            "url_state_lost": sum(1 for r in records if not r["url_kept"]),
            "seconds_to_map_median": round(statistics.median(times), 2) if times else None,
            "seconds_to_map_max": max(times) if times else None,
            "reconnect_s_max": max((s.seconds_to_reconnect for s in victims if s.seconds_to_reconnect is not None), default=None),
            "reruns": {k: sum(1 for s in victims if s.rerun == k) for k in ("automatic", "next action")},
            "haproxy_after_kill": status_after_kill,
            "restart_to_up_s": restart_s,
            "new_sessions_cookies": new_cookies,
            "restarted_replica_reached": victim in new_cookies,
        }
        return {"summary": summary, "per_session": records}
    finally:
        try:
            for s in sessions:
                s.visit.page.context.close()
        finally:
            rep.stop()


def markdown(r: dict) -> str:
    s = r["summary"]
    lines = [f"Killed replica {s['killed']} (SIGKILL) with {s['sessions']} sessions open, {s['sessions_on_killed']} of them on it: "
             f"{s['back']} back with their map, {s['moved_to_other_replica']} moved to the other replica, "
             f"{s['others_untouched']} of {s['sessions'] - s['sessions_on_killed']} others untouched, "
             f"{s['errors']} errors, {s['url_state_lost']} URL states lost; from the kill to a rerun finished on the other "
             f"replica with the map drawn: median {s['seconds_to_map_median']} s, max {s['seconds_to_map_max']} s. "
             f"Restarted, the replica was up in HAProxy after {s['restart_to_up_s']} s and new sessions reached it: "
             f"{'yes' if s['restarted_replica_reached'] else 'no'} (cookies of the new sessions: {', '.join(map(str, s['new_sessions_cookies']))}).",
             "", "| session | on killed replica | replica before → after | reconnected (s) | map kept meanwhile | rerun | rerun done, map drawn (s) | URL kept | errors |",
             "|---|---|---|---|---|---|---|---|---|"]
    for x in r["per_session"]:
        v = x["victim"]
        rerun = (x["rerun"] or "-") + (f" (key at {x['key_pressed']} s)" if x.get("key_pressed") else "")
        lines.append(f"| `{x['path']}` | {'yes' if v else 'no'} | {x['replica_before']} → {x['replica_after']} | "
                     f"{x['seconds_to_reconnect'] if v else '-'} | {('yes' if x['map_kept'] else 'no') if v else '-'} | "
                     f"{rerun} | {x['seconds_to_map'] if v else '(not dropped)'} | {'yes' if x['url_kept'] else 'no'} | "
                     f"{len(x['errors'])} |")
    lines += ["", "rerun: *automatic* when Streamlit's frontend asked for it after reconnecting (it does when a run was in "
              "flight when the replica died, or when the page has a timed fragment, as every page here has), *next action* "
              f"when no rerun had started {NEXT_ACTION_AFTER_S} s after the reconnect and we pressed Streamlit's rerun key `r` "
              "as the person's next action would. Errors exclude Streamlit's own reconnect "
              "notice and the failed WebSocket/health requests of the reconnect."]
    return "\n".join(lines)


def write_results(key: str, value: dict, md: str) -> None:
    """Update one key of bench/results.json (others kept) and its block in bench/README.md."""
    res = ROOT / "bench/results.json"
    results = json.loads(res.read_text()) if res.exists() else {}
    results[key] = value
    res.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    readme = ROOT / "bench/README.md"
    text = readme.read_text() if readme.exists() else ""
    start, end = f"<!-- {key}:start -->", f"<!-- {key}:end -->"
    block = f"{start}\n{md}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    readme.write_text(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.failover")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--recover-timeout", type=float, default=120, help="seconds the dropped sessions have to come back")
    ap.add_argument("--no-write", action="store_true", help="print only; leave bench/results.json alone")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            r = run(browser, args.sessions, args.recover_timeout)
        finally:
            browser.close()
    md = markdown(r)
    print(json.dumps(r, indent=1, ensure_ascii=False))
    print(md)
    if not args.no_write:
        r["summary"]["date"] = time.strftime("%Y-%m-%d")
        write_results("failover", r, md)
    s = r["summary"]
    ok = s["back"] == s["sessions_on_killed"] and s["errors"] == 0 and s["url_state_lost"] == 0 and s["restarted_replica_reached"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
