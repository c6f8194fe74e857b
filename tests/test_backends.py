"""Every common build backend, read both ways: the metadata hook (`make check`'s fast path, no wheel) and the
built wheel (what the build ships) must give the same commands. hatchling's hook writes METADATA only, so
for it the hook path builds the wheel too; a console script with extras (`mod:func [extra]`) is a command
that needs its extra installed. The backends come from the package index, in `build`'s isolated env."""

import subprocess
from pathlib import Path

import pytest

from pkg.compile.appenv import base_python
from pkg.core import proc
from pkg.project import metadata
from pkg.project.app import select_commands

from .conftest import example_config

PACKAGE = {"tool/__init__.py": '"""A tool."""\n__version__ = "1.4.0"\n',
           "tool/cli.py": "def main():\n    print('tool')\n",
           "tool/server.py": "def main():\n    print('server')\n"}
SCRIPTS = {"tool": "tool.cli:main", "tool-server": "tool.server:main [server]"}
PROJECT = """\
[project]
name = "tool"
{version}
description = "A tool"
requires-python = ">=3.9"
[project.optional-dependencies]
server = []
[project.scripts]
tool = "tool.cli:main"
tool-server = "tool.server:main [server]"
"""
BACKENDS = {
    "hatchling+hatch-vcs": ("""\
[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"
[tool.hatch.version]
source = "vcs"
""", PROJECT.format(version='dynamic = ["version"]')),
    "pdm-backend": ("""\
[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"
[tool.pdm.version]
source = "file"
path = "tool/__init__.py"
""", PROJECT.format(version='dynamic = ["version"]')),
    "flit-core": ("""\
[build-system]
requires = ["flit_core>=3.4,<4"]
build-backend = "flit_core.buildapi"
""", PROJECT.format(version='dynamic = ["version"]')),
    "poetry-core": ("""\
[build-system]
requires = ["poetry-core>=1.0"]
build-backend = "poetry.core.masonry.api"
[tool.poetry]
name = "tool"
version = "1.4.0"
description = "A tool"
authors = ["A Person <a@example.org>"]
packages = [{ include = "tool" }]
[tool.poetry.dependencies]
python = ">=3.9"
[tool.poetry.extras]
server = []
[tool.poetry.scripts]
tool = "tool.cli:main"
tool-server = { reference = "tool.server:main", extras = ["server"], type = "console" }
""", ""),
    "setuptools (setup.cfg)": ("""\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"
""", ""),
}
SETUP_CFG = """\
[metadata]
name = tool
version = attr: tool.__version__
description = A tool
[options]
packages = tool
[options.extras_require]
server =
[options.entry_points]
console_scripts =
    tool = tool.cli:main
    tool-server = tool.server:main [server]
"""


def project(root: Path, backend: str) -> Path:
    head, project_table = BACKENDS[backend]
    root.mkdir()
    (root / "pyproject.toml").write_text(head + project_table)
    if backend.startswith("setuptools"):
        (root / "setup.cfg").write_text(SETUP_CFG)
        (root / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    for name, text in PACKAGE.items():
        (root / name).parent.mkdir(exist_ok=True)
        (root / name).write_text(text)
    if "vcs" in backend:
        git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run([*git, "commit", "-qm", "first"], cwd=root, check=True)
        subprocess.run([*git, "tag", "v1.4.0"], cwd=root, check=True)
    return root


def wheel_of(folder: Path, out: Path) -> Path:
    subprocess.run([proc.uv(), "build", "--wheel", "--out-dir", str(out), "--python", base_python(),
                    str(folder)], check=True, capture_output=True, env=proc.clean_env())
    (found,) = out.glob("*.whl")
    return found


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_the_metadata_hook_and_the_wheel_agree_on_the_commands(backend, tmp_path):
    folder = project(tmp_path / "tool", backend)
    checked = metadata.read(folder)   # make check: no wheel unless the hook cannot tell
    built = metadata.from_wheel(wheel_of(folder, tmp_path / "wheel"))
    assert (checked.name, checked.version) == (built.name, built.version) == ("tool", "1.4.0")
    assert checked.scripts == built.scripts
    extras = () if backend == "poetry-core" else ("server",)  # poetry-core writes no extras into entry points
    assert {k: " ".join(v.split()) for k, v in built.scripts.items()} == \
        {**SCRIPTS, "tool-server": "tool.server:main" + (" [server]" if extras else "")}
    commands = select_commands(built, (), "tool")
    assert [(c.name, c.entry, c.extras) for c in commands] == [
        ("tool", "tool.cli:main", ()), ("tool-server", "tool.server:main", extras)]
    assert [c.name for c in select_commands(built, (), "tool", only=("tool",))] == ["tool"]


def test_a_script_that_is_not_module_function_is_refused_only_when_shipped():
    from pkg.core.errors import InputError

    meta = metadata.Metadata(name="tool", version="1.0", scripts={"tool": "tool.cli:main", "odd": "tool.cli"})
    assert [c.name for c in select_commands(meta, (), "tool", only=("tool",))] == ["tool"]
    with pytest.raises(InputError, match=r"'odd' = 'tool.cli' is not module:function \(leave it out"):
        select_commands(meta, (), "tool")


def test_the_extras_a_shipped_command_needs_are_installed():
    from dataclasses import replace

    from pkg.compile.appenv import install_extras
    from pkg.core.model import App, Command, License

    cfg = replace(example_config(), extras=("fast",))
    app = App(name="tool", dist="tool", version="1", summary="A tool", homepage="https://example.org",
              license=License(spdx="MIT"), commands=(Command(name="tool", module="t", function="m"),
                                                     Command(name="t2", module="t", function="n",
                                                             extras=("server", "fast"))))
    assert install_extras(cfg, app) == ("fast", "server")

