"""The view state of a map page and its URL form.

State is the catalogue's defaults plus what the user changed; the URL holds only the
differences, so share links stay short and stable. Every parameter is checked against an
allow-list: an unknown or malformed value is dropped with a notice naming the parameter,
never echoed, never raised.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Mapping

from geo import catalog
from geo.i18n import LANGS

#: Where pages are served when neither the request nor ``ATLAS_PUBLIC_URL`` says.
DEFAULT_PUBLIC_URL = "http://localhost:8501"

#: The parameters this app reads from a URL.
PARAMS = ("lang", "layers", "indicator", "year", "embed", "tiles")
_YEAR = re.compile(r"^(19|20)\d\d$")
_MAX_LEN = 400  # longer values are rejected outright


def one_value(params: Mapping[str, object], name: str) -> tuple[str | None, bool]:
    """``(value, bad)`` of URL parameter ``name``: ``(None, False)`` when absent; ``bad`` for a
    repeated key, an over-long value or one with control characters (the value is then None)."""
    raw = params.get(name)
    if raw is None:
        return None, False
    if isinstance(raw, (list, tuple)):
        if len(raw) != 1:
            return None, True
        raw = raw[0]
    if not isinstance(raw, str) or len(raw) > _MAX_LEN or not raw.isprintable():
        return None, True
    return raw, False


def choice(params: Mapping[str, object], name: str, allowed, default: str) -> tuple[str, bool]:
    """``(value, bad)`` of a parameter that must be one of ``allowed`` (``default`` when absent or
    bad): how pages read their own parameters (``lang`` on the reader, ``view`` on indicators)."""
    raw, bad = one_value(params, name)
    if raw is None:
        return default, bad
    return (raw, False) if raw in allowed else (default, True)


@dataclass(frozen=True)
class ViewState:
    view: str
    layers: tuple[str, ...]
    indicator: str | None
    year: int | None = None  # None: the latest year with data per country
    lang: str = "en"
    embed: bool = False
    tiles: bool = False  # the opt-in online basemap
    notices: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def default(cls, view_id: str) -> "ViewState":
        v = catalog.view(view_id)
        return cls(view=view_id, layers=v.default_layers, indicator=v.default_indicator)

    def with_(self, **kw) -> "ViewState":
        return replace(self, **kw)

    # URL ---------------------------------------------------------------
    @classmethod
    def from_query_params(cls, view_id: str, params: Mapping[str, object]) -> "ViewState":
        """Read a state from query parameters (a mapping of str to str or list of str).

        Bad values fall back to the default and add the parameter's *name* to ``notices``.
        """
        base = cls.default(view_id)
        v = catalog.view(view_id)
        bad: list[str] = []
        out: dict[str, object] = {}

        def one(name: str) -> str | None:
            raw, wrong = one_value(params, name)
            if wrong:
                bad.append(name)
            return raw

        lang = one("lang")
        if lang is not None:
            if lang in LANGS:
                out["lang"] = lang
            else:
                bad.append("lang")
        layers = one("layers")
        if layers is not None:
            items = [x for x in layers.split(",") if x] if layers != "none" else []
            allowed = v.allowed_layers
            if all(x in allowed for x in items) and len(set(items)) == len(items):
                out["layers"] = tuple(items)
            else:
                bad.append("layers")
        ind = one("indicator")
        if ind is not None:
            if ind == "none":
                out["indicator"] = None
            elif ind in catalog.INDICATORS:
                out["indicator"] = ind
            else:
                bad.append("indicator")
        year = one("year")
        if year is not None:
            if year == "latest":
                out["year"] = None
            elif _YEAR.match(year):
                out["year"] = int(year)
            else:
                bad.append("year")
        for flag in ("embed", "tiles"):
            val = one(flag)
            if val is not None:
                if val.lower() in ("true", "1", "yes"):
                    out[flag] = True
                elif val.lower() in ("false", "0", "no"):
                    out[flag] = False
                else:
                    bad.append(flag)
        return replace(base, **out, notices=tuple(dict.fromkeys(bad)))

    def to_query_params(self) -> dict[str, str]:
        """Only what differs from the view's defaults, in a stable order."""
        base = ViewState.default(self.view)
        q: dict[str, str] = {}
        if self.lang != base.lang:
            q["lang"] = self.lang
        if self.layers != base.layers:
            q["layers"] = ",".join(self.layers) if self.layers else "none"
        if self.indicator != base.indicator:
            q["indicator"] = self.indicator or "none"
        if self.year is not None:
            q["year"] = str(self.year)
        if self.embed:
            q["embed"] = "true"
        if self.tiles:
            q["tiles"] = "true"
        return q


def page_url(base: str | None, view_id: str, params: Mapping[str, str] | None = None) -> str:
    """The one URL builder: ``base`` (the address the app is served from; ``None``:
    ``ATLAS_PUBLIC_URL``, else :data:`DEFAULT_PUBLIC_URL`; ``""``: a root-relative link), the
    page's path from the catalogue and ``params`` as a query string. Commas stay literal
    (``layers=a,b``) in every URL."""
    from urllib.parse import urlencode

    if base is None:
        base = os.environ.get("ATLAS_PUBLIC_URL") or DEFAULT_PUBLIC_URL
    base = base.rstrip("/")
    path = catalog.PAGE_PATHS.get(view_id, view_id)
    return f"{base}/{path}" + (f"?{urlencode(dict(params), safe=',')}" if params else "")


def public_url(state: ViewState, base: str | None = None) -> str:
    """The shareable page URL of ``state`` (never its embed form)."""
    return page_url(base, state.view, state.with_(embed=False).to_query_params())
