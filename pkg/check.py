"""`python -m pkg check` (make check), and stage `check` of every build: the configuration and the app's
project, validated before anything is built. Reads [tool.pkg], the project's metadata (its backend's, for
dynamic fields), resolves the app's identity and commands, and asks every release stage whether its
channel can express them: a description Homebrew refuses or a license Scoop cannot write fails here, not
at release time after five builds — every problem in one run, and any placeholder `make init` left."""

import sys
from collections.abc import Callable, Iterable
from functools import partial

from pkg.core.config import Config
from pkg.core.errors import InputError
from pkg.core.model import App
from pkg.core.stage import Stage
from pkg.project import license_mapping, metadata, wheel
from pkg.project.app import resolve


def channels(cfg: Config, app: App, stages: Iterable[Stage]) -> None:
    """Every stage's check of the app's identity and settings, and no placeholder left: every problem found
    printed, then one InputError line holding them all."""
    problems = cfg.placeholders()
    for ask in [lambda: license_mapping.require_spdx(app.license), *(partial(s.refuse, cfg, app) for s in stages)]:
        try:
            ask()
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise joined(problems)


def joined(problems: list[str]) -> InputError:
    """Several problems as one error line (each printed on its own line first), one as itself."""
    if len(problems) == 1:
        return InputError(problems[0])
    print("\n".join(f"problem: {p}" for p in problems), file=sys.stderr)
    return InputError(f"{len(problems)} problem(s): {'; '.join(problems)}")


def app_of(cfg: Config) -> App:
    """The app as configuration time sees it (its build manifest says what the wheel really says)."""
    return resolve(cfg, metadata.read(cfg.project_dir), wheel.source_main_packages(cfg.project_dir))


def run(cfg: Config, stages: Iterable[Stage]) -> App:
    try:
        app = app_of(cfg)
    except InputError as exc:  # the stages cannot be asked without the app: what else is known is said too
        raise joined([*cfg.placeholders(), str(exc)]) from None
    channels(cfg, app, stages)
    print(f"ok: {app.dist} {app.version} ships as {app.name}: "
          + ", ".join(f"{c.name} ({c.entry})" for c in app.commands))
    print(f"    license {app.license}; homepage {app.homepage}; version from "
          f"{metadata.version_source(cfg.project_dir)}; summary {app.summary!r}")
    return app


def stage(every: Callable[[], list[Stage]]) -> Stage:
    """Stage `check` of a build, asking the stages `every()` returns (the pipeline's lists, which hold it)."""
    return Stage("check", "what a package manager cannot express fails now, before the long compile",
                 lambda ctx: channels(ctx.cfg, ctx.app, every()))
