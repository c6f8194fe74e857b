"""Stage `preflight`: what a build needs that can be known in a second — the Nuitka flags config may set, a
writable dist/, a C compiler — before anything long runs."""

import os
import shutil
import tempfile
from pathlib import Path

from pkg.compile import nuitka
from pkg.compile.context import BuildContext
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.stage import Stage
from pkg.core.targets import Target


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


def configured_flags(cfg: Config, app=None) -> None:
    """The Nuitka flags config gives, refused when only the pipeline may set one: at `make check` and first
    in a build."""
    nuitka.refuse_reserved(cfg.nuitka_flags + tuple(f for fs in cfg.nuitka_os_flags.values() for f in fs))


def preflight(ctx: BuildContext) -> None:
    configured_flags(ctx.cfg)
    check_writable(ctx.dist)
    check_toolchain(ctx.target)


STAGE = Stage("preflight", "Nuitka flags config may set, a writable dist/, a C compiler: before anything long",
              preflight, refuse=configured_flags)
