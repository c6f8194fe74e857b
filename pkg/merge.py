"""Merge the per-target artifact records found in dist/ (one per CI runner) into one release plan."""

from pathlib import Path

from pkg import manifest
from pkg.app import App
from pkg.errors import PkgError
from pkg.targets import DEFAULT_TARGETS


def collect(dist: Path, version: str, require_all: bool) -> dict[str, dict]:
    """Records by target. Refuses another version, a duplicate target, records of different apps, or
    (require_all) a missing target."""
    if not dist.is_dir():
        raise PkgError(f"{dist}: no builds to release (run `make build`, or download the CI builds into dist/)")
    records: dict[str, dict] = {}
    for path in sorted(dist.rglob("*.json")):
        if path.name.startswith(".") or not any(path.name.endswith(f"-{t}.json") for t in DEFAULT_TARGETS):
            continue
        record = manifest.read(path)
        target = record["target"]
        if record["version"] != version:
            raise PkgError(f"{path.name}: built as version {record['version']}, not {version} "
                           f"(rebuild with `make build VERSION={version}`)")
        if target in records:
            raise PkgError(f"{path.name}: a second record for {target} (also {records[target]['_path'].name})")
        if target not in DEFAULT_TARGETS:
            raise PkgError(f"{path.name}: unknown target {target!r}")
        first = next(iter(records.values()), None)
        if first is not None and first["app"] != record["app"]:
            raise PkgError(f"{path.name}: describes another app than {first['_path'].name} "
                           "(name, summary, licence or commands differ: build every target from one commit)")
        record["_path"] = path
        for artifact in record["artifacts"]:
            file = path.parent / artifact["path"]
            if not file.is_file():
                raise PkgError(f"{path.name}: its artifact {artifact['path']} is missing")
            if file.stat().st_size != artifact["size"] or manifest.sha256_file(file) != artifact["sha256"]:
                raise PkgError(f"{file.name}: size or sha256 differs from {path.name} (corrupt or rebuilt)")
        records[target] = record
    if not records:
        raise PkgError(f"no build records in {dist} (run `make build`)")
    missing = missing_targets(records)
    if missing and require_all:
        raise PkgError(f"REQUIRE_TARGETS=all but missing: {', '.join(missing)}")
    return dict(sorted(records.items()))


def app_of(records: dict[str, dict]) -> App:
    return App.from_dict(next(iter(records.values()))["app"])


def missing_targets(records: dict) -> list[str]:
    return [t for t in DEFAULT_TARGETS if t not in records]
