"""The framework's floor (bench/floor_app.py) behind the same file serving as the atlas
(geo.serving: Streamlit's own files from memory, gzipped), so that the two compare like for like."""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from geo.serving import StreamlitFilesFromMemory

app = st.App(str(Path(__file__).with_name("floor_app.py")), middleware=[Middleware(StreamlitFilesFromMemory, prefix="/static/")])
