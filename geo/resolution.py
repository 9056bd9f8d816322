"""The text of A/RES/62/196: clean paragraphs with stable ids, and their links to maps.

The official text shown by the atlas is the Chinese version, extracted from the UN's PDF
(``data/sources/resolution/A_RES_62_196_zh.txt``). The extraction is messy: lines break in the
middle of words, footnote bodies sit wherever a page ended (after a separator line), footnote
reference markers stand on lines of their own, continuation lines after a page break are
indented like paragraph starts, and spacing around numbers is inconsistent
("2002 年 10 月 28日至 11月 1日"). :func:`parse` rebuilds the document:

``TITLE``
    the title line ("62/196. 山区可持续发展").
``PP1`` .. ``PPn``
    preamble paragraphs: after "大会，", each starts on an indented line once the previous
    one has ended with "，".
``OP1`` .. ``OP39``
    operative paragraphs, numbered "1." to "39." in order.
``FN1`` .. ``FNn``
    footnotes, taken out of the paragraph they interrupted.

Footnote references
    A paragraph lists the footnotes it cites in ``footnotes`` (ids, order of first citation) and
    its text carries a plain marker ``[n]`` where footnote *n* was cited (no superscript digits,
    so the text copies, searches and renders the same everywhere).
Spaces
    Lines are joined, then every space next to a Chinese character or full-width punctuation is
    dropped: the PDF's spaces around numbers are typesetting, not text (the source itself writes
    both "10 月" and "10月"). Spaces between two Latin or numeric tokens are kept, as is one space
    before a web address, and the space after the resolution number in the title.
Adoption line
    "2007 年 12 月 19 日 / 第 78 次全体会议" closes the text; it is not a paragraph.
    :func:`adoption` returns it and the build records it in the manifest.

Written by the project (``data/sources/resolution/``): ``summary_en.json`` (short English and
Chinese titles and unofficial English summaries of every paragraph) and ``links.csv`` (which map
view and layers illustrate which paragraph). The summaries are **unofficial**; every consumer
must show :data:`UNOFFICIAL_NOTE` next to them.

:func:`build` is the ``resolution`` step of :mod:`geo.build`. The app reads its outputs through
:mod:`geo.data` (``paragraphs``, ``links``, ``paragraphs_for_view``, ``views_for_paragraph``);
the views and layers a link may name are the catalogue's (:func:`geo.catalog.link_layers`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from geo import catalog
from geo.errors import BuildError

#: Operative paragraphs the resolution has ("1." .. "39.").
N_OPERATIVE = 39
#: Preamble paragraphs and footnotes found in the official Chinese text; a parse giving other
#: counts has merged or split something.
N_PREAMBLE = 7
N_FOOTNOTES = 10
#: Adoption date and meeting, as the text states them (joined).
ADOPTED_ZH = "2007年12月19日 第78次全体会议"

KINDS = ("title", "preamble", "operative", "footnote")
#: What every place showing a summary must say.
UNOFFICIAL_NOTE = "Unofficial summary by the Mountain Atlas project; the official text is the Chinese version shown."
LINK_FIELDS = ("paragraph_id", "view", "layers", "note", "note_zh")
PARAGRAPH_FIELDS = ("id", "kind", "number", "text_zh", "summary_en", "title_en", "title_zh", "footnotes")

TEXT_FILE = "resolution/A_RES_62_196_zh.txt"
SUMMARY_FILE = "resolution/summary_en.json"
LINKS_FILE = "resolution/links.csv"
OUT_PARAGRAPHS = "resolution/paragraphs.json"
OUT_LINKS = "resolution/links.csv"

# Chinese characters and full-width punctuation: no space is kept next to any of them.
_CJK_CLASS = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d\u2026\u2014"
_CJK = re.compile(f"[{_CJK_CLASS}]")
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK_CLASS}])\s+|\s+(?=[{_CJK_CLASS}])")
_CJK_SPACE_CJK = re.compile(rf"[{_CJK_CLASS}]\s+[{_CJK_CLASS}]")
_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef]+?(?=[。，；）]|\s|$)")

# Page-break debris of a UN PDF. The separator before footnotes is a line of spaces (this file)
# or of underscores; headers and footers carry the document symbol, the job number
# ("07-47286") and page numbers. Only the separator occurs in this file; the others are
# dropped too, in case another extraction of the same document is used.
_SEPARATOR = re.compile(r"^(?:\s{20,}|\s*_{5,}\s*)$")
_HEADER = re.compile(r"^\s*(?:A/RES/62/196\b.*|\d{2}-\d{5}\b.*|\d{1,3}\s*/\s*\d{1,3}|[-–]\s*\d{1,3}\s*[-–])\s*$")
_MARKER_LINE = re.compile(r"^\s*(\d{1,2})\s*$")
_OP_START = re.compile(r"^\s+(\d{1,2})\.\s*(?=\S)")
_TITLE = re.compile(r"^\s*(\d{2}/\d{1,3})\.\s*(\S.*?)\s*$")
_ASSEMBLY = re.compile(r"^\s*大会\s*，\s*$")
_DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_MEETING_LINE = re.compile(r"^\s*第\s*\d+\s*次全体会议\s*$")
_REF = re.compile(r"\[(\d{1,2})\]")
_MAX_GAP = 3

#: Patterns no paragraph text may contain once parsed (name, pattern).
DEBRIS = (
    ("document symbol", re.compile(r"A/RES/62/196")),
    ("job number", re.compile(r"(?<![\d/])\d{2}-\d{5}(?!\d)")),
    ("separator line", re.compile(r"_{3,}")),
    ("line break", re.compile(r"[\r\n\f]")),
    ("double space", re.compile(r"\s{2,}")),
    ("leading or trailing space", re.compile(r"^\s|\s$")),
    ("superscript digit", re.compile("[\u00b9\u00b2\u00b3\u2070-\u2079]")),
    ("space between Chinese characters", _CJK_SPACE_CJK),
    ("adoption line", re.compile(r"第\s*78\s*次全体会议")),
)


@dataclass
class Paragraph:
    """One paragraph of the resolution.

    Attributes
    ----------
    id : str
        ``TITLE``, ``PP<n>``, ``OP<n>`` or ``FN<n>``.
    kind : str
        One of :data:`KINDS`.
    number : int or None
        The paragraph's number within its kind (``None`` for the title).
    text_zh : str
        The official Chinese text, cleaned; footnote references appear as ``[n]``.
    footnotes : list of str
        Ids of the footnotes the paragraph cites, in order of first citation.
    """

    id: str
    kind: str
    number: int | None
    text_zh: str
    footnotes: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Join the pieces of a paragraph into one clean line.

    Parameters
    ----------
    text : str
        Raw text, possibly spanning several lines.

    Returns
    -------
    str
        Whitespace collapsed to single spaces; no space next to a Chinese character or
        full-width punctuation, except one space kept before a web address.

    Examples
    --------
    >>> clean("回顾其 1998 年 11 月\\n10 日")
    '回顾其1998年11月10日'
    """
    text = re.sub(r"\s+", " ", text).strip()
    urls: list[str] = []

    def hold(m: re.Match) -> str:
        urls.append(m.group(0))
        return f"\x00{len(urls) - 1}\x00"

    text = _URL.sub(hold, text)
    text = _SPACE_NEXT_TO_CJK.sub("", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: urls[int(m.group(1))], text)
    text = re.sub(rf"(?<=[{_CJK_CLASS}])(?=https?://|www\.)", " ", text)
    return text


def _ends_paragraph(pieces: list[str]) -> bool:
    """Whether the text gathered so far ends like a paragraph ("，", "；" or "。")."""
    txt = _REF.sub("", " ".join(pieces)).rstrip()
    return txt.endswith(("，", "；", "。"))


def adoption(raw: str) -> str:
    """The adoption line at the end of the text, e.g. ``"2007年12月19日 第78次全体会议"``.

    Parameters
    ----------
    raw : str
        The raw extracted text.

    Returns
    -------
    str
        Date and meeting joined by one space.

    Raises
    ------
    BuildError
        If the text does not end with a date line followed by a plenary meeting line.
    """
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    if len(lines) < 2 or not (_DATE_LINE.match(lines[-2]) and _MEETING_LINE.match(lines[-1])):
        raise BuildError("the text does not end with its adoption date and plenary meeting")
    return clean(lines[-2]) + " " + clean(lines[-1])


def parse(raw: str) -> list[Paragraph]:
    """Rebuild the resolution's paragraphs from the extracted text.

    Parameters
    ----------
    raw : str
        The raw text of ``A_RES_62_196_zh.txt``.

    Returns
    -------
    list of Paragraph
        The title, preamble paragraphs, operative paragraphs in document order, then the
        footnotes in number order. Deterministic: the same text gives the same list.

    Raises
    ------
    BuildError
        If text appears before the title or the "大会，" line, or a footnote block has no number.

    Notes
    -----
    Parsing does not check counts; :func:`validate` does.
    """
    paras: list[Paragraph] = []
    pieces: dict[str, list[str]] = {}
    foot: dict[int, list[str]] = {}
    cur: Paragraph | None = None
    section = "title"  # title -> assembly -> preamble -> operative -> end
    in_footnotes = False
    cur_fn: int | None = None
    next_op = 1
    n_pp = 0

    def start(pid: str, kind: str, number: int | None) -> Paragraph:
        p = Paragraph(pid, kind, number, "")
        paras.append(p)
        pieces[pid] = []
        return p

    for line in raw.splitlines():
        if _SEPARATOR.match(line):  # before stripping: the separator is a line of spaces
            in_footnotes, cur_fn = True, None
            continue
        line = line.rstrip()
        if not line.strip() or _HEADER.match(line):
            continue
        if in_footnotes:
            m = _MARKER_LINE.match(line)
            if m:
                cur_fn = int(m.group(1))
                if cur_fn in foot:
                    raise BuildError(f"footnote {cur_fn} appears twice in the footnote blocks")
                foot[cur_fn] = []
                continue
            if cur_fn is None:
                raise BuildError(f"footnote text without a number after a page separator: {line.strip()[:40]!r}")
            op = _OP_START.match(line)
            if not (op and int(op.group(1)) == next_op) and (not foot[cur_fn] or not line[0].isspace()):
                foot[cur_fn].append(line)  # first body line, or a flush-left continuation
                continue
            in_footnotes, cur_fn = False, None  # an indented line or the next "n.": the page's text resumes
        if section == "operative" and next_op > N_OPERATIVE and cur is not None and _ends_paragraph(pieces[cur.id]) \
                and (_DATE_LINE.match(line) or _MEETING_LINE.match(line)):
            section = "end"
            continue
        if section == "end":
            if _DATE_LINE.match(line) or _MEETING_LINE.match(line):
                continue
            raise BuildError(f"text after the adoption line: {line.strip()[:40]!r}")
        m = _MARKER_LINE.match(line)
        if m and cur is not None:
            fid = f"FN{int(m.group(1))}"
            pieces[cur.id].append(f"[{int(m.group(1))}]")
            if fid not in cur.footnotes:
                cur.footnotes.append(fid)
            continue
        if section == "title":
            t = start("TITLE", "title", None)
            pieces[t.id].append(line)
            section = "assembly"
            continue
        if section == "assembly":
            if not _ASSEMBLY.match(line):
                raise BuildError(f"expected '大会，' after the title, found {line.strip()[:40]!r}")
            section = "preamble"
            continue
        op = _OP_START.match(line)
        # the next number, or one a little further on (a lost paragraph is then reported by
        # validate as missing instead of being swallowed by the one before)
        if op and next_op <= int(op.group(1)) <= next_op + _MAX_GAP and (cur is None or _ends_paragraph(pieces[cur.id])):
            section = "operative"
            n = int(op.group(1))
            cur = start(f"OP{n}", "operative", n)
            pieces[cur.id].append(line[op.end():])
            next_op = n + 1
            continue
        if section == "preamble" and line[0].isspace() and (cur is None or _ends_paragraph(pieces[cur.id])):
            n_pp += 1
            cur = start(f"PP{n_pp}", "preamble", n_pp)
            pieces[cur.id].append(line)
            continue
        if cur is None:
            raise BuildError(f"text before the first paragraph: {line.strip()[:40]!r}")
        pieces[cur.id].append(line)

    for p in paras:
        p.text_zh = clean(" ".join(pieces[p.id]))
        if p.kind == "title":
            m = _TITLE.match(" ".join(pieces[p.id]))
            if m:
                p.text_zh = f"{m.group(1)}. {clean(m.group(2))}"
    for n in sorted(foot):
        paras.append(Paragraph(f"FN{n}", "footnote", n, clean(" ".join(foot[n]))))
    return paras


def validate(paras: list[Paragraph]) -> None:
    """Check a parse; raise naming the first thing that is wrong.

    Parameters
    ----------
    paras : list of Paragraph
        Output of :func:`parse`.

    Raises
    ------
    BuildError
        Wrong paragraph counts or numbering (naming the missing numbers), a preamble or
        operative paragraph that does not end as one does, page-break debris in any text,
        footnote text left inside a paragraph, references without footnotes or footnotes
        never referenced.
    """
    bad_kind = [p.id for p in paras if p.kind not in KINDS]
    if bad_kind:
        raise BuildError(f"paragraphs of unknown kind: {bad_kind}")
    titles = [p for p in paras if p.kind == "title"]
    if len(titles) != 1 or titles[0].text_zh != "62/196. 山区可持续发展":
        raise BuildError(f"expected one title '62/196. 山区可持续发展', found {[t.text_zh for t in titles]}")
    for kind, expected in (("operative", N_OPERATIVE), ("preamble", N_PREAMBLE), ("footnote", N_FOOTNOTES)):
        nums = [p.number for p in paras if p.kind == kind]
        if nums != list(range(1, expected + 1)):
            missing = sorted(set(range(1, expected + 1)) - set(nums))
            extra = sorted(set(nums) - set(range(1, expected + 1)))
            raise BuildError(f"expected {kind} paragraphs 1..{expected} in order; found {len(nums)}, "
                             f"missing {missing}, unexpected {extra}")
    order = [p.kind for p in paras]
    if order != sorted(order, key=KINDS.index):
        raise BuildError("paragraphs are not in document order (title, preamble, operative, footnotes)")
    fn_text = {p.id: p.text_zh for p in paras if p.kind == "footnote"}
    for p in paras:
        if not p.text_zh:
            raise BuildError(f"{p.id} has no text")
        for name, pat in DEBRIS:
            m = pat.search(p.text_zh)
            if m:
                raise BuildError(f"{p.id} holds page-break debris ({name}) near {p.text_zh[max(0, m.start() - 15):m.end() + 15]!r}")
        bare = _REF.sub("", p.text_zh)
        if p.kind == "preamble" and not bare.endswith("，"):
            raise BuildError(f"{p.id} does not end with '，' (merged or cut): ...{p.text_zh[-30:]!r}")
        if p.kind == "operative" and not bare.endswith("；" if p.number < N_OPERATIVE else "。"):
            raise BuildError(f"{p.id} does not end as an operative paragraph (merged or cut): ...{p.text_zh[-30:]!r}")
        if p.kind != "footnote":
            refs = list(dict.fromkeys(f"FN{n}" for n in _REF.findall(p.text_zh)))
            if refs != p.footnotes:
                raise BuildError(f"{p.id}: markers {refs} in the text disagree with its footnote list {p.footnotes}")
            for fid in p.footnotes:
                if fid not in fn_text:
                    raise BuildError(f"{p.id} cites {fid}, which has no footnote text")
            for fid, body in fn_text.items():
                core = body.rstrip("。")
                if len(core) >= 6 and core in p.text_zh:
                    raise BuildError(f"{p.id} still contains the text of {fid}: {core[:40]!r}")
        elif p.footnotes or _REF.search(p.text_zh):
            raise BuildError(f"footnote {p.id} cites footnotes itself")
    cited = {f for p in paras for f in p.footnotes}
    never = sorted(set(fn_text) - cited, key=lambda s: int(s[2:]))
    if never:
        raise BuildError(f"footnotes never cited: {never}")


# ---------------------------------------------------------------------------------------
# authored inputs

def read_summaries(path: Path | str) -> dict[str, dict]:
    """Read ``summary_en.json`` and check its unofficial notice.

    Parameters
    ----------
    path : path-like
        The summary file.

    Returns
    -------
    dict
        ``{paragraph id: {"title_en", "title_zh", "summary_en"}}``.

    Raises
    ------
    BuildError
        If the file is not valid JSON or lacks the :data:`UNOFFICIAL_NOTE` notice.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BuildError(f"cannot read {path}: {e}") from e
    if UNOFFICIAL_NOTE not in str(doc.get("about", "")):
        raise BuildError(f"{path}: 'about' must carry the notice {UNOFFICIAL_NOTE!r}")
    return doc.get("paragraphs", {})


def check_summaries(summaries: dict[str, dict], paras: list[Paragraph]) -> None:
    """Every paragraph has a non-empty English summary and short titles, and nothing else.

    Raises
    ------
    BuildError
        Naming paragraphs without a summary or title, and summaries of paragraphs that do not exist.
    """
    ids = [p.id for p in paras]
    missing = [i for i in ids if i not in summaries]
    if missing:
        raise BuildError(f"summary_en.json has no entry for {missing}")
    extra = sorted(set(summaries) - set(ids))
    if extra:
        raise BuildError(f"summary_en.json has entries for paragraphs the text does not have: {extra}")
    for i in ids:
        empty = [k for k in ("summary_en", "title_en", "title_zh") if not str(summaries[i].get(k, "")).strip()]
        if empty:
            raise BuildError(f"summary_en.json: {i} has empty {empty}")


def read_links(path: Path | str) -> list[dict]:
    """Rows of an authored or built link table (``paragraph_id,view,layers,note,note_zh``).

    Raises
    ------
    BuildError
        If the file cannot be read or its header is not exactly :data:`LINK_FIELDS`.
    """
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = tuple(reader.fieldnames or ())
    except OSError as e:
        raise BuildError(f"cannot read {path}: {e}") from e
    if header != LINK_FIELDS:
        raise BuildError(f"{path}: header must be {','.join(LINK_FIELDS)}, found {','.join(header)}")
    return rows


def check_links(links: list[dict], paras: list[Paragraph]) -> None:
    """Every link names an existing paragraph, an allowed view and allowed layers.

    Also: no paragraph is linked twice to the same view, and every view but ``indicators``
    is linked from at least one paragraph.

    Raises
    ------
    BuildError
        Naming the line of the first bad row, or the views nothing links to.
    """
    ids = {p.id for p in paras}
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(links, 2):
        pid, view = row.get("paragraph_id") or "", row.get("view") or ""
        if pid not in ids:
            raise BuildError(f"links.csv line {i}: paragraph {pid!r} does not exist")
        if view not in catalog.MAP_PAGES:
            raise BuildError(f"links.csv line {i}: view {view!r} is not one of {catalog.MAP_PAGES}")
        if (pid, view) in seen:
            raise BuildError(f"links.csv line {i}: {pid} is linked to {view} twice")
        seen.add((pid, view))
        layers = (row.get("layers") or "").split(";")
        if not all(layers):
            raise BuildError(f"links.csv line {i}: empty layer id in {row.get('layers')!r}")
        allowed = catalog.link_layers(view)
        for lid in layers:
            if lid not in catalog.LAYERS:
                raise BuildError(f"links.csv line {i}: layer {lid!r} is not a catalogue layer id")
            if lid not in allowed:
                raise BuildError(f"links.csv line {i}: layer {lid!r} cannot be shown on {view}")
        if not (row.get("note") or "").strip():
            raise BuildError(f"links.csv line {i}: note is empty")
        if not re.search(r"[\u4e00-\u9fff]", row.get("note_zh") or ""):
            raise BuildError(f"links.csv line {i}: note_zh has no Chinese note")
    unlinked = [v for v in catalog.VIEWS if v not in {r["view"] for r in links}]
    if unlinked:
        raise BuildError(f"links.csv links no paragraph to views {unlinked}")


# ---------------------------------------------------------------------------------------
# build step

def build(ctx) -> None:
    """The ``resolution`` build step: parse, validate, write paragraphs and links.

    Parameters
    ----------
    ctx : geo.build.BuildContext
        Gives the source files and where to write.

    Raises
    ------
    BuildError
        On any validation failure (see :func:`validate`, :func:`check_summaries`,
        :func:`check_links`); nothing is written to ``data/`` then.
    """
    raw = ctx.source_file(TEXT_FILE).read_text(encoding="utf-8")
    adopted = adoption(raw)
    if adopted != ADOPTED_ZH:
        raise BuildError(f"adoption line is {adopted!r}, expected {ADOPTED_ZH!r}: is this A/RES/62/196?")
    paras = parse(raw)
    validate(paras)
    summaries = read_summaries(ctx.source_file(SUMMARY_FILE))
    check_summaries(summaries, paras)
    links = read_links(ctx.source_file(LINKS_FILE))
    check_links(links, paras)

    out = []
    for p in paras:
        s = summaries[p.id]
        row = {"id": p.id, "kind": p.kind, "number": p.number, "text_zh": p.text_zh, "summary_en": s["summary_en"].strip(),
               "title_en": s["title_en"].strip(), "title_zh": s["title_zh"].strip(), "footnotes": list(p.footnotes)}
        out.append({k: row[k] for k in PARAGRAPH_FIELDS})
    ctx.out(OUT_PARAGRAPHS).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    text_src = ctx.local_source(TEXT_FILE, "United Nations General Assembly, resolution A/RES/62/196 'Sustainable mountain development', "
                                "adopted 19 December 2007 (78th plenary meeting); official Chinese version",
                                "United Nations official document", "https://undocs.org/zh/A/RES/62/196",
                                "Extracted from the UN PDF; copied unchanged from the project's research seed (see PROVENANCE.md)",
                                cites="resolution")
    sum_src = ctx.local_source(SUMMARY_FILE, "English summaries and short titles authored by the Mountain Atlas project (unofficial)",
                               "CC BY 4.0", "data/sources/resolution/PROVENANCE.md", UNOFFICIAL_NOTE)
    counts = {k: sum(p.kind == k for p in paras) for k in KINDS}
    ctx.record(OUT_PARAGRAPHS,
               f"Paragraphs of A/RES/62/196 with stable ids ({counts['preamble']} preamble, {counts['operative']} operative, "
               f"{counts['footnote']} footnotes, plus the title): official Chinese text; summary_en, title_en and title_zh "
               f"are not official. {UNOFFICIAL_NOTE}",
               [text_src, sum_src], adopted=adopted)

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(LINK_FIELDS), lineterminator="\n")
    w.writeheader()
    for r in links:
        w.writerow({k: r[k].strip() for k in LINK_FIELDS})
    ctx.out(OUT_LINKS).write_text(buf.getvalue(), encoding="utf-8")
    ctx.record(OUT_LINKS, "Which map view and layers illustrate which paragraph of A/RES/62/196 (chosen by the Mountain Atlas project)",
               [ctx.local_source(LINKS_FILE, "Paragraph-to-map links authored by the Mountain Atlas project", "CC BY 4.0",
                                 "data/sources/resolution/PROVENANCE.md")])


# ---------------------------------------------------------------------------------------
# readers for the app (pure: no Streamlit, no caching)
