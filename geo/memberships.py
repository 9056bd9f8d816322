"""Regional mountain bodies and the Mountain Partnership, from the researched tables in
``data/sources/memberships/`` (each row keeps its own source).

Absent from our Partnership list means "not listed in our sources", never "not a member":
the list is partial, and :func:`completeness` says how partial.
"""

from __future__ import annotations

import io
import json
import re

import pandas as pd

from geo.errors import BuildError

BODIES: dict[str, dict[str, str]] = {
    "alpine-convention": {"name_en": "Alpine Convention", "name_zh": "阿尔卑斯公约", "range_id": "alps"},
    "carpathian-convention": {"name_en": "Carpathian Convention", "name_zh": "喀尔巴阡公约", "range_id": "carpathians"},
    "icimod": {"name_en": "ICIMOD (International Centre for Integrated Mountain Development)", "name_zh": "国际山地综合开发中心", "range_id": "hindu-kush-himalaya"},
    "andean-initiative": {"name_en": "Andean Initiative of the Mountain Partnership", "name_zh": "山区伙伴关系安第斯倡议", "range_id": "andes"},
}

#: Names in the researched tables -> body id.
BODY_NAMES = {
    "Alpine Convention": "alpine-convention",
    "Carpathian Convention": "carpathian-convention",
    "ICIMOD": "icimod",
    "ICIMOD / HKH": "icimod",
    "Andean Mountain Initiative (Mountain Partnership Andean Initiative)": "andean-initiative",
    "Andes (7 countries)": "andean-initiative",
}

#: Country names in the sources that pycountry's lookup does not resolve by itself.
ALIASES = {
    "Democratic Republic of Congo": "COD",
    "Slovak Republic": "SVK",
    "Czech Republic": "CZE",
    "Iran": "IRN",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Republic of Korea": "KOR",
    "Türkiye": "TUR",
    "Turkey": "TUR",
}
NOT_A_STATE = {"European Union"}

SOURCE_DIR = "memberships"


def iso3_of(name: str) -> str | None:
    """ISO alpha-3 for a country name as written in the sources; None for the EU."""
    from geo.countries import iso3_lookup

    return None if name in NOT_A_STATE else iso3_lookup(name, ALIASES)


def _csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def regional_members(src: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, r in src.iterrows():
        body = BODY_NAMES.get(r["body"])
        if body is None:
            raise BuildError(f"regional_mountain_bodies_members.csv: unknown body {r['body']!r}")
        iso = iso3_of(r["member"])
        if iso is None and r["member"] not in NOT_A_STATE:
            raise BuildError(f"regional_mountain_bodies_members.csv: no ISO code for member {r['member']!r}")
        rows.append({"body_id": body, "body_name": BODIES[body]["name_en"], "member_name": r["member"], "iso3": iso or "",
                     "role": r["role"], "source": r["source"]})
    return pd.DataFrame(rows)


def regional_facts(src: pd.DataFrame) -> pd.DataFrame:
    out = src.copy()
    out.insert(0, "body_id", [BODY_NAMES.get(b, "") for b in out["body"]])
    missing = sorted(set(out.loc[out["body_id"] == "", "body"]))
    if missing:
        raise BuildError(f"regional_mountain_bodies_facts.csv: unknown bodies {missing}")
    # a number only where the published value is a plain number; never parse "more than 4 million"
    out["value_num"] = [str(v) if re.fullmatch(r"\d+(\.\d+)?", str(v).strip()) else "" for v in out["value"]]
    return out[["body_id", "field", "value", "value_num", "note", "source"]]


def _category(c: str) -> str:
    c = c.lower()
    if c.startswith("government"):
        return "government"
    if c.startswith("intergovernmental"):
        return "intergovernmental organization"
    if c.startswith("major group"):
        return "major group organization"
    raise BuildError(f"mountain_partnership_members_partial.csv: unknown category {c!r}")


def partnership_members(src: pd.DataFrame) -> pd.DataFrame:
    out = src.copy()
    out["category"] = [_category(c) for c in out["category"]]
    isos = []
    unmatched = []
    for _, r in out.iterrows():
        if r["category"] != "government":
            isos.append("")
            continue
        iso = iso3_of(r["member"])
        if iso is None:
            unmatched.append(r["member"])
        isos.append(iso or "")
    if unmatched:
        raise BuildError(f"mountain_partnership_members_partial.csv: government names without ISO code: {unmatched}")
    out["iso3"] = isos
    out = out.rename(columns={"member": "name"})
    return out[["name", "iso3", "category", "as_of", "certainty", "source"]]


def partnership_counts(src: pd.DataFrame) -> pd.DataFrame:
    out = src.copy()
    years = []
    for a in out["as_of"]:
        m = re.match(r"\s*((?:19|20)\d\d)", str(a))
        years.append(m.group(1) if m else "")
    out.insert(0, "year", years)
    return out[["year", "as_of", "governments", "intergovernmental_orgs", "major_group_orgs", "subnational_authorities", "note", "source"]]


def completeness(members: pd.DataFrame, counts: pd.DataFrame) -> dict:
    """How complete our government list is, against the published totals (both shown)."""
    gov = members[members["category"] == "government"]
    unsure = int(gov["certainty"].str.upper().str.contains("UNSURE").sum())
    listed = len(gov)
    undated = counts[(counts["year"] == "") & counts["governments"].notna()]
    latest_dated = counts[(counts["year"] != "") & counts["governments"].notna()].iloc[-1]
    total = int(undated.iloc[-1]["governments"]) if not undated.empty else int(latest_dated["governments"])
    total_src = undated.iloc[-1]["as_of"] if not undated.empty else latest_dated["as_of"]
    dated_total = int(latest_dated["governments"])
    en = (f"{listed} of {total} member governments listed here ({total}: {total_src}; {dated_total} reported for {latest_dated['as_of']}). "
          f"{unsure} of the {listed} names {'is' if unsure == 1 else 'are'} uncertain in their source. Names come from a Wikipedia list cut after 'Panama', "
          "FAO news of 2022 and the 2017-2021 Steering Committee; organization lists hold Steering Committee members only.")
    zh = (f"此处列出{total}个成员国政府中的{listed}个（{total}：{total_src}；{latest_dated['as_of']}报告为{dated_total}个）。"
          f"其中{unsure}个名称在来源中不确定。名单来自截至“Panama”的维基百科列表、粮农组织2022年新闻和2017-2021年指导委员会；组织名单仅含指导委员会成员。")
    return {
        "governments_listed": listed,
        "governments_listed_uncertain": unsure,
        "governments_total": total,
        "total_source": str(total_src),
        "governments_total_dated": dated_total,
        "dated_total_as_of": str(latest_dated["as_of"]),
        "as_of": "names: undated Wikipedia list, 2022 FAO news, 2017-2021 Steering Committee",
        "statement_en": en,
        "statement_zh": zh,
        "absent_means_en": "A country absent from this list is not listed in our sources; it may still be a member.",
        "absent_means_zh": "未列出的国家表示我们的资料中未列出，并不表示不是成员。",
    }


def build(ctx) -> None:
    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(ctx.source_file(f"{SOURCE_DIR}/{name}"), dtype=str, keep_default_na=False).replace("", pd.NA)

    def src(name: str, what: str) -> dict:
        return ctx.local_source(f"{SOURCE_DIR}/{name}", what, "facts with per-row sources (see the source column)",
                                "data/sources/memberships/README.md")

    members_src = read("regional_mountain_bodies_members.csv")
    rm = regional_members(members_src)
    ctx.out("tables/regional_members.csv").write_text(_csv(rm), encoding="utf-8")
    ctx.record("tables/regional_members.csv", "Members of the Alpine and Carpathian Conventions, ICIMOD and the Andean Initiative, with ISO codes and sources",
               [src("regional_mountain_bodies_members.csv", "Researched member lists of regional mountain bodies")])

    rf = regional_facts(read("regional_mountain_bodies_facts.csv").fillna(""))
    ctx.out("tables/regional_facts.csv").write_text(_csv(rf), encoding="utf-8")
    ctx.record("tables/regional_facts.csv", "Published areas and dates of the regional bodies; disagreeing sources kept side by side",
               [src("regional_mountain_bodies_facts.csv", "Researched facts on regional mountain bodies")])

    pm = partnership_members(read("mountain_partnership_members_partial.csv").fillna(""))
    ctx.out("tables/partnership_members.csv").write_text(_csv(pm), encoding="utf-8")
    ctx.record("tables/partnership_members.csv", "Mountain Partnership members where a source lists them (PARTIAL list)",
               [src("mountain_partnership_members_partial.csv", "Researched partial list of Mountain Partnership members")])

    pc = partnership_counts(read("mountain_partnership_membership_counts.csv").fillna(""))
    pc_num = pc.copy()
    for c in ("governments", "intergovernmental_orgs", "major_group_orgs", "subnational_authorities"):
        pc_num[c] = pd.to_numeric(pc_num[c].replace("", pd.NA))
    ctx.out("tables/partnership_counts.csv").write_text(_csv(pc), encoding="utf-8")
    ctx.record("tables/partnership_counts.csv", "Mountain Partnership member counts by category over time (undated rows kept with an empty year)",
               [src("mountain_partnership_membership_counts.csv", "Researched Mountain Partnership member counts")])

    meta = completeness(pm, pc_num)
    ctx.out("tables/partnership_meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    ctx.record("tables/partnership_meta.json", "How complete the Partnership member list is, with the totals it is compared to",
               [src("mountain_partnership_members_partial.csv", "Researched partial list of Mountain Partnership members"),
                src("mountain_partnership_membership_counts.csv", "Researched Mountain Partnership member counts")])
