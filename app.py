"""Mountain Atlas: the navigation registry. Pages are thin; the template is geo.ui."""

import streamlit as st

from geo import catalog, ui
from geo.i18n import t

st.set_page_config(page_title="Mountain Atlas", page_icon="⛰️", layout="wide", initial_sidebar_state="auto")
lang = ui.current_lang()

PAGE_FILES = {
    "world": ("pages/overview.py", t("nav_overview", lang)),
    "alps": ("pages/alps.py", catalog.view("alps").title(lang)),
    "carpathians": ("pages/carpathians.py", catalog.view("carpathians").title(lang)),
    "hindu-kush-himalaya": ("pages/hindu_kush_himalaya.py", catalog.view("hindu-kush-himalaya").title(lang)),
    "andes": ("pages/andes.py", catalog.view("andes").title(lang)),
    "partnership": ("pages/partnership.py", t("nav_partnership", lang)),
    "indicators": ("pages/indicators.py", t("nav_indicators", lang)),
    "resolution": ("pages/resolution.py", t("nav_resolution", lang)),
}
pages = {}
for view_id, (path, title) in PAGE_FILES.items():
    url_path = ui.PAGES[view_id]
    pages[view_id] = st.Page(path, title=title, url_path=url_path or None, default=(view_id == "world"))
ui.PAGE_OBJECTS.update(pages)

nav = st.navigation(list(pages.values()), position="hidden" if st.context.is_embedded else "sidebar")
nav.run()
