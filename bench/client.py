"""A page view without a browser: Streamlit's own WebSocket protocol, then the map files.

A browser's view of a page asks the server for three things: the page (its HTML, then a WebSocket
on ``/_stcore/stream`` that asks for a script run), the run's messages, and the files of the map
frames and images the run names. ``view()`` does the same from Python: it sends the run request a
browser sends (page name, query string, context), reads the ForwardMsgs until the run has
finished, then fetches every map frame and image the run named, and every content-named file
those map pages and their state files name. Nothing is rendered, so a test or bench that counts
the *server's* memory or CPU is not slowed by a browser's.

What a browser does that this does not: run the frontend's JavaScript (the browser tests do that),
and fetch Streamlit's static bundle (served from memory by ``geo/serving.py``, the same bytes for
every view).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

#: File names inside a map page or its state file: ``name.<16 hex>.ext``.
CONTENT_NAMED = re.compile(r"""["'/]([a-z0-9-]+\.[0-9a-f]{16}\.[a-z]+)["']""")


@dataclass
class View:
    """What one view got: the run's outcome, exceptions shown, and the files fetched."""

    path: str
    finished: str = ""
    messages: int = 0
    exceptions: list[str] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)  # url -> HTTP status
    seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        out = [f"{self.path}: the run ended {self.finished or 'never'}"] if self.finished != "FINISHED_SUCCESSFULLY" else []
        out += [f"{self.path}: exception {e[:160]}" for e in self.exceptions]
        out += [f"{self.path}: HTTP {s} {u}" for u, s in self.files.items() if s >= 400]
        return out


def _get(url: str, timeout: float) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


def run_script(base: str, path: str, timeout: float = 180) -> View:
    """Ask for one script run of ``path`` (``/alps?lang=zh``) on a new WebSocket session, as the
    frontend does on a page load, and read its messages until it has finished; the socket is then
    closed, as when a visitor leaves."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    url = urllib.parse.urlsplit(base + path)
    v = View(path)
    back = BackMsg()
    rerun = back.rerun_script
    rerun.query_string = url.query
    rerun.page_name = url.path.strip("/")
    rerun.context_info.timezone = "UTC"
    rerun.context_info.locale = "en-US"
    rerun.context_info.url = f"{url.scheme}://{url.netloc}{url.path}"
    rerun.context_info.color_scheme = "light"
    status_name = ForwardMsg.ScriptFinishedStatus.Name
    end = time.monotonic() + timeout
    with connect(f"ws://{url.netloc}/_stcore/stream", subprotocols=["streamlit"], origin=f"{url.scheme}://{url.netloc}",
                 open_timeout=timeout, max_size=None) as ws:
        ws.send(back.SerializeToString())
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=max(0.1, end - time.monotonic())))
            v.messages += 1
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                kind = element.WhichOneof("type")
                if kind == "exception":
                    v.exceptions.append(f"{element.exception.type}: {element.exception.message}")
                # what a browser fetches as the page draws: map frames and images (not, say, the
                # files behind download buttons, fetched only when clicked)
                refs = [element.iframe.src] if kind == "iframe" else [i.url for i in element.imgs.imgs] if kind == "imgs" else []
                for ref in refs:
                    if ref and not ref.startswith(("data:", "http:", "https:")):
                        v.files.setdefault(urllib.parse.urljoin(base + "/", ref.lstrip("/")), 0)
            elif kind == "script_finished":
                v.finished = status_name(msg.script_finished)
                if v.finished != "FINISHED_EARLY_FOR_RERUN":  # a rerun follows that one
                    return v


def view(base: str, path: str, timeout: float = 180) -> View:
    """One page view as a browser makes it, without rendering: the page's HTML, its script run,
    then the files of its map frames and images (each map page's state file and the files that
    names), each fetched once. ``View.problems`` lists what went wrong."""
    t0 = time.monotonic()
    status, _ = _get(base + path, timeout)
    v = run_script(base, path, timeout)
    if status >= 400:
        v.files[base + path] = status
    queue = [u for u, s in v.files.items() if s == 0]
    while queue:
        url = queue.pop()
        status, body = _get(url, timeout)
        v.files[url] = status
        if status == 200 and url.split("?")[0].endswith((".html", ".json")):
            for name in CONTENT_NAMED.findall(body.decode("utf-8", "replace")):
                ref = urllib.parse.urljoin(url, name)
                if ref not in v.files:
                    v.files[ref] = 0
                    queue.append(ref)
    v.seconds = round(time.monotonic() - t0, 3)
    return v


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.client URL``: one view, printed as JSON (for a look by hand)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m bench.client")
    ap.add_argument("url", help="a page of a running app: http://127.0.0.1:8501/alps?lang=zh")
    args = ap.parse_args(argv)
    u = urllib.parse.urlsplit(args.url)
    v = view(f"{u.scheme}://{u.netloc}", u.path + (f"?{u.query}" if u.query else ""))
    print(json.dumps({**v.__dict__, "problems": v.problems}, indent=1))
    return 1 if v.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
