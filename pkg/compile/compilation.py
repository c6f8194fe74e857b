"""Stage `compile`: the build environment's app compiled by the backend — Nuitka standalone
(pkg/compile/nuitka_run.py), or PyInstaller when asked — and, only when asked, by the fallback after a failure."""

import sys
from pathlib import Path

from pkg.compile import appenv, nuitka_run
from pkg.compile.context import BuildContext
from pkg.core import names
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import Backend
from pkg.core.stage import Stage
from pkg.core.targets import Target


def compile_with(backend: Backend, cfg: Config, env: appenv.BuildEnv, target: Target,
                 work: Path) -> tuple[Path, Path | None]:
    """(the compiled folder, Nuitka's report or None)."""
    if backend is Backend.NUITKA:
        return nuitka_run.compile_nuitka(cfg, env, target, work)
    from pkg.compile import pyinstaller

    folder = pyinstaller.compile(env, target, work / backend, backend.onefile, work / names.LOGS / names.log(backend),
                                 tuple(cfg.stdlib_exclude))
    return folder, None


def compile_stage(ctx: BuildContext) -> None:
    """Compile with the backend (and, only when asked, the fallback after a failure: said and recorded)."""
    try:
        ctx.built, ctx.report = compile_with(ctx.backend, ctx.cfg, ctx.env, ctx.target, ctx.work)
    except PkgError as exc:
        if not ctx.fallback:
            raise
        print(f"warning: {ctx.backend} failed ({exc}); building with FALLBACK={ctx.fallback} as asked",
              file=sys.stderr)
        ctx.backend = ctx.fallback
        ctx.built, ctx.report = compile_with(ctx.backend, ctx.cfg, ctx.env, ctx.target, ctx.work)


STAGE = Stage("compile", "Nuitka standalone from the build venv (PyInstaller when asked)", compile_stage)
