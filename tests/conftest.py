"""Shared fixtures: the running app on a free loopback port and headless Debian Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

# Map artefacts of the test run (and of the apps it starts) go to a folder of their own.
os.environ.setdefault("ATLAS_ARTEFACT_DIR", tempfile.mkdtemp(prefix="atlas-artefacts-"))

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
#: One view per page template in geo/ui.py (map_page draws the world, the four ranges and the
#: partnership; indicators_page, resolution_page, compare_page one each): the hostile-parameter
#: sweeps run once per template, since the template, not the view, reads the URL.
TEMPLATE_VIEWS = ("alps", "indicators", "resolution", "compare")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the app at {url} did not become healthy in {timeout} s")


def start_app(port: int, env: dict | None = None, log_name: str = "app.log") -> tuple[subprocess.Popen, str]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, proc)
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="session")
def app_url():
    """The app, started from this venv on a free loopback port; log in tests/artifacts/app.log."""
    proc, url = start_app(free_port())
    yield url
    stop(proc)


def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.fail("Chromium not found on PATH: install Debian's chromium package (`make system-deps`, "
                    "scripts/system-deps.sh); never `playwright install`", pytrace=False)
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def visit(browser):
    """``visit(url, wait_map=True, init_script=None)`` -> a recorded Visit (every request URL,
    response, console error and dialog) in a fresh browser context, closed after the test."""
    from tests.browser.helpers import open_page

    opened = []

    def _visit(url: str, **kw):
        v = open_page(browser, url, **kw)
        opened.append(v)
        return v

    yield _visit
    for v in opened:
        v.page.context.close()
