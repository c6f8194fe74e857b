"""The standard library the program ships: all of it by default (tool.pkg.stdlib = "all"), as bytecode like the
dependencies, so the user's own code an app runs (tasks files, hooks, plugin folders, eval options, scripts
given to the program's interpreter) imports what it could under pip's Python. "imported" ships only what the
app's own imports reach: a smaller archive, and user code that imports anything else fails.

What is left out even with "all", and why (EXCLUDED, the one list): an app that imports one of these still
gets it, as Nuitka follows the app's imports; it is only not added on top.
"""

import json
from collections.abc import Iterable
from pathlib import Path

from pkg.core import proc

EXCLUDED = {
    "tkinter": "needs the Tk libraries and a display: a GUI toolkit no CLI's user code expects",
    "_tkinter": "tkinter's extension (Tk)",
    "turtle": "tkinter's turtle graphics",
    "turtledemo": "tkinter's demos",
    "idlelib": "the IDLE editor (tkinter)",
    "ensurepip": "installs pip into a Python installation: the program has none to install into",
    "venv": "creates virtual environments from a Python installation: the program is not one",
    "test": "CPython's own test suite",
    "distutils": "deprecated since 3.10, gone in 3.12; setuptools (in the build environment) brings its own copy "
                 "that Nuitka 4.3.3 mixes up with it (an assertion in its optimizer)",
    "__hello__": "a test module of the frozen-module machinery",
    "__phello__": "a test package of the frozen-module machinery",
}
# Private test and example modules of CPython's build (their names start so), and sub-packages holding a
# package's own test suite (unittest.test, ctypes.test…): never imported by code outside CPython's tests.
EXCLUDED_PREFIXES = ("_test", "xx", "_xx", "_ctypes_test")
TEST_SUBPACKAGES = ("test", "tests", "idle_test")

# Run by the build environment's Python with -I -S (the standard library alone on sys.path): what it has.
LIST = """
import importlib.util, json, pkgutil, sys
excluded, prefixes, tests = json.loads(sys.argv[1])
out = {"packages": [], "modules": [], "tests": []}
if not hasattr(sys, "stdlib_module_names"):
    sys.exit("Python %d.%d has no sys.stdlib_module_names (3.10 and later do)" % sys.version_info[:2])
for name in sorted(sys.stdlib_module_names):
    if name in excluded or name.startswith(tuple(prefixes)) or name in sys.builtin_module_names:
        continue  # builtin modules are in every program already
    spec = importlib.util.find_spec(name)
    if spec is None:  # another platform's (winreg, msvcrt) or not built into this Python (_gdbm)
        continue
    if spec.submodule_search_locations is None:
        out["modules"].append(name)
        continue
    out["packages"].append(name)
    out["tests"] += [f"{name}.{m.name}" for m in pkgutil.iter_modules(spec.submodule_search_locations)
                     if m.ispkg and m.name in tests]
print(json.dumps(out))
"""


def listing(python: Path) -> dict[str, list[str]]:
    """{"packages", "modules", "tests"}: the top-level standard-library packages and modules `python` has, less
    EXCLUDED, and the test sub-packages of those packages (left out)."""
    args = json.dumps([sorted(EXCLUDED), EXCLUDED_PREFIXES, TEST_SUBPACKAGES])
    done = proc.tool([python, "-I", "-S", "-c", LIST, args], "listing the build Python's standard library "
                     '(tool.pkg.stdlib = "imported" ships what the app imports)', timeout=120)
    return json.loads(done.stdout)


def added(mode: str, python: Path, left_out: Iterable[str] = ()) -> dict[str, list[str]]:
    """What of the standard library a build adds on top of the app's imports, for tool.pkg.stdlib `mode`, and
    ("left_out") the modules tool.pkg.stdlib-exclude keeps out even when something imports them."""
    found = listing(python) if mode == "all" else {}
    gone = sorted(left_out)
    found = {kind: [n for n in names if not any(n == m or n.startswith(f"{m}.") for m in gone)]
             for kind, names in found.items()}
    return {**found, "left_out": gone} if gone else found
