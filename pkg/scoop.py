"""Scoop manifest (<name>.json in the release folder) for the Windows zip, written with json.

`checkver` follows GitHub releases when the URL template is GitHub's; `autoupdate` rebuilds the URL from
the same template with Scoop's $version and reads the new hash from the release's SHA256SUMS.
"""

import json
import re
from pathlib import Path

from pkg import atomic, installers, licence
from pkg.app import App
from pkg.config import Config
from pkg.errors import PkgError

ARCHITECTURES = {"x86_64": "64bit", "arm64": "arm64"}
REQUIRED = ("version", "description", "homepage", "license", "architecture", "bin", "checkver", "autoupdate")


def _github_repo(url_template: str) -> str | None:
    match = re.match(r"https://github\.com/([^/]+/[^/]+)/releases/download/", url_template)
    return f"https://github.com/{match.group(1)}" if match else None


def check_app(cfg: Config, app: App) -> None:
    licence.scoop(app.licence)


def build(cfg: Config, app: App, release: dict, zips: list[dict]) -> dict:
    arch, update = {}, {}
    for art in zips:
        machine = art["target"].split("-", 1)[1]
        if machine not in ARCHITECTURES:
            raise PkgError(f"{art['name']}: no Scoop architecture for {machine!r}")
        top = art["name"].removesuffix(".zip")  # the archive's single top folder
        arch[ARCHITECTURES[machine]] = {"url": art["url"], "hash": art["sha256"], "extract_dir": top}
        update[ARCHITECTURES[machine]] = {"url": cfg.download_url("$version", art["name"]), "extract_dir": top}
    repo = _github_repo(cfg.url_template)
    checkver = {"github": repo} if repo else {"url": app.homepage, "regex": r"v?(\d+\.\d+\.\d+)"}
    sums = cfg.download_url("$version", installers.SUMS)
    return {
        "version": str(release["version"]),
        "description": app.summary,
        "homepage": app.homepage,
        "license": licence.scoop(app.licence),
        "architecture": arch,
        "bin": [f"{command}.exe" for command in app.command_names],
        "checkver": checkver,
        "autoupdate": {"architecture": update,
                       "hash": {"url": sums, "regex": r"$sha256\s+\*?$basename"}},
    }


def check(manifest: dict) -> list[str]:
    """The project's rules for a Scoop manifest; [] when fine."""
    problems = [f"{key} is missing" for key in REQUIRED if not manifest.get(key)]
    if not isinstance(manifest.get("version"), str):
        problems.append("version must be a string")
    for name, entry in (manifest.get("architecture") or {}).items():
        if name not in ("64bit", "32bit", "arm64"):
            problems.append(f"architecture.{name} is not a Scoop architecture")
        if not str(entry.get("url", "")).startswith("https://"):
            problems.append(f"architecture.{name}.url must be https")
        if not re.fullmatch(r"[0-9a-f]{64}", str(entry.get("hash", ""))):
            problems.append(f"architecture.{name}.hash must be a lower-case sha256")
        auto = (manifest.get("autoupdate") or {}).get("architecture", {}).get(name, {})
        if "$version" not in str(auto.get("url", "")):
            problems.append(f"autoupdate.architecture.{name}.url must use $version")
    return problems


def write(cfg: Config, app: App, release: dict, release_dir: Path, repo_root: Path | None = None,
          allow_prerelease: bool = False) -> list[Path]:
    """<app>.json in the release and, with repo_root, in repo_root/scoop/ (what the bucket job publishes)."""
    installers.check_release(release)
    if installers.skip_prerelease(release, allow_prerelease, "Scoop manifest"):
        return []
    zips = [a for a in installers.artifacts(release, "archive", "windows") if a["name"].endswith(".zip")]
    if not zips:
        print("no Windows zip in this release: Scoop manifest not written")
        return []
    manifest = build(cfg, app, release, zips)
    problems = check(manifest)
    if problems:
        raise PkgError(f"Scoop manifest not written: {problems[0]}")
    text = json.dumps(manifest, indent=4, ensure_ascii=False) + "\n"
    return atomic.write_copies(
        [release_dir / f"{app.name}.json"] + ([repo_root / "scoop" / f"{app.name}.json"] if repo_root else []), text)


def add_parser(stages) -> None:
    installers.add_stage(stages, "scoop", "write the Scoop manifest <name>.json for the Windows zip",
                         installers.writer_stage(write))
