"""The distributions the app runs with, as installed in the build environment: its runtime requirements,
transitively (markers and extras evaluated for this Python), and what they expose by name. Never the
build's own tools (Nuitka and what it needs sit in the same venv but are nobody's requirement here)."""

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pkg.project import wheel

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


def files_of(dist: metadata.Distribution) -> wheel.WheelFiles:
    """The modules and package data an installed distribution put in site-packages (its RECORD)."""
    return wheel.from_record([str(f) for f in dist.files or []])


def top_level_names(dist: metadata.Distribution) -> set[str]:
    """The importable top-level names a distribution installs (from its RECORD)."""
    found = set()
    for entry in dist.files or []:
        first = entry.parts[0] if entry.parts else ""
        if first.endswith((".dist-info", ".data")) or first in ("..", "__pycache__", "bin", "Scripts"):
            continue
        name = first.split(".", 1)[0] if len(entry.parts) == 1 else first
        if len(entry.parts) == 1 and not first.endswith((".py", ".so", ".pyd")):
            continue
        if name.isidentifier():
            found.add(name)
    return found


def foreign_modules(site: Path, keep: set[str]) -> list[str]:
    """The top-level modules of every distribution in `site` that is not in `keep` (canonical names): the
    build's own tools (Nuitka, zstandard…), which pip's users of the app never get. Names a kept
    distribution also installs (a shared namespace) are never foreign."""
    dists = list(metadata.distributions(path=[str(site)]))
    kept = {n for d in dists if canonicalize_name(d.metadata["Name"]) in keep for n in top_level_names(d)}
    return sorted({n for d in dists if canonicalize_name(d.metadata["Name"]) not in keep
                   for n in top_level_names(d)} - kept)
