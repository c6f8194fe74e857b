"""`python -m pkg check` (make check): the configuration and the app's project, validated before anything is
built. Reads [tool.pkg], the project's metadata (its backend's, for dynamic fields), resolves the app's
identity and commands, and asks every channel whether it can express it: a description Homebrew refuses
or a licence Scoop cannot write fails here, not at release time after five builds."""

from pathlib import Path

from pkg import project
from pkg.app import App, resolve
from pkg.config import Config


def channels(cfg: Config, app: App) -> None:
    """Each package-manager writer's own check of the app's identity (one-line InputError when it fails)."""
    from pkg import homebrew, installers, scoop, winget, wxs

    for module in (homebrew, winget, scoop, installers, wxs):
        module.check_app(cfg, app)


def main_packages(folder: Path) -> tuple[str, ...]:
    """Packages with a __main__.py in the usual layouts (flat, src/), before any wheel exists."""
    found = {p.parent.name for base in (folder, folder / "src") for p in base.glob("*/__main__.py")}
    return tuple(sorted(n for n in found if n.isidentifier()))


def run(cfg: Config) -> App:
    meta = project.read(cfg.project_dir)
    app = resolve(cfg, meta, main_packages(cfg.project_dir))
    channels(cfg, app)
    print(f"ok: {app.dist} {app.version} ships as {app.name}: "
          + ", ".join(f"{c.name} ({c.entry})" for c in app.commands))
    print(f"    licence {app.licence}; homepage {app.homepage}; version from "
          f"{project.version_source(cfg.project_dir)}; summary {app.summary!r}")
    return app
