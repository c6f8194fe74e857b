"""A stage: one function of a shared context, GoReleaser's pipe. Each module that makes something defines
its Stage (name, what it does, run, why it would skip, which files it writes); pkg/pipeline.py only puts
them in order. `walk` is the one loop over them: pkg/pipeline.py runs each stage through it, and
`python -m pkg plan` walks the same way asking `skip` and `writes` without running any. A stage is typed by
the context it takes (Stage[BuildContext], Stage[ReleaseContext]): a release stage in BUILD does not type-check.

ReleaseContext travels through the release job (BuildContext, through one runner's build, is in
pkg/build/context.py). What a stage writes is added to the context's manifest (pkg/core/model.py) as an
Artifact. A channel's stage also says what it cannot express (`check`): `make check` and the build ask every
stage before anything long runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Generic, TypeVar

from pkg.core import atomic, model
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import App, Artifact, Kind, Manifest
from pkg.core.shipped import Shipped, gather
from pkg.core.version import Version


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


C = TypeVar("C")  # the context a stage takes


@dataclass(frozen=True)
class Stage(Generic[C]):
    name: str
    does: str                                          # one line, shown by `make plan`
    run: Callable[[C], None]
    skip: Callable[[C], str | None] = never            # the reason it does nothing this time, or None
    writes: Callable[[C], list[str]] = nothing         # the files it makes (names from pkg.core.names)
    check: Callable[[Config, App], None] = expresses_anything  # a channel's refusal, at `make check` time
    makes: Kind | None = None  # the kind of what it writes, when later stages select it (`plan` records them)


class SetBy:
    """A context field one stage sets. Read before it is set, it is an error naming that stage — not a None
    that fails three stages later as `'NoneType' object has no attribute …`. `ctx.has(name)` asks."""

    def __init__(self, stage: str):
        self.stage = stage

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, ctx, owner=None):
        if ctx is None:
            return None  # the dataclass field's default
        value = ctx.__dict__.get(self.name)
        if value is None:
            raise PkgError(f"internal error: {self.name} is needed before stage `{self.stage}` has set it "
                           "(a stage list out of order)")
        return value

    def __set__(self, ctx, value) -> None:
        ctx.__dict__[self.name] = value


def walk(stages: Iterable[Stage[C]], ctx: C, do: Callable[[Stage[C], C], None],
         skipped: Callable[[Stage[C], str], None]) -> None:
    """Each stage in order: `skipped` with its reason when it has one, else `do`. After stage `reuse` finds an
    identical build (ctx.finished) nothing is left to do."""
    for stage in stages:
        if getattr(ctx, "finished", None):
            return
        reason = stage.skip(ctx)
        if reason:
            skipped(stage, reason)
        else:
            do(stage, ctx)


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
    startup_baseline: Path | None = None  # the manifest.json to compare start-up with (else release/'s last)
    instructions: dict[str, dict[str, int]] = field(default_factory=dict)  # by target: each start (startup stage)

    @property
    def app(self) -> App:
        return self.inputs.app

    @cached_property
    def shipped(self) -> Shipped:
        """What the merged builds ship (licenses, SBOM, audit): read from their manifests once."""
        return gather(self.inputs, self.dist)

    def shipped_by(self, target: str) -> Shipped:
        """What one build ships: a Linux package carries its own build's licenses, not the other runners'."""
        return gather(self.inputs.model_copy(update={"builds": {target: self.inputs.builds[target]}}), self.dist)

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
