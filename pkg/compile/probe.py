"""Stage `prove`, and what `make init` learns: every check on the pip-installed app before compiling, all of
them at once. Each check that fails gets the declaration of the app's real behaviour, found by asking the app
(its exit code with no arguments, whether `-V` prints the version…); each check whose output changes between
two runs of the pip-installed app (a second path to the same install, another hash seed) is one the compiled
program cannot equal byte for byte: `pip-installed = "checked"`. The stage prints every finding with its
configuration line and writes them all to build/<target>/suggested.toml, ready to paste, before one line fails.
"""

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from pkg.compile import build_test, compare, running
from pkg.compile.context import venv_site_packages
from pkg.core import atomic, names
from pkg.core import version as version_of
from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import App
from pkg.core.stage import Stage

VERSION_OPTIONS = (("-V",), ("-v",), ("version",))  # asked, in order, of a command whose --version fails


@dataclass(frozen=True)
class Finding:
    """A check the pip-installed app does not pass as configured, and what declares its real behaviour."""
    what: str                     # the check, as the smoke test names it
    saw: str                      # what the pip-installed app did
    command: str | None = None    # [tool.pkg.command.<command>] gets key = value (None: nothing to declare)
    key: str | None = None
    value: object = None
    check: str | None = None      # or the [[tool.pkg.checks]] of this name gets key = value

    @property
    def line(self) -> str:
        """The configuration line that declares it (or what to do)."""
        if self.key is None:
            return "fix the check in [[tool.pkg.checks]] or the app: nothing to declare"
        where = f"[tool.pkg.command.{self.command}]" if self.command else \
            f'[[tool.pkg.checks]] name = {tomlkit.string(self.check or "").as_string()}:'
        return f"{where} {self.key} = {tomlkit.item(self.value).as_string()}"


def ending(out) -> str:
    text = (out.stdout + out.stderr).strip()
    return f"exit {out.returncode}, {text[-160:]!r}" if text else f"exit {out.returncode}, no output"


def declaration(runner: running.Checker, what: str, version: str) -> Finding:
    """What declares the real behaviour behind a failed check, asking the app where it must."""
    command, kind = runner.about.get(what, (None, None))
    out = next((o for w, o, _ in runner.transcript if w == what), None)
    saw = ending(out) if out is not None else runner.details.get(what, "").lstrip(": ")
    if kind == "version":
        for args in VERSION_OPTIONS:
            other = runner.run(command, *args)
            if other.returncode == 0 and version_of.carries_version(other.stdout + "\n" + other.stderr, version):
                return Finding(what, f"{saw}; `{command} {' '.join(args)}` prints {version}", command,
                               "version-args", list(args))
        if out is not None and out.returncode == 0 and re.search(r"\d+\.\d+", out.stdout + out.stderr):
            return Finding(what, saw, command, "version-differs",
                           "its --version prints another number than the package's (say why)")
        return Finding(what, saw, command, "version", False)
    if kind == "help":
        return Finding(what, saw, command, "help", False)
    if kind == "no-args" and out is not None:
        if out.returncode == -1:  # still running at the timeout: a server or a full-screen UI?
            shown = runner.run_in_terminal(command, seconds=build_test.RUNS_FOR_S)
            if shown.returncode == running.STILL_RUNNING:
                return Finding(what, f"{saw}; in a terminal still running after {build_test.RUNS_FOR_S} s", command,
                               "no-args-runs", True)
        elif 0 <= out.returncode <= 255:
            return Finding(what, saw, command, "no-args-exit", out.returncode)
    return Finding(what, saw)


def reference(cfg: Config, app: App, env_folder: Path, os_name: str, version: str, cwd: Path, home: Path,
              seed: str, through_python: bool = False) -> running.Checker:
    """One run of every check on the pip-installed app at `env_folder`, with hash seed `seed`."""
    shutil.rmtree(cwd, ignore_errors=True)  # the same path each run, emptied: outputs naming it compare equal
    cwd.mkdir()
    runner = running.Checker(env_folder, os_name, {**running.scrubbed_env(home), "PYTHONHASHSEED": seed}, cwd,
                           argv=running.pip_installed_argv(env_folder, app, os_name, through_python), quiet=True,
                           site_packages=venv_site_packages(env_folder))
    build_test.all_checks(runner, cfg, app, version, pip_installed=True)
    return runner


def learn(cfg: Config, app: App, env_folder: Path, os_name: str, version: str) -> tuple[list[Finding], int]:
    """Every finding on the pip-installed app (and how many checks ran): failures, with their declaration,
    then the checks whose output changes between two runs — the second through another path to the same
    install (a link: what names where it is installed changes) with another hash seed (set order changes)."""
    env_folder = env_folder.resolve()
    with tempfile.TemporaryDirectory(prefix="pip-installed ") as tmp:
        cwd, home = Path(tmp) / "cwd", Path(tmp)
        first = reference(cfg, app, env_folder, os_name, version, cwd, home, "1")
        findings = [declaration(first, what, version) for what in first.failures]
        elsewhere = Path(tmp) / "installed elsewhere"
        try:
            os.symlink(env_folder, elsewhere, target_is_directory=True)
        except OSError:  # no symbolic links (Windows without the privilege): the same path, another seed
            elsewhere = env_folder
        second = reference(cfg, app, elsewhere, os_name, version, cwd, home, "2", elsewhere != env_folder)
        failed = set(first.failures)  # each has its finding already
        for what, field, line, x, y in compare.unequal(first, second):
            if what in failed:
                continue
            command, kind = first.about.get(what, (None, None))
            saw = f"its {field} changes between two runs (line {line}: {x[:80]!r}, then {y[:80]!r})"
            declared = cfg.checks[kind] if isinstance(kind, int) else None
            findings.append(Finding(what, saw, None if declared else command, "pip-installed", "checked",
                                    declared.name if declared else None))
    return findings, len(first.transcript)


def suggested(findings: list[Finding]) -> str:
    """The declarations as TOML to paste into [tool.pkg], a comment each saying what was seen."""
    document = tomlkit.document()
    document.add(tomlkit.comment("Found by running every check on the pip-installed app (make build, make init)."))
    tables: dict[str, tomlkit.items.Table] = {}
    for finding in findings:
        if finding.command and finding.key:
            table = tables.setdefault(finding.command, tomlkit.table())
            value = tomlkit.item(finding.value)
            value.comment(finding.saw[:200].replace("\n", " "))
            table.add(finding.key, value)
        else:
            document.add(tomlkit.comment(f"{finding.what}: {finding.saw[:200]}".replace("\n", " ")))
            document.add(tomlkit.comment(f"  -> {finding.line}"))
    if tables:
        pkg = tomlkit.table(is_super_table=True)
        command = tomlkit.table(is_super_table=True)
        for name, table in tables.items():
            command.add(name, table)
        pkg.add("command", command)
        tool = tomlkit.table(is_super_table=True)
        tool.add("pkg", pkg)
        document.add("tool", tool)
    return tomlkit.dumps(document)


def prove(cfg: Config, app: App, env_folder: Path, os_name: str, version: str, suggestion: Path) -> None:
    """Every check on the pip-installed app, before compiling: every finding printed with its declaration,
    all of them written to `suggestion`, then one line fails the build."""
    findings, ran = learn(cfg, app, env_folder, os_name, version)
    if not findings:
        suggestion.unlink(missing_ok=True)
        print(f"the pip-installed app passes all {ran} checks, the same in two runs")
        return
    for finding in findings:
        print(f"FAIL {finding.what}: {finding.saw}\n     -> {finding.line}")
    suggestion.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(suggestion, suggested(findings))
    failing = sum(1 for f in findings if f.key != "pip-installed")
    raise PkgError(f"the pip-installed app fails {failing} check(s) before compiling"
                   + (f", {len(findings) - failing} change(s) between runs" if failing < len(findings) else "")
                   + f": every one, with the declaration that fits, in {suggestion}")


STAGE = Stage("prove", "every check on the pip-installed app first (twice: another path, another hash seed): what "
              "cannot pass fails before compiling, each with its declaration in suggested.toml",
              lambda ctx: prove(ctx.cfg, ctx.app, ctx.env.folder / names.PIP_ENV, ctx.target.os,
                                ctx.env.metadata.version, ctx.work / names.SUGGESTED),
              writes=lambda ctx: [names.SUGGESTED])
