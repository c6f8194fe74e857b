"""`python -m pkg smoke` (make build-test): unpack the archive somewhere else and prove the binary works
with a scrubbed environment, as a user who just downloaded it would run it."""

import json
import os
import subprocess
import tempfile
from pathlib import Path

from pkg import archive, manifest, startup
from pkg.config import Config
from pkg.errors import PkgError
from pkg.targets import Target

SAMPLE_LOG = """\
2026-11-01 10:00:00 DEBUG starting worker
2026-11-01 10:00:01 INFO listening on :8080
2026-11-01 10:00:02 WARNING disk 91% full
2026-11-01 10:00:03 ERROR request failed
Traceback (most recent call last):
  ValueError: boom
2026-11-01 10:00:04 UTC [4242] LOG:  checkpoint starting
2026-11-01 10:00:05 UTC [4242] FATAL:  password authentication failed
2026-11-01 10:00:06 INFO done
"""
# At --level error: the ERROR line, the traceback lines that belong to it, and PostgreSQL's FATAL.
EXPECTED_AT_ERROR = [SAMPLE_LOG.splitlines()[i] for i in (3, 4, 5, 7)]


# What `tailor doctor --json` must report as true in a healthy build.
DOCTOR_KEYS = ("compiled", "data_file", "native_module", "platform_module", "metadata")


def scrubbed_env(home: Path) -> dict[str, str]:
    """No PYTHONPATH/PYTHONHOME, no virtualenv, no user site: only what a fresh shell would have."""
    keep = {k: v for k, v in os.environ.items() if k in ("SYSTEMROOT", "SystemRoot", "WINDIR", "TEMP", "TMP")}
    path = "/usr/bin:/bin" if os.name != "nt" else os.environ.get("SystemRoot", r"C:\Windows") + r"\System32"
    return {**keep, "PATH": path, "HOME": str(home), "USERPROFILE": str(home), "LANG": "C.UTF-8"}


class Smoke:
    def __init__(self, binary: Path, env: dict[str, str], cwd: Path):
        self.binary, self.env, self.cwd = binary, env, cwd
        self.failures: list[str] = []

    def run(self, *args: str, stdin=subprocess.DEVNULL, timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.binary), *args], capture_output=True, text=True, env=self.env,
                              cwd=self.cwd, stdin=stdin, timeout=timeout)

    def check(self, ok: bool, what: str, detail: str = "") -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {what}" + (f": {detail}" if detail and not ok else ""), flush=True)
        if not ok:
            self.failures.append(what)


def run_checks(smoke: Smoke, cfg: Config, version: str, budgets_ms: dict[str, float]) -> dict:
    out = smoke.run("--version")
    smoke.check(out.returncode == 0 and out.stdout.strip() == f"{cfg.app} {version}",
                f"--version prints '{cfg.app} {version}'", out.stdout.strip() + out.stderr.strip()[-200:])

    out = smoke.run("tail", "--help")
    smoke.check(out.returncode == 0 and "Print the last lines of FILE" in out.stdout,
                "tail --help shows the docstring", out.stdout[:200] + out.stderr[-200:])

    out = smoke.run("doctor", "--json")
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        report = {}
    bad = [k for k in DOCTOR_KEYS if report.get(k) is not True]
    smoke.check(out.returncode == 0 and not bad, "doctor --json is all true", f"false: {bad} {out.stderr[-200:]}")

    out = smoke.run(timeout=5)
    smoke.check(out.returncode == 0 and "Usage:" in out.stdout, "no arguments, no TTY: usage and exit 0",
                f"exit {out.returncode}")

    log = smoke.cwd / "sample log.txt"  # a space in the name on purpose
    log.write_text(SAMPLE_LOG, encoding="utf-8")
    out = smoke.run("tail", str(log), "--level", "error", "--lines", "50")
    got = out.stdout.splitlines()
    smoke.check(out.returncode == 0 and got == EXPECTED_AT_ERROR, "tail --level error filters by level",
                repr(got))

    out = smoke.run("tail", str(log), "--level", "bogus")
    smoke.check(out.returncode != 0 and "unknown level" in out.stderr, "tail --level bogus is refused")

    timings = {"version": startup.measure([str(smoke.binary), "--version"], env=smoke.env, cwd=smoke.cwd),
               "help": startup.measure([str(smoke.binary), "tail", "--help"], runs=10, env=smoke.env, cwd=smoke.cwd)}
    for key, result in timings.items():
        budget = budgets_ms[key]
        smoke.check(result["median_ms"] <= budget,
                    f"{key} median {result['median_ms']:.1f} ms <= {budget:.0f} ms ({result['tool']})")
    return timings


def smoke(cfg: Config, target: Target, dist: Path) -> dict:
    record = manifest.read(manifest.record_path(dist, cfg.app, target.name))
    archive_entry = next((a for a in record["artifacts"] if a["kind"] == "archive"), None)
    if archive_entry is None:
        raise PkgError(f"no archive recorded for {target} (run `make build`)")
    path = dist / archive_entry["path"]
    if manifest.sha256_file(path) != archive_entry["sha256"]:
        raise PkgError(f"{path.name}: sha256 differs from its artifact record (rebuild with `make build`)")
    with tempfile.TemporaryDirectory(prefix="smoke ") as tmp:  # a space in the path on purpose
        tmp_path = Path(tmp)
        top = archive.extract(path, tmp_path / "unpacked")
        binary = top / (cfg.app + target.exe_suffix)
        if not binary.is_file():
            raise PkgError(f"{path.name}: no {binary.name} in its top folder")
        work = tmp_path / "cwd"
        work.mkdir()
        checker = Smoke(binary, scrubbed_env(tmp_path), work)
        timings = run_checks(checker, cfg, record["version"], cfg.budgets_ms)
    record["startup"] = timings
    manifest.write(dist, record)
    if checker.failures:
        raise PkgError(f"smoke test failed for {path.name}: {', '.join(checker.failures)}")
    print(f"smoke test passed: {path.name}")
    return record
