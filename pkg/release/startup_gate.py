"""Stage `startup`: start-up must not creep up between releases. build-test counted each command's start (its
version, else its help screen) in instructions — callgrind, so a busy machine changes nothing — into each
build's smoke record; the release records them (manifest.json, release.startup_instructions) and compares
with the previous release's: release/<the highest older version>/manifest.json, or the file STARTUP_BASELINE
names (a manifest.json downloaded from the last published release). A command above +10 % is a warning, in the
notes too; above tool.pkg.startup.instructions-growth (a percentage) the release fails, naming it."""

import json
from pathlib import Path

from packaging.version import InvalidVersion, Version

from pkg.core import model, names
from pkg.core.errors import PkgError
from pkg.core.model import Kind
from pkg.core.stage import Stage
from pkg.release.context import ReleaseContext

WARN_ABOVE = 10.0  # percent


def counted(ctx: ReleaseContext) -> dict[str, dict[str, int]]:
    """By target, what build-test counted: the smoke record beside each build (its archive the one released)."""
    found = {}
    for artifact in ctx.inputs.select(Kind.ARCHIVE):
        name = names.build_test_record(ctx.app.name, artifact.target)
        for path in (ctx.dist / artifact.path).parent.glob(name):
            record = model.BuildTestRecord.read(path)
            if record.sha256 == artifact.sha256 and record.instructions:
                found[artifact.target] = record.instructions
    return found


def recorded(path: Path) -> tuple[str, dict[str, dict[str, int]]]:
    """(its version, its counts) from a release's manifest.json, whatever its schema (older ones: none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return str(data["app"]["version"]), dict((data.get("release") or {}).get("startup_instructions") or {})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PkgError(f"{path}: not a release manifest to compare start-up with ({exc})") from None


def previous(release_root: Path, current: str) -> Path | None:
    """The manifest.json of the highest release below `current` in release/, or None."""
    older = []
    for path in release_root.glob(f"*/{names.MANIFEST}"):
        if path.parent.name.startswith("."):  # a release being written (names.staging_prefix)
            continue
        try:
            version = Version(recorded(path)[0])
        except (PkgError, InvalidVersion):
            continue
        if version < Version(current):
            older.append((version, path))
    return max(older)[1] if older else None


def compared(now: dict[str, dict[str, int]], before: dict[str, dict[str, int]], label: str,
             budget: float | None) -> tuple[list[str], list[str]]:
    """(warnings above +10 %, failures above the budget) for each command counted in both."""
    warnings, failures = [], []
    for target, lines in sorted(now.items()):
        for line, count in sorted(lines.items()):
            was = before.get(target, {}).get(line)
            if not was:
                continue
            growth = (count / was - 1) * 100
            said = (f"`{line}` on {target} starts in {growth:+.1f} % instructions against {label} "
                    f"({count / 1e6:.1f} M, was {was / 1e6:.1f} M)")
            if budget is not None and growth > budget:
                failures.append(f"{said}, above tool.pkg.startup.instructions-growth = {budget:g}")
            elif growth > WARN_ABOVE:
                warnings.append(said)
    return warnings, failures


def run(ctx: ReleaseContext) -> None:
    ctx.instructions = counted(ctx)
    baseline = ctx.startup_baseline or previous(ctx.folder.parent, str(ctx.version))
    if not ctx.instructions or baseline is None:
        print("start-up: " + ("nothing counted (no valgrind where build-test ran)" if not ctx.instructions
                              else "no earlier release to compare with"))
        return
    version, before = recorded(baseline)
    warnings, failures = compared(ctx.instructions, before, f"{version} ({baseline})", ctx.cfg.instructions_growth)
    if failures:
        raise PkgError(f"start-up grew: {failures[0]}" + (f" (and {len(failures) - 1} more)" if failures[1:] else ""))
    for warning in warnings:
        print(f"warning: {warning}")
    ctx.warnings += warnings
    shown = sum(len(v) for v in ctx.instructions.values())
    print(f"start-up: {shown} command start(s) compared with {version}" + ("" if warnings else ", none above +10 %"))


STAGE = Stage("startup", "each command's start-up instructions (build-test's count) recorded, compared with the "
                         "previous release's: +10 % warns, tool.pkg.startup.instructions-growth fails", run)
