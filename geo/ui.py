"""The one Streamlit glue module: page template, cached loaders, URL state, downloads.

Everything else in :mod:`geo` is plain Python and testable without Streamlit. Pages call
:func:`map_page`, :func:`resolution_page` or :func:`indicators_page` and nothing else.
No user text is rendered as HTML: markdown calls only carry our own labels and data that
:func:`geo.layers.esc` escaped.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from geo import artefacts, catalog, data, figures, i18n, layers, mapping, paths
from geo import state as state_mod
from geo.errors import DataFileError
from geo.i18n import LANGS, t
from geo.state import PARAMS, ViewState

MAP_HEIGHT = 600


# ---------------------------------------------------------------------------------------
# state


def _raw_params(names=PARAMS) -> dict[str, list[str]]:
    qp = st.query_params
    return {k: qp.get_all(k) for k in names if k in qp}


def current_lang() -> str:
    return state_mod.choice(_raw_params(("lang",)), "lang", LANGS, "en")[0]


def page_state(view_id: str) -> ViewState:
    """State from the URL (checked), with a plain notice for each rejected parameter."""
    state = ViewState.from_query_params(view_id, _raw_params())
    if st.context.is_embedded:
        state = state.with_(embed=True)
    for name in state.notices:
        # the name is one of our own PARAMS; the rejected value is never shown
        st.warning(t("notice_bad_param", state.lang, name=name), icon="⚠️")
    return state


def write_state(state: ViewState) -> None:
    """Make the URL hold exactly the differences from the view's defaults."""
    # Streamlit owns ``embed`` (it hides its chrome) and refuses to let apps set it
    want = {k: v for k, v in state.to_query_params().items() if k != "embed"}
    have = {k: st.query_params.get(k) for k in PARAMS if k in st.query_params}
    if want != have:
        for k in PARAMS:
            if k != "embed" and k in st.query_params and k not in want:
                del st.query_params[k]
        for k, v in want.items():
            st.query_params[k] = v


def _lang_key(lang: str) -> str:
    """Widget key suffix per language: a widget whose labels change language must be a new
    widget, or the browser keeps showing the old labels."""
    return "" if lang == "en" else f"_{lang}"


def controls(state: ViewState, indicator_choices: tuple[str, ...] | None = None) -> ViewState:
    """Sidebar widgets for language, layers, indicator and year; returns the new state."""
    lang = state.lang
    sb = st.sidebar
    # the callback puts the language in the URL before the rerun, so app.py builds the page
    # title and every sidebar link in the chosen language on the same run
    lang = sb.radio(t("language", lang), LANGS, index=LANGS.index(lang), horizontal=True,
                    format_func=lambda x: "English" if x == "en" else "中文", key="lang",
                    on_change=lambda: _set_lang(st.session_state["lang"]))
    allowed = catalog.view(state.view).allowed_layers
    picked = sb.multiselect(t("layers", lang), allowed, default=[x for x in state.layers if x in allowed],
                            format_func=lambda x: catalog.layer(x).title(lang), key=f"layers_{state.view}{_lang_key(lang)}")
    choices = indicator_choices or catalog.INDICATORS
    opts = [None, *choices]
    ind = sb.selectbox(t("indicator", lang), opts, index=opts.index(state.indicator) if state.indicator in opts else 0,
                       format_func=lambda x: t("none", lang) if x is None else catalog.layer(x).title(lang), key=f"ind_{state.view}{_lang_key(lang)}")
    year = None
    if ind:
        years = layers.available_years(ind)
        if years:
            yopts = [None, *years]
            year = sb.selectbox(t("year", lang), yopts, index=yopts.index(state.year) if state.year in yopts else 0,
                                format_func=lambda y: t("latest", lang) if y is None else str(y), key=f"year_{state.view}_{ind}{_lang_key(lang)}")
    tiles = sb.checkbox(t("online_tiles", lang), value=state.tiles, key="tiles")
    new = state.with_(lang=lang, layers=tuple(picked), indicator=ind, year=year, tiles=tiles)
    write_state(new)
    return new


# ---------------------------------------------------------------------------------------
# cached work


def _prepared(state: ViewState) -> tuple[layers.Prepared, ...]:
    """The layers of ``state``, cached per state and version of the files they read (a swapped
    folder, or a file replaced or repaired in place, is never served stale)."""
    files = layers.state_files(state)
    return _prepared_cached(state, data.version(files), tuple(data.problems(files)))


@st.cache_resource(show_spinner=False, max_entries=64)
def _prepared_cached(state: ViewState, version: tuple, problems: tuple) -> tuple[layers.Prepared, ...]:
    return tuple(layers.prepare_state(state))


@st.cache_data(show_spinner=False, max_entries=8)
def _data_problems(version: tuple) -> dict[str, str]:
    """Checks every file of the manifest once per version of the data folder
    (:func:`geo.data.version` of every listed file)."""
    from geo import manifest

    try:
        return {k: v.problem for k, v in manifest.verify().items() if not v.ok}
    except DataFileError as e:
        return {"manifest.json": str(e)}


# ---------------------------------------------------------------------------------------
# page parts


def header(state: ViewState, title: str) -> None:
    if not state.embed:
        st.title(title)
        st.caption(t("app_subtitle", state.lang))


EMBED_FOOTER_PX = 30
#: In an embed the map fills the frame but for one footer line (source and link back).
EMBED_CSS = f"""<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {{ display: none !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 0 !important; max-width: none !important; }}
[data-testid="stMain"] [data-testid="stVerticalBlock"] {{ gap: 0 !important; }}
[data-testid="stIFrame"] {{ height: calc(100vh - {EMBED_FOOTER_PX}px) !important; display: block; }}
[data-testid="stElementContainer"]:has(> [data-testid="stIFrame"]) {{ height: auto !important; flex: none !important; }}
.st-key-ma-embed-footer p {{ margin: 0 !important; padding: 4px 8px; font-size: 12px; line-height: 1.4; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
</style>"""


def base_path() -> str:
    """URL path prefix the app is served under ("" or "/prefix")."""
    b = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{b}" if b else ""


def map_frame(state: ViewState, height: int = MAP_HEIGHT, key: str | None = None,
              focus: tuple[float, float, float, float] | None = None) -> None:
    """Draw the map of ``state`` (the one call every page uses to show a map).

    The map is a cached artefact page (:func:`geo.mapping.build`: built once per data generation
    and code version for all sessions and processes); the Streamlit page sends only its address, so a rerun
    that keeps the map state sends no map again and the browser keeps its files.
    ``focus``: (minx, miny, maxx, maxy) in degrees to open on instead of the view's bounds.
    """
    mb = mapping.build(state, focus=focus)
    for prob in mb.problems:
        st.error(t("data_problem", state.lang, problem=prob), icon="🚫")
    title = t("map_alt", state.lang, title=catalog.view(state.view).title(state.lang))
    # A new frame per map (a container keyed by the map's file): changing an iframe's address would
    # add an entry to the tab's history, and Back would step through old maps instead of pages.
    with st.container(key=f"map-{mb.page.rsplit('.', 2)[1]}"):
        st.iframe(f"{base_path()}/artefacts/{mb.generation}/{mb.page}", height=height, alt=title)
    if not state.embed:
        sources_panel(_prepared(state.with_(notices=(), embed=False)), state.lang)


def page_url(view_id: str, params: dict[str, str] | None = None) -> str:
    """A link to another page of this app, on the address this page was served from."""
    return state_mod.page_url(_served_root(_current_view_id()), view_id, params)


def _current_view_id() -> str:
    return st.session_state.get("_view_id", "world")


def lazy_expander(label: str, key: str):
    """An expander whose content the caller draws only while it is open (``if box.open``):
    a page view that never opens it sends none of it, nor the browser code that would show it
    (the code-highlighting and data-grid bundles are larger than the rest of a page together)."""
    return st.expander(label, key=key, on_change="rerun")


def embed_panel(state: ViewState) -> None:
    """Three snippets for the current view: fixed size, responsive, and the static embed."""
    lang = state.lang
    box = lazy_expander(t("embed", lang), "embed_panel")
    with box:
        if not box.open:
            return
        params = {**state.to_query_params(), "embed": "true"}
        url = page_url(state.view, params)
        title = layers.esc(f"{catalog.view(state.view).title(lang)} — {t('app_title', lang)}")
        src = layers.esc(url)
        st.caption(t("embed_help", lang))
        st.markdown(f"**{t('embed_fixed', lang)}**")
        st.code(f'<iframe src="{src}" width="800" height="500" style="border:0;max-width:100%" title="{title}" loading="lazy"></iframe>',
                language="html")
        st.markdown(f"**{t('embed_responsive', lang)}**")
        st.code(f'<iframe src="{src}" style="border:0;width:100%;aspect-ratio:16/10" title="{title}" loading="lazy"></iframe>',
                language="html")
        st.markdown(f"**{t('embed_static', lang)}**")
        static_q = {k: v for k, v in state.to_query_params().items() if k not in ("embed", "tiles")}
        static_url = layers.esc(static_embed_url(state.view, static_q))
        st.code(f'<iframe src="{static_url}" style="border:0;width:100%;aspect-ratio:16/10" title="{title}" '
                f'sandbox="allow-scripts allow-popups" loading="lazy"></iframe>', language="html")


def static_embed_url(view_id: str, params: dict[str, str]) -> str:
    """The static embed of a view (``serve.py``'s ``/embed/<view>``), on this page's address."""
    return state_mod.page_url(_served_root(_current_view_id()), f"embed/{view_id}", params)


def key_figures(state: ViewState) -> None:
    """The view's key figures (:func:`geo.figures.key_figure_rows`), with why they differ."""
    lang = state.lang
    st.subheader(t("key_figures", lang))
    try:
        rows = figures.key_figure_rows(state.view, lang)
        for label, value, help_ in rows:
            st.metric(label, value, help=help_)
        if catalog.view(state.view).range_id:
            f = figures.range_figures(state.view)
            st.caption(figures.why_differ(f, lang))
            st.markdown(f"**{t('published_figures', lang)}**")
            if not f.published:
                st.caption(t("no_published", lang))
            lines = []
            for p in f.published:
                url = figures.first_url(p.source)
                src = f"[{layers.esc(figures.source_host(p.source))}]({url})" if url else layers.esc(p.source)
                note = f" ({layers.esc(p.note)})" if p.note and lang != "zh" else ""
                lines.append(f"- **{layers.esc(figures.published_text(p, lang))}**{i18n.colon(lang)}{src}{note}")
            st.markdown("\n".join(lines))
    except DataFileError as e:
        st.error(t("data_problem", lang, problem=str(e)), icon="🚫")


def class_chart(state: ViewState) -> None:
    """Mountain area per class, each bar in its legend colour, with a word on empty classes."""
    lang = state.lang
    try:
        areas = figures.class_km2(state.view)
        top = figures.top_cell_m(state.view) if catalog.view(state.view).range_id else None
    except DataFileError as e:
        st.error(t("data_problem", lang, problem=str(e)), icon="🚫")
        return
    st.subheader(t("class_chart", lang))
    st.html(class_bars_html(areas, lang))
    note = (figures.empty_classes_note(areas, top, lang, fine=layers.uses_fine_grid(state.view))
            if catalog.view(state.view).range_id else "")
    if note:
        st.caption(note)


def class_bars_html(areas: dict[int, float], lang: str) -> str:
    """Mountain area per class as an HTML bar table: each bar in its legend colour, the class's
    definition as its tooltip, the area written beside it. (Plain HTML rather than a chart
    library: the page sends no charting code, and screen readers read a table.)"""
    cc = layers.class_colours()
    top = max(areas.values(), default=0.0) or 1.0
    rows = []
    for k, km2 in areas.items():
        full = layers.CLASS_NAMES[k][1 if lang == "zh" else 0]
        short = f"{k}: {re.split('[,，<（(]', full)[0].strip()}"  # the band (or "inner basin"); the full rule is the tooltip
        width = 100.0 * km2 / top
        rows.append(f'<tr title="{layers.esc(full)}"><th scope="row">{layers.esc(short)}</th>'
                    f'<td class="ma-bar"><span style="width:{width:.1f}%;background:{cc[k]}"></span></td>'
                    f'<td class="ma-num">{layers.esc(i18n.fmt_area(km2, lang))}</td></tr>')
    caption = layers.esc(i18n.unit_label(t("area", lang), t("km2", lang)))
    return (f"<style>{_BARS_CSS}</style><table class=\"ma-bars\"><caption>{caption}</caption>"
            f"<tbody>{''.join(rows)}</tbody></table>")


_BARS_CSS = """
.ma-bars { width: 100%; border-collapse: collapse; font-size: 0.875rem; }
.ma-bars caption { caption-side: bottom; text-align: left; color: rgba(49, 51, 63, 0.6); font-size: 0.8rem; padding-top: 0.25rem; }
.ma-bars th { font-weight: normal; text-align: left; white-space: nowrap; padding: 0.15rem 0.5rem 0.15rem 0; }
.ma-bars td { padding: 0.15rem 0; }
.ma-bars td.ma-bar { width: 100%; }
.ma-bars td.ma-bar span { display: block; height: 0.9rem; min-width: 1px; border-radius: 2px; box-shadow: inset 0 0 0 1px rgba(0, 0, 0, 0.15); }
.ma-bars td.ma-num { text-align: right; white-space: nowrap; padding-left: 0.5rem; font-variant-numeric: tabular-nums; }
"""


def partnership_panel(state: ViewState) -> None:
    lang = state.lang
    try:
        meta = data.json_file("tables/partnership_meta.json")
        counts = data.table("tables/partnership_counts.csv")
    except DataFileError as e:
        st.error(t("data_problem", lang, problem=str(e)), icon="🚫")
        return
    st.subheader(t("completeness", lang))
    st.info(layers.md_links(meta.get("statement_zh" if lang == "zh" else "statement_en", "")))
    note = meta.get("absent_means_zh" if lang == "zh" else "absent_means_en")
    if note:
        st.caption(note)
    st.subheader(t("timeline", lang))
    dated = counts.dropna(subset=["year"]).copy()
    cols = ["governments", "intergovernmental_orgs", "major_group_orgs", "subnational_authorities"]
    wide = dated.groupby("year")[cols].max()
    long = wide.reset_index().melt(id_vars="year", var_name="kind", value_name="count").dropna()
    long = long.assign(year=long["year"].astype(int), kind=[t(k, lang) for k in long["kind"]])
    # a Vega-Lite spec as data (st.line_chart would build and validate it through Altair on every view)
    st.vega_lite_chart(long, {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "year", "type": "quantitative", "title": t("year", lang), "axis": {"format": "d"}},
            "y": {"field": "count", "type": "quantitative", "title": None},
            "color": {"field": "kind", "type": "nominal", "title": None, "sort": [t(c, lang) for c in cols],
                      "legend": {"orient": "bottom", "columns": 1, "labelLimit": 260}},
            "tooltip": [{"field": "kind", "title": " "}, {"field": "year", "title": t("year", lang)},
                        {"field": "count", "title": "n"}],
        },
    }, width="stretch", height=340)
    box = lazy_expander(t("counts_table", lang), "partnership_counts")
    with box:
        if not box.open:
            return
        shown = pd.DataFrame({t("year", lang): counts["as_of"].astype(str)})
        for c in cols:
            shown[t(c, lang)] = [i18n.fmt_number(v, lang, 0) if pd.notna(v) else "" for v in counts[c]]
        shown[t("note", lang)] = counts["note"].fillna("")
        shown[t("source", lang)] = counts["source"]
        st.dataframe(shown, hide_index=True, width="stretch")


def linked_paragraphs(state: ViewState) -> None:
    lang = state.lang
    try:
        paras = data.paragraphs_for_view(state.view)
    except DataFileError as e:
        st.error(t("data_problem", lang, problem=str(e)), icon="🚫")
        return
    st.subheader(t("linked_paragraphs", lang))
    st.caption(t("unofficial_note", lang))
    for p in paras:
        title = p.get("title_zh" if lang == "zh" else "title_en") or p["id"]
        with st.container(border=True):
            st.markdown(f"**{layers.esc(p['id'])} · {layers.esc(title)}**")
            st.markdown(f"{t('official_text', lang)}{i18n.colon(lang)}{layers.esc(p['text_zh'])}")
            st.markdown(f"*{t('summary_en', lang)}*{i18n.colon(lang)}{layers.esc(p.get('summary_en', ''))}")
            st.markdown(f"[{t('read_in_context', lang)} ({p['id']})]({resolution_href(p['id'], lang)})")


def resolution_href(pid: str, lang: str) -> str:
    """Relative link to a paragraph in the reader: chosen beside its map, and its anchor in the text
    (ids are ours: [A-Z]+[0-9]+)."""
    q = urlencode({"p": pid, **({"lang": "zh"} if lang == "zh" else {})})
    return f"resolution?{q}#{pid.lower()}"


def data_table(prepared: list[layers.Prepared], lang: str, view_id: str | None = None) -> None:
    """The layers' tables for people (:func:`geo.figures.people_table`): labels in the UI
    language with units, a range's tables listing only the range's countries."""
    view_id = view_id or _current_view_id()
    box = lazy_expander(t("table", lang), "data_table")
    with box:
        if not box.open:
            return
        for p in prepared:
            if p.ok and p.table is not None and not p.table.empty:
                shown = figures.people_table(p, view_id, lang)
                if shown.empty:
                    continue
                st.markdown(f"**{layers.esc(p.title)}**")
                st.dataframe(shown, hide_index=True, width="stretch", column_config=_link_columns(shown, lang))


def downloads(state: ViewState, prepared: list[layers.Prepared]) -> None:
    """Snapshot and data downloads citing the address this page was served from."""
    download_row(state, prepared, base=public_base(state.view))


def download_row(state: ViewState, prepared: list[layers.Prepared], base: str | None = None) -> None:
    """A row of Streamlit download buttons: PNG, SVG, PDF snapshots, CSV and GeoJSON.

    ``base`` is the site's address the page was served from (:func:`public_base`); the
    snapshots and the CSV cite it. Every ``data`` is a callable, which Streamlit (>= 1.50) calls
    only when the button is clicked: a page view renders no snapshot.
    """
    from geo import downloads, snapshot

    state = state.with_(notices=(), embed=False)
    stem = downloads.file_stem(state)
    url = state_mod.public_url(state, base)  # base: the address the page was served from
    mimes = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
    cols = st.columns(5)

    def snap(fmt: str):
        return lambda: snapshot.render(state, fmt, url=url, prepared=prepared)

    for col, fmt in zip(cols[:3], ("png", "svg", "pdf")):
        col.download_button(t(f"download_{fmt}", state.lang), data=snap(fmt), file_name=f"{stem}.{fmt}", mime=mimes[fmt],
                            key=f"dl_{fmt}_{state.view}", on_click="ignore")
    cols[3].download_button(t("download_csv", state.lang), data=lambda: downloads.table_csv(prepared, state, url), file_name=f"{stem}.csv",
                            mime="text/csv", key=f"dl_csv_{state.view}", on_click="ignore")
    cols[4].download_button(t("download_geojson", state.lang), data=lambda: downloads.layer_geojson(prepared, state, url),
                            file_name=f"{stem}.geojson", mime="application/geo+json", key=f"dl_geojson_{state.view}", on_click="ignore")


def _served_root(view_id: str) -> str:
    """The address this page was served from, without the page's own path, query or
    fragment (``""`` when the request does not say, as in ``AppTest``)."""
    url = (st.context.url or "").split("?")[0].split("#")[0].rstrip("/")
    path = catalog.PAGE_PATHS.get(view_id, view_id)
    if url and path and url.endswith("/" + path):
        url = url[: -len(path) - 1]
    return url


def public_base(view_id: str) -> str:
    """The site's public address: ``ATLAS_PUBLIC_URL`` if set, else the address this page was
    served from, else :data:`geo.state.DEFAULT_PUBLIC_URL`."""
    import os

    env = os.environ.get("ATLAS_PUBLIC_URL")
    return (env or _served_root(view_id) or state_mod.DEFAULT_PUBLIC_URL).rstrip("/")


def _link_columns(df: pd.DataFrame, lang: str) -> dict:
    """Wide source columns (so the last column is never cut off)."""
    src = t("source", lang)
    return {src: st.column_config.TextColumn(src, width="large")} if src in df.columns else {}


def sources_panel(prepared: list[layers.Prepared], lang: str) -> None:
    """One line per layer naming reachable sources, and the full provenance one click away."""
    ok = [p for p in prepared if p.ok]
    cites = list(dict.fromkeys(c for p in ok for c in layers.citations(p.layer, lang)))
    lics = list(dict.fromkeys(p.layer.licence_text(lang) for p in ok))
    col, sep = i18n.colon(lang), ("；" if lang == "zh" else "; ")
    lines = [f"{t('sources', lang)}{col}{sep.join(cites)}"] if cites else []
    lines.append(f"{t('licence', lang)}{col}{sep.join(lics)}")
    st.caption("  \n".join(layers.md_links(x) for x in lines))
    box = lazy_expander(t("provenance", lang), "provenance")
    with box:
        if not box.open:
            return
        if lang != "en":  # the build's own records are kept as written, in English: say so in the reader's language
            st.caption(t("provenance_in_english", lang))
        for p in ok:
            st.markdown(f"**{layers.esc(p.title)}**")
            st.caption(layers.md_links(f"{sep.join(layers.citations(p.layer, lang))}{'。' if lang == 'zh' else '. '}"
                                       f"{p.layer.licence_text(lang)}"))
            for f in p.layer.files:
                try:
                    entry = data.manifest_entry(f)
                except (DataFileError, KeyError):
                    continue
                srcs = "; ".join(f"{s.get('name', '')} {s.get('url', '')}".strip() for s in entry.get("sources", []))
                st.caption(layers.md_links(f"{f}: {entry.get('description', '')} {srcs}"))


# ---------------------------------------------------------------------------------------
# pages

def data_health(lang: str) -> None:
    """Once per process, check every data file against the manifest; name any that is damaged.

    Pages that need a damaged file say so where the file is used; the others keep working.
    """
    problems = _data_problems(data.version(data.listed()))
    if problems:
        with st.sidebar:
            st.warning(t("data_problem", lang, problem="; ".join(sorted(problems.values()))[:600]), icon="⚠️")


def sidebar_nav(pages: dict, lang: str) -> None:
    """Links to every page in the chosen language (``lang`` is read after the language
    radio's callback has put the choice in the URL, so a new choice applies on the same run)."""
    with st.sidebar:
        st.markdown(f"**{t('app_title', lang)}**")
        q = {"lang": lang} if lang != "en" else None
        for page in pages.values():
            st.page_link(page, query_params=q)
        st.divider()


@st.fragment(run_every=_dt.timedelta(hours=1))
def _rerun_after_reconnect() -> None:
    """Draws nothing. Streamlit's browser code reruns a page in full when its connection comes
    back if the page has a timed fragment (App.handleConnectionStateChanged); without one an idle
    page waits for the visitor's next click. So a visitor whose replica died sees the page rerun
    from its URL on another replica as soon as it reconnects. Its own hourly run does nothing."""


def page_chrome(lang: str, title: str) -> None:
    """Per page: the tab title, ``<html lang>``, a labelled phone menu and a print stylesheet,
    and a rerun as soon as the page reconnects (:func:`_rerun_after_reconnect`)."""
    import json

    _rerun_after_reconnect()

    label = t("menu", lang)
    css = (
        "<style>"
        '[data-testid="stExpandSidebarButton"]{width:auto!important;padding:0 .5rem;gap:.25rem}'
        # a key figure in words ("8 states + European Union") wraps instead of ending in "…"
        '[data-testid="stMetricValue"],[data-testid="stMetricValue"] *{white-space:normal!important;overflow:visible!important;'
        'text-overflow:clip!important;overflow-wrap:anywhere}'
        f'[data-testid="stExpandSidebarButton"]::after{{content:{json.dumps(label, ensure_ascii=False)};font-size:.95rem;font-weight:600}}'
        "@media print{"
        '[data-testid="stSidebar"],[data-testid="stExpandSidebarButton"],header[data-testid="stHeader"],'
        '[data-testid="stToolbar"],[data-testid="stDownloadButton"],[data-testid="stElementToolbar"],'
        '[data-testid="stSelectbox"],[data-testid="stChatInput"],.ma-embed,[data-testid="stDecoration"]{display:none!important}'
        '[data-testid="stMain"],[data-testid="stAppViewContainer"]{margin:0!important;padding:0!important}'
        '.stMainBlockContainer{max-width:none!important;padding:0 .5cm!important}'
        "iframe{break-inside:avoid}a[href^=http]::after{content:\" (\" attr(href) \")\";font-size:.8em}"
        "}</style>"
    )
    script = (f"<script>document.documentElement.lang={json.dumps('zh-Hans' if lang == 'zh' else 'en')};"
              f"document.title={json.dumps(title)};{_HASH_JS}{_PHONE_NAV_JS}</script>")
    st.html(css + script, unsafe_allow_javascript=True)


#: A link to a heading (``/resolution#op28``) lands on it once the page has settled. Streamlit
#: scrolls when the heading first appears; web fonts and the rest of the page arriving after
#: that can move it out of view again. Once per address: after the run has finished and the
#: fonts are in, scroll to the fragment's element again (for up to a minute).
_HASH_JS = """(() => {
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id || window.__atlasHashFor === location.href) return;
  window.__atlasHashFor = location.href;
  const t0 = Date.now();
  const check = () => {
    const el = document.getElementById(id);
    const app = document.querySelector('[data-testid="stApp"]');
    if (el && app && app.getAttribute('data-test-script-state') === 'notRunning') {
      document.fonts.ready.then(() => el.scrollIntoView());
    } else if (Date.now() - t0 < 60000) {
      setTimeout(check, 250);
    }
  };
  check();
})();"""


#: On a phone the sidebar lies over the page: once a reader taps one of its page links, fold it, as
#: Streamlit does for its own page menu (our links are st.page_link, which carry the language and
#: leave the sidebar open). Beside the page (a wide screen) it stays. Once per document.
_PHONE_NAV_JS = """(() => {
  if (window.__atlasFoldMenu) return;
  window.__atlasFoldMenu = true;
  document.addEventListener('click', (e) => {
    const link = e.target.closest && e.target.closest('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]');
    const main = document.querySelector('[data-testid="stMain"]');
    if (!link || !main) return;
    const bar = link.closest('[data-testid="stSidebar"]').getBoundingClientRect();
    if (bar.right <= main.getBoundingClientRect().left + 1) return;
    const fold = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (fold) setTimeout(() => fold.click(), 0);
  }, true);
})();"""


def page_title(view_id: str, lang: str) -> str:
    if view_id in catalog.VIEWS and view_id not in ("world", "partnership"):
        return catalog.view(view_id).title(lang)
    return t({"world": "nav_overview", "partnership": "nav_partnership", "indicators": "nav_indicators", "resolution": "nav_resolution",
              "compare": "nav_compare"}[view_id], lang)


def map_page(view_id: str, indicator_choices: tuple[str, ...] | None = None) -> None:
    """The template every map page uses; pages differ only by ``view_id``."""
    st.session_state["_view_id"] = view_id
    state = page_state(view_id)
    if not state.embed:  # an embed shows the state its URL names: no controls, map first
        state = controls(state, indicator_choices)
    v = catalog.view(view_id)
    if state.embed:  # the map fills the frame but for one footer line: source and link back
        st.html(EMBED_CSS)
        map_frame(state)
        names = mapping.source_names(state)
        q = {k: v for k, v in state.to_query_params().items() if k != "embed"}
        with st.container(key="ma-embed-footer"):
            st.markdown(f"[{layers.esc(v.title(state.lang))} — {layers.esc(t('app_title', state.lang))} ↗]({page_url(view_id, q)}) · "
                        f"{layers.esc(t('source', state.lang))}: {layers.esc(names)}")
        return
    header(state, v.title(state.lang))
    prepared = _prepared(state.with_(notices=()))
    found = None
    if view_id == "world":
        home_intro(state.lang)
        found = find_box(state.lang)
    left, right = st.columns([2, 1], gap="medium")
    with left:
        map_frame(state, focus=found[0] if found is not None else None)
        downloads(state, prepared)
        embed_panel(state)
        data_table(prepared, state.lang, view_id)
    with right:
        if found is not None:
            found_figures(found[1], found[2], state.lang)
        if view_id == "partnership":
            partnership_panel(state)
        else:
            key_figures(state)
            class_chart(state)
        linked_paragraphs(state)


def home_intro(lang: str) -> None:
    """What this is, in two sentences, and the ways in: the four ranges, the reader, compare."""
    st.markdown(t("home_intro", lang))
    q = {"lang": lang} if lang != "en" else None
    st.markdown(f"**{t('ways_in', lang)}**")
    cols = st.columns(3)  # filled column by column: a phone stacks them in reading order
    for i, vid in enumerate(catalog.RANGE_VIEWS):
        cols[i // 2].page_link(catalog.PAGES[vid].file, label=catalog.view(vid).title(lang), query_params=q)
    cols[2].page_link(catalog.PAGES["resolution"].file, label=t("nav_resolution", lang), query_params=q)
    cols[2].page_link(catalog.PAGES["compare"].file, label=t("nav_compare", lang), query_params=q)


def _find_options(lang: str) -> tuple[tuple[str, str, str], ...]:
    """``(kind, id, label)`` of every country and place, sorted by label (a file that cannot be
    read contributes nothing; the map names it)."""
    opts: list[tuple[str, str, str]] = []
    for rel in ("vector/countries.geojson", "vector/places.geojson"):
        try:
            opts += _find_rows(rel, lang, data.stamp([rel]))
        except DataFileError:
            pass
    return tuple(sorted(opts, key=lambda o: o[2]))


@lru_cache(maxsize=8)
def _find_rows(rel: str, lang: str, _stamp: tuple) -> tuple[tuple[str, str, str], ...]:
    g = data.vector(rel)
    if rel == "vector/countries.geojson":
        return tuple(("country", str(r["iso3"]), layers.country_name(r, lang)) for _, r in g.iterrows())
    return tuple(("place", str(r["id"]), f"{r['name_zh'] if lang == 'zh' else r['name_en']} ({t('find_place', lang)})")
                 for _, r in g.iterrows())


def find_box(lang: str):
    """A search box for a country or place. Returns ``(bounds, kind, id)`` of the choice or None."""
    opts = _find_options(lang)
    pick = st.selectbox(t("find", lang), opts, index=None, format_func=lambda o: o[2], placeholder=t("find", lang),
                        help=t("find_help", lang), key=f"find_{lang}")
    if pick is None:
        return None
    kind, fid, _ = pick
    if kind == "country":
        c = data.countries()
        geom = c.loc[c["iso3"] == fid].geometry
    else:
        p = data.vector("vector/places.geojson")
        geom = p.loc[p["id"] == fid].geometry
    if geom.empty:
        return None
    minx, miny, maxx, maxy = geom.total_bounds
    pad = 1.0 if kind == "place" else 0.2
    return (float(minx - pad), float(miny - pad), float(maxx + pad), float(maxy + pad)), kind, fid


def found_figures(kind: str, fid: str, lang: str) -> None:
    """The figures of the country or place found: from :mod:`geo.figures` / the places file."""
    if kind == "country":
        f = figures.country_figures(fid)
        if f is None:
            st.info(t("no_data", lang))
            return
        st.subheader(t("country_figures", lang, name=f.name(lang)))
        st.metric(t("mountain_area", lang), i18n.fmt_area(f.mountain_km2, lang), help=t("computed_note", lang))
        st.metric(t("mountain_share", lang), i18n.fmt_pct(f.share_pct, lang), help=t("computed_note", lang))
        st.metric(t("land_area", lang), i18n.fmt_area(f.land_km2, lang))
        return
    p = data.vector("vector/places.geojson")
    r = p[p["id"] == fid].iloc[0]
    st.subheader(layers.esc(r["name_zh"] if lang == "zh" else r["name_en"]))
    st.markdown(layers.esc(r["event_zh"] if lang == "zh" else r["event_en"]))
    st.caption(f"{t('date', lang)}{i18n.colon(lang)}{layers.esc(r['date'])} · {t('paragraphs', lang)}{i18n.colon(lang)}"
               f"{layers.esc(str(r['paragraphs']).replace(';', ', '))}")


#: The reader's layout: the map column stays in view while the text scrolls; on a phone the
#: columns stack, the map first, and it stays at the top. (Our own constant CSS, no user text.)
_READER_CSS = """<style>
div[data-testid="stColumn"]:has(.st-key-reader_map) {
  position: sticky; top: 3.75rem; align-self: flex-start; z-index: 10;
  max-height: calc(100vh - 4.5rem); overflow-y: auto;
  background-color: var(--st-background-color, #ffffff); padding-bottom: 0.25rem;
}
@media (max-width: 640px) {
  div[data-testid="stColumn"]:has(.st-key-reader_map) {
    max-height: 62vh; box-shadow: 0 6px 6px -6px rgba(0,0,0,.35);
  }
  h1 { font-size: 1.7rem !important; }
}
.st-key-reader_chosen { border-left: 4px solid #c97b28; padding-left: 0.75rem; }
h3[id] { scroll-margin-top: 4.5rem; }
@media (max-width: 640px) { h3[id] { scroll-margin-top: 66vh; } }  /* #op28 lands below the sticky map */
</style>"""
READER_MAP_HEIGHT = 380


def _checked_lang() -> str:
    """The page language from the URL; a notice (naming the parameter only) for a bad value."""
    lang, bad = state_mod.choice(_raw_params(("lang",)), "lang", LANGS, "en")
    if bad:  # repeated keys too, like map pages
        st.warning(t("notice_bad_param", lang, name="lang"), icon="⚠️")
    return lang


def _lang_radio(lang: str, key: str) -> None:
    st.sidebar.radio(t("language", lang), LANGS, index=LANGS.index(lang), horizontal=True,
                     format_func=lambda x: "English" if x == "en" else "中文", key=key,
                     on_change=lambda: _set_lang(st.session_state[key]))


def _choose_paragraph(pid: str) -> None:
    """Put the chosen paragraph in the URL (a new history entry: Back returns to the previous one)."""
    st.query_params["p"] = pid


def _para_title(p: dict, lang: str) -> str:
    return p.get("title_zh" if lang == "zh" else "title_en") or p["id"]


def resolution_page() -> None:
    """The reader: introduction, contents, the chosen paragraph beside its map, the full text."""
    from geo import reader

    st.session_state["_view_id"] = "resolution"
    lang = _checked_lang()
    _lang_radio(lang, "lang_res")
    st.title("A/RES/62/196 · " + ("山区可持续发展" if lang == "zh" else "Sustainable mountain development"))
    try:
        paras = data.paragraphs()
        links = data.links()
    except DataFileError as e:
        st.error(t("data_problem", lang, problem=str(e)), icon="🚫")
        return
    readable = reader.readable(paras)
    by_id = {p["id"]: p for p in paras}
    ids = [p["id"] for p in readable]
    raw_p = st.query_params.get_all("p") if "p" in st.query_params else []
    pid, rejected = reader.choose(raw_p, ids)
    if rejected:  # the name only; the value is never shown, and it leaves the URL
        st.warning(t("notice_bad_param", lang, name="p"), icon="⚠️")
        del st.query_params["p"]
    st.html(_READER_CSS)

    n = reader.counts(paras)
    st.markdown(t("reader_intro", lang, symbol=reader.SYMBOL, date=t("reader_date", lang), meeting=t("reader_meeting", lang),
                  n_pp=n["preamble"], n_op=n["operative"], n_fn=n["footnote"]))
    docs = " · ".join(f"[{name}]({reader.official_url(code)})" for code, name in reader.OFFICIAL_LANGUAGES)
    st.markdown(f"**{t('official_document', lang, symbol=reader.SYMBOL)}:** {docs}")

    left, right = st.columns([5, 6], gap="medium")
    with left, st.container(key="reader_map"):
        _reader_map(by_id[pid], links, lang, ids)
    with right:
        with st.container(key="reader_chosen"):
            _reader_paragraph(by_id[pid], by_id, lang)
        st.caption(t("unofficial_note", lang) + " " + t("reader_how", lang))
        with st.expander(t("contents", lang), expanded=False):
            for kind, label in zip(reader.KINDS, ("preamble", "operative", "footnote_kind")):
                st.markdown(f"**{t(label, lang)}**")
                for p in readable:
                    if p["kind"] == kind:
                        st.button(f"{p['id']} · {_para_title(p, lang)}", key=f"toc_{p['id']}", type="tertiary",
                                  on_click=_choose_paragraph, args=(p["id"],), disabled=p["id"] == pid)
        st.markdown(f"### {t('full_text', lang)}")
        for p in readable:
            st.subheader(f"{p['id']} · {_para_title(p, lang)}", anchor=p["id"].lower())
            st.markdown(layers.esc(p["text_zh"]))
            if p.get("summary_en"):
                st.markdown(f"*{t('summary_en', lang)}:* {layers.esc(p['summary_en'])}")
            chosen = p["id"] == pid
            st.button(t("chosen", lang) if chosen else t("show_map", lang), key=f"pick_{p['id']}", disabled=chosen,
                      on_click=_choose_paragraph, args=(p["id"],), icon=":material/map:")


def _reader_paragraph(p: dict, by_id: dict, lang: str) -> None:
    """The chosen paragraph: official Chinese text, unofficial English summary, its footnotes."""
    st.markdown(f"#### {layers.esc(p['id'])} · {layers.esc(_para_title(p, lang))}")
    st.markdown(f"**{t('official_text', lang)}**")
    st.markdown(layers.esc(p["text_zh"]))
    if p.get("summary_en"):
        st.markdown(f"*{t('summary_en', lang)}:* {layers.esc(p['summary_en'])}")
    for fn in p.get("footnotes") or []:
        if fn in by_id:
            st.caption(f"{layers.esc(fn)}: {layers.esc(by_id[fn]['text_zh'])}")


def _reader_map(p: dict, links: pd.DataFrame, lang: str, ids: list[str]) -> None:
    """The chosen paragraph's map (or what it is about when it has none), and previous / next."""
    from geo import reader

    pid = p["id"]
    st.markdown(f"**{t('map_for', lang, pid=pid)}** · {layers.esc(_para_title(p, lang))}")
    prev_id, next_id = reader.neighbours(pid, ids)
    row = st.container(horizontal=True, gap="small")
    row.button(f"{t('previous', lang)}" + (f" ({prev_id})" if prev_id else ""), key="reader_prev", disabled=prev_id is None,
              on_click=_choose_paragraph, args=(prev_id,), width="stretch", icon=":material/arrow_back:")
    row.button(f"{t('next', lang)}" + (f" ({next_id})" if next_id else ""), key="reader_next", disabled=next_id is None,
              on_click=_choose_paragraph, args=(next_id,), width="stretch", icon=":material/arrow_forward:",
              icon_position="right")
    maps = reader.map_links(pid, links, lang)
    if not maps:
        st.info(f"{t('no_map', lang)} {t('about', lang)}: {_para_title(p, lang)}", icon=":material/info:")
        return
    i = 0
    if len(maps) > 1:
        labels = [catalog.view(m.page).title(lang) if m.page in catalog.VIEWS else t("nav_indicators", lang) for m in maps]
        i = st.radio(t("which_map", lang), range(len(maps)), format_func=lambda k: labels[k], horizontal=True,
                     key=f"reader_which_{pid}")
    m = maps[i]
    map_frame(m.state, height=READER_MAP_HEIGHT, key="reader_map_frame")
    if m.note:
        st.caption(layers.esc(m.note))
    layer_ids = ";".join([*m.state.layers, *([m.state.indicator] if m.state.indicator else [])])
    st.page_link(catalog.PAGES[m.page].file, label=t("open_full_map", lang), icon=":material/open_in_new:",
                 query_params=_link_params(m.page, layer_ids, lang))


def _set_lang(lang: str) -> None:
    if lang == "en":
        if "lang" in st.query_params:
            del st.query_params["lang"]
    else:
        st.query_params["lang"] = lang


def _link_params(view: str, layer_ids: str, lang: str) -> dict[str, str]:
    """Query parameters that open ``view`` with the linked layers on (only allowed ones)."""
    q: dict[str, str] = {}
    if lang != "en":
        q["lang"] = lang
    ids = [x for x in layer_ids.split(";") if x]
    if view in catalog.VIEWS:
        st_ = ViewState.default(view)
        allowed = catalog.view(view).allowed_layers
        lyr = tuple(dict.fromkeys([*st_.layers, *[x for x in ids if x in allowed]]))
        ind = next((x for x in ids if x in catalog.INDICATORS), st_.indicator)
        q.update(st_.with_(layers=lyr, indicator=ind).to_query_params())
    else:
        ind = next((x for x in ids if x in catalog.INDICATORS), None)
        if ind:
            q["indicator"] = ind
    return q


def indicators_page() -> None:
    """Any indicator on the world or a range, with a ranked table and its download."""
    st.session_state["_view_id"] = "indicators"
    lang = current_lang()
    views = ["world", *catalog.RANGE_VIEWS]
    view_id, bad = state_mod.choice(_raw_params(("view",)), "view", views, "world")
    if bad:
        st.warning(t("notice_bad_param", lang, name="view"), icon="⚠️")
    view_id = st.sidebar.selectbox(t("choose_view", lang), views, index=views.index(view_id),
                                   format_func=lambda v: catalog.view(v).title(lang), key="ind_view")
    if view_id == "world":
        if "view" in st.query_params:
            del st.query_params["view"]
    else:
        st.query_params["view"] = view_id
    state = page_state(view_id)
    if state.indicator is None:
        state = state.with_(indicator="mountain_share")
    state = controls(state.with_(layers=("hillshade",) if state.layers == catalog.view(view_id).default_layers else state.layers))
    lang = state.lang
    st.title(t("nav_indicators", lang))
    prepared = _prepared(state.with_(notices=()))
    map_frame(state)
    downloads(state, prepared)
    ind = next((p for p in prepared if p.layer.id == state.indicator and p.ok), None)
    if ind is not None and ind.table is not None:
        st.subheader(f"{t('ranked_table', lang)}{i18n.colon(lang)}{ind.title}")
        shown = figures.people_table(ind, view_id, lang)
        st.dataframe(shown, hide_index=True, width="stretch")


# ---------------------------------------------------------------------------------------
# the comparison page


#: What a comparison map draws from.
_COMPARE_MAP_FILES = ("vector/countries.geojson", "vector/ranges.geojson", "tables/regional_members.csv")


def _compare_map(range_id: str) -> bytes:
    """A small map of one range at the common scale, rendered once per version of its files (and
    kept in the artefact folder, so a server that starts later reads it)."""
    return _compare_map_cached(range_id, data.version(_COMPARE_MAP_FILES))


@st.cache_resource(show_spinner=False, max_entries=8)
def _compare_map_cached(range_id: str, version: tuple) -> bytes:
    from geo import snapshot

    store = artefacts.store()
    key = repr(("compare-map", range_id, str(paths.data_dir()), tuple(data.problems(_COMPARE_MAP_FILES))))
    return store.path(store.made_once(key, f"compare-{range_id}", "png", lambda: snapshot.compare_map_png(range_id))).read_bytes()


def compare_page() -> None:
    """The four ranges side by side: maps at one scale, the comparison table, published figures,
    members and their SDG indicators, the CSV. ``?embed=true`` shows it without controls."""
    from geo import compare

    st.session_state["_view_id"] = "compare"
    embed = bool(st.context.is_embedded)
    lang = _checked_lang()
    if not embed:
        _lang_radio(lang, "lang_cmp")
        st.title(t("nav_compare", lang))
        st.caption(t("app_subtitle", lang))
    st.markdown(t("compare_intro", lang))
    try:
        table = compare.comparison_table(lang)
        cols = st.columns(len(compare.RANGES))
        for col, r in zip(cols, compare.RANGES):
            with col:
                v = catalog.view(r)
                st.markdown(f"**{layers.esc(v.title(lang))}**")  # one line: the four maps start level
                st.image(_compare_map(r), width="stretch", alt=compare.map_alt(r, lang))
                st.caption(layers.esc(catalog.BODY_TITLES[v.body_id][1 if lang == "zh" else 0]))
                if not embed:
                    st.page_link(catalog.PAGES[r].file, label=t("live_map", lang), icon=":material/map:",
                                 query_params={"lang": lang} if lang != "en" else None)
        st.caption(compare.map_caption(lang))
        st.subheader(t("compare_table", lang))
        st.table(table, hide_index=True, border="horizontal")
        st.caption(t("approx_area", lang) + " · " + t("computed_note", lang))

        st.subheader(t("compare_published", lang))
        cols = st.columns(len(compare.RANGES))
        for col, r in zip(cols, compare.RANGES):
            with col:
                st.markdown(f"**{layers.esc(catalog.view(r).title(lang))}**")
                pub = compare.published(r)
                if pub.empty:
                    st.caption(t("no_data", lang))
                for _, row in pub.iterrows():
                    val = compare.published_text(row["published_area_km2"])
                    st.markdown(f"- {layers.esc(val)} km² · {layers.md_links(str(row['published_source']))}")

        st.subheader(t("compare_sdg", lang))
        st.caption(t("compare_sdg_note", lang))
        st.dataframe(compare.member_indicators(lang), hide_index=True, width="stretch")
        srcs = dict.fromkeys(compare.sdg_source(x)[0] for x in compare.SHOWN_SDG)
        st.caption(f"{t('sources', lang)}: " + layers.esc(" · ".join(srcs)) + " · " + t("members", lang) + ": "
                   + layers.esc(layers.file_provenance(("tables/regional_members.csv",))[0]))
        st.download_button(t("compare_download", lang), compare.csv_bytes(lang), file_name=f"mountain-atlas_compare_{lang}.csv",
                           mime="text/csv", icon=":material/download:", key="compare_csv")
    except DataFileError as e:
        st.error(t("data_problem", lang, problem=str(e)), icon="🚫")
        return
    if embed:
        st.markdown(f"[{t('compare_open', lang)}]({page_url('compare', {'lang': lang} if lang != 'en' else None)})")
        return
    box = lazy_expander(t("compare_embed", lang), "embed_panel")
    with box:
        if not box.open:
            return
        url = page_url("compare", {**({"lang": lang} if lang != "en" else {}), "embed": "true"})
        snippet = (f'<iframe src="{layers.esc(url)}" width="100%" height="900" style="border:0" '
                   f'title="{layers.esc(t("nav_compare", lang))} — Mountain Atlas" loading="lazy"></iframe>')
        st.caption(t("embed_help", lang))
        st.code(snippet, language="html")


def today() -> str:
    return _dt.date.today().isoformat()

