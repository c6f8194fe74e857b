"""Stage `prove` (pkg/compile/probe.py): every check on a real venv's console scripts before compiling, every
finding at once with the declaration that fits, written where the message says; pasted back, they pass."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pkg.compile import build_test, probe, running
from pkg.core import settings
from pkg.core.config import Check, CommandOptions, Config, _command
from pkg.core.errors import PkgError
from pkg.core.model import Command
from tests.fixtures import multi_app

SCRIPTS = {
    # --version is not its option, -V is; no arguments: argparse's usage error
    "alpha": """if sys.argv[1:] == ["-V"]: print("alpha 0.2.0")
elif sys.argv[1:] == ["--help"]: print("usage: alpha")
else: print("usage: alpha [-V]", file=sys.stderr); sys.exit(2)""",
    # no version at all, a --help that fails; with no arguments it lists a set: its order follows the hash seed
    "beta": """if sys.argv[1:] == ["--help"]: sys.exit(1)
elif sys.argv[1:]: sys.exit(2)
else: print(" ".join({"apple", "banana", "cherry", "date", "elder", "fig"}))""",
    # its --version names the interpreter it runs on: another install, another path
    "gamma": """if sys.argv[1:] == ["--version"]: print(f"gamma 0.2.0 ({sys.executable})")
else: print("usage: gamma")""",
}


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A real venv whose console scripts are the stand-ins above (#! its python, as pip writes them)."""
    env = tmp_path_factory.mktemp("probe") / "pip-installed"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", env], check=True)
    for name, body in SCRIPTS.items():
        script = env / "bin" / name
        script.write_text(f"#!{env / 'bin' / 'python'}\nimport sys\n{body}\n")
        script.chmod(0o755)
    return env


APP = multi_app().model_copy(update={"commands": tuple(Command(name=n, module="m", function="main") for n in SCRIPTS)})


def cfg(commands: dict[str, CommandOptions] | None = None, checks: tuple[Check, ...] = ()) -> Config:
    return Config(Path("."), Path("."), None, "P", "P.A", "0", "x", command=commands or {}, checks=checks)


def test_every_finding_at_once_with_its_declaration_then_they_pass(venv, tmp_path, capsys):
    wrong = Check("a declared check that cannot pass", command="gamma", args=("x",), exit=3)
    suggestion = tmp_path / "suggested.toml"
    with pytest.raises(PkgError) as failed:
        probe.prove(cfg(checks=(wrong,)), APP, venv, "linux", "0.2.0", suggestion)
    assert str(failed.value) == ("the pip-installed app fails 5 check(s) before compiling, 2 change(s) between runs: "
                                 f"every one, with the declaration that fits, in {suggestion}")
    printed = capsys.readouterr().out
    for line in ("-> [tool.pkg.command.alpha] version-args = [\"-V\"]", "-> [tool.pkg.command.alpha] no-args-exit = 2",
                 "-> [tool.pkg.command.beta] version = false", "-> [tool.pkg.command.beta] help = false",
                 '-> [tool.pkg.command.beta] pip-installed = "checked"',
                 '-> [tool.pkg.command.gamma] pip-installed = "checked"',
                 "FAIL a declared check that cannot pass: exit 0, 'usage: gamma'",
                 "-> fix the check in [[tool.pkg.checks]] or the app: nothing to declare"):
        assert line in printed, line
    assert "its stdout changes between two runs (line 1: 'gamma 0.2.0 (" in printed  # the interpreter's path
    declared = tomllib.loads(suggestion.read_text())["tool"]["pkg"]["command"]
    assert declared == {"alpha": {"version-args": ["-V"], "no-args-exit": 2},
                        "beta": {"version": False, "help": False, "pip-installed": "checked"},
                        "gamma": {"pip-installed": "checked"}}
    assert "# a declared check that cannot pass: exit 0, 'usage: gamma'" in suggestion.read_text()
    pasted = {name: _command(settings.CommandTable.model_validate(table)) for name, table in declared.items()}
    probe.prove(cfg(pasted), APP, venv, "linux", "0.2.0", suggestion)  # pasted: all pass
    assert "passes all 7 checks, the same in two runs" in capsys.readouterr().out and not suggestion.exists()


def test_a_command_that_keeps_running_is_declared_a_server(tmp_path, monkeypatch):
    monkeypatch.setattr(build_test, "NO_ARGS_TIMEOUT_S", 1)
    monkeypatch.setattr(build_test, "RUNS_FOR_S", 1)
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", env], check=True)
    (env / "bin" / "serve").write_text(f"#!{env / 'bin' / 'python'}\nimport sys, time\n"
                                       "if sys.argv[1:]: print('serve 0.2.0')\nelse: time.sleep(30)\n")
    (env / "bin" / "serve").chmod(0o755)
    app = multi_app().model_copy(update={"commands": (Command(name="serve", module="m", function="main"),)})
    findings, _ = probe.learn(cfg(), app, env, "linux", "0.2.0")
    assert [(f.key, f.value) for f in findings] == [("no-args-runs", True)]


def test_a_version_printing_another_number_keeps_its_check_declared(venv, tmp_path):
    findings, _ = probe.learn(cfg({"alpha": CommandOptions(version_args=("-V",), no_args_exit=2)}), APP, venv,
                              "linux", "0.3.0")  # alpha -V prints 0.2.0: another number than the package's
    alpha = next(f for f in findings if f.command == "alpha")
    assert (alpha.key, alpha.what) == ("version-differs", "alpha -V carries 0.3.0")
    declared = CommandOptions(version_args=("-V",), version_differs="upstream prints 0.2.0", no_args_exit=2)
    runner = running.Checker(venv, "linux", running.scrubbed_env(tmp_path), tmp_path,
                         argv=running.pip_installed_argv(venv, APP, "linux"), quiet=True)
    build_test.generic_checks(runner, cfg({"alpha": declared}), APP.model_copy(update={"commands": APP.commands[:1]}),
                         "0.3.0")
    assert runner.failures == []
    assert runner.transcript[0][0] == "alpha -V exits 0 with output (declared version-differs)"
