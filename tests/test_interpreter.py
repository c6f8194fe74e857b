"""The compiled program's interpreter (pkg/compile/interpreter.py) takes CPython's command line as CPython does:
run here under this Python beside the real `python` with the same arguments, outputs compared. (In a real build
the program runs it under the name `python`: tests/test_projects_e2e.py, and the adoption suite's hooks.)"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pkg.compile import interpreter

RUNNER = f"import sys; sys.path.insert(0, {str(Path(interpreter.__file__).parent)!r}); " \
         "import interpreter; interpreter.main(sys.argv[1:])"


@pytest.fixture
def work(tmp_path) -> Path:
    (tmp_path / "script.py").write_text("import sys, os\nprint(__name__, sys.argv, sys.path[0] == os.path.dirname("
                                        "os.path.realpath(__file__)))\n")
    (tmp_path / "pkgmain").mkdir()
    (tmp_path / "pkgmain" / "__init__.py").write_text("")
    (tmp_path / "pkgmain" / "__main__.py").write_text("import sys\nprint('pkgmain', __name__, sys.argv[1:])\n")
    (tmp_path / "onpath").mkdir()
    (tmp_path / "onpath" / "frompath.py").write_text("VALUE = 'from PYTHONPATH'\n")
    (tmp_path / "zipapp").mkdir()
    (tmp_path / "zipapp" / "__main__.py").write_text("print('a folder with __main__')\n")
    return tmp_path


def both(work: Path, *args: str, stdin: str | None = None, env: dict | None = None):
    """(CPython's, the interpreter module's) results for the same command line, in the same folder."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")} | (env or {})
    results = []
    # the module's side runs with -E: like the compiled program, it starts without PYTHONPATH on sys.path
    for argv in ([sys.executable, *args], [sys.executable, "-E", "-c", RUNNER, *args]):
        results.append(subprocess.run(argv, cwd=work, input=stdin, capture_output=True, text=True, env=environ,
                                      timeout=60))
    return results


@pytest.mark.parametrize("args", [
    ("-c", "import sys; print(sys.argv, __name__)", "a", "-b"),
    ("-c", "import sys; sys.exit(3)"),
    ("-Bc", "import sys; print(sys.dont_write_bytecode)"),
    ("-u", "-c", "print('unbuffered')"),
    ("-X", "feature=on", "-c", "import sys; print(sys._xoptions['feature'])"),
    ("-W", "error::UserWarning", "-c",
     "import warnings\ntry:\n warnings.warn('x')\nexcept UserWarning: print('raised')"),
    ("-m", "json.tool"),
    ("-m", "pkgmain", "x", "--flag"),
    ("script.py", "first", "-c"),
    ("-I", "script.py"),
    ("zipapp",),
    ("-",),
    ("-", "a"),
    (),
    ("-c", "import frompath; print(frompath.VALUE)"),
    ("-E", "-c", "import sys; print([p for p in sys.path if p.endswith('onpath')])"),
    ("-s", "-S", "-c", "print('site flags accepted')"),
    ("-V",),
])
def test_the_command_line_runs_as_cpythons(work, args):
    ours_stdin = '{"b": [1], "a": null}' if "json.tool" in args else "import sys; print('stdin', sys.argv)"
    theirs, ours = both(work, *args, stdin=ours_stdin, env={"PYTHONPATH": str(work / "onpath")})
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout), ours.stderr


@pytest.mark.parametrize(("args", "first_line"), [
    (("-Z",), "Unknown option: -Z"),
    (("-c",), "Argument expected for the -c option"),
])
def test_a_bad_command_line_is_refused_as_cpython_refuses_it(work, args, first_line):
    theirs, ours = both(work, *args)
    assert theirs.returncode == ours.returncode == 2
    assert theirs.stderr.splitlines()[0] == ours.stderr.splitlines()[0] == first_line


def test_an_uncaught_exception_exits_1_with_its_traceback(work):
    theirs, ours = both(work, "-c", "raise ValueError('boom')")
    assert theirs.returncode == ours.returncode == 1
    assert theirs.stderr.splitlines()[-1] == ours.stderr.splitlines()[-1] == "ValueError: boom"


def test_the_resource_tracker_of_nuitkas_standard_library_is_started_as_with_c():
    flags, run, rest = interpreter.parse(["-B", "-S", "-s", "--multiprocessing-resource-tracker", "5"])
    assert flags == {"B": True, "S": True, "s": True} and rest == []
    assert run == ("c", "from multiprocessing.resource_tracker import main; main(5)")
