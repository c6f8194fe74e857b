"""Stage `manifest`: release/v<version>/manifest.json, the release moment of the artifact model
(pkg/core/model.py): the app, every target's build as its runner recorded it (their paths are in dist/),
the release facts, and every artifact of the release. It lists itself and SHA256SUMS without a hash: the
two files that describe the others cannot hash each other (SHA256SUMS, written last, lists this one)."""

from pkg.core import model, names
from pkg.core.model import Artifact, Kind, Release
from pkg.core.stage import Stage
from pkg.release import merge
from pkg.release.context import ReleaseContext


def run(ctx: ReleaseContext) -> None:
    v = ctx.version
    ctx.manifest.builds = dict(ctx.inputs.builds)
    ctx.manifest.release = Release(tag=v.tag, prerelease=v.prerelease, msi_version=v.msi,
                                   missing_targets=merge.missing_targets(ctx.inputs),
                                   startup_instructions=ctx.instructions)
    for name, kind in ((names.MANIFEST, Kind.MANIFEST), (names.SUMS, Kind.CHECKSUMS)):
        ctx.manifest.add(Artifact(name=name, kind=kind, path=name, url=ctx.url(name)))
    model.write(ctx.folder / names.MANIFEST, ctx.manifest)


STAGE = Stage("manifest", "manifest.json: the app, the builds and every artifact of the release (pkg/core/model.py)",
              run, writes=lambda ctx: [names.MANIFEST])
