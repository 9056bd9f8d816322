"""The interactive map of a view, drawn with folium from :mod:`geo.layers`.

No third-party request by default: no tiles (our own hillshade and borders are the basemap),
Leaflet from an installed package (see :mod:`geo.assets`), no plugin that pulls a CDN
(branca colour maps add d3 from a CDN, so the legend is our own HTML). Online tiles are an
opt-in layer (``tiles=True``).
"""

from __future__ import annotations

import base64

import folium
from branca.element import MacroElement, Template

from geo import assets, catalog, layers
from geo.i18n import t
from geo.layers import esc
from geo.state import ViewState

OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTR = "© OpenStreetMap contributors"


def _style(feature: dict) -> dict:
    p = feature["properties"]
    return {
        "fillColor": p["fill"],
        "color": p["stroke"],
        "weight": p["weight"],
        "fillOpacity": p["fill_opacity"],
        "dashArray": p["dash"] or None,
    }


def _point_style(feature: dict) -> dict:
    return {**_style(feature), "radius": 6}


def legend_html(prepared: list[layers.Prepared], lang: str) -> str:
    """Escaped HTML of the legends of the prepared layers, for the map and exports."""
    parts = []
    for p in prepared:
        if not p.legend:
            continue
        lg = p.legend
        rows = "".join(
            f'<div class="ma-li"><span class="ma-sw" style="background:{esc(i.colour)};'
            f'border:1px {"dashed" if i.hatch else "solid"} {esc(i.outline or i.colour)}"></span>{esc(i.label)}</div>'
            for i in lg.items
        )
        unit = f'<div class="ma-unit">{esc(lg.unit)}</div>' if lg.unit else ""
        parts.append(f'<div class="ma-lg"><div class="ma-lt">{esc(lg.title)}</div>{unit}{rows}</div>')
    return "".join(parts)


LEGEND_CSS = """
.ma-legend{background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;font:12px/1.3 sans-serif;
 max-height:45vh;overflow:auto;max-width:260px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.ma-lt{font-weight:bold;margin-top:2px}.ma-unit{color:#444;font-size:11px}
.ma-li{display:flex;align-items:center;gap:5px}.ma-sw{display:inline-block;width:14px;height:10px;flex:none}
.ma-src{color:#444;font-size:10px;margin-top:4px}
"""


class _Legend(MacroElement):
    """A Leaflet control holding our legend HTML (already escaped)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
        {% macro script(this, kwargs) %}
        (function(){
          var ctl = L.control({position: 'bottomright'});
          ctl.onAdd = function(){ var d = L.DomUtil.create('div', 'ma-legend');
            d.innerHTML = {{ this.html_json }}; L.DomEvent.disableScrollPropagation(d); return d; };
          ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str):
        super().__init__()
        import json

        self._name = "MountainAtlasLegend"
        self.css = LEGEND_CSS
        # json.dumps + "</" escaping keeps the HTML inside the script string
        self.html_json = json.dumps(html).replace("</", "<\\/")


def _geojson_layer(p: layers.Prepared, name: str, show: bool) -> folium.FeatureGroup:
    fg = folium.FeatureGroup(name=name, show=show)
    gdf = p.gdf
    if gdf is None or gdf.empty:
        return fg
    is_points = (gdf.geom_type == "Point").all()
    gj = folium.GeoJson(
        gdf.drop(columns=[c for c in ("iso3",) if c in gdf.columns]).to_json(drop_id=True),
        style_function=_point_style if is_points else _style,
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        marker=folium.CircleMarker() if is_points else None,
        smooth_factor=1.0,
    )
    gj.add_to(fg)
    return fg


def _image_layer(p: layers.Prepared, name: str, show: bool) -> folium.FeatureGroup:
    fg = folium.FeatureGroup(name=name, show=show)
    raw = layers.encode_image(p)
    mime = "image/jpeg" if p.image_format == "jpeg" else "image/png"
    url = f"data:{mime};base64,{base64.b64encode(raw).decode()}"
    folium.raster_layers.ImageOverlay(image=url, bounds=layers.mercator_to_latlon_bounds(p.image_bounds), mercator_project=False,
                                      interactive=False, zindex=1).add_to(fg)
    return fg


def prepare_state(state: ViewState) -> list[layers.Prepared]:
    """Prepared layers of a state, bottom to top (basemap first, indicator under overlays)."""
    order = [lid for lid in ("hillshade",) if lid in state.layers]
    if state.indicator:
        order.append(state.indicator)
    order += [lid for lid in state.layers if lid not in order]
    # points on top
    order.sort(key=lambda lid: (lid != "hillshade", catalog.layer(lid).kind == "points"))
    return [layers.prepare(state.view, lid, state.lang, state.year) for lid in order]


def build_map(state: ViewState, prepared: list[layers.Prepared] | None = None, asset_base: str | None = None, height: int = 560) -> folium.Map:
    """The folium map of ``state``. ``asset_base``: URL folder of leaflet.js/css (None: inline later)."""
    prepared = prepared if prepared is not None else prepare_state(state)
    minx, miny, maxx, maxy = layers.view_bounds(state.view)
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=3, tiles=None, control_scale=True,
                   prefer_canvas=True, world_copy_jump=False, height=height, min_zoom=1, max_zoom=10, zoom_snap=0.25, zoom_delta=0.5)
    js, css = assets.js_css_links(asset_base or "leaflet")
    m.default_js = js
    m.default_css = css
    if state.tiles:
        folium.TileLayer(OSM_URL, attr=OSM_ATTR, name=t("online_tiles", state.lang), overlay=False, max_zoom=19).add_to(m)
    has_choropleth = any(p.layer.kind in ("choropleth", "categorical") for p in prepared if p.ok)
    for p in prepared:
        if not p.ok:
            continue
        if p.image is not None:
            _image_layer(p, p.title, True).add_to(m)
        else:
            _geojson_layer(p, p.title, True).add_to(m)
        if p.layer.id == "hillshade" and not has_choropleth:
            outline = layers.countries_for_view(state.view)[["iso3", "name_en", "name_zh", "geometry"]].copy()
            outline["tip"] = [layers.tip(layers.country_name(r, state.lang), []) for _, r in outline.iterrows()]
            outline = outline.assign(fill="#000000", stroke="#777777", weight=0.6, fill_opacity=0.0, dash="")
            cp = layers.Prepared(p.layer, t("country", state.lang), gdf=outline[["geometry", "fill", "stroke", "weight", "fill_opacity", "dash", "tip"]])
            _geojson_layer(cp, t("country", state.lang), True).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    _Legend(legend_html(prepared, state.lang)).add_to(m)
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m


def standalone_html(m: folium.Map, title: str = "Mountain Atlas") -> str:
    """The map as one self-contained HTML page: Leaflet inlined, no external request."""
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    html = root.render()
    inline = f"<style>{assets.inline_css()}</style>\n<script>{assets.inline_js()}</script>\n"
    html = html.replace("<head>", "<head>\n" + inline, 1)
    html = html.replace("<title>", "<title>", 1)
    if "<title>" not in html:
        html = html.replace("<head>", f"<head><title>{esc(title)}</title>", 1)
    return html
