"""Harvest a Windows folder and render it as WiX v3 source for msitools' wixl (the Linux MSI path), and as
the WiX 5 fragment of its files for the Windows runner: both paths give every file the same component.

Every identity is derived, never random, so two builds of one version are the same MSI and an
upgrade keeps its components (uuid5, namespaced by the config's UpgradeCode, which never changes):
  ComponentId   uuid5(UpgradeCode, "component/<relative path, lower-case>")   stable per install path
  PATH comp.    uuid5(UpgradeCode, "component/PATH")                          fixed forever
  ProductCode   uuid5(UpgradeCode, "product/<full version>")                  new per release;
                0.2.0rc1 and 0.2.0 share ProductVersion 0.2.0 but not the ProductCode, so the
                final release upgrades the release candidate.
Row ids are `<kind>_<name slug>_<hash>`: valid MSI identifiers, at most 72 characters.
"""

import hashlib
import os
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pkg.core import names
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import App
from pkg.core.version import Version

WIX3_NS = "http://schemas.microsoft.com/wix/2006/wi"
WIX4_NS = "http://wixtoolset.org/schemas/v4/wxs"  # WiX 4 and 5
FILES_GROUP = "AppFiles"  # the ComponentGroup wix/app.wxs references
INSTALLFOLDER = "INSTALLFOLDER"
PATH_COMPONENT = "PathComponent"
FEATURE = "Main"
LANGUAGE = "1033"
DOWNGRADE_MESSAGE = "A newer version of [ProductName] is already installed."
MAX_FILE_SIZE = 2**31 - 1  # File.FileSize is a signed 32-bit column
BAD_CHARS = re.compile(r'[<>:"\\|?*\x00-\x1f]')  # not allowed in Windows file names


def guid(cfg: Config, name: str) -> str:
    return str(uuid.uuid5(uuid.UUID(cfg.upgrade_code), name)).upper()


def product_code(cfg: Config, version: Version) -> str:
    return guid(cfg, f"product/{version}")


def path_component_guid(cfg: Config) -> str:
    return guid(cfg, "component/PATH")


def arp_properties(app: App) -> dict[str, str]:
    """Add/Remove Programs entries; the WiX v5 source sets the same ones (see msi.wix_vars)."""
    return {"ARPURLINFOABOUT": app.homepage, "ARPHELPLINK": app.homepage, "ARPCOMMENTS": app.summary}


def check_app(cfg: Config, app: App) -> None:
    """What wixl 0.101 can store: names in Windows-1252, valid Windows file names."""
    for name in (app.name, *(names.program(c, "windows") for c in app.command_names)):
        _check_name(Path(app.name), PurePosixPath(name))


def _row_id(kind: str, rel: PurePosixPath) -> str:
    slug = re.sub(r"[^A-Za-z0-9_]", "_", rel.name)[:40]
    digest = hashlib.sha256(rel.as_posix().lower().encode()).hexdigest()[:16]
    return f"{kind}_{slug}_{digest}"


@dataclass(frozen=True)
class Entry:
    rel: PurePosixPath  # relative to the harvested folder
    id: str
    size: int = 0  # files only


def _check_name(folder: Path, rel: PurePosixPath) -> None:
    name = rel.name
    where = f"{folder}/{rel}"
    if BAD_CHARS.search(name) or name.endswith((" ", ".")):
        raise PkgError(f"{where}: name is not valid on Windows")
    if "$(" in name:  # wixl's preprocessor expands $( in attributes and has no escape
        raise PkgError(f"{where}: '$(' in a file name cannot be packaged by wixl")
    try:
        name.encode("cp1252")  # wixl 0.101 stores names in cp1252 and drops anything else silently
    except UnicodeEncodeError:
        raise PkgError(f"{where}: name is outside Windows-1252, which wixl 0.101 cannot store") from None


def harvest(folder: Path) -> tuple[list[Entry], list[Entry]]:
    """(directories, files) below `folder`, sorted, validated for Windows; empty folders are skipped
    (as WiX's <Files> harvesting does)."""
    if not folder.is_dir():
        raise PkgError(f"{folder}: no such folder to package")
    dirs: list[Entry] = []
    files: list[Entry] = []
    seen: dict[str, PurePosixPath] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        base = Path(dirpath)
        for name in dirnames + sorted(filenames):
            path = base / name
            rel = PurePosixPath(path.relative_to(folder).as_posix())
            _check_name(folder, rel)
            if rel.as_posix().lower() in seen:  # Windows file names ignore case
                raise PkgError(f"{folder}: {rel} and {seen[rel.as_posix().lower()]} differ only in case")
            seen[rel.as_posix().lower()] = rel
            if name in dirnames:
                if path.is_symlink():
                    raise PkgError(f"{folder}/{rel}: folder symlinks cannot be packaged")
                dirs.append(Entry(rel, _row_id("dir", rel)))
            elif path.is_file():
                size = path.stat().st_size
                if size > MAX_FILE_SIZE:
                    raise PkgError(f"{folder}/{rel}: {size} bytes is over the MSI limit of 2 GiB")
                files.append(Entry(rel, _row_id("fil", rel), size))
            else:
                raise PkgError(f"{folder}/{rel}: not a regular file (broken symlink?)")
    if not files:
        raise PkgError(f"{folder}: no files to package")
    return dirs, files


@dataclass(frozen=True)
class Component:
    """One file's component: the same ids and GUID whichever WiX builds the MSI (the one rule)."""
    id: str
    guid: str
    directory: str  # INSTALLFOLDER or a dir_… id
    file: Entry


def components(cfg: Config, files: list[Entry], dir_ids: dict[PurePosixPath, str]) -> list[Component]:
    return [Component("cmp" + f.id[3:], guid(cfg, f"component/{f.rel.as_posix().lower()}"),
                      dir_ids[f.rel.parent], f) for f in files]


def _dir_ids(dirs: list[Entry]) -> dict[PurePosixPath, str]:
    return {PurePosixPath("."): INSTALLFOLDER, **{d.rel: d.id for d in dirs}}


def _element(namespace: str):
    ET.register_namespace("", namespace)

    def el(parent, tag: str, **attrs) -> ET.Element:
        return ET.SubElement(parent, f"{{{namespace}}}{tag}", attrs) if parent is not None else \
            ET.Element(f"{{{namespace}}}{tag}", attrs)
    return el


def _tostring(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def render(cfg: Config, app: App, version: Version, dirs: list[Entry], files: list[Entry]) -> bytes:
    """WiX v3 source for wixl; File/@Source is relative, so run wixl from the harvested folder."""
    el = _element(WIX3_NS)
    root = el(None, "Wix")
    product = el(root, "Product", Id=product_code(cfg, version), Name=app.name, Language=LANGUAGE,
                 Version=version.msi, Manufacturer=cfg.publisher, UpgradeCode=cfg.upgrade_code)
    el(product, "Package", InstallerVersion="500", Compressed="yes", InstallScope="perMachine",
       Description=app.summary, Manufacturer=cfg.publisher)
    # wixl 0.101 ignores AllowSameVersionUpgrades; msi.py rewrites the Upgrade rows to match WiX's.
    el(product, "MajorUpgrade", AllowSameVersionUpgrades="yes", DowngradeErrorMessage=DOWNGRADE_MESSAGE)
    el(product, "MediaTemplate", EmbedCab="yes")
    for key, value in arp_properties(app).items():
        el(product, "Property", Id=key, Value=value)

    target = el(product, "Directory", Id="TARGETDIR", Name="SourceDir")
    program_files = el(target, "Directory", Id="ProgramFiles64Folder")
    install = el(program_files, "Directory", Id=INSTALLFOLDER, Name=app.name)
    # The PATH component holds no file; msi.py adds its Environment row (wixl 0.101 lacks <Environment>).
    path_comp = el(install, "Component", Id=PATH_COMPONENT, Guid=path_component_guid(cfg), Win64="yes")
    el(path_comp, "CreateFolder")
    parents = {INSTALLFOLDER: install}
    for d in dirs:
        parents[d.id] = el(parents[_dir_ids(dirs)[d.rel.parent]], "Directory", Id=d.id, Name=d.rel.name)
    feature = el(product, "Feature", Id=FEATURE, Level="1")
    el(feature, "ComponentRef", Id=PATH_COMPONENT)
    for c in components(cfg, files, _dir_ids(dirs)):
        comp = el(parents[c.directory], "Component", Id=c.id, Guid=c.guid, Win64="yes")
        el(comp, "File", Id=c.file.id, Name=c.file.rel.name, Source=c.file.rel.as_posix(), KeyPath="yes")
        el(feature, "ComponentRef", Id=c.id)
    return _tostring(root)


def render_wix5_files(cfg: Config, folder: Path, dirs: list[Entry], files: list[Entry]) -> bytes:
    """The files of wix/app.wxs for WiX 5 on the Windows runner: a fragment with the directories and one
    component per file, ids and GUIDs exactly as render() gives wixl (WiX's own <Files> harvesting would
    derive other GUIDs, and an upgrade between MSIs of the two paths would not share components)."""
    el = _element(WIX4_NS)
    root = el(None, "Wix")
    fragment = el(root, "Fragment")
    parents = {INSTALLFOLDER: el(fragment, "DirectoryRef", Id=INSTALLFOLDER)}
    for d in dirs:
        parents[d.id] = el(parents[_dir_ids(dirs)[d.rel.parent]], "Directory", Id=d.id, Name=d.rel.name)
    group = el(fragment, "ComponentGroup", Id=FILES_GROUP)
    for c in components(cfg, files, _dir_ids(dirs)):
        comp = el(group, "Component", Id=c.id, Directory=c.directory, Guid=c.guid, Bitness="always64")
        el(comp, "File", Id=c.file.id, Name=c.file.rel.name, Source=str(folder.joinpath(*c.file.rel.parts)),
           KeyPath="yes")
    return _tostring(root)
