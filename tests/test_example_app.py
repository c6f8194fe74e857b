"""The example app as pip installs it (its wheel in the build environment the e2e build made, not the
pipeline's own venv): the behaviours the compiled build must keep. These are tailor's own tests; the
pipeline runs them because tailor is its example."""

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pkg.compile import appenv
from pkg.core import names
from pkg.project import metadata as project

from .conftest import ROOT, example_config

LEVEL_CHECK = "tail --level error filters by level and keeps tracebacks"  # one of the example's declared checks


def level_check():
    """The sample log of that check, and what it expects at --level error (read when a test asks)."""
    check = {c.name: c for c in example_config().checks}[LEVEL_CHECK]
    return check.files["sample log.txt"], check.expect[0].value.splitlines()
VERSION = project.read(ROOT / "app").version


@pytest.fixture(scope="module")
def python(example_build):
    """The e2e build's environment: tailor's wheel and its locked dependencies, as pip installs them."""
    found = appenv.venv_python(example_build.work / names.ENV)
    assert found.is_file()
    return found


@pytest.fixture
def tailor(python):
    def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([str(python), "-m", "tailor", *args], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, **kwargs)
    return run


def test_version_fast_path_does_not_import_click(python):
    code = ("import sys\nsys.argv = ['tailor', '--version']\nfrom tailor.__main__ import main\nmain()\n"
            "print('click' in sys.modules, file=sys.stderr)")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == f"tailor {VERSION}"
    assert out.stderr.strip() == "False"


def test_no_arguments_without_tty_prints_usage_and_exits_0(tailor):
    out = tailor(timeout=10)
    assert out.returncode == 0 and out.stdout.startswith("Usage:")


def test_tail_filters_by_level_and_keeps_tracebacks(tmp_path, tailor):
    sample_log, expected_at_error = level_check()
    log = tmp_path / "app log.txt"
    log.write_text(sample_log)
    out = tailor("tail", str(log), "--level", "ERROR", "-n", "50")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == expected_at_error
    out = tailor("tail", str(log), "--lines", "2")
    assert out.stdout.splitlines() == sample_log.splitlines()[-2:]
    out = tailor("tail", str(log), "--level", "warn", "-n", "1")  # an alias, any case
    assert out.stdout.splitlines() == [sample_log.splitlines()[7]]


def test_colour_when_asked(tmp_path, tailor):
    log = tmp_path / "x.log"
    log.write_text("ERROR boom\nINFO fine\n")
    out = tailor("tail", str(log), "--color", "always")
    assert "\x1b[31" in out.stdout and "\x1b[32m" in out.stdout
    assert "\x1b[" not in tailor("tail", str(log)).stdout  # not a TTY: plain


@pytest.mark.parametrize("args,message", [
    (["tail", "LOG", "--level", "loud"], "unknown level 'loud'"),
    (["tail", "missing.log"], "does not exist"),
    (["tail", "LOG", "--lines", "-1"], "-1"),
])
def test_bad_input(tmp_path, args, message, tailor):
    log = tmp_path / "LOG"
    log.write_text("INFO x\n")
    out = tailor(*args, cwd=tmp_path)
    assert out.returncode == 2 and message in out.stderr


def test_levels_lists_postgres_levels(tailor):
    out = tailor("levels")
    names = [line.split()[1] for line in out.stdout.splitlines()]
    assert {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "LOG", "NOTICE", "FATAL", "PANIC"} <= set(names)


def test_doctor_json_from_source(tailor):
    out = tailor("doctor", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 0
    assert report["version"] == VERSION and report["compiled"] is False
    assert all(report[k] for k in ("data_file", "native_module", "platform_module", "metadata"))


def holds_open_at_end(pid: int, path: Path) -> bool:
    """Whether process `pid` has `path` open, positioned at its end (Linux's /proc)."""
    size, real = path.stat().st_size, str(path.resolve())
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd) == real:
                info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
                if int(info.split("pos:", 1)[1].split()[0]) == size:
                    return True
        except (OSError, IndexError, ValueError):
            continue
    return False


def test_follow_prints_appended_lines_and_stops_with_pid(tmp_path, python):
    """Each step waits for what the follower has done, never for a time: it printed the old line, holds the
    file open at its end (following), printed the appended line; then the watched process ends, and so does it."""
    log = tmp_path / "f.log"
    log.write_text("ERROR old\nINFO old\n")
    watched = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    proc = subprocess.Popen([str(python), "-m", "tailor", "tail", str(log), "-f", "--pid", str(watched.pid),
                             "--level", "error"], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    def line() -> str:
        """The follower's next line, or a failure after a minute (never a hang)."""
        assert select.select([proc.stdout], [], [], 60)[0], "the follower printed nothing for a minute"
        return proc.stdout.readline()

    try:
        assert line() == "ERROR old\n"  # the last lines, read and closed
        deadline = time.monotonic() + 60
        while not holds_open_at_end(proc.pid, log):  # following: opened again, at the end
            assert proc.poll() is None and time.monotonic() < deadline, "the follower never followed"
            time.sleep(0.01)
        with log.open("a") as handle:
            handle.write("ERROR new\nINFO skip\n")
        assert line() == "ERROR new\n"
    finally:
        watched.stdin.close()
        watched.wait()
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out == ""  # INFO is below the level
