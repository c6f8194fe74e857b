"""The builds `make bench` compares, for whatever app is configured: every variant is made by the pipeline's
own code (pkg.pipeline, pkg.compile.nuitka_run, pkg.compile.pyinstaller) from one build environment, so the
benchmark measures what a release would ship.

A Variant is a program to start (`argv` + the measured arguments) and what it costs on disk.
"""

import dataclasses
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pkg import pipeline
from pkg.compile import appenv, nuitka, nuitka_run, pyinstaller, stdlib
from pkg.core import archive, model, names, proc
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import Backend, Kind
from pkg.core.targets import Target

FLOOR = "# The startup floor: a program that does nothing, compiled with the app's Nuitka flags.\n"


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


def nuitka_env(env: appenv.BuildEnv, cache: Path | None = None) -> dict[str, str]:
    """Nuitka's environment as the build has it; with `cache`, its caches and ccache start empty there."""
    fresh = {"NUITKA_CACHE_DIR": str(cache / "nuitka"), "CCACHE_DIR": str(cache / "ccache")} if cache else {}
    return nuitka_run.nuitka_env(env, fresh)


def nuitka_standalone(cfg: Config, env: appenv.BuildEnv, target: Target, dist: Path, work: Path) -> Variant:
    """The release build in dist/: reused when it is this wheel's build, else built as `make build` would."""
    try:
        manifest = model.find_build(dist, target.name)[1]
        current = manifest.builds[target.name].backend is Backend.NUITKA and manifest.app == env.app
    except PkgError:
        current = False
    if current:
        print(f"bench: reusing the standalone build of {env.app.name} {env.app.version} in {dist}")
    else:
        print("bench: dist/ has no standalone build of this app version: building it")
        manifest = pipeline.build(cfg, target, dist, work)
    build = manifest.builds[target.name]
    archive_path = dist / manifest.select(Kind.ARCHIVE)[0].path
    return Variant("nuitka-standalone", "Nuitka standalone", [str(dist / build.commands[env.app.main.name])],
                   archive_path.stat().st_size, tree_bytes(dist / build.folder))


def packed(variant: Variant, folder: Path, target: Target, epoch: int) -> Variant:
    """Archive `folder` exactly as a release would, to record the download size."""
    dest = folder.parent / (folder.name + names.archive_ext(target.os))
    archive.create(folder, dest, epoch)
    variant.archive_bytes, variant.size_bytes = dest.stat().st_size, tree_bytes(folder)
    return variant


def nuitka_onefile(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path, epoch: int) -> Variant:
    binary, _ = nuitka_run.compile_nuitka(cfg, env, target, work / "onefile", mode="onefile")
    folder = work / "onefile" / names.stem(env.app.name, target.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    final = folder / names.program(env.app.main.name, target.os)
    binary.rename(final)
    return packed(Variant("nuitka-onefile", "Nuitka onefile", [str(final)]), folder, target, epoch)


def nuitka_stdlib_imported(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path, epoch: int) -> Variant:
    """The standalone build with tool.pkg.stdlib = "imported" (the standard library only as far as the app's
    imports reach): beside the release build, what shipping all of it costs on disk and at start-up."""
    started = time.perf_counter()
    built, _ = nuitka_run.compile_nuitka(dataclasses.replace(cfg, stdlib="imported"), env, target,
                                       work / "stdlib-imported")
    print(f"bench: the build with stdlib = \"imported\" took {time.perf_counter() - started:.0f} s")
    return packed(Variant("nuitka-stdlib-imported", "Nuitka standalone, stdlib imported only",
                          [str(built / names.compiled_program(env.app.main.name, target.os))]), built, target, epoch)


def pyinstaller_variant(env: appenv.BuildEnv, target: Target, work: Path, onefile: bool, epoch: int) -> Variant:
    name = "pyinstaller-onefile" if onefile else "pyinstaller-onedir"
    folder = pyinstaller.compile(env, target, work / name, onefile, work / names.log(name))
    label = "PyInstaller onefile" if onefile else "PyInstaller onedir"
    return packed(Variant(name, label, [str(folder / names.program(env.app.main.name, target.os))]), folder, target,
                  epoch)


def floor_command(cfg: Config, env: appenv.BuildEnv, target: Target, out: Path) -> list[str]:
    """A do-nothing main compiled with the same pipeline and app flags, none of the app's own inclusions."""
    main = out / "floor.py"
    out.mkdir(parents=True, exist_ok=True)
    main.write_text(FLOOR, encoding="utf-8")
    inputs = nuitka.Inputs(python=env.python, entry=[f"--main={main}"],
                           binary=names.compiled_program("floor", target.os), dist=None,
                           extra=cfg.nuitka_flags + cfg.nuitka_os_flags.get(target.os, ()),
                           compiled=nuitka.compiled_to_c(cfg.nuitka_compile, ()),
                           stdlib=stdlib.added(cfg.stdlib, env.python, cfg.stdlib_exclude))
    return nuitka.command(inputs, target.os, out / names.NUITKA_OUT, out / names.NUITKA_REPORT)


def nuitka_floor(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path, epoch: int) -> Variant:
    out = work / "floor"
    shutil.rmtree(out / "nuitka", ignore_errors=True)
    proc.run_logged(floor_command(cfg, env, target, out), out / names.log("nuitka"), "Nuitka (floor)",
                    env=nuitka_env(env))
    built = out / names.NUITKA_OUT / names.nuitka_dist("floor")
    return packed(Variant("floor-nuitka", "floor: Nuitka do-nothing",
                          [str(built / names.compiled_program("floor", target.os))], floor=True), built, target, epoch)


def installed(env: appenv.BuildEnv) -> Variant:
    """The app as `pip install` runs it: the build environment's own console script (or python -m)."""
    main = env.app.main
    if main.function is None:
        return Variant("python", f"python -m {main.module}", [str(env.python), "-m", main.module])
    script = env.python.parent / names.program(main.name, "windows" if os.name == "nt" else "posix")
    return Variant("python", f"pip-installed {main.name} (python)", [str(script)])


def python_floor(env: appenv.BuildEnv) -> Variant:
    """The interpreter the pip-installed app runs on, doing nothing, without site (as the compiled program
    starts): what no program on this Python can start below."""
    return Variant("floor-python", "floor: python -I -S -c pass", [str(env.python), "-I", "-S", "-c", "pass"],
                   floor=True)


def build_times(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path) -> dict:
    """Cold (empty Nuitka cache and ccache) and warm (the same build again) standalone build, in seconds."""
    times = {}
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache:
        for kind in ("cold", "warm"):
            out = work / "build-time"
            inputs = nuitka_run.nuitka_inputs(cfg, env, target, out)
            nuitka_run.clear_outputs(out / names.NUITKA_OUT, target)
            cmd = nuitka.command(inputs, target.os, out / names.NUITKA_OUT, out / names.NUITKA_REPORT)
            start = time.perf_counter()
            proc.run_logged(cmd, work / names.log(f"build-time-{kind}"), f"Nuitka {kind} build",
                            env=nuitka_env(env, Path(cache)), quiet=True)
            times[f"{kind}_s"] = round(time.perf_counter() - start, 1)
    times["ccache"] = shutil.which("ccache") is not None
    return times

