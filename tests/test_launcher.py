"""The generated main script: one program, every command; the name it was started under picks the entry
point. Run here with plain Python against stand-in modules (the compiled program runs the same code:
tests/test_projects_e2e.py and the adoption tests start every command of real builds)."""

import subprocess
import sys
from pathlib import Path

import pytest

from pkg.compile import launcher
from pkg.core import names
from pkg.core.model import Command

COMMANDS = (Command(name="tool", module="pkg_a.cli", function="main"),
            Command(name="tool-admin", module="pkg_a.admin", function="run"),
            Command(name="other", module="pkg_b", function="Entry.start"))


@pytest.fixture
def modules(tmp_path) -> Path:
    (tmp_path / "pkg_a").mkdir()
    (tmp_path / "pkg_a" / "__init__.py").write_text("")
    (tmp_path / "pkg_a" / "cli.py").write_text("import sys\ndef main():\n    print('cli', sys.argv)\n    return 0\n")
    (tmp_path / "pkg_a" / "admin.py").write_text("def run():\n    print('admin')\n    return 3\n")
    (tmp_path / "pkg_b.py").write_text("class Entry:\n    @staticmethod\n    def start():\n        print('b')\n")
    return tmp_path


def start(modules: Path, source: str, argv0: str, *args: str) -> subprocess.CompletedProcess:
    script = modules / names.LAUNCHER
    script.write_text(source)
    code = f"import sys; sys.argv = [{argv0!r}, *{list(args)!r}]; exec(open({str(script)!r}).read())"
    return subprocess.run([sys.executable, "-c", code], cwd=modules, capture_output=True, text=True)


@pytest.mark.parametrize(("argv0", "out", "code"), [
    ("/opt/app/tool", "cli ['/opt/app/tool', '-x']", 0),
    ("../bin/tool-admin", "admin", 3),
    ("other", "b", 0),
    ("/x/tool.exe", "cli ['/x/tool', '-x']", 0),                  # .exe dropped from argv[0], as pip does
    ("lib/tool.bin", "cli ['lib/tool.bin', '-x']", 0),              # Nuitka's binary started directly
])
def test_the_name_picks_the_entry_point(modules, argv0, out, code):
    proc = start(modules, launcher.source(COMMANDS, "linux"), argv0, "-x")
    assert (proc.stdout.strip(), proc.returncode) == (out, code), proc.stderr


def test_an_unknown_name_says_which_commands_exist(modules):
    proc = start(modules, launcher.source(COMMANDS, "linux"), "renamed")
    assert proc.returncode == 1 and "renamed: not a command of this program (its commands: tool, tool-admin, other)" \
        in proc.stderr


def test_a_single_command_runs_whatever_the_name(modules):
    proc = start(modules, launcher.source(COMMANDS[:1], "linux"), "anything-at-all")
    assert proc.returncode == 0 and proc.stdout.startswith("cli")


def test_the_program_is_frozen_as_pyinstaller_says_unless_its_backend_said_so(modules):
    (modules / "pkg_b.py").write_text("import sys\nclass Entry:\n    @staticmethod\n    def start():\n"
                                      "        print(sys.frozen, sys._MEIPASS)\n")
    proc = start(modules, launcher.source(COMMANDS, "linux"), "/opt/app/other")
    assert proc.stdout.strip() == "True /opt/app", proc.stderr  # no __compiled__ here: the program's folder
    source = "import sys\nsys.frozen, sys._MEIPASS = 'pyinstaller', '/tmp/_MEI1'\n" + launcher.source(COMMANDS, "linux")
    assert start(modules, source, "/opt/app/other").stdout.strip() == "pyinstaller /tmp/_MEI1"


def test_a_python_dash_m_entry_runs_the_packages_main_as_cpythons_dash_m(tmp_path):
    """No console script: the launcher runs `<package>.__main__` with __name__ == "__main__" (compiled, from the
    bytecode the build keeps for every package's __main__), with the builtins site would give."""
    (tmp_path / "mainpkg").mkdir()
    (tmp_path / "mainpkg" / "__init__.py").write_text("")
    (tmp_path / "mainpkg" / "__main__.py").write_text(
        "import sys\nif __name__ == '__main__':\n    print('main of', __package__, sys.argv[1:])\n    exit(5)\n")
    script = launcher.write(tmp_path, (Command(name="mainpkg", module="mainpkg"),), "linux")
    done = subprocess.run([sys.executable, "-S", str(script), "-x"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path)})
    assert (done.returncode, done.stdout) == (5, "main of mainpkg ['-x']\n"), done.stderr


def test_exit_and_quit_are_builtins_as_site_makes_them_though_the_program_starts_without_site(tmp_path):
    """The compiled program runs with no_site; console scripts call exit() (pyfiglet -l did, and crashed with
    NameError): run here by a Python started with -S, as the compiled program starts."""
    (tmp_path / "quits.py").write_text("def main():\n    print(type(help).__name__)\n    quit(4) if 0 else exit(3)\n")
    script = launcher.write(tmp_path, (Command(name="quits", module="quits", function="main"),), "linux")
    done = subprocess.run([sys.executable, "-S", str(script)], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path)})
    assert (done.returncode, done.stdout, done.stderr) == (3, "_Helper\n", "")
    bare = subprocess.run([sys.executable, "-S", "-c", "exit(3)"], capture_output=True, text=True)
    assert bare.returncode == 1 and "NameError" in bare.stderr  # what the program would do without the prelude


@pytest.mark.parametrize("taken", ["python", "mytool-python"])
def test_a_command_named_like_the_programs_interpreter_is_refused_at_check(taken):
    """`python` (Unix) and `<main>-python` (Windows) are where the program is its own interpreter: a command of
    that name would hide it. Refused by `make check` and before the compile (stage `commands`' check)."""
    from pkg.compile import commands
    from pkg.core.errors import PkgError

    from .conftest import example_config
    from .fixtures import multi_app

    app = multi_app()
    commands.interpreter_name_free(example_config(), app)  # mytool, mytool-admin: free
    clash = app.model_copy(update={"commands": (*app.commands, Command(name=taken, module="m", function="f"))})
    with pytest.raises(PkgError, match=f"a command named '{taken}' would hide the program's interpreter"):
        commands.interpreter_name_free(example_config(), clash)
