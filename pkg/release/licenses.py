"""Stage `licenses`: LICENSES/, the license files of the app, of every shipped distribution, of CPython and of
each system library a build bundled (system-<package>-<version>/: its package's copyright or license files),
as each build collected them on its own runner (pkg/compile/ship.py). What has none is a warning in the notes."""

import shutil
from pathlib import Path

from pkg.core import names
from pkg.core.model import Kind
from pkg.core.shipped import Shipped
from pkg.core.stage import Stage
from pkg.release.context import ReleaseContext


def write(folder: Path, dist: Path, shipped: Shipped) -> list[str]:
    """Copy license files into `folder` (paths in `shipped` are relative to `dist`); return the labels that
    have none (for the notes)."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = ([shipped.app] if shipped.app else []) + [shipped.distributions[n] for n in sorted(shipped.distributions)]
    sources = {names.license_folder(e.name, e.version): e.license_files for e in entries}
    sources |= {names.cpython_license_folder(v): files for v, files in sorted(shipped.python.items())}
    sources |= {names.library_license_folder(lib.package, lib.version): lib.license_files
                for by_target in shipped.libraries.values() for lib in by_target.values()
                if lib and lib.package and lib.version and lib.license_files}
    missing = []
    for label, files in sources.items():
        present = [dist / f for f in files if (dist / f).is_file()]
        if not present:
            missing.append(label)
            continue
        (folder / label).mkdir(exist_ok=True)
        for file in present:
            shutil.copyfile(file, folder / label / file.name)
    return missing


def run(ctx: ReleaseContext) -> None:
    folder = ctx.folder / names.LICENSES
    ctx.warnings += [f"no license file found for {label}" for label in write(folder, ctx.dist, ctx.shipped)]
    ctx.add(folder, Kind.LICENSES)


STAGE = Stage("licenses", "LICENSES/: the app's, every distribution's, CPython's and the bundled libraries' licenses",
              run,
              writes=lambda ctx: [names.LICENSES + "/"])
