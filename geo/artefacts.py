"""Map artefacts: files written once per data generation and served under content-hashed names.

A map is a small HTML page (built by :mod:`geo.mapping`) that fetches what it draws: Leaflet,
our map script, geometry (countries as TopoJSON, other vectors as GeoJSON), raster overlays
(PNG/JPEG) and a per-state JSON with styles, tooltips and the legend. Each file is named
``<stem>.<sha256[:16]>.<ext>`` after its content, inside a folder named after the *data
generation* (the sha256 of ``data/manifest.json``). So:

- a file never changes under its name: browsers, a proxy or a CDN may keep it for a year;
- a new data generation writes into a new folder: its pages never reference an older file;
- any process (or replica sharing the folder) that builds the same state writes the same names.

What a state's build produced (its file names, problems and sources) is also remembered in the
folder (:meth:`Store.remember`), under a key that holds the state, the data's condition and the
code's version (:func:`code_version`): a process that starts later, or another replica, reads it
instead of building the state again, as long as every file it names is still intact.

This module is plain Python (no Streamlit, no folium): the store, the generation, and the
answer to an HTTP request for an artefact (:func:`respond`), which ``serve.py`` routes to.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from geo import paths

#: Artefact names: a stem, a content hash, an extension. Nothing else is ever served.
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}\.[0-9a-f]{16}\.(js|css|json|topojson|geojson|png|jpg|html)$")
GENERATION = re.compile(r"^[0-9a-f]{16}$")
MEDIA_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "json": "application/json",
    "topojson": "application/json",
    "geojson": "application/geo+json",
    "png": "image/png",
    "jpg": "image/jpeg",
    "html": "text/html; charset=utf-8",
}
IMMUTABLE = "public, max-age=31536000, immutable"
#: Per-state files (pages, style JSON), and remembered builds (:meth:`Store.remember`), kept per
#: generation folder, each, before the oldest are removed.
MAX_STATE_FILES = 4000
#: Generation folders kept beside the current one (older ones are removed when a new one starts).
KEEP_GENERATIONS = 3


def root() -> Path:
    """Where artefacts are written: ``ATLAS_ARTEFACT_DIR`` or ``.cache/artefacts``."""
    return Path(os.environ.get("ATLAS_ARTEFACT_DIR", paths.ROOT / ".cache" / "artefacts"))


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """sha256[:16] of what shapes an artefact besides the data and the state: this package's
    source and static files, and the name and version of every installed distribution (folium,
    shapely, numpy...). Read once per process: a process runs the code it imported."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent
    for p in sorted(pkg.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".js", ".css") and "__pycache__" not in p.parts:
            h.update(p.relative_to(pkg).as_posix().encode("utf-8") + b"\0" + p.read_bytes() + b"\0")
    dists = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    h.update("\n".join(dists).encode("utf-8"))
    return h.hexdigest()[:16]


_gen_lock = threading.Lock()
_gen_cache: dict[tuple[str, int, int], str] = {}


def generation(data_dir: Path | None = None) -> str:
    """The data generation: sha256[:16] of the data folder's manifest (``"0"*16`` if unreadable).

    Re-read when the manifest's size or modification time changes (cheap: one ``stat``).
    """
    path = Path(data_dir or paths.data_dir()) / paths.MANIFEST
    try:
        st = path.stat()
    except OSError:
        return "0" * 16
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _gen_lock:
        if key not in _gen_cache:
            if len(_gen_cache) > 32:
                _gen_cache.clear()
            _gen_cache[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        return _gen_cache[key]


def _write_atomic(path: Path, content: bytes) -> None:
    """Write through a temporary file and a rename: a reader sees the old file or the whole new one."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_bytes(content)
    os.replace(tmp, path)


def _keep_newest(files: list[Path], limit: int) -> None:
    """Beyond ``limit`` files, remove the oldest (down to 90 % of ``limit``)."""
    if len(files) <= limit:
        return
    files.sort(key=lambda p: p.stat().st_mtime)
    for p in files[: len(files) - limit * 9 // 10]:
        p.unlink(missing_ok=True)


def content_name(stem: str, ext: str, content: bytes) -> str:
    name = f"{stem}.{hashlib.sha256(content).hexdigest()[:16]}.{ext}"
    if not NAME.match(name):
        raise ValueError(f"not an artefact name: {name!r}")
    return name


@dataclass
class Store:
    """The artefact folder of one data generation."""

    generation: str
    base: Path = field(default_factory=root)
    _known: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)  # name -> (mtime_ns, size) verified
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def folder(self) -> Path:
        return self.base / self.generation

    def path(self, name: str) -> Path:
        return self.folder / name

    def put(self, stem: str, ext: str, content: bytes, per_state: bool = False) -> str:
        """Write ``content`` under its content name unless an intact copy is there; return the name."""
        name = content_name(stem, ext, content)
        if not self.intact(name):
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.path(name), content)
            if per_state:
                _keep_newest([p for pat in ("state-*", "map-*", "embed-*") for p in self.folder.glob(pat) if p.is_file()],
                             MAX_STATE_FILES)
            self._mark_intact(name)
        return name

    def intact(self, name: str) -> bool:
        """True if the file exists and its content matches its name (re-hashed when it changed on disk)."""
        p = self.path(name)
        try:
            st = p.stat()
        except OSError:
            return False
        sig = (st.st_mtime_ns, st.st_size)
        with self._lock:
            if self._known.get(name) == sig:
                return True
        if hashlib.sha256(p.read_bytes()).hexdigest()[:16] != name.rsplit(".", 2)[1]:
            return False
        with self._lock:
            self._known[name] = sig
        return True

    def _memo(self, key: str) -> Path:
        digest = hashlib.sha256(f"{code_version()}\0{key}".encode("utf-8")).hexdigest()[:32]
        return self.folder / "remembered" / f"{digest}.json"

    def recall(self, key: str) -> dict | None:
        """What :meth:`remember` kept under ``key`` with this code version (in any process), or
        None: never kept, unreadable, or kept by other code. The caller checks that the files it
        names are intact before it uses it."""
        try:
            doc = json.loads(self._memo(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return doc.get("value") if isinstance(doc, dict) and doc.get("key") == key else None

    def remember(self, key: str, value: dict) -> None:
        """Keep ``value`` (JSON) under ``key`` for later processes (atomic; the oldest are removed
        beyond :data:`MAX_STATE_FILES`). The folder is not served (:func:`respond` serves names only)."""
        path = self._memo(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, json.dumps({"key": key, "value": value}, ensure_ascii=False).encode("utf-8"))
        _keep_newest([p for p in path.parent.glob("*.json") if p.is_file()], MAX_STATE_FILES)

    def made_once(self, key: str, stem: str, ext: str, make) -> str:
        """The name of the file ``make()`` returns (bytes), made once per ``key`` and code version by
        whichever process asks first; later ones, in any process, find it remembered and intact."""
        got = self.recall(key)
        name = got.get("name") if isinstance(got, dict) else None
        if isinstance(name, str) and NAME.match(name) and self.intact(name):
            return name
        name = self.put(stem, ext, make())
        self.remember(key, {"name": name})
        return name

    def _mark_intact(self, name: str) -> None:
        try:
            st = self.path(name).stat()
        except OSError:
            return
        with self._lock:
            if len(self._known) > 20_000:
                self._known.clear()
            self._known[name] = (st.st_mtime_ns, st.st_size)

    def prune_generations(self) -> None:
        """Remove generation folders beyond the newest :data:`KEEP_GENERATIONS` (never the current one)."""
        if not self.base.is_dir():
            return
        others = [p for p in self.base.iterdir() if p.is_dir() and GENERATION.match(p.name) and p.name != self.generation]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        import shutil

        for p in others[KEEP_GENERATIONS:]:
            shutil.rmtree(p, ignore_errors=True)


_stores: dict[tuple[str, str], Store] = {}
_stores_lock = threading.Lock()


def store(data_dir: Path | None = None) -> Store:
    """The store of the current data generation (one object per generation and folder)."""
    gen = generation(data_dir)
    key = (str(root()), gen)
    with _stores_lock:
        s = _stores.get(key)
        if s is None:
            if len(_stores) > 16:
                _stores.clear()
            s = _stores[key] = Store(gen, root())
            s.prune_generations()
        return s


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes = b""


def respond(gen: str, name: str, if_none_match: str | None = None, base: Path | None = None) -> Reply:
    """The HTTP answer for ``GET <prefix>/artefacts/<gen>/<name>``.

    Only names of the artefact form inside a generation folder are served: anything else (a
    path, ``..``, an unknown extension) is a 400, a well-formed name that is not there a 404,
    and a file whose content no longer matches its name (damaged on disk) a 404 too, so the
    page says it cannot load it rather than drawing damaged data. ``If-None-Match`` with the
    file's ETag gives a 304.
    """
    if not GENERATION.match(gen or "") or not NAME.match(name or ""):
        return Reply(400, {"Content-Type": "text/plain; charset=utf-8"}, b"Bad Request")
    folder = (base or root()) / gen
    p = folder / name
    try:
        body = p.read_bytes()
    except OSError:
        return Reply(404, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}, b"Not Found")
    digest = name.rsplit(".", 2)[1]
    if hashlib.sha256(body).hexdigest()[:16] != digest:
        return Reply(404, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}, b"Damaged artefact")
    etag = f'"{digest}"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE, "Access-Control-Allow-Origin": "*",
               "X-Content-Type-Options": "nosniff", "Content-Type": MEDIA_TYPES[name.rsplit(".", 1)[1]]}
    if if_none_match and etag in [t.strip().removeprefix("W/") for t in if_none_match.split(",")]:
        return Reply(304, {k: v for k, v in headers.items() if k != "Content-Type"})
    return Reply(200, headers, body)
