"""Merge the per-target artifact records found in dist/ (one per CI runner) into one release plan."""

from pathlib import Path

from pkg import manifest
from pkg.errors import PkgError
from pkg.targets import DEFAULT_TARGETS


def collect(dist: Path, app: str, version: str, require_all: bool) -> dict[str, dict]:
    """Records by target. Refuses another version, a duplicate target, or (require_all) a missing one."""
    if not dist.is_dir():
        raise PkgError(f"{dist}: no builds to release (run `make build`, or download the CI builds into dist/)")
    records: dict[str, dict] = {}
    for path in sorted(dist.rglob(f"{app}-*.json")):
        record = manifest.read(path)
        target = record["target"]
        if record["app"] != app:
            continue
        if record["version"] != version:
            raise PkgError(f"{path.name}: built as version {record['version']}, not {version} "
                           f"(rebuild with `make build VERSION={version}`)")
        if target in records:
            raise PkgError(f"{path.name}: a second record for {target} (also {records[target]['_path'].name})")
        if target not in DEFAULT_TARGETS:
            raise PkgError(f"{path.name}: unknown target {target!r}")
        record["_path"] = path
        for artifact in record["artifacts"]:
            file = path.parent / artifact["path"]
            if not file.is_file():
                raise PkgError(f"{path.name}: its artifact {artifact['path']} is missing")
            if file.stat().st_size != artifact["size"] or manifest.sha256_file(file) != artifact["sha256"]:
                raise PkgError(f"{file.name}: size or sha256 differs from {path.name} (corrupt or rebuilt)")
        records[target] = record
    if not records:
        raise PkgError(f"no build records for {app} in {dist} (run `make build`)")
    missing = missing_targets(records)
    if missing and require_all:
        raise PkgError(f"REQUIRE_TARGETS=all but missing: {', '.join(missing)}")
    return dict(sorted(records.items()))


def missing_targets(records: dict) -> list[str]:
    return [t for t in DEFAULT_TARGETS if t not in records]
