"""The view state and its URL form: allow-lists, round trips, hostile values."""

from __future__ import annotations

import pytest

from geo import catalog
from geo.state import ViewState, page_url, public_url

HOSTILE = [
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "\"'><img src=x onerror=alert(1)>",
    "../../../../etc/passwd",
    "x" * 10_000,
    "hillshade\u202e",
    "hill\x00shade",
    "hillshade\n",
    "9" * 400,
    "x" * 10_240,
    "\u202ehillshade",
    "hillshade\u200b",
    "no_such_layer",
    "sdg_NOT_A_SERIES",
    "%3Cscript%3E",
    "HILLSHADE",
    " hillshade",
]


def test_defaults_make_an_empty_url():
    for vid in catalog.VIEWS:
        s = ViewState.default(vid)
        assert s.to_query_params() == {}
        assert ViewState.from_query_params(vid, {}) == s


def test_round_trip_holds_only_the_differences():
    s = ViewState.default("alps").with_(lang="zh", layers=("hillshade", "places"), indicator="sdg_AG_LND_FRST", year=2015, tiles=True)
    q = s.to_query_params()
    assert q == {"lang": "zh", "layers": "hillshade,places", "indicator": "sdg_AG_LND_FRST", "year": "2015", "tiles": "true"}
    assert ViewState.from_query_params("alps", q) == s


def test_no_layers_and_no_indicator_round_trip():
    s = ViewState.default("world").with_(layers=(), indicator=None)
    back = ViewState.from_query_params("world", s.to_query_params())
    assert back.layers == () and back.indicator is None


@pytest.mark.parametrize("name", ["lang", "layers", "indicator", "year", "embed", "tiles"])
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_rejected_with_the_parameter_named(name, value):
    s = ViewState.from_query_params("alps", {name: value})
    assert name in s.notices
    assert s == ViewState.default("alps")  # the default, unchanged


def test_repeated_keys_are_rejected():
    s = ViewState.from_query_params("alps", {"lang": ["en", "zh"]})
    assert s.notices == ("lang",) and s.lang == "en"


def test_layers_must_belong_to_the_view_and_not_repeat():
    assert "layers" in ViewState.from_query_params("alps", {"layers": "region_icimod"}).notices
    assert "layers" in ViewState.from_query_params("alps", {"layers": "hillshade,hillshade"}).notices
    assert ViewState.from_query_params("alps", {"layers": "hillshade"}).layers == ("hillshade",)


def test_year_must_be_a_plausible_year():
    assert ViewState.from_query_params("world", {"year": "2015"}).year == 2015
    for bad in ("15", "20155", "1e3", "-2015", "2015.0"):
        assert "year" in ViewState.from_query_params("world", {"year": bad}).notices
    assert ViewState.from_query_params("world", {"year": "latest"}).year is None


@pytest.mark.parametrize("view_id", list(catalog.VIEWS))
def test_every_single_change_round_trips_and_only_it_is_in_the_url(view_id):
    base = ViewState.default(view_id)
    allowed = catalog.view(view_id).allowed_layers
    changes = [{"lang": "zh"}, {"tiles": True}, {"embed": True}, {"layers": ()}, {"indicator": None}, {"year": 1990}, {"year": 2023}]
    changes += [{"layers": (lid,)} for lid in allowed] + [{"layers": tuple(reversed(allowed))}]
    changes += [{"indicator": ind} for ind in catalog.INDICATORS]
    for change in changes:
        s = base.with_(**change)
        q = s.to_query_params()
        assert ViewState.from_query_params(view_id, q) == s, change
        # only differences from the defaults are in the URL
        differs = {k for k in ("lang", "layers", "indicator", "year", "embed", "tiles") if getattr(s, k) != getattr(base, k)}
        assert set(q) == differs, (change, q)
        assert all(isinstance(v, str) and v.isprintable() and len(v) < 400 for v in q.values())


@pytest.mark.parametrize("name", ["lang", "layers", "indicator", "year", "embed", "tiles"])
def test_repeated_keys_of_every_parameter_are_rejected(name):
    s = ViewState.from_query_params("carpathians", {name: ["1", "1"]})
    assert s.notices == (name,) and s == ViewState.default("carpathians")
    assert ViewState.from_query_params("carpathians", {name: []}).notices == (name,)


@pytest.mark.parametrize("value", ["1" * 5, "9" * 40, "1e309", "inf", "NaN", "２０１５", "2015 ", "0x7df", "-1"])
def test_huge_odd_and_non_ascii_numbers_are_not_years(value):
    s = ViewState.from_query_params("world", {"year": value})
    assert s.notices == ("year",) and s.year is None


def test_notices_name_parameters_only_and_good_values_survive_bad_ones():
    s = ViewState.from_query_params("alps", {"lang": "zh", "layers": "<b>", "indicator": "mountain_share", "year": "1e9"})
    assert s.lang == "zh" and s.indicator == "mountain_share"
    assert s.layers == catalog.view("alps").default_layers
    assert s.notices == ("layers", "year")


def test_parameters_this_state_does_not_own_are_ignored():
    s = ViewState.from_query_params("alps", {"view": "<script>", "utm_source": "x" * 10_000})
    assert s == ViewState.default("alps") and s.notices == ()


def test_non_string_values_are_rejected_not_raised():
    for value in (None, 5, 2015, b"zh", ["zh", 1], {"a": 1}):
        s = ViewState.from_query_params("alps", {"lang": value})
        assert s.lang == "en"


def test_one_url_builder_for_shared_and_cited_addresses(monkeypatch):
    monkeypatch.setenv("ATLAS_PUBLIC_URL", "https://atlas.example.org/")
    state = ViewState.default("alps").with_(lang="zh", embed=True, layers=("hillshade", "mountain_classes"))
    assert public_url(state) == "https://atlas.example.org/alps?lang=zh&layers=hillshade,mountain_classes"
    assert public_url(state, "https://atlas.example.org/sub") == \
        "https://atlas.example.org/sub/alps?lang=zh&layers=hillshade,mountain_classes"
    monkeypatch.delenv("ATLAS_PUBLIC_URL")
    assert public_url(ViewState.default("world")) == "http://localhost:8501/"
    assert page_url("", "compare", {"lang": "zh", "x": "a b&c"}) == "/compare?lang=zh&x=a+b%26c"


@pytest.mark.parametrize("raw,expected", [
    (None, ("world", False)), (["alps"], ("alps", False)), (["moon"], ("world", True)), (["alps", "andes"], ("world", True)),
    ([HOSTILE[0]], ("world", True)), (["alps\x00"], ("world", True)), (["a" * 401], ("world", True)),
])
def test_a_page_parameter_is_one_allowed_value_or_the_default_with_a_notice(raw, expected):
    from geo.state import choice

    params = {} if raw is None else {"view": raw}
    assert choice(params, "view", ("world", "alps", "andes"), "world") == expected
