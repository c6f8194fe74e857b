"""The context one runner's build travels through (pkg/core/stage.py: each stage a function of it), and the
build environment stage `env` makes (pkg/compile/appenv.py): what pip would install, ready to compile."""

import functools
import importlib.metadata
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from pkg.compile import installed
from pkg.core import model, names, proc
from pkg.core.config import Config
from pkg.core.model import App, Artifact, Backend, Kind, Layout, Manifest
from pkg.core.stage import SetBy
from pkg.core.targets import Target
from pkg.project import wheel
from pkg.project.metadata import Metadata


@dataclass(frozen=True)
class BuildEnv:
    folder: Path
    python: Path
    wheel: Path
    metadata: Metadata
    files: wheel.WheelFiles
    app: App
    extras: tuple[str, ...] = ()  # the app's extras installed (install_extras)

    @functools.cached_property
    def site_packages(self) -> Path:
        return venv_site_packages(self.python.parent.parent)

    @functools.cached_property
    def runtime(self) -> dict[str, importlib.metadata.Distribution]:
        """The app's runtime distributions as installed here (installed.closure): never the build's tools."""
        return installed.closure(self.site_packages, self.metadata.name, self.extras)

    @functools.cached_property
    def dependency_files(self) -> dict[str, wheel.WheelFiles]:
        """What each runtime distribution installed (its RECORD), by its name: shipped whole, like the app's."""
        return {d.metadata["Name"]: installed.files_of(d) for d in self.runtime.values()}

    @functools.cached_property
    def shipped_files(self) -> dict[str, wheel.WheelFiles]:
        """The app's wheel and every runtime distribution, by distribution name: what the build must carry."""
        return {self.metadata.name: self.files, **self.dependency_files}

    def tool_version(self, dist: str) -> str:
        """The version of `dist` in the build venv, which the build record names (an error when it is not there)."""
        code = f"from importlib.metadata import version; print(version({dist!r}))"
        return proc.tool([self.python, "-c", code], f"reading {dist}'s version in the build venv").stdout.strip()


def venv_site_packages(env: Path) -> Path:
    """A venv's site-packages: the venv scheme of this same interpreter (the build venv is made from it)."""
    return Path(sysconfig.get_path("purelib", "venv", vars={"base": str(env), "platbase": str(env)}))


@dataclass(repr=False)  # a SetBy field not yet set cannot be read, so not shown
class BuildContext:
    cfg: Config
    target: Target
    dist: Path
    work: Path                      # build/<target>/
    backend: Backend = Backend.NUITKA
    fallback: Backend | None = None
    version: str | None = None      # VERSION the wheel must have, when given
    env: BuildEnv | None = SetBy("env")  # the build environment
    built: Path | None = SetBy("compile")  # the compiled folder, then (stage place) dist/<name>-<target>/
    report: Path | None = None      # Nuitka's report
    layout: Layout | None = SetBy("commands")
    shared: dict[str, Kind] = field(default_factory=dict)  # completions and man pages below the folder (stage share)
    distributions: list[model.Distribution] = field(default_factory=list)  # what it ships (stage ship)
    python: dict[str, list[str]] = field(default_factory=dict)            # CPython version -> license files
    libraries: list[model.Library] = field(default_factory=list)          # system libraries bundled (stage ship)
    manifest: Manifest | None = SetBy("env")  # the build manifest, filled in as the stages go
    planned: App | None = None        # `plan`: the app as configuration time sees it (no env yet)
    key: str | None = None            # what the build is made from, hashed (stage `reuse`)
    done: str | None = None           # why the remaining stages have nothing to do (an identical build exists)

    @property
    def app(self) -> App:
        return self.planned if self.planned is not None and not self.has("env") else self.env.app

    def __repr__(self) -> str:
        return f"BuildContext({self.target}, dist={self.dist}, work={self.work}, backend={self.backend})"

    def has(self, name: str) -> bool:
        """Whether a stage has set the field (SetBy) yet."""
        return self.__dict__.get(name) is not None

    @property
    def name(self) -> str:
        return names.stem(self.app.name, self.target.name)

    def add(self, path: Path, kind: Kind) -> Artifact:
        return self.manifest.add(model.describe(path, self.dist, kind, self.target.name))
