"""The distributions the app runs with, as installed in the build environment: its runtime requirements,
transitively (markers and extras evaluated for this Python), and what they expose by name. Never the
build's own tools (Nuitka and what it needs sit in the same venv but are nobody's requirement here)."""

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

SCRIPT_GROUPS = ("console_scripts", "gui_scripts")  # commands of a dependency, not loaded by the app


def find(site: Path, name: str) -> metadata.Distribution | None:
    return next(iter(metadata.distributions(name=name, path=[str(site)])), None)


def closure(site: Path, root: str, extras: tuple[str, ...] = ()) -> dict[str, metadata.Distribution]:
    """`root`'s runtime requirements (with `extras`), transitively, as installed in `site`: canonical name ->
    distribution. `root` itself is not in it."""
    found: dict[str, metadata.Distribution] = {}
    todo = [(root, tuple(extras))]
    while todo:
        name, wanted = todo.pop()
        dist = find(site, name)
        for text in (dist.requires or []) if dist else []:
            req = Requirement(text)
            if req.marker is not None and not any(req.marker.evaluate({"extra": e}) for e in ("", *wanted)):
                continue
            key = canonicalize_name(req.name)
            installed = find(site, req.name)
            if installed is not None and key not in found and key != canonicalize_name(root):
                found[key] = installed
                todo.append((req.name, tuple(req.extras)))
    return found


def plugins(dists: dict[str, metadata.Distribution]) -> dict[str, list[str]]:
    """Distributions that offer plugins (entry points other than commands: flake8's checkers, pluggy's
    hooks…) -> the modules those name. Apps find them through importlib.metadata and import them by name,
    so no import statement shows them to a compiler: both the metadata and the modules must go in."""
    found = {}
    for dist in dists.values():
        modules = {ep.module for ep in dist.entry_points if ep.group not in SCRIPT_GROUPS}
        modules = sorted(m for m in modules if m and all(p.isidentifier() for p in m.split(".")))
        if modules:
            found[dist.metadata["Name"]] = modules
    return found
