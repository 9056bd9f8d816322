"""Mountain Atlas: the navigation registry. Pages are thin; the template is geo.ui."""

import streamlit as st

from geo import catalog, ui
from geo.i18n import t

embedded = bool(st.context.is_embedded)
# read after the language radio's callback has written the choice to the URL: the title and
# every link below follow a new choice on the same run
lang = ui.current_lang()
pages = {
    view_id: st.Page(page.file, title=ui.page_title(view_id, lang), url_path=page.path or None, default=(view_id == "world"))
    for view_id, page in catalog.PAGES.items()
}
current = st.navigation(list(pages.values()), position="hidden")
tab_title = f"{current.title} · {t('app_title', lang)}"
st.set_page_config(page_title=tab_title, page_icon="⛰️", layout="wide",
                   initial_sidebar_state="collapsed" if embedded else "auto")
ui.page_chrome(lang, tab_title)
if not embedded:
    ui.sidebar_nav(pages, lang)
    ui.data_health(lang)
current.run()
