"""The view state and its URL form: allow-lists, round trips, hostile values."""

from __future__ import annotations

import pytest

from geo import catalog
from geo.state import ViewState

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
