"""Each per-platform script and its twin take the same options, and the Makefile passes only those.

The bash scripts run for real here; PowerShell cannot exist here, so its side is read with the
tree-sitter PowerShell grammar (pkg/dev/pslint.py): the script's own param(...) block.
"""

import os
import re
import shlex
import subprocess

import pytest

from pkg.dev import pslint

from .conftest import ROOT

ROOT = ROOT
SCRIPTS = ROOT / "scripts"
TWINS = ["build", "msi"]  # scripts Make calls through $(call script,…) with options
ALL_OPTIONS = {"VERSION": "0.2.0", "BACKEND": "pyinstaller", "FALLBACK": "pyinstaller"}
WINDOWS = ["UNAME_S=Windows_NT", "UNAME_M=AMD64"]


def bash_options(name: str) -> set[str]:
    """The `--option` arms of the script's `case "$1" in` loop."""
    text = (SCRIPTS / f"{name}.sh").read_text()
    arms = re.findall(r"^\s*(--[\w-]+(?:\s*\|\s*--[\w-]+)*)\)", text, re.MULTILINE)
    return {opt.strip().removeprefix("--") for arm in arms for opt in arm.split("|")}


def bash_positional(name: str) -> bool:
    return re.search(r'^\w+="\$\{1:\?', (SCRIPTS / f"{name}.sh").read_text(), re.MULTILINE) is not None


def make_call(target: str, script: str, *variables: str) -> list[str]:
    """The arguments `make -n <target>` hands scripts/<script>.{sh,ps1}."""
    out = subprocess.run(["make", "-n", target, *variables], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    (line,) = [ln for ln in out.splitlines() if f"scripts/{script}." in ln]
    words = shlex.split(line)
    return words[next(i for i, w in enumerate(words) if w.startswith(f"scripts/{script}.")) + 1:]


def option_names(args: list[str], dash: str) -> list[str]:
    return [a.removeprefix(dash).lower() for a in args if a.startswith(dash)]


@pytest.mark.parametrize("name", TWINS)
def test_both_twins_take_the_same_options(name):
    ps1 = pslint.parameters(SCRIPTS / f"{name}.ps1")
    positional = {p for p, attrs in ps1.items() if "Position" in attrs}
    assert bash_options(name) == set(ps1) - positional
    assert bash_positional(name) == bool(positional)
    assert all("Mandatory" in ps1[p] for p in positional)  # bash's ${1:?…} refuses a missing one too


@pytest.mark.parametrize("name", TWINS)
def test_signing_inputs_reach_python_alone(name):
    """Signing reads SIGN_* in pkg/compile/sign.py on every platform; neither twin handles a key or password
    (on a command line they would show in the process list and in CI logs)."""
    for path in (SCRIPTS / f"{name}.sh", SCRIPTS / f"{name}.ps1"):
        code = "\n".join(ln for ln in path.read_text().splitlines() if not ln.lstrip().startswith("#"))
        assert not re.search(r"SIGN_|signtool|osslsigncode|password", code, re.IGNORECASE), path


def test_make_passes_each_twin_only_what_it_takes():
    variables = [f"{k}={v}" for k, v in ALL_OPTIONS.items()]
    linux = make_call("build", "build", *variables, "UNAME_S=Linux", "UNAME_M=x86_64")
    assert linux[0] == "linux-x86_64"  # the target, positional
    assert set(option_names(linux[1:], "--")) == bash_options("build") == {"version", "backend", "fallback"}
    windows = make_call("build", "build", *variables, *WINDOWS)
    assert windows[0] == "windows-x86_64"
    assert set(option_names(windows[1:], "-")) == set(pslint.parameters(SCRIPTS / "build.ps1")) - {"target"}
    assert windows[windows.index("-version") + 1] == "0.2.0"

    assert set(option_names(make_call("msi", "msi", "VERSION=0.2.0"), "--")) <= bash_options("msi")
    on_windows = make_call("msi", "msi", "VERSION=0.2.0", *WINDOWS)
    assert on_windows == ["-target", "windows-x86_64", "-version", "0.2.0"]
    # nothing given, nothing passed (each side then takes its default)
    assert make_call("build", "build", *WINDOWS) == ["windows-x86_64"]


@pytest.fixture
def echo_python(tmp_path) -> dict[str, str]:
    """PY for the bash scripts: a program that prints the arguments it was given, one per line."""
    py = tmp_path / "python"
    py.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n')
    py.chmod(0o755)
    return {**os.environ, "PY": str(py)}


def run_script(name: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPTS / f"{name}.sh"), *args], env=env, capture_output=True, text=True)


def test_bash_twins_forward_their_options_to_python(echo_python):
    done = run_script("build", "linux-x86_64", "--version", "0.2.0", "--backend", "nuitka", "--fallback",
                      "pyinstaller", env=echo_python)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["-m", "pkg", "build", "--target", "linux-x86_64", "--version", "0.2.0",
                                   "--backend", "nuitka", "--fallback", "pyinstaller"]
    done = run_script("msi", "--version", "0.2.0 rc", env=echo_python)  # a value with a space stays one
    assert done.stdout.splitlines() == ["-m", "pkg", "msi", "--version", "0.2.0 rc"]
    assert run_script("msi", env=echo_python).stdout.split() == ["-m", "pkg", "msi"]


@pytest.mark.parametrize("name, args, says", [
    ("build", ["linux-x86_64", "--bogus", "1"], "unknown option '--bogus'"),
    ("build", ["linux-x86_64", "--backend"], "--backend needs a value"),
    ("build", [], "usage: build.sh <target>"),
    ("msi", ["--signed"], "unknown option '--signed'"),
])
def test_bash_twins_refuse_what_they_do_not_take(echo_python, name, args, says):
    done = run_script(name, *args, env=echo_python)
    assert done.returncode != 0 and done.stdout == ""  # python never ran
    assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1
