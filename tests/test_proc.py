"""One way to run a short tool (pkg/core/proc.py `tool`): whatever goes wrong — missing, non-zero exit, no
answer in time — is one line naming what failed and the tool's own words, and through `python -m pkg` an
exit code with no traceback. Real programs (sh, sleep), nothing faked."""

import sys
import textwrap

import pytest

from pkg.core import proc
from pkg.core.errors import PkgError

from .conftest import run_pkg
from .fixtures import TOOL_PKG


def failure(*args, **kwargs) -> str:
    with pytest.raises(PkgError) as info:
        proc.tool(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_missing_tool_is_named_with_how_to_get_it():
    assert failure(["no-such-tool-here", "-x"], "making the MSI", hint="apt-get install wixl") == \
        "making the MSI: no-such-tool-here not found (apt-get install wixl)"


def test_a_long_step_that_cannot_start_is_one_line_too(tmp_path):
    """run_logged (uv, Nuitka: output kept in a log) as tool(): a missing or non-executable program is a line."""
    with pytest.raises(PkgError) as info:
        proc.run_logged([tmp_path / "uv", "build"], tmp_path / "logs" / "wheel.log", "building the app's wheel")
    assert str(info.value) == f"building the app's wheel: {tmp_path / 'uv'} not found"
    (tmp_path / "uv").write_text("not a program\n")  # there, but not executable
    with pytest.raises(PkgError, match=r"^building the app's wheel: .*/uv could not start: Permission denied$"):
        proc.run_logged([tmp_path / "uv", "build"], tmp_path / "logs" / "wheel.log", "building the app's wheel")


def test_a_failing_tool_gives_its_exit_code_and_its_last_line_without_noise():
    script = "echo noise: GLib-GObject-WARNING >&2; echo 'the cause' >&2; echo 'GLib-GObject-WARNING again' >&2; exit 3"
    assert failure(["sh", "-c", script], "wixl", noise="GLib-GObject-WARNING") == "wixl failed (exit 3): the cause"


def test_a_tool_that_prints_the_cause_first_then_a_stack():
    script = "echo 'Wrong password' >&2; echo '40E7:error:0308010C:digital envelope' >&2; exit 1"
    assert failure(["sh", "-c", script], "tool.exe: signing", noise=r"^[0-9A-F]+:error:", first=True) == \
        "tool.exe: signing failed (exit 1): Wrong password"


def test_stdout_speaks_when_stderr_is_silent_and_a_long_line_is_cut():
    assert failure(["sh", "-c", "echo 'said on stdout'; exit 2"], "nfpm") == "nfpm failed (exit 2): said on stdout"
    assert failure(["sh", "-c", "exit 4"], "git-cliff") == "git-cliff failed (exit 4): no output"
    long = failure([sys.executable, "-c", "import sys; sys.exit('x' * 1000)"], "t")
    assert long == "t failed (exit 1): " + "x" * proc.CAUSE_CHARS


def test_a_tool_that_hangs_is_one_line_not_a_traceback():
    assert failure(["sleep", "30"], "tailor --version", timeout=0.5) == \
        "tailor --version: sleep gave no answer within 0.5 s"


def test_a_tool_that_reads_stdin_gets_end_of_file_not_the_terminal():
    """No short tool waits on a prompt (help2man runs the app, which may read stdin): it reads nothing."""
    assert proc.tool(["sh", "-c", "read line; echo got:$?"], "sh", timeout=10).stdout == "got:1\n"


def test_an_out_of_date_uv_lock_is_one_line_naming_it_and_the_fix(tmp_path):
    import dataclasses

    from pkg.compile import appenv

    from .conftest import example_config

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.0"\ndependencies = []\n')
    proc.tool([appenv.uv(), "lock", "--offline", "--project", tmp_path], "uv lock")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1.0"\ndependencies = ["pyyaml"]\n')
    cfg = dataclasses.replace(example_config(), project_dir=tmp_path, requirements=None)
    with pytest.raises(PkgError) as info:
        appenv.app_requirements(cfg, tmp_path / "reqs", ())
    assert "uv.lock checked against its pyproject.toml (`uv lock` in" in str(info.value)
    assert "failed (exit " in str(info.value) and "\n" not in str(info.value)


def test_success_returns_the_output():
    assert proc.tool(["sh", "-c", "echo out; echo err >&2"], "sh").stdout == "out\n"


def test_through_the_cli_a_failing_build_backend_is_one_line_and_exit_1(tmp_path):
    """`make check` on a project whose backend cannot report its metadata: the first tool a new user's project
    meets. One `error:` line naming the folder and the backend's own last line; no traceback."""
    project = tmp_path / "app"
    (project / "broken_backend").mkdir(parents=True)
    (project / "broken_backend" / "__init__.py").write_text(textwrap.dedent("""\
        def _fail(*args, **kwargs):
            raise SystemExit("this backend cannot say what it builds")
        get_requires_for_build_wheel = prepare_metadata_for_build_wheel = build_wheel = _fail
        """))
    (project / "pyproject.toml").write_text(textwrap.dedent("""\
        [build-system]
        requires = []
        build-backend = "broken_backend"
        backend-path = ["."]
        [project]
        name = "broken"
        dynamic = ["version"]
        """))
    (tmp_path / "pyproject.toml").write_text(TOOL_PKG.format(project="app"))
    done = run_pkg("--root", str(tmp_path), "check")  # the pipeline here acting on that packaging repository
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert "Traceback" not in done.stderr and len(lines) == 1, done.stderr
    assert lines[0].startswith(f"error: {project}: the build backend, reporting metadata, failed (exit 1): ")
    assert lines[0].endswith("this backend cannot say what it builds")



def test_the_app_under_test_that_cannot_start_is_a_result_not_a_traceback(tmp_path):
    """A smoke check of a missing or non-executable command link: exit 127 or 126 and why, as a shell says."""
    missing = proc.run_app([tmp_path / "mytool", "--version"])
    assert missing.returncode == 127
    assert missing.stderr == f"{tmp_path / 'mytool'} could not start: No such file or directory"
    (tmp_path / "mytool").write_text("#!/bin/sh\necho hi\n")  # not executable
    for done in (proc.run_app([tmp_path / "mytool"]), proc.run_app_in_terminal([tmp_path / "mytool"], 5, -9)):
        assert done.returncode == 126 and "could not start: Permission denied" in done.stderr


def test_git_raises_on_any_exit_code_the_caller_did_not_name(tmp_path, monkeypatch):
    """proc.git: an exit code the caller expects is its answer; any other, or no git at all, is one line."""
    outside = proc.git(tmp_path, "status", "--porcelain", expect=(0, proc.NOT_A_REPOSITORY))
    assert outside.returncode == proc.NOT_A_REPOSITORY  # an answer: not a repository
    with pytest.raises(PkgError) as info:
        proc.git(tmp_path, "status", "--porcelain")
    assert str(info.value).startswith(f"git status --porcelain in {tmp_path} failed (exit 128): fatal: not a git")
    assert "\n" not in str(info.value)
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on the PATH
    with pytest.raises(PkgError) as info:
        proc.git(tmp_path, "log")
    assert str(info.value) == "git log: git not found (install git)"
