"""Stage `notes`: CHANGELOG.md. git-cliff renders the commits since the previous `v*` tag, grouped by
conventional-commit type as pkg/release/cliff.toml says (plain subjects under "Other changes"); this module
adds the title, the range, how to install the Linux packages and the release's warnings (missing targets
and licences, the vulnerability scan)."""

import re
import subprocess
from pathlib import Path

from pkg.core import names, proc
from pkg.core.errors import PkgError
from pkg.core.model import Artifact, Kind
from pkg.core.stage import ReleaseContext, Stage
from pkg.core.version import TAG_PREFIX
from pkg.release import merge

CONFIG = Path(__file__).with_name("cliff.toml")


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)


def previous_tag(root: Path, tag: str) -> str | None:
    """The newest other release tag that is an ancestor of HEAD."""
    tags = [t for t in _git(root, "tag", "--list", f"{TAG_PREFIX}*", "--sort=-v:refname").stdout.split() if t != tag]
    return next((t for t in tags if _git(root, "merge-base", "--is-ancestor", t, "HEAD").returncode == 0), None)


def git_cliff() -> str:
    return proc.pinned_tool("git-cliff")


def changes(root: Path, tag: str, since: str | None) -> str:
    """The grouped changes as markdown ("" when there are none, or no git history at all)."""
    if _git(root, "rev-parse", "-q", "--verify", "HEAD").returncode != 0:
        return ""
    commits = [f"{since}..HEAD"] if since else []  # no earlier tag: the whole history
    proc = subprocess.run([git_cliff(), "--config", str(CONFIG), "--repository", str(root), "--tag", tag,
                           "--tag-pattern", f"{re.escape(TAG_PREFIX)}[0-9].*", "--strip", "all", *commits],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise PkgError(f"git-cliff failed: {' '.join(proc.stderr.split())[-300:]}")
    return proc.stdout.strip()


INSTALL = {"deb": "sudo apt install ./{}", "rpm": "sudo dnf install ./{}"}  # a package file, by its suffix


def render(root: Path, name: str, version: str, tag: str, warnings: list[str], packages: list[Artifact] = ()) -> str:
    since = previous_tag(root, tag)
    lines = [f"# {name} {version}", "", f"Changes since {since}." if since else "First release."]
    body = changes(root, tag, since)
    if body:
        lines += ["", body]
    if packages:
        lines += ["", "## Linux packages", ""] + [
            f"- {a.target}: `{INSTALL[a.name.rsplit('.', 1)[1]].format(a.name)}`" for a in packages]
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    return "\n".join(lines) + "\n"


def run(ctx: ReleaseContext) -> None:
    missing = merge.missing_targets(ctx.inputs)
    warnings = ([f"not built for: {', '.join(missing)}"] if missing else []) + ctx.warnings
    text = render(ctx.cfg.root, ctx.app.name, str(ctx.version), ctx.version.tag, warnings,
                  ctx.manifest.select(Kind.PACKAGE))
    ctx.write(names.NOTES, text, Kind.NOTES)


STAGE = Stage("notes", "CHANGELOG.md: the commits since the previous tag (git-cliff), and the warnings", run,
              writes=lambda ctx: [names.NOTES])
