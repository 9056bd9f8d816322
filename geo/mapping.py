"""The interactive map of a state, as cached artefacts: folium builds the page, Leaflet fetches the rest.

:func:`build` turns a :class:`~geo.state.ViewState` into files in the artefact store
(:mod:`geo.artefacts`), once per data generation and code version, shared by every session and
by every process that uses the same folder (replicas, a restarted server):

- per view (whatever the language or indicator): countries as TopoJSON (shared borders,
  quantised), other shapes as GeoJSON, raster overlays as JPEG/PNG, Leaflet and our map script;
- per state: a small JSON (style and escaped tooltip per feature, legend, layer titles) and the
  map page itself (folium's ``Map`` with our loader), both named after their content.

The live map (an iframe on the Streamlit page), the embed, the static embed for sandboxed frames
and the static export (:mod:`geo.static_site`) are :func:`page_html` over these same artefacts: linked
by relative URL, or inlined into one self-contained file (:func:`inline_page`).

No third-party request by default: no tiles (our hillshade and borders are the basemap), Leaflet
from an installed package (:mod:`geo.assets`). Online tiles are an opt-in layer (``tiles=True``).
"""

from __future__ import annotations

import base64
import json
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import folium
from branca.element import MacroElement, Template

from geo import artefacts, assets, catalog, data, layers, paths
from geo.i18n import t
from geo.layers import esc
from geo.state import ViewState

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTR = "© OpenStreetMap contributors"
STATIC = Path(__file__).resolve().parent / "static"
#: Map states kept built in memory per process (each entry is a few file names).
MAX_BUILDS = 512


def legend_html(prepared: list[layers.Prepared], lang: str) -> str:
    """Escaped HTML of the legends of the prepared layers, in the order snapshots list them."""
    parts = []
    for lg in layers.legends(prepared):
        rows = "".join(
            f'<div class="ma-li"><span class="ma-sw" style="background:{esc(i.colour)};'
            f'border:{"2px" if i.outline and i.outline != i.colour else "1px"} {"dashed" if (i.hatch or i.dash) else "solid"} '
            f'{esc(i.outline or i.colour)}"></span>{esc(i.label)}</div>'
            for i in lg.items
        )
        unit = f'<div class="ma-unit">{esc(lg.unit)}</div>' if lg.unit else ""
        parts.append(f'<div class="ma-lg"><div class="ma-lt">{esc(lg.title)}</div>{unit}{rows}</div>')
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# per-view artefacts


def _json_bytes(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _quantisation(view_id: str) -> int:
    """TopoJSON grid: about a quarter of the view's simplification tolerance."""
    minx, miny, maxx, maxy = layers.view_bounds(view_id)
    steps = max(maxx - minx, maxy - miny) / (layers.tolerance(view_id) / 4)
    return int(10 ** math.ceil(math.log10(max(steps, 1000))))


def _geometry_view(view_id: str) -> str:
    """The first view with the same bounds (the world and the Partnership share one countries file)."""
    bbox = catalog.view(view_id).bbox
    return next(v for v, spec in catalog.VIEWS.items() if spec.bbox == bbox)


def _countries_name(state: ViewState, store: artefacts.Store) -> str:
    gv = _geometry_view(state.view)
    return _view_files.get(store, ("countries", gv), lambda: (f"countries-{gv}", "topojson", _countries_topojson(gv)))


def _countries_topojson(view_id: str) -> bytes:
    import topojson

    g = layers.countries_for_view(view_id)[["iso3", "geometry"]]
    topo = topojson.Topology(g.set_index("iso3", drop=False)[["geometry"]], object_name="countries",
                             prequantize=_quantisation(view_id), topology=True, presimplify=False, toposimplify=False)
    doc = json.loads(topo.to_json())
    for geom in doc["objects"]["countries"]["geometries"]:  # the index (iso3) becomes the feature id
        geom["id"] = geom.pop("id", None) or geom.get("properties", {}).get("index")
        geom.pop("properties", None)
    return _json_bytes(doc)


def _shapes_geojson(p: layers.Prepared) -> bytes:
    """Geometry only (styles and tooltips live in the state JSON), 5 decimals (about 1 m)."""
    import shapely

    feats = []
    for geom in p.gdf.geometry.values:
        gj = shapely.geometry.mapping(shapely.set_precision(geom, 1e-5) if geom.geom_type != "Point" else geom)
        feats.append({"type": "Feature", "properties": {}, "geometry": _round_coords(gj)})
    return _json_bytes({"type": "FeatureCollection", "features": feats})


def _round_coords(obj):
    if isinstance(obj, dict):
        return {k: _round_coords(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], float):
            return [round(x, 5) for x in obj]
        return [_round_coords(v) for v in obj]
    return obj


class _ViewFiles:
    """Names of the per-view artefacts of one store, made once each (thread-safe)."""

    def __init__(self) -> None:
        self._names: dict[tuple, str] = {}
        self._lock = threading.Lock()

    def get(self, store: artefacts.Store, key: tuple, make) -> str:
        full = (store.generation, str(store.base), *key)
        with self._lock:
            name = self._names.get(full)
            if name and store.intact(name):
                return name
            stem, ext, content = make()
            name = store.put(stem, ext, content)
            if len(self._names) > 2000:
                self._names.clear()
            self._names[full] = name
            return name


_view_files = _ViewFiles()


def _leaflet_files(store: artefacts.Store) -> dict[str, str]:
    """Leaflet's JS/CSS and the images its CSS names, and our map script and style."""
    out = {}
    css_text = (assets.LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")
    images = sorted(set(re.findall(r"url\((?:images/)([a-z0-9-]+\.png)\)", css_text)))
    for img in images:
        out[img] = _view_files.get(store, ("asset", img), lambda img=img: (
            "leaflet-" + img.split(".")[0], "png", (assets.LEAFLET_DIR / "images" / img).read_bytes()))

    def css():
        text = css_text
        for img in images:
            text = text.replace(f"url(images/{img})", f"url({out[img]})")
        return "leaflet", "css", text.encode("utf-8")

    out["leaflet.css"] = _view_files.get(store, ("asset", "leaflet.css"), css)
    # Leaflet's attribution prefix links to leafletjs.com: keep the name, not the external link
    out["leaflet.js"] = _view_files.get(store, ("asset", "leaflet.js"), lambda: (
        "leaflet", "js", assets.inline_js().replace('<a href="https://leafletjs.com" ', "<a ").encode("utf-8")))
    out["atlas-map.js"] = _view_files.get(store, ("asset", "atlas-map.js"), lambda: ("atlas-map", "js", (STATIC / "atlas-map.js").read_bytes()))
    out["atlas-map.css"] = _view_files.get(store, ("asset", "atlas-map.css"), lambda: ("atlas-map", "css", (STATIC / "atlas-map.css").read_bytes()))
    return out


# ---------------------------------------------------------------------------------------
# per-state spec


def _style_table(gdf) -> tuple[list[list], list[int]]:
    styles: dict[tuple, int] = {}
    idx = []
    for fill, stroke, weight, op, dash in zip(gdf["fill"], gdf["stroke"], gdf["weight"], gdf["fill_opacity"], gdf["dash"]):
        key = (str(fill), str(stroke), float(weight), round(float(op), 3), str(dash or ""))
        idx.append(styles.setdefault(key, len(styles)))
    return [list(k) for k in styles], idx


def _vector_specs(state: ViewState, p: layers.Prepared, store: artefacts.Store) -> list[dict]:
    """One or two layer specs: countries (by iso3, on the view's TopoJSON) and other shapes."""
    gdf = p.gdf
    if gdf is None or gdf.empty:  # listed all the same (the legend names it): nothing of it in this view
        return [{"type": "empty", "title": p.title}]
    has_iso = gdf["iso3"].notna() if "iso3" in gdf.columns else None
    specs = []
    if has_iso is not None and has_iso.any():
        part = gdf[has_iso]
        styles, idx = _style_table(part)
        topo = _countries_name(state, store)
        specs.append({"type": "topojson", "url": topo, "object": "countries", "title": p.title, "styles": styles,
                      "features": {str(k): [i, tip] for k, i, tip in zip(part["iso3"], idx, part["tip"])}})
    rest = gdf[~has_iso] if has_iso is not None else gdf
    if not rest.empty:
        styles, idx = _style_table(rest)
        sub = layers.Prepared(p.layer, p.title, gdf=rest)
        shapes = _view_files.get(store, ("shapes", state.view, p.layer.id, len(rest)),
                                 lambda: (f"{p.layer.id.replace('_', '-')}-{state.view}", "geojson", _shapes_geojson(sub)))
        specs.append({"type": "geojson", "url": shapes, "title": p.title, "styles": styles,
                      "features": {str(i): [s, tip] for i, (s, tip) in enumerate(zip(idx, rest["tip"]))}})
    return specs


def _outline_spec(state: ViewState, store: artefacts.Store) -> dict:
    """Country borders over the hillshade when no country layer colours them."""
    c = layers.countries_for_view(state.view)
    topo = _countries_name(state, store)
    return {"type": "topojson", "url": topo, "object": "countries", "title": t("country", state.lang),
            "styles": [["#000000", "#777777", 0.6, 0.0, ""]],
            "features": {str(r["iso3"]): [0, layers.tip(layers.country_name(r, state.lang), [])] for _, r in c.iterrows()}}


def spec_for(state: ViewState, prepared: list[layers.Prepared], store: artefacts.Store) -> dict:
    """The per-state JSON: layers bottom to top with their file names, styles and tooltips; the legend."""
    out = []
    has_choropleth = any(p.layer.kind in ("choropleth", "categorical") for p in prepared if p.ok)
    for p in prepared:
        if not p.ok:
            continue
        if p.image is not None:
            ext = "jpg" if p.image_format == "jpeg" else "png"
            name = _view_files.get(store, ("image", state.view, p.layer.id),
                                   lambda p=p, ext=ext: (f"{p.layer.id.replace('_', '-')}-{state.view}", ext, layers.encode_image(p)))
            out.append({"type": "image", "url": name, "title": p.title, "bounds": layers.mercator_to_latlon_bounds(p.image_bounds)})
        else:
            out += _vector_specs(state, p, store)
        if p.layer.id == "hillshade" and not has_choropleth:
            out.append(_outline_spec(state, store))
    spec = {"layers": out, "legend_html": legend_html(prepared, state.lang)}
    if state.tiles:
        spec["tiles"] = {"url": OSM_URL, "attribution": OSM_ATTR}
    return spec


# ---------------------------------------------------------------------------------------
# the page


class _Loader(MacroElement):
    """Calls our map script with the state's spec, the view's bounds and the labels."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        AtlasMap.start({{ this._parent.get_name() }}, {{ this.args }});
        {% endmacro %}
        """
    )

    def __init__(self, spec_name: str, bounds: list, labels: dict):
        super().__init__()
        self._name = "AtlasLoader"
        self._id = "atlas"
        args = json.dumps([spec_name, bounds, labels], ensure_ascii=False)[1:-1]
        self.args = args.replace("</", "<\\/")


def map_labels(lang: str) -> dict:
    return {"legend": t("legend", lang), "show_legend": t("show_legend", lang), "hide_legend": t("hide_legend", lang),
            "wheel_hint": t("wheel_hint", lang), "touch_hint": t("touch_hint", lang), "load_error": t("map_load_error", lang)}


def view_latlon_bounds(view_id: str, focus: tuple[float, float, float, float] | None = None) -> list[list[float]]:
    minx, miny, maxx, maxy = focus or layers.view_bounds(view_id)
    return [[max(miny, -85.0), minx], [min(maxy, 85.0), maxx]]



def page_html(state: ViewState, spec_name: str, files: dict[str, str], title: str, footer: str = "",
              prefix: str = "", inline: dict[str, bytes] | None = None, focus=None) -> str:
    """The map page: folium's Map and our loader; scripts and styles by URL (``prefix`` + name),
    or, with ``inline`` (name -> bytes), all in the page (a self-contained file)."""
    m = folium.Map(location=[0, 0], zoom_start=2, tiles=None, control_scale=True, prefer_canvas=True,
                   world_copy_jump=False, min_zoom=1, max_zoom=10, zoom_snap=0.25, zoom_delta=0.5, height="100%")
    m._id = "atlas"  # folium's random element ids would make every build a new file
    if inline is None:
        m.default_js = [("leaflet", prefix + files["leaflet.js"]), ("atlas_map", prefix + files["atlas-map.js"])]
        m.default_css = [("leaflet_css", prefix + files["leaflet.css"]), ("atlas_map_css", prefix + files["atlas-map.css"])]
    else:
        m.default_js, m.default_css = [], []
    _Loader(prefix + spec_name if inline is None else spec_name, view_latlon_bounds(state.view, focus), map_labels(state.lang)).add_to(m)
    html = m.get_root().render()
    html = html.replace("<html>", f'<html lang="{esc(state.lang)}">', 1)
    head = f'<title>{esc(title)}</title>'
    if inline is not None:
        css = inline[files["leaflet.css"]].decode("utf-8")
        for img, name in files.items():
            if img.endswith(".png"):
                css = css.replace(f"url({name})", "url(data:image/png;base64," + base64.b64encode(inline[name]).decode() + ")")
        island = {}
        for name, raw in inline.items():
            if name.endswith((".json", ".topojson", ".geojson")):
                island[name] = json.loads(raw)
            elif name.endswith((".png", ".jpg")):
                mime = "image/png" if name.endswith(".png") else "image/jpeg"
                island["data:" + name] = f"data:{mime};base64," + base64.b64encode(raw).decode()
        island_json = json.dumps(island, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        head += (f"\n<style>{css}</style>\n<style>{inline[files['atlas-map.css']].decode('utf-8')}</style>\n"
                 f'<script id="atlas-inline" type="application/json">{island_json}</script>\n'
                 f"<script>{inline[files['leaflet.js']].decode('utf-8')}</script>\n"
                 f"<script>{inline[files['atlas-map.js']].decode('utf-8')}</script>")
    html = html.replace("<head>", "<head>\n" + head, 1)
    html = html.replace("</body>", footer + "\n</body>", 1)
    return html


# ---------------------------------------------------------------------------------------
# build once per state and data generation


@dataclass(frozen=True)
class MapBuild:
    """What a map state is on disk: its page, its spec, every file they need, and data problems."""

    generation: str
    page: str
    spec: str
    files: dict = field(hash=False)  # role -> artefact name (Leaflet, script, style, images...)
    needs: tuple[str, ...]  # every artefact the page loads, the page and spec included
    problems: tuple[str, ...]
    sources: tuple[str, ...]


_builds: OrderedDict = OrderedDict()
_builds_lock = threading.Lock()
BUILD_COUNT = {"n": 0}  # how many states were actually built in this process (tests and bench read it)


def _state_key(state: ViewState, focus) -> tuple:
    return (state.view, state.layers, state.indicator, state.year, state.lang, state.tiles, focus)


def build(state: ViewState, store: artefacts.Store | None = None, focus=None) -> MapBuild:
    """The artefacts of ``state``: built once per data generation, folder and code version, and
    kept in memory per process; a process that did not build it reads what another one remembered
    in the folder (:meth:`geo.artefacts.Store.recall`), if every file it names is intact."""
    store = store or artefacts.store()
    state = state.with_(embed=False, notices=())
    # the data files' state (one stat each, verified once): a damaged or repaired folder is a new key
    files = layers.state_files(state)
    key = (store.generation, str(store.base), str(paths.data_dir()), tuple(data.problems(files)), _state_key(state, focus))
    with _builds_lock:
        mb = _builds.get(key)
        if mb is not None:
            _builds.move_to_end(key)
    if mb is not None and all(store.intact(n) for n in mb.needs):
        return mb
    # built before by another process (a replica, or this server before a restart)?
    memo = repr(key[2:])  # the data folder, its problems and the state (the store is the generation's folder)
    mb = _from_memo(store.recall(memo), store)
    if mb is None:
        mb = _build(state, store, focus)
        store.remember(memo, _to_memo(mb))
    with _builds_lock:
        _builds[key] = mb
        while len(_builds) > MAX_BUILDS:
            _builds.popitem(last=False)
    return mb


def _to_memo(mb: MapBuild) -> dict:
    return {"page": mb.page, "spec": mb.spec, "files": mb.files, "needs": list(mb.needs),
            "problems": list(mb.problems), "sources": list(mb.sources)}


def _from_memo(doc, store: artefacts.Store) -> MapBuild | None:
    """A remembered build, if well formed and every file it names is intact in ``store``."""
    try:
        mb = MapBuild(store.generation, doc["page"], doc["spec"], dict(doc["files"]), tuple(doc["needs"]),
                      tuple(doc["problems"]), tuple(doc["sources"]))
    except (TypeError, KeyError, ValueError):
        return None
    strings = [mb.page, mb.spec, *mb.files, *mb.files.values(), *mb.needs, *mb.problems, *mb.sources]
    if not all(isinstance(x, str) for x in strings) or not all(artefacts.NAME.match(n) and store.intact(n) for n in mb.needs):
        return None
    return mb


def _build(state: ViewState, store: artefacts.Store, focus) -> MapBuild:
    BUILD_COUNT["n"] += 1
    prepared = layers.prepare_state(state)
    files = _leaflet_files(store)
    spec = spec_for(state, prepared, store)
    spec_name = store.put(f"state-{state.view}", "json", _json_bytes(spec), per_state=True)
    title = t("map_alt", state.lang, title=catalog.view(state.view).title(state.lang))
    page = store.put(f"map-{state.view}", "html", page_html(state, spec_name, files, title, focus=focus).encode("utf-8"), per_state=True)
    needs = (page, spec_name, *files.values(), *[lyr["url"] for lyr in spec["layers"] if "url" in lyr])
    problems = tuple(pr for p in prepared for pr in p.problems)
    sources = tuple(dict.fromkeys(p.source_line for p in prepared if p.ok))
    return MapBuild(store.generation, page, spec_name, files, tuple(dict.fromkeys(needs)), problems, sources)


def inline_page(mb: MapBuild, state: ViewState, title: str, footer: str = "", store: artefacts.Store | None = None) -> str:
    """The same page with every artefact inlined: one file that needs no server (static export)."""
    store = store or artefacts.store()
    data = {n: store.path(n).read_bytes() for n in mb.needs if n != mb.page}
    return page_html(state, mb.spec, mb.files, title, footer=footer, inline=data)


def source_names(state: ViewState) -> str:
    """The publishers of a map's sources, in a few words (the links are on the full page)."""
    sep = "、" if state.lang == "zh" else "; "
    lids = [*state.layers, *([state.indicator] if state.indicator else [])]
    return sep.join(dict.fromkeys(s.publisher(state.lang) for lid in lids for s in layers.cited(catalog.layer(lid).files)))


def embed_footer(state: ViewState, mb: MapBuild, live_href: str) -> str:
    """One line under a static embed: the sources and a link back to the live map (all escaped)."""
    names = source_names(state)
    full = " ".join(mb.sources)
    return (f'<div class="ma-footer" title="{esc(full)}"><a href="{esc(live_href)}" target="_blank" rel="noopener">'
            f'{esc(catalog.view(state.view).title(state.lang))} — {esc(t("app_title", state.lang))} ↗</a> · '
            f'{esc(t("source", state.lang))}: {esc(names)}</div>')


def static_embed(state: ViewState, live_href: str, store: artefacts.Store | None = None) -> str:
    """The static embed of ``state`` (the map page with its footer line, linked artefacts): its name."""
    store = store or artefacts.store()
    mb = build(state, store)
    title = t("map_alt", state.lang, title=catalog.view(state.view).title(state.lang))
    html = page_html(state, mb.spec, mb.files, title, footer=embed_footer(state, mb, live_href))
    return store.put(f"embed-{state.view}", "html", html.encode("utf-8"), per_state=True)
