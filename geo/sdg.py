"""SDG indicator series from the Open SDG extracts in ``data/sources/sdg/``.

Each file is checked against the series code it should hold, reduced to country totals
(the disaggregation that means "the whole country", per series below), joined to ISO alpha-3
codes by name (pycountry plus an explicit alias table) and written as ``sdg/<SERIES>.csv``
with ``iso3,name,year,value``. Any name that cannot be matched stops the build and is listed.
Rows repeated verbatim in a file (the disaster series appear once per SDG indicator that
shares them) are kept once; two different values for one country and year stop the build.
"""

from __future__ import annotations

import io
import json

import pandas as pd

from geo import catalog
from geo.errors import BuildError

#: file -> (series code, {column: value that selects the country total})
FILES: dict[str, tuple[str, dict[str, str]]] = {
    "indicator_15-4-2-ER_MTN_GRNCVI.csv": ("ER_MTN_GRNCVI", {"Bioclimatic belt": "TOTAL", "Land cover": "MGCI"}),
    "indicator_15-4-2-ER_MTN_GRNCOV.csv": ("ER_MTN_GRNCOV", {"Bioclimatic belt": "TOTAL", "Land cover": "MGCI"}),
    "indicator_15-4-2-ER_MTN_DGRDP.csv": ("ER_MTN_DGRDP", {"Bioclimatic belt": "TOTAL"}),
    "indicator_15-4-2-ER_MTN_DGRDA.csv": ("ER_MTN_DGRDA", {"Bioclimatic belt": "TOTAL"}),
    "indicator_15-4-1.csv": ("ER_PTD_MTN", {"Age": "", "Freq": "", "Location": "", "Sex": ""}),
    "indicator_15-1-2-ER_PTD_TERR.csv": ("ER_PTD_TERR", {"Age": "", "Freq": "", "Location": "", "Sex": ""}),
    "indicator_15-1-1.csv": ("AG_LND_FRST", {}),
    "indicator_15-5-1.csv": ("ER_RSK_LST", {"Age": "", "Freq": "", "Location": "", "Sex": ""}),
    "indicator_1-5-1-VC_DSR_MORT.csv": ("VC_DSR_MORT", {}),
    "indicator_1-5-1-VC_DSR_MISS.csv": ("VC_DSR_MISS", {}),
    "indicator_1-5-1-VC_DSR_AFFCT.csv": ("VC_DSR_AFFCT", {}),
}

#: UN M49 English names that pycountry's lookup does not resolve.
ALIASES = {
    "Netherlands (Kingdom of the)": "NLD",
    "Republic of Korea": "KOR",
    "Türkiye": "TUR",
    "Republic of Moldova": "MDA",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "Bolivia (Plurinational State of)": "BOL",
    "Iran (Islamic Republic of)": "IRN",
    "Venezuela (Bolivarian Republic of)": "VEN",
}

SOURCE = "Open SDG data repository central-asia-sdg-platform/data, folder data/, commit cf1b5e44 (data update 2024-03-18); producer: UN SDG Global Database"


def iso3_of(name: str) -> str | None:
    from geo.countries import iso3_lookup

    return iso3_lookup(name, ALIASES)


def country_totals(df: pd.DataFrame, code: str, select: dict[str, str], fname: str) -> pd.DataFrame:
    """Rows of the country total of one series, as ``iso3,name,year,value``."""
    codes = set(df["SeriesCode"])
    if codes != {code}:
        raise BuildError(f"{fname}: expected series {code}, found {sorted(codes)}")
    for col, val in select.items():
        if col not in df.columns:
            raise BuildError(f"{fname}: no column {col!r}")
        df = df[df[col] == val]
    df = df.drop_duplicates()
    unmatched = sorted({n for n in df["GeoAreaName"] if iso3_of(n) is None})
    if unmatched:
        raise BuildError(f"{fname}: country names not matched to ISO codes: {unmatched}")
    out = pd.DataFrame({"iso3": [iso3_of(n) for n in df["GeoAreaName"]], "name": df["GeoAreaName"].to_numpy(),
                        "year": df["Year"].astype(int).to_numpy(), "value": pd.to_numeric(df["Value"], errors="raise").to_numpy()})
    clash = out[out.duplicated(["iso3", "year"], keep=False)]
    if not clash.empty:
        raise BuildError(f"{fname}: more than one value for {sorted(set(zip(clash['iso3'], clash['year'])))[:5]}")
    return out.sort_values(["iso3", "year"]).reset_index(drop=True)


def build(ctx) -> None:
    meta = {}
    prov = ctx.local_source("sdg/PROVENANCE.md", "Provenance of the SDG extracts", "MIT (repository); UN SDG data free to use with attribution",
                            "https://github.com/central-asia-sdg-platform/data")
    all_unmatched: list[str] = []
    frames = {}
    for fname, (code, select) in FILES.items():
        df = pd.read_csv(ctx.source_file(f"sdg/{fname}"), dtype=str, keep_default_na=False)
        try:
            frames[code] = (fname, country_totals(df, code, select, fname))
        except BuildError as e:
            if "not matched" in str(e):
                all_unmatched.append(str(e))
                continue
            raise
    if all_unmatched:
        raise BuildError("; ".join(all_unmatched))
    for code, (fname, out) in frames.items():
        layer = catalog.LAYERS.get(f"sdg_{code}")
        if layer is None:
            raise BuildError(f"series {code} has no catalogue entry sdg_{code} in geo/catalog.py")
        buf = io.StringIO()
        out.to_csv(buf, index=False, lineterminator="\n")
        rel = f"sdg/{code}.csv"
        ctx.out(rel).write_text(buf.getvalue(), encoding="utf-8")
        src = ctx.local_source(f"sdg/{fname}", f"SDG series {code} ({layer.indicator})", "MIT (repository); UN SDG data free to use with attribution",
                               "https://github.com/central-asia-sdg-platform/data")
        ctx.record(rel, f"{layer.title_en} ({code}, SDG {layer.indicator}), country totals: {', '.join(f'{k}={v or chr(34)*2}' for k, v in FILES[fname][1].items()) or 'no disaggregation'}",
                   [src, prov])
        meta[code] = {"code": code, "title_en": layer.title_en, "title_zh": layer.title_zh, "unit": layer.unit_en, "indicator": layer.indicator,
                      "file": rel, "source": SOURCE, "licence": layer.licence,
                      "years": [int(out["year"].min()), int(out["year"].max())], "countries": int(out["iso3"].nunique())}
    ctx.out("sdg/series.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    ctx.record("sdg/series.json", "Metadata of the SDG series: titles, units, indicator, source, years and country coverage", [prov])


def list_series(meta: dict) -> list[str]:
    return sorted(meta)


