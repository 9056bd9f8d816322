"""The framework's floor: a bare Streamlit page holding one small st_folium map."""

import folium
from streamlit_folium import st_folium

import streamlit.components.v1 as components

from geo import assets

# serves Leaflet's files offline from the installed package (the component's asset route)
_leaflet = components.declare_component(assets.COMPONENT_NAME, path=str(assets.LEAFLET_DIR))

m = folium.Map(location=[46, 10], zoom_start=5, tiles=None)
m.default_js, m.default_css = assets.js_css_links(f"../{_leaflet.name}")
folium.GeoJson({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[5, 45], [15, 45], [15, 48], [5, 48], [5, 45]]]}}).add_to(m)
st_folium(m, height=400, returned_objects=[])
