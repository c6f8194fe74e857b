"""[tool.pkg] of the repository's pyproject.toml: where the app's project is and how to ship it.
The app itself (name, version, license, commands…) is read from its own metadata: pkg/project/.

Keys (any other key is an error that names it):
  project        the app's project folder, relative to this pyproject.toml ("." when dropped into the
                 app's own repository; "app" in a packaging repository)
  name           shipped folder and archive name, dist/<name>-<os>-<arch>/ (default: the project's name)
  publisher      shown by installers (MSI Manufacturer, winget Publisher)
  maintainer     "Name <email>" of the .deb and .rpm packages (without it, none are made)
  package-id     winget PackageIdentifier, Publisher.Package
  upgrade-code   MSI UpgradeCode, a GUID that must never change
  url-template   download URL of a release file; {version} and {file} are filled in
  tag-prefix     "v" (default: release tags are v1.2.0) or "" (1.2.0, for a project whose tags have no v: make
                 init reads the project's tags, and writes this, the url-template and the release workflow's
                 trigger to match)
  requirements   a pinned (ideally hashed) requirements file for the app's dependencies, relative to the
                 project; default: the project's uv.lock, else resolved afresh at build time (with a note)
  extras         extras of the app to install and ship
  license        SPDX expression for package managers when the project's metadata has none
  description    one-line summary for package managers when the project's is missing or unusable
  homepage       when the project's metadata names none
  commands       the console scripts to ship, main one first (default: all of them)
  command.NAME   options of one command: version = false (it has no --version), version-args = ["-V"] (what
                 prints its version instead: build-test, the release and the formula's test run it),
                 version-differs = "<why>" (its --version is known to print another number than the package's,
                 an upstream bug: it must still exit 0 with output; the release notes say so), help = false (no --help),
                 no-args-exit = N (what it returns with no arguments and no TTY; default 0),
                 no-args-runs = true (with no arguments it serves or shows a full-screen UI until stopped:
                 proven still running in a terminal a few seconds after starting), pip-installed =
                 "checked" (its generic checks' output may differ from the pip-installed app's: a time in it)
  checks         [[tool.pkg.checks]] run by `make build-test` in order, in one scratch folder: name,
                 command (default: the first), args, stdin, env, files {name = text}, exit (default 0),
                 timeout, stdout-/stderr- contains (list), matches (regex), equals (exact text),
                 pip-installed = "same" (default: the compiled program's exit code and output must equal the
                 pip-installed app's), "checked" (both judged, outputs may differ: paths, timings) or "skip"
                 (it inspects the compiled build itself: not run on the pip-installed app); terminal = true
                 runs it in a pseudo-terminal for `timeout` seconds (a full-screen UI): it passes still running
                 or exiting with `exit`, its screen output is stdout (and compared only as "checked")
  exclude.GLOB   files the build need not carry, with the reason — of the app's wheel or of any distribution
                 it runs with (all are shipped whole): "mypkg/fixtures/*" = "test data",
                 "psutil/_psosx.py" = "macOS only" under exclude.linux / exclude.windows for one OS (the
                 completeness check accepts them; Nuitka skips them)
  nuitka.flags   extra Nuitka flags; per OS under nuitka.linux / nuitka.macos / nuitka.windows
  nuitka.compile what Nuitka compiles to C: "app" (default: the app's own modules; every dependency goes in as
                 CPython bytecode, as pip's install runs it: a cold build in minutes, not the better part of an
                 hour, and a smaller program) or "all" (every module but the standard library: dependencies'
                 code runs compiled)
  stdlib         what of the standard library ships: "all" (default: all of it, as bytecode, less what cannot
                 work in a program — pkg/build/stdlib.py lists it with the reasons — so the user's own code
                 the app runs, tasks files, hooks, plugins, scripts given to the program's interpreter, imports
                 what it could under pip's Python) or "imported" (only what the app's own imports reach: a
                 smaller archive, and user code importing anything else fails with ModuleNotFoundError)
  stdlib-exclude standard-library modules the program leaves out although something imports them, with the
                 reason: readline = "never reads lines interactively" drops GNU readline (GPL-3.0), which
                 pdb and cmd import when it is there; the build says which copyleft library ships through
                 which module, and build-test checks that the program's Python cannot import what is left out
  completions    shell completions the build cannot generate itself (it does for click, typer and argcomplete
                 apps, from the compiled program): bash / zsh / fish = "<command> <args>" (that compiled
                 command prints the script) or {file = "<path in the project>"} (the main command's);
                 completions = false: none at all
  man            "help2man": a man page per command from its --help, for commands the wheel has none for
                 (the wheel's own share/man pages always ship); needs help2man on the Linux and macOS runners
  startup.*      version-ms, help-ms (median budgets build-test enforces; unset: timings are only reported,
                 a busy machine's wall-clock time being no test), help-args (the help screen to time),
                 instructions-growth: the percentage by which a command's start-up instruction count (callgrind,
                 recorded by build-test where valgrind is) may grow over the previous release before `make
                 release` fails (unset: above +10 % it warns, in the notes too)
  packages       relations of the .deb and .rpm to the distributions' own packages: conflicts, replaces,
                 provides = ["python3-foo", "foo (<< 2.0)"] (Debian's syntax; the .rpm gets rpm's, `foo < 2.0`),
                 for both formats, and deb = {...} / rpm = {...} with the same keys for one of them: a
                 distribution package that also ships /usr/bin/<command> makes dpkg refuse the .deb unless it
                 is declared here (make check names one installed on the machine it runs on)
  glibc          the oldest glibc the Linux builds must run on (default pkg/core/targets.py GLIBC_FLOOR, 2.28:
                 RHEL 8 and newer); a build above it says so, a release with REQUIRE_TARGETS=all refuses it, the
                 .deb/.rpm depend on it and install.sh checks it
"""

import re
import shlex
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pkg.core import spdx
from pkg.core.errors import InputError
from pkg.core.names import SHELLS
from pkg.core.targets import GLIBC_FLOOR
from pkg.core.version import TAG_PREFIXES


def folder_option(root: Path, given: str | None, *default: str) -> Path:
    """A folder option (--dist, --work, --release-dir…): as given, else its default below the root."""
    return Path(given) if given else root.joinpath(*default)
OSES = ("linux", "macos", "windows")
PLACEHOLDER = "TODO"  # what `make init` writes where it cannot know a value; `make check` refuses it by key
STREAMS = ("stdout", "stderr")
MATCHES = ("contains", "matches", "equals")
COMMAND_KEYS = {"version", "version-args", "version-differs", "help", "no-args-exit", "no-args-runs",
                "pip-installed"}
PIP_INSTALLED = ("same", "checked", "skip")
CHECK_KEYS = {"name", "command", "args", "stdin", "env", "files", "exit", "timeout", "pip-installed", "terminal",
              *(f"{s}-{m}" for s in STREAMS for m in MATCHES)}
TOP_KEYS = {"project", "name", "publisher", "maintainer", "package-id", "upgrade-code", "url-template", "requirements",
            "extras", "license", "description", "homepage", "commands", "command", "checks", "exclude", "nuitka",
            "startup", "completions", "man", "glibc", "stdlib", "stdlib-exclude", "packages", "tag-prefix"}
MAN_SOURCES = ("help2man",)
RELATIONS = ("conflicts", "replaces", "provides")
PACKAGE_FORMATS = ("deb", "rpm")
RELATION = re.compile(r"[a-z0-9][a-z0-9+.-]+( \((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\))?")  # Debian's: `foo (>= 1.0)`
NUITKA_COMPILE = ("app", "all")  # the default first (pkg/build/nuitka.py: what each passes)
STDLIB = ("all", "imported")      # the default first (pkg/build/stdlib.py)


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
    nuitka_compile: str = NUITKA_COMPILE[0]   # app | all: what Nuitka compiles to C
    stdlib: str = STDLIB[0]                   # all | imported: what of the standard library ships
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


def _fail(where: str, message: str):
    raise InputError(f"pyproject.toml: {where} {message}")


def _str(table: dict, key: str, where: str, required: bool = False) -> str | None:
    if key not in table:
        if required:
            _fail(f"{where}.{key}", "is missing")
        return None
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        _fail(f"{where}.{key}", "must be a non-empty string")
    return value


def _strings(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(f"{where}.{key}", "must be a list of strings")
    return tuple(value)


def _table(table: dict, key: str, where: str) -> dict:
    value = table.get(key, {})
    if not isinstance(value, dict):
        _fail(f"{where}.{key}", "must be a table")
    return value


def _known(table: dict, allowed: set[str], where: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        _fail(f"{where}.{extra[0]}", f"is not a known key (known: {', '.join(sorted(allowed))})")


def _number(table: dict, key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        _fail(f"{where}.{key}", "must be a positive number")
    return float(value)


def _exit_code(value, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 255:
        _fail(where, "must be an exit code from 0 to 255")
    return value


def _command_options(table: dict) -> dict[str, CommandOptions]:
    commands = {}
    for name, options in table.items():
        where = f"tool.pkg.command.{name}"
        if not isinstance(options, dict):
            _fail(where, "must be a table (use {} for the defaults)")
        _known(options, COMMAND_KEYS, where)
        for key, default in (("version", True), ("help", True), ("no-args-runs", False)):
            if not isinstance(options.get(key, default), bool):
                _fail(f"{where}.{key}", "must be true or false")
        if options.get("no-args-runs") and "no-args-exit" in options:
            _fail(where, "no-args-runs and no-args-exit exclude each other")
        version_args = _strings(options, "version-args", where) if "version-args" in options else ("--version",)
        if not version_args:
            _fail(f"{where}.version-args", 'must name what prints the version, e.g. ["-V"]')
        if options.get("version") is False and ({"version-args", "version-differs"} & set(options)):
            _fail(where, "version = false excludes version-args and version-differs")
        commands[name] = CommandOptions(options.get("version", True), options.get("help", True),
                                        _exit_code(options.get("no-args-exit", 0), f"{where}.no-args-exit"),
                                        options.get("no-args-runs", False),
                                        _choice(options, "pip-installed", where, PIP_INSTALLED[:2]), version_args,
                                        _str(options, "version-differs", where))
    return commands


def _check(index: int, table) -> Check:
    where = f"tool.pkg.checks[{index}]"
    if not isinstance(table, dict):
        _fail(where, "must be a table")
    _known(table, CHECK_KEYS, where)
    name = _str(table, "name", where, required=True)
    expect = []
    for stream in STREAMS:
        for kind in MATCHES:
            key = f"{stream}-{kind}"
            if key not in table:
                continue
            values = _strings(table, key, where) if kind == "contains" else (_str(table, key, where) or "",)
            for value in values:
                if kind == "matches":
                    try:
                        re.compile(value)
                    except re.error as exc:
                        _fail(f"{where}.{key}", f"is not a valid regular expression ({exc})")
                expect.append(Expect(stream, kind, value))
    env, files = _table(table, "env", where), _table(table, "files", where)
    for key, mapping in (("env", env), ("files", files)):
        if not all(isinstance(v, str) for v in mapping.values()):
            _fail(f"{where}.{key}", "values must be strings")
    for file in files:
        if Path(file).is_absolute() or ".." in Path(file).parts:
            _fail(f"{where}.files", f"{file!r} must be a relative name inside the scratch folder")
    stdin = table.get("stdin")
    if stdin is not None and not isinstance(stdin, str):
        _fail(f"{where}.stdin", "must be a string")
    if table.get("terminal") and (stdin is not None or any(e.stream == "stderr" for e in expect)):
        _fail(where, "a terminal check has no stdin or stderr of its own (the terminal is both)")
    return Check(name=name, command=_str(table, "command", where), args=_strings(table, "args", where),
                 stdin=stdin, env=dict(env), files=dict(files),
                 exit=_exit_code(table.get("exit", 0), f"{where}.exit"),
                 timeout=_number(table, "timeout", where, 30.0), expect=tuple(expect),
                 pip_installed=_choice(table, "pip-installed", where, PIP_INSTALLED),
                 terminal=_bool(table, "terminal", where))


def _bool(table: dict, key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        _fail(f"{where}.{key}", "must be true or false")
    return value


def _choice(table: dict, key: str, where: str, choices: tuple[str, ...]) -> str:
    value = table.get(key, choices[0])
    if value not in choices:
        _fail(f"{where}.{key}", f"must be one of {', '.join(repr(c) for c in choices)}")
    return value


def _nuitka(table: dict) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]], str]:
    where = "tool.pkg.nuitka"
    _known(table, {"flags", "compile", *OSES}, where)
    flags = _strings(table, "flags", where)
    os_flags = {}
    for os_name in OSES:
        sub = _table(table, os_name, where)
        _known(sub, {"flags"}, f"{where}.{os_name}")
        os_flags[os_name] = _strings(sub, "flags", f"{where}.{os_name}")
    # Which flags only the pipeline sets is Nuitka's fact: pkg/build/nuitka.py refuses them.
    return flags, os_flags, _choice(table, "compile", where, NUITKA_COMPILE)


def _glibc(tool: dict, where: str) -> str:
    value = _str(tool, "glibc", where)
    if value is None:
        return GLIBC_FLOOR
    if not re.fullmatch(r"2\.\d{1,3}", value):
        _fail(f"{where}.glibc", f"{value!r} is not a glibc version like {GLIBC_FLOOR!r}")
    return value


def _exclude(table: dict) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """exclude.GLOB = reason, and exclude.<os>.GLOB = reason."""
    where = "tool.pkg.exclude"
    per_os = {name: _table(table, name, where) for name in OSES if isinstance(table.get(name), dict)}
    every = {k: v for k, v in table.items() if k not in per_os}
    for place, reasons in [(where, every), *((f"{where}.{n}", t) for n, t in per_os.items())]:
        if not all(isinstance(v, str) and v.strip() for v in reasons.values()):
            _fail(place, "values must be the reason, a non-empty string (or a table per OS: linux, macos, windows)")
    return every, {name: dict(t) for name, t in per_os.items()}


def _completions(tool: dict, project_dir: Path) -> tuple[bool, tuple[Completion, ...]]:
    where = "tool.pkg.completions"
    value = tool.get("completions", {})
    if value is False:
        return False, ()
    if not isinstance(value, dict):
        _fail(where, "must be a table of shells (bash, zsh, fish) or false")
    _known(value, set(SHELLS), where)
    found = []
    for shell, spec in value.items():
        if isinstance(spec, str) and shlex.split(spec):
            found.append(Completion(shell, run=tuple(shlex.split(spec))))
        elif isinstance(spec, dict) and set(spec) == {"file"} and isinstance(spec["file"], str):
            path = project_dir / spec["file"]
            if not path.is_file():
                _fail(f"{where}.{shell}", f"{spec['file']!r}: no such file in {project_dir}")
            found.append(Completion(shell, file=path))
        else:
            _fail(f"{where}.{shell}", 'must be "<command> <args>" or {file = "<path in the project>"}')
    return True, tuple(found)


def _module_reasons(table: dict, where: str) -> dict[str, str]:
    for module, reason in table.items():
        if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", module):
            _fail(f"{where}.{module}", "is not a module name")
        if not isinstance(reason, str) or not reason.strip():
            _fail(f"{where}.{module}", "must be the reason, a string")
    return dict(table)


def _relations(table: dict, where: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """format -> relation -> Debian-syntax entries: the shared lists, then the format's own."""
    _known(table, {*RELATIONS, *PACKAGE_FORMATS}, where)
    found = {}
    for fmt in PACKAGE_FORMATS:
        own = _table(table, fmt, where)
        _known(own, set(RELATIONS), f"{where}.{fmt}")
        found[fmt] = {kind: _strings(table, kind, where) + _strings(own, kind, f"{where}.{fmt}") for kind in RELATIONS}
        for kind, entries in found[fmt].items():
            bad = next((e for e in entries if not RELATION.fullmatch(e)), None)
            if bad is not None:
                _fail(f"{where}.{kind}", f'{bad!r} is not a package relation ("name" or "name (>= 1.0)")')
    return found


def read_pyproject(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None


def _checked(tool: dict, key: str, rule, message: str) -> str | None:
    """An optional string key whose value must satisfy `rule` (else `message`)."""
    value = _str(tool, key, "tool.pkg")
    if value is not None and not rule(value):
        _fail(f"tool.pkg.{key}", message.format(value=value))
    return value


def _required(tool: dict, key: str, rule, message: str) -> str:
    value = _str(tool, key, "tool.pkg", required=True)
    if not rule(value):
        _fail(f"tool.pkg.{key}", message.format(value=value))
    return value


def _guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _maintainer(value: str) -> bool:
    from email.utils import parseaddr

    person, address = parseaddr(value)
    return bool(person) and "@" in address and f"{person} <{address}>" == value.strip()


def _project_dir(root: Path, tool: dict) -> Path:
    project_dir = (root / (_str(tool, "project", "tool.pkg") or ".")).resolve()
    if not project_dir.is_dir():
        _fail("tool.pkg.project", f"{tool.get('project')!r}: no such folder ({project_dir})")
    return project_dir


def _startup(tool: dict) -> tuple[dict[str, float], tuple[str, ...]]:
    where = "tool.pkg.startup"
    startup = _table(tool, "startup", "tool.pkg")
    _known(startup, {"version-ms", "help-ms", "help-args", "instructions-growth"}, where)
    budgets = {key: _number(startup, f"{key}-ms", where, 0) for key in ("version", "help") if f"{key}-ms" in startup}
    growth = _number(startup, "instructions-growth", where, 0) if "instructions-growth" in startup else None
    return budgets, _strings(startup, "help-args", where) or ("--help",), growth


def _checks(tool: dict) -> tuple[Check, ...]:
    checks = tool.get("checks", [])
    if not isinstance(checks, list):
        _fail("tool.pkg.checks", "must be an array of tables ([[tool.pkg.checks]])")
    return tuple(_check(i, c) for i, c in enumerate(checks))


def load(root: Path) -> Config:
    """[tool.pkg], validated: every key's problem found in one pass, then one InputError holding them all."""
    data = read_pyproject(root / "pyproject.toml")
    tool = data.get("tool", {}).get("pkg")
    if not isinstance(tool, dict):
        raise InputError("pyproject.toml: [tool.pkg] table is missing (`make init` writes a starter)")
    where = "tool.pkg"
    problems: list[str] = []

    def ask(parse, default=None):
        try:
            return parse()
        except InputError as exc:
            problems.append(str(exc).removeprefix("pyproject.toml: "))
            return default

    ask(lambda: _known(tool, TOP_KEYS, where))
    project_dir = ask(lambda: _project_dir(root, tool), root.resolve())
    requirements = ask(lambda: _checked(tool, "requirements", lambda v: (project_dir / v).is_file(),
                                        f"{{value!r}}: no such file in {project_dir}"))
    exclude, exclude_os = ask(lambda: _exclude(_table(tool, "exclude", where)), ({}, {}))
    flags, os_flags, compile_mode = ask(lambda: _nuitka(_table(tool, "nuitka", where)), ((), {}, NUITKA_COMPILE[0]))
    budgets, help_args, growth = ask(lambda: _startup(tool), ({}, ("--help",), None))
    generate, completions = ask(lambda: _completions(tool, project_dir), (True, ()))
    fields = dict(
        name=ask(lambda: _checked(tool, "name", lambda v: re.fullmatch(r"[a-z0-9][a-z0-9_-]*", v),
                                  "must be lower-case letters, digits, - or _")),
        publisher=ask(lambda: _str(tool, "publisher", where, required=True), ""),
        package_id=ask(lambda: _required(tool, "package-id", lambda v: re.fullmatch(r"[^.\s]+(\.[^.\s]+)+", v),
                                         "must look like Publisher.Package"), ""),
        upgrade_code=ask(lambda: str(uuid.UUID(_required(tool, "upgrade-code", _guid, "must be a GUID"))).upper(), ""),
        url_template=ask(lambda: _required(tool, "url-template", lambda v: "{file}" in v and "{version}" in v,
                                           "must contain {{version}} and {{file}}"), ""),
        requirements=project_dir / requirements if requirements else None,
        extras=ask(lambda: _strings(tool, "extras", where), ()),
        license=ask(lambda: _checked(tool, "license", lambda v: spdx.canonical(v) is not None,
                                     "{value!r} is not a valid SPDX license expression")),
        description=ask(lambda: _str(tool, "description", where)),
        homepage=ask(lambda: _checked(tool, "homepage", lambda v: v.startswith(("https://", "http://")),
                                      "must be an http(s) URL")),
        maintainer=ask(lambda: _checked(tool, "maintainer", _maintainer, '{value!r} is not "Name <email>"')),
        commands=ask(lambda: _strings(tool, "commands", where), ()),
        command=ask(lambda: _command_options(_table(tool, "command", where)), {}),
        checks=ask(lambda: _checks(tool), ()), exclude=exclude, exclude_os=exclude_os,
        nuitka_flags=flags, nuitka_os_flags=os_flags, nuitka_compile=compile_mode,
        budgets_ms=budgets, help_args=help_args, instructions_growth=growth, generate_completions=generate,
        completions=completions,
        man=ask(lambda: _choice(tool, "man", where, MAN_SOURCES) if "man" in tool else None),
        glibc=ask(lambda: _glibc(tool, where), GLIBC_FLOOR),
        stdlib=ask(lambda: _choice(tool, "stdlib", where, STDLIB), STDLIB[0]),
        relations=ask(lambda: _relations(_table(tool, "packages", where), f"{where}.packages"), {}),
        stdlib_exclude=ask(lambda: _module_reasons(_table(tool, "stdlib-exclude", where), f"{where}.stdlib-exclude"),
                           {}),
        tag_prefix=ask(lambda: _choice(tool, "tag-prefix", where, TAG_PREFIXES), TAG_PREFIXES[0]),
    )
    if problems:
        raise InputError(f"pyproject.toml: {problems[0]}" if len(problems) == 1 else
                         f"pyproject.toml: {len(problems)} problems: {'; '.join(problems)}")
    return Config(root=root, project_dir=project_dir, **fields)
