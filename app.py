"""Mountain Atlas: the navigation registry. Pages are thin; the template is geo.ui."""

import streamlit as st

from geo import ui

embedded = bool(st.context.is_embedded)
st.set_page_config(page_title="Mountain Atlas", page_icon="⛰️", layout="wide",
                   initial_sidebar_state="collapsed" if embedded else "auto")
lang = ui.current_lang()
pages = {
    view_id: st.Page(path, title=ui.page_title(view_id, lang), url_path=ui.PAGES[view_id] or None, default=(view_id == "world"))
    for view_id, path in ui.PAGE_FILES.items()
}
current = st.navigation(list(pages.values()), position="hidden")
if not embedded:
    ui.sidebar_nav(pages, lang)
    ui.data_health(lang)
current.run()
