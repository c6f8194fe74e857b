"""Stage `scoop`: the Scoop manifest for the Windows zip (<name>.json in the release and in scoop/ for the
bucket), written with json.

`checkver` follows GitHub releases when the URL template is GitHub's; `autoupdate` rebuilds the URL from
the same template with Scoop's $version and reads the new hash from the release's SHA256SUMS.
"""

import json
import re

from pkg.core import names, targets
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import App, Artifact, Kind
from pkg.core.stage import Stage
from pkg.project import license_mapping
from pkg.release.context import ReleaseContext, stable_only

ARCHITECTURES = {"x86_64": "64bit", "arm64": "arm64"}
REQUIRED = ("version", "description", "homepage", "license", "architecture", "bin", "checkver", "autoupdate")


def check_app(cfg: Config, app: App) -> None:
    cfg.require_https("Scoop")
    license_mapping.scoop(app.license)


def build(cfg: Config, app: App, version: str, zips: list[Artifact]) -> dict:
    arch, update = {}, {}
    for art in zips:
        machine = targets.parse(art.target).arch
        if machine not in ARCHITECTURES:
            raise PkgError(f"{art.name}: no Scoop architecture for {machine!r}")
        top = names.stem(app.name, art.target)  # the archive's single top folder
        arch[ARCHITECTURES[machine]] = {"url": art.url, "hash": art.sha256, "extract_dir": top}
        update[ARCHITECTURES[machine]] = {"url": cfg.download_url("$version", art.name), "extract_dir": top}
    repo = cfg.github_repo
    checkver = {"github": f"https://github.com/{repo}"} if repo else {"url": app.homepage,
                                                                      "regex": r"v?(\d+\.\d+\.\d+)"}
    sums = cfg.download_url("$version", names.SUMS)
    return {
        "version": version,
        "description": app.summary,
        "homepage": app.homepage,
        "license": license_mapping.scoop(app.license),
        "architecture": arch,
        "bin": [names.program(command, "windows") for command in app.command_names],
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


def skip(ctx: ReleaseContext) -> str | None:
    zips = ctx.manifest.select(Kind.ARCHIVE, "windows")
    return stable_only(ctx) or (None if zips else "no Windows zip in this release")


def writes(ctx: ReleaseContext) -> list[str]:
    return [names.scoop_manifest(ctx.app.name)]


def run(ctx: ReleaseContext) -> None:
    manifest = build(ctx.cfg, ctx.app, str(ctx.version), ctx.manifest.select(Kind.ARCHIVE, "windows"))
    problems = check(manifest)
    if problems:
        raise PkgError(f"Scoop manifest not written: {problems[0]}")
    text = json.dumps(manifest, indent=4, ensure_ascii=False) + "\n"
    ctx.write(names.scoop_manifest(ctx.app.name), text, Kind.SCOOP, [names.scoop_in_bucket(ctx.app.name)])


STAGE = Stage("scoop", "the Scoop manifest for the Windows zip (and scoop/ for the bucket)", run, skip, writes,
              refuse=check_app)
