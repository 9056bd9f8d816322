"""Static HTML export: self-contained (no external asset), escaped data, data files and PNG
beside the page, index for several views, one-line CLI errors."""

from __future__ import annotations

import json
import re

import pytest

from geo import layers, static_site
from geo.state import ViewState
from tests.conftest import run_cli

EXTERNAL = re.compile(r"^\s*[\"']?\s*(https?:)?//", re.I)


def external_refs(html: str) -> list[str]:
    """Every src=, href= and url(...) value that points off the page's own folder."""
    refs = re.findall(r"""\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?([^"'\s>]+)""", html, flags=re.I)
    refs += re.findall(r"url\(\s*([^)]*)\)", html, flags=re.I)
    refs += re.findall(r"@import\s+[\"']([^\"']+)", html, flags=re.I)
    return [u for u in refs if EXTERNAL.match(u)]


@pytest.fixture(scope="module")
def alps_export(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    written = static_site.export_view(ViewState.default("alps"), out, url="https://atlas.example.org/alps", today="2026-01-02")
    return out, written


def test_export_is_self_contained(alps_export):
    out, written = alps_export
    html = (out / "alps.html").read_text(encoding="utf-8")
    assert not external_refs(html), external_refs(html)[:5]
    assert "L.map(" in html and "data:image/" in html  # Leaflet inline, rasters as data URLs
    assert "<script src=" not in html and '<link rel="stylesheet" href=' not in html


def test_export_writes_data_and_snapshot_beside_the_page(alps_export):
    from PIL import Image

    out, written = alps_export
    names = sorted(p.name for p in written)
    stem = "mountain-atlas_alps_map_latest_en"
    assert names == sorted(["alps.html", f"{stem}.csv", f"{stem}.geojson", f"{stem}.png"])
    assert Image.open(out / f"{stem}.png").size[0] > 3000
    assert json.loads((out / f"{stem}.geojson").read_text(encoding="utf-8"))["metadata"]["url"] == "https://atlas.example.org/alps"
    html = (out / "alps.html").read_text(encoding="utf-8")
    assert f'href="{stem}.csv"' in html and f'href="{stem}.geojson"' in html
    assert "https://atlas.example.org/alps" in html and 'href="https://atlas' not in html  # citation text only
    assert "OP28" in html and "Source:" in html and '<html lang="en">' in html


def test_poisoned_labels_are_escaped_in_the_html(poisoned, tmp_path):
    static_site.export_view(ViewState.default("alps"), tmp_path, with_png=False)
    html = (tmp_path / "alps.html").read_text(encoding="utf-8")
    # tooltips sit in JSON inside a script, with <, > and & as \u escapes; decode them so the
    # check sees the HTML that Leaflet will put into the page
    shown = re.sub(r"\\u00(3c|3e|26|27|22)", lambda m: chr(int(m.group(1), 16)), html, flags=re.I)
    for text in (html, shown):
        assert "<script>alert(1)" not in text and "alert(1)</script>" not in text
        assert "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # the Swiss member-state tooltip
    assert layers.esc(poisoned.PLACE) in shown  # Merano's tooltip (every place has the hostile name)
    assert "<script>alert(3)" not in html and "&lt;/text&gt;&lt;script&gt;alert(3)" in html  # OP28's title
    assert not external_refs(html)


def test_export_all_writes_an_index(exported_site):
    index = (exported_site / "index.html").read_text(encoding="utf-8")
    for v in ("world", "alps", "carpathians", "hindu-kush-himalaya", "andes", "partnership"):
        assert (exported_site / f"{v}.html").exists() and f'href="{v}.html"' in index
    assert "阿尔卑斯山脉" in index and not external_refs(index)


@pytest.mark.parametrize("args", [
    ["--view", "moon"],
    ["--view", "alps", "--lang", "fr"],
    ["--view", "alps", "--layer", "nope"],
    ["--view", "all", "--layer", "hillshade"],
    ["--view", "alps", "--indicator", "gdp"],
])
def test_export_cli_rejects_bad_input_in_one_line(tmp_path, capsys, args):
    code, _, err = run_cli(static_site.main, [*args, "--out", str(tmp_path / "o")], capsys)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert code != 0 and len(lines) == 1 and "valid" in lines[0] and "Traceback" not in err, err
    assert not (tmp_path / "o").exists()
