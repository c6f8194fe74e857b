"""`make init`: a starter [tool.pkg] inferred from an existing project, written with tomlkit into the
pipeline's pyproject.toml (everything else kept), then what is left to fill in."""

import shutil
import tomllib
import uuid
from pathlib import Path

import pytest

from pkg import check, init
from pkg.core import config
from pkg.core.errors import InputError

from .conftest import ROOT, run_pkg

PROJECTS = Path(__file__).resolve().parent / "projects"


def test_drop_in_init_keeps_the_apps_pyproject_and_the_result_checks(tmp_path, capsys):
    repo = Path(shutil.copytree(ROOT / "app", tmp_path / "tailor", ignore=shutil.ignore_patterns("_version.py")))
    before = (repo / "pyproject.toml").read_text()
    init.init(repo, Path("."))
    text = (repo / "pyproject.toml").read_text()
    assert text.startswith(before)  # the app's own content untouched, the table appended
    table = tomllib.loads(text)["tool"]["pkg"]
    assert table["project"] == "." and table["publisher"] == "example"  # no authors: the GitHub owner
    assert table["package-id"] == "Example.Tailor" and uuid.UUID(table["upgrade-code"])
    assert table["url-template"] == "https://github.com/example/tailor/releases/download/v{version}/{file}"
    out = capsys.readouterr().out
    assert "# Commands shipped (all console scripts): tailor = tailor.__main__:main" in text
    assert "publisher: 'example' was taken" in out and "[[tool.pkg.checks]]" in out
    assert check.run(config.load(repo)).command_names == ["tailor"]
    with pytest.raises(InputError, match=r"has a \[tool\.pkg\] already"):
        init.init(repo, Path("."))


def test_packaging_repo_init_for_a_setup_cfg_project(tmp_path, capsys):
    shutil.copytree(PROJECTS / "multitool", tmp_path / "app")
    init.init(tmp_path, Path("app"))
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["pkg"]
    assert table["project"] == "app" and table["package-id"] == "Example.MultiTool"
    assert "multitool = multitool.cli:main, multitool-admin = multitool.admin:main" in \
        (tmp_path / "pyproject.toml").read_text()
    assert config.load(tmp_path).project_dir == (tmp_path / "app").resolve()


def test_no_repository_url_leaves_a_placeholder_and_says_so(tmp_path, capsys):
    shutil.copytree(PROJECTS / "modonly", tmp_path / "app")
    init.init(tmp_path, Path("app"))
    out = capsys.readouterr().out
    assert "url-template: where the release files will be downloaded from" in out
    assert "publisher: who publishes the installers" in out
    assert config.load(tmp_path).url_template.startswith("https://example.invalid/")


def test_the_command_line_refuses_a_folder_that_is_no_project(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "pkg", repo / "pkg", ignore=shutil.ignore_patterns("__pycache__"))
    proc = run_pkg("init", "--project", "nowhere", cwd=repo)
    assert proc.returncode == 2 and "no such project folder" in proc.stderr
    assert not (repo / "pyproject.toml").exists()
