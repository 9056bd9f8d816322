"""The proxy in front of the replicas (deploy/haproxy.cfg.in), run by HAProxy itself: a browser's
connection on which no request came (a speculative pre-connect, or a tab too busy to send one) is
closed silently when its time is up. A 408 there is read by the browser as the answer to the next
script it asks for on that connection, and the page never starts (`make load` saw 10 of 20)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port


def haproxy() -> str:
    path = shutil.which("haproxy") or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)
    if not path:
        pytest.fail("haproxy not found: install Debian's haproxy package (`make system-deps`)", pytrace=False)
    return path


def test_a_connection_without_a_request_is_closed_without_a_408(tmp_path):
    port, backend = free_port(), free_port()
    cfg = (ROOT / "deploy" / "haproxy.cfg.in").read_text()
    cfg = (cfg.replace("    @SERVERS@", f"    server r1 127.0.0.1:{backend} cookie r1").replace("@BIND@", "127.0.0.1")
           .replace("@PROXY_PORT@", str(port)).replace("@HEALTH@", "/_stcore/health").replace("@RUN@", str(tmp_path)))
    (tmp_path / "haproxy.cfg").write_text(cfg)
    proc = subprocess.Popen([haproxy(), "-db", "-f", str(tmp_path / "haproxy.cfg")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 60
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=2)
                break
            except OSError:
                if time.monotonic() > end or proc.poll() is not None:
                    pytest.fail(f"haproxy did not listen on {port} (exit code {proc.poll()})")
                time.sleep(0.2)
        conn.settimeout(90)  # far beyond the config's 10 s request timeout
        t0, got = time.monotonic(), b""
        with conn:
            while chunk := conn.recv(4096):
                got += chunk
        assert got == b"", got[:80]  # closed with no "HTTP/1.1 408 Request Time-out"
        assert time.monotonic() - t0 >= 5  # closed when the request timeout struck, not at once
    finally:
        proc.terminate()
        proc.wait(10)
