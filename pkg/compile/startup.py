"""Startup time: hyperfine driven through subprocess (`-N`, warm-up, --export-json), or an in-Python
timer when hyperfine is missing (said in the result's `tool`). Also peak memory, many starts at once,
and instruction counts (callgrind), which `make bench` reports."""

import json
import math
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pkg.core import proc
from pkg.core.errors import PkgError


def _summary(times_s: list[float], tool: str) -> dict:
    ms = [t * 1000 for t in times_s]
    return {"tool": tool, "runs": len(ms), "median_ms": round(statistics.median(ms), 2),
            "min_ms": round(min(ms), 2), "max_ms": round(max(ms), 2), "mean_ms": round(statistics.fmean(ms), 2)}


def with_hyperfine(cmd: list[str], runs: int, warmup: int, env: dict | None, cwd: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hyperfine.json"
        # -N: no intermediate shell, so arguments with spaces need no quoting and no shell time is added.
        command = " ".join(_quote(c) for c in cmd)
        proc.tool(["hyperfine", "-N", "--style", "none", "--warmup", warmup, "--runs", runs, "--export-json", out,
                   command], f"hyperfine on {command!r}", env=env, cwd=cwd, hint="make setup installs it")
        result = json.loads(out.read_text())["results"][0]
    return _summary(result["times"], "hyperfine")


def _quote(arg: str) -> str:
    # hyperfine -N splits the command with shell-words rules: quote what needs it.
    return arg if arg and all(c.isalnum() or c in "-_./=:+@%," for c in arg) else "'" + arg.replace("'", "'\\''") + "'"


def with_timer(cmd: list[str], runs: int, warmup: int, env: dict | None, cwd: Path | None) -> dict:
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        done = proc.run_app(cmd, env=env, cwd=cwd, capture=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise PkgError(f"{cmd[0]} exited {done.returncode} while timing {' '.join(cmd[1:])}")
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


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def gnu_time() -> str | None:
    path = shutil.which("time")  # the program, not the shell keyword
    if path is None:
        return None
    probe = proc.answer([path, "--version"])
    return path if probe is not None and "GNU" in probe.stdout + probe.stderr else None


def peak_rss_kb(cmd: list[str], runs: int = 5, env: dict | None = None, cwd: Path | None = None) -> int | None:
    """Median peak resident set size (KiB) of `cmd` and the children it waits for (a onefile launcher's
    payload process), measured by GNU time; None without it (Debian package `time`).

    Not wait4() on our own child: Python starts children with vfork, and the kernel records the parent's
    (this big process's) peak into the child's at exec."""
    time_path = gnu_time()
    if time_path is None:
        return None
    peaks = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rss"
        for _ in range(runs):
            proc.tool([time_path, "-f", "%M", "-o", out, *cmd], f"{cmd[0]}, its memory measured,", env=env, cwd=cwd)
            peaks.append(int(out.read_text().split()[-1]))
    return int(statistics.median(peaks))


def concurrent(cmd: list[str], n: int = 50, env: dict | None = None, cwd: Path | None = None,
               timeout: float = 120) -> dict:
    """Start `cmd` n times at once (as a credential helper is started by many tools together)."""
    barrier = threading.Barrier(n)

    def one(_: int) -> tuple[int, float]:
        barrier.wait()
        start = time.perf_counter()
        code = proc.run_app(cmd, env=env, cwd=cwd, timeout=timeout, capture=False).returncode  # -1: timed out
        return code, (time.perf_counter() - start) * 1000

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(one, range(n)))
    wall = (time.perf_counter() - start) * 1000
    times = [t for _, t in results]
    failed = sum(1 for code, _ in results if code != 0)
    return {"n": n, "failed": failed, "all_ok": failed == 0, "p50_ms": round(percentile(times, 50), 2),
            "p95_ms": round(percentile(times, 95), 2), "max_ms": round(max(times), 2), "wall_ms": round(wall, 2)}


def has_callgrind() -> bool:
    return shutil.which("valgrind") is not None


def instructions(cmd: list[str], env: dict | None = None, cwd: Path | None = None,
                 timeout: float = 600) -> int | None:
    """Instructions executed by `cmd` and its children (valgrind callgrind): noise-free on a busy machine.
    None when valgrind is not installed."""
    if not has_callgrind():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        proc.tool(["valgrind", "--tool=callgrind", "--trace-children=yes", f"--callgrind-out-file={tmp}/callgrind.%p",
                   *cmd], f"valgrind on {cmd[0]}", env=env, cwd=cwd, timeout=timeout)
        return sum(callgrind_total(path.read_text(errors="replace")) for path in Path(tmp).glob("callgrind.*"))


def callgrind_total(text: str) -> int:
    """The instruction count of one callgrind output file (its `summary:` or `totals:` line)."""
    for line in text.splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise PkgError("callgrind output has no summary line")
