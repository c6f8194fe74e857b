"""Stage `reuse`: a build is made once. Its inputs — the wheel's contents (its RECORD: every file's hash),
the distributions installed beside it, the resolved app identity, the build-relevant [tool.pkg] settings,
the pipeline's own files (its flags and locked tools), the Python, the target, the backend and the archive
timestamp — hash to a key recorded in the build manifest. When dist/ already holds a build with the same
key, whose folder is there and whose archive still has its recorded hash, the stages after this one are
skipped, saying so in one line: `make release` right after `make build-test` compiles nothing again.
Anything different rebuilds (`make clean` forces it)."""

import dataclasses
import hashlib
import json
import os
import platform
import sys
import zipfile
from pathlib import Path

from pkg.compile.context import BuildContext
from pkg.core import archive, model
from pkg.core.errors import PkgError
from pkg.core.model import Kind
from pkg.core.stage import Stage
from pkg.project.metadata import dist_info

PIPELINE = Path(__file__).resolve().parent.parent  # pkg/: every flag, template and the tools' lock
SMOKE_ONLY = ("root", "project_dir", "command", "checks", "budgets_ms", "help_args", "relations")  # not build inputs
SIGNING = ("SIGN_", "MACOS_", "APPLE_")  # which secrets are set decides whether the build is signed


def pipeline_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in PIPELINE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(PIPELINE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def wheel_record(wheel: Path) -> str:
    """The wheel's RECORD: its files and their hashes, not the zip's timestamps (which change every build)."""
    with zipfile.ZipFile(wheel) as zf:
        return "\n".join(sorted(str(f) + " " + str(f.hash.value if f.hash else "") for f in dist_info(zf).files or []))


def inputs(ctx: BuildContext) -> dict:
    cfg = {k: v for k, v in dataclasses.asdict(ctx.cfg).items() if k not in SMOKE_ONLY}
    site = ctx.env.site_packages
    return {
        "wheel": wheel_record(ctx.env.wheel),
        "installed": sorted(p.name for p in site.glob("*.dist-info")),
        "app": ctx.app.model_dump(mode="json"),
        "config": json.loads(json.dumps(cfg, default=str)),
        "declared": [hashlib.sha256(c.file.read_bytes()).hexdigest() for c in ctx.cfg.completions if c.file],
        "pipeline": pipeline_digest(),
        "python": [sys.version, platform.machine()],
        "target": ctx.target.name, "backend": ctx.backend, "fallback": ctx.fallback,
        "epoch": archive.source_date_epoch(ctx.cfg.root),
        "signing": sorted(k for k in os.environ if k.startswith(SIGNING) and os.environ[k]),
    }


def key(ctx: BuildContext) -> str:
    return hashlib.sha256(json.dumps(inputs(ctx), sort_keys=True).encode()).hexdigest()


def identical(ctx: BuildContext, wanted: str) -> model.Manifest | None:
    """The build in dist/ when it was made from the same inputs and is still whole, else None."""
    try:
        _, manifest = model.find_build(ctx.dist, ctx.target.name)
    except PkgError:
        return None
    build = manifest.builds.get(ctx.target.name)
    if build is None or build.inputs != wanted or not (ctx.dist / build.folder).is_dir():
        return None
    if ctx.target.os == "windows" and not manifest.select(Kind.MSI):  # its msi stage failed: not whole
        return None
    for artifact in manifest.artifacts:
        path = ctx.dist / artifact.path
        if not path.exists() or (artifact.sha256 and model.sha256_file(path) != artifact.sha256):
            return None
    return manifest


def run(ctx: BuildContext) -> None:
    ctx.key = key(ctx)
    found = identical(ctx, ctx.key)
    if found is not None:
        ctx.manifest = found
        ctx.done = (f"reusing {ctx.dist / found.builds[ctx.target.name].folder}/: built from identical "
                        f"inputs (key {ctx.key[:12]}); `make clean` forces a rebuild")
        print(ctx.done)


STAGE = Stage("reuse", "an identical earlier build in dist/ (same inputs key) is kept, not compiled again", run)
