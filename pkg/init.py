"""`python -m pkg init` (make init PROJECT=…): read an existing project and append a starter [tool.pkg] to
the end of the pipeline's pyproject.toml (everything before it kept byte for byte), then say what is left
to fill in. It infers the commands, a fresh MSI upgrade-code, the publisher and winget package-id from the
authors, the maintainer from their addresses, and the url-template from a GitHub repository URL; then it
runs every check on the app pip-installed (pkg/compile/probe.py) and writes the declarations its real
behaviour calls for ([tool.pkg.command.<name>] no-args-exit = 2…), a comment each saying what it saw.
What it cannot know it writes as a placeholder with TODO, which `make check` refuses by name."""

import io
import re
import tomllib
import uuid
from pathlib import Path
from xml.etree import ElementTree

import tomlkit
from packaging.utils import canonicalize_name

from pkg.core import atomic, proc
from pkg.core.config import PLACEHOLDER, github_repository
from pkg.core.errors import InputError, PkgError
from pkg.core.version import TAG_PREFIX, tag_glob
from pkg.project import metadata, wheel
from pkg.project.app import select_commands, urls_by_label

SKIPPED = {".git", ".tools", "build", "dist", "release", ".venv", "node_modules"}  # not the project's own sources
WORKFLOW = Path(".github/workflows/release.yml")  # fires on the release tags: their pattern must match
REPO_LABELS = ("source", "source code", "repository", "code", "github", "homepage", "home", "home-page")


def github_repo(urls: dict[str, str]) -> str | None:
    return next(filter(None, map(github_repository, urls_by_label(urls, REPO_LABELS))), None)


def camel(text: str) -> str:
    """An ASCII identifier part: "Łukasz Langa" → LukaszLanga (transliterated, not dropped: "Ukasz…")."""
    from anyascii import anyascii

    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", anyascii(text)) if part)


def existing_upgrade_code(folder: Path) -> tuple[str | None, str | None]:
    """The UpgradeCode of a WiX source the project already has (an MSI shipped before: a new code would
    install beside it instead of upgrading it), and that file; else (None, None)."""
    for wxs in sorted(folder.rglob("*.wxs")):
        if set(wxs.relative_to(folder).parts) & SKIPPED:
            continue
        try:
            root = ElementTree.parse(wxs).getroot()
        except (ElementTree.ParseError, OSError):
            continue
        for element in root.iter():
            code = element.get("UpgradeCode")
            if code:
                try:
                    return str(uuid.UUID(code.strip("{}"))).upper(), wxs.relative_to(folder).as_posix()
                except ValueError:
                    continue
    return None, None


def tag_convention(folder: Path) -> str:
    """The tag prefix the project's own version tags follow: "" when most have no v (1.2.0), else "v"."""
    listed = proc.git(folder, "tag", "--list", expect=(0, proc.NOT_A_REPOSITORY))
    tags = [t for t in listed.stdout.split() if re.fullmatch(r"[vV]?\d+(\.\d+)+\S*", t)] \
        if listed.returncode == 0 else []
    bare = sum(1 for t in tags if t[0].isdigit())
    return "" if tags and 2 * bare > len(tags) else TAG_PREFIX


def workflow_trigger(root: Path, prefix: str) -> Path | None:
    """The release workflow's tag trigger set to the project's convention (its comments kept), or None when
    there is no workflow or it already fires on those tags."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedSeq

    path = root / WORKFLOW
    if not path.is_file():
        return None
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    workflow = yaml.load(path.read_text(encoding="utf-8"))
    push = workflow.get("on", {}).get("push", {})
    if list(push.get("tags", [])) == [tag_glob(prefix)]:
        return None
    tags = CommentedSeq([tag_glob(prefix)])
    tags.fa.set_flow_style()
    push["tags"] = tags
    stream = io.StringIO()
    yaml.dump(workflow, stream)
    atomic.write_text(path, stream.getvalue())
    return path


def starter(meta: metadata.Metadata, project_key: str, folder: Path | None = None,
            prefix: str = TAG_PREFIX) -> tuple[dict, list[str]]:
    """The [tool.pkg] table and the list of what is left for the user (`prefix`: the project's tag convention)."""
    todo = []
    repo = github_repo(meta.urls)
    publisher = meta.authors[0] if meta.authors else (repo.split("/")[0] if repo else None)
    if publisher is None:
        publisher = f"{PLACEHOLDER} publisher"
        todo.append("publisher: who publishes the installers (shown by the MSI and winget)")
    else:
        todo.append(f"publisher: {publisher!r} was taken from the project's authors; check it")
    if repo:
        url_template = f"https://github.com/{repo}/releases/download/{prefix}{{version}}/{{file}}"
    else:
        url_template = f"https://example.invalid/{PLACEHOLDER}/{prefix}{{version}}/{{file}}"
        todo.append("url-template: where the release files will be downloaded from ({version}, {file})")
    upgrade_code, source = existing_upgrade_code(folder) if folder else (None, None)
    if upgrade_code:
        todo.append(f"upgrade-code: kept from {source}, so the first MSI upgrades what that one installed")
    table = {"project": project_key, "publisher": publisher,
             "package-id": f"{PLACEHOLDER if publisher.startswith(PLACEHOLDER) else camel(publisher) or 'Publisher'}"
                           f".{camel(meta.name)}",
             "upgrade-code": upgrade_code or str(uuid.uuid4()).upper(), "url-template": url_template}
    if prefix != TAG_PREFIX:
        table["tag-prefix"] = prefix
        todo.append(f"tag-prefix: {prefix!r}, as the project's own tags ({tag_glob(prefix)}): releases are tagged so")
    if meta.contacts:
        table["maintainer"] = meta.contacts[0]
        todo.append(f"maintainer: {meta.contacts[0]!r} (of the .deb and .rpm) was taken from the project's "
                    "maintainers and authors; check it")
    else:
        todo.append('maintainer: "Name <email>" to also ship a .deb and an .rpm for each Linux build')
    todo.append("checks: add [[tool.pkg.checks]] that prove your app works (args, files, expected output)")
    return table, todo


def appended(text: str, table: tomlkit.items.Table) -> str:
    """`text` (a pyproject.toml, maybe empty) with [tool.pkg] at its end; the result must parse."""
    document = tomlkit.document()
    tool = tomlkit.table(is_super_table=True)
    tool.add("pkg", table)
    document.add("tool", tool)
    joined = (text.rstrip() + "\n\n" if text.strip() else "") + tomlkit.dumps(document)
    try:
        tomllib.loads(joined)
    except tomllib.TOMLDecodeError as exc:  # `tool = {…}` inline, say: [tool.pkg] cannot follow it
        raise InputError(f"pyproject.toml: [tool.pkg] appended at its end would not parse ({exc}): add it by "
                         "hand where its [tool] table allows") from None
    return joined


def learnt(root: Path) -> str:
    """The declarations every check on the pip-installed app calls for, as TOML to append ("" when none, or
    when the app could not be run: `make build` runs the same checks and says what failed)."""
    from pkg.compile import appenv, probe
    from pkg.core import config, names, targets

    host = targets.host()
    try:
        cfg = config.load(root)
        app, env = appenv.reference(cfg, root / names.WORK / host.name)
        findings, ran = probe.learn(cfg, app, env, host.os, app.version)
    except PkgError as exc:
        print(f"note: the app was not run before compiling ({exc}); `make build` runs every check first")
        return ""
    declared = [f for f in findings if f.command and f.key]
    print(f"ran {ran} checks on the pip-installed app: " + (f"{len(declared)} declaration(s) written, each with "
          "what it saw" if declared else "its behaviour needs no declaration"))
    for finding in (f for f in findings if f not in declared):
        print(f"  - {finding.what}: {finding.saw}")
    return probe.suggested(declared) if declared else ""


def init(root: Path, folder: Path, learn: bool = True) -> Path:
    """`learn`: also run every check on the pip-installed app and write the declarations it calls for."""
    folder = (root / folder).resolve() if not folder.is_absolute() else folder
    metadata.check_folder(folder)
    path = root / "pyproject.toml"
    before = path.read_text(encoding="utf-8") if path.is_file() else ""
    if "pkg" in tomlkit.parse(before).get("tool", {}):
        raise InputError(f"{path} has a [tool.pkg] already: edit it, or `make check` to validate it")
    meta = metadata.read(folder)
    key = Path(folder).relative_to(root.resolve()).as_posix() if folder.is_relative_to(root.resolve()) else str(folder)
    prefix = tag_convention(folder)
    table, todo = starter(meta, key or ".", folder, prefix)
    pkg = tomlkit.table()
    pkg.add(tomlkit.comment("Written by `make init`: every key is documented in pkg/core/config.py."))
    try:
        commands = select_commands(meta, wheel.source_main_packages(folder), canonicalize_name(meta.name))
        pkg.add(tomlkit.comment("Commands shipped (all console scripts): "
                                + ", ".join(f"{c.name} = {c.entry}" for c in commands)))
    except InputError as exc:  # the rest of the table is still right: write it, and say what to add
        for line in (f"No command yet: {exc}.", "The pipeline ships console scripts (or a package with "
                     "__main__.py); once the project has some, `commands = [\"main\", …]` picks which ship."):
            pkg.add(tomlkit.comment(line))
        todo.insert(0, f"commands: {exc}")
    for key_name, value in table.items():
        pkg.add(key_name, value)
    atomic.write_text(path, appended(before, pkg))
    trigger = workflow_trigger(root, prefix)
    if trigger is not None:
        print(f"set the release workflow's trigger to the project's tags, {tag_glob(prefix)}: {trigger}")
    print(f"wrote [tool.pkg] for {meta.name} {meta.version} at the end of {path}")
    declarations = learnt(root) if learn else ""
    if declarations:
        atomic.write_text(path, path.read_text(encoding="utf-8").rstrip() + "\n" + declarations)
    print("left to fill in or check:\n" + "\n".join(f"  - {item}" for item in todo))
    print("then: make check, make build-test")
    return path
