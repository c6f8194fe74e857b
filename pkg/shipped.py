"""What ships: the distributions, CPython runtime and system libraries inside each build, read from the
Nuitka --report XML each build keeps beside its folder (never the build tools in the venv)."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from pkg.errors import PkgError


@dataclass
class Shipped:
    distributions: dict[str, str] = field(default_factory=dict)  # name -> version
    python: set[str] = field(default_factory=set)                 # CPython versions
    libraries: dict[str, set[str]] = field(default_factory=dict)  # system library -> targets


def from_reports(records: dict[str, dict], app: str) -> Shipped:
    shipped = Shipped()
    for target, record in records.items():
        if not record.get("report"):
            shipped.distributions.update(_runtime_closure(app))  # PyInstaller builds keep no report
            continue
        path = record["_path"].parent / record["report"]
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as exc:
            raise PkgError(f"{path.name}: cannot read the Nuitka report ({exc})") from None
        for dist in root.iter("distribution"):
            if dist.get("name") != app:
                shipped.distributions[dist.get("name")] = dist.get("version")
        for python in root.iter("python"):
            shipped.python.add(python.get("python_version"))
        for dll in root.iter("included_dll"):
            shipped.libraries.setdefault(dll.get("name"), set()).add(target)
    return shipped


def _runtime_closure(app: str) -> dict[str, str]:
    """The app's runtime requirements, transitively, from installed metadata (markers evaluated here)."""
    from packaging.requirements import Requirement

    found: dict[str, str] = {}
    todo = [app]
    while todo:
        name = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                key = req.name.lower()
                if key not in found:
                    try:
                        found[key] = metadata.version(req.name)
                        todo.append(req.name)
                    except metadata.PackageNotFoundError:
                        pass
    return found


def licence_of(name: str) -> str | None:
    """The SPDX expression or licence text a distribution declares in its installed metadata."""
    try:
        meta = metadata.metadata(name)
    except metadata.PackageNotFoundError:
        return None
    expression = meta.get("License-Expression")
    if expression:
        return expression.strip()
    declared = (meta.get("License") or "").strip()
    if declared and "\n" not in declared and len(declared) < 80:
        return declared
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License :: OSI Approved :: "):
            return classifier.rsplit(" :: ", 1)[-1]
    return None


def licence_files(name: str) -> list[Path]:
    """Licence files shipped in a distribution's metadata (License-File, or conventional names)."""
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return []
    names = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")
    files = [Path(str(dist.locate_file(f))) for f in dist.files or []
             if ".dist-info/" in str(f) and Path(str(f)).name.upper().startswith(names)]
    return sorted(p for p in files if p.is_file())
