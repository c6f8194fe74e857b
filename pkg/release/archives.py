"""Stages `verify` and `archives`: the build for this machine must carry VERSION in its --version, then
the runners' published files (archives, and an MSI the Windows runner built) go into the release with
their download URLs. Hard links where the filesystem allows: no copy of large archives."""

import os
import shutil

from pkg.core import archive, names, proc, targets
from pkg.core.errors import PkgError
from pkg.core.stage import ReleaseContext, Stage
from pkg.core.version import carries_version

VERSION_TIMEOUT_S = 30  # a --version that takes longer hangs: one line saying so, not a traceback


def verify(ctx: ReleaseContext) -> None:
    """From the archive users will download (in CI the build folders arrive without links and modes)."""
    host = targets.host()
    with archive.unpacked(ctx.inputs, ctx.dist, host) as (top, _):
        program = names.program(ctx.app.main.name, host.os)
        out = proc.tool([top / program, "--version"], f"{program} --version", timeout=VERSION_TIMEOUT_S)
    if not carries_version(out.stdout + "\n" + out.stderr, str(ctx.version)):
        raise PkgError(f"{program} --version printed {out.stdout.strip()[:200]!r}, without {ctx.version} "
                       f"(rebuild with `make build VERSION={ctx.version}`)")


def skip_verify(ctx: ReleaseContext) -> str | None:
    if targets.host().name not in ctx.inputs.builds:
        return f"no build for this machine ({targets.host().name})"
    if not ctx.cfg.command_options(ctx.app.main.name).version:
        return f"{ctx.app.main.name} has no --version (tool.pkg.command); its smoke test ran the rest"
    return None


VERIFY = Stage("verify", "the archive built on this machine, unpacked, carries VERSION in its --version", verify,
               skip_verify)


def published(ctx: ReleaseContext) -> list:
    return [a for a in ctx.inputs.artifacts if a.kind.from_builds]


def carry(ctx: ReleaseContext) -> None:
    for artifact in published(ctx):
        dest = ctx.folder / artifact.name
        try:
            os.link(ctx.dist / artifact.path, dest)
        except OSError:
            shutil.copyfile(ctx.dist / artifact.path, dest)
        ctx.add(dest, artifact.kind, artifact.target, msi=artifact.msi)


ARCHIVES = Stage("archives", "the builds' archives (and a runner-built MSI), with their download URLs", carry,
                 writes=lambda ctx: [a.name for a in published(ctx)])
