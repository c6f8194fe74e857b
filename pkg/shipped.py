"""What ships: the distributions, CPython runtime and system libraries inside a build, and their licences.

At build time (build.py) the build environment is at hand: each shipped distribution's version, licence
(pkg/licence.py rules) and licence files are taken from its installed metadata there, the files copied
into dist/<name>-<target>.licenses/, and the list written into the artifact record. At release time
(from_records) the merged records are all there is: five runners' builds need no app venv on the
release machine, and a Windows-only dependency has its licence like any other.
Nuitka's --report says which distributions went in; a PyInstaller build keeps no report, so its list is
the app's runtime requirements, transitively, as installed in the build environment.
"""

import shutil
import sysconfig
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from packaging.metadata import Metadata as CoreMetadata
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pkg import licence
from pkg.errors import PkgError

LICENCE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "COPYRIGHT")


@dataclass
class Shipped:
    distributions: dict[str, dict] = field(default_factory=dict)  # name -> {version, licence, licence_files}
    python: dict[str, list[str]] = field(default_factory=dict)     # CPython version -> licence files
    libraries: dict[str, set[str]] = field(default_factory=dict)  # system library -> targets


def _report(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise PkgError(f"{path.name}: cannot read the Nuitka report ({exc})") from None


def _closure(site: Path, root: str) -> dict[str, str]:
    """`root`'s runtime requirements, transitively, as installed in `site` (markers evaluated here)."""
    found: dict[str, str] = {}
    todo = [root]
    while todo:
        dist = next(iter(metadata.distributions(name=todo.pop(), path=[str(site)])), None)
        for text in (dist.requires or []) if dist else []:
            req = Requirement(text)
            if (req.marker is None or req.marker.evaluate({"extra": ""})) and canonicalize_name(req.name) not in found:
                installed = next(iter(metadata.distributions(name=req.name, path=[str(site)])), None)
                if installed is not None:
                    found[canonicalize_name(req.name)] = installed.version
                    todo.append(req.name)
    return found


def licence_of(dist: metadata.Distribution) -> str | None:
    core = CoreMetadata.from_email(dist.read_text("METADATA") or "", validate=False)
    found = licence.resolve(core.license_expression, core.license, tuple(core.classifiers or ()))
    return found.spdx or found.name


def licence_files(dist: metadata.Distribution) -> list[Path]:
    """Licence files in a distribution's metadata (License-File, or conventional names)."""
    files = [Path(str(dist.locate_file(f))) for f in dist.files or []
             if ".dist-info/" in str(f) and Path(str(f)).name.upper().startswith(LICENCE_NAMES)]
    return sorted(p for p in files if p.is_file())


def _copy(files: list[Path], folder: Path, dist_root: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    copied = []
    for file in files:
        shutil.copyfile(file, folder / file.name)
        copied.append((folder / file.name).relative_to(dist_root).as_posix())
    return copied


def collect(site: Path, report: Path | None, app_dist: str, licences: Path, dist_root: Path) -> dict:
    """Build-time facts for the record: {"distributions": [...], "python": {...}}; licence files are copied
    under `licences` (inside `dist_root`). The app's own distribution is listed too, flagged `app`."""
    if report is not None:
        root = _report(report)
        names = {d.get("name"): d.get("version") for d in root.iter("distribution")}
        python_version = next((p.get("python_version") for p in root.iter("python")), None)
    else:
        names = {app_dist: None, **_closure(site, app_dist)}
        python_version = sysconfig.get_python_version()
    if licences.exists():
        shutil.rmtree(licences)
    entries = []
    for name in sorted(names, key=str.lower):
        dist = next(iter(metadata.distributions(name=name, path=[str(site)])), None)
        if dist is None:
            continue  # a distribution Nuitka saw outside the build env (the stdlib's own, for example)
        label = f"{dist.name}-{dist.version}"
        entries.append({"name": dist.name, "version": dist.version, "licence": licence_of(dist),
                        "licence_files": _copy(licence_files(dist), licences / label, dist_root),
                        "app": canonicalize_name(dist.name) == canonicalize_name(app_dist)})
    cpython = Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"
    python = {python_version: _copy([cpython], licences / f"cpython-{python_version}", dist_root)
              if cpython.is_file() else []} if python_version else {}
    return {"distributions": entries, "python": python}


def from_records(records: dict[str, dict], app_dist: str) -> Shipped:
    """Everything the builds ship, but the app itself (it is the SBOM's subject, not a dependency)."""
    shipped = Shipped()
    for target, record in records.items():
        for entry in record.get("distributions", []):
            if entry.get("app") or canonicalize_name(entry["name"]) == canonicalize_name(app_dist):
                continue
            shipped.distributions.setdefault(entry["name"], {**entry, "base": record["_path"].parent})
        for version, files in record.get("python", {}).items():
            shipped.python.setdefault(version, [str(record["_path"].parent / f) for f in files])
        if record.get("report"):
            for dll in _report(record["_path"].parent / record["report"]).iter("included_dll"):
                shipped.libraries.setdefault(dll.get("name"), set()).add(target)
    return shipped


def app_entry(records: dict[str, dict]) -> tuple[Path, dict] | None:
    """The app's own distribution entry (licence files) from any record that has it."""
    for record in records.values():
        for entry in record.get("distributions", []):
            if entry.get("app"):
                return record["_path"].parent, entry
    return None
