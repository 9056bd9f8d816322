"""Snapshots (PNG, SVG, PDF): same layers as the live map, legend, units, scale bar, sources,
paragraphs, date, URL, Chinese glyphs, poisoned labels and the command line."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import pytest

from geo import snapshot
from geo.errors import ParamError
from geo.state import ViewState
from tests.conftest import run_cli

ALPS = ViewState.default("alps")
URL = "https://atlas.example.org/alps"
DAY = "2026-01-02"
CJK = re.compile(r"[\u4e00-\u9fff]")


def svg_text(svg: str) -> str:
    root = ET.fromstring(svg)
    lines = ("".join(el.itertext()) for el in root.iter() if el.tag.endswith("}text") or el.tag == "text")
    return re.sub(r"\s+", " ", " ".join(lines))  # wrapped lines are separate <text> elements


@pytest.fixture(scope="module")
def svg_en() -> str:
    return snapshot.render(ALPS, "svg", url=URL, today=DAY).decode("utf-8")


def test_png_decodes_at_twice_the_screen_size_and_shows_a_map():
    from PIL import Image

    im = Image.open(io.BytesIO(snapshot.render(ALPS, "png")))
    assert im.format == "PNG"
    assert im.size == snapshot.PNG_SIZE == (round(11.69 * 300), round(8.27 * 300))
    rgb = im.convert("RGB")
    w, h = im.size
    map_area = rgb.crop((int(w * 0.06), int(h * 0.2), int(w * 0.6), int(h * 0.7))).reduce(4)
    assert len(set(map_area.get_flattened_data())) > 200  # hillshade, classes, borders: not a blank box
    dpi = im.info.get("dpi")
    assert dpi and round(dpi[0]) == 300


def test_svg_holds_legend_unit_sources_paragraphs_date_and_url_as_text(svg_en):
    text = svg_text(svg_en)
    assert "Mountain classes (UNEP-WCMC / Kapos)" in text  # a legend title
    assert "Approximate area (not the legal perimeter)" in text  # a legend item
    assert "Source: pvlib python" in text and "Licence:" in text
    assert "OP28" in text and "OP37" in text  # cited paragraphs
    assert DAY in text and URL in text
    assert "Merano 2003" in text  # places are named on a printed map
    assert re.search(r"\b\d+ km\b", text)
    assert "The Alps" in text


def test_svg_legend_shows_the_indicator_unit_and_hatched_no_data():
    state = ViewState.default("world").with_(indicator="sdg_AG_LND_FRST", layers=("hillshade",))
    svg = snapshot.render(state, "svg", url=URL, today=DAY).decode("utf-8")
    text = svg_text(svg)
    assert "Forest area" in text and "% of land area" in text and "No data" in text
    assert "(Latest available)" in text  # title says which year
    assert "<pattern" in svg or "hatch" in svg  # no-data fills and swatch are hatched


def test_pdf_starts_right_and_has_one_page():
    pdf = snapshot.render(ALPS, "pdf")
    assert pdf.startswith(b"%PDF-")
    try:
        from pypdf import PdfReader

        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    except ImportError:
        assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def _glyph_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(w.message) for w in caught if re.search(r"Glyph .* missing|missing from font", str(w.message))]


def test_the_missing_glyph_detector_works():
    from matplotlib.figure import Figure

    def draw():
        fig = Figure()
        fig.text(0.1, 0.5, "山区", family="DejaVu Sans")
        fig.savefig(io.BytesIO(), format="png")

    _, missing = _glyph_warnings(draw)
    assert missing  # DejaVu has no CJK: the check below would notice tofu


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_chinese_snapshot_draws_real_glyphs(fmt):
    assert snapshot.cjk_font_path().lower().endswith((".ttc", ".otf", ".ttf"))
    zh = ALPS.with_(lang="zh")
    out, missing = _glyph_warnings(lambda: snapshot.render(zh, fmt))
    assert not missing, missing[:3]
    if fmt == "svg":
        svg = out.decode("utf-8")
        text = svg_text(svg)
        assert "阿尔卑斯山脉" in text and "山区等级" in text and "来源" in text
        assert len(CJK.findall(text)) > 100
        assert "Noto Sans CJK SC" in svg  # the font the text asks for
    if fmt == "pdf":
        assert b"NotoSansCJK" in out  # the CJK font is embedded


def test_zh_png_differs_from_en_in_the_text_areas():
    from PIL import Image, ImageChops

    en = Image.open(io.BytesIO(snapshot.render(ALPS, "png", url=URL, today=DAY))).convert("L")
    zh = Image.open(io.BytesIO(snapshot.render(ALPS.with_(lang="zh"), "png", url=URL, today=DAY))).convert("L")
    title_box = (0, 0, en.size[0], int(en.size[1] * 0.12))
    assert ImageChops.difference(en.crop(title_box), zh.crop(title_box)).getbbox() is not None


@pytest.mark.parametrize("lat", [0.0, 46.0, 60.0])
def test_scale_bar_is_true_length_at_the_centre_latitude(lat):
    from pyproj import Geod, Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    x0, y = tr.transform(0, lat)
    x1, _ = tr.transform(20, lat)
    km, projected_m = snapshot.scale_bar((x0, y - 5000, x1, y + 5000), fraction=0.2)
    # the bar's two ends at the centre latitude, back to lon/lat, measured on the WGS84 ellipsoid
    inv = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    lon_a, lat_a = inv.transform(x0, y)
    lon_b, lat_b = inv.transform(x0 + projected_m, y)
    ground_km = Geod(ellps="WGS84").inv(lon_a, lat_a, lon_b, lat_b)[2] / 1000
    assert ground_km == pytest.approx(km, rel=0.01)  # sphere vs ellipsoid: well under 1 %
    width_km = 20 * 111.2 * __import__("math").cos(__import__("math").radians(lat))
    assert 0.08 * width_km <= km <= 0.2 * width_km + 1e-9


def test_scale_bar_label_in_the_svg_matches_the_computation(svg_en):
    km, _ = snapshot.scale_bar(snapshot._bounds_3857("alps"))
    assert f"{km:g} km" in svg_text(svg_en)
    assert "46°N" in svg_text(svg_en)


def test_nice_lengths():
    assert [snapshot.nice_length(x) for x in (7, 23, 180, 999, 0)] == [5, 20, 100, 500, 0]


def test_wrap_breaks_latin_at_spaces_and_cjk_anywhere():
    lines = snapshot.wrap("alpha beta gamma delta " * 20, 2.0, 8)
    assert len(lines) > 3 and all(not ln.startswith(" ") for ln in lines)
    assert "".join(snapshot.wrap("山" * 200, 2.0, 8)) == "山" * 200


def test_poisoned_labels_are_literal_text_in_svg(poisoned):
    svg = snapshot.render(ALPS, "svg", url=URL, today=DAY).decode("utf-8")
    root = ET.fromstring(svg)  # still well-formed XML
    assert not [el for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "script"]
    text = svg_text(svg)
    assert poisoned.PLACE in text  # the place label, as literal characters
    assert poisoned.TITLE in text  # the paragraph title in the footer
    assert not [x for x in poisoned.ALL if x in svg]  # every payload escaped in the SVG source


def test_state_from_args_checks_allow_lists():
    with pytest.raises(ParamError, match="valid: world, alps"):
        snapshot.state_from_args("moon", None, None, None, "en")
    with pytest.raises(ParamError, match="valid years: "):
        snapshot.state_from_args("world", None, "sdg_AG_LND_FRST", 1901, "en")
    s = snapshot.state_from_args("world", ["hillshade"], "sdg_AG_LND_FRST", 2015, "zh")
    assert s.layers == ("hillshade",) and s.indicator == "sdg_AG_LND_FRST" and s.year == 2015 and s.lang == "zh"


@pytest.mark.parametrize("args", [
    ["--view", "mars", "--format", "png"],
    ["--view", "alps", "--format", "gif"],
    ["--view", "alps", "--format", "png", "--layer", "nope"],
    ["--view", "alps", "--format", "png", "--lang", "fr"],
    ["--view", "alps", "--format", "png", "--year", "abc"],
])
def test_cli_rejects_bad_values_in_one_line(tmp_path, capsys, args):
    code, _, err = run_cli(snapshot.main, [*args, "--out", str(tmp_path / "x")], capsys)
    assert code != 0
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    if "--year" not in args:
        assert "valid:" in lines[0]
    assert not (tmp_path / "x").exists()


def test_cli_writes_a_pdf(tmp_path):
    """The geo.snapshot subprocess smoke run: python -m, as a user runs it."""
    out = tmp_path / "c.pdf"
    r = subprocess.run([sys.executable, "-m", "geo.snapshot", "--view", "carpathians", "--format", "pdf", "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF")
