"""SDG indicator series from the Open SDG extracts in ``data/sources/sdg/``.

Build step ``sdg`` writes ``sdg/<SERIES>.csv`` (``iso3,name,year,value``, one row per country and
year, sorted) and ``sdg/series.json``; the app reads them through :mod:`geo.data`. Titles and
units in both languages are the catalogue's (:mod:`geo.catalog`).

Source
    ``data/sources/sdg/PROVENANCE.md``: UN SDG Global Database series as republished in the
    Open SDG data repository ``central-asia-sdg-platform/data`` (commit and date read from that
    file). Its table gives each file's series, meaning and unit; the build checks each file's own
    ``SeriesCode`` column against it.

Country totals
    Each file holds disaggregated rows; only the country total is kept (:data:`TOTALS`):

    - ``ER_MTN_GRNCVI`` (Mountain Green Cover Index): ``Bioclimatic belt`` = TOTAL and
      ``Land cover`` = MGCI (the index itself; other land covers are per-class shares).
    - ``ER_MTN_GRNCOV`` (mountain green cover area): ``Bioclimatic belt`` = TOTAL and
      ``Land cover`` = MGCI. That row is the green cover area, the numerator of the index: in
      these files it equals the sum of the five green classes (TREE_COVERED, GRASSLAND,
      CROPLAND, SHRUB_COVERED, HERB_AQUA_FLOOD) to 0.04 %, and divided by the sum of all land
      cover classes it gives ER_MTN_GRNCVI to 0.02 percentage points (tested).
    - ``ER_MTN_DGRDP`` / ``ER_MTN_DGRDA`` (degraded mountain land): ``Bioclimatic belt`` = TOTAL.
    - every other series: rows whose disaggregation columns (all but ``Year``, ``SeriesCode``,
      ``GeoAreaName``, ``Value``) are empty.

    Rows repeated verbatim (the disaster series appear once per SDG indicator that shares them)
    are kept once; two different values for one country and year stop the build.

Names
    ``GeoAreaName`` (UN M49 English names) becomes ISO alpha-3 through :data:`ALIASES`, then
    pycountry (:func:`geo.countries.iso3_match`). The build lists every name it cannot match,
    with its files, and fails.
"""

from __future__ import annotations

import io
import json
import re

import pandas as pd

from geo import catalog
from geo.errors import BuildError

#: Columns that are not disaggregations.
BASE_COLUMNS = ("Year", "SeriesCode", "GeoAreaName", "Value")

#: series code -> {disaggregation column: value of the country total}; columns not named must be empty.
TOTALS: dict[str, dict[str, str]] = {
    "ER_MTN_GRNCVI": {"Bioclimatic belt": "TOTAL", "Land cover": "MGCI"},
    "ER_MTN_GRNCOV": {"Bioclimatic belt": "TOTAL", "Land cover": "MGCI"},
    "ER_MTN_DGRDP": {"Bioclimatic belt": "TOTAL"},
    "ER_MTN_DGRDA": {"Bioclimatic belt": "TOTAL"},
}

#: UN M49 English names that pycountry's exact lookup does not resolve (or its fuzzy search
#: would resolve wrongly: "Republic of Korea" alone gives PRK). Includes long M49 forms not
#: in the current files so a new extract cannot fall through to a fuzzy guess.
ALIASES = {
    "Netherlands (Kingdom of the)": "NLD",
    "Republic of Korea": "KOR",
    "Democratic People's Republic of Korea": "PRK",
    "Türkiye": "TUR",
    "Republic of Moldova": "MDA",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "Bolivia (Plurinational State of)": "BOL",
    "Iran (Islamic Republic of)": "IRN",
    "Venezuela (Bolivarian Republic of)": "VEN",
    "United Republic of Tanzania": "TZA",
    "Democratic Republic of the Congo": "COD",
    "Congo": "COG",
    "Lao People's Democratic Republic": "LAO",
    "Micronesia (Federated States of)": "FSM",
    "State of Palestine": "PSE",
    "China, Hong Kong Special Administrative Region": "HKG",
    "China, Macao Special Administrative Region": "MAC",
    "Côte d'Ivoire": "CIV",
    "Côte d’Ivoire": "CIV",
    "Kosovo": "XKX",
}

PROVENANCE = "sdg/PROVENANCE.md"
REPO_URL = "https://github.com/central-asia-sdg-platform/data"
LICENCE = ("repository central-asia-sdg-platform/data: MIT; data produced by the UN SDG Global Database "
           "(UN Statistics Division), free to use with attribution")


def _indicator_of(fname: str) -> str:
    m = re.match(r"indicator_(\d+)-(\d+)-(\d+)", fname)
    if not m:
        raise BuildError(f"sdg file name {fname!r} does not start with indicator_<goal>-<target>-<n>")
    return ".".join(m.groups())


def read_provenance(text: str) -> dict:
    """The facts of ``PROVENANCE.md``: repository, commit, data update date and the file table.

    Returns
    -------
    dict
        ``{"repo", "commit", "updated", "files": {file: {"code", "title_en", "unit", "indicator"}}}``.

    Raises
    ------
    BuildError
        If the repository, commit or table cannot be found.
    """
    repo = re.search(r"`([\w.-]+/[\w.-]+)`", text)
    commit = re.search(r"commit\s*`([0-9a-f]{7,40})`", text)
    updated = re.search(r"data update of (\d{4}-\d{2}-\d{2})", text)
    if not (repo and commit and updated):
        raise BuildError(f"{PROVENANCE}: cannot find the repository, commit and data update date")
    files = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].endswith(".csv"):
            fname, code, meaning, unit = cells
            title = re.sub(r"\s*\(country total:.*\)$", "", meaning)
            files[fname] = {"code": code, "title_en": title, "unit": unit, "indicator": _indicator_of(fname)}
    if not files:
        raise BuildError(f"{PROVENANCE}: no file table found")
    return {"repo": repo.group(1), "commit": commit.group(1), "updated": updated.group(1), "files": files}


def match_names(names, where: dict[str, set[str]] | None = None) -> dict[str, str]:
    """ISO alpha-3 for each name.

    Parameters
    ----------
    names : iterable of str
    where : dict, optional
        name -> files it occurs in, for the error message.

    Raises
    ------
    BuildError
        Listing every name that cannot be matched (and its files).
    """
    from geo.countries import iso3_match

    out, bad = {}, []
    for n in sorted(set(names)):
        iso, _ = iso3_match(n, ALIASES)
        if iso is None:
            bad.append(f"{n!r}" + (f" (in {', '.join(sorted(where.get(n, ())))})" if where else ""))
        else:
            out[n] = iso
    if bad:
        raise BuildError(f"SDG country names not matched to ISO codes: {'; '.join(bad)} (add them to geo.sdg.ALIASES)")
    return out


def select_totals(df: pd.DataFrame, code: str, fname: str, select: dict[str, str] | None = None) -> pd.DataFrame:
    """Rows of the country total of series ``code``, verbatim repeats dropped.

    ``select`` (column -> value of the total) defaults to ``TOTALS[code]``; every other
    disaggregation column must be empty.
    """
    missing = [c for c in BASE_COLUMNS if c not in df.columns]
    if missing:
        raise BuildError(f"{fname}: missing column(s) {missing}")
    codes = sorted(set(df["SeriesCode"]))
    if codes != [code]:
        raise BuildError(f"{fname}: expected series {code}, found {codes}")
    sel = TOTALS.get(code, {}) if select is None else select
    unknown = [c for c in sel if c not in df.columns]
    if unknown:
        raise BuildError(f"{fname}: no column(s) {unknown} to select the country total of {code}")
    mask = pd.Series(True, index=df.index)
    for col in df.columns:
        if col in BASE_COLUMNS:
            continue
        mask &= df[col].fillna("") == sel.get(col, "")
    return df[mask].drop_duplicates()


def country_totals(df: pd.DataFrame, code: str, select: dict[str, str] | None = None, fname: str = "") -> pd.DataFrame:
    """Country totals of one series as ``iso3,name,year,value`` sorted by ``iso3, year``.

    Parameters
    ----------
    df : DataFrame
        One Open SDG file read as strings.
    code : str
        The series the file must hold.
    select : dict, optional
        Override of :data:`TOTALS` for this call (column -> value of the total).
    fname : str
        File name for messages.

    Raises
    ------
    BuildError
        Wrong series, unmatched names (listed), values that are not numbers, or two different
        values for one country and year.
    """
    fname = fname or f"{code}.csv"
    rows = select_totals(df, code, fname, select)
    isos = match_names(rows["GeoAreaName"], {n: {fname} for n in rows["GeoAreaName"]})
    values = pd.to_numeric(rows["Value"], errors="coerce")
    bad = rows.loc[values.isna(), "Value"].tolist()
    if bad:
        raise BuildError(f"{fname}: values that are not numbers: {bad[:5]}")
    years = pd.to_numeric(rows["Year"], errors="coerce")
    if years.isna().any() or (years % 1 != 0).any():
        raise BuildError(f"{fname}: years that are not whole numbers: {rows.loc[years.isna(), 'Year'].tolist()[:5]}")
    out = pd.DataFrame({"iso3": [isos[n] for n in rows["GeoAreaName"]], "name": rows["GeoAreaName"].to_numpy(),
                        "year": years.astype(int).to_numpy(), "value": values.to_numpy()})
    out = out.drop_duplicates()
    clash = out[out.duplicated(["iso3", "year"], keep=False)]
    if not clash.empty:
        pairs = sorted(set(zip(clash["iso3"], clash["year"])))
        raise BuildError(f"{fname}: more than one value for (iso3, year) {pairs[:5]}")
    return out.sort_values(["iso3", "year"], kind="stable").reset_index(drop=True)


def _describe_total(code: str) -> str:
    sel = TOTALS.get(code)
    if sel:
        return ", ".join(f"{k}={v}" for k, v in sel.items()) + " (other disaggregation columns empty)"
    return "rows with empty disaggregation columns"


def _csv_text(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def build(ctx) -> None:
    """Build step ``sdg``: one CSV per series and ``sdg/series.json``."""
    prov_path = ctx.source_file(PROVENANCE)
    prov = read_provenance(prov_path.read_text(encoding="utf-8"))
    source = (f"UN SDG Global Database (producer), via the Open SDG data repository {prov['repo']}, folder data/, "
              f"commit {prov['commit']} (data update {prov['updated']})")
    prov_src = ctx.local_source(PROVENANCE, "Provenance of the SDG extracts", LICENCE, f"https://github.com/{prov['repo']}")

    frames: dict[str, tuple[str, pd.DataFrame]] = {}
    where: dict[str, set[str]] = {}
    for fname, info in sorted(prov["files"].items()):
        df = pd.read_csv(ctx.source_file(f"sdg/{fname}"), dtype=str, keep_default_na=False)
        rows = select_totals(df, info["code"], fname)
        for n in rows["GeoAreaName"]:
            where.setdefault(n, set()).add(fname)
        frames[info["code"]] = (fname, df)
    match_names(where, where)  # every unmatched name of every file, in one error

    expected = {f: c for f, (c, _) in FILES.items()}
    if {f: i["code"] for f, i in prov["files"].items()} != expected:
        raise BuildError(f"{PROVENANCE}: its file table differs from geo.sdg.FILES {expected}")
    for code in _catalogue_series():
        if code not in frames:
            raise BuildError(f"{PROVENANCE}: series {code} is not in the file table")
    meta = {}
    for code, (fname, df) in sorted(frames.items()):
        if code not in _catalogue_series():
            raise BuildError(f"series {code} ({fname}) has no layer in geo.catalog (its titles and units live there)")
        info = prov["files"][fname]
        out = country_totals(df, code, fname=fname)
        rel = f"sdg/{code}.csv"
        ctx.out(rel).write_text(_csv_text(out), encoding="utf-8")
        file_src = ctx.local_source(f"sdg/{fname}", f"UN SDG Global Database, series {code} (indicator {info['indicator']}), "
                                    f"as extracted by central-asia-sdg-platform/data (copied unchanged)", LICENCE,
                                    f"https://github.com/{prov['repo']}/tree/{prov['commit']}/data", cites="sdg")
        ctx.record(rel, f"{info['title_en']} ({code}, SDG {info['indicator']}), {info['unit']}; country totals: {_describe_total(code)}; "
                        f"{out['iso3'].nunique()} countries", [file_src, prov_src])
        lay = catalog.layer(f"sdg_{code}")
        title_zh, unit_zh = lay.title_zh, lay.unit_zh
        meta[code] = {"code": code, "title_en": info["title_en"], "title_zh": title_zh, "unit": info["unit"], "unit_zh": unit_zh,
                      "indicator": info["indicator"], "file": rel, "source": source, "licence": LICENCE,
                      "years": sorted(int(y) for y in out["year"].unique()), "countries": int(out["iso3"].nunique()),
                      "total": _describe_total(code)}
    ctx.out("sdg/series.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    ctx.record("sdg/series.json", "The SDG series: titles (en/zh), units, indicator, source, licence, years and number of countries",
               [prov_src])


def _catalogue_series() -> tuple[str, ...]:
    """SDG series codes the catalogue has layers for."""
    return tuple(lay.sdg_code for lay in catalog.LAYERS.values() if lay.sdg_code)


#: file -> (series code, country-total selection), for callers and tests that iterate the files.
FILES: dict[str, tuple[str, dict[str, str]]] = {
    "indicator_15-4-2-ER_MTN_GRNCVI.csv": ("ER_MTN_GRNCVI", TOTALS["ER_MTN_GRNCVI"]),
    "indicator_15-4-2-ER_MTN_GRNCOV.csv": ("ER_MTN_GRNCOV", TOTALS["ER_MTN_GRNCOV"]),
    "indicator_15-4-2-ER_MTN_DGRDP.csv": ("ER_MTN_DGRDP", TOTALS["ER_MTN_DGRDP"]),
    "indicator_15-4-2-ER_MTN_DGRDA.csv": ("ER_MTN_DGRDA", TOTALS["ER_MTN_DGRDA"]),
    "indicator_15-4-1.csv": ("ER_PTD_MTN", {}),
    "indicator_15-1-2-ER_PTD_TERR.csv": ("ER_PTD_TERR", {}),
    "indicator_15-1-1.csv": ("AG_LND_FRST", {}),
    "indicator_15-5-1.csv": ("ER_RSK_LST", {}),
    "indicator_1-5-1-VC_DSR_MORT.csv": ("VC_DSR_MORT", {}),
    "indicator_1-5-1-VC_DSR_MISS.csv": ("VC_DSR_MISS", {}),
    "indicator_1-5-1-VC_DSR_AFFCT.csv": ("VC_DSR_AFFCT", {}),
}

__all__ = ["TOTALS", "ALIASES", "FILES", "read_provenance", "match_names", "select_totals", "country_totals", "build"]
