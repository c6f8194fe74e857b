"""The PyInstaller backend (BACKEND=pyinstaller / pyinstaller-onefile): same inputs as Nuitka, same output
shape — a folder with `<app>` at its top — so build.py places, archives and smoke-tests it unchanged.

What the app needs packed is read from [tool.pkg.nuitka] (one home per fact) and mapped to PyInstaller:
include-packages → --collect-submodules (the platform modules are imported by name at run time),
include-package-data → --collect-data, include-distribution-metadata → --copy-metadata.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

from pkg import build, targets
from pkg.config import Config
from pkg.errors import PkgError
from pkg.targets import Target

# `python -m <entry>` semantics; the hidden import makes PyInstaller pack what runpy will look for.
LAUNCHER = '''\
# Written by `python -m pkg build --backend pyinstaller`: runs the app as `python -m {entry}`.
import runpy

runpy.run_module("{entry}", run_name="__main__", alter_sys=True)
'''


def write_launcher(cfg: Config, out_dir: Path) -> Path:
    path = out_dir / f"{cfg.app}_launcher.py"
    path.write_text(LAUNCHER.format(entry=cfg.entry), encoding="utf-8")
    return path


def pyinstaller_command(cfg: Config, launcher: Path, out_dir: Path, onefile: bool) -> list[str]:
    options = cfg.nuitka
    return [
        sys.executable, "-m", "PyInstaller",
        "--noconfirm", "--log-level=WARN",
        "--onefile" if onefile else "--onedir",
        f"--name={cfg.app}",
        f"--distpath={out_dir / 'dist'}",
        f"--workpath={out_dir / 'work'}",
        f"--specpath={out_dir}",
        f"--paths={cfg.app_dir}",
        f"--hidden-import={cfg.entry}.__main__",
        *(f"--collect-submodules={name}" for name in options.include_packages),
        *(f"--collect-data={name}" for name in options.include_package_data),
        *(f"--copy-metadata={name}" for name in options.include_distribution_metadata),
        str(launcher),
    ]


def compile(cfg: Config, target: Target, out_dir: Path, onefile: bool, log: Path) -> Path:
    """Run PyInstaller; return a folder whose top holds `<app>` (onedir: PyInstaller's own folder;
    onefile: a folder holding only the one binary)."""
    if target.os != targets.host().os:
        raise PkgError(f"PyInstaller cannot cross-compile: build {target} on a {target.os} machine")
    if importlib.util.find_spec("PyInstaller") is None:
        raise PkgError("PyInstaller is not installed (it comes with the dev dependencies: run `make setup`)")
    if out_dir.exists():
        shutil.rmtree(out_dir)  # PyInstaller's own cache lives elsewhere; a stale dist/ must not leak in
    out_dir.mkdir(parents=True)
    launcher = write_launcher(cfg, out_dir)
    build.run_logged(pyinstaller_command(cfg, launcher, out_dir, onefile), log,
                     "PyInstaller onefile" if onefile else "PyInstaller")
    binary_name = cfg.app + target.exe_suffix
    if onefile:
        binary = out_dir / "dist" / binary_name
        folder = out_dir / "onefile"
        folder.mkdir()
        if binary.is_file():
            binary.rename(folder / binary_name)
    else:
        folder = out_dir / "dist" / cfg.app
    if not (folder / binary_name).is_file():
        raise PkgError(f"PyInstaller finished but {folder / binary_name} is missing; log: {log}")
    return folder
