"""Map artefacts: built once per state and data generation, served only by their content names,
with validators; a damaged or missing file is rebuilt; a new data generation gets new files."""

from __future__ import annotations

import json
from collections import OrderedDict

import pytest

from geo import artefacts, catalog, mapping
from geo.state import ViewState
from tests import tiny_data


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    root = tiny_data.make(tmp_path / "data")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(root))
    monkeypatch.setenv("ATLAS_ARTEFACT_DIR", str(tmp_path / "artefacts"))
    yield root


STATE = ViewState(view="world", layers=(), indicator="mountain_share")


def test_a_state_is_built_once_and_shared(tiny):
    before = mapping.BUILD_COUNT["n"]
    first = mapping.build(STATE)
    again = mapping.build(STATE.with_(notices=("lang",), embed=True))  # another session, same map state
    assert again is first and mapping.BUILD_COUNT["n"] == before + 1
    zh = mapping.build(STATE.with_(lang="zh"))
    assert mapping.BUILD_COUNT["n"] == before + 2 and zh.page != first.page
    geometry = [n for n in first.needs if n.endswith(".topojson")]
    assert geometry and geometry == [n for n in zh.needs if n.endswith(".topojson")]  # language changes only the style JSON


def test_a_process_that_starts_later_reads_the_remembered_build(tiny, monkeypatch):
    first = mapping.build(STATE)
    monkeypatch.setattr(mapping, "_builds", OrderedDict())  # what a new process (a replica, a restart) holds
    before = mapping.BUILD_COUNT["n"]
    assert mapping.build(STATE) == first and mapping.BUILD_COUNT["n"] == before


def test_a_remembered_build_is_not_used_if_a_file_is_damaged_the_code_changed_or_it_is_unreadable(tiny, monkeypatch):
    store = artefacts.store()
    first = mapping.build(STATE, store)
    memo = next((store.folder / "remembered").glob("*.json"))

    def later_process() -> mapping.MapBuild:
        monkeypatch.setattr(mapping, "_builds", OrderedDict())
        before = mapping.BUILD_COUNT["n"]
        mb = mapping.build(STATE, store)
        assert mapping.BUILD_COUNT["n"] == before + 1  # built again, not read
        assert all(store.intact(n) for n in mb.needs)
        return mb

    store.path(first.spec).write_text("{}")  # damaged on disk since it was remembered
    assert later_process() == first
    memo.write_text('{"key": "x", "value": {"page": 1}')  # cut short
    assert later_process() == first
    monkeypatch.setattr(artefacts, "code_version", lambda: "another-version")  # an upgraded app, same data
    assert later_process() == first
    assert len(list(memo.parent.glob("*.json"))) == 2  # one memo per code version


def test_a_file_made_once_is_made_again_only_when_damaged(tiny):
    store = artefacts.store()
    made = []

    def make() -> bytes:
        made.append(1)
        return b"a compare map"

    name = store.made_once("k", "compare-alps", "png", make)
    assert store.made_once("k", "compare-alps", "png", make) == name and len(made) == 1
    other = artefacts.Store(store.generation, store.base)  # another process's: it has not checked the file yet
    assert other.made_once("k", "compare-alps", "png", make) == name and len(made) == 1
    store.path(name).write_bytes(b"damaged")
    assert store.made_once("k", "compare-alps", "png", make) == name and len(made) == 2
    assert store.path(name).read_bytes() == b"a compare map"


def test_countries_topojson_shares_borders_and_keeps_codes(tiny):
    store = artefacts.store()
    name = next(n for n in mapping.build(STATE, store).needs if n.endswith(".topojson"))
    topo = json.loads(store.path(name).read_text(encoding="utf-8"))
    geoms = topo["objects"]["countries"]["geometries"]
    assert sorted(g["id"] for g in geoms) == ["AAA", "BBB", "CCC"]
    assert "transform" in topo  # quantised
    used = [abs(i if i >= 0 else ~i) for g in geoms for ring in g["arcs"] for i in (ring if g["type"] == "Polygon" else [x for r in ring for x in r])]
    assert len(used) > len(set(used))  # an arc drawn by two neighbours: one shared border


def test_missing_or_damaged_artefact_is_rebuilt(tiny):
    store = artefacts.store()
    mb = mapping.build(STATE, store)
    topo = next(n for n in mb.needs if n.endswith(".topojson"))
    good = store.path(topo).read_bytes()
    store.path(topo).write_bytes(good[:-10] + b"0000000000")  # damaged in place
    assert artefacts.respond(store.generation, topo, base=store.base).status == 404  # never served damaged
    assert not store.intact(topo)
    assert mapping.build(STATE, store).needs == mb.needs and store.path(topo).read_bytes() == good
    store.path(mb.spec).unlink()  # missing
    assert mapping.build(STATE, store).spec == mb.spec and store.intact(mb.spec)


def test_a_new_data_generation_gets_its_own_artefacts(tiny):
    old_store = artefacts.store()
    old = mapping.build(STATE, old_store)
    f = tiny / "stats/country_mountain_area.csv"
    f.write_text(f.read_text().replace("50.0", "60.0"))
    doc = json.loads((tiny / "manifest.json").read_text())
    from geo.raw import sha256_file

    doc["files"]["stats/country_mountain_area.csv"]["sha256"] = sha256_file(f)
    (tiny / "manifest.json").write_text(json.dumps(doc))
    new_store = artefacts.store()
    assert new_store.generation != old_store.generation
    new = mapping.build(STATE, new_store)
    assert new.generation == new_store.generation and new.spec != old.spec
    assert all(new_store.intact(n) for n in new.needs)  # everything the new page loads is in the new folder
    spec = json.loads(new_store.path(new.spec).read_text(encoding="utf-8"))
    assert "60" in spec["layers"][0]["features"]["BBB"][1]


def test_respond_serves_only_artefact_names_with_validators(tiny):
    store = artefacts.store()
    mb = mapping.build(STATE, store)
    gen, name = store.generation, mb.files["leaflet.js"]
    ok = artefacts.respond(gen, name, base=store.base)
    assert ok.status == 200 and ok.body == store.path(name).read_bytes()
    assert ok.headers["Cache-Control"] == artefacts.IMMUTABLE and ok.headers["Content-Type"].startswith("text/javascript")
    assert ok.headers["ETag"] == f'"{name.split(".")[1]}"'
    again = artefacts.respond(gen, name, if_none_match=ok.headers["ETag"], base=store.base)
    assert again.status == 304 and not again.body
    (store.base / gen / "secret.txt").write_text("no")
    for bad_gen, bad_name in [(gen, "../manifest.json"), (gen, "secret.txt"), (gen, "/etc/passwd"), ("..", name),
                              (gen, name + "/x"), (gen, name.replace(".js", ".py")), (gen, "%2e%2e%2fmanifest.json")]:
        assert artefacts.respond(bad_gen, bad_name, base=store.base).status == 400, (bad_gen, bad_name)
    assert artefacts.respond(gen, "leaflet.0123456789abcdef.js", base=store.base).status == 404
    assert artefacts.respond("f" * 16, name, base=store.base).status == 404  # another generation's folder


def test_per_state_files_are_bounded(tiny, monkeypatch):
    monkeypatch.setattr(artefacts, "MAX_STATE_FILES", 10)
    store = artefacts.store()
    for i in range(15):
        store.put("state-world", "json", json.dumps({"i": i}).encode(), per_state=True)
        store.remember(f"state {i}", {"i": i})
    assert len(list(store.folder.glob("state-*"))) <= 10
    assert len(list((store.folder / "remembered").glob("*.json"))) <= 10


@pytest.mark.parametrize("view_id", list(catalog.VIEWS))
def test_a_view_map_stays_within_its_byte_budget(view_id):
    """``View.max_bytes``: what a browser fetches for the view's map, Leaflet included, with
    every layer the view allows switched on and the mountain-share indicator (every country
    has a value: the largest style table), on the real data."""
    v = catalog.view(view_id)
    store = artefacts.store()
    mb = mapping.build(ViewState(view=view_id, layers=v.allowed_layers, indicator="mountain_share"), store)
    assert not mb.problems, mb.problems
    size = sum(store.path(n).stat().st_size for n in mb.needs)
    assert 100_000 < size <= v.max_bytes, f"{view_id}: {size:,} bytes, budget {v.max_bytes:,}"
