"""The resolved [tool.pkg]: what the pipeline reads. pkg/core/settings.py is the table as written (every key,
its rules and description, the published schema); load() validates it there, checks here what needs the file
system (the project folder, the files it names) and resolves paths and defaults into a Config.
"""

import re
import shlex
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from pkg.core import settings
from pkg.core.errors import InputError
from pkg.core.model import PackageFormat
from pkg.core.settings import OSES, RELATIONS, Compile, Stdlib
from pkg.core.targets import GLIBC_FLOOR
from pkg.core.version import TAG_PREFIXES

PLACEHOLDER = "TODO"  # what `make init` writes where it cannot know a value; `make check` refuses it by key
STREAMS = ("stdout", "stderr")
MATCHES = ("contains", "matches", "equals")
PACKAGE_FORMATS = tuple(PackageFormat)  # the relations are kept per format


def folder_option(root: Path, given: str | None, *default: str) -> Path:
    """A folder option (--dist, --work, --release-dir…): as given, else its default below the root."""
    return Path(given) if given else root.joinpath(*default)


@dataclass(frozen=True)
class CommandOptions:
    version: bool = True       # `<command> --version` prints the version
    help: bool = True          # `<command> --help` exits 0 with output
    no_args_exit: int = 0      # exit code with no arguments and no TTY
    no_args_runs: bool = False  # with no arguments it keeps running (a server, a full-screen UI)
    pip_installed: str = "same"  # same | checked: its generic checks compared with the pip-installed app's
    version_args: tuple[str, ...] = ("--version",)  # what prints the version
    version_differs: str | None = None  # why its version output names another number (upstream): not required

    @property
    def version_argv(self) -> tuple[str, ...] | None:
        """The arguments that print the version, or None when the command has none."""
        return self.version_args if self.version else None


@dataclass(frozen=True)
class Expect:
    stream: str   # stdout | stderr
    kind: str     # contains | matches | equals
    value: str


@dataclass(frozen=True)
class Check:
    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    stdin: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    exit: int = 0
    timeout: float = 30.0
    expect: tuple[Expect, ...] = ()
    pip_installed: str = "same"  # same | checked | skip (the module docstring)
    terminal: bool = False       # run in a pseudo-terminal for `timeout` seconds (a full-screen UI)


@dataclass(frozen=True)
class Completion:
    """A declared completion script: printed by a compiled command (`run`) or a file of the project."""
    shell: str
    run: tuple[str, ...] = ()
    file: Path | None = None


@dataclass(frozen=True)
class Config:
    root: Path
    project_dir: Path
    name: str | None
    publisher: str
    package_id: str
    upgrade_code: str
    url_template: str
    requirements: Path | None = None
    extras: tuple[str, ...] = ()
    license: str | None = None
    description: str | None = None
    homepage: str | None = None
    maintainer: str | None = None
    commands: tuple[str, ...] = ()
    command: dict[str, CommandOptions] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    exclude: dict[str, str] = field(default_factory=dict)
    exclude_os: dict[str, dict[str, str]] = field(default_factory=dict)  # exclude.<os>: that OS's builds only
    nuitka_flags: tuple[str, ...] = ()
    nuitka_os_flags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    nuitka_compile: str = Compile.APP.value   # app | all: what Nuitka compiles to C
    stdlib: str = Stdlib.ALL.value            # all | imported: what of the standard library ships
    stdlib_exclude: dict[str, str] = field(default_factory=dict)  # module -> why the program leaves it out
    budgets_ms: dict[str, float] = field(default_factory=dict)  # only those the app sets are enforced
    help_args: tuple[str, ...] = ("--help",)
    instructions_growth: float | None = None  # percent: more start-up instructions than the last release fails
    completions: tuple[Completion, ...] = ()  # declared ones
    generate_completions: bool = True         # false: `completions = false`, none at all
    man: str | None = None                    # help2man: man pages generated for commands the wheel has none for
    glibc: str = GLIBC_FLOOR                  # the oldest glibc the Linux builds must run on
    relations: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # deb|rpm -> conflicts… -> [..]
    tag_prefix: str = TAG_PREFIXES[0]         # release tags: v1.2.0, or 1.2.0 with ""

    def excluded(self, os_name: str) -> dict[str, str]:
        """GLOB -> reason: what the builds for `os_name` leave out."""
        return {**self.exclude, **self.exclude_os.get(os_name, {})}

    def download_url(self, version: str, file: str) -> str:
        return self.url_template.format(version=version, file=file)

    def require_https(self, who: str) -> None:
        """Package managers download release files over https only: say so at `make check`, not after five builds."""
        if not self.url_template.startswith("https://"):
            raise InputError(f"url-template {self.url_template!r}: {who} downloads over https only")

    @property
    def github_repo(self) -> str | None:
        """owner/repo when the release files are GitHub release assets."""
        return github_repository(self.url_template, releases=True)

    def command_options(self, command: str) -> CommandOptions:
        return self.command.get(command, CommandOptions())

    def placeholders(self) -> list[str]:
        """One line per key still holding make init's placeholder."""
        keys = {"publisher": self.publisher, "package-id": self.package_id, "url-template": self.url_template,
                "maintainer": self.maintainer}
        return [f"tool.pkg.{key} {value!r} is make init's placeholder: fill it in" for key, value in keys.items()
                if value and re.search(rf"\b{PLACEHOLDER}\b", value)]


def github_repository(url: str, releases: bool = False) -> str | None:
    """owner/repo of a github.com URL (with `releases`: only of a release download URL); else None."""
    match = re.match(r"https?://github\.com/([^/\s#?]+)/([^/\s#?]+)(/releases/download/)?", url)
    if match is None or (releases and not match.group(3)):
        return None
    return f"{match.group(1)}/{match.group(2).removesuffix('.git')}"


def read_pyproject(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None


def load(root: Path) -> Config:
    """[tool.pkg], validated: every key's problem found in one pass, then one InputError holding them all."""
    tool = read_pyproject(root / "pyproject.toml").get("tool", {}).get("pkg")
    if not isinstance(tool, dict):
        raise InputError("pyproject.toml: [tool.pkg] table is missing (`make init` writes a starter)")
    try:
        table, problems = settings.PkgTable.model_validate(tool), []
    except ValidationError as exc:
        table, problems = None, settings.problems(exc)
    project = tool.get("project", ".")
    project_dir = (root / (project if isinstance(project, str) else ".")).resolve()
    problems += _missing_files(tool, project_dir)
    if problems:
        raise InputError(f"pyproject.toml: {problems[0]}" if len(problems) == 1 else
                         f"pyproject.toml: {len(problems)} problems: {'; '.join(problems)}")
    return resolve(root, project_dir, table)


def _missing_files(tool: dict, project_dir: Path) -> list[str]:
    """What the table names that is not there: the project folder, the requirements, completion scripts."""
    if not project_dir.is_dir():
        return [f"tool.pkg.project {tool.get('project')!r}: no such folder ({project_dir})"]
    named = {"tool.pkg.requirements": tool.get("requirements")}
    completions = tool.get("completions")
    for shell, spec in (completions.items() if isinstance(completions, dict) else ()):
        named[f"tool.pkg.completions.{shell}"] = spec.get("file") if isinstance(spec, dict) else None
    return [f"{key} {value!r}: no such file in {project_dir}" for key, value in named.items()
            if isinstance(value, str) and value.strip() and not (project_dir / value).is_file()]


def resolve(root: Path, project_dir: Path, table: settings.PkgTable) -> Config:
    """The validated table as the pipeline reads it: paths resolved, defaults filled in, per-OS and per-format
    lists merged."""
    startup, packages = table.startup, table.packages
    return Config(
        root=root, project_dir=project_dir, name=table.name, publisher=table.publisher,
        package_id=table.package_id, upgrade_code=str(uuid.UUID(table.upgrade_code)).upper(),
        url_template=table.url_template, requirements=project_dir / table.requirements if table.requirements else None,
        extras=tuple(table.extras), license=table.license, description=table.description, homepage=table.homepage,
        maintainer=table.maintainer, commands=tuple(table.commands),
        command={name: _command(options) for name, options in table.command.items()},
        checks=tuple(map(_check, table.checks)),
        exclude=dict(table.exclude.model_extra or {}),
        exclude_os={name: dict(getattr(table.exclude, name)) for name in OSES if getattr(table.exclude, name)},
        nuitka_flags=tuple(table.nuitka.flags),
        nuitka_os_flags={name: tuple(getattr(table.nuitka, name).flags) for name in OSES},
        nuitka_compile=table.nuitka.compile.value, stdlib=table.stdlib.value,
        stdlib_exclude=dict(table.stdlib_exclude),
        budgets_ms={key: ms for key, ms in (("version", startup.version_ms), ("help", startup.help_ms)) if ms},
        help_args=tuple(startup.help_args) or ("--help",), instructions_growth=startup.instructions_growth,
        generate_completions=table.completions is not False,
        completions=() if table.completions is False else tuple(
            _completion(shell, spec, project_dir) for shell, spec in table.completions if spec is not None),
        man=table.man, glibc=table.glibc,
        relations={fmt: {kind: tuple(getattr(packages, kind)) + tuple(getattr(getattr(packages, fmt), kind))
                         for kind in RELATIONS} for fmt in map(str, PACKAGE_FORMATS)},
        tag_prefix=table.tag_prefix)


def _command(options: settings.CommandTable) -> CommandOptions:
    return CommandOptions(version=options.version, help=options.help, no_args_exit=options.no_args_exit,
                          no_args_runs=options.no_args_runs, pip_installed=options.pip_installed,
                          version_args=tuple(options.version_args), version_differs=options.version_differs)


def _check(check: settings.CheckTable) -> Check:
    expect = []
    for stream in STREAMS:
        expect += [Expect(stream, "contains", text) for text in getattr(check, f"{stream}_contains")]
        expect += [Expect(stream, kind, value) for kind in MATCHES[1:]
                   if (value := getattr(check, f"{stream}_{kind}")) is not None]
    return Check(name=check.name, command=check.command, args=tuple(check.args), stdin=check.stdin,
                 env=dict(check.env), files=dict(check.files), exit=check.exit, timeout=check.timeout,
                 expect=tuple(expect), pip_installed=check.pip_installed.value, terminal=check.terminal)


def _completion(shell: str, spec, project_dir: Path) -> Completion:
    if isinstance(spec, str):
        return Completion(shell, run=tuple(shlex.split(spec)))
    return Completion(shell, file=project_dir / spec.file)
