"""The proxy in front of the replicas (deploy/haproxy.cfg.in), run by HAProxy itself: a browser's
connection on which no request came (a speculative pre-connect, or a tab too busy to send one) is
closed silently when its time is up, and that time outlasts the browser's own. A 408 there is read
by the browser as the answer to the next script it asks for on that connection, and the page never
starts (`make load` saw 10 of 20); a connection the proxy closed first fails that script instead."""

from __future__ import annotations

import http.server
import re
import shutil
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port


def haproxy() -> str:
    path = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)
    if not path:
        pytest.fail("haproxy not found: install Debian's haproxy package (`make system-deps`)", pytrace=False)
    return path


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        try:
            self.wfile.write(b"ok")
        except ConnectionError:  # the proxy's health check reads the status and hangs up
            pass

    def log_message(self, *args):
        pass


@contextmanager
def proxy(tmp_path: Path, request_timeout: str | None = None):
    """HAProxy on deploy/haproxy.cfg.in (its request timeout replaced if given) in front of one
    backend that answers 200; yields the proxy's port once it listens."""
    port = free_port()
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    cfg = (ROOT / "deploy" / "haproxy.cfg.in").read_text()
    if request_timeout:
        cfg, n = re.subn(r"timeout http-request \S+", f"timeout http-request {request_timeout}", cfg)
        assert n == 1
    cfg = (cfg.replace("    @SERVERS@", f"    server r1 127.0.0.1:{backend.server_port} cookie r1").replace("@BIND@", "127.0.0.1")
           .replace("@PROXY_PORT@", str(port)).replace("@HEALTH@", "/").replace("@RUN@", str(tmp_path)))
    (tmp_path / "haproxy.cfg").write_text(cfg)
    proc = subprocess.Popen([haproxy(), "-db", "-f", str(tmp_path / "haproxy.cfg")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                break
            except OSError:
                if time.monotonic() > end or proc.poll() is not None:
                    pytest.fail(f"haproxy did not listen on {port} (exit code {proc.poll()})")
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        backend.shutdown()


def test_a_connection_without_a_request_is_closed_without_a_408(tmp_path):
    with proxy(tmp_path, request_timeout="2s") as port:  # the config's own timeout is long: shortened here
        conn = socket.create_connection(("127.0.0.1", port), timeout=90)
        t0, got = time.monotonic(), b""
        with conn:
            while chunk := conn.recv(4096):
                got += chunk
        assert got == b"", got[:80]  # closed with no "HTTP/1.1 408 Request Time-out"
        assert time.monotonic() - t0 >= 1.5  # closed when the request timeout struck, not at once


def test_a_connection_opened_ahead_is_still_served_after_the_browsers_own_10_s(tmp_path):
    """Chromium drops a connection it opened ahead and did not use after 10 s; a busy browser may use
    it just then. The proxy keeps it open past that (12 s here) and answers the request."""
    with proxy(tmp_path) as port:
        conn = socket.create_connection(("127.0.0.1", port), timeout=30)
        with conn:
            time.sleep(12)  # the property under test is a wait
            conn.sendall(b"GET / HTTP/1.1\r\nHost: atlas\r\n\r\n")
            got = conn.recv(4096)
        assert re.match(rb"HTTP/1\.[01] 200 ", got) and got.endswith(b"\r\n\r\nok"), got[:80]
