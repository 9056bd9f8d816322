"""SDG series: country totals only, every name matched, metadata from PROVENANCE.md."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import catalog, data, paths, sdg
from geo.errors import BuildError, DataFileError

D = paths.ROOT / "data"
S = paths.SOURCES_DIR / "sdg"


def _read(fname: str) -> pd.DataFrame:
    return pd.read_csv(S / fname, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def prov():
    return sdg.read_provenance((S / "PROVENANCE.md").read_text(encoding="utf-8"))


def test_provenance_table_matches_the_files(prov):
    assert prov["repo"] == "central-asia-sdg-platform/data" and prov["commit"] == "cf1b5e44" and prov["updated"] == "2024-03-18"
    assert {f: i["code"] for f, i in prov["files"].items()} == {f: c for f, (c, _) in sdg.FILES.items()}
    for fname, info in prov["files"].items():
        assert set(_read(fname)["SeriesCode"]) == {info["code"]}, fname


def test_every_name_in_every_file_is_matched():
    names = set()
    for fname in sdg.FILES:
        names |= set(_read(fname)["GeoAreaName"])
    got = sdg.match_names(names)
    assert set(got) == names
    assert got["Republic of Korea"] == "KOR" and got["Netherlands (Kingdom of the)"] == "NLD"
    assert got["Türkiye"] == "TUR" and got["Viet Nam"] == "VNM" and got["Republic of Moldova"] == "MDA"
    assert got["United Kingdom of Great Britain and Northern Ireland"] == "GBR"


def test_poisoned_name_fails_naming_it():
    df = _read("indicator_15-1-1.csv")
    df.loc[len(df)] = ["2020", "AG_LND_FRST", "Freedonia", "12.5"]
    with pytest.raises(BuildError, match="Freedonia"):
        sdg.country_totals(df, "AG_LND_FRST", fname="indicator_15-1-1.csv")
    with pytest.raises(BuildError, match="Freedonia.*Ruritania|Ruritania.*Freedonia"):
        sdg.match_names(["Nepal", "Freedonia", "Ruritania"])


def test_wrong_series_code_fails():
    with pytest.raises(BuildError, match="expected series ER_MTN_DGRDP"):
        sdg.country_totals(_read("indicator_15-4-2-ER_MTN_DGRDA.csv"), "ER_MTN_DGRDP", fname="x.csv")


@pytest.mark.parametrize("fname,code", [(f, c) for f, (c, _) in sdg.FILES.items()])
def test_totals_only_one_row_per_country_and_year(fname, code):
    out = data.sdg_series(code)
    assert list(out.columns) == ["iso3", "name", "year", "value"]
    assert not out.duplicated(["iso3", "year"]).any()
    assert out["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert out.equals(out.sort_values(["iso3", "year"]).reset_index(drop=True))
    rebuilt = sdg.country_totals(_read(fname), code, fname=fname)
    pd.testing.assert_frame_equal(rebuilt.reset_index(drop=True), out, check_dtype=False)


def test_grncvi_totals_are_the_index_not_a_land_cover_share():
    df = _read("indicator_15-4-2-ER_MTN_GRNCVI.csv")
    out = data.sdg_series("ER_MTN_GRNCVI").set_index(["iso3", "year"])["value"]
    alb = df[(df["GeoAreaName"] == "Albania") & (df["Year"] == "2000") & (df["Bioclimatic belt"] == "TOTAL") & (df["Land cover"] == "MGCI")]
    assert out[("ALB", 2000)] == pytest.approx(float(alb["Value"].iloc[0]))
    assert out.between(0, 100).all()
    # a land-cover row must not slip in: the unfiltered file has ~11 rows per country, year and belt
    assert len(out) < len(df) / 20


def test_grncov_total_is_the_green_cover_area():
    df = _read("indicator_15-4-2-ER_MTN_GRNCOV.csv").drop_duplicates()
    df["v"] = df["Value"].astype(float)
    tot = df[df["Bioclimatic belt"] == "TOTAL"].pivot_table(index=["GeoAreaName", "Year"], columns="Land cover", values="v", aggfunc="first")
    green = tot[["TREE_COVERED", "GRASSLAND", "CROPLAND", "SHRUB_COVERED", "HERB_AQUA_FLOOD"]].fillna(0).sum(axis=1)
    assert ((green - tot["MGCI"]).abs() / tot["MGCI"]).max() < 4e-4
    cvi = _read("indicator_15-4-2-ER_MTN_GRNCVI.csv")
    cvi = cvi[(cvi["Bioclimatic belt"] == "TOTAL") & (cvi["Land cover"] == "MGCI")].set_index(["GeoAreaName", "Year"])["Value"].astype(float)
    allcov = tot.drop(columns="MGCI").fillna(0).sum(axis=1)
    assert ((tot["MGCI"] / allcov * 100 - cvi).abs()).max() < 0.02
    out = data.sdg_series("ER_MTN_GRNCOV").set_index(["iso3", "year"])["value"]
    assert out[("ALB", 2000)] == pytest.approx(tot.loc[("Albania", "2000"), "MGCI"])


def test_degradation_totals_use_the_total_belt():
    df = _read("indicator_15-4-2-ER_MTN_DGRDP.csv")
    out = data.sdg_series("ER_MTN_DGRDP")
    total_rows = df[df["Bioclimatic belt"] == "TOTAL"].drop_duplicates()
    assert len(out) == len(total_rows)


def test_verbatim_repeats_kept_once_and_conflicts_fail():
    df = pd.DataFrame({"Year": ["2020", "2020"], "SeriesCode": ["VC_DSR_MORT"] * 2, "GeoAreaName": ["Nepal", "Nepal"], "Value": ["5", "5"]})
    out = sdg.country_totals(df, "VC_DSR_MORT")
    assert len(out) == 1 and out.iloc[0]["iso3"] == "NPL"
    df.loc[1, "Value"] = "6"
    with pytest.raises(BuildError, match="more than one value"):
        sdg.country_totals(df, "VC_DSR_MORT")


def test_disaggregated_rows_are_dropped_for_plain_series():
    df = pd.DataFrame({"Year": ["2020", "2020"], "SeriesCode": ["ER_RSK_LST"] * 2, "GeoAreaName": ["Nepal"] * 2,
                       "Sex": ["", "FEMALE"], "Value": ["0.8", "0.7"]})
    out = sdg.country_totals(df, "ER_RSK_LST")
    assert out["value"].tolist() == [0.8]


def test_series_json(prov):
    meta = data.sdg_meta()
    assert set(meta) == {c for c, _ in sdg.FILES.values()}
    for code, m in meta.items():
        assert {"code", "title_en", "title_zh", "unit", "indicator", "file", "source", "licence", "years", "countries"} <= set(m)
        assert m["file"] == f"sdg/{code}.csv"
        assert "cf1b5e44" in m["source"] and "UN SDG Global Database" in m["source"] and "central-asia-sdg-platform/data" in m["source"]
        df = data.sdg_series(code)
        assert m["countries"] == df["iso3"].nunique() and m["years"] == sorted(df["year"].unique().tolist())
        lay = catalog.layer(f"sdg_{code}")  # titles and units are the catalogue's
        assert (m["title_zh"], m["unit_zh"]) == (lay.title_zh, lay.unit_zh) and not m["title_zh"].isascii()
    assert meta["ER_MTN_GRNCVI"]["indicator"] == "15.4.2" and meta["ER_MTN_GRNCVI"]["unit"] == "percent"
    assert meta["VC_DSR_MORT"]["indicator"] == "1.5.1"


def test_reader_names_an_unknown_series_and_a_file_with_other_columns(tmp_path, monkeypatch):
    with pytest.raises(DataFileError, match="NOPE"):
        data.sdg_series("NOPE")
    import json
    import shutil

    from geo.raw import sha256_file

    root = tmp_path / "data"
    (root / "sdg").mkdir(parents=True)
    shutil.copy(D / "manifest.json", root / "manifest.json")
    bad = root / "sdg/AG_LND_FRST.csv"
    bad.write_text("iso3,year,value\nNPL,2020,1\n", encoding="utf-8")
    doc = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    doc["files"]["sdg/AG_LND_FRST.csv"]["sha256"] = sha256_file(bad)
    (root / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(root))
    with pytest.raises(DataFileError, match="sdg/AG_LND_FRST.csv has columns"):
        data.sdg_series("AG_LND_FRST")
