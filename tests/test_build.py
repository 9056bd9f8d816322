"""The data build: manifest matches files, raw inputs are checked, builds are reproducible."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from geo import build, manifest, paths, raw
from geo.errors import BuildError, RawInputError
from tests.conftest import run_cli


def test_manifest_checksums_equal_the_files():
    statuses = manifest.verify(paths.ROOT / "data")
    assert statuses, "manifest lists no files"
    bad = [s.problem for s in statuses.values() if not s.ok]
    assert not bad, bad


def test_every_manifest_entry_has_sources_and_step():
    doc = manifest.load(paths.ROOT / "data")
    for rel, entry in doc["files"].items():
        assert entry["description"], rel
        assert entry["step"], rel
        assert entry["sources"], rel
        for src in entry["sources"]:
            assert src.get("name") and src.get("licence"), (rel, src)


def test_every_step_output_is_in_the_manifest_and_steps_are_known():
    doc = manifest.load(paths.ROOT / "data")
    step_names = {n for n, _ in build.STEPS}
    made_by = {e["step"].split(" ")[0] for e in doc["files"].values()}
    assert made_by == step_names, f"steps without outputs: {step_names - made_by}; unknown: {made_by - step_names}"


def test_corrupt_raw_input_names_file_and_expected_checksum(tmp_path):
    pkg = raw.PACKAGES["world-atlas"]
    (tmp_path / pkg.archive).write_bytes(b"not the package")
    with pytest.raises(RawInputError) as e:
        raw.package_archive("world-atlas", fetch=False, cache_dir=tmp_path)
    assert pkg.archive in str(e.value) and pkg.sha256 in str(e.value)


def test_missing_raw_input_without_fetch_names_file_and_checksum(tmp_path):
    pkg = raw.PACKAGES["pvlib"]
    with pytest.raises(RawInputError, match=pkg.sha256):
        raw.package_archive("pvlib", fetch=False, cache_dir=tmp_path)


def test_failed_build_leaves_output_untouched(tmp_path, monkeypatch):
    out = tmp_path / "data"
    out.mkdir()
    (out / paths.MANIFEST).write_text('{"files": {}}')

    def boom(ctx):
        ctx.out("x.txt").write_text("half")
        ctx.record("x.txt", "a file", [{"name": "t", "licence": "none"}])
        raise BuildError("step failed on purpose")

    monkeypatch.setattr(build, "STEPS", [("boom", "tests.test_build:_boom")])
    monkeypatch.setattr(build, "_resolve", lambda target: boom)
    with pytest.raises(BuildError):
        build.run(out, fetch=False)
    assert sorted(p.name for p in out.iterdir()) == [paths.MANIFEST]
    assert json.loads((out / paths.MANIFEST).read_text()) == {"files": {}}


def test_unknown_step_is_rejected(tmp_path):
    with pytest.raises(BuildError, match="unknown step"):
        build.run(tmp_path, only=["nope"])


@pytest.mark.build
def test_a_fresh_build_reproduces_the_committed_data(tmp_path):
    """Builds from the pinned raw inputs into a temporary folder; every file must have the
    checksum the committed manifest records (so two builds give identical checksums)."""
    cache = paths.CACHE_DIR
    out = tmp_path / "data"
    got = build.run(out, fetch=True, cache_dir=cache, log=lambda s: None)
    want = manifest.load(paths.ROOT / "data")["files"]
    assert set(got["files"]) == set(want)
    diff = {k: (want[k]["sha256"][:12], got["files"][k]["sha256"][:12]) for k in want if want[k]["sha256"] != got["files"][k]["sha256"]}
    assert not diff, f"files that differ between the committed data and a fresh build: {diff}"
    shutil.rmtree(out)


def test_cli_names_an_unknown_step_and_fails(tmp_path, capsys):
    code, _, err = run_cli(build.main, ["--out", str(tmp_path / "out"), "--no-fetch", "--only", "nope"], capsys)
    assert code == 1 and err.startswith("build failed:") and "unknown step" in err and "'nope'" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_cli_runs_as_a_module(tmp_path):
    """The geo.build subprocess smoke run (`make data` runs `python -m geo.build`)."""
    r = subprocess.run([sys.executable, "-m", "geo.build", "--out", str(tmp_path / "out"), "--no-fetch", "--only", "nope"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "unknown step" in r.stderr and "Traceback" not in r.stderr, r.stderr
