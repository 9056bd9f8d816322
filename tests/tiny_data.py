"""A tiny, fully known data folder for tests of the layer preparation and maps.

Three square "countries": AAA (value 0), BBB (value 50), CCC (no value), plus a name with
markup to prove escaping. Written with a valid manifest so geo.data accepts it.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.raw import sha256_file

EVIL = '<img src=x onerror="alert(1)">'


def make(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "vector").mkdir(exist_ok=True)
    (root / "stats").mkdir(exist_ok=True)
    (root / "sdg").mkdir(exist_ok=True)
    (root / "tables").mkdir(exist_ok=True)
    g = gpd.GeoDataFrame(
        {
            "iso3": ["AAA", "BBB", "CCC"],
            "name_en": ["Aland", "Bland " + EVIL, "Cland"],
            "name_zh": ["甲国", "乙国", "丙国"],
            "iso_status": ["test"] * 3,
        },
        geometry=[shapely.box(0, 40, 5, 45), shapely.box(5, 40, 10, 45), shapely.box(10, 40, 15, 45)],
        crs="EPSG:4326",
    )
    g.to_file(root / "vector/countries.geojson", driver="GeoJSON")
    pd.DataFrame(
        {
            "iso3": ["AAA", "BBB", "CCC"],
            "name": ["Aland", "Bland", "Cland"],
            "land_km2": [1000.0, 1000.0, 1000.0],
            "mountain_km2": [0.0, 500.0, 100.0],
            "mountain_share_pct": [0.0, 50.0, 10.0],
            **{f"class{k}_km2": [0.0, 50.0, 10.0] for k in range(1, 7)},
        }
    ).to_csv(root / "stats/country_mountain_area.csv", index=False)
    pd.DataFrame({"iso3": ["AAA", "BBB", "BBB"], "name": ["Aland", "Bland", "Bland"], "year": [2015, 2015, 2020],
                  "value": [0.0, 40.0, 50.0]}).to_csv(root / "sdg/AG_LND_FRST.csv", index=False)
    (root / "sdg/series.json").write_text(json.dumps({"AG_LND_FRST": {"code": "AG_LND_FRST"}}))
    pd.DataFrame({"name": ["Bland", "Cland"], "iso3": ["BBB", "CCC"], "category": ["government", "government"],
                  "as_of": ["2020", "2020"], "certainty": ["listed", "UNSURE - cut"], "source": ["test", "test"]}
                 ).to_csv(root / "tables/partnership_members.csv", index=False)
    (root / "tables/partnership_meta.json").write_text(json.dumps({"statement_en": "2 of 3 listed", "statement_zh": "列出3个中的2个"}))
    write_manifest(root)
    return root


def write_manifest(root: Path) -> None:
    files = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != "manifest.json":
            rel = p.relative_to(root).as_posix()
            files[rel] = {"sha256": sha256_file(p), "description": "test", "sources": [{"name": "test", "licence": "none"}], "step": "test"}
    (root / "manifest.json").write_text(json.dumps({"files": files}))
