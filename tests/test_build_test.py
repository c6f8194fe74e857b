"""The smoke test's generic and declared checks, on stand-in programs (shell scripts) so every rule can be
seen to fail; the real builds run them in tests/test_build_e2e.py and the adoption tests."""

import os
import textwrap
from pathlib import Path

import pytest

from pkg.compile import build_test, compare, running
from pkg.core import version
from pkg.core.config import Check, CommandOptions, Config, Expect
from pkg.core.model import Command
from tests.fixtures import multi_app


@pytest.mark.parametrize(("text", "ok"), [
    ("tool 1.2.0", True), ("tool, version 1.2.0", True), ("v1.2.0", True), ("tool (1.2.0)", True),
    ("1.2.0 (mccabe: 0.7.0, pycodestyle: 2.15.0) CPython 3.11.7", True), ("Version: 1.2.0.", True),
    ("tool 1.2.0rc1", False), ("tool 11.2.0", False), ("tool 1.2.01", False), ("tool", False), ("", False),
])
def test_version_as_a_whole_token(text, ok):
    assert version.carries_version(text, "1.2.0") is ok


def program(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@pytest.fixture
def checker(tmp_path) -> running.Checker:
    folder = tmp_path / "folder"
    folder.mkdir()
    program(folder, "mytool", """case "$1" in
  --version) echo "mytool, version 0.2.0" ;;
  --help) echo "usage: mytool" ;;
  greet) echo "hi $NAME"; cat ;;
  read) cat "$2" ;;
  fail) echo "bad" >&2; exit 3 ;;
  "") echo "usage" ;;
esac
""")
    # wrong at everything: no version, --help fails, no arguments hangs (only that one waits for a timeout)
    program(folder, "mytool-admin", 'case "$1" in\n  --version) echo nope; exit 2 ;;\n  --help) exit 1 ;;\n'
                                    '  *) sleep 30 ;;\nesac\n')
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    return running.Checker(folder, "linux", running.scrubbed_env(tmp_path), cwd)


def cfg(**options) -> Config:
    return Config(Path("."), Path("."), None, "P", "P.A", "0", "x", command=options)


def test_generic_checks_run_for_every_command(checker, monkeypatch):
    monkeypatch.setattr(build_test, "NO_ARGS_TIMEOUT_S", 1)
    build_test.generic_checks(checker, cfg(), multi_app(), "0.2.0")
    assert checker.failures == ["mytool-admin --version carries 0.2.0", "mytool-admin --help exits 0 with output",
                                "mytool-admin with no arguments and no TTY exits 0 within 1 s"]


def test_configured_commands_skip_or_expect_other_exit_codes(checker, monkeypatch):
    monkeypatch.setattr(build_test, "NO_ARGS_TIMEOUT_S", 1)
    app = multi_app().model_copy(update={"commands": (Command(name="mytool", module="m", function="main"),)})
    build_test.generic_checks(checker, cfg(mytool=CommandOptions(version=False, no_args_exit=0)), app, "9.9.9")
    assert checker.failures == []


@pytest.mark.parametrize(("check", "ok"), [
    (Check("stdin and env", args=("greet",), stdin="from stdin\n", env={"NAME": "Ann"},
           expect=(Expect("stdout", "equals", "hi Ann\nfrom stdin\n"),)), True),
    (Check("a file written first", args=("read", "in put.txt"), files={"in put.txt": "payload"},
           expect=(Expect("stdout", "contains", "payload"),)), True),
    (Check("expected exit and stderr", args=("fail",), exit=3, expect=(Expect("stderr", "matches", "^ba"),)), True),
    (Check("wrong exit", args=("fail",)), False),
    (Check("wrong text", args=("--help",), expect=(Expect("stdout", "contains", "nope"),)), False),
    (Check("unknown command", command="elsewhere"), False),
    (Check("timeout", command="mytool-admin", timeout=1), False),
])
def test_declared_checks(checker, check, ok):
    build_test.declared_check(checker, check, multi_app())
    assert (checker.failures == []) is ok


def test_scrubbed_environment_has_no_python_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/x")
    monkeypatch.setenv("VIRTUAL_ENV", "/y")
    env = running.scrubbed_env(tmp_path)
    assert "PYTHONPATH" not in env and "VIRTUAL_ENV" not in env and env["HOME"] == str(tmp_path)
    assert os.pathsep not in env["PATH"] or "venv" not in env["PATH"]


# --- the compiled program against the pip-installed app ------------------------------------------------

def two_ways(tmp_path, compiled_body: str, pip_body: str):
    from pkg.compile.context import venv_site_packages

    """A "pip-installed" app (a venv-shaped folder with bin/<command>) and a "compiled" one, run in the same
    scratch folder one after the other, as smoke() does."""
    venv, folder, cwd = tmp_path / "env", tmp_path / "compiled", tmp_path / "cwd"
    (venv / "bin").mkdir(parents=True)
    folder.mkdir()
    cwd.mkdir()
    app = multi_app().model_copy(update={"commands": (Command(name="mytool", module="m", function="main"),)})
    program(venv / "bin", "mytool", pip_body)
    program(folder, "mytool", compiled_body)
    env = running.scrubbed_env(tmp_path)
    reference = running.Checker(venv, "linux", env, cwd, argv=running.pip_installed_argv(venv, app, "linux"),
                                   quiet=True, site_packages=venv_site_packages(venv))
    compiled = running.Checker(folder, "linux", env, cwd)
    for checker in (reference, compiled):
        build_test.all_checks(checker, cfg(), app, "0.2.0")
    return reference, compiled


BODY = 'case "$1" in --version) echo "mytool 0.2.0" ;; *) echo "usage: $0 [--version]" ;; esac\n'


def test_the_same_behaviour_compares_equal_with_the_programs_own_path_normalised(tmp_path):
    reference, compiled = two_ways(tmp_path, BODY, BODY)  # "$0" differs: each program's own path
    assert reference.failures == compiled.failures == []
    assert compare.differences(reference, compiled) == []


def test_a_different_output_or_exit_code_is_a_failure_naming_the_check(tmp_path):
    drifted = 'case "$1" in --version) echo "mytool 0.2.0" ;; --help) echo "usage"; exit 0 ;; ' \
              '*) echo "usage: $0" >&2; exit 0 ;; esac\n'
    reference, compiled = two_ways(tmp_path, drifted, BODY)
    found = compare.differences(reference, compiled)
    assert [f.split(":", 1)[0] for f in found] == ["mytool --help exits 0 with output"] * 1 + \
        ["mytool with no arguments and no TTY exits 0 within 10 s"] * 2
    assert "stdout differs from the pip-installed app's (line 1: pip-installed 'usage: <program> [--version]', " \
           "compiled 'usage')" in found[0]


def test_a_server_or_full_screen_ui_is_proven_still_running_in_a_terminal(checker, monkeypatch, tmp_path):
    monkeypatch.setattr(build_test, "RUNS_FOR_S", 1)
    program(checker.folder, "server", '[ -t 0 ] && [ -t 1 ] && echo "serving" && sleep 30\n')  # needs a terminal
    program(checker.folder, "quits", "echo bye\n")
    app = multi_app().model_copy(update={"commands": (Command(name="server", module="m", function="main"),
                                                      Command(name="quits", module="m", function="main"))})
    runs = CommandOptions(version=False, help=False, no_args_runs=True)
    build_test.generic_checks(checker, cfg(server=runs, quits=runs), app, "0.2.0")
    assert checker.failures == ["quits with no arguments, in a terminal, is still running after 1 s"]
    served = checker.transcript[0][1]
    assert served.returncode == running.STILL_RUNNING and "serving" in served.stdout


def test_a_terminal_check_reads_the_screen_of_a_program_that_keeps_running(checker, tmp_path):
    program(checker.folder, "viewer", '[ -t 1 ] || exit 9\ncat "$1"; sleep 30\n')
    app = multi_app().model_copy(update={"commands": (Command(name="viewer", module="m", function="main"),)})
    (checker.cwd / "f.txt").write_text("shown on screen\n")
    build_test.declared_check(checker, Check("shows it", args=("f.txt",), terminal=True, timeout=1,
                                        expect=(Expect("stdout", "contains", "shown on screen"),)), app)
    build_test.declared_check(checker, Check("wrong screen", args=("f.txt",), terminal=True, timeout=1,
                                        expect=(Expect("stdout", "contains", "not there"),)), app)
    assert checker.failures == ["wrong screen"]
    assert checker.transcript[0][2] == "checked"  # a screen is never compared byte for byte


def test_a_terminal_check_with_stdin_is_refused(tmp_path):
    from pkg.core import settings

    with pytest.raises(settings.ValidationError) as refused:
        settings.CheckTable.model_validate({"name": "x", "terminal": True, "stdin": "a"})
    assert settings.problems(refused.value) == [
        "tool.pkg a terminal check has no stdin or stderr of its own (the terminal is both)"]


def test_where_the_apps_modules_live_is_normalised_too(tmp_path):
    """A warning or a default naming a module's file: site-packages pip-installed, the program's folder compiled."""
    from pkg.compile.context import venv_site_packages

    site, folder = venv_site_packages(tmp_path / "env"), tmp_path / "compiled"
    reference, compiled = two_ways(tmp_path, BODY.replace("*)", f'*) echo "{folder}/m/core.py:3: warning" >&2;'),
                                   BODY.replace("*)", f'*) echo "{site}/m/core.py:3: warning" >&2;'))
    assert compare.differences(reference, compiled) == []


def test_a_help_screen_wrapping_the_programs_own_path_differently_is_the_same(tmp_path):
    """optparse wraps a default path by its length (at spaces and hyphens): the two installs' paths differ."""
    from pkg.compile.context import venv_site_packages

    site, folder = venv_site_packages(tmp_path / "env"), tmp_path / "compiled"

    def helps(path):
        text = f"  --template=<file>  Template file. (default: {path}/m/tpl.txt)"
        return "printf '%s\\n' " + " ".join(f"'{line}'" for line in textwrap.wrap(text, 40, break_on_hyphens=True))

    reference, compiled = two_ways(tmp_path, BODY.replace("*)", f"--help) {helps(folder)} ;; *)"),
                                   BODY.replace("*)", f"--help) {helps(site)} ;; *)"))
    assert reference.transcript[1][1].stdout != compiled.transcript[1][1].stdout  # wrapped apart
    assert compare.differences(reference, compiled) == []
    again = tmp_path / "again"
    site, folder = venv_site_packages(again / "env"), again / "compiled"
    drifted = BODY.replace("*)", f"--help) {helps(folder).replace('Template', 'Tmpl')} ;; *)")
    reference, compiled = two_ways(again, drifted, BODY.replace("*)", f"--help) {helps(site)} ;; *)"))
    found = [d.split(":", 1)[0] for d in compare.differences(reference, compiled)]
    assert found == ["mytool --help exits 0 with output"]


def test_a_compiled_program_that_raises_where_pip_passes_says_so(tmp_path):
    raises = BODY.replace("*)", '--help) printf "Traceback (most recent call last):\\n  File x\\nAssertionError: '
                                 'no themes\\n" >&2; exit 1 ;; *)')
    reference, compiled = two_ways(tmp_path, raises, BODY)
    assert compiled.failures[0] == "mytool --help exits 0 with output"
    assert compare.crashed(reference, compiled) == (
        " — the compiled program raises 'AssertionError: no themes' in 'mytool --help exits 0 with output', where "
        "the pip-installed app passes: the compiled program differs from pip's (a build problem to report, not a "
        "declaration to add)")
    assert compare.crashed(reference, reference) == ""


def test_a_tracebacks_frames_and_a_warnings_source_line_are_not_compared_the_exception_is(tmp_path):
    """pip's traceback quotes its script's and modules' sources; the compiled program carries none and starts
    from the pipeline's launcher: the same exception, message and exit code is the same behaviour."""
    pip_says = ('printf \'%s\\n\' "Traceback (most recent call last):" "  File \\"$0\\", line 8, in <module>" '
                '"    sys.exit(main())" "             ^^^^" "ValueError: No PEM start marker" '
                '"m.py:3: UserWarning: no dialect" "  warnings.warn(x)" "done" >&2; exit 1')
    compiled_says = ('printf \'%s\\n\' "Traceback (most recent call last):" "  File \\"x/__pkg_main__.py\\", line 62, '
                     'in <module>" "ValueError: No PEM start marker" "m.py:3: UserWarning: no dialect" "done" >&2; '
                     'exit 1')
    other = compiled_says.replace("ValueError", "KeyError")
    for compiled_body, equal in ((compiled_says, True), (other, False)):
        reference, compiled = two_ways(tmp_path / str(equal), BODY.replace("*)", f"--help) {compiled_body} ;; *)"),
                                       BODY.replace("*)", f"--help) {pip_says} ;; *)"))
        found = compare.differences(reference, compiled)
        assert found == [] if equal else "compiled 'KeyError: No PEM start marker'" in found[0]


def test_the_timings_say_what_they_time_and_time_no_version_a_command_lacks(checker, capsys):
    app = multi_app()
    assert set(build_test.timings(checker, cfg(mytool=CommandOptions(version=False)), app)) == {"help"}
    timed = build_test.timings(checker, cfg(mytool=CommandOptions(version_args=("-V",))), app)
    assert set(timed) == {"version", "help"}
    printed = [line.split(":")[0].strip() for line in capsys.readouterr().out.splitlines()]
    assert printed == ["mytool --help", "mytool -V", "mytool --help"]
