"""Stages `archive` and `record`: the folder as a deterministic archive, then the build manifest
dist/<name>-<target>.json (the build moment of pkg/core/model.py), which every later step reads."""

import platform

from pkg.compile.context import BuildContext
from pkg.compile.portability import facts as portability_facts
from pkg.core import archive, model, names
from pkg.core.model import Build, Kind
from pkg.core.stage import Stage


def make_archive(ctx: BuildContext) -> None:
    path = ctx.dist / names.archive(ctx.app.name, ctx.target.name)
    archive.create(ctx.built, path, archive.source_date_epoch(ctx.cfg.root))
    ctx.add(path, Kind.ARCHIVE)
    print(f"archived {path} ({path.stat().st_size / 2**20:.1f} MiB)")


def record(ctx: BuildContext) -> None:
    folder = ctx.built.name
    for path, kind in sorted(ctx.shared.items()):  # completions and man pages, for the channels and the SBOM
        ctx.add(ctx.built / path, kind)
    ctx.manifest.builds[ctx.target.name] = Build(
        target=ctx.target.name, backend=ctx.backend, layout=ctx.layout, folder=folder,
        commands={c: f"{folder}/{names.program(c, ctx.target.os)}" for c in ctx.app.command_names},
        tools={"python": platform.python_version(), ctx.backend.tool: ctx.env.tool_version(ctx.backend.tool)},
        distributions=ctx.distributions, python=ctx.python, inputs=ctx.key, libraries=ctx.libraries,
        **portability_facts(ctx.built, ctx.target, ctx.cfg.glibc))
    path = model.write(ctx.dist / names.build_manifest(ctx.app.name, ctx.target.name), ctx.manifest)
    print(f"built {ctx.built}/ ({ctx.backend}): {', '.join(ctx.app.command_names)}; manifest {path.name}")


ARCHIVE = Stage("archive", "a deterministic tar.gz (zip on Windows) with one top folder", make_archive,
                writes=lambda ctx: [names.archive(ctx.app.name, ctx.target.name)])
RECORD = Stage("record", "the build manifest every later step reads (pkg/core/model.py)", record,
               writes=lambda ctx: [names.build_manifest(ctx.app.name, ctx.target.name)])
