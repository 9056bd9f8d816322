"""The package's layers (docs/ARCHITECTURE.md): only the UI modules (ui, serving) import Streamlit, only the
map renderer imports folium, and the core imports no renderer. Read from each module's source
(every import statement, at the top or inside a function), so a late import counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parent.parent / "geo"
UI = {"ui", "serving"}  # the modules that face Streamlit: the pages, and serving its files
RENDERERS = {"mapping", "snapshot", "downloads"}
COMMANDS = {"static_site"}  # a command line over the renderers
MODULES = sorted(p.stem for p in GEO.glob("*.py") if p.stem != "__init__")


def imported(module: str) -> set[str]:
    """Top-level names of everything ``geo/<module>.py`` imports (``geo.x`` as ``geo.x``)."""
    out = set()
    for node in ast.walk(ast.parse((GEO / f"{module}.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + ([f"geo.{a.name}" for a in node.names] if node.module == "geo" else [])
        else:
            continue
        for n in names:
            out.add(".".join(n.split(".")[:2]) if n.startswith("geo.") else n.split(".")[0])
    return out


@pytest.mark.parametrize("module", MODULES)
def test_each_module_keeps_to_its_layer(module):
    names = imported(module)
    if module not in UI:
        assert "streamlit" not in names, f"geo/{module}.py imports Streamlit: only geo/ui.py and geo/serving.py may"
    if module != "mapping":
        assert not {"folium", "branca"} & names, f"geo/{module}.py imports folium: only geo/mapping.py may"
    if module in RENDERERS:
        others = {f"geo.{r}" for r in RENDERERS - {module}} | {f"geo.{u}" for u in UI | COMMANDS}
        assert not others & names, f"geo/{module}.py (a renderer) imports another renderer, a command or the UI"
    elif module not in UI | COMMANDS:
        assert not {f"geo.{r}" for r in RENDERERS | UI | COMMANDS} & names, \
            f"geo/{module}.py (core or build) imports a renderer, a command or the UI"


def test_the_rule_reads_late_imports():
    assert "geo.snapshot" in imported("ui")  # imported inside download_row, not at the top
