"""Mountain Atlas server: the Streamlit app (app.py) plus the routes that serve map artefacts.

Run with ``streamlit run serve.py`` (``make run``). Routes, under ``server.baseUrlPath`` if set:

- ``/artefacts/<generation>/<name>``: content-hashed map files (:mod:`geo.artefacts`), cached
  for a year (immutable), with an ETag; anything not of the artefact form is a 400.
- ``/embed/<view>?lang=..&layers=..``: the static embed of a map state (works in iframes
  sandboxed without ``allow-same-origin``); redirects to its artefact page.
- ``/static/...``: Streamlit's own files, answered from memory (:class:`geo.serving.StreamlitFilesFromMemory`).
"""

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from streamlit import config

from geo import artefacts, catalog
from geo.serving import StreamlitFilesFromMemory
from geo.state import ViewState

BASE = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
BASE = "" if BASE == "/" else BASE


async def artefact(request):
    reply = await run_in_threadpool(artefacts.respond, request.path_params["gen"], request.path_params["name"],
                                    request.headers.get("if-none-match"))
    return Response(reply.body, status_code=reply.status, headers=reply.headers)


def _embed(view: str, query: dict) -> tuple[int, str]:
    from geo import mapping

    state = ViewState.from_query_params(view, query)
    if state.notices:
        return 400, "Bad parameter(s): " + ", ".join(state.notices)
    live = {k: v for k, v in state.to_query_params().items() if k != "embed"}
    from urllib.parse import urlencode

    live_href = "../../" + catalog.PAGE_PATHS[view] + (f"?{urlencode(live)}" if live else "")
    store = artefacts.store()
    name = mapping.static_embed(state.with_(tiles=False), live_href, store)
    return 302, f"../artefacts/{store.generation}/{name}"


async def embed(request):
    view = request.path_params["view"]
    if view not in catalog.VIEWS:
        return PlainTextResponse("Unknown view", status_code=404)
    query = {k: request.query_params.getlist(k) for k in request.query_params.keys()}
    status, where = await run_in_threadpool(_embed, view, query)
    if status != 302:
        return PlainTextResponse(where, status_code=status)
    return RedirectResponse(where, status_code=302, headers={"Cache-Control": "no-cache"})


app = st.App("app.py", routes=[
    Route(BASE + "/artefacts/{gen}/{name}", artefact, methods=["GET"]),
    Route(BASE + "/embed/{view}", embed, methods=["GET"]),
], middleware=[Middleware(StreamlitFilesFromMemory, prefix=BASE + "/static/")])
