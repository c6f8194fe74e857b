"""Nuitka's --report XML, read in one place: what went into a build (modules, data files, DLLs,
distributions). The completeness check, the shipped distributions and the SBOM's libraries read it."""

import xml.etree.ElementTree as ET
from pathlib import Path

from pkg.core.errors import PkgError


def root(path: Path) -> ET.Element:
    try:
        return ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise PkgError(f"{path.name}: cannot read the Nuitka report ({exc})") from None


def contents(path: Path) -> tuple[set[str], set[str]]:
    """(module names, file paths inside the build: data files and DLLs, `/`-separated) of a report."""
    tree = root(path)
    modules = {m.get("name") for m in tree.iter("module")}
    files = {d.get("name").replace("\\", "/") for d in tree.iter("data_file")}
    files |= {d.get("dest_path", "").replace("\\", "/") for d in tree.iter("included_dll")} - {""}
    return modules, files
