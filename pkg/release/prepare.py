"""Before a release, and before anything is written: VERSION is valid, no release of it exists (unless
FORCE=1), the project can be brought to it (pkg/project/metadata.py: a static version is set, an scm one
is handed over at build time, one fixed in the project's files must already agree), and a tag can be
made (TAG=1). Afterwards: the annotated tag."""

from pathlib import Path

from pkg.core import names, proc, version
from pkg.core.config import Config
from pkg.core.errors import InputError
from pkg.project import metadata


def current_version(cfg: Config) -> str | None:
    """The project's version now (None for scm versions: the tag decides those)."""
    if metadata.version_source(cfg.project_dir) == "scm":
        return None
    return metadata.read(cfg.project_dir).version


def check_can_tag(root: Path, tag: str, current: str | None, wanted: str) -> None:
    """Before anything is built: TAG=1 can tag here (a git repository, a clean tree, the project at VERSION,
    no such tag yet)."""
    status = proc.git(root, "status", "--porcelain", "--untracked-files=no", expect=(0, proc.NOT_A_REPOSITORY))
    if status.returncode != 0:
        said = (status.stderr.strip().splitlines() or ["no answer"])[-1]
        raise InputError(f"TAG=1 needs a git repository to tag: git status in {root} failed ({said})")
    if status.stdout.strip():
        raise InputError("TAG=1 refuses a dirty tree: commit or stash your changes first")
    if current is not None and current != wanted:
        raise InputError(f"TAG=1 needs the project at {wanted} (it is {current}): commit the bump first")
    if proc.git(root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}", expect=(0, 1)).returncode == 0:
        raise InputError(f"tag {tag} exists already")


def refuse_existing(release_root: Path, v: version.Version, force: bool) -> Path:
    final = release_root / names.release_folder(v.tag)
    if final.exists() and not force:
        raise InputError(f"{final} exists already (FORCE=1 replaces it)")
    return final


def set_version(cfg: Config, version_text: str, release_root: Path | None = None, force: bool = False,
                tag: bool = False) -> version.Version:
    """Validate VERSION, refuse early what a release would refuse later, and bring the project to VERSION."""
    v = version.parse(version_text, cfg.tag_prefix)
    if release_root is not None:
        refuse_existing(release_root, v, force)
    current = current_version(cfg)
    if tag:
        check_can_tag(cfg.root, v.tag, current, str(v))
    if current is not None:
        metadata.stamp(cfg.project_dir, current, str(v))
    return v


def make_tag(root: Path, tag: str, message: str) -> None:
    proc.git(root, "tag", "-a", tag, "-m", message)


def ci_facts(v: version.Version) -> dict[str, str | list[str]]:
    """What the release workflow's later steps and jobs need (`make print-release-info`): the version
    facts and where the release and the publishing layouts are, so the workflow spells no file name."""
    folder = Path(names.RELEASES, names.release_folder(v.tag))
    facts: dict[str, str | list[str]] = {
        "version": str(v), "tag": v.tag, "prerelease": str(v.prerelease).lower(),
        "folder": folder.as_posix(), "notes": (folder / names.NOTES).as_posix(),
        "sums": (folder / names.SUMS).as_posix(),
        "packages": [f"{layout.as_posix()}/" for layout, _ in names.PUBLISHED.values()]}
    for channel, (layout, pushed_to) in names.PUBLISHED.items():
        facts[f"{channel}_from"], facts[f"{channel}_to"] = layout.as_posix(), pushed_to
    return facts


def github_output(facts: dict[str, str | list[str]]) -> str:
    """$GITHUB_OUTPUT lines: key=value, and a list as a multi-line value (GitHub's heredoc form)."""
    lines = []
    for key, value in facts.items():
        lines += [f"{key}<<EOF", *value, "EOF"] if isinstance(value, list) else [f"{key}={value}"]
    return "\n".join(lines)
