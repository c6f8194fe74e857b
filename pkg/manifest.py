"""The artifact record: one JSON file per build target in dist/, read and extended by every later stage.

dist/<name>-<target>.json:
  {"schema": 2, "app": {name, dist, version, summary, homepage, licence, commands} (pkg/app.py),
   "version", "target", "backend", "layout", "folder", "binary", "commands": {command: path},
   "report", "tools": {"python": …, "nuitka": …}, "glibc": "2.36" (Linux) | "macos_min",
   "distributions": [{name, version, licence, licence_files, app}], "python": {version: [licence files]},
   "startup": {…}, "artifacts": [{"name", "kind": "archive"|"msi"|…, "target", "path", "size", "sha256", …}]}
Paths are relative to dist/, so five runners' dist/ folders can be merged into one.
"""

import hashlib
import json
from pathlib import Path

from pkg import atomic
from pkg.errors import PkgError

SCHEMA = 2


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def describe(path: Path, dist: Path, kind: str, target: str, **extra) -> dict:
    """An artifact entry for a file inside dist/."""
    return {"name": path.name, "kind": kind, "target": target, "path": path.relative_to(dist).as_posix(),
            "size": path.stat().st_size, "sha256": sha256_file(path), **extra}


def record_path(dist: Path, name: str, target: str) -> Path:
    return dist / f"{name}-{target}.json"


def write(dist: Path, record: dict) -> Path:
    path = record_path(dist, record["app"]["name"], record["target"])
    atomic.write_text(path, json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def load_json(path: Path, what: str, make_target: str) -> dict:
    """Read a JSON file the pipeline wrote; a missing or broken one is a one-line error."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PkgError(f"{path}: no {what} (run `make {make_target}`)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PkgError(f"{path}: not a valid {what} ({exc})") from None


def read(path: Path) -> dict:
    record = load_json(path, "artifact record", "build")
    missing = [k for k in ("schema", "app", "version", "target", "artifacts") if k not in record]
    if missing or record.get("schema") != SCHEMA:
        raise PkgError(f"{path}: not a valid artifact record (missing {', '.join(missing) or f'schema {SCHEMA}'}; "
                       "rebuild with `make build`)")
    return record


def find(dist: Path, target: str) -> dict:
    """The one artifact record for `target` in dist/ (whatever the app is called)."""
    found = [p for p in sorted(dist.glob(f"*-{target}.json")) if not p.name.startswith(".")]
    if not found:
        raise PkgError(f"{dist}: no artifact record for {target} (run `make build`)")
    if len(found) > 1:
        raise PkgError(f"{dist}: {len(found)} artifact records for {target} ({', '.join(p.name for p in found)}): "
                       "remove the stale ones (`make clean`)")
    return read(found[0])


def add_artifact(dist: Path, target: str, entry: dict) -> dict:
    """Add or replace (by name) one artifact in a target's record."""
    record = find(dist, target)
    record["artifacts"] = [a for a in record["artifacts"] if a["name"] != entry["name"]] + [entry]
    write(dist, record)
    return record
