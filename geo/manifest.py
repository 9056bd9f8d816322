"""``data/manifest.json``: every derived file with its checksum, sources and build step."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geo import paths
from geo.errors import DataFileError
from geo.raw import sha256_file


def load(data_dir: Path | None = None) -> dict:
    """The manifest as a dict; raises :class:`DataFileError` naming the file if unusable."""
    path = Path(data_dir or paths.data_dir()) / paths.MANIFEST
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError as e:
        raise DataFileError(f"{path} is missing: run `make data`") from e
    except (OSError, ValueError) as e:
        raise DataFileError(f"{path} cannot be read: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict):
        raise DataFileError(f"{path} has no 'files' table")
    return doc


@dataclass(frozen=True)
class FileStatus:
    path: str
    ok: bool
    problem: str = ""


def check_file(relpath: str, entry: dict, data_dir: Path | None = None) -> FileStatus:
    """Compare one data file with its manifest entry."""
    full = Path(data_dir or paths.data_dir()) / relpath
    if not full.exists():
        return FileStatus(relpath, False, f"data file {relpath} is missing")
    got = sha256_file(full)
    if got != entry.get("sha256"):
        return FileStatus(relpath, False, f"data file {relpath} is corrupt or changed (sha256 {got[:12]}…, manifest says {str(entry.get('sha256'))[:12]}…)")
    return FileStatus(relpath, True)


def verify(data_dir: Path | None = None) -> dict[str, FileStatus]:
    """Check every file the manifest lists. Returns ``{relpath: FileStatus}``."""
    doc = load(data_dir)
    return {rel: check_file(rel, entry, data_dir) for rel, entry in sorted(doc["files"].items())}


def files(data_dir: Path | None = None) -> dict:
    """The manifest's file table, read once per version of the manifest (shared: read-only)."""
    path = Path(data_dir or paths.data_dir()) / paths.MANIFEST
    try:
        st = path.stat()
    except OSError:
        return load(data_dir)["files"]  # raises, naming the file
    return _files(str(path), st.st_mtime_ns, st.st_size)


def entry(relpath: str, data_dir: Path | None = None) -> dict:
    """The manifest entry of ``relpath`` (a copy: change it freely)."""
    table = files(data_dir)
    try:
        return copy.deepcopy(table[relpath])
    except KeyError as e:
        raise DataFileError(f"{relpath} is not listed in {paths.MANIFEST}") from e


@lru_cache(maxsize=4)
def _files(path: str, _mtime_ns: int, _size: int) -> dict:
    """The manifest's file table, read once per version of the file (the key changes with it)."""
    return load(Path(path).parent)["files"]
