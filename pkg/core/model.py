"""The artifact model: what the pipeline knows about what it makes, one typed shape at two moments.

  build    dist/<name>-<target>.json, written by each build (one runner): the app, that target's Build
           and its artifacts (archive, Nuitka report, license files; the MSI on the Windows runner)
  release  release/v<version>/manifest.json: every build manifest merged (a Build per target) and every
           artifact the release holds — archives, MSI, checksums, SBOM, licenses, notes, package-manager
           files, install scripts — with its size, sha256 and download URL

Paths are POSIX. An Artifact's path is relative to the folder its manifest sits in; a Build's own paths
(folder, commands, license files) are relative to dist/, where the build was made, in both manifests.
The JSON schema is written from these classes into pkg/core/manifest.schema.json (`python -m pkg schema`;
tests keep the two in step). SCHEMA goes up whenever a manifest written before could no longer be read.
GoReleaser's dist/artifacts.json and cargo-dist's dist-manifest.json are the models: one list of typed
artifacts the later steps select from.
"""

import hashlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pkg.core import atomic, names
from pkg.core.errors import PkgError

SCHEMA = 6
SCHEMA_FILE = Path(__file__).with_name("manifest.schema.json")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class License(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    spdx: str | None = None  # canonical SPDX expression
    name: str | None = None  # the declared license name when it is not SPDX ("BSD")

    def __str__(self) -> str:
        return self.spdx or self.name or "unknown"


class Command(Model):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    module: str
    function: str | None = None  # None: the module runs as `python -m module`
    extras: tuple[str, ...] = ()  # the app's extras this command needs (`cmd = "mod:func [extra]"`): installed

    @property
    def entry(self) -> str:
        return f"{self.module}:{self.function}" if self.function else f"-m {self.module}"


class App(Model):
    """What is shipped: resolved once from the app's metadata and [tool.pkg] (pkg/project/app.py)."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(description="shipped folder and archive name")
    dist: str = Field(description="the app's distribution name")
    version: str
    summary: str
    homepage: str
    license: License
    commands: tuple[Command, ...] = Field(min_length=1, description="main command first")

    @property
    def main(self) -> Command:
        return self.commands[0]

    @property
    def command_names(self) -> list[str]:
        return [c.name for c in self.commands]


class Kind(StrEnum):
    ARCHIVE = "archive"              # dist/ and release: <name>-<target>.tar.gz|.zip
    REPORT = "report"                # dist/: Nuitka's --report XML
    LICENSE_FILES = "license-files"  # dist/: the license files one build ships (folder)
    MSI = "msi"                      # dist/ (Windows runner) or release (built with wixl)
    BASH_COMPLETION = "bash-completion"  # dist/: inside a build's folder, share/ (pkg/core/names.py)
    ZSH_COMPLETION = "zsh-completion"
    FISH_COMPLETION = "fish-completion"
    MAN_PAGE = "man-page"
    PACKAGE = "package"              # release: a .deb or .rpm of a Linux build
    CHECKSUM = "checksum"            # release: <file>.sha256
    CHECKSUMS = "checksums"          # release: SHA256SUMS
    SBOM = "sbom"
    LICENSES = "licenses"            # release: LICENSES/ (folder)
    NOTES = "notes"
    FORMULA = "formula"              # Homebrew
    WINGET = "winget"                # folder of three manifests
    SCOOP = "scoop"
    INSTALL_SCRIPT = "install-script"
    MANIFEST = "manifest"            # the release's own manifest.json

    @property
    def download(self) -> bool:
        """What users download and install: each has a .sha256 and is described by the SBOM."""
        return self in (Kind.ARCHIVE, Kind.MSI, Kind.PACKAGE)

    @staticmethod
    def completion(shell: str) -> "Kind":
        return Kind(f"{shell}-completion")

    @property
    def shell(self) -> str | None:
        """The shell a completion is for (None for any other kind)."""
        return self.value.removesuffix("-completion") if self.value.endswith("-completion") else None

    @property
    def shared(self) -> bool:
        """A completion or man page inside a build's folder (share/), which the channels install."""
        return self.shell is not None or self == Kind.MAN_PAGE

    @property
    def from_builds(self) -> bool:
        """Built by a runner and carried into the release as is."""
        return self in (Kind.ARCHIVE, Kind.MSI)


class Backend(StrEnum):
    """What compiles the app (BACKEND=…): Nuitka standalone, or PyInstaller only when asked."""
    NUITKA = "nuitka"
    PYINSTALLER = "pyinstaller"
    PYINSTALLER_ONEFILE = "pyinstaller-onefile"

    @staticmethod
    def parse(text: str) -> "Backend":
        try:
            return Backend(text)
        except ValueError:
            raise PkgError(f"unknown backend {text!r} (known: {', '.join(Backend)})", 2) from None

    @property
    def tool(self) -> str:
        """The compiler's distribution: its version is recorded, its dependency group (pkg/pyproject.toml) installed."""
        return "nuitka" if self is Backend.NUITKA else "pyinstaller"

    @property
    def onefile(self) -> bool:
        return self is Backend.PYINSTALLER_ONEFILE


class Layout(StrEnum):
    """How a build's folder holds its commands (pkg/compile/commands.py says each)."""
    FLAT = "flat"
    LIB = "lib"
    ONEFILE = "onefile"


class PackageFormat(StrEnum):
    """A Linux package's format (pkg/channels/linux_packages.py): nfpm's packager name."""
    DEB = "deb"
    RPM = "rpm"


class AuditStatus(StrEnum):
    """What pip-audit found in the shipped distributions (pkg/release/audit.py)."""
    CLEAN = "clean"
    VULNERABLE = "vulnerable"
    NOT_SCANNED = "not scanned"


class MsiFacts(Model):
    product_code: str
    upgrade_code: str
    product_version: str
    signed: bool = False


class Artifact(Model):
    name: str
    kind: Kind
    path: str = Field(description="relative to the manifest's folder")
    target: str | None = None
    size: int | None = Field(None, description="bytes; None for folders and for the two files that describe the rest")
    sha256: str | None = None
    url: str | None = Field(None, description="where users download it (published artifacts)")
    copies: list[str] = Field(default_factory=list, description="the same file in the repository's layouts")
    msi: MsiFacts | None = None
    format: PackageFormat | None = Field(None, description="a package's format (Kind.PACKAGE)")


class Timing(Model):
    tool: str
    runs: int
    median_ms: float
    min_ms: float
    max_ms: float
    mean_ms: float


class Distribution(Model):
    name: str
    version: str
    license: str | None = None
    license_files: list[str] = Field(default_factory=list)
    app: bool = False


class Library(Model):
    """A system library Nuitka bundled, as the build machine's package manager knows it (pkg/compile/libraries.py)."""
    name: str = Field(description="its file name (soname)")
    sha256: str | None = Field(None, description="of the copy that ships")
    package: str | None = None
    version: str | None = None
    license: str | None = None
    purl: str | None = None
    source: str | None = Field(None, description="the distribution's source package and version it is built from")
    needed_by: str | None = Field(None, description="the Python extension module that brings it in")
    license_files: list[str] = Field(default_factory=list, description="relative to dist/, beside the build")


class Build(Model):
    """One target's build, as its runner saw it."""
    target: str
    backend: Backend
    layout: Layout = Field(description="how the folder holds its commands (pkg/compile/commands.py)")
    folder: str
    commands: dict[str, str] = Field(description="command -> its program in the folder")
    tools: dict[str, str] = Field(default_factory=dict)
    glibc: str | None = Field(None, description="the newest glibc symbol version its files need (Linux)")
    glibc_floor: str | None = Field(None, description="the oldest glibc it must run on, as declared (tool.pkg.glibc)")
    macos_min: str | None = None
    distributions: list[Distribution] = Field(default_factory=list)
    python: dict[str, list[str]] = Field(default_factory=dict, description="CPython version -> license files")
    inputs: str | None = Field(None, description="sha256 of what it was built from (pkg/compile/reuse.py)")
    libraries: list[Library] = Field(default_factory=list, description="the system libraries it bundled")

    def glibc_required(self) -> str | None:
        """The oldest glibc a system needs for this build: what its files need, or the declared floor if higher
        (the .deb/.rpm dependency and install.sh's check)."""
        found = [v for v in (self.glibc, self.glibc_floor) if v]
        return max(found, key=lambda v: tuple(int(p) for p in v.split("."))) if found else None

    def above_floor(self) -> bool:
        """Whether its files need a newer glibc than the floor it was declared for."""
        return bool(self.glibc and self.glibc_floor and self.glibc_required() != self.glibc_floor)


class BuildTestRecord(Model):
    """What `make build-test` proved of one build, in its own file (dist/<name>-<target>.build-test.json): the build
    manifest is the build's and is never rewritten after it."""
    target: str
    archive: str = Field(description="the archive proven, unpacked elsewhere")
    sha256: str = Field(description="of that archive")
    compared: int = Field(description="checks whose result equalled the pip-installed app's")
    startup: dict[str, Timing] = Field(default_factory=dict, description="hyperfine medians of the main command")
    instructions: dict[str, int] = Field(default_factory=dict, description="each command's start (its version, "
                                         "else its help) in instructions, by command line (callgrind; empty "
                                         "where valgrind is not installed)")

    def write(self, path: Path) -> Path:
        atomic.write_text(path, self.model_dump_json(indent=2) + "\n")
        return path

    @staticmethod
    def read(path: Path) -> "BuildTestRecord":
        try:
            return BuildTestRecord.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            raise PkgError(f"{path}: no readable smoke record ({str(exc).splitlines()[0]}; run `make build-test`)") \
                from None


class Release(Model):
    tag: str
    prerelease: bool
    msi_version: str
    missing_targets: list[str]
    startup_instructions: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="by target, each command's start-up instructions as build-test counted "
                                          "them: the next release compares with these")


class Manifest(Model):
    schema_version: int = Field(SCHEMA, alias="schema")
    moment: Literal["build", "release"]
    app: App
    builds: dict[str, Build] = Field(default_factory=dict)
    artifacts: list[Artifact] = Field(default_factory=list)
    release: Release | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @property
    def version(self) -> str:
        """The version built and released: the app's, as its wheel carries it."""
        return self.app.version

    def select(self, kind: Kind, os_name: str | None = None) -> list[Artifact]:
        """Artifacts of one kind, optionally for one OS, in target order."""
        found = [a for a in self.artifacts if a.kind == kind and (os_name is None or (a.target or "").startswith(
            os_name + "-"))]
        return sorted(found, key=lambda a: (a.target or "", a.name))

    def shared(self, target: str) -> list[Artifact]:
        """The completions and man pages of one target's build (Kind.shared)."""
        return [a for kind in Kind if kind.shared for a in self.select(kind) if a.target == target]

    def downloads(self) -> list[Artifact]:
        """Every file users download and install (Kind.download), by kind then target."""
        return [a for kind in Kind if kind.download for a in self.select(kind)]

    def add(self, artifact: Artifact) -> Artifact:
        """Add, or replace the artifact of the same name."""
        self.artifacts = [a for a in self.artifacts if a.name != artifact.name] + [artifact]
        return artifact

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, by_alias=True, exclude_none=True) + "\n"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def describe(path: Path, root: Path, kind: Kind, target: str | None = None, **fields) -> Artifact:
    """An artifact for a file or folder below `root` (a folder has no size or hash: its files are listed
    in SHA256SUMS)."""
    facts = {"size": path.stat().st_size, "sha256": sha256_file(path)} if path.is_file() else {}
    return Artifact(name=path.name, kind=kind, path=path.relative_to(root).as_posix(), target=target,
                    **facts, **fields)


def read(path: Path, what: str = "manifest") -> Manifest:
    """A manifest the pipeline wrote; a missing, broken or outdated one is a one-line error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PkgError(f"{path}: no {what} (run `make build`)") from None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PkgError(f"{path}: not a valid {what} ({exc})") from None
    if isinstance(data, dict) and data.get("schema") != SCHEMA:
        raise PkgError(f"{path}: a {what} of schema {data.get('schema')}, not {SCHEMA} (rebuild with `make build`)")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise PkgError(f"{path}: not a valid {what}: {where}: {first['msg']}") from None


def write(path: Path, manifest: Manifest) -> Path:
    atomic.write_text(path, manifest.to_json())
    return path


def find_build(dist: Path, target: str) -> tuple[Path, Manifest]:
    """The one build manifest for `target` in dist/ (whatever the app is called)."""
    found = [p for p in sorted(dist.glob(names.build_manifest_glob(target))) if not p.name.startswith(".")]
    if not found:
        raise PkgError(f"{dist}: no build manifest for {target} (run `make build`)")
    if len(found) > 1:
        raise PkgError(f"{dist}: {len(found)} build manifests for {target} ({', '.join(p.name for p in found)}): "
                       "remove the stale ones (`make clean`)")
    return found[0], read(found[0])


def schema() -> dict:
    return Manifest.model_json_schema(by_alias=True)


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"
