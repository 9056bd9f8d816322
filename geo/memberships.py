"""Regional mountain bodies and the Mountain Partnership, from the researched tables in
``data/sources/memberships/`` (each row keeps its own ``source``).

Build step ``memberships`` writes ``tables/regional_members.csv``, ``tables/regional_facts.csv``,
``tables/partnership_members.csv``, ``tables/partnership_counts.csv`` and
``tables/partnership_meta.json`` (columns in ``docs/DATA.md``). The app reads them through
:mod:`geo.data`, like every derived file.

The Partnership member list is PARTIAL. A country absent from it is "not listed in our
sources", never "not a member": :func:`completeness` says how partial the list is, against
which published total, and carries that sentence in English and Chinese.

Country names become ISO alpha-3 codes with :func:`geo.countries.iso3_match` (the explicit
:data:`ALIASES` first, then pycountry's exact lookup, then its fuzzy search when it finds exactly
one country). A government or regional member name left unmatched stops the build, listing
every such name.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd

from geo import catalog
from geo.errors import BuildError

#: Body names as written in the researched tables -> body id.
BODY_NAMES = {
    "Alpine Convention": "alpine-convention",
    "Carpathian Convention": "carpathian-convention",
    "ICIMOD": "icimod",
    "ICIMOD / HKH": "icimod",
    "Andean Mountain Initiative (Mountain Partnership Andean Initiative)": "andean-initiative",
    "Andes (7 countries)": "andean-initiative",
}

#: Country names in the sources that pycountry's exact lookup does not resolve, or that its
#: fuzzy search resolves wrongly ("Republic of Korea" alone would give PRK). Also the common
#: short forms, so a future row cannot fall through to a fuzzy guess.
ALIASES = {
    "Democratic Republic of Congo": "COD",
    "Democratic Republic of the Congo": "COD",
    "DR Congo": "COD",
    "Republic of Congo": "COG",
    "Iran": "IRN",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Türkiye": "TUR",
    "Turkey": "TUR",
    "Republic of Korea": "KOR",
    "South Korea": "KOR",
    "North Korea": "PRK",
    "Slovak Republic": "SVK",
    "Czech Republic": "CZE",
    "Swaziland": "SWZ",
    "Eswatini": "SWZ",
    "Macedonia": "MKD",
    "North Macedonia": "MKD",
    "Kyrgyz Republic": "KGZ",
    "Laos": "LAO",
    "Vietnam": "VNM",
    "Moldova": "MDA",
    "Tanzania": "TZA",
    "Russia": "RUS",
    "Syria": "SYR",
    "Cape Verde": "CPV",
    "Ivory Coast": "CIV",
    "Côte d'Ivoire": "CIV",
}

#: Parties that are not states (no ISO code by right).
NOT_A_STATE = {"European Union"}

SOURCE_DIR = "memberships"
SOURCE_LICENCE = "researched facts; each row cites its own source (see the source column)"
SOURCE_URL = "data/sources/memberships/README.md"

#: The counts row whose government figure is the total our list is measured against: the
#: Wikipedia infobox, the same page the alphabetical name list comes from ("infobox says 68
#: governments"). It is undated; the build checks it is not below any dated figure (the dated
#: counts only rise), i.e. that it is the most recent figure the table states.
TOTAL_AS_OF = "undated (Wikipedia infobox)"

ABSENT_EN = ("A country absent from this list is not listed in our sources; that does not mean it is not a member "
             "of the Mountain Partnership.")
ABSENT_ZH = "未列入本名单的国家只是在我们的资料来源中未列出，并不表示它不是山区伙伴关系的成员。"

COUNT_COLUMNS = ["governments", "intergovernmental_orgs", "major_group_orgs", "subnational_authorities"]
CATEGORIES = ("government", "intergovernmental organization", "major group organization")


# helpers ----------------------------------------------------------------------------------

def iso3_of(name: str) -> tuple[str | None, str]:
    """ISO alpha-3 for a country name as written in the sources, and how it was matched.

    Returns ``(None, "not a state")`` for the European Union; see
    :func:`geo.countries.iso3_match` for the other methods.
    """
    from geo.countries import iso3_match

    if name in NOT_A_STATE:
        return None, "not a state"
    return iso3_match(name, ALIASES)


def _csv_text(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _require(df: pd.DataFrame, cols: list[str], fname: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise BuildError(f"{fname}: missing column(s) {missing} (has {list(df.columns)})")


def body_id(name: str, fname: str) -> str:
    """Body id of a body name as written in the sources (:data:`BODY_NAMES`)."""
    bid = BODY_NAMES.get(str(name).strip())
    if bid is None:
        raise BuildError(f"{fname}: unknown body {name!r}; known: {sorted(BODY_NAMES)}")
    return bid


def plain_number(value) -> str:
    """The value as a number string if it is written as a plain number, else ``""``.

    ``"190959"`` -> ``"190959"``, ``"190,959"`` -> ``"190959"``; ``"about 210000"``,
    ``"more than 4 million"`` or a date -> ``""`` (a number is never read out of words).
    """
    v = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", v):
        return v
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", v):
        return v.replace(",", "")
    return ""


def year_of(as_of: str) -> int | None:
    """Year an ``as_of`` text is dated to (its leading four-digit year), ``None`` when undated."""
    m = re.match(r"\s*((?:19|20)\d\d)\b", str(as_of))
    return int(m.group(1)) if m else None


def normalise_category(value: str, fname: str = "mountain_partnership_members_partial.csv") -> str:
    """``government``, ``intergovernmental organization`` or ``major group organization``."""
    c = str(value).strip().lower()
    for cat in CATEGORIES:
        if c == cat or c.startswith(cat + " ") or c.startswith(cat + "("):
            return cat
    raise BuildError(f"{fname}: unknown category {value!r}; expected one of {list(CATEGORIES)} (optionally with a note)")


# tables -----------------------------------------------------------------------------------

def regional_members(src: pd.DataFrame, fname: str = "regional_mountain_bodies_members.csv") -> pd.DataFrame:
    """``body_id,body_name,member_name,iso3,role,source`` from the researched member table.

    Raises
    ------
    BuildError
        Listing every body or member name that cannot be matched.
    """
    _require(src, ["body", "member", "role", "source"], fname)
    rows, unmatched = [], []
    for _, r in src.iterrows():
        bid = body_id(r["body"], fname)
        iso, how = iso3_of(r["member"])
        if iso is None and how != "not a state":
            unmatched.append(r["member"])
        rows.append({"body_id": bid, "body_name": catalog.BODIES[bid].name_en, "member_name": r["member"], "iso3": iso or "",
                     "role": r["role"], "source": r["source"]})
    if unmatched:
        raise BuildError(f"{fname}: member names without an ISO code: {unmatched} (add them to geo.memberships.ALIASES)")
    out = pd.DataFrame(rows, columns=["body_id", "body_name", "member_name", "iso3", "role", "source"])
    dup = out[out.duplicated(["body_id", "member_name"], keep=False)]
    if not dup.empty:
        raise BuildError(f"{fname}: members listed twice: {sorted(set(zip(dup['body_id'], dup['member_name'])))}")
    return out


def regional_facts(src: pd.DataFrame, fname: str = "regional_mountain_bodies_facts.csv") -> pd.DataFrame:
    """``body_id,field,value,value_num,note,source``; ``value_num`` only for plain numbers."""
    _require(src, ["body", "field", "value", "note", "source"], fname)
    out = src.fillna("").copy()
    out.insert(0, "body_id", [body_id(b, fname) for b in out["body"]])
    out["value_num"] = [plain_number(v) for v in out["value"]]
    return out[["body_id", "field", "value", "value_num", "note", "source"]].reset_index(drop=True)


def partnership_members(src: pd.DataFrame, fname: str = "mountain_partnership_members_partial.csv") -> pd.DataFrame:
    """``name,iso3,category,as_of,certainty,source`` of the partial Partnership list.

    Raises
    ------
    BuildError
        Listing every government name without an ISO code, or an unknown category.
    """
    _require(src, ["member", "category", "as_of", "certainty", "source"], fname)
    out = src.fillna("").copy()
    out["category"] = [normalise_category(c, fname) for c in out["category"]]
    isos, unmatched = [], []
    for name, cat in zip(out["member"], out["category"]):
        if cat != "government":
            isos.append("")
            continue
        iso, _ = iso3_of(name)
        if iso is None:
            unmatched.append(name)
        isos.append(iso or "")
    if unmatched:
        raise BuildError(f"{fname}: government names without an ISO code: {unmatched} (add them to geo.memberships.ALIASES)")
    out["iso3"] = isos
    gov = out[out["category"] == "government"]
    dup = gov[gov["iso3"].duplicated(keep=False)]
    if not dup.empty:
        raise BuildError(f"{fname}: governments listed twice: {sorted(dup['member'])}")
    out = out.rename(columns={"member": "name"})
    return out[["name", "iso3", "category", "as_of", "certainty", "source"]].reset_index(drop=True)


def partnership_counts(src: pd.DataFrame, fname: str = "mountain_partnership_membership_counts.csv") -> pd.DataFrame:
    """``year,as_of,<counts>,note,source``; ``year`` an int (nullable) or empty when undated.

    Counts are whole numbers where the source states them and empty otherwise.
    """
    _require(src, ["as_of", *COUNT_COLUMNS, "note", "source"], fname)
    out = src.fillna("").copy()
    for c in COUNT_COLUMNS:
        bad = [v for v in out[c] if str(v).strip() and not re.fullmatch(r"\d+", str(v).strip())]
        if bad:
            raise BuildError(f"{fname}: column {c} holds values that are not whole numbers: {bad}")
        out[c] = pd.array([int(v) if str(v).strip() else None for v in out[c]], dtype="Int64")
    out.insert(0, "year", pd.array([year_of(a) for a in out["as_of"]], dtype="Int64"))
    return out[["year", "as_of", *COUNT_COLUMNS, "note", "source"]].reset_index(drop=True)


def completeness(members: pd.DataFrame, counts: pd.DataFrame) -> dict:
    """How complete our government list is, against the published total.

    Parameters
    ----------
    members : DataFrame
        Output of :func:`partnership_members`.
    counts : DataFrame
        Output of :func:`partnership_counts`.

    Returns
    -------
    dict
        ``governments_listed`` (government rows), ``governments_listed_certain`` (rows whose
        certainty is not UNSURE), ``governments_total`` with ``total_source`` and ``as_of``
        (the :data:`TOTAL_AS_OF` row), the latest dated total, ``statement_en/zh`` and
        ``absent_means_en/zh``.

    Raises
    ------
    BuildError
        If the total row is missing, has no government figure, or is below a dated figure.
    """
    gov = members[members["category"] == "government"]
    unsure_mask = gov["certainty"].astype(str).str.upper().str.contains("UNSURE")
    listed, unsure = len(gov), int(unsure_mask.sum())
    unsure_names = sorted(gov.loc[unsure_mask, "name"])
    lapsed = gov[gov["source"].astype(str).str.contains("may have lapsed", case=False)]

    rows = counts[counts["as_of"] == TOTAL_AS_OF]
    if len(rows) != 1 or pd.isna(rows.iloc[0]["governments"]):
        raise BuildError(f"mountain_partnership_membership_counts.csv: expected one row {TOTAL_AS_OF!r} with a government count")
    tot = rows.iloc[0]
    total = int(tot["governments"])
    dated = counts[counts["year"].notna() & counts["governments"].notna()].sort_values("year", kind="stable")
    if dated.empty:
        raise BuildError("mountain_partnership_membership_counts.csv: no dated government count")
    latest = dated.iloc[-1]
    if total < int(dated["governments"].max()):
        raise BuildError(f"mountain_partnership_membership_counts.csv: the total {total} ({TOTAL_AS_OF}) is below a dated count "
                         f"({int(dated['governments'].max())}), so it is not the most recent figure")
    total_src = str(tot["source"])
    sources_en = ("Wikipedia list of members (undated, cut after 'Panama'); FAO news 2022 (new members); "
                  "FAO Mountain Partnership Steering Committee 2017-2021")
    sources_zh = "维基百科成员名单（无日期，截至“Panama”）；粮农组织2022年新闻（新成员）；粮农组织山区伙伴关系2017-2021年指导委员会"
    unsure_zh = [_zh_country(n, i) for n, i in zip(gov.loc[unsure_mask, "name"], gov.loc[unsure_mask, "iso3"])]
    sc_en = f"; {len(lapsed)} known only as 2017-2021 Steering Committee members" if len(lapsed) else ""
    sc_zh = f"；{len(lapsed)}个仅知为2017-2021年指导委员会成员" if len(lapsed) else ""
    statement_en = (
        f"{listed} of {total} member governments listed ({unsure} uncertain in its source: {', '.join(unsure_names) or 'none'}{sc_en}). "
        f"Total {total} as of {TOTAL_AS_OF}, source {total_src}; latest dated total {int(latest['governments'])} "
        f"as of {latest['as_of']}, source {latest['source']}. Sources of the names: {sources_en}. "
        f"Organization lists hold Steering Committee members only. {ABSENT_EN}")
    statement_zh = (
        f"列出{total}个成员国政府中的{listed}个（{unsure}个在来源中不确定：{'、'.join(sorted(unsure_zh)) or '无'}{sc_zh}）。"
        f"总数{total}：维基百科信息框（无日期），来源 {total_src}；有日期的最新总数为{int(latest['governments'])}"
        f"（{latest['as_of']}），来源 {latest['source']}。名称来源：{sources_zh}。组织名单仅含指导委员会成员。{ABSENT_ZH}")
    return {
        "governments_listed": listed,
        "governments_listed_certain": listed - unsure,
        "governments_listed_uncertain": unsure,
        "uncertain_names": unsure_names,
        "governments_sc_only": len(lapsed),
        "governments_total": total,
        "total_source": total_src,
        "as_of": TOTAL_AS_OF,
        "latest_dated_total": int(latest["governments"]),
        "latest_dated_as_of": str(latest["as_of"]),
        "latest_dated_source": str(latest["source"]),
        "names_sources_en": sources_en,
        "names_sources_zh": sources_zh,
        "statement_en": statement_en,
        "statement_zh": statement_zh,
        "absent_means_en": ABSENT_EN,
        "absent_means_zh": ABSENT_ZH,
    }


def _zh_country(name: str, iso3: str) -> str:
    """Chinese name of a listed government (pycountry zh_CN), the source name if it has none."""
    import pycountry

    from geo.countries import zh_name

    c = pycountry.countries.get(alpha_3=iso3) if iso3 else None
    try:
        return zh_name(c) if c is not None else name
    except BuildError:
        return name


# build step ---------------------------------------------------------------------------------

def read_source(path: Path) -> pd.DataFrame:
    """A researched CSV as strings, empty cells as ``""``."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def build(ctx) -> None:
    """Build step ``memberships``: the five tables listed in the module docstring."""
    def src(name: str, what: str) -> dict:
        return ctx.local_source(f"{SOURCE_DIR}/{name}", what, SOURCE_LICENCE, SOURCE_URL)

    def read(name: str) -> pd.DataFrame:
        return read_source(ctx.source_file(f"{SOURCE_DIR}/{name}"))

    def write(rel: str, text: str) -> None:
        ctx.out(rel).write_text(text, encoding="utf-8")

    s_members = src("regional_mountain_bodies_members.csv", "Researched member lists of regional mountain bodies")
    s_facts = src("regional_mountain_bodies_facts.csv", "Researched published facts on regional mountain bodies")
    s_pm = src("mountain_partnership_members_partial.csv", "Researched PARTIAL list of Mountain Partnership members")
    s_pc = src("mountain_partnership_membership_counts.csv", "Researched Mountain Partnership member counts over time")
    s_readme = src("README.md", "What the membership tables hold and how complete they are")

    rm = regional_members(read("regional_mountain_bodies_members.csv"))
    write("tables/regional_members.csv", _csv_text(rm))
    per_body = ", ".join(f"{b} {n}" for b, n in rm.groupby("body_id", sort=False).size().items())
    ctx.record("tables/regional_members.csv",
               f"Members of the Alpine and Carpathian Conventions, ICIMOD and the Andean Initiative ({per_body}), "
               "with ISO alpha-3 codes (empty for the European Union) and each row's source", [s_members, s_readme])

    rf = regional_facts(read("regional_mountain_bodies_facts.csv"))
    write("tables/regional_facts.csv", _csv_text(rf))
    ctx.record("tables/regional_facts.csv",
               "Published areas and dates of the regional bodies as published; disagreeing sources kept side by side; "
               "value_num only where the value is a plain number", [s_facts, s_readme])

    raw_pm = read("mountain_partnership_members_partial.csv")
    pm = partnership_members(raw_pm)
    fuzzy = [f"{n} -> {iso3_of(n)[0]}" for n, c in zip(pm["name"], pm["category"]) if c == "government" and iso3_of(n)[1] == "fuzzy"]
    write("tables/partnership_members.csv", _csv_text(pm))
    ctx.record("tables/partnership_members.csv",
               "Mountain Partnership members where a source lists them: a PARTIAL list (absent = not listed in our sources, "
               f"not a non-member); ISO codes for governments{'; matched by fuzzy search: ' + ', '.join(fuzzy) if fuzzy else ''}",
               [s_pm, s_readme])

    pc = partnership_counts(read("mountain_partnership_membership_counts.csv"))
    write("tables/partnership_counts.csv", _csv_text(pc))
    ctx.record("tables/partnership_counts.csv",
               "Mountain Partnership member counts by category over time; undated rows kept with an empty year", [s_pc, s_readme])

    meta = completeness(pm, pc)
    write("tables/partnership_meta.json", json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    ctx.record("tables/partnership_meta.json",
               f"How complete the Partnership government list is: {meta['governments_listed']} of {meta['governments_total']} listed",
               [s_pm, s_pc, s_readme])


__all__ = ["BODY_NAMES", "ALIASES", "regional_members", "regional_facts", "partnership_members", "partnership_counts",
           "completeness", "plain_number", "year_of", "normalise_category", "build"]
