"""Reads pyproject.toml: [project] is the app, [tool.pkg] the pipeline. Each bad key is a one-line error.

[tool.pkg] keys:
  app            binary and archive name (dist/<app>-<os>-<arch>/)
  entry          package under app/ compiled as `python -m <entry>` (needs app/<entry>/__main__.py)
  publisher      shown by installers (MSI Manufacturer, winget Publisher)
  package-id     winget PackageIdentifier, `Publisher.Package`
  upgrade-code   MSI UpgradeCode, a GUID that must never change
  url-template   download URL of a release file; {version} and {file} are filled in
  nuitka.*       include-packages, include-package-data, include-distribution-metadata, flags,
                 and per-OS flags under nuitka.linux / nuitka.macos / nuitka.windows
  startup.*      budgets in median milliseconds: version-ms, help-ms
description, license and homepage ([project].urls.Homepage) are read from [project].
"""

import re
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pkg.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
OSES = ("linux", "macos", "windows")


@dataclass(frozen=True)
class NuitkaOptions:
    include_packages: tuple[str, ...] = ()
    include_package_data: tuple[str, ...] = ()
    include_distribution_metadata: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    os_flags: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    root: Path
    app: str
    entry: str
    version: str
    description: str
    license: str
    homepage: str
    publisher: str
    package_id: str
    upgrade_code: str
    url_template: str
    dependencies: tuple[str, ...]
    nuitka: NuitkaOptions
    budgets_ms: dict[str, float]

    @property
    def app_dir(self) -> Path:
        return self.root / "app"

    @property
    def entry_dir(self) -> Path:
        return self.app_dir / Path(*self.entry.split("."))

    def download_url(self, version: str, file: str) -> str:
        return self.url_template.format(version=version, file=file)


def _get(table: dict, key: str, where: str, kind: type = str, required: bool = True, default=None):
    if key not in table:
        if required:
            raise InputError(f"pyproject.toml: {where}.{key} is missing")
        return default
    value = table[key]
    if kind is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"pyproject.toml: {where}.{key} must be a list of strings")
        return tuple(value)
    if kind is float:
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise InputError(f"pyproject.toml: {where}.{key} must be a positive number")
        return float(value)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"pyproject.toml: {where}.{key} must be a non-empty string")
    return value


def _check(ok: bool, where: str, message: str) -> None:
    if not ok:
        raise InputError(f"pyproject.toml: {where} {message}")


def _unknown(table: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        known = ", ".join(sorted(allowed))
        raise InputError(f"pyproject.toml: {where}.{extra[0]} is not a known key (known: {known})")


def _nuitka(table: dict) -> NuitkaOptions:
    where = "tool.pkg.nuitka"
    lists = ("include-packages", "include-package-data", "include-distribution-metadata", "flags")
    _unknown(table, {*lists, *OSES}, where)
    flags = _get(table, "flags", where, list, required=False, default=())
    os_flags = {}
    for os_name in OSES:
        sub = table.get(os_name, {})
        _check(isinstance(sub, dict), f"{where}.{os_name}", "must be a table")
        _unknown(sub, {"flags"}, f"{where}.{os_name}")
        os_flags[os_name] = _get(sub, "flags", f"{where}.{os_name}", list, required=False, default=())
    for flag in flags + tuple(f for fs in os_flags.values() for f in fs):
        _check(flag.startswith("--"), f"{where} flag {flag!r}", "must start with --")
        _check(flag.split("=")[0] not in ("--onefile", "--mode", "--standalone", "--output-dir", "--report"),
               f"{where} flag {flag!r}", "is set by the pipeline (pkg/build.py), not by config")
    return NuitkaOptions(
        include_packages=_get(table, "include-packages", where, list, required=False, default=()),
        include_package_data=_get(table, "include-package-data", where, list, required=False, default=()),
        include_distribution_metadata=_get(table, "include-distribution-metadata", where, list,
                                           required=False, default=()),
        flags=flags,
        os_flags=os_flags,
    )


def load(root: Path = ROOT) -> Config:
    path = root / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None
    project = data.get("project", {})
    tool = data.get("tool", {}).get("pkg")
    if not isinstance(tool, dict):
        raise InputError("pyproject.toml: [tool.pkg] table is missing")
    _unknown(tool, {"app", "entry", "publisher", "package-id", "upgrade-code", "url-template", "nuitka",
                    "startup"}, "tool.pkg")

    app = _get(tool, "app", "tool.pkg")
    _check(re.fullmatch(r"[a-z0-9][a-z0-9_-]*", app) is not None, "tool.pkg.app",
           "must be lower-case letters, digits, - or _")
    entry = _get(tool, "entry", "tool.pkg")
    _check(re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", entry) is not None, "tool.pkg.entry",
           "must be a dotted module name")
    package_id = _get(tool, "package-id", "tool.pkg")
    _check(re.fullmatch(r"[^.\s]+(\.[^.\s]+)+", package_id) is not None, "tool.pkg.package-id",
           "must look like Publisher.Package")
    upgrade_code = _get(tool, "upgrade-code", "tool.pkg")
    try:
        upgrade_code = str(uuid.UUID(upgrade_code)).upper()
    except ValueError:
        raise InputError("pyproject.toml: tool.pkg.upgrade-code must be a GUID") from None
    url_template = _get(tool, "url-template", "tool.pkg")
    _check("{file}" in url_template and "{version}" in url_template, "tool.pkg.url-template",
           "must contain {version} and {file}")
    startup = tool.get("startup", {})
    _unknown(startup, {"version-ms", "help-ms"}, "tool.pkg.startup")
    urls = project.get("urls", {})
    _check(isinstance(urls, dict) and "Homepage" in urls, "project.urls.Homepage", "is missing")

    return Config(
        root=root,
        app=app,
        entry=entry,
        version=_get(project, "version", "project"),
        description=_get(project, "description", "project"),
        license=_get(project, "license", "project"),
        homepage=_get(urls, "Homepage", "project.urls"),
        publisher=_get(tool, "publisher", "tool.pkg"),
        package_id=package_id,
        upgrade_code=upgrade_code,
        url_template=url_template,
        dependencies=_get(project, "dependencies", "project", list, required=False, default=()),
        nuitka=_nuitka(tool.get("nuitka", {})),
        budgets_ms={
            "version": _get(startup, "version-ms", "tool.pkg.startup", float, required=False, default=500.0),
            "help": _get(startup, "help-ms", "tool.pkg.startup", float, required=False, default=1500.0),
        },
    )
