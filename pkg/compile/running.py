"""Running the app's commands as a user would and judging each result: the compiled programs in a folder, or
the pip-installed app (pip_installed_argv). Build-test (pkg/compile/build_test.py), stage `prove` before
compiling (pkg/compile/probe.py) and the package proof (pkg/channels/package_proof.py) all run through it;
every result is kept for the comparison with pip's (pkg/compile/compare.py)."""

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from pkg.core import names, proc
from pkg.core.model import App

STILL_RUNNING = -1000  # the exit code recorded for a command that was still running when stopped


def scrubbed_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH/PYTHONHOME, no virtualenv, no user site: only what a fresh shell would have."""
    keep = {k: v for k, v in os.environ.items() if k in ("SYSTEMROOT", "SystemRoot", "WINDIR", "TEMP", "TMP")}
    path = "/usr/bin:/bin" if os.name != "nt" else os.environ.get("SystemRoot", r"C:\Windows") + r"\System32"
    return {**keep, "PATH": path, "HOME": str(home), "USERPROFILE": str(home), "LANG": "C.UTF-8"}


class Checker:
    """Runs the app's commands one way and judges them: the compiled programs in `folder`, or (`argv`) the
    pip-installed app. Every result is kept in `transcript` for the differential comparison."""

    def __init__(self, folder: Path, os_name: str, env: dict[str, str], cwd: Path,
                 argv: Callable[[str], list[str]] | None = None, quiet: bool = False,
                 site_packages: Path | None = None):
        self.folder, self.os_name, self.env, self.cwd = folder, os_name, env, cwd
        self.site_packages = site_packages  # the pip-installed app's modules (None: a compiled program)
        self.argv = argv or (lambda command: [str(self.program(command))])
        self.quiet = quiet
        self.failures: list[str] = []
        self.details: dict[str, str] = {}  # a failure -> its exit code and output's end
        self.transcript: list[tuple[str, subprocess.CompletedProcess, str]] = []  # (what, result, pip-installed)
        self.about: dict[str, tuple[str, str | int]] = {}  # a check -> (command, "version"|"help"|"no-args"|index)

    def program(self, command: str) -> Path:
        return self.folder / names.program(command, self.os_name)

    def swaps(self, command: str) -> dict[str, str]:
        """This install's own paths in a command's output -> placeholders: what may differ between installs."""
        if self.site_packages is None:  # a compiled program
            program = self.program(command)
            return {str(program): "<program>", str(program.resolve().parent): "<app>"}
        argv = self.argv(command)
        own = " ".join(argv) if "-m" in argv else argv[-1]  # python -m <module>, or the console script
        # where the app's modules are (their __file__ in messages); python -m names its entry __main__.py
        return {own: "<program>", "__main__.py": command, str(self.site_packages): "<app>"}

    def run(self, command: str, *args: str, stdin: str | None = None, env: dict | None = None,
            timeout: float = 30) -> subprocess.CompletedProcess:
        """Run one command; on timeout its whole process group goes (a child it left must not hold the pipes)."""
        done = proc.run_app([*self.argv(command), *args], env={**self.env, **(env or {})}, cwd=self.cwd,
                            stdin=stdin, timeout=timeout)
        return subprocess.CompletedProcess([command, *args], done.returncode, done.stdout, done.stderr)

    def run_in_terminal(self, command: str, *args: str, seconds: float, env: dict | None = None
                        ) -> subprocess.CompletedProcess:
        """Start `command` in a pseudo-terminal, as a user at a shell would; if it is still running after
        `seconds` (a server, a full-screen UI) it is stopped and STILL_RUNNING recorded. stdout: the screen."""
        return proc.run_app_in_terminal([*self.argv(command), *args], seconds, STILL_RUNNING, cwd=self.cwd,
                                        env={**self.env, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24",
                                             **(env or {})})

    def judge(self, ok: bool, what: str, out: subprocess.CompletedProcess | None = None,
              pip_installed: str = "same", about: tuple[str, str | int] | None = None) -> None:
        if about is not None:
            self.about[what] = about
        if out is not None:
            self.transcript.append((what, out, pip_installed))
        detail = "" if ok or out is None else f": exit {out.returncode}, {(out.stdout + out.stderr).strip()[-300:]!r}"
        if not self.quiet:
            print(f"{'ok  ' if ok else 'FAIL'} {what}{detail}", flush=True)
        if not ok:
            self.failures.append(what)
            self.details[what] = detail


def pip_installed_argv(env_folder: Path, app: App, os_name: str, through_python: bool = False
                       ) -> Callable[[str], list[str]]:
    """How pip's users start each command: its console script in the venv, or `python -m <package>`.
    `through_python`: the script handed to the venv's python (a venv reached through another path: the
    script's own #! line names the first one)."""
    scripts = env_folder / ("Scripts" if os_name == "windows" else "bin")
    python = scripts / names.program("python", os_name)
    by_name = {c.name: c for c in app.commands}

    def argv(command: str) -> list[str]:
        entry = by_name[command]
        if entry.function is None:
            return [str(python), "-m", entry.module]
        script = str(scripts / names.program(command, os_name))
        return [str(python), script] if through_python else [script]
    return argv
