"""The version table: what is accepted, how it maps, and what is refused with exit 2."""

import pytest

from pkg.core import version
from pkg.core.errors import InputError
from pkg.release import prepare

from .conftest import ROOT, run_pkg


@pytest.mark.parametrize("text,canonical,msi,pre", [
    ("0.2.0", "0.2.0", "0.2.0", False),
    ("v0.2.0", "0.2.0", "0.2.0", False),
    ("0.2.0rc1", "0.2.0rc1", "0.2.0", True),
    ("1.0.0a3", "1.0.0a3", "1.0.0", True),
    ("10.20.30b2", "10.20.30b2", "10.20.30", True),
    ("255.255.65535", "255.255.65535", "255.255.65535", False),
    ("0.23", "0.23", "0.23.0", False),      # two components, as real apps have (docutils 0.23)
    ("v1.4rc2", "1.4rc2", "1.4.0", True),
])
def test_accepted(text, canonical, msi, pre):
    v = version.parse(text)
    assert (str(v), v.msi, v.prerelease, v.tag) == (canonical, msi, pre, f"v{canonical}")


@pytest.mark.parametrize("text", ["", "1", "abc", "1.2.3.4", "1.2.3.4.5", "256.0", "../x", "1.2.3 ", " 1.2.3",
                                  "1..2", "256.0.0",
                                  "1.2.3.post1", "1!1.2.3", "1.2.3-1", "1.2.3RC1",
                                  "0.256.0", "0.0.65536", "01.2.3", "0.2.0-rc.1", "0.2.0.dev1", "vv1.2.3", "v",
                                  "1.2.3\n", "1.2.3rc", "1.2.3+local"])
def test_refused(text):
    with pytest.raises(InputError) as info:
        version.parse(text)
    assert info.value.exit_code == 2 and "\n" not in str(info.value)


def test_bad_version_writes_nothing(tmp_path):
    """A bad VERSION stops `set-version` before it reads or writes the project: the app's pyproject is as it was."""
    pyproject = ROOT / "app" / "pyproject.toml"
    before = pyproject.read_bytes()
    proc = run_pkg("set-version", "--for-release", "--version", "1..2", "--release-dir", str(tmp_path / "release"))
    assert proc.returncode == 2 and proc.stderr.startswith("error: VERSION '1..2'")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "release").exists() and pyproject.read_bytes() == before
    proc = run_pkg("release", "--version", "256.0.0", "--dist", str(tmp_path), "--release-dir", str(tmp_path / "r"))
    assert proc.returncode == 2 and "MSI limit" in proc.stderr and not (tmp_path / "r").exists()


def test_tag_1_outside_a_git_repository_is_refused_before_anything_is_built(tmp_path):
    """`make release TAG=1` checks it can tag first (set-version runs before build-test): one line, exit 2."""
    with pytest.raises(InputError) as info:
        prepare.check_can_tag(tmp_path, "v0.2.0", None, "0.2.0")
    assert str(info.value).startswith(f"TAG=1 needs a git repository to tag: git status in {tmp_path} failed (")
    assert info.value.exit_code == 2 and "\n" not in str(info.value)
