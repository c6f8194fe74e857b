"""Stage `notes`: CHANGELOG.md, from the app's own history, never the pipeline's:
  - the app's own changelog (CHANGELOG/CHANGES/HISTORY/NEWS .md/.rst in its project folder) when it has a
    section for this version: that section, as its maintainers wrote it;
  - else git-cliff renders the commits since the previous `v*` tag that touch the app's project folder
    (in a packaging repository: app/, not the pipeline's files beside it, and at a first release only since
    the app's project, by its name, entered the folder: not the example's history), grouped by conventional-commit
    type as pkg/release/cliff.toml says (plain subjects under "Other changes").
This module adds the title, the range, how to install the Linux packages, where the source of each bundled
GPL library is, and the release's warnings (missing targets and licenses, the vulnerability scan)."""

import re
from pathlib import Path

from packaging.utils import canonicalize_name

from pkg.core import names, proc
from pkg.core.model import Artifact, Kind, Library
from pkg.core.stage import Stage
from pkg.core.version import TAG_PREFIX, tag_glob
from pkg.release import merge
from pkg.release.context import ReleaseContext

CONFIG = Path(__file__).with_name("cliff.toml")


def previous_tag(root: Path, tag: str, prefix: str = TAG_PREFIX) -> str | None:
    """The newest other release tag (of the `prefix` convention) that is an ancestor of HEAD."""
    listed = proc.git(root, "tag", "--list", tag_glob(prefix), "--sort=-v:refname", expect=(0, proc.NOT_A_REPOSITORY))
    tags = [t for t in listed.stdout.split() if t != tag]
    # 1: not an ancestor; 128: no HEAD yet to be one of (an unborn branch)
    return next((t for t in tags if proc.git(root, "merge-base", "--is-ancestor", t, "HEAD",
                                             expect=(0, 1, proc.NOT_A_REPOSITORY)).returncode == 0), None)


def git_cliff() -> str:
    return proc.pinned_tool("git-cliff")


CHANGELOGS = ("CHANGELOG", "CHANGES", "HISTORY", "NEWS")
RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+])\1{2,}\s*$")


def own_changelog(project: Path, version: str) -> tuple[str, str] | None:
    """(file name, the section for `version`) from the project's own changelog, or None. A section is the
    heading that holds the version as a whole token, with or without a v (markdown `## 1.2.0 (date)`,
    `## 20261018 v1.2.0`, or reStructuredText's underlined title) down to the next heading of the same or a
    higher level."""
    files = sorted(p for p in project.iterdir() if p.is_file() and p.stem.upper() in CHANGELOGS
                   and p.suffix.lower() in (".md", ".rst", ".txt", "")) if project.is_dir() else []
    word = re.compile(rf"(?<![\w.])[vV]?{re.escape(version)}(?![\w]|\.\d)")  # a whole token: 1.2.0, v1.2.0
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


def project_name(root: Path, commit: str, folder: str) -> str | None:
    """The project name `folder` held at `commit` (pyproject.toml, setup.cfg or setup.py), or None."""
    import configparser
    import tomllib

    def shown(name: str) -> str | None:
        done = proc.git(root, "show", f"{commit}:{folder}/{name}", expect=(0, proc.NOT_A_REPOSITORY))  # no such file
        return done.stdout if done.returncode == 0 else None

    text = shown("pyproject.toml")
    try:
        table = tomllib.loads(text) if text else {}
    except tomllib.TOMLDecodeError:
        table = {}
    found = table.get("project", {}).get("name") or table.get("tool", {}).get("poetry", {}).get("name")
    if not found and (text := shown("setup.cfg")):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read_string(text)
            found = parser.get("metadata", "name", fallback=None)
        except configparser.Error:
            pass
    if not found and (text := shown("setup.py")):
        match = re.search(r"""\bname\s*=\s*['"]([A-Za-z0-9._-]+)['"]""", text)
        found = match.group(1) if match else None
    return canonicalize_name(found) if isinstance(found, str) and found else None


def entered(root: Path, folder: str, dist: str) -> str | None:
    """The last commit before the app's project (`dist`) entered `folder` — in a packaging repository, the
    example's or an earlier app's history ends there — or None when the folder never held another."""
    listed = proc.git(root, "log", "--format=%H", "--", folder, expect=(0, proc.NOT_A_REPOSITORY))
    for commit in listed.stdout.split() if listed.returncode == 0 else ():
        name = project_name(root, commit, folder)
        if name is not None and name != canonicalize_name(dist):
            return commit
    return None


def changes(root: Path, tag: str, since: str | None, folder: str | None = None, prefix: str = TAG_PREFIX) -> str:
    """The grouped changes as markdown ("" when there are none, or no git history at all); `folder`: only
    commits that touch it (the app's project folder, relative to the repository)."""
    if proc.git(root, "rev-parse", "-q", "--verify", "HEAD", expect=(0, 1, proc.NOT_A_REPOSITORY)).returncode != 0:
        return ""
    commits = [f"{since}..HEAD"] if since else []  # no earlier tag: the whole history
    only = ["--include-path", f"{folder}/**"] if folder else []
    done = proc.tool([git_cliff(), "--config", CONFIG, "--repository", root, "--tag", tag,
                      "--tag-pattern", f"{re.escape(prefix)}[0-9].*", "--strip", "all", *only, *commits],
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
           project: Path | None = None, gpl: list[str] = (), dist: str | None = None, prefix: str = TAG_PREFIX
           ) -> str:
    """`project`: the app's project folder (default: the repository itself, the drop-in layout); `dist`: its
    distribution name (default `name`), whose history in the folder is the first release's changes."""
    project = (project or root).resolve()
    inside = project != root.resolve() and project.is_relative_to(root.resolve())
    folder = project.relative_to(root.resolve()).as_posix() if inside else None
    since = previous_tag(root, tag, prefix)
    own = own_changelog(project, version)
    if own:
        lines = [f"# {name} {version}", "", f"From the project's {own[0]}:", "", own[1]]
    else:
        where = f" to {folder}/" if folder else ""
        start = entered(root, folder, dist or name) if folder and not since else None
        lines = [f"# {name} {version}", "", f"Changes{where} since {since}." if since else
                 f"First release; the changes{where} in this repository's history"
                 + (f" since {dist or name} entered it:" if start else ":") if folder else "First release."]
        body = changes(root, tag, since or start, folder, prefix)
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
                  ctx.manifest.select(Kind.PACKAGE), ctx.cfg.project_dir, gpl_sources(ctx.shipped.libraries),
                  ctx.app.dist, ctx.version.prefix)
    ctx.write(names.NOTES, text, Kind.NOTES)


STAGE = Stage("notes", "CHANGELOG.md: the commits since the previous tag (git-cliff), and the warnings", run,
              writes=lambda ctx: [names.NOTES])
