"""[tool.pkg] as a maintainer writes it: one pydantic model validates it, documents every key (the README's
key reference is rendered from it) and publishes the JSON schema editors complete and check it with
(pkg/core/config.schema.json: `python -m pkg schema --write`; tests keep all three in step).

Only what the table alone can tell is checked here; pkg/core/config.py checks what needs the file system
(the project folder, files it names) and resolves the table into the Config the pipeline reads.
"""

import difflib
import json
import re
import shlex
import uuid
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pkg.core import spdx
from pkg.core.names import SHELLS
from pkg.core.targets import GLIBC_FLOOR
from pkg.core.version import TAG_PREFIXES

SCHEMA_FILE = Path(__file__).with_name("config.schema.json")

OSES = ("linux", "macos", "windows")
RELATIONS = ("conflicts", "replaces", "provides")
RELATION = re.compile(r"[a-z0-9][a-z0-9+.-]+( \((<<|<=|=|>=|>>) [A-Za-z0-9.+~:-]+\))?")  # Debian's: `foo (>= 1.0)`


class Compile(StrEnum):
    """What Nuitka compiles to C (pkg/compile/nuitka.py: the flags each means)."""
    APP = "app"
    ALL = "all"


class Stdlib(StrEnum):
    """What of the standard library ships (pkg/compile/stdlib.py)."""
    ALL = "all"
    IMPORTED = "imported"


class Compare(StrEnum):
    """How a check's result is compared with the pip-installed app's."""
    SAME = "same"
    CHECKED = "checked"
    SKIP = "skip"


def rule(holds, message) -> BeforeValidator:
    """A value `holds` accepts, else one error saying `message` (a text, or a function of the value)."""
    def check(value):
        if not holds(value):
            raise PydanticCustomError("pkg", message(value) if callable(message) else message)
        return value
    return BeforeValidator(check)


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _split(value: str) -> list[str] | None:
    try:
        return shlex.split(value)
    except ValueError:
        return None


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _regex_error(value) -> str | None:
    try:
        re.compile(value)
    except (re.error, TypeError) as exc:
        return str(exc)
    return None


def _guid(value) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _maintainer(value) -> bool:
    person, address = parseaddr(value) if isinstance(value, str) else ("", "")
    return bool(person) and "@" in address and f"{person} <{address}>" == value.strip()


def one_of(*values: str) -> BeforeValidator:
    return rule(lambda v: v in values, f"must be one of {', '.join(repr(str(v)) for v in values)}")


Text = Annotated[str, Field(min_length=1), rule(_text, "must be a non-empty string")]
Strings = Annotated[list[str], rule(_strings, "must be a list of strings")]
Positive = Annotated[float, Field(gt=0), rule(_number, "must be a positive number")]
ExitCode = Annotated[int, Field(ge=0, le=255),
                     rule(lambda v: type(v) is int and 0 <= v <= 255, "must be an exit code from 0 to 255")]
Flag = Annotated[bool, rule(lambda v: isinstance(v, bool), "must be true or false")]
Reason = Annotated[str, Field(min_length=1), rule(_text, "must be the reason, a non-empty string")]
Regex = Annotated[str, Field(min_length=1, json_schema_extra={"format": "regex"}),
                  rule(lambda v: _text(v) and _regex_error(v) is None,
                       lambda v: f"{v!r} is not a valid regular expression ({_regex_error(v)})" if _text(v)
                       else "must be a regular expression, a non-empty string")]
ModuleName = Annotated[str, rule(lambda v: re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", v), "is not a module name")]
RelativeName = Annotated[str, rule(lambda v: not re.match(r"[/\\]|[A-Za-z]:", v)  # not absolute, on any OS
                                   and ".." not in re.split(r"[/\\]", v),
                                   lambda v: f"{v!r} must be a relative name inside the scratch folder")]
Relation = Annotated[str, Field(pattern=RELATION.pattern),
                     rule(lambda v: isinstance(v, str) and RELATION.fullmatch(v),
                          lambda v: f'{v!r} is not a package relation ("name" or "name (>= 1.0)")')]


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True,
                              alias_generator=lambda name: name.replace("_", "-"))


class CommandTable(Table):
    """[tool.pkg.command.NAME]: how one command behaves, so the generic checks judge it rightly."""
    version: Flag = Field(True, description="`<command> --version` prints the version (false: it has none)")
    version_args: Annotated[Strings, Field(min_length=1),
                            rule(lambda v: v != [], 'must name what prints the version, e.g. ["-V"]')] = Field(
        ["--version"], description='what prints its version instead, e.g. ["-V"]: build-test, the release and the '
                                   "formula's test run it")
    version_differs: Text | None = Field(
        None, description="why its --version prints another number than the package's (an upstream bug): it must "
                          "still exit 0 with output; the release notes say so")
    help: Flag = Field(True, description="`<command> --help` exits 0 with output (false: it has no --help)")
    no_args_exit: ExitCode = Field(0, description="what it returns with no arguments and no TTY")
    no_args_runs: Flag = Field(
        False, description="with no arguments it serves or shows a full-screen UI until stopped: proven still "
                           "running in a terminal a few seconds after starting")
    pip_installed: Annotated[Literal[Compare.SAME.value, Compare.CHECKED.value],
                             one_of(Compare.SAME, Compare.CHECKED)] = Field(
        Compare.SAME.value, description='"checked": its generic checks\' output may differ from the pip-installed '
                                        "app's (a time in it)")

    @model_validator(mode="after")
    def _consistent(self):
        if self.no_args_runs and "no_args_exit" in self.model_fields_set:
            raise PydanticCustomError("pkg", "no-args-runs and no-args-exit exclude each other")
        if not self.version and {"version_args", "version_differs"} & self.model_fields_set:
            raise PydanticCustomError("pkg", "version = false excludes version-args and version-differs")
        return self


class CheckTable(Table):
    """[[tool.pkg.checks]]: one run of the program `make build-test` judges, in one scratch folder."""
    name: Text = Field(description="what it proves, shown on its PASS/FAIL line")
    command: Text | None = Field(None, description="the command it runs (default: the main one)")
    args: Strings = Field([], description="its arguments")
    stdin: Annotated[str, rule(lambda v: isinstance(v, str), "must be a string")] | None = Field(
        None, description="text given on standard input")
    env: dict[str, Annotated[str, rule(lambda v: isinstance(v, str), "must be a string")]] = Field(
        {}, description="environment variables added")
    files: dict[RelativeName, Annotated[str, rule(lambda v: isinstance(v, str), "must be a string")]] = Field(
        {}, description="files written into the scratch folder first: {name = text}")
    exit: ExitCode = Field(0, description="the exit code it must return")
    timeout: Positive = Field(30.0, description="seconds it may take")
    stdout_contains: Strings = Field([], description="texts standard output must contain")
    stdout_matches: Regex | None = Field(None, description="a regular expression standard output must match")
    stdout_equals: Text | None = Field(
        None, description="the exact standard output")
    stderr_contains: Strings = Field([], description="texts standard error must contain")
    stderr_matches: Regex | None = Field(None, description="a regular expression standard error must match")
    stderr_equals: Text | None = Field(
        None, description="the exact standard error")
    pip_installed: Annotated[Compare, one_of(*Compare)] = Field(
        Compare.SAME, description='"same": exit code and output must equal the pip-installed app\'s; "checked": '
                                  'both judged, outputs may differ (paths, timings); "skip": it inspects the '
                                  "compiled build itself, not run on the pip-installed app")
    terminal: Flag = Field(False, description="run in a pseudo-terminal for `timeout` seconds (a full-screen UI): "
                                              "it passes still running or exiting with `exit`; its screen is stdout")

    @model_validator(mode="after")
    def _terminal(self):
        if self.terminal and (self.stdin is not None or self.stderr_contains or self.stderr_matches is not None
                              or self.stderr_equals is not None):
            raise PydanticCustomError("pkg",
                                      "a terminal check has no stdin or stderr of its own (the terminal is both)")
        return self


OsReason = Annotated[str, rule(_text, "must be the reason, a non-empty string (or a table per OS: linux, macos, "
                                      "windows)")]


class ExcludeTable(Table):
    """[tool.pkg.exclude]: GLOB = "reason" for files the build need not carry (of the app's wheel or any
    distribution it runs with); under linux/macos/windows for one OS's builds only."""
    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, OsReason]
    linux: dict[str, Reason] = Field({}, description="GLOB = reason, Linux builds only")
    macos: dict[str, Reason] = Field({}, description="GLOB = reason, macOS builds only")
    windows: dict[str, Reason] = Field({}, description="GLOB = reason, Windows builds only")


class NuitkaOsTable(Table):
    flags: Strings = Field([], description="extra Nuitka flags for this OS's builds")


class NuitkaTable(Table):
    """[tool.pkg.nuitka]: the compiler's inputs the maintainer may add (the pipeline's own flags are refused)."""
    flags: Strings = Field([], description="extra Nuitka flags")
    compile: Annotated[Compile, one_of(*Compile)] = Field(
        Compile.APP, description='"app": the app\'s own modules to C, every dependency as CPython bytecode (as '
                                 'pip\'s install runs it: a cold build in minutes, a smaller program); "all": every '
                                 "module but the standard library to C")
    linux: NuitkaOsTable = Field(NuitkaOsTable(), description="for the Linux builds only")
    macos: NuitkaOsTable = Field(NuitkaOsTable(), description="for the macOS builds only")
    windows: NuitkaOsTable = Field(NuitkaOsTable(), description="for the Windows builds only")


class StartupTable(Table):
    """[tool.pkg.startup]: start-up budgets."""
    version_ms: Positive | None = Field(None, description="median --version time build-test enforces (unset: "
                                                          "only reported; a busy machine's clock is no test)")
    help_ms: Positive | None = Field(None, description="median time of the help screen build-test enforces")
    help_args: Strings = Field(["--help"], description="the help screen to time")
    instructions_growth: Positive | None = Field(
        None, description="percent a command's start-up instruction count (callgrind, recorded by build-test) may "
                          "grow over the previous release before `make release` fails (unset: above 10 it warns)")


class RelationsTable(Table):
    conflicts: list[Relation] = Field([], description='Debian syntax: "foo" or "foo (<< 2.0)"')
    replaces: list[Relation] = Field([], description='Debian syntax: "foo" or "foo (<< 2.0)"')
    provides: list[Relation] = Field([], description='Debian syntax: "foo" or "foo (= 2.0)"')


class PackagesTable(RelationsTable):
    """[tool.pkg.packages]: relations of the .deb and .rpm to the distributions' own packages (the .rpm gets
    rpm's syntax); a distribution package that also ships /usr/bin/<command> makes dpkg refuse the .deb
    unless it is declared."""
    deb: RelationsTable = Field(RelationsTable(), description="relations of the .deb only")
    rpm: RelationsTable = Field(RelationsTable(), description="relations of the .rpm only")


class CompletionFile(Table):
    file: Text = Field(description="the script's path in the project (the main command's)")


CommandLine = Annotated[Text, rule(lambda v: isinstance(v, str) and _split(v) is not None,
                                   "must be a command line (its quotes balanced)")]
Completion = Annotated[
    Annotated[CommandLine, Tag("(command)")] | Annotated[CompletionFile, Tag("(file)")],
    Discriminator(lambda v: "(file)" if isinstance(v, dict) else "(command)"),
    Field(description='"<command> <args>" (that compiled command prints the script) or {file = "<path>"}')]


CompletionsTable = create_model("CompletionsTable", __base__=Table, **{shell: (Completion | None, None)
                                                                       for shell in SHELLS})


Completions = Annotated[
    Annotated[Literal[False], Tag("(off)")] | Annotated[CompletionsTable, Tag("(table)")],
    Discriminator(lambda v: "(off)" if v is False else "(table)"),
    rule(lambda v: v is False or isinstance(v, dict), "must be a table of shells (bash, zsh, fish) or false")]


class PkgTable(Table):
    """[tool.pkg] of the repository's pyproject.toml: where the app's project is and how to ship it. The app
    itself (name, version, license, commands…) is read from its own metadata."""
    model_config = ConfigDict(title="[tool.pkg]", json_schema_extra={"$comment": "pkg/core/settings.py"})
    project: Text = Field(".", description='the app\'s project folder, relative to this pyproject.toml ("." when '
                                           'dropped into the app\'s own repository; "app" in a packaging repository)')
    name: Annotated[str, rule(lambda v: isinstance(v, str) and re.fullmatch(r"[a-z0-9][a-z0-9_-]*", v),
                              "must be lower-case letters, digits, - or _")] | None = Field(
        None, description="shipped folder and archive name, dist/<name>-<os>-<arch>/ (default: the project's name)")
    publisher: Text = Field(description="shown by installers (MSI Manufacturer, winget Publisher)")
    maintainer: Annotated[str, rule(_maintainer, lambda v: f'{v!r} is not "Name <email>"')] | None = Field(
        None, description='"Name <email>" of the .deb and .rpm packages (without it, none are made)')
    package_id: Annotated[Text, rule(lambda v: isinstance(v, str) and re.fullmatch(r"[^.\s]+(\.[^.\s]+)+", v),
                                     "must look like Publisher.Package")] = Field(
        description="winget PackageIdentifier, Publisher.Package")
    upgrade_code: Annotated[str, rule(_guid, "must be a GUID")] = Field(
        description="MSI UpgradeCode, a GUID that must never change", json_schema_extra={"format": "uuid"})
    url_template: Annotated[Text, rule(lambda v: isinstance(v, str) and "{file}" in v and "{version}" in v,
                                       "must contain {version} and {file}")] = Field(
        description="download URL of a release file; {version} and {file} are filled in")
    tag_prefix: Annotated[Literal[TAG_PREFIXES], one_of(*TAG_PREFIXES)] = Field(
        TAG_PREFIXES[0], description='release tags: "v" (v1.2.0) or "" (1.2.0); `make init` reads the project\'s '
                                     "tags and writes this, the url-template and the release workflow's trigger")
    requirements: Text | None = Field(
        None, description="a pinned (ideally hashed) requirements file for the app's dependencies, relative to the "
                          "project; default: the project's uv.lock, else resolved afresh at build time (with a note)")
    extras: Strings = Field([], description="extras of the app to install and ship")
    license: Annotated[str, rule(lambda v: isinstance(v, str) and spdx.canonical(v) is not None,
                                 lambda v: f"{v!r} is not a valid SPDX license expression")] | None = Field(
        None, description="SPDX expression for package managers when the project's metadata has none")
    description: Text | None = Field(
        None, description="one-line summary for package managers when the project's is missing or unusable")
    homepage: Annotated[str, rule(lambda v: isinstance(v, str) and v.startswith(("https://", "http://")),
                                  "must be an http(s) URL")] | None = Field(
        None, description="when the project's metadata names none")
    commands: Strings = Field([], description="the console scripts to ship, main one first (default: all of them)")
    command: dict[str, CommandTable] = Field({}, description="options of each command, by name")
    checks: list[CheckTable] = Field([], description="[[tool.pkg.checks]] run by `make build-test` in order")
    exclude: ExcludeTable = ExcludeTable()
    nuitka: NuitkaTable = NuitkaTable()
    stdlib: Annotated[Stdlib, one_of(*Stdlib)] = Field(
        Stdlib.ALL, description='"all": the whole standard library ships as bytecode (less what cannot work in a '
                                "program), so user code the app runs imports what it could under pip's Python; "
                                '"imported": only what the app\'s imports reach (smaller; other imports fail)')
    stdlib_exclude: dict[ModuleName, Reason] = Field(
        {}, description='standard-library modules left out although something imports them, with the reason: '
                        'readline = "never reads lines interactively" drops GNU readline (GPL-3.0)')
    completions: Completions = Field(
        {}, description="shell completions the build cannot generate itself (it does for click, typer and "
                        "argcomplete apps): bash / zsh / fish; false: none at all")
    man: Annotated[Literal["help2man"], one_of("help2man")] | None = Field(
        None, description='"help2man": a man page per command from its --help, for commands the wheel has none for')
    startup: StartupTable = StartupTable()
    packages: PackagesTable = PackagesTable()
    glibc: Annotated[str, rule(lambda v: isinstance(v, str) and re.fullmatch(r"2\.\d{1,3}", v),
                               lambda v: f"{v!r} is not a glibc version like {GLIBC_FLOOR!r}")] = Field(
        GLIBC_FLOOR, description="the oldest glibc the Linux builds must run on (RHEL 8 and newer by default): "
                                 "a build above it says so, the .deb/.rpm depend on it, install.sh checks it")


MESSAGES = {"missing": "is missing", "string_type": "must be a string", "bool_type": "must be true or false",
            "int_type": "must be an integer", "dict_type": "must be a table", "model_type": "must be a table",
            "model_attributes_type": "must be a table", "list_type": "must be an array"}


def problems(error: ValidationError) -> list[str]:
    """One line per bad key: `tool.pkg.<key> <what is wrong>`, every one the model found."""
    found = []
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if p != "[key]" and not (isinstance(p, str) and p.startswith("(")))
        where = "tool.pkg" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
        if item["type"] == "extra_forbidden":
            known = known_keys(schema(), loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            message = f"is not a known key ({f'did you mean {close[0]}?' if close else 'known: ' + ', '.join(known)})"
        else:
            message = item["msg"] if item["type"] == "pkg" else MESSAGES.get(item["type"], item["msg"].lower())
        found.append(f"{where} {message}")
    return list(dict.fromkeys(found))


def known_keys(schema: dict, loc: tuple) -> list[str]:
    """The keys the schema allows in the table at `loc` (for the error naming an unknown one)."""
    node = {"$ref": "#/$defs/PkgTable"}
    for part in loc:
        node = _resolve(schema, node)
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part) or node.get("additionalProperties") or {}
    return sorted(_resolve(schema, node).get("properties", {}))


def resolve_ref(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _resolve(schema: dict, node: dict) -> dict:
    """The table a key holds, through references and optional or alternative values."""
    node = resolve_ref(schema, node)
    while node.get("anyOf") or node.get("oneOf"):  # optional, alternative (completions: false or a table)
        options = node.get("anyOf") or node.get("oneOf")
        node = resolve_ref(schema, next((n for n in options if "$ref" in n or n.get("type") == "object"
                                         or "oneOf" in n or "anyOf" in n), {}))
    return node


def schema_text() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


def schema() -> dict:
    """A pyproject.toml schema constraining [tool.pkg] only: what editors load (`#:schema` or settings)."""
    table = PkgTable.model_json_schema(by_alias=True)
    defs = table.pop("$defs", {})
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "pyproject.toml with [tool.pkg]", "type": "object",
            "properties": {"tool": {"type": "object", "properties": {"pkg": {"$ref": "#/$defs/PkgTable"}}}},
            "$defs": {**defs, "PkgTable": table}}
