"""`make release VERSION=…`: assemble release/v<version>/ from the builds in dist/.

Order: validate VERSION (before anything is written) → merge the per-target records → stage
release/.v<version>.*.tmp with archives, installers, checksums, SBOM, LICENSES, notes, manifest →
one rename into release/v<version>/. Killing it at any moment leaves no partial release/v<version>/.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

from pkg import (
    archive,
    atomic,
    audit,
    checksums,
    licenses,
    manifest,
    merge,
    notes,
    project,
    sbom,
    shipped,
    smoke,
    targets,
    version,
)
from pkg.app import App
from pkg.config import Config
from pkg.errors import InputError, PkgError

BUILD_KEYS = ("backend", "layout", "tools", "glibc", "macos_min", "startup")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def current_version(cfg: Config) -> str | None:
    """The project's version now (None for scm versions: the tag decides those)."""
    if project.version_source(cfg.project_dir) == "scm":
        return None
    return project.read(cfg.project_dir).version


def check_can_tag(root: Path, tag: str, current: str | None, wanted: str) -> None:
    if _git(root, "status", "--porcelain", "--untracked-files=no").stdout.strip():
        raise InputError("TAG=1 refuses a dirty tree: commit or stash your changes first")
    if current is not None and current != wanted:
        raise InputError(f"TAG=1 needs the project at {wanted} (it is {current}): commit the bump first")
    if _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}").returncode == 0:
        raise InputError(f"tag {tag} exists already")


def prepare(cfg: Config, version_text: str, release_root: Path | None, force: bool, tag: bool) -> version.Version:
    """Validate VERSION and (for a release) refuse early; then bring the project to VERSION the way its
    version source allows (pkg/project.py: stamp a static version, hand it to scm, or refuse)."""
    v = version.parse(version_text)
    if release_root is not None and (release_root / v.tag).exists() and not force:
        final = release_root / v.tag
        raise InputError(f"{final} exists already (FORCE=1 replaces it)")
    current = current_version(cfg)
    if tag:
        check_can_tag(cfg.root, v.tag, current, str(v))
    if current is not None:
        project.stamp(cfg.project_dir, current, str(v))
    return v


def verify_local_binary(cfg: Config, records: dict, dist: Path, expected: str) -> None:
    """The build for this machine must carry VERSION in its --version (when it has one), or the release fails."""
    record = records.get(targets.host().name)
    if record is None or not cfg.command_options(App.from_dict(record["app"]).main.name).version:
        return
    binary = dist / record["binary"]
    if not binary.exists():
        raise PkgError(f"{binary}: missing (run `make build VERSION={expected}`)")
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
    if not smoke.carries_version(out.stdout + "\n" + out.stderr, expected):
        raise PkgError(f"{binary.name} --version printed {out.stdout.strip()[:200]!r}, without {expected}")


def _place(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)  # same filesystem: no copy of large archives
    except OSError:
        shutil.copyfile(src, dest)


def assemble(cfg: Config, app: App, v: version.Version, records: dict, stage: Path, epoch: int) -> dict:
    """Write everything into the staging folder; return the release manifest."""
    artifacts = []
    for record in records.values():
        for item in record["artifacts"]:
            src = record["_path"].parent / item["path"]
            _place(src, stage / item["name"])
            artifacts.append({**item, "path": item["name"], "url": cfg.download_url(str(v), item["name"])})
    artifacts += _windows_installer(cfg, app, v, records, stage)
    checksums.write_each([stage / a["path"] for a in artifacts])

    what = shipped.from_records(records, app.dist)
    sbom_path = sbom.write(stage / f"{app.name}-{v}.cdx.json", app, str(v), what, artifacts, epoch)
    missing = licenses.write(stage / "LICENSES", records, what)
    warnings = [f"no licence file found for {label}" for label in missing]
    missing_targets = merge.missing_targets(records)
    if missing_targets:
        warnings.append(f"not built for: {', '.join(missing_targets)}")
    scan = audit.scan({name: entry["version"] for name, entry in what.distributions.items()})
    warnings += scan.markdown()[:1] if scan.status != "vulnerable" else scan.markdown()
    atomic.write_text(stage / "CHANGELOG.md", notes.render(cfg.root, app.name, str(v), v.tag, warnings))

    release = {
        "schema": 2, "app": app.to_dict(), "version": str(v), "tag": v.tag, "prerelease": v.prerelease,
        "msi_version": v.msi, "targets": list(records), "missing_targets": missing_targets,
        "artifacts": artifacts, "sbom": sbom_path.name,
        "builds": {t: {k: r[k] for k in BUILD_KEYS if k in r} for t, r in records.items()},
        "signed": any(a.get("signed") for a in artifacts),
    }
    return release


def _windows_installer(cfg: Config, app: App, v: version.Version, records: dict, stage: Path) -> list[dict]:
    """An MSI for the Windows build: the runner's own when it made one, else built here with msitools."""
    record = records.get("windows-x86_64")
    if record is None or any(a["kind"] == "msi" for a in record["artifacts"]):
        return []
    from pkg import msi

    dist = record["_path"].parent
    folder = dist / record["folder"]
    name = f"{app.name}-windows-x86_64.msi"
    with atomic.staged_dir(stage / ".msi-work") as work:
        if not folder.is_dir():
            zip_entry = next(a for a in record["artifacts"] if a["kind"] == "archive")
            folder = archive.extract(dist / zip_entry["path"], work)
        extra = msi.build_msi(cfg, app, folder, v, stage / name)
    shutil.rmtree(stage / ".msi-work", ignore_errors=True)
    entry = manifest.describe(stage / name, stage, "msi", "windows-x86_64", **extra)
    return [{**entry, "url": cfg.download_url(str(v), name)}]


def release(cfg: Config, version_text: str, dist: Path, release_root: Path, require_all: bool = False,
            force: bool = False, tag: bool = False, repo_out: Path | None = None) -> Path:
    """repo_out: where homebrew/ and winget/ are written (default: the repository; tests pass a temp dir)."""
    started = time.perf_counter()
    v = version.parse(version_text)
    final = release_root / v.tag
    if final.exists() and not force:
        raise InputError(f"{final} exists already (FORCE=1 replaces it)")
    if tag:
        check_can_tag(cfg.root, v.tag, current_version(cfg), str(v))
    records = merge.collect(dist, str(v), require_all)
    app = merge.app_of(records)
    verify_local_binary(cfg, records, dist, str(v))
    epoch = archive.source_date_epoch(cfg.root)
    for stale in release_root.glob(f".{v.tag}.*"):  # left by a killed run
        shutil.rmtree(stale, ignore_errors=True)
    with atomic.staged_dir(final, replace=force) as stage:
        release_manifest = assemble(cfg, app, v, records, stage, epoch)
        release_manifest["packages"] = _package_files(cfg, app, release_manifest, stage, repo_out or cfg.root)
        atomic.write_text(stage / "manifest.json", _json(release_manifest))
        checksums.write_sums(stage)
    if tag:
        proc = _git(cfg.root, "tag", "-a", v.tag, "-m", f"{app.name} {v}")
        if proc.returncode != 0:
            raise PkgError(f"git tag {v.tag} failed: {proc.stderr.strip()}")
    missing = merge.missing_targets(records)
    print(f"release {final} ({len(records)} of {len(targets.DEFAULT_TARGETS)} targets"
          + (f"; missing: {', '.join(missing)}" if missing else "") + f") in {time.perf_counter() - started:.1f} s")
    return final


def _package_files(cfg: Config, app: App, release_manifest: dict, stage: Path, repo_out: Path) -> list[str]:
    """Homebrew formula, winget and Scoop manifests (stable releases only) and the install scripts.
    Copies land in the release; the formula and winget manifests also in the repo's tap layout."""
    from pkg import homebrew, installers, scoop, winget

    written = [*homebrew.write(cfg, app, release_manifest, stage, repo_out),
               *winget.write(cfg, app, release_manifest, stage, repo_out),
               *scoop.write(cfg, app, release_manifest, stage, repo_out),
               *installers.write(cfg, app, release_manifest, stage)]
    return sorted(p.relative_to(stage).as_posix() for p in written if p.is_relative_to(stage))


def _json(data: dict) -> str:
    import json

    return json.dumps(data, indent=2, sort_keys=True) + "\n"
