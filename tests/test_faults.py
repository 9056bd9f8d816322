"""A missing or damaged data file: the pages that need it name it, the others keep working."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import data, layers, paths

APP = Path(__file__).resolve().parent.parent / "app.py"


@pytest.fixture()
def damaged(tmp_path, monkeypatch):
    root = tmp_path / "data"
    shutil.copytree(paths.ROOT / "data", root, ignore=shutil.ignore_patterns("sources"))
    (root / "tables/partnership_members.csv").unlink()
    p = root / "vector/places.geojson"
    p.write_bytes(p.read_bytes()[:200])
    monkeypatch.setenv("ATLAS_DATA_DIR", str(root))
    data.clear_caches()
    layers.countries_for_view.cache_clear()
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield root
    data.clear_caches()
    layers.countries_for_view.cache_clear()


def run(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(page)
    at.run()
    return at


def test_prepare_names_the_missing_and_the_corrupt_file(damaged):
    p = layers.prepare("world", "partnership_members")
    assert not p.ok and "tables/partnership_members.csv" in p.problems[0] and "missing" in p.problems[0]
    p = layers.prepare("alps", "places")
    assert not p.ok and "vector/places.geojson" in p.problems[0] and "corrupt" in p.problems[0]
    assert layers.prepare("alps", "mountain_classes").ok


def test_partnership_page_names_the_file_and_other_pages_work(damaged):
    at = run("views/partnership.py")
    assert not at.exception
    assert any("tables/partnership_members.csv" in e.value for e in at.error)
    at = run("views/carpathians.py")
    assert not at.exception
    errors = [e.value for e in at.error]
    assert all("partnership_members" not in e for e in errors)
    assert any("vector/places.geojson" in e for e in errors)  # the places layer of this page is damaged, and says so
    assert at.metric  # key figures still shown
    at = run("views/resolution.py")
    assert not at.exception and not at.error
