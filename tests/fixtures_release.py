"""A release folder shaped like `make release` output, built from tiny fakes so tests stay fast.

The fake Linux/macOS program is a shell script printing `<app> <version>`, stored as lib/<app>.bin with a
relative `<app>` symlink beside lib/, like the real Nuitka layout. Archives come from pkg/archive.py.
"""

import json
import uuid
from pathlib import Path

from pkg import archive, manifest
from pkg.app import App
from pkg.config import Config
from pkg.targets import DEFAULT_TARGETS, Target

from .fixtures import example_app

EPOCH = 1_700_000_000


def fake_folder(root: Path, app: App, target: Target, version: str) -> Path:
    """Every command at the top: copies on Windows, symlinks to lib/<main>.bin elsewhere (a program that
    prints `<the name it was started under> <version>`, like the launcher's dispatch)."""
    folder = root / f"{app.name}-{target.name}"
    (folder / "lib").mkdir(parents=True)
    if target.os == "windows":
        for name in app.command_names:
            (folder / f"{name}.exe").write_bytes(b"MZ fake windows program\n")
    else:
        program = folder / "lib" / f"{app.main.name}.bin"
        program.write_text(f'#!/bin/sh\necho "$(basename "$0") {version}"\n')
        program.chmod(0o755)
        for name in app.command_names:
            (folder / name).symlink_to(f"lib/{program.name}")
    (folder / "lib" / "data.txt").write_text("payload\n")
    return folder


def write_sums(release_dir: Path) -> None:
    lines = [f"{manifest.sha256_file(p)}  {p.name}" for p in sorted(release_dir.iterdir())
             if p.is_file() and p.name not in ("SHA256SUMS", "manifest.json")]
    (release_dir / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def make_release(root: Path, cfg: Config, version: str = "0.2.0", prerelease: bool = False,
                 targets: tuple[str, ...] = DEFAULT_TARGETS, msi: bool = True,
                 app: App | None = None) -> tuple[Path, dict]:
    """Write release/v<version>/ (archives, optional MSI, SHA256SUMS, manifest.json) under `root`."""
    app = app or example_app(version)
    release_dir = root / "release" / f"v{version}"
    release_dir.mkdir(parents=True)
    work = root / "work"
    artifacts = []
    for name in targets:
        target = Target(*name.split("-", 1))
        folder = fake_folder(work, app, target, version)
        dest = archive.create(folder, release_dir / f"{folder.name}{target.archive_ext}", EPOCH)
        artifacts.append(manifest.describe(dest, release_dir, "archive", name,
                                           url=cfg.download_url(version, dest.name)))
        if target.os == "windows" and msi:
            path = release_dir / f"{folder.name}.msi"
            path.write_bytes(b"fake msi: winget only hashes it\n")
            artifacts.append(manifest.describe(
                path, release_dir, "msi", name, url=cfg.download_url(version, path.name),
                product_code="{" + str(uuid.uuid5(uuid.NAMESPACE_URL, version)).upper() + "}",
                upgrade_code="{" + cfg.upgrade_code + "}", product_version=version.split("rc")[0]))
    write_sums(release_dir)
    release = {"schema": 2, "app": app.to_dict(), "version": version, "tag": f"v{version}",
               "prerelease": prerelease, "targets": list(targets),
               "missing_targets": [t for t in DEFAULT_TARGETS if t not in targets],
               "artifacts": artifacts, "builds": {t: {"backend": "fake"} for t in targets}}
    (release_dir / "manifest.json").write_text(json.dumps(release, indent=2) + "\n")
    return release_dir, release
