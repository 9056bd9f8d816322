"""Snapshots (PNG/SVG/PDF), data downloads and static HTML exports."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import pytest

from geo import exports, export, mapping, snapshot
from geo.errors import ParamError
from geo.state import ViewState

ALPS = ViewState.default("alps")


@pytest.fixture(scope="module")
def svg_en():
    return snapshot.render(ALPS, "svg", url="https://example.org/alps", today="2026-01-02").decode("utf-8")


def test_png_decodes_at_twice_the_page_size():
    from PIL import Image

    png = snapshot.render(ALPS, "png")
    im = Image.open(io.BytesIO(png))
    assert im.format == "PNG"
    assert im.size == (int(snapshot.PAGE_IN[0] * snapshot.PNG_DPI), int(snapshot.PAGE_IN[1] * snapshot.PNG_DPI))
    # the map is not blank: many distinct colours in the map area
    assert len(set(im.convert("RGB").crop((100, 400, 1500, 1300)).get_flattened_data())) > 50


def test_svg_holds_legend_source_paragraphs_date_and_url(svg_en):
    root = ET.fromstring(svg_en)
    text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "Mountain classes (UNEP-WCMC / Kapos)" in text
    assert "Source:" in text and "Licence:" in text
    assert "OP28" in text
    assert "2026-01-02" in text and "https://example.org/alps" in text
    assert re.search(r"\d+ km", text)  # the scale bar's label


def test_pdf_has_a_page():
    pdf = snapshot.render(ALPS, "pdf")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 1


def test_chinese_snapshot_has_real_glyphs():
    zh = ALPS.with_(lang="zh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = snapshot.render(zh, "svg").decode("utf-8")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)]
    assert not missing, missing[:3]
    assert "阿尔卑斯山脉" in svg and "山区等级" in svg
    assert "Noto Sans CJK SC" in svg  # the CJK font is the one named for the text


@pytest.mark.parametrize("lat,expect_km_per_cm", [(0.0, 1.0), (60.0, 0.5)])
def test_scale_bar_uses_the_mercator_scale_factor(lat, expect_km_per_cm):
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x0, y = tr.transform(0, lat)
    x1, _ = tr.transform(10, lat)
    km, proj = snapshot.scale_bar((x0, y - 1000, x1, y + 1000), fraction=0.2)
    ground_width_km = 10 * 111.32 * (1.0 if lat == 0 else 0.5)
    assert km <= ground_width_km * 0.2
    assert proj / 1000 == pytest.approx(km / (1.0 if lat == 0 else 0.5), rel=1e-3)


def test_nice_lengths():
    assert [snapshot.nice_length(x) for x in (7, 23, 180, 999)] == [5, 20, 100, 500]


def test_cli_rejects_bad_values_in_one_line(tmp_path):
    for args in (["--view", "mars", "--format", "png"], ["--view", "alps", "--format", "gif"], ["--view", "alps", "--format", "png", "--layer", "nope"],
                 ["--view", "alps", "--format", "png", "--lang", "fr"]):
        r = subprocess.run([sys.executable, "-m", "geo.snapshot", *args, "--out", str(tmp_path / "x")], capture_output=True, text=True)
        assert r.returncode != 0
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and "valid:" in lines[0], r.stderr
    assert not (tmp_path / "x").exists()


def test_state_from_args_checks_allow_lists():
    with pytest.raises(ParamError, match="valid: world, alps"):
        snapshot.state_from_args("moon", None, None, None, "en")
    s = snapshot.state_from_args("world", ["hillshade"], "sdg_AG_LND_FRST", 2015, "zh")
    assert s.layers == ("hillshade",) and s.indicator == "sdg_AG_LND_FRST" and s.year == 2015 and s.lang == "zh"


def test_csv_download_has_sources_on_every_row():
    import pandas as pd

    prepared = mapping.prepare_state(ViewState.default("world").with_(indicator="mountain_share"))
    df = pd.read_csv(io.BytesIO(exports.table_csv(prepared)), encoding="utf-8-sig")
    assert {"layer", "source", "licence"} <= set(df.columns)
    assert df["source"].notna().all() and (df["layer"] == "mountain_share").any()


def test_geojson_download_has_metadata_and_values():
    state = ViewState.default("world").with_(indicator="mountain_share")
    doc = json.loads(exports.layer_geojson(state, mapping.prepare_state(state), "https://example.org/"))
    assert doc["metadata"]["citation"] and doc["metadata"]["sources"] and doc["metadata"]["url"] == "https://example.org/"
    che = next(f for f in doc["features"] if f["properties"].get("iso3") == "CHE" and f["properties"]["layer"] == "mountain_share")
    assert che["properties"]["value"] > 60
    assert "fill" not in che["properties"]


def test_static_export_is_self_contained(tmp_path):
    written = export.export_view(ALPS, tmp_path, with_png=False)
    html = (tmp_path / "alps.html").read_text(encoding="utf-8")
    assets = re.findall(r'<(?:script|link|img|iframe)\b[^>]*?(?:src|href)=["\']([^"\']+)', html) + re.findall(r"url\((?!data:)([^)]+)\)", html)
    assert not [u for u in assets if re.match(r"[\"']?(https?:)?//", u)], assets
    assert "L.map(" in html and any(p.suffix == ".geojson" for p in written)


def test_export_cli_rejects_unknown_view(tmp_path):
    r = subprocess.run([sys.executable, "-m", "geo.export", "--view", "moon", "--out", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode != 0 and "valid:" in r.stderr and len(r.stderr.strip().splitlines()) == 1
