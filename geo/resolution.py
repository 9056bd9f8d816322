"""The text of A/RES/62/196: clean paragraphs with stable ids, and their links to maps.

The official text is the Chinese version, extracted from the UN's PDF: lines are broken
mid-sentence, footnote bodies sit where page breaks fell (after a separator line of spaces),
and footnote markers stand on lines of their own. :func:`parse` rebuilds the paragraphs:

- ``PP1..PPn``: preamble paragraphs (after "大会，"), each ending with "，";
- ``OP1..OP39``: operative paragraphs, numbered "1." to "39.";
- ``FN1..FNn``: footnotes, taken out of the flow; a paragraph keeps the ids it cites, and its
  text keeps a superscript marker (¹, ², ...) where the footnote was cited;
- ``ADOPTED``: the date and meeting of adoption.

Line breaks are joined without spaces next to Chinese characters (the PDF's spacing around
numbers is not part of the text); spaces between Latin words and numbers are kept.

English summaries (``data/sources/resolution/summary_en.json``) and the paragraph-to-map links
(``data/sources/resolution/links.csv``) are written by this project; the summaries are
unofficial and labelled so wherever they are shown.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field

from geo.errors import BuildError

N_OPERATIVE = 39
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
VIEWS = ("world", "alps", "carpathians", "hindu-kush-himalaya", "andes", "partnership", "indicators")

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef《》“”、，。；：（）"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_OP_START = re.compile(r"^\s+(\d{1,2})\.\s")
_MARKER = re.compile(r"^\s*(\d{1,2})\s*$")
_SEPARATOR = re.compile(r"^\s{20,}$")
_ADOPTED = re.compile(r"^\d{4}\s*年.*日\s*$")


@dataclass
class Paragraph:
    id: str
    kind: str  # title | preamble | operative | footnote | adopted
    number: int | None
    text_zh: str
    footnotes: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Join a paragraph's pieces: no spaces next to Chinese characters, single spaces elsewhere."""
    text = re.sub(r"\s+", " ", text).strip()
    return _SPACE_NEAR_CJK.sub("", text)


def parse(raw: str) -> list[Paragraph]:
    """Paragraphs of the resolution in document order (see the module docstring)."""
    lines = raw.splitlines()
    paras: list[Paragraph] = []
    foot: dict[int, list[str]] = {}
    cur: Paragraph | None = None
    pieces: dict[str, list[str]] = {}
    in_footnotes = False
    cur_fn: int | None = None
    section = "title"
    next_op = 1

    def start(pid: str, kind: str, number: int | None) -> Paragraph:
        p = Paragraph(pid, kind, number, "")
        paras.append(p)
        pieces[pid] = []
        return p

    def ended(p: Paragraph | None) -> bool:
        if p is None:
            return True
        txt = "".join(pieces[p.id]).rstrip().rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹").rstrip()
        return txt.endswith(("，", "；", "。", ","))

    for line in lines:
        if _SEPARATOR.match(line):
            in_footnotes, cur_fn = True, None
            continue
        if not line.strip():
            continue
        if in_footnotes:
            m = _MARKER.match(line)
            if m:
                cur_fn = int(m.group(1))
                foot[cur_fn] = []
                continue
            if cur_fn is not None and not foot[cur_fn]:
                foot[cur_fn].append(line)  # first line of the footnote body
                continue
            if cur_fn is not None and not line[0].isspace():
                foot[cur_fn].append(line)  # continuation lines of a footnote start flush left
                continue
            in_footnotes, cur_fn = False, None  # an indented line: the page's text goes on
        m = _MARKER.match(line)
        if m and cur is not None:
            n = int(m.group(1))
            pieces[cur.id].append(str(n).translate(SUPERSCRIPT))
            if f"FN{n}" not in cur.footnotes:
                cur.footnotes.append(f"FN{n}")
            continue
        stripped = line.strip()
        if section == "title":
            start("TITLE", "title", None)
            pieces["TITLE"].append(stripped)
            section = "assembly"
            continue
        if section == "assembly":
            if stripped.startswith("大会"):
                section = "preamble"
                continue
        op = _OP_START.match(line)
        if op and int(op.group(1)) == next_op and ended(cur):
            section = "operative"
            cur = start(f"OP{next_op}", "operative", next_op)
            pieces[cur.id].append(line[op.end():])
            next_op += 1
            continue
        if section == "operative" and next_op > N_OPERATIVE and ended(cur) and _ADOPTED.match(stripped):
            cur = start("ADOPTED", "adopted", None)
            pieces[cur.id].append(stripped + " ")
            section = "adopted"
            continue
        if section == "preamble" and line[0].isspace() and ended(cur):
            n = sum(1 for p in paras if p.kind == "preamble") + 1
            cur = start(f"PP{n}", "preamble", n)
            pieces[cur.id].append(stripped)
            continue
        if cur is None:
            raise BuildError(f"text before the first paragraph: {stripped[:40]!r}")
        pieces[cur.id].append(line)

    for p in paras:
        p.text_zh = clean(" ".join(pieces[p.id]) if p.kind == "adopted" else "".join(pieces[p.id]))
    for n in sorted(foot):
        paras.append(Paragraph(f"FN{n}", "footnote", n, clean("".join(foot[n]))))
    return paras


def validate(paras: list[Paragraph]) -> None:
    """Raise :class:`BuildError` naming what is wrong with a parse."""
    ops = [p.number for p in paras if p.kind == "operative"]
    if ops != list(range(1, N_OPERATIVE + 1)):
        missing = sorted(set(range(1, N_OPERATIVE + 1)) - set(ops))
        raise BuildError(f"expected operative paragraphs 1..{N_OPERATIVE}; missing {missing}, found {len(ops)}")
    fns = {p.id for p in paras if p.kind == "footnote"}
    for p in paras:
        for f in p.footnotes:
            if f not in fns:
                raise BuildError(f"{p.id} cites {f}, which has no footnote text")
        if re.search(r"A/RES/62/196|^\d+$|\s{2,}", p.text_zh):
            raise BuildError(f"{p.id} still holds page-break debris: {p.text_zh[:60]!r}")
    cited = {f for p in paras for f in p.footnotes}
    if fns - cited:
        raise BuildError(f"footnotes never cited: {sorted(fns - cited)}")


def read_summaries(path) -> dict[str, dict]:
    doc = json.loads(open(path, encoding="utf-8").read())
    return doc["paragraphs"]


def read_links(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def check_links(links: list[dict], paras: list[Paragraph]) -> None:
    from geo import catalog

    ids = {p.id for p in paras}
    for i, row in enumerate(links, 2):
        if row["paragraph_id"] not in ids:
            raise BuildError(f"links.csv line {i}: unknown paragraph {row['paragraph_id']!r}")
        if row["view"] not in VIEWS:
            raise BuildError(f"links.csv line {i}: unknown view {row['view']!r}; views are {VIEWS}")
        for lid in filter(None, row["layers"].split(";")):
            if lid not in catalog.LAYERS and lid != "partnership_timeline":
                raise BuildError(f"links.csv line {i}: unknown layer {lid!r}")
    linked = {r["view"] for r in links}
    unlinked = set(VIEWS) - {"indicators"} - linked
    if unlinked:
        raise BuildError(f"links.csv links no paragraph to views {sorted(unlinked)}")


def build(ctx) -> None:
    raw = ctx.source_file("resolution/A_RES_62_196_zh.txt").read_text(encoding="utf-8")
    paras = parse(raw)
    validate(paras)
    summaries = read_summaries(ctx.source_file("resolution/summary_en.json"))
    missing = [p.id for p in paras if p.id not in summaries]
    if missing:
        raise BuildError(f"summary_en.json has no summary for {missing}")
    extra = sorted(set(summaries) - {p.id for p in paras})
    if extra:
        raise BuildError(f"summary_en.json summarises paragraphs the text does not have: {extra}")
    out = []
    for p in paras:
        s = summaries[p.id]
        out.append({**asdict(p), "summary_en": s["summary_en"], "title_en": s["title_en"], "title_zh": s["title_zh"]})
    ctx.out("resolution/paragraphs.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text_src = ctx.local_source("resolution/A_RES_62_196_zh.txt", "United Nations General Assembly, A/RES/62/196, adopted 19 December 2007 (official Chinese text)",
                                "UN document (public)", "https://undocs.org/zh/A/RES/62/196")
    sum_src = ctx.local_source("resolution/summary_en.json", "Unofficial English summaries and short titles written by Mountain Atlas",
                               "CC BY 4.0", "data/sources/resolution/PROVENANCE.md")
    ctx.record("resolution/paragraphs.json", "The resolution's paragraphs (preamble, operative, footnotes, adoption) with stable ids; "
               "official Chinese text with unofficial English summaries", [text_src, sum_src])

    links = read_links(ctx.source_file("resolution/links.csv"))
    check_links(links, paras)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["paragraph_id", "view", "layers", "note"], lineterminator="\n")
    w.writeheader()
    for r in links:
        w.writerow({k: r[k] for k in ("paragraph_id", "view", "layers", "note")})
    ctx.out("resolution/links.csv").write_text(buf.getvalue(), encoding="utf-8")
    ctx.record("resolution/links.csv", "Which maps and layers illustrate which paragraphs (authored by Mountain Atlas)",
               [ctx.local_source("resolution/links.csv", "Paragraph-to-map links written by Mountain Atlas", "CC BY 4.0", "data/sources/resolution/PROVENANCE.md")])
