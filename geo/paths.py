"""Where things live. Everything is relative to the project root, never ``../shared``."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Downloaded raw inputs (ignored by git).
CACHE_DIR = Path(os.environ.get("ATLAS_CACHE_DIR", ROOT / ".cache" / "raw"))
#: Copies of researched tables and the resolution text from ../shared, with provenance; committed.
SOURCES_DIR = ROOT / "data" / "sources"

MANIFEST = "manifest.json"


def data_dir() -> Path:
    """Derived files the app reads (committed): ``data/``, or ``ATLAS_DATA_DIR`` (re-read on every
    call, so tests can point it at a poisoned or damaged copy)."""
    return Path(os.environ.get("ATLAS_DATA_DIR", ROOT / "data"))
