"""geo.compare: the comparison table, member indicators, the CSV and the small maps at one scale,
checked against the data files read independently (json / csv modules, not geo.data)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from geo import catalog, compare, layers, paths, snapshot
from geo.errors import DataFileError

DATA = paths.ROOT / "data"


def _ranges() -> dict[str, dict]:
    feats = json.loads((DATA / "vector/ranges.geojson").read_text(encoding="utf-8"))["features"]
    return {f["properties"]["id"]: f["properties"] for f in feats}


def _csv(rel: str) -> list[dict]:
    with open(DATA / rel, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def test_table_has_one_column_per_range_with_computed_areas_by_class():
    tbl = compare.comparison_table("en")
    names = [catalog.view(r).title("en") for r in catalog.RANGE_VIEWS]
    assert list(tbl.columns) == ["Compared", *names]
    rows = dict(zip(tbl["Compared"], range(len(tbl))))
    props = _ranges()
    for r, name in zip(catalog.RANGE_VIEWS, names):
        total = tbl.loc[rows["Mountain area in the range, computed here (km²)"], name]
        assert _int(total) == round(props[r]["mountain_km2"])
        by_class = [tbl.loc[i, name] for label, i in rows.items() if label.startswith("Class ")]
        assert by_class == [layers.fmt_number(props[r][f"class{k}_km2"]) for k in compare.CLASSES]
        assert abs(sum(props[r][f"class{k}_km2"] for k in compare.CLASSES) - props[r]["mountain_km2"]) < 1  # the file is consistent


def test_members_and_published_figures_come_from_their_files():
    tbl = compare.comparison_table("en")
    rows = dict(zip(tbl["Compared"], range(len(tbl))))
    members = _csv("tables/regional_members.csv")
    regions = _csv("stats/regions.csv")
    for r in catalog.RANGE_VIEWS:
        name, body = catalog.view(r).title("en"), catalog.view(r).body_id
        mine = [m["member_name"] for m in members if m["body_id"] == body]
        states = [m for m in members if m["body_id"] == body and m["iso3"]]
        count = tbl.loc[rows["Members (number)"], name]  # "8 states + European Union": the same words as the range page
        assert mine and count.startswith(f"{len(states)} states") and (count.endswith("states") or len(states) < len(mine))
        assert tbl.loc[rows["Members"], name] == ", ".join(mine)
        published = tbl.loc[rows["Published area figures (km², as published)"], name]
        for row in (x for x in regions if x["id"] == body):
            text = row["published_area_km2"]
            assert (f"{int(text):,}" if text.isdigit() else text) in published
    assert "190,959" in tbl.loc[rows["Published area figures (km², as published)"], "The Alps"]


def test_chinese_table_names_ranges_and_members_in_chinese():
    tbl = compare.comparison_table("zh")
    assert list(tbl.columns)[1:] == [catalog.view(r).title("zh") for r in catalog.RANGE_VIEWS]
    members = tbl.loc[tbl["比较项"] == "成员", "阿尔卑斯山脉"].iloc[0]
    assert "奥地利" in members and "Austria" not in members
    assert "European Union" in members  # no ISO code, no Chinese name in the countries file: kept as listed


def _latest(code: str) -> dict[str, tuple[float, int]]:
    out: dict[str, tuple[float, int]] = {}
    for row in _csv(f"sdg/{code}.csv"):
        y = int(row["year"])
        if row["value"] and (row["iso3"] not in out or y > out[row["iso3"]][1]):
            out[row["iso3"]] = (float(row["value"]), y)
    return out


def test_member_indicators_are_the_latest_year_each_and_no_data_otherwise():
    df = compare.member_indicators("en")
    members = _csv("tables/regional_members.csv")
    assert len(df) == len(members)
    col = catalog.layer("sdg_AG_LND_FRST").title("en")
    latest = _latest("AG_LND_FRST")
    seen_value = seen_none = False
    for (_, row), m in zip(df.iterrows(), members):
        assert row["Member"] == m["member_name"]
        if m["iso3"] in latest:
            v, y = latest[m["iso3"]]
            shown = float(row[col].split(" ")[0].replace(",", ""))
            assert shown == pytest.approx(v, abs=0.051) and row[col].endswith(f"({y})"), (row[col], v, y)
            seen_value = True
        else:
            assert row[col] == "No data"
            seen_none = True
    assert seen_value and seen_none
    eu = df[df["Member"] == "European Union"].iloc[0]
    assert all(eu[catalog.layer(x).title("en")] == "No data" for x in compare.SHOWN_SDG)


def test_csv_has_sources_and_licence_on_every_row():
    raw = compare.csv_bytes("en")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows and all(r["source"].strip() and r["licence"].strip() for r in rows)
    assert {r["range"] for r in rows} == set(catalog.RANGE_VIEWS)
    members = _csv("tables/regional_members.csv")
    sdg = [r for r in rows if r["section"] == "sdg"]
    assert len(sdg) == len(members) * len(compare.ALL_SDG)
    member_rows = [r for r in rows if r["section"] == "member"]
    assert [(r["item"], r["source"]) for r in member_rows] == [(m["member_name"], m["source"]) for m in members]
    published = [r for r in rows if r["section"] == "published_area"]
    assert [r["source"] for r in published] == [r["published_source"] for r in _csv("stats/regions.csv")]
    assert any(r["value"] == "no data" for r in sdg) and any(r["year"] for r in sdg)


def test_formula_cells_are_neutralised():
    assert compare._safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert compare._safe_cell("-3") == "'-3" and compare._safe_cell("Austria") == "Austria" and compare._safe_cell(3.5) == 3.5


def test_all_four_frames_hold_their_range_at_one_scale():
    half = compare.frame_km() * 1000 / 2
    for r in catalog.RANGE_VIEWS:
        minx, miny, maxx, maxy = compare.projected_range(r).total_bounds
        assert -half < minx and maxx < half and -half < miny and maxy < half, r
    assert compare.km_per_px() == pytest.approx(compare.frame_km() / compare.MAP_PX)


def test_small_maps_are_one_size_and_their_dark_areas_scale_with_mountain_area():
    """Same pixel size and the same ground size per pixel: the range's dark pixels are in
    proportion to its mountain area (equal-area projection), within simplification's error."""
    props = _ranges()
    dark = {}
    for r in catalog.RANGE_VIEWS:
        img = Image.open(io.BytesIO(snapshot.compare_map_png(r))).convert("RGB")
        assert img.size == (compare.MAP_PX * compare.MAP_SCALE,) * 2
        a = np.asarray(img).astype(int)
        dark[r] = int((np.abs(a - np.array([0x3D, 0x2B, 0x1F])).sum(axis=2) < 30).sum())
        assert dark[r] > 0, r
    px_km2 = (compare.km_per_px() / compare.MAP_SCALE) ** 2
    for r in catalog.RANGE_VIEWS:  # outlines and simplification at 11 km per pixel: within a quarter
        assert dark[r] * px_km2 == pytest.approx(props[r]["mountain_km2"], rel=0.25), r


def test_a_missing_file_is_named(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("sources", "terrain"))
    (root / "tables/regional_members.csv").unlink()
    monkeypatch.setenv("ATLAS_DATA_DIR", str(root))
    try:
        with pytest.raises(DataFileError, match="tables/regional_members.csv"):
            compare.comparison_table("en")
        with pytest.raises(DataFileError, match="tables/regional_members.csv"):
            compare.csv_bytes("en")
    finally:
        monkeypatch.delenv("ATLAS_DATA_DIR")
    assert Path(paths.data_dir()) == DATA
