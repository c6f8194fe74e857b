"""Stages `checksums` and `sha256sums`: checksum files in coreutils format, `<hex>  <name>`, clean under
`sha256sum -c`: one beside each archive and installer, and SHA256SUMS over every file of the release (the
last stage: it lists the manifest too, which cannot list its own hash)."""

from pathlib import Path

from pkg.core import atomic, names
from pkg.core.model import Kind, sha256_file
from pkg.core.stage import Stage
from pkg.release.context import ReleaseContext


def line(path: Path, name: str) -> str:
    return f"{sha256_file(path)}  {name}\n"


def write_each(path: Path) -> Path:
    """A `<file>.sha256` beside the file."""
    out = path.with_name(names.checksum(path.name))
    atomic.write_text(out, line(path, path.name))
    return out


def write_sums(folder: Path) -> Path:
    """SHA256SUMS over every file below `folder` (paths relative to it), except the checksum files."""
    files = sorted(p for p in folder.rglob("*")
                   if p.is_file() and p.name != names.SUMS and not names.is_checksum(p.name))
    out = folder / names.SUMS
    atomic.write_text(out, "".join(line(p, p.relative_to(folder).as_posix()) for p in files))
    return out


def each(ctx: ReleaseContext) -> None:
    for artifact in ctx.manifest.downloads():
        ctx.add(write_each(ctx.folder / artifact.path), Kind.CHECKSUM, artifact.target)


def sums(ctx: ReleaseContext) -> None:
    write_sums(ctx.folder)  # listed in manifest.json already (stage manifest): the two cannot hash each other


EACH = Stage("checksums", "a .sha256 beside each archive and installer", each,
             writes=lambda ctx: [names.checksum(a.name) for a in ctx.manifest.downloads()])
SUMS = Stage("sha256sums", "SHA256SUMS over every file of the release (clean under `sha256sum -c`)", sums,
             writes=lambda ctx: [names.SUMS])
