"""Stage `place`: the compiled folder becomes dist/<name>-<target>/ in one rename, Nuitka's report beside it."""

import os
import shutil
from pathlib import Path

from pkg.compile.context import BuildContext
from pkg.core import atomic, names
from pkg.core.model import Backend, Kind
from pkg.core.stage import Stage


def place_folder(built: Path, final: Path) -> None:
    """Move the built folder to its final name in one rename, replacing an older build atomically."""
    with atomic.staged_dir(final) as stage:
        os.rmdir(stage)
        shutil.move(built, stage)  # a rename on one filesystem, a copy across filesystems


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


STAGE = Stage("place", "the folder becomes dist/<name>-<target>/, Nuitka's report beside it", place,
              writes=lambda ctx: [names.stem(ctx.app.name, ctx.target.name) + "/",
                                  *([names.report(ctx.app.name, ctx.target.name)]
                                    if ctx.backend is Backend.NUITKA else [])])
