"""Linux builds on the glibc floor, proven on a real older system: a Debian 11 root (tests/oldroot.py, glibc
2.31) against this machine (Debian 12, glibc 2.36). `make test-oldroot` (marker `oldroot`): the root is made
once and cached; each run builds a real app there with the pipeline, as release.yml's container does.

- tabulate (its vendored sdist), declared for Debian 11 and newer (`glibc = "2.31"`), built in the root with
  `make build-test`: its archive runs there and here; its .deb installs there with dpkg, every command runs
  from PATH, and it purges clean; merged with the four other runners it passes REQUIRE_TARGETS=all.
- the same app built on this machine needs glibc 2.35: the build says so, REQUIRE_TARGETS=all refuses it in
  one line, and its install.sh, served on loopback, refuses the Debian 11 root in one line, writing nothing.
"""

import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

from pkg.core import model, targets

from . import oldroot
from .adoption import add_fixture_runners, make, packaging_repo, tail
from .conftest import run_pkg
from .test_adopt import TABULATE, sdist
from .test_install_sh import serve

pytestmark = pytest.mark.oldroot
HOST = targets.host().name
CONFIG = f'glibc = "{oldroot.GLIBC}"   # Debian 11 and newer\n' + TABULATE.config
TABLE_IN, TABLE_OUT = "a b\n1 2\n", "  a    b\n---  ---\n  1    2\n"


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


@pytest.fixture(scope="module")
def old() -> Path:
    root = oldroot.root()
    assert oldroot.glibc_of(root) == oldroot.GLIBC
    shutil.copy2(Path(sys.executable).with_name("uv"), root / "usr" / "local" / "bin" / "uv")  # the pinned uv
    return root


@pytest.fixture(scope="module")
def root_repo(old, tmp_path_factory) -> Path:
    """tabulate's packaging repository inside the root, built and smoke-tested there; removed afterwards (the
    root keeps its ccache and Nuitka cache)."""
    work = old / "work" / uuid.uuid4().hex[:8]
    try:
        repo = packaging_repo(work, sdist(TABULATE, tmp_path_factory.mktemp("sdist")), CONFIG)
        proc = oldroot.run_in(old, f"cd /{repo.relative_to(old).as_posix()} && make build-test SETUP=build")
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
        assert "above the declared floor" not in proc.stdout
        yield repo
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_built_on_debian_11_it_runs_there_and_here(old, root_repo, tmp_path):
    manifest = model.find_build(root_repo / "dist", HOST)[1]
    build = manifest.builds[HOST]
    assert build.glibc_floor == oldroot.GLIBC and _key(build.glibc) <= _key(oldroot.GLIBC) and not build.above_floor()
    archive = root_repo / "dist" / manifest.select(model.Kind.ARCHIVE)[0].path
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path, filter="tar")
    here = subprocess.run([str(tmp_path / build.commands["tabulate"]), "-1"], input=TABLE_IN, capture_output=True,
                          text=True)
    assert (here.returncode, here.stdout) == (0, TABLE_OUT)  # on glibc 2.36
    there = oldroot.run_in(old, f"mkdir -p /tmp/t && tar -xzf /{archive.relative_to(old)} -C /tmp/t && "
                                f"printf 'a b\\n1 2\\n' | /tmp/t/{build.commands['tabulate']} -1; rm -rf /tmp/t")
    assert (there.returncode, there.stdout) == (0, TABLE_OUT), there.stderr  # on glibc 2.31


def test_its_deb_installs_runs_and_purges_on_debian_11(old, root_repo):
    inside = "/" + root_repo.relative_to(old).as_posix()
    proc = oldroot.run_in(old, f"cd {inside} && make release VERSION={TABULATE.version} SETUP=build")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    (deb,) = (root_repo / "release" / f"v{TABULATE.version}").glob("*.deb")
    depends = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True).stdout.strip()
    assert depends == f"libc6 (>= {oldroot.GLIBC})"
    lifecycle = oldroot.run_in(old, f"dpkg -i /{deb.relative_to(old)} >/dev/null && command -v tabulate && "
                                    "printf 'a b\\n1 2\\n' | tabulate -1 && dpkg -P tabulate >/dev/null && "
                                    "! test -e /usr/lib/tabulate && ! test -e /usr/bin/tabulate")
    assert lifecycle.returncode == 0, lifecycle.stdout + lifecycle.stderr
    assert lifecycle.stdout == "/usr/bin/tabulate\n" + TABLE_OUT


def test_merged_with_the_other_runners_it_passes_the_ci_floor_check(root_repo):
    add_fixture_runners(root_repo, TABULATE.version)
    proc = run_pkg("release", "--version", TABULATE.version, "--require-targets", "all", "--force", cwd=root_repo)
    assert proc.returncode == 0, proc.stderr[-2000:]
    notes = (root_repo / "release" / f"v{TABULATE.version}" / "CHANGELOG.md").read_text()
    assert "above the declared floor" not in notes


def test_a_build_made_here_is_refused_by_the_floor_and_by_install_sh_in_the_old_root(old, tmp_path):
    repo = packaging_repo(tmp_path / "repo", sdist(TABULATE, tmp_path), CONFIG)
    built = make(repo, "release", f"VERSION={TABULATE.version}")  # a local release: built here, labelled
    assert built.returncode == 0, tail(built)
    needs = model.find_build(repo / "dist", HOST)[1].builds[HOST].glibc
    assert _key(needs) > _key(oldroot.GLIBC)
    assert f"note: this build needs glibc {needs}, above the declared floor {oldroot.GLIBC} (tool.pkg.glibc)" \
        in built.stdout
    final = repo / "release" / f"v{TABULATE.version}"
    notes = (final / "CHANGELOG.md").read_text()
    assert f"needs glibc {needs} or newer, above the declared floor {oldroot.GLIBC}" in notes
    add_fixture_runners(repo, TABULATE.version)
    refused = run_pkg("release", "--version", TABULATE.version, "--require-targets", "all", "--force", cwd=repo)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith(f"error: REQUIRE_TARGETS=all refuses {HOST}: it needs glibc {needs}, above "
                                     f"the declared floor {oldroot.GLIBC}")
    (old / "tmp" / "install.sh").write_text((final / "install.sh").read_text())
    with serve(final) as url:  # the root shares this machine's loopback
        proc = oldroot.run_in(old, f"sh /tmp/install.sh --base-url {url} --prefix /tmp/never; rc=$?; "
                                   "test -e /tmp/never && echo written; exit $rc")
    assert (proc.returncode, proc.stdout) == (1, "")  # refused before anything is downloaded or written
    assert proc.stderr == (f"error: tabulate for {HOST} needs glibc {needs} or newer; this system has glibc "
                           f"{oldroot.GLIBC} (nothing installed)\n")
