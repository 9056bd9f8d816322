"""Serving Streamlit's own files (part of the UI layer: it imports Streamlit and Starlette).

``serve.py`` puts :class:`StreamlitFilesFromMemory` in front of the app; ``bench/floor_served.py``
puts it in front of the benchmark's bare page so that the two compare like for like.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from streamlit import file_util


class StreamlitFilesFromMemory:
    """Streamlit's own files under ``/static/`` (its code bundles, fonts and images: content-hashed
    names that never change while the server runs), answered from memory, and gzipped once for
    browsers that accept it.

    Streamlit's handler reads each file from disk on every request and sends it uncompressed: on
    this machine 3.7 ms of server CPU per file, and a first page view fetches about 100 of them.
    From memory it is about 1 ms (``make bench``). Whatever this does not know (another path or
    method, a name not in the folder, a Range request) goes on to Streamlit unchanged.
    """

    COMPRESS = (".js", ".css", ".svg", ".json")

    def __init__(self, app, prefix: str):
        self.app, self.prefix = app, prefix
        root = Path(file_util.get_static_dir()) / "static"
        self.files = {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}
        self.entries: dict[str, tuple[bytes, bytes | None, str, str]] = {}
        self.lock = threading.Lock()

    def entry(self, rel: str) -> tuple[bytes, bytes | None, str, str]:
        """(body, gzipped body or None, content type, ETag) of one file, read once."""
        with self.lock:  # many first views at once: each file is still read and compressed once
            if rel not in self.entries:
                body = self.files[rel].read_bytes()
                gz = gzip.compress(body, 6, mtime=0) if rel.endswith(self.COMPRESS) else None
                ctype = mimetypes.guess_type(rel)[0] or "application/octet-stream"
                if ctype.startswith("text/") or ctype.endswith(("javascript", "json")):
                    ctype += "; charset=utf-8"
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                self.entries[rel] = (body, gz if gz is not None and len(gz) < len(body) else None, ctype, etag)
            return self.entries[rel]

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not path.startswith(self.prefix):
            return await self.app(scope, receive, send)
        rel = path[len(self.prefix):]
        asked = dict(scope["headers"])  # names are lower-case bytes
        if rel not in self.files or b"range" in asked:
            return await self.app(scope, receive, send)
        body, gz, ctype, etag = self.entries.get(rel) or await run_in_threadpool(self.entry, rel)
        headers = {"Content-Type": ctype, "Cache-Control": "public, immutable, max-age=31536000", "ETag": etag}
        if gz is not None:
            headers["Vary"] = "Accept-Encoding"
        if etag in asked.get(b"if-none-match", b"").decode("latin-1"):
            return await Response(status_code=304, headers=headers)(scope, receive, send)
        if gz is not None and b"gzip" in asked.get(b"accept-encoding", b""):
            body, headers["Content-Encoding"] = gz, "gzip"
        await Response(body, headers=headers)(scope, receive, send)  # the server drops the body of a HEAD
