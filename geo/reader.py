"""The resolution reader's plain parts: which paragraph, its neighbours, its map states, the
official document's addresses. No Streamlit; :func:`geo.ui.resolution_page` lays it out.

The project writes no official text: the official text shown is the Chinese version
(``data/resolution/paragraphs.json``); the official document in the UN's six languages is
linked by its symbol through the UN Official Document System's short addresses
(``https://undocs.org/<language>/<symbol>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from geo import catalog
from geo.state import ViewState

SYMBOL = "A/RES/62/196"
#: The UN's six official languages, as the UN lists them, each named in its own language.
OFFICIAL_LANGUAGES = (
    ("ar", "العربية"),
    ("zh", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
)
KINDS = ("preamble", "operative", "footnote")
_MAX_LEN = 16


def official_url(lang_code: str) -> str:
    """The UN Official Document System address of A/RES/62/196 in one of the six languages."""
    if lang_code not in dict(OFFICIAL_LANGUAGES):
        raise ValueError(f"not a UN official language code: {lang_code!r}")
    return f"https://undocs.org/{lang_code}/{SYMBOL}"


def readable(paragraphs: list[dict]) -> list[dict]:
    """The paragraphs a reader can choose, in document order (the title is not one)."""
    return [p for p in paragraphs if p.get("kind") in KINDS]


def choose(raw: list[str] | None, ids: list[str]) -> tuple[str, bool]:
    """The paragraph named by the ``p`` URL parameter, checked against ``ids``.

    Returns ``(paragraph id, rejected)``: no parameter gives the first paragraph; a value that
    is not exactly one known id (case-insensitive, e.g. ``op28``) gives the first paragraph and
    ``rejected=True``.
    """
    if not raw:
        return ids[0], False
    if len(raw) != 1 or not isinstance(raw[0], str) or len(raw[0]) > _MAX_LEN:
        return ids[0], True
    want = raw[0].strip().upper()
    return (want, False) if want in ids else (ids[0], True)


def neighbours(pid: str, ids: list[str]) -> tuple[str | None, str | None]:
    """``(previous, next)`` paragraph ids (None at either end)."""
    i = ids.index(pid)
    return (ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None)


@dataclass(frozen=True)
class MapLink:
    """One map that illustrates a paragraph: the state to draw and the page that shows it."""

    state: ViewState
    page: str  # view id of the page that opens this map on its own ("indicators" or a view)
    note: str  # what the map shows, from links.csv (project-written) in the page's language


def link_state(view: str, layer_ids: tuple[str, ...], lang: str) -> ViewState:
    """The map state of a link: the view's defaults plus the linked layers and indicator
    (ids not allowed on the view are dropped). A link to the indicators page is the world
    map with terrain and the linked indicator, as that page draws it."""
    if view in catalog.VIEWS:
        base = ViewState.default(view)
        allowed = catalog.view(view).allowed_layers
        lyr = tuple(dict.fromkeys([*base.layers, *[x for x in layer_ids if x in allowed]]))
        ind = next((x for x in layer_ids if x in catalog.INDICATORS), base.indicator)
        return base.with_(layers=lyr, indicator=ind, lang=lang)
    ind = next((x for x in layer_ids if x in catalog.INDICATORS), "mountain_share")
    return ViewState.default("world").with_(layers=("hillshade",), indicator=ind, lang=lang)


def map_links(pid: str, links, lang: str) -> list[MapLink]:
    """The maps of paragraph ``pid`` from the links table (``paragraph_id, view, layers, note,
    note_zh``), in table order, with the note in ``lang``; views the atlas does not know are
    skipped."""
    out = []
    for _, r in links[links["paragraph_id"] == pid].iterrows():
        view = str(r["view"])
        if view not in catalog.VIEWS and view != "indicators":
            continue
        raw = r["layers"] if isinstance(r["layers"], str) else ""
        ids = tuple(x for x in raw.split(";") if x)
        col = "note_zh" if lang == "zh" else "note"
        note = r[col] if isinstance(r.get(col), str) else ""
        out.append(MapLink(link_state(view, ids, lang), view, note))
    return out


def counts(paragraphs: list[dict]) -> dict[str, int]:
    """How many paragraphs of each kind (for the introduction)."""
    return {k: sum(1 for p in paragraphs if p.get("kind") == k) for k in KINDS}
