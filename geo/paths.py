"""Where things live. Everything is relative to the project root, never ``../shared``."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Derived files the app reads; committed. Overridable for tests (poisoned copies, faults).
DATA_DIR = Path(os.environ.get("ATLAS_DATA_DIR", ROOT / "data"))
#: Downloaded raw inputs (ignored by git).
CACHE_DIR = Path(os.environ.get("ATLAS_CACHE_DIR", ROOT / ".cache" / "raw"))
#: Copies of researched tables and the resolution text from ../shared, with provenance; committed.
SOURCES_DIR = ROOT / "data" / "sources"

MANIFEST = "manifest.json"


def data_dir() -> Path:
    """The data directory in force (re-read so tests can point it elsewhere)."""
    return Path(os.environ.get("ATLAS_DATA_DIR", ROOT / "data"))
