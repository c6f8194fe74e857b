"""`python -m pkg smoke` (make build-test): unpack the archive somewhere else and prove every command works,
with a scrubbed environment, as a user who just downloaded it would run it.

Generic checks for every command (tool.pkg.commands.<name> turns one off or changes the exit code):
  --version       exits 0 and carries VERSION as a whole token ("tool 1.2.0", "tool, version 1.2.0", "v1.2.0")
  --help          exits 0 with output
  no arguments    no TTY, stdin closed: finishes within NO_ARGS_TIMEOUT_S with exit 0 (installer validation
                  bots do exactly this), or the configured no-args-exit
Then the app's own [[tool.pkg.checks]], in order, in one scratch folder; then startup budgets (hyperfine).
"""

import contextlib
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pkg.build import startup
from pkg.core import archive, model, names
from pkg.core.config import Check, Config
from pkg.core.errors import PkgError
from pkg.core.model import App, Kind, Timing
from pkg.core.stage import Stage
from pkg.core.targets import Target

NO_ARGS_TIMEOUT_S = 10


def scrubbed_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH/PYTHONHOME, no virtualenv, no user site: only what a fresh shell would have."""
    keep = {k: v for k, v in os.environ.items() if k in ("SYSTEMROOT", "SystemRoot", "WINDIR", "TEMP", "TMP")}
    path = "/usr/bin:/bin" if os.name != "nt" else os.environ.get("SystemRoot", r"C:\Windows") + r"\System32"
    return {**keep, "PATH": path, "HOME": str(home), "USERPROFILE": str(home), "LANG": "C.UTF-8"}


def carries_version(text: str, version: str) -> bool:
    """VERSION as a whole token: not 1.2.30 or 11.2.3 for 1.2.3; a leading v and trailing punctuation are fine."""
    tokens = re.split(r"[\s,;:()\[\]{}'\"=/]+", text)
    return any(re.sub(r"^[vV]", "", token).rstrip(".!") == version for token in tokens)


class Smoke:
    def __init__(self, folder: Path, os_name: str, env: dict[str, str], cwd: Path):
        self.folder, self.os_name, self.env, self.cwd = folder, os_name, env, cwd
        self.failures: list[str] = []

    def program(self, command: str) -> Path:
        return self.folder / names.program(command, self.os_name)

    def run(self, command: str, *args: str, stdin: str | None = None, env: dict | None = None,
            timeout: float = 30) -> subprocess.CompletedProcess:
        """Run one command; on timeout its whole process group goes (a child it left must not hold the pipes)."""
        proc = subprocess.Popen([str(self.program(command)), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE, text=True,
                                errors="replace", env={**self.env, **(env or {})}, cwd=self.cwd,
                                start_new_session=os.name != "nt")
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            if os.name != "nt":
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
            proc.communicate()
            return subprocess.CompletedProcess([command, *args], -1, "", f"timed out after {timeout:.0f} s")
        return subprocess.CompletedProcess([command, *args], proc.returncode, out, err)

    def check(self, ok: bool, what: str, out: subprocess.CompletedProcess | None = None) -> None:
        detail = "" if ok or out is None else f": exit {out.returncode}, {(out.stdout + out.stderr).strip()[-300:]!r}"
        print(f"{'ok  ' if ok else 'FAIL'} {what}{detail}", flush=True)
        if not ok:
            self.failures.append(what)


def generic_checks(smoke: Smoke, cfg: Config, app: App, version: str) -> None:
    for command in app.command_names:
        options = cfg.command_options(command)
        if options.version:
            out = smoke.run(command, "--version")
            smoke.check(out.returncode == 0 and carries_version(out.stdout + "\n" + out.stderr, version),
                        f"{command} --version carries {version}", out)
        if options.help:
            out = smoke.run(command, "--help")
            smoke.check(out.returncode == 0 and bool(out.stdout.strip()), f"{command} --help exits 0 with output", out)
        out = smoke.run(command, timeout=NO_ARGS_TIMEOUT_S)
        smoke.check(out.returncode == options.no_args_exit,
                    f"{command} with no arguments and no TTY exits {options.no_args_exit} "
                    f"within {NO_ARGS_TIMEOUT_S} s", out)


def declared_check(smoke: Smoke, check: Check, app: App) -> None:
    command = check.command or app.main.name
    if command not in app.command_names:
        smoke.check(False, f"{check.name}: {command!r} is not one of the commands {app.command_names}")
        return
    for name, text in check.files.items():
        path = smoke.cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    out = smoke.run(command, *check.args, stdin=check.stdin, env=check.env, timeout=check.timeout)
    ok = out.returncode == check.exit
    for expect in check.expect:
        text = out.stdout if expect.stream == "stdout" else out.stderr
        if expect.kind == "contains":
            ok = ok and expect.value in text
        elif expect.kind == "matches":
            ok = ok and re.search(expect.value, text, re.MULTILINE) is not None
        else:
            ok = ok and text == expect.value
    smoke.check(ok, check.name, out)


def timings(smoke: Smoke, cfg: Config, app: App) -> dict[str, Timing]:
    main = str(smoke.program(app.main.name))
    version_args = ["--version"] if cfg.command_options(app.main.name).version else list(cfg.help_args)
    results = {}
    for key, args, runs in (("version", version_args, 20), ("help", cfg.help_args, 10)):
        try:
            result = startup.measure([main, *args], runs=runs, env=smoke.env, cwd=smoke.cwd)
        except PkgError as exc:
            smoke.check(False, f"timing {app.main.name} {' '.join(args)}: {exc}")
            continue
        budget = cfg.budgets_ms[key]
        smoke.check(result["median_ms"] <= budget, f"{app.main.name} {' '.join(args)}: median "
                    f"{result['median_ms']:.1f} ms <= {budget:.0f} ms ({result['tool']})")
        results[key] = Timing(**result)
    return results


@contextlib.contextmanager
def unpacked(manifest: model.Manifest, dist: Path, target: Target) -> Iterator[tuple[Path, Path]]:
    """The target's archive as users get it (never the folder beside it: CI's artifact transfer drops
    links and modes), checked against its manifest and unpacked into a path with a space:
    (its top folder, a scratch folder)."""
    archives = [a for a in manifest.select(Kind.ARCHIVE) if a.target == target.name]
    if not archives:
        raise PkgError(f"no archive recorded for {target} (run `make build`)")
    file = dist / archives[0].path
    if not file.is_file() or model.sha256_file(file) != archives[0].sha256:
        raise PkgError(f"{file.name}: missing, or its sha256 differs from its manifest (rebuild with `make build`)")
    with tempfile.TemporaryDirectory(prefix="unpacked ") as tmp:
        top = archive.extract(file, Path(tmp) / "unpacked")
        missing = [c for c in manifest.app.command_names if not (top / names.program(c, target.os)).is_file()]
        if missing:
            raise PkgError(f"{file.name}: no {', '.join(missing)} in its top folder")
        yield top, Path(tmp)


def smoke(cfg: Config, target: Target, dist: Path) -> model.Manifest:
    path, manifest = model.find_build(dist, target.name)
    app = manifest.app
    file = names.archive(app.name, target.name)
    with unpacked(manifest, dist, target) as (top, tmp_path):
        work = tmp_path / "cwd"
        work.mkdir()
        checker = Smoke(top, target.os, scrubbed_env(tmp_path), work)
        generic_checks(checker, cfg, app, manifest.version)
        for check in cfg.checks:
            declared_check(checker, check, app)
        manifest.builds[target.name].startup = timings(checker, cfg, app)
    model.write(path, manifest)
    if checker.failures:
        raise PkgError(f"smoke test failed for {file}: {'; '.join(checker.failures)}")
    print(f"smoke test passed: {file} ({len(app.commands)} command(s), {len(cfg.checks)} declared check(s))")
    return manifest


STAGE = Stage("smoke", "the archive unpacked elsewhere: every command's --version, --help and no arguments, "
              "the app's checks, startup budgets", lambda ctx: smoke(ctx.cfg, ctx.target, ctx.dist))
