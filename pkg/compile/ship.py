"""What a build ships, and its licenses, taken from the build environment while it is at hand.

Nuitka's --report says which distributions went in (a PyInstaller build keeps no report: its list is the
app's runtime requirements, transitively, as installed). For each: version, license (pkg/project/license_mapping.py
rules) and license files, copied into dist/<name>-<target>.licenses/ beside the build. The release reads
only these (pkg/core/shipped.py): five runners' builds need no app venv on the release machine, and a
Windows-only dependency has its license like any other.
"""

import shutil
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.metadata import Metadata as CoreMetadata
from packaging.utils import canonicalize_name

from pkg.compile import installed, libraries
from pkg.compile.context import BuildContext
from pkg.core import names, nuitka_report
from pkg.core.model import Distribution, Kind
from pkg.core.stage import Stage
from pkg.project import license_mapping

LICENSE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "COPYRIGHT", "UNLICENSE")


def is_license_file(name: str) -> bool:
    return name.upper().startswith(LICENSE_NAMES)


def license_of(dist: metadata.Distribution) -> str | None:
    core = CoreMetadata.from_email(dist.read_text("METADATA") or "", validate=False)
    found = license_mapping.resolve(core.license_expression, core.license, tuple(core.classifiers or ()))
    return found.spdx or found.name


def license_files(dist: metadata.Distribution) -> list[Path]:
    """License files in a distribution's metadata (License-File, or conventional names)."""
    files = [Path(str(dist.locate_file(f))) for f in dist.files or []
             if ".dist-info/" in str(f) and is_license_file(Path(str(f)).name)]
    return sorted(p for p in files if p.is_file())


def project_license_files(project_dir: Path | None) -> list[Path]:
    """The app's license files at the top of its project, for a wheel that carries none: setuptools' default
    patterns miss some (restructuredtext-lint's UNLICENSE), and the maintainer's license still ships."""
    if project_dir is None or not project_dir.is_dir():
        return []
    return sorted(p for p in project_dir.iterdir() if p.is_file() and is_license_file(p.name))


def _copy(files: list[Path], folder: Path, root: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copyfile(file, folder / file.name)
    return [(folder / file.name).relative_to(root).as_posix() for file in files]


def collect(site: Path, report: Path | None, app_dist: str, licenses: Path, root: Path,
            project_dir: Path | None = None) -> tuple[list[Distribution], dict[str, list[str]]]:
    """(shipped distributions, {CPython version: license files}); files are copied under `licenses`, paths
    are relative to `root` (dist/). The app's own distribution is listed too, flagged `app`; its license
    files come from `project_dir` when its wheel has none."""
    if report is not None:
        tree = nuitka_report.root(report)
        found = {d.get("name"): d.get("version") for d in tree.iter("distribution")}
        python_version = next((p.get("python_version") for p in tree.iter("python")), None)
    else:
        found = {app_dist: None, **{k: d.version for k, d in installed.closure(site, app_dist).items()}}
        python_version = sysconfig.get_python_version()
    if licenses.exists():
        shutil.rmtree(licenses)
    shipped = []
    for name in sorted(found, key=str.lower):
        dist = installed.find(site, name)
        if dist is None:
            continue  # a distribution Nuitka saw outside the build env (the stdlib's own, for example)
        folder = licenses / names.license_folder(dist.name, dist.version)
        is_app = canonicalize_name(dist.name) == canonicalize_name(app_dist)
        files = license_files(dist) or (project_license_files(project_dir) if is_app else [])
        shipped.append(Distribution(name=dist.name, version=dist.version, license=license_of(dist),
                                    license_files=_copy(files, folder, root), app=is_app))
    cpython = Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"
    python = {}
    if python_version:
        folder = licenses / names.cpython_license_folder(python_version)
        python[python_version] = _copy([cpython], folder, root) if cpython.is_file() else []
    return shipped, python


def run(ctx: BuildContext) -> None:
    report = ctx.dist / names.report(ctx.app.name, ctx.target.name) if ctx.report is not None else None
    folder = ctx.dist / names.licenses(ctx.app.name, ctx.target.name)
    ctx.distributions, ctx.python = collect(ctx.env.site_packages, report, ctx.env.metadata.name, folder, ctx.dist,
                                              ctx.cfg.project_dir)
    if report is not None:
        found, texts = libraries.describe(nuitka_report.root(report), ctx.built)
        ctx.libraries = [lib.model_copy(update={"license_files": _copy(
            texts[lib.name], folder / names.library_license_folder(lib.package, lib.version), ctx.dist)})
            if lib.package and lib.version and texts[lib.name] else lib for lib in found]
        for lib in ctx.libraries:
            if libraries.copyleft(lib.license):
                print(f"note: {lib.name} ships, {lib.license} ({lib.package} {lib.version}), brought in by the "
                      f"module {lib.needed_by or '?'}: its license goes into LICENSES/ and the release notes say "
                      f"where its source is; an app that never imports {lib.needed_by or 'that module'} can leave "
                      f"it out: tool.pkg.stdlib-exclude")
    ctx.add(folder, Kind.LICENSE_FILES)


STAGE = Stage("ship", "what the build ships, with the license files from the build venv", run,
              writes=lambda ctx: [names.licenses(ctx.app.name, ctx.target.name) + "/"])
