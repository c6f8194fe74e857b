"""`make init`: a starter [tool.pkg] inferred from an existing project, written with tomlkit into the
pipeline's pyproject.toml (everything else kept), then what is left to fill in."""

import shutil
import tomllib
import uuid
from pathlib import Path

import pytest

from pkg import init, pipeline
from pkg.core import config
from pkg.core.errors import InputError

from .conftest import ROOT, run_pkg

PROJECTS = Path(__file__).resolve().parent / "projects"


def test_drop_in_init_keeps_the_apps_pyproject_and_the_result_checks(tmp_path, capsys):
    repo = Path(shutil.copytree(ROOT / "app", tmp_path / "tailor", ignore=shutil.ignore_patterns("_version.py")))
    before = (repo / "pyproject.toml").read_text()
    init.init(repo, Path("."), learn=False)
    text = (repo / "pyproject.toml").read_text()
    assert text.startswith(before)  # the app's own content untouched, the table appended
    table = tomllib.loads(text)["tool"]["pkg"]
    assert table["project"] == "." and table["publisher"] == "example"  # no authors: the GitHub owner
    assert table["package-id"] == "Example.Tailor" and uuid.UUID(table["upgrade-code"])
    assert table["url-template"] == "https://github.com/example/tailor/releases/download/v{version}/{file}"
    out = capsys.readouterr().out
    assert "# Commands shipped (all console scripts): tailor = tailor.__main__:main" in text
    assert "publisher: 'example' was taken" in out and "[[tool.pkg.checks]]" in out
    assert pipeline.check_project(config.load(repo)).command_names == ["tailor"]
    with pytest.raises(InputError, match=r"has a \[tool\.pkg\] already"):
        init.init(repo, Path("."), learn=False)


def test_packaging_repo_init_for_a_setup_cfg_project(tmp_path, capsys):
    shutil.copytree(PROJECTS / "multitool", tmp_path / "app")
    init.init(tmp_path, Path("app"), learn=False)
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["pkg"]
    assert table["project"] == "app" and table["package-id"] == "Example.MultiTool"
    assert "multitool = multitool.cli:main, multitool-admin = multitool.admin:main" in \
        (tmp_path / "pyproject.toml").read_text()
    assert config.load(tmp_path).project_dir == (tmp_path / "app").resolve()


def test_no_repository_url_leaves_a_placeholder_and_says_so(tmp_path, capsys):
    shutil.copytree(PROJECTS / "modonly", tmp_path / "app")
    init.init(tmp_path, Path("app"), learn=False)
    out = capsys.readouterr().out
    assert "url-template: where the release files will be downloaded from" in out
    assert "publisher: who publishes the installers" in out
    assert config.load(tmp_path).url_template.startswith("https://example.invalid/")
    with pytest.raises(InputError, match=r"^4 problem\(s\): tool\.pkg\.publisher 'TODO publisher' is make init's "
                                         r"placeholder: fill it in; tool\.pkg\.package-id 'TODO\.Modonly' .*; "
                                         r"tool\.pkg\.url-template 'https://example\.invalid/TODO/.*; no homepage"):
        pipeline.check_project(config.load(tmp_path))  # every one, in one run


def test_the_command_line_refuses_a_folder_that_is_no_project(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "pkg", repo / "pkg", ignore=shutil.ignore_patterns("__pycache__"))
    proc = run_pkg("init", "--project", "nowhere", cwd=repo)
    assert proc.returncode == 2 and "no such project folder" in proc.stderr
    assert not (repo / "pyproject.toml").exists()


def project(tmp_path: Path, authors: str, scripts: str = 'mytool = "mytool.cli:main"') -> Path:
    app = tmp_path / "app"
    (app / "mytool").mkdir(parents=True)
    (app / "mytool" / "__init__.py").write_text("")
    (app / "mytool" / "cli.py").write_text("def main():\n    pass\n")
    (app / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "mytool"\nversion = "1.0"\ndescription = "A tool"\nlicense = "MIT"\n'
        f'authors = [{authors}]\n[project.urls]\nSource = "https://github.com/someone/mytool"\n'
        + (f"[project.scripts]\n{scripts}\n" if scripts else ""))
    return app


@pytest.mark.parametrize(("authors", "publisher", "package_id"), [
    ('{name = "Jane Doe"}', "Jane Doe", "JaneDoe.Mytool"),                  # a whole name, not "Jane"
    ('{name = "Ann Smith and Bob Roe"}', "Ann Smith and Bob Roe", "AnnSmithAndBobRoe.Mytool"),
    ('{name = "Łukasz Langa", email = "l@example.org"}', "Łukasz Langa", "LukaszLanga.Mytool"),  # transliterated
    ('{name = "Adrien Vergé"}', "Adrien Vergé", "AdrienVerge.Mytool"),
])
def test_publisher_is_the_whole_author_name_and_the_id_is_its_ascii(tmp_path, capsys, authors, publisher, package_id):
    project(tmp_path, authors)
    init.init(tmp_path, Path("app"), learn=False)
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["pkg"]
    assert (table["publisher"], table["package-id"]) == (publisher, package_id)
    assert config.load(tmp_path).package_id == package_id  # a valid winget id
    assert table.get("maintainer") == ("Łukasz Langa <l@example.org>" if "email" in authors else None)


def test_an_existing_msi_upgrade_code_is_kept(tmp_path, capsys):
    app = project(tmp_path, '{name = "Jane Doe"}')
    (app / "installer").mkdir()
    (app / "installer" / "product.wxs").write_text(
        '<Wix xmlns="http://wixtoolset.org/schemas/v4/wxs"><Package Name="mytool" Version="1.0.0" '
        'Manufacturer="Jane" UpgradeCode="{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}"/></Wix>')
    init.init(tmp_path, Path("app"), learn=False)
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["pkg"]
    assert table["upgrade-code"] == "0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"
    assert "upgrade-code: kept from installer/product.wxs" in capsys.readouterr().out


def test_no_command_still_writes_the_table_and_says_what_to_add(tmp_path, capsys):
    project(tmp_path, '{name = "Jane Doe"}', scripts="")
    init.init(tmp_path, Path("app"), learn=False)
    text = (tmp_path / "pyproject.toml").read_text()
    assert "# No command yet: mytool has no command: add a console script" in text
    assert tomllib.loads(text)["tool"]["pkg"]["publisher"] == "Jane Doe"
    assert "  - commands: mytool has no command" in capsys.readouterr().out.splitlines()[2]  # first to do
    with pytest.raises(InputError, match="has no command"):  # make check says the same until one is added
        pipeline.check_project(config.load(tmp_path))


def test_the_table_goes_at_the_end_and_everything_before_stays_byte_for_byte(tmp_path, capsys):
    app = project(tmp_path, '{name = "Jane Doe"}')
    shutil.move(app / "pyproject.toml", tmp_path / "pyproject.toml")
    before = (tmp_path / "pyproject.toml").read_text() + '\n[tool.ruff]\nline-length = 99   # kept as written\n'
    (tmp_path / "pyproject.toml").write_text(before)
    shutil.move(app / "mytool", tmp_path / "mytool")  # flat: the drop-in layout
    shutil.rmtree(app)
    init.init(tmp_path, Path("."), learn=False)
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(before.rstrip() + "\n\n[tool.pkg]\n")
    assert tomllib.loads(text)["tool"]["ruff"]["line-length"] == 99


SPECIAL = {  # what three commands really do: each needs declarations a default config gets wrong
    "cli": """import sys
def main():
    args = sys.argv[1:]
    if args == ["-V"]: print("mytool 1.0")
    elif args == ["--help"]: print("usage: mytool [-V] FILE")
    elif not args: print("error: FILE is required", file=sys.stderr); sys.exit(2)
""",
    "admin": """import sys
def main():
    if sys.argv[1:] == ["--help"]: print("usage: mytool-admin")
    elif sys.argv[1:]: sys.exit(3)
""",
    "lister": """import sys
def main():
    if sys.argv[1:] == ["--version"]: print("mytool-list 1.0")
    elif sys.argv[1:] == ["--help"]: print("usage: mytool-list")
    else: print(", ".join({"red", "green", "blue", "cyan", "magenta", "yellow"}))
""",
}


def test_init_runs_the_pip_installed_app_and_writes_what_it_learns(tmp_path, capsys):
    """`make init && make check` alone: the declarations each command's real behaviour calls for, written
    with what was seen; run again with them, every check on the pip-installed app passes, twice the same."""
    from pkg.compile import probe
    from pkg.core import names, targets

    app = project(tmp_path, '{name = "Jane Doe", email = "jane@example.org"}',
                  'mytool = "mytool.cli:main"\nmytool-admin = "mytool.admin:main"\nmytool-list = "mytool.lister:main"')
    for module, source in SPECIAL.items():
        (app / "mytool" / f"{module}.py").write_text(source)
    init.init(tmp_path, Path("app"))
    text = (tmp_path / "pyproject.toml").read_text()
    table = tomllib.loads(text)["tool"]["pkg"]
    assert table["maintainer"] == "Jane Doe <jane@example.org>"
    assert table["command"] == {"mytool": {"version-args": ["-V"], "no-args-exit": 2},
                                "mytool-admin": {"version": False}, "mytool-list": {"pip-installed": "checked"}}
    assert "no-args-exit = 2 # exit 2, 'error: FILE is required'" in text
    assert "ran 9 checks on the pip-installed app: 4 declaration(s) written" in capsys.readouterr().out
    cfg = config.load(tmp_path)
    found = pipeline.check_project(cfg)
    work = tmp_path / names.WORK / targets.host().name
    assert probe.learn(cfg, found, work / names.PIP_ENV, targets.host().os, "1.0") == ([], 8)


def test_a_project_whose_tags_have_no_v_gets_its_convention_everywhere(tmp_path, capsys):
    """Its url-template, tag-prefix and the release workflow's trigger follow the project's own tags (1.0.0);
    the workflow's comments stay; a release VERSION then is tagged without v."""
    import subprocess

    from pkg.core import version

    shutil.copytree(ROOT / ".github", tmp_path / ".github")
    app = project(tmp_path, '{name = "Jane Doe"}')
    git = ["git", "-C", str(app), "-c", "user.name=t", "-c", "user.email=t@e"]
    subprocess.run(["git", "init", "-q", str(app)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    for tag in ("0.9.0", "1.0.0", "v0.1"):
        subprocess.run([*git, "tag", tag], check=True)
    init.init(tmp_path, Path("app"), learn=False)
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["pkg"]
    assert table["tag-prefix"] == "" and "/download/{version}/{file}" in table["url-template"]
    workflow = (tmp_path / ".github" / "workflows" / "release.yml").read_text()
    assert "tags: ['[0-9]*']" in workflow and "# One runner per release target" in workflow
    assert "set the release workflow's trigger to the project's tags, [0-9]*" in capsys.readouterr().out
    cfg = config.load(tmp_path)
    assert version.parse("1.2.0", cfg.tag_prefix).tag == "1.2.0"
    with pytest.raises(InputError, match="is not X.Y.Z"):
        version.parse("v1.2.0", cfg.tag_prefix)  # not this project's tags
