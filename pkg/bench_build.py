"""The builds `make bench` compares: every variant is made by the pipeline's own code (pkg.build,
pkg.pyinstaller) with the app's own flags, so the benchmark measures what a release would ship.

A Variant is a program to start (`argv` + the measured arguments) and what it costs on disk.
"""

import dataclasses
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pkg import archive, build, manifest, pyinstaller
from pkg.config import Config
from pkg.errors import PkgError
from pkg.targets import Target

FLOOR_ROOT = Path(__file__).resolve().parent.parent / "bench" / "floor"  # a tiny project: app/floor/


@dataclass
class Variant:
    name: str                       # key in results.json
    label: str                      # shown in the table and chart
    argv: list[str]                 # the program; measured arguments are appended
    archive_bytes: int | None = None  # the .tar.gz/.zip a user downloads
    size_bytes: int | None = None   # unpacked on disk (onefile: the one binary)
    floor: bool = False             # a do-nothing program: it ignores the arguments


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def nuitka_env(cache: Path | None = None) -> dict[str, str]:
    """Nuitka's environment; with `cache`, its download/bytecode cache and ccache start empty there."""
    env = dict(os.environ)
    if shutil.which("ccache"):
        env["NUITKA_CCACHE_BINARY"] = shutil.which("ccache")  # as scripts/build.sh does
    if cache is not None:
        env["NUITKA_CACHE_DIR"] = str(cache / "nuitka")
        env["CCACHE_DIR"] = str(cache / "ccache")
    return env


def sources_mtime(cfg: Config) -> float:
    """Newest input of the standalone build: the app, its config and the build code."""
    inputs = [p for p in cfg.app_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts
              and p.name != "_version.py"]
    inputs += [cfg.root / "pyproject.toml", Path(build.__file__)]
    return max(p.stat().st_mtime for p in inputs if p.exists())


def standalone_is_current(cfg: Config, target: Target, dist: Path) -> bool:
    try:
        record = manifest.read(manifest.record_path(dist, cfg.app, target.name))
    except PkgError:
        return False
    entry = next((a for a in record["artifacts"] if a["kind"] == "archive"), None)
    if record.get("backend") != "nuitka" or record["version"] != cfg.version or entry is None:
        return False
    path = dist / entry["path"]
    return (path.is_file() and (dist / record["binary"]).exists() and path.stat().st_mtime >= sources_mtime(cfg)
            and manifest.sha256_file(path) == entry["sha256"])


def nuitka_standalone(cfg: Config, target: Target, dist: Path, work: Path) -> Variant:
    """The release build in dist/: reused when current, else built as `make build` would."""
    if standalone_is_current(cfg, target, dist):
        print(f"bench: reusing the current standalone build in {dist}")
    else:
        print("bench: dist/ has no current standalone build: building it")
        build.build(cfg, target, dist, work)
    record = manifest.read(manifest.record_path(dist, cfg.app, target.name))
    archive_path = dist / next(a for a in record["artifacts"] if a["kind"] == "archive")["path"]
    return Variant("nuitka-standalone", "Nuitka standalone", [str(dist / record["binary"])],
                   archive_path.stat().st_size, tree_bytes(dist / record["folder"]))


def packed(variant: Variant, folder: Path, target: Target, epoch: int) -> Variant:
    """Archive `folder` exactly as a release would, to record the download size."""
    dest = folder.parent / f"{folder.name}{target.archive_ext}"
    archive.create(folder, dest, epoch)
    variant.archive_bytes, variant.size_bytes = dest.stat().st_size, tree_bytes(folder)
    return variant


def nuitka_onefile(cfg: Config, target: Target, work: Path, epoch: int) -> Variant:
    out = work / "nuitka-onefile"
    shutil.rmtree(out, ignore_errors=True)
    cmd = build.nuitka_command(cfg, target, out, out / "report.xml", mode="onefile")
    build.run_logged(cmd, work / "nuitka-onefile.log", "Nuitka onefile", env=nuitka_env())
    binary = out / build.built_binary_name(cfg.app, target)
    if not binary.is_file():
        raise PkgError(f"Nuitka onefile finished but {binary} is missing")
    folder = out / f"{cfg.app}-{target}"
    folder.mkdir()
    final = folder / (cfg.app + target.exe_suffix)
    binary.rename(final)
    return packed(Variant("nuitka-onefile", "Nuitka onefile", [str(final)]), folder, target, epoch)


def pyinstaller_variant(cfg: Config, target: Target, work: Path, onefile: bool, epoch: int) -> Variant:
    name = "pyinstaller-onefile" if onefile else "pyinstaller-onedir"
    folder = pyinstaller.compile(cfg, target, work / name, onefile, work / f"{name}.log")
    label = "PyInstaller onefile" if onefile else "PyInstaller onedir"
    return packed(Variant(name, label, [str(folder / (cfg.app + target.exe_suffix))]), folder, target, epoch)


def floor_config(cfg: Config) -> Config:
    """The app's config for the do-nothing program: same flags, none of the app's own inclusions."""
    nuitka = dataclasses.replace(cfg.nuitka, include_packages=(), include_package_data=(),
                                 include_distribution_metadata=())
    return dataclasses.replace(cfg, root=FLOOR_ROOT, app="floor", entry="floor", nuitka=nuitka)


def nuitka_floor(cfg: Config, target: Target, work: Path, epoch: int) -> Variant:
    floor = floor_config(cfg)
    out = work / "nuitka-floor"
    built, _, _ = build.compile_nuitka(floor, target, out, work / "nuitka-floor.log")
    return packed(Variant("floor-nuitka", "floor: Nuitka do-nothing", [str(built / floor.app)], floor=True),
                  built, target, epoch)


def python_module(cfg: Config) -> Variant:
    # The venv's interpreter by its path: no activation needed, its site-packages hold the app.
    return Variant("python-m", f"python -m {cfg.entry}", [sys.executable, "-m", cfg.entry])


def python_floor() -> Variant:
    return Variant("floor-python", "floor: python -I -c pass", [sys.executable, "-I", "-c", "pass"], floor=True)


def build_times(cfg: Config, target: Target, work: Path) -> dict:
    """Cold (empty Nuitka cache and ccache) and warm (the same build again) standalone build, in seconds."""
    out = work / "build-time"
    shutil.rmtree(out, ignore_errors=True)
    cmd = build.nuitka_command(cfg, target, out, out / "report.xml")
    times = {}
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        env = nuitka_env(Path(cache))
        for kind in ("cold", "warm"):
            for stale in out.glob("*.dist"):  # as build.compile_nuitka does: keep *.build
                shutil.rmtree(stale)
            start = time.perf_counter()
            build.run_logged(cmd, work / f"build-time-{kind}.log", f"Nuitka {kind} build", env=env)
            times[f"{kind}_s"] = round(time.perf_counter() - start, 1)
    times["ccache"] = shutil.which("ccache") is not None
    return times
