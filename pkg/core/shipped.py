"""Everything the release's builds ship, gathered from their manifests (pkg/compile/ship.py wrote the
distributions and license files beside each build) and Nuitka's reports (the system libraries each bundled).
The app's own distribution is kept apart: it is the SBOM's subject, never one of its components."""

from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from pkg.core import nuitka_report
from pkg.core.model import Distribution, Kind, Library, Manifest


@dataclass
class Shipped:
    distributions: dict[str, Distribution] = field(default_factory=dict)  # the third-party ones, by name
    python: dict[str, list[str]] = field(default_factory=dict)             # CPython version -> license files
    libraries: dict[str, dict[str, Library | None]] = field(default_factory=dict)  # name -> target -> facts
    app: Distribution | None = None                                        # the app's own (license files)


def gather(builds: Manifest, dist: Path) -> Shipped:
    """What the merged builds ship; paths in the returned entries are relative to `dist` (as merge left them)."""
    shipped, app_dist = Shipped(), builds.app.dist
    reports = {a.target: dist / a.path for a in builds.select(Kind.REPORT)}
    for target, build in builds.builds.items():
        for entry in build.distributions:
            if entry.app or canonicalize_name(entry.name) == canonicalize_name(app_dist):
                shipped.app = shipped.app or entry
            else:
                shipped.distributions.setdefault(entry.name, entry)
        for version, files in build.python.items():
            shipped.python.setdefault(version, files)
        for lib in build.libraries:  # described on its runner: package, version, license, hash
            shipped.libraries.setdefault(lib.name, {})[target] = lib
        if target in reports and not build.libraries:  # a build that recorded none: its report's names
            for dll in nuitka_report.root(reports[target]).iter("included_dll"):
                shipped.libraries.setdefault(dll.get("name"), {}).setdefault(target, None)
    return shipped


def versions(shipped: Shipped) -> dict[str, str]:
    return {name: entry.version for name, entry in shipped.distributions.items()}
