"""Building the app's wheel writes nothing into the project (pkg/project/metadata.py out_of_tree): a real pbr
project in a git repository keeps its tracked AUTHORS and ChangeLog (pbr rewrites them from git history
otherwise: found adopting bandit drop-in) and gets no egg-info."""

import subprocess
import types

import pytest

from pkg.compile import appenv

SETUP_CFG = "[metadata]\nname = pbrtool\nsummary = A pbr fixture\n\n[files]\npackages = pbrtool\n"


@pytest.mark.e2e  # fetches pbr and setuptools from the package index into uv's cache (once)
def test_a_pbr_projects_tracked_files_stay_as_they_are(tmp_path):
    project = tmp_path / "pbrtool"
    (project / "pbrtool").mkdir(parents=True)
    (project / "pbrtool" / "__init__.py").write_text("")
    (project / "setup.cfg").write_text(SETUP_CFG)
    (project / "setup.py").write_text("import setuptools\nsetuptools.setup(pbr=True)\n")
    (project / "pyproject.toml").write_text('[build-system]\nrequires = ["pbr>=6", "setuptools"]\n'
                                            'build-backend = "pbr.build"\n')
    (project / "AUTHORS").write_text("The authors, as the project keeps them\n")
    (project / "ChangeLog").write_text("The project's own change log\n")
    git = ["git", "-C", str(project), "-c", "user.name=u", "-c", "user.email=u@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    subprocess.run([*git, "tag", "1.0.0"], check=True)
    built = appenv.build_wheel(types.SimpleNamespace(project_dir=project), tmp_path / "wheel", tmp_path / "w.log", None)
    assert built.name == "pbrtool-1.0.0-py3-none-any.whl"
    status = subprocess.run([*git, "status", "--porcelain", "--ignored"], capture_output=True, text=True, check=True)
    assert status.stdout == "", status.stdout
