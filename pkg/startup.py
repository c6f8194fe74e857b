"""Startup time: hyperfine driven through subprocess (`-N`, warm-up, --export-json), or an in-Python
timer when hyperfine is missing (said in the result's `tool`)."""

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from pkg.errors import PkgError


def _summary(times_s: list[float], tool: str) -> dict:
    ms = [t * 1000 for t in times_s]
    return {"tool": tool, "runs": len(ms), "median_ms": round(statistics.median(ms), 2),
            "min_ms": round(min(ms), 2), "max_ms": round(max(ms), 2), "mean_ms": round(statistics.fmean(ms), 2)}


def with_hyperfine(cmd: list[str], runs: int, warmup: int, env: dict | None, cwd: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hyperfine.json"
        # -N: no intermediate shell, so arguments with spaces need no quoting and no shell time is added.
        command = " ".join(_quote(c) for c in cmd)
        proc = subprocess.run(
            ["hyperfine", "-N", "--style", "none", "--warmup", str(warmup), "--runs", str(runs),
             "--export-json", str(out), command],
            capture_output=True, text=True, env=env, cwd=cwd)
        if proc.returncode != 0:
            raise PkgError(f"hyperfine failed on {command!r}: {(proc.stderr or proc.stdout).strip()[-300:]}")
        result = json.loads(out.read_text())["results"][0]
    return _summary(result["times"], "hyperfine")


def _quote(arg: str) -> str:
    # hyperfine -N splits the command with shell-words rules: quote what needs it.
    return arg if arg and all(c.isalnum() or c in "-_./=:+@%," for c in arg) else "'" + arg.replace("'", "'\\''") + "'"


def with_timer(cmd: list[str], runs: int, warmup: int, env: dict | None, cwd: Path | None) -> dict:
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            raise PkgError(f"{cmd[0]} exited {proc.returncode} while timing {' '.join(cmd[1:])}")
        if i >= warmup:
            times.append(elapsed)
    return _summary(times, "python-timer (hyperfine not found)")


def measure(cmd: list[str], runs: int = 20, warmup: int = 3, env: dict | None = None,
            cwd: Path | None = None, use_hyperfine: bool | None = None) -> dict:
    if use_hyperfine is None:
        use_hyperfine = shutil.which("hyperfine") is not None
    if use_hyperfine:
        return with_hyperfine(cmd, runs, warmup, env, cwd)
    return with_timer(cmd, runs, warmup, env, cwd)
