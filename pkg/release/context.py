"""ReleaseContext: what the release job's stages share (pkg/pipeline.py RELEASE), from the merged builds to
the staging folder renamed into release/v<version>/ at the end. Each stage adds what it writes to the
release's manifest (pkg/core/model.py) through it."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pkg.core import atomic, model
from pkg.core.config import Config
from pkg.core.model import App, Artifact, Kind, Manifest
from pkg.core.shipped import Shipped, gather
from pkg.core.version import Version


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


def stable_only(ctx: ReleaseContext) -> str | None:
    """The package managers' rule: stable users never get a release candidate."""
    return f"{ctx.version} is a pre-release: package managers only get stable releases" if ctx.version.prerelease \
        else None
