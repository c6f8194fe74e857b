"""Stage `env`: build what pip would install, then compile from there.

The app's own build backend makes a wheel (`uv build`, isolated); a fresh venv gets the pipeline's pinned
compile tools (pkg/uv.lock, group `compile`; Nuitka with the fix pkg/compile/nuitka_patch.py carries), the
app's locked dependencies and the wheel. Package data, entry points, dynamic versions and distribution
metadata are then exactly what users of the wheel get.

  app's dependencies   tool.pkg.requirements, else the project's uv.lock (exported; it must be current),
                       else resolved afresh from the wheel's metadata (a note says so)
  folder               build/<target>/ : wheel/, env/, requirements/ (kept: the path stays the same
                       from build to build, so Nuitka's and ccache's caches hit)
"""

import os
import shutil
import sys
from pathlib import Path

from packaging.specifiers import SpecifierSet

from pkg.compile import installed, nuitka_patch
from pkg.compile.context import BuildContext, BuildEnv, venv_site_packages
from pkg.core import names, proc
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import App, Backend, Manifest
from pkg.core.proc import clean_env, uv
from pkg.core.stage import Stage
from pkg.project import metadata, wheel
from pkg.project.app import resolve
from pkg.project.metadata import Metadata

TOOLS_PROJECT = Path(__file__).resolve().parent.parent  # pkg/pyproject.toml + pkg/uv.lock


def venv_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def base_python() -> str:
    """The interpreter the pipeline runs on, outside its venv: the build env uses the same one."""
    return getattr(sys, "_base_executable", None) or sys.executable


def build_wheel(cfg: Config, out: Path, log: Path, version: str | None) -> Path:
    """The project's wheel, made by its own build backend (VERSION handed over for scm projects)."""
    if out.exists():
        shutil.rmtree(out)
    name = metadata.pyproject_table(cfg.project_dir).get("project", {}).get("name") or cfg.project_dir.name
    with metadata.out_of_tree() as elsewhere:  # nothing written into the project (setuptools' egg-info)
        env = clean_env({**metadata.version_env(cfg.project_dir, name, version), **elsewhere})
        proc.run_logged([uv(), "build", "--wheel", "--out-dir", out, "--python", base_python(), cfg.project_dir],
                        log, "building the app's wheel", env=env, quiet=True)
    wheels = sorted(out.glob("*.whl"))
    if len(wheels) != 1:
        raise PkgError(f"expected one wheel from building {cfg.project_dir}, found {len(wheels)} in {out}")
    return wheels[0]


def export(cmd: list[str], dest: Path, what: str) -> Path:
    proc.tool([uv(), "export", "--frozen", "--no-emit-project", "--format", "requirements.txt", "--output-file", dest,
               *cmd], f"{what}: `uv export`", env=clean_env())
    return dest


def tool_requirements(folder: Path, groups: tuple[str, ...]) -> Path:
    """The pinned, hashed compile tools from the pipeline's own lock."""
    args = ["--project", str(TOOLS_PROJECT), "--no-default-groups"]
    for group in groups:
        args += ["--only-group", group]
    return export(args, folder / names.TOOLS_REQUIREMENTS, "pkg/uv.lock")


def app_requirements(cfg: Config, folder: Path, extras: tuple[str, ...]) -> Path | None:
    """The app's locked dependencies (with `extras`), or None (resolve afresh)."""
    if cfg.requirements is not None:
        return cfg.requirements
    lock = cfg.project_dir / "uv.lock"
    if not lock.is_file():
        print(f"note: {cfg.project_dir} has no uv.lock and tool.pkg.requirements is unset: the app's "
              "dependencies are resolved afresh for this build")
        return None
    proc.tool([uv(), "lock", "--check", "--project", cfg.project_dir],
              f"{lock} checked against its pyproject.toml (`uv lock` in {cfg.project_dir} brings it up to date)",
              env=clean_env(), timeout=300)
    args = ["--project", str(cfg.project_dir), "--no-default-groups", *(f"--extra={e}" for e in extras)]
    return export(args, folder / names.APP_REQUIREMENTS, str(lock))


def install_extras(cfg: Config, app: App) -> tuple[str, ...]:
    """tool.pkg.extras and those the shipped commands need (`cmd = "mod:func [extra]"`), as pip would
    need them installed for those commands to run."""
    return tuple(dict.fromkeys([*cfg.extras, *(e for c in app.commands for e in c.extras)]))


def check_python(meta: Metadata, python: Path) -> None:
    out = proc.tool([python, "-c", "import platform; print(platform.python_version())"],
                    "the build venv's Python").stdout.strip()
    if meta.requires_python and out not in SpecifierSet(meta.requires_python):
        raise PkgError(f"{meta.name} requires Python {meta.requires_python}; the build Python is {out}")


def create(cfg: Config, folder: Path, version: str | None, groups: tuple[str, ...] = ("compile",)) -> BuildEnv:
    """Wheel, venv and installs under `folder`; the venv is made afresh each time (same path)."""
    logs = folder / names.LOGS
    built = build_wheel(cfg, folder / names.WHEEL, logs / names.log("wheel"), version)
    meta = metadata.from_wheel(built)
    if version and meta.version != version:
        where = metadata.where_version_lives(cfg.project_dir)
        raise PkgError(f"the app's wheel is version {meta.version}, not VERSION {version} (set in {where})")
    files = wheel.read(built)
    app = resolve(cfg, meta, files.main_packages)
    if not meta.scripts and files.main_packages != wheel.source_main_packages(cfg.project_dir):  # make check's view
        print(f"warning: the wheel's packages with __main__ ({', '.join(files.main_packages) or 'none'}) are not "
              f"the source's ({', '.join(wheel.source_main_packages(cfg.project_dir)) or 'none'}): `make check` "
              "judged the source's, the build ships the wheel's", file=sys.stderr)
    reqs = folder / names.REQUIREMENTS
    reqs.mkdir(parents=True, exist_ok=True)
    env = folder / names.ENV
    python = new_venv(env, logs, "creating the build environment")
    check_python(meta, python)
    wanted = install_extras(cfg, app)
    locked = app_requirements(cfg, reqs, wanted)
    install = [uv(), "pip", "install", "--python", python, "-r", tool_requirements(reqs, groups)]
    if locked is not None:
        install += ["-r", locked, "--no-deps"]
    proc.run_logged([*install, with_extras(built, wanted)], logs / names.log("install"), "installing the app and its "
                    "dependencies into the build environment", env=clean_env(), quiet=True)
    nuitka_patch.apply(venv_site_packages(env))
    print(f"build environment: {meta.name} {meta.version} ({built.name}) with "
          f"{'locked' if locked else 'freshly resolved'} dependencies in {env}")
    pip_installed(folder, locked or pins(folder, venv_site_packages(env), meta.name, wanted), built, wanted)
    return BuildEnv(folder, python, built, meta, files, app, wanted)


def with_extras(built: Path, extras: tuple[str, ...]) -> str:
    return f"{built}[{','.join(extras)}]" if extras else str(built)


def new_venv(env: Path, logs: Path, what: str) -> Path:
    """A fresh venv at `env` (same path each time: Nuitka's and ccache's caches hit); its Python."""
    if env.exists() and not (env / "pyvenv.cfg").is_file():
        shutil.rmtree(env)  # our own work folder from another layout: uv clears only venvs
    proc.run_logged([uv(), "venv", "--clear", "--quiet", "--python", base_python(), env],
                    logs / names.log(env.name + "-venv"), what, env=clean_env(), quiet=True)
    return venv_python(env)


def pins(folder: Path, site: Path, dist: str, extras: tuple[str, ...]) -> Path:
    """The versions the app runs with in the build env (its runtime closure), as a requirements file."""
    path = folder / names.REQUIREMENTS / names.PIP_PINS
    path.write_text("".join(f"{d.metadata['Name']}=={d.version}\n" for d in installed.closure(site, dist, extras)
                            .values()), encoding="utf-8")
    return path


def pip_installed(folder: Path, requirements: Path | None, built: Path, extras: tuple[str, ...]) -> Path:
    """build/<target>/pip-installed: the wheel and the same dependencies as the build env (the app's lock,
    else the versions resolved there; None: resolved now), and nothing else — what `pip install` gives users,
    without the compile tools the build env also holds. The checks run here before compiling, and the
    compiled program must equal it."""
    env = folder / names.PIP_ENV
    python = new_venv(env, folder / names.LOGS, "creating the pip-installed reference")
    pinned = ["--no-deps", "-r", requirements] if requirements else []
    # --compile-bytecode: no first-run compile warnings (SyntaxWarning…) that a later run would not print
    proc.run_logged([uv(), "pip", "install", "--compile-bytecode", "--python", python, *pinned,
                     with_extras(built, extras)], folder / names.LOGS / names.log("pip-installed"),
                    "installing the pip-installed reference", env=clean_env(), quiet=True)
    return env


def reference(cfg: Config, folder: Path) -> tuple[App, Path]:
    """The app as pip installs it, alone (no compile tools, no build env): its wheel by its own backend and a
    venv at build/<target>/pip-installed with its locked dependencies — what `make init` runs the checks on."""
    logs = folder / names.LOGS
    built = build_wheel(cfg, folder / names.WHEEL, logs / names.log("wheel"), None)
    meta = metadata.from_wheel(built)
    app = resolve(cfg, meta, wheel.read(built).main_packages)
    (folder / names.REQUIREMENTS).mkdir(parents=True, exist_ok=True)
    wanted = install_extras(cfg, app)
    return app, pip_installed(folder, app_requirements(cfg, folder / names.REQUIREMENTS, wanted), built, wanted)


def run(ctx: BuildContext) -> None:
    groups = ("compile", *sorted({b.tool for b in (ctx.backend, ctx.fallback) if b and b is not Backend.NUITKA}))
    ctx.env = create(ctx.cfg, ctx.work, ctx.version, groups)
    ctx.manifest = Manifest(moment="build", app=ctx.env.app)


STAGE = Stage("env", "the app's wheel (its own build backend) in a fresh venv with its locked dependencies", run,
              writes=lambda ctx: [f"{d}/" for d in (names.WHEEL, names.REQUIREMENTS, names.ENV, names.PIP_ENV,
                                                    names.LOGS)])
