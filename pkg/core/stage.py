"""A stage: one function of a shared context, GoReleaser's pipe. Each module that makes something defines
its Stage (name, what it does, run, why it would skip, which files it writes); pkg/pipeline.py only puts
them in order. `python -m pkg plan` asks every stage `skip` and `writes` without running any.

BuildContext travels through one runner's build; ReleaseContext through the release job. What a stage
writes is added to the context's manifest (pkg/core/model.py) as an Artifact. A channel's stage also says
what it cannot express (`check`): `make check` and the build ask every stage before anything long runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pkg.core import atomic, model, names
from pkg.core.config import Config
from pkg.core.model import App, Artifact, Kind, Manifest
from pkg.core.targets import Target
from pkg.core.version import Version

if TYPE_CHECKING:
    from pkg.build.appenv import BuildEnv
    from pkg.release.shipped import Shipped


def never(ctx) -> str | None:
    return None


def nothing(ctx) -> list[str]:
    return []


def expresses_anything(cfg: Config, app: App) -> None:
    return None


def stable_only(ctx: ReleaseContext) -> str | None:
    """The package managers' rule: stable users never get a release candidate."""
    return f"{ctx.version} is a pre-release: package managers only get stable releases" if ctx.version.prerelease \
        else None


@dataclass(frozen=True)
class Stage:
    name: str
    does: str                                          # one line, shown by `make plan`
    run: Callable[[Any], None]
    skip: Callable[[Any], str | None] = never          # the reason it does nothing this time, or None
    writes: Callable[[Any], list[str]] = nothing       # the files it makes (names from pkg.core.names)
    check: Callable[[Config, App], None] = expresses_anything  # a channel's refusal, at `make check` time
    makes: Kind | None = None  # the kind of what it writes, when later stages select it (`plan` records them)


@dataclass
class BuildContext:
    cfg: Config
    target: Target
    dist: Path
    work: Path                      # build/<target>/
    backend: str = "nuitka"
    fallback: str | None = None
    version: str | None = None      # VERSION the wheel must have, when given
    env: BuildEnv | None = None     # the build environment (stage `env`)
    built: Path | None = None       # the compiled folder, then dist/<name>-<target>/
    report: Path | None = None      # Nuitka's report
    layout: str | None = None
    shared: dict[str, Kind] = field(default_factory=dict)  # completions and man pages below the folder (stage share)
    distributions: list[model.Distribution] = field(default_factory=list)  # what it ships (stage ship)
    python: dict[str, list[str]] = field(default_factory=dict)            # CPython version -> licence files
    libraries: list[model.Library] = field(default_factory=list)          # system libraries bundled (stage ship)
    manifest: Manifest | None = None  # the build manifest, filled in as the stages go
    planned: App | None = None        # `plan`: the app as configuration time sees it (no env yet)
    key: str | None = None            # what the build is made from, hashed (stage `reuse`)
    finished: str | None = None       # why the remaining stages have nothing to do (an identical build exists)

    @property
    def app(self) -> App:
        return self.env.app if self.env is not None else self.planned

    @property
    def name(self) -> str:
        return names.stem(self.app.name, self.target.name)

    def add(self, path: Path, kind: Kind) -> Artifact:
        return self.manifest.add(model.describe(path, self.dist, kind, self.target.name))


@dataclass
class ReleaseContext:
    cfg: Config
    version: Version
    dist: Path
    folder: Path                    # the staging folder, renamed into release/v<version>/ at the end
    repo: Path                      # where the repository layouts go (homebrew/, winget/, scoop/)
    inputs: Manifest                # the builds, merged (paths relative to dist/)
    manifest: Manifest              # the release (paths relative to `folder`)
    epoch: int
    warnings: list[str] = field(default_factory=list)
    shipped: Shipped | None = None

    @property
    def app(self) -> App:
        return self.inputs.app

    def url(self, name: str) -> str:
        return self.cfg.download_url(str(self.version), name)

    def add(self, path: Path, kind: Kind, target: str | None = None, copies: Iterable[Path] = (),
            **facts) -> Artifact:
        """Record a file (or folder) written into the release; a top-level file gets its download URL."""
        url = self.url(path.name) if path.parent == self.folder and path.is_file() else None
        return self.manifest.add(model.describe(path, self.folder, kind, target, url=url,
                                                copies=[c.relative_to(self.repo).as_posix() for c in copies], **facts))

    def write(self, name: str, text: str, kind: Kind, repo_copies: Iterable[Path] = ()) -> Artifact:
        """Write a generated file into the release (and the same text into the repository's layouts)."""
        copies = [self.repo / p for p in repo_copies]
        for path in [self.folder / name, *copies]:
            atomic.write_text(path, text)
            print(f"wrote {path}")
        return self.add(self.folder / name, kind, copies=copies)
