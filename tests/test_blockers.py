"""Issue 10's six blockers (and the seventh, the end-to-end failure), each as a test of what a new user
hits first: `make check` (pkg.pipeline.check_project) on a project shaped like theirs, configured in [tool.pkg] only.
The real builds behind 7 are in tests/test_projects_e2e.py (multitool) and tests/test_adopt.py."""

import json
import re
import shutil
from pathlib import Path

import pytest

from pkg import pipeline
from pkg.channels import homebrew
from pkg.compile import build_test, running
from pkg.core import config, names
from pkg.core.errors import InputError
from pkg.core.model import Artifact, Kind

from .conftest import ROOT, example_config
from .fixtures import TOOL_PKG, fake_dist, multi_app

PROJECTS = Path(__file__).resolve().parent / "projects"


def repo_with(tmp_path: Path, project: Path, where: str = "sub/dir/app") -> config.Config:
    """A packaging repository whose app lives in an arbitrary sub-folder."""
    shutil.copytree(project, tmp_path / where, ignore=shutil.ignore_patterns("_version.py"))
    (tmp_path / "pyproject.toml").write_text(TOOL_PKG.format(project=where))
    return config.load(tmp_path)


def edit(cfg: config.Config, old: str, new: str) -> None:
    path = cfg.project_dir / "pyproject.toml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


def test_1_the_app_is_wherever_config_says_and_its_package_may_be_named_otherwise(tmp_path):
    app = pipeline.check_project(repo_with(tmp_path, PROJECTS / "multitool"))  # src/: dist multi-tool, pkg multitool
    assert (app.name, app.dist, app.main.module) == ("multi-tool", "multi-tool", "multitool.cli")


def test_2_every_console_script_is_a_command(tmp_path):
    app = pipeline.check_project(repo_with(tmp_path, PROJECTS / "multitool"))
    assert [c.entry for c in app.commands] == ["multitool.cli:main", "multitool.admin:main"]


@pytest.mark.parametrize(("old", "new", "expect"), [
    ('license = "MIT"\nlicense-files = ["LICENSE"]', 'license = {text = "MIT"}', "MIT"),
    ('license = "MIT"', 'license = "MIT OR Apache-2.0"', "MIT OR Apache-2.0"),
    ("[project.urls]\nHomepage =", "[project.urls]\nRepository =", "MIT"),
    ('[project.urls]\nHomepage = "https://github.com/example/tailor"\n', "", "MIT"),
    ('description = "Tail log files filtered and coloured by severity level"\n', "", "MIT"),
    ('version = "0.1.0"\n', 'dynamic = ["version"]\n', "MIT"),
])
def test_3_license_homepage_description_and_version_in_any_form(tmp_path, old, new, expect):
    cfg = repo_with(tmp_path, ROOT / "app")
    edit(cfg, old, new)
    if "dynamic" in new:  # hatchling's own version source, as many projects use
        edit(cfg, "[tool.hatch.build.targets.wheel]", '[tool.hatch.version]\npath = "tailor/about.py"\n\n'
                                                      "[tool.hatch.build.targets.wheel]")
        (cfg.project_dir / "tailor" / "about.py").write_text('__version__ = "0.1.0"\n')
    app = pipeline.check_project(cfg)
    assert app.license.spdx == expect and app.summary  # no URL at all: the url-template's repository
    assert app.homepage in ("https://github.com/example/tailor", "https://github.com/example/app")
    archive = Artifact(name="x.tar.gz", kind=Kind.ARCHIVE, path="x.tar.gz", target="macos-arm64",
                       url="https://h/x.tar.gz", sha256="0" * 64)
    assert homebrew.render(app, "1.0.0", "v1.0.0", {"macos-arm64": archive})  # used to break at release time


def test_3_a_project_with_no_project_table_setup_cfg_only(tmp_path):
    app = pipeline.check_project(repo_with(tmp_path, PROJECTS / "multitool"))
    assert app.version == "1.4.0" and app.license.spdx == "Apache-2.0"


def test_4_generic_smoke_checks_accept_any_wording_and_need_no_app_specific_ones(tmp_path):
    folder = tmp_path / "app"
    folder.mkdir()
    for name in ("mytool", "mytool-admin"):
        (folder / name).write_text('#!/bin/sh\n[ "$1" = --version ] && echo "prog, version 0.2.0"\n'
                                   'echo "Usage: prog"\n')
        (folder / name).chmod(0o755)
    (tmp_path / "cwd").mkdir()
    checker = running.Checker(folder, "linux", running.scrubbed_env(tmp_path), tmp_path / "cwd")
    cfg = config.Config(tmp_path, tmp_path, None, "P", "P.A", "0", "x")
    build_test.generic_checks(checker, cfg, multi_app(), "0.2.0")
    assert checker.failures == []


@pytest.mark.e2e
def test_5_the_build_env_takes_tools_and_app_dependencies_from_two_locks(example_build):
    """Compile tools from pkg/uv.lock, the app's dependencies from the app's own uv.lock; the app's files,
    lock and build backend untouched (tests/test_build_e2e.py checks `git status` of app/ after building)."""
    requirements = example_build.work / names.REQUIREMENTS
    tools, app = (requirements / "tools.txt").read_text(), (requirements / "app.txt").read_text()
    assert "nuitka==" in tools and "click==" not in tools
    assert "click==" in app and "psutil==" in app and "nuitka" not in app and f"--project {ROOT / 'app'}" in app


def test_6_the_sbom_subject_is_the_apps_distribution_never_a_dependency(tmp_path):
    app = multi_app()  # shipped as mytool, distribution my-tool
    dist = fake_dist(tmp_path / "dist", "0.2.0", ["linux-x86_64"], app)
    final = pipeline.release(example_config(), "0.2.0", dist, tmp_path / "release", repo_out=tmp_path)
    bom = json.loads((final / "mytool-0.2.0.cdx.json").read_text())
    assert bom["metadata"]["component"]["name"] == "my-tool"
    assert "my-tool" not in {c["name"] for c in bom["components"]}


def test_channels_refuse_what_they_cannot_express_before_any_build(tmp_path):
    cfg = repo_with(tmp_path, ROOT / "app")
    edit(cfg, 'license = "MIT"', 'license = "MIT AND (Apache-2.0 OR BSD-3-Clause)"')
    with pytest.raises(InputError, match="Scoop cannot express nested AND/OR"):
        pipeline.check_project(cfg)
    edit(cfg, 'license = "MIT AND (Apache-2.0 OR BSD-3-Clause)"', 'license = "MIT"')
    edit(cfg, 'description = "Tail', 'description = "Tailor: tail')
    with pytest.raises(InputError, match="must not start with the formula name"):
        pipeline.check_project(cfg)


@pytest.mark.parametrize(("template", "message"), [
    ("http://downloads.example.com/v{version}/{file}", "Homebrew downloads over https only"),
    ("https://downloads.example.com/{file}?v={version}", "must end with /{file} for the install scripts"),
])
def test_a_url_template_no_channel_can_use_is_refused_at_check_time(tmp_path, template, message):
    repo_with(tmp_path, PROJECTS / "multitool")
    top = tmp_path / "pyproject.toml"
    text = top.read_text()
    top.write_text(text.replace(re.search(r'url-template = "[^"]*"', text).group(0), f'url-template = "{template}"'))
    with pytest.raises(InputError, match=re.escape(message)):
        pipeline.check_project(config.load(tmp_path))
