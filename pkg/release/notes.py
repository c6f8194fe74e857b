"""Stage `notes`: CHANGELOG.md, from the app's own history, never the pipeline's:
  - the app's own changelog (CHANGELOG/CHANGES/HISTORY/NEWS .md/.rst in its project folder) when it has a
    section for this version: that section, as its maintainers wrote it;
  - else git-cliff renders the commits since the previous `v*` tag that touch the app's project folder
    (in a packaging repository: app/, not the pipeline's files beside it), grouped by conventional-commit
    type as pkg/release/cliff.toml says (plain subjects under "Other changes").
This module adds the title, the range, how to install the Linux packages, where the source of each bundled
GPL library is, and the release's warnings (missing targets and licenses, the vulnerability scan)."""

import re
from pathlib import Path

from pkg.core import names, proc
from pkg.core.model import Artifact, Kind, Library
from pkg.core.stage import ReleaseContext, Stage
from pkg.core.version import TAG_PREFIX
from pkg.release import merge

CONFIG = Path(__file__).with_name("cliff.toml")


def previous_tag(root: Path, tag: str) -> str | None:
    """The newest other release tag that is an ancestor of HEAD."""
    listed = proc.git(root, "tag", "--list", f"{TAG_PREFIX}*", "--sort=-v:refname").stdout.split()
    tags = [t for t in listed if t != tag]
    return next((t for t in tags if proc.git(root, "merge-base", "--is-ancestor", t, "HEAD").returncode == 0), None)


def git_cliff() -> str:
    return proc.pinned_tool("git-cliff")


CHANGELOGS = ("CHANGELOG", "CHANGES", "HISTORY", "NEWS")
RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")


def own_changelog(project: Path, version: str) -> tuple[str, str] | None:
    """(file name, the section for `version`) from the project's own changelog, or None. A section is the
    heading that names the version as a whole word (markdown `## 1.2.0 (date)`, or reStructuredText's
    underlined title) down to the next heading of the same or a higher level."""
    files = sorted(p for p in project.iterdir() if p.is_file() and p.stem.upper() in CHANGELOGS
                   and p.suffix.lower() in (".md", ".rst", ".txt", "")) if project.is_dir() else []
    word = re.compile(rf"(?<![\w.]){re.escape(version)}(?![\w]|\.\d)")
    for path in files:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for i, line in enumerate(lines):
            level = heading_level(lines, i)
            if level is None or not word.search(line):
                continue
            end = next((j for j in range(i + 1, len(lines)) if (lv := heading_level(lines, j)) is not None
                        and lv <= level), len(lines))
            body = "\n".join(ln for ln in lines[i + 1:end] if not RST_UNDERLINE.match(ln)).strip()
            if body:
                return path.name, body
    return None


def heading_level(lines: list[str], i: int) -> int | None:
    """Markdown: the number of #; reStructuredText: 1 for a title underlined with = , 2 for any other."""
    if match := re.match(r"^(#{1,6})\s+\S", lines[i]):
        return len(match.group(1))
    if lines[i].strip() and i + 1 < len(lines) and RST_UNDERLINE.match(lines[i + 1]) \
            and len(lines[i + 1].strip()) >= len(lines[i].strip()):
        return 1 if lines[i + 1].startswith("=") else 2
    return None


def changes(root: Path, tag: str, since: str | None, folder: str | None = None) -> str:
    """The grouped changes as markdown ("" when there are none, or no git history at all); `folder`: only
    commits that touch it (the app's project folder, relative to the repository)."""
    if proc.git(root, "rev-parse", "-q", "--verify", "HEAD").returncode != 0:
        return ""
    commits = [f"{since}..HEAD"] if since else []  # no earlier tag: the whole history
    only = ["--include-path", f"{folder}/**"] if folder else []
    done = proc.tool([git_cliff(), "--config", CONFIG, "--repository", root, "--tag", tag,
                      "--tag-pattern", f"{re.escape(TAG_PREFIX)}[0-9].*", "--strip", "all", *only, *commits],
                     "git-cliff")
    return done.stdout.strip()


INSTALL = {"deb": "sudo apt install ./{}", "rpm": "sudo dnf install ./{}"}  # a package file, by its suffix


def gpl_sources(libraries: dict[str, dict[str, Library | None]]) -> list[str]:
    """For each GPL library a build bundles: which builds, and the distribution's source it was built from (the
    GPL asks a binary's distributor to say where the corresponding source is)."""
    lines = []
    for name, by_target in sorted(libraries.items()):
        for target, lib in sorted(by_target.items()):
            if lib and lib.license and re.search(r"\bA?GPL", lib.license) and not re.search(r"\bLGPL", lib.license):
                source = lib.source or f"{lib.package} {lib.version}"
                lines.append(f"- {target}: `lib/{name}` ({lib.license}, {lib.package} {lib.version}, brought in by "
                             f"the module {lib.needed_by or '?'}): its source is the {source}")
    return lines


def render(root: Path, name: str, version: str, tag: str, warnings: list[str], packages: list[Artifact] = (),
           project: Path | None = None, gpl: list[str] = ()) -> str:
    """`project`: the app's project folder (default: the repository itself, the drop-in layout)."""
    project = (project or root).resolve()
    inside = project != root.resolve() and project.is_relative_to(root.resolve())
    folder = project.relative_to(root.resolve()).as_posix() if inside else None
    since = previous_tag(root, tag)
    own = own_changelog(project, version)
    if own:
        lines = [f"# {name} {version}", "", f"From the project's {own[0]}:", "", own[1]]
    else:
        where = f" to {folder}/" if folder else ""
        lines = [f"# {name} {version}", "", f"Changes{where} since {since}." if since else
                 f"First release; the changes{where} in this repository's history:" if folder else "First release."]
        body = changes(root, tag, since, folder)
        if body:
            lines += ["", body]
    if packages:
        lines += ["", "## Linux packages", ""] + [
            f"- {a.target}: `{INSTALL[a.name.rsplit('.', 1)[1]].format(a.name)}`" for a in packages]
    if gpl:
        lines += ["", "## GPL libraries and their source", "", "License texts are in LICENSES/."] + list(gpl)
    if warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in warnings]
    return "\n".join(lines) + "\n"


def run(ctx: ReleaseContext) -> None:
    missing = merge.missing_targets(ctx.inputs)
    warnings = ([f"not built for: {', '.join(missing)}"] if missing else []) + ctx.warnings
    text = render(ctx.cfg.root, ctx.app.name, str(ctx.version), ctx.version.tag, warnings,
                  ctx.manifest.select(Kind.PACKAGE), ctx.cfg.project_dir, gpl_sources(ctx.shipped.libraries))
    ctx.write(names.NOTES, text, Kind.NOTES)


STAGE = Stage("notes", "CHANGELOG.md: the commits since the previous tag (git-cliff), and the warnings", run,
              writes=lambda ctx: [names.NOTES])
