"""The PyInstaller backend (BACKEND=pyinstaller / pyinstaller-onefile): the same build environment and the
same main script as Nuitka (pkg/compile/launcher.py), the same output shape — a folder with every command at
its top — so the later build stages place, archive and smoke-test it unchanged.

What Nuitka gets from the pipeline is mapped to PyInstaller: the packages of the app and of every distribution
it runs with, whole → --collect-submodules and --collect-data, their distribution metadata → --copy-metadata.
"""

import shutil
from pathlib import Path

from pkg.compile import launcher
from pkg.compile.appenv import BuildEnv
from pkg.core import names, proc, targets
from pkg.core.errors import PkgError
from pkg.core.proc import clean_env
from pkg.core.targets import Target

# `python -m <package>` entries: runpy, with a hidden import so PyInstaller packs what runpy will look for.
RUN_MODULE = '''\
# Written by the release pipeline (pkg/compile/pyinstaller.py): runs the app as `python -m {module}`.
import runpy

runpy.run_module("{module}", run_name="__main__", alter_sys=True)
'''


def main_script(env: BuildEnv, out_dir: Path, target_os: str) -> Path:
    app = env.app
    if app.main.function is not None:
        return launcher.write(out_dir, app.commands, target_os)
    path = out_dir / names.LAUNCHER
    path.write_text(RUN_MODULE.format(module=app.main.module), encoding="utf-8")
    return path


def pyinstaller_command(env: BuildEnv, script: Path, out_dir: Path, onefile: bool,
                        left_out: tuple[str, ...] = ()) -> list[str]:
    """`left_out`: tool.pkg.stdlib-exclude, kept out even where something imports it."""
    app, shipped = env.app, env.shipped_files.values()
    packages = sorted({p for files in shipped for p in files.packages})
    modules = sorted({m for files in shipped for m in files.top_modules})
    hidden = [f"--hidden-import={app.main.module}.__main__"] if app.main.function is None else []
    return [
        str(env.python), "-m", "PyInstaller",
        "--noconfirm", "--log-level=WARN",
        "--onefile" if onefile else "--onedir",
        f"--name={app.main.name}",
        f"--distpath={out_dir / 'dist'}",
        f"--workpath={out_dir / 'work'}",
        f"--specpath={out_dir}",
        *hidden,
        *(f"--collect-submodules={name}" for name in packages),
        *(f"--collect-data={name}" for name in packages),
        *(f"--hidden-import={name}" for name in modules),
        *(f"--copy-metadata={name}" for name in sorted(env.shipped_files)),
        *(f"--exclude-module={name}" for name in left_out),
        str(script),
    ]


def compile(env: BuildEnv, target: Target, out_dir: Path, onefile: bool, log: Path,
            left_out: tuple[str, ...] = ()) -> Path:
    """Run PyInstaller; return a folder whose top holds the main command (onedir: PyInstaller's own
    folder; onefile: a folder holding only the one binary)."""
    if target.os != targets.host().os:
        raise PkgError(f"PyInstaller cannot cross-compile: build {target} on a {target.os} machine")
    if out_dir.exists():
        shutil.rmtree(out_dir)  # PyInstaller's own cache lives elsewhere; a stale dist/ must not leak in
    out_dir.mkdir(parents=True)
    cmd = pyinstaller_command(env, main_script(env, out_dir, target.os), out_dir, onefile, left_out)
    proc.run_logged(cmd, log, "PyInstaller onefile" if onefile else "PyInstaller", env=clean_env())
    name = names.program(env.app.main.name, target.os)
    if onefile:
        folder = out_dir / "onefile"
        folder.mkdir()
        if (out_dir / "dist" / name).is_file():
            (out_dir / "dist" / name).rename(folder / name)
    else:
        folder = out_dir / "dist" / env.app.main.name
    if not (folder / name).is_file():
        raise PkgError(f"PyInstaller finished but {folder / name} is missing; log: {log}")
    return folder
