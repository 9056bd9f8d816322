"""Shared fixtures: the running app on a free loopback port and headless Debian Chromium."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
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
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # one log per test worker
    log = open(ARTIFACTS / (f"{Path(log_name).stem}-{worker}.log" if worker else log_name), "w")
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


def _run_root(tmp_path_factory, worker_id: str) -> Path:
    """The test run's own temporary folder, shared by its pytest-xdist workers."""
    return tmp_path_factory.getbasetemp().parent if worker_id != "master" else tmp_path_factory.getbasetemp()


@contextlib.contextmanager
def _run_lock(root: Path, name: str):
    """An exclusive lock on ``root/name.lock`` among the run's workers."""
    import fcntl

    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, worker_id):
    """The app, started from this venv on a free loopback port, one for the whole run: the first worker
    that needs it starts it (log in tests/artifacts/app-<worker>.log), the other uses it, and the last
    one done with it stops it. Every test opens sessions of its own, as separate visitors do."""
    root = _run_root(tmp_path_factory, worker_id)
    state = root / "app.json"
    proc = None
    with _run_lock(root, "app"):
        info = json.loads(state.read_text()) if state.exists() else None
        if info is None or not _alive(info["pid"]):
            proc, url = start_app(free_port())
            info = {"url": url, "pid": proc.pid, "users": 0}
        info["users"] += 1
        state.write_text(json.dumps(info))
    yield info["url"]
    with _run_lock(root, "app"):
        info = json.loads(state.read_text())
        info["users"] -= 1
        state.write_text(json.dumps(info))
        last = info["users"] == 0
    if last:
        if proc is not None:
            stop(proc)
        else:  # started by the other worker, which has finished: stop it by its process id
            os.kill(info["pid"], signal.SIGTERM)
            end = time.monotonic() + 10
            while _alive(info["pid"]) and time.monotonic() < end:
                time.sleep(0.1)
            if _alive(info["pid"]):
                os.kill(info["pid"], signal.SIGKILL)


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


@pytest.fixture(scope="session")
def tab(browser):
    """This worker's one browser tab, reused by every test that visits the app through ``visit``
    (tests.browser.helpers.Tab)."""
    from tests.browser.helpers import Tab

    t = Tab(browser)
    yield t
    t.close()


@pytest.fixture()
def visit(tab):
    """``visit(url, wait_map=True, viewport=None)`` -> a recorded Visit (every request URL, response,
    console error and dialog, recorded from the start of this address) in this worker's tab; after
    the test the tab goes to about:blank."""
    yield tab.open
    tab.leave()


# ---------------------------------------------------------------------------------------
# Streamlit's AppTest: the one runner every test that runs a page through app.py uses

APP = ROOT / "app.py"
APPTEST_TIMEOUT = 120
#: Streamlit's registry of installed v2 components: every AppTest object scans every installed
#: distribution for one on its first run (about 0.2 s of CPU). The installed packages do not change
#: during a test run, so every AppTest of a worker gets the first one's.
_COMPONENT_REGISTRY: list = []


def run_page(page: str, params: dict | None = None, timeout: float = APPTEST_TIMEOUT):
    """app.py (st.navigation) through AppTest, switched to ``page`` (``views/alps.py``) with the
    URL parameters ``params``, after one run; returns the AppTest."""
    from streamlit.testing.v1 import AppTest

    from geo import catalog

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if _COMPONENT_REGISTRY and hasattr(at, "_bidi_component_manager"):
        at._bidi_component_manager = _COMPONENT_REGISTRY[0]
    url_path = next(p.path for p in catalog.PAGES.values() if p.file == page)
    if url_path and Path(page).stem != url_path:
        # before its first run AppTest finds pages by file name, not by st.Page's url_path
        # (hindu_kush_himalaya.py is /hindu-kush-himalaya): run the default page once first
        at.run()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    if not _COMPONENT_REGISTRY and getattr(at, "_bidi_component_manager", None) is not None:
        _COMPONENT_REGISTRY.append(at._bidi_component_manager)
    return at


# ---------------------------------------------------------------------------------------
# a poisoned copy of data/: hostile text in names, members, places and a paragraph title, the
# manifest's checksums recomputed so the files pass as intact (tests/test_faults.py,
# tests/test_snapshot.py, tests/test_static_site.py)

class Poison:
    NAME_EN = "<img src=x onerror=alert('name_en')>Austria"  # Austria's English name (map, tables)
    NAME_ZH = "<script>alert('name_zh')</script>奥地利"  # Austria's Chinese name
    COUNTRY = "<script>alert(1)</script>"  # Switzerland's English name
    MEMBER = "<b onmouseover=alert('member')>Österreich</b>"  # member names (regional, Partnership)
    SOURCE = "javascript:alert('source')//<iframe src=javascript:alert(1)>"
    PLACE = "<svg onload=alert('place')>Bishkek"  # every place's name (Merano included)
    EVENT = "\"><script>alert('event')</script>"  # every place's event; Partnership as_of
    TITLE = "</text><script>alert(3)</script> & the Alps"  # OP28's English title
    ALL = (NAME_EN, NAME_ZH, COUNTRY, MEMBER, SOURCE, PLACE, EVENT, TITLE)


def copy_data(dest: Path) -> Path:
    """A copy of data/ (without the researched sources) at ``dest/data``."""
    from geo import paths

    root = dest / "data"
    shutil.copytree(paths.ROOT / "data", root, ignore=shutil.ignore_patterns("sources"))
    return root


def reseal(root: Path, *relpaths: str) -> None:
    """Write the changed files' checksums into the copy's manifest (they pass as intact)."""
    import json

    from geo.raw import sha256_file

    man = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for rel in relpaths:
        man["files"][rel]["sha256"] = sha256_file(root / rel)
        man["files"][rel]["bytes"] = (root / rel).stat().st_size
    (root / "manifest.json").write_text(json.dumps(man, ensure_ascii=False, indent=1), encoding="utf-8")


def edit_csv(path: Path, edit) -> None:
    import csv
    import io

    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for r in rows:
        edit(r)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _edit_json(path: Path, edit) -> None:
    import json

    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="session")
def poisoned_root(tmp_path_factory) -> Path:
    """The poisoned copy, written once per run (not yet in use: see ``poisoned``)."""
    root = copy_data(tmp_path_factory.mktemp("poisoned"))

    def countries(doc):
        for f in doc["features"]:
            if f["properties"]["iso3"] == "AUT":
                f["properties"].update(name_en=Poison.NAME_EN, name_zh=Poison.NAME_ZH)
            if f["properties"]["iso3"] == "CHE":
                f["properties"]["name_en"] = Poison.COUNTRY

    def places(doc):
        for f in doc["features"]:
            f["properties"].update(name_en=Poison.PLACE, name_zh=Poison.PLACE, event_en=Poison.EVENT, event_zh=Poison.EVENT,
                                   source=Poison.SOURCE)

    def paragraphs(doc):
        for p in doc:
            if p["id"] == "OP28":
                p["title_en"] = Poison.TITLE

    def members(r):
        if r["iso3"] == "AUT":
            r.update(member_name=Poison.MEMBER, source=Poison.SOURCE)

    def partners(r):
        if r["iso3"] in ("AUT", "ITA", "CHE", "KGZ"):
            r.update(name=Poison.MEMBER, source=Poison.SOURCE, as_of=Poison.EVENT)

    _edit_json(root / "vector/countries.geojson", countries)
    _edit_json(root / "vector/places.geojson", places)
    _edit_json(root / "resolution/paragraphs.json", paragraphs)
    edit_csv(root / "tables/regional_members.csv", members)
    edit_csv(root / "tables/partnership_members.csv", partners)
    edit_csv(root / "stats/country_mountain_area.csv", lambda r: r.update(name=Poison.NAME_EN) if r["iso3"] == "AUT" else None)
    reseal(root, "vector/countries.geojson", "vector/places.geojson", "resolution/paragraphs.json", "tables/regional_members.csv",
           "tables/partnership_members.csv", "stats/country_mountain_area.csv")
    return root


@pytest.fixture()
def poisoned(poisoned_root, monkeypatch):
    """ATLAS_DATA_DIR points at the poisoned copy for one test; yields the payloads (``Poison``)."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(poisoned_root))
    yield Poison
    monkeypatch.delenv("ATLAS_DATA_DIR")


# ---------------------------------------------------------------------------------------
# command lines: in-process (their main(argv)), one subprocess smoke run per CLI

def run_cli(main, args: list[str], capsys) -> tuple[int, str, str]:
    """``main(args)`` in this process as ``python -m ...`` would run it: (exit code, stdout, stderr);
    argparse's exits count as exit codes."""
    try:
        code = main(args)
    except SystemExit as e:
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def once_per_run(tmp_path_factory, worker_id: str, name: str, make) -> Path:
    """The folder ``name``, filled by ``make(folder)`` once per test run: under pytest-xdist the first
    worker to ask fills it in the run's temporary folder while the other waits on a lock file, then
    both read it."""
    root = _run_root(tmp_path_factory, worker_id)
    folder, done = root / name, root / f"{name}.done"
    with _run_lock(root, name):
        if not done.exists():
            folder.mkdir(exist_ok=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def exported_site(tmp_path_factory, worker_id) -> Path:
    """``python -m geo.static_site --view all --lang zh --no-png``, run once per test run as a user would
    run it (the geo.static_site subprocess smoke run; tests/test_static_site.py and
    tests/browser/test_export_hostile.py)."""
    def export(out: Path) -> None:
        r = subprocess.run([sys.executable, "-m", "geo.static_site", "--view", "all", "--out", str(out), "--no-png", "--lang", "zh"],
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr

    return once_per_run(tmp_path_factory, worker_id, "export-all", export)


# ---------------------------------------------------------------------------------------
# `make test` runs the suite on two workers (pytest-xdist, `--dist load --maxschedchunk 1`: each
# worker takes the next test when it is free). The longest tests go first so that neither worker is
# left with one of them at the end (the order is from `pytest --durations` on 2 cores); then one user
# of each once_per_run fixture, so that it is made while the other worker is busy, not waited for.

LONGEST_FIRST = (
    "test_a_fresh_build_reproduces_the_committed_data",
    "test_every_page_in_the_language_at_the_size",
    "test_sessions_on_a_killed_replica_come_back_on_the_other",
    "test_memory_stays_flat_over_page_views",
    "test_export_all_writes_an_index",  # exported_site
    "test_only_vatican_lacks_area",  # tests/test_countries.py's full
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.originalname, len(rank)))  # stable: the rest keep their order
