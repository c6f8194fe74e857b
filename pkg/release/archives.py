"""Stages `verify` and `archives`: the build for this machine must carry VERSION in its --version (or the
command's version-args; a declared version-differs is said in the notes instead), then
the runners' published files (archives, and an MSI the Windows runner built) go into the release with
their download URLs. Hard links where the filesystem allows: no copy of large archives."""

import os
import shutil

from pkg.core import archive, names, proc, targets
from pkg.core.errors import PkgError
from pkg.core.stage import Stage
from pkg.core.version import carries_version
from pkg.release.context import ReleaseContext

VERSION_TIMEOUT_S = 30  # a --version that takes longer hangs: one line saying so, not a traceback


def verify(ctx: ReleaseContext) -> None:
    """From the archive users will download (in CI the build folders arrive without links and modes)."""
    host = targets.host()
    options = ctx.cfg.command_options(ctx.app.main.name)
    with archive.unpacked(ctx.inputs, ctx.dist, host) as (top, _):
        program = names.program(ctx.app.main.name, host.os)
        asked = f"{program} {' '.join(options.version_args)}"
        out = proc.tool([top / program, *options.version_args], asked, timeout=VERSION_TIMEOUT_S)
    printed = (out.stdout.strip() or out.stderr.strip()).splitlines()
    if options.version_differs:  # declared: upstream prints another number; say so where users read
        ctx.warnings.append(f"`{asked}` prints {printed[0][:120] if printed else 'nothing'!r}, not {ctx.version}: "
                            f"{options.version_differs} (tool.pkg.command.{ctx.app.main.name}.version-differs)")
        return
    if not carries_version(out.stdout + "\n" + out.stderr, str(ctx.version)):
        raise PkgError(f"{asked} printed {out.stdout.strip()[:200]!r}, without {ctx.version} "
                       f"(rebuild with `make build VERSION={ctx.version}`)")


def skip_verify(ctx: ReleaseContext) -> str | None:
    if targets.host().name not in ctx.inputs.builds:
        return f"no build for this machine ({targets.host().name})"
    if not ctx.cfg.command_options(ctx.app.main.name).version_argv:
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
