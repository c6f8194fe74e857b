"""Merge the build manifests found in dist/ (one per CI runner, possibly in sub-folders) into one, every path
relative to dist/. Refuses another version, a target built twice, another app, a file that is missing or
differs from its manifest, and (require_all) a missing target."""

from pathlib import Path

from pkg.core import model, names
from pkg.core.errors import PkgError
from pkg.core.model import Build, Manifest
from pkg.core.targets import DEFAULT_TARGETS


def _rebase(build: Build, prefix: str) -> Build:
    """The same build with its paths below dist/ (its manifest sat in dist/<prefix>)."""
    if not prefix:
        return build

    def moved(path: str) -> str:
        return f"{prefix}/{path}"

    return build.model_copy(update={
        "folder": moved(build.folder),
        "commands": {c: moved(p) for c, p in build.commands.items()},
        "distributions": [d.model_copy(update={"license_files": [moved(f) for f in d.license_files]})
                          for d in build.distributions],
        "python": {v: [moved(f) for f in files] for v, files in build.python.items()}})


def collect(dist: Path, version: str, require_all: bool, above_floor_ok: bool = False) -> Manifest:
    if not dist.is_dir():
        raise PkgError(f"{dist}: no builds to release (run `make build`, or download the CI builds into dist/)")
    merged: Manifest | None = None
    seen: dict[str, Path] = {}
    for target in DEFAULT_TARGETS:
        for path in sorted(p for p in dist.rglob(names.build_manifest_glob(target)) if not p.name.startswith(".")):
            found = model.read(path, "build manifest")
            if found.moment != "build" or target not in found.builds:
                raise PkgError(f"{path.name}: not the build manifest of {target}")
            if found.version != version:
                raise PkgError(f"{path.name}: built as version {found.version}, not {version} "
                               f"(rebuild with `make build VERSION={version}`)")
            if target in seen:
                raise PkgError(f"{path.name}: a second build of {target} (also {seen[target].name})")
            if merged is not None and merged.app != found.app:
                raise PkgError(f"{path.name}: describes another app than {next(iter(seen.values())).name} "
                               "(name, summary, license or commands differ: build every target from one commit)")
            seen[target] = path
            prefix = path.parent.relative_to(dist).as_posix().removeprefix(".")
            merged = merged or Manifest(moment="build", app=found.app)
            merged.builds[target] = _rebase(found.builds[target], prefix)
            for artifact in found.artifacts:
                moved = artifact.model_copy(update={"path": f"{prefix}/{artifact.path}" if prefix else artifact.path})
                check_file(dist, moved, path.name)
                merged.artifacts.append(moved)
    if merged is None:
        raise PkgError(f"no build manifests in {dist} (run `make build`)")
    missing = missing_targets(merged)
    if missing and require_all:
        raise PkgError(f"REQUIRE_TARGETS=all but missing: {', '.join(missing)}")
    high = [t for t, b in merged.builds.items() if b.above_floor()]
    if high and require_all and not above_floor_ok:
        build = merged.builds[high[0]]
        raise PkgError(f"REQUIRE_TARGETS=all refuses {high[0]}: it needs glibc {build.glibc}, above the declared floor "
                       f"{build.glibc_floor} (tool.pkg.glibc), so it would not start on the systems the release "
                       f"promises; build Linux on the floor (release.yml's container) or declare glibc = "
                       f"\"{build.glibc}\" (ABOVE_FLOOR=1 accepts it as it is)")
    return merged


def above_floor_warnings(merged: Manifest) -> list[str]:
    """A line for the notes per Linux build that needs more than its declared glibc floor."""
    return [f"{t} needs glibc {b.glibc} or newer, above the declared floor {b.glibc_floor}: it does not start on "
            "older systems (it was not built on the floor)" for t, b in merged.builds.items() if b.above_floor()]


def check_file(dist: Path, artifact: model.Artifact, where: str) -> None:
    file = dist / artifact.path
    if not file.exists():
        raise PkgError(f"{where}: its artifact {artifact.path} is missing")
    if artifact.sha256 and (file.stat().st_size != artifact.size or model.sha256_file(file) != artifact.sha256):
        raise PkgError(f"{file.name}: size or sha256 differs from {where} (corrupt or rebuilt)")


def missing_targets(merged: Manifest) -> list[str]:
    return [t for t in DEFAULT_TARGETS if t not in merged.builds]
