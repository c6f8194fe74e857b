"""Running tools, one way. The long ones (uv, Nuitka, PyInstaller): output shown live and kept in a log; a
failure is one line naming the log, with the log's tail printed above it. The short ones (git-cliff, nfpm,
wixl, osslsigncode, signing steps, hyperfine…): output captured; a failure — it cannot start, exits non-zero,
or gives no answer in time — is one line saying what failed and the tool's own words, never a traceback."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pkg.core.errors import PkgError

LOG_TAIL_LINES = 25
CAUSE_CHARS = 300  # of a short tool's own line, in the one-line error


def pinned_tool(name: str) -> str:
    """A program the pipeline's locked tools install (git-cliff, nfpm, sigstore…): beside this Python in
    .tools/venv, else on PATH."""
    here = Path(sys.executable).with_name(name)
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        raise PkgError(f"{name} not found (it comes with the pipeline's tools: run `make setup`)")
    return found


def uv() -> str:
    """The pipeline's pinned uv (pkg/uv.lock), else UV or uv from PATH."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return os.environ.get("UV", "uv")


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for tools run on the app's behalf: nothing of the pipeline's own venv leaks in."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX")}
    return {**env, **(extra or {})}


def cannot_start(what: str, program: str, exc: OSError, hint: str | None = None) -> PkgError:
    """The one-line error for a program that did not start (missing, not executable…)."""
    if isinstance(exc, FileNotFoundError):
        return PkgError(f"{what}: {program} not found" + (f" ({hint})" if hint else ""))
    return PkgError(f"{what}: {program} could not start: {exc.strerror or exc}")


def run_logged(cmd: list[str], log: Path, what: str, env: dict | None = None, cwd: Path | None = None,
               quiet: bool = False) -> None:
    """Run `cmd`, keep its output in `log` (and show it unless `quiet`); on failure show the log's tail."""
    log.parent.mkdir(parents=True, exist_ok=True)
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    with open(log, "w", encoding="utf-8") as out:
        try:
            proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, errors="replace", env=env, cwd=cwd)
        except OSError as exc:
            raise cannot_start(what, str(cmd[0]), exc) from None
        for line in proc.stdout:
            if not quiet:
                sys.stdout.write(line)
            out.write(line)
        code = proc.wait()
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-LOG_TAIL_LINES:]
        sys.stderr.write("\n".join(tail) + "\n")
        raise PkgError(f"{what} failed (exit {code}); full log: {log}")


def tool(cmd: list, what: str, env: dict | None = None, cwd: Path | None = None, timeout: float | None = None,
         noise: str | None = None, first: bool = False, hint: str | None = None) -> subprocess.CompletedProcess:
    """Run a short tool, its output captured; PkgError in one line when it fails: `what`, how it failed, and
    the tool's last line on stderr (else stdout) — its first with `first` (tools that print the cause, then a
    stack) — skipping lines that match the regex `noise`. `hint`: how to get the tool, when it is missing.
    Without `cwd` it runs in an empty scratch folder (Path arguments made absolute): what a tool finds in its
    working directory — nfpm resolved links against it, and the repository root has the app's folders — never
    changes what it makes."""
    argv = [str(c.absolute()) if isinstance(c, Path) else str(c) for c in cmd]
    try:
        with tempfile.TemporaryDirectory(prefix="tool-") as scratch:
            done = subprocess.run(argv, capture_output=True, text=True, encoding="utf-8", errors="replace", env=env,
                                  cwd=cwd or scratch, timeout=timeout, stdin=subprocess.DEVNULL)
        # UTF-8 whatever the locale (msiinfo prints names in it); no stdin: a tool that asks waits for no one
    except OSError as exc:
        raise cannot_start(what, argv[0], exc, hint) from None
    except subprocess.TimeoutExpired:
        raise PkgError(f"{what}: {Path(argv[0]).name} gave no answer within {timeout:g} s") from None
    if done.returncode != 0:
        lines = [ln.strip() for ln in (done.stderr.strip() or done.stdout).splitlines()
                 if ln.strip() and not (noise and re.search(noise, ln))]
        cause = (lines[0] if first else lines[-1]) if lines else "no output"
        raise PkgError(f"{what} failed (exit {done.returncode}): {cause[:CAUSE_CHARS]}")
    return done


@dataclass(frozen=True)
class Step:
    """One command of a signing sequence: its secrets and paths travel in the environment, never in argv
    (which any process on the machine can read)."""
    argv: list[str]
    env: dict[str, str]

    def run(self, what: str, **options) -> str:
        """tool() with the step's environment over the process's; its stdout."""
        return tool(self.argv, what, env={**os.environ, **self.env}, **options).stdout


def answer(cmd: list, cwd: Path | None = None, timeout: float = 60, env: dict | None = None
           ) -> subprocess.CompletedProcess | None:
    """A look-up whose exit code is the answer (dpkg -S, rpm -qf: 1 is "no"; a clean-up that may find nothing to
    clean), in `cwd` or a scratch folder; None when the tool is not here or gives no answer within `timeout`."""
    try:
        with tempfile.TemporaryDirectory(prefix="answer-") as scratch:
            return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, errors="replace",
                                  cwd=cwd or scratch, timeout=timeout, stdin=subprocess.DEVNULL, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None


def not_started(argv: list, exc: OSError) -> subprocess.CompletedProcess:
    """A program that could not start, as a shell reports it: exit 127 when it is missing, 126 otherwise."""
    code = 127 if isinstance(exc, FileNotFoundError) else 126
    return subprocess.CompletedProcess(argv, code, "", f"{argv[0]} could not start: {exc.strerror or exc}")


def run_app(argv: list, env: dict | None = None, cwd: Path | None = None, stdin: str | None = None,
            timeout: float | None = None, capture: bool = True) -> subprocess.CompletedProcess:
    """The app under test (smoke checks, startup timings, completion scripts it prints): its one home. It runs
    in its own process group, stopped with whatever it left running (workers, a process storm) when it exits,
    and at `timeout` (exit -1, stderr saying so); `capture`: its output kept (else discarded, for timing)."""
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    try:
        started = subprocess.Popen([str(a) for a in argv], stdout=out, stderr=out, text=True, errors="replace",
                                   stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE, env=env, cwd=cwd,
                                   start_new_session=os.name != "nt")
    except OSError as exc:  # a command link missing or not executable: what a smoke test exists to report
        return not_started(argv, exc)
    try:
        stdout, stderr = started.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(started)
        started.communicate()
        return subprocess.CompletedProcess(argv, -1, "", f"timed out after {timeout:.0f} s")
    stop_group(started)
    return subprocess.CompletedProcess(argv, started.returncode, stdout or "", stderr or "")


def run_app_in_terminal(argv: list, seconds: float, still_running: int, env: dict | None = None,
                        cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The app under test in a pseudo-terminal, as a user at a shell starts it; if it is still running after
    `seconds` (a server, a full-screen UI) it is stopped and `still_running` is its exit code. stdout: the screen."""
    import pty

    leader, follower = pty.openpty()
    try:
        started = subprocess.Popen([str(a) for a in argv], stdin=follower, stdout=follower, stderr=follower, env=env,
                                   cwd=cwd, start_new_session=True)
    except OSError as exc:
        os.close(follower)
        os.close(leader)
        return not_started(argv, exc)
    os.close(follower)
    try:
        code = started.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        code = still_running
        stop_group(started)
    return subprocess.CompletedProcess(argv, code, _drain(leader), "")


def _drain(fd: int) -> str:
    import select

    chunks = []
    try:
        while select.select([fd], [], [], 0.2)[0]:
            data = os.read(fd, 65536)
            if not data:
                break
            chunks.append(data)
    except OSError:  # EIO: the terminal's other side is closed
        pass
    finally:
        os.close(fd)
    return b"".join(chunks).decode(errors="replace")


def stop_group(started: subprocess.Popen) -> None:
    """Kill a process started with start_new_session and everything in its group."""
    if os.name != "nt":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(started.pid, signal.SIGKILL)
    started.kill()
    started.wait()


NOT_A_REPOSITORY = 128  # git's exit code outside a repository (and for a revision or path it cannot find)


def git(root: Path, *args: str, expect: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    """git in `root`. Its exit code is an answer only where the caller names it in `expect` (1 from
    `merge-base --is-ancestor` is "no"); any other, or git not starting, is one line naming the command."""
    argv = ["git", "-C", str(root), *args]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, errors="replace", stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise cannot_start(f"git {args[0]}", "git", exc, "install git") from None
    if done.returncode not in expect:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PkgError(f"git {' '.join(args)} in {root} failed (exit {done.returncode}): {said[:CAUSE_CHARS]}")
    return done
