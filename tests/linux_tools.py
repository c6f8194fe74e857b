"""The Linux packaging tools, driven as their users do: dpkg-deb and rpm read packages back, lintian judges a
.deb, dpkg installs one on this machine (root), rpm installs one into a throwaway root."""

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

DPKG_TURN = Path(tempfile.gettempdir()) / "pkg-tests-dpkg.lock"


def deb_field(path: Path, field: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(path), field], capture_output=True, text=True,
                          check=True).stdout.strip()


def rpm_query(path: Path, fmt: str) -> str:
    return subprocess.run(["rpm", "-qp", "--nosignature", "--qf", fmt, str(path)], capture_output=True, text=True,
                          check=True).stdout


def lintian(path: Path) -> list[str]:
    """lintian's findings at its default level (errors and warnings), info included."""
    done = subprocess.run(["lintian", "--info", str(path)], capture_output=True, text=True)
    return [ln for ln in (done.stdout + done.stderr).splitlines() if ln[:2] in ("E:", "W:", "I:")]


def installed_files(app_name: str, commands: list[str]) -> list[Path]:
    return [p for p in [Path("/usr/lib", app_name), Path("/usr/share/doc", app_name),
                        Path("/usr/share/lintian/overrides", app_name), *(Path("/usr/bin", c) for c in commands)]
            if p.exists() or p.is_symlink()]


def answers(program: str, version: str | None, **run) -> None:
    """The command runs: `--version` carries `version`, or (an app without --version) `--help` prints."""
    out = subprocess.run([program, "--version" if version else "--help"], capture_output=True, text=True,
                         timeout=60, **run)
    assert out.returncode == 0 and (version in out.stdout if version else out.stdout.strip()), \
        (program, out.stdout[-500:], out.stderr[-500:])


@contextlib.contextmanager
def dpkg_turn():
    """One dpkg at a time on this machine: test workers running in parallel (make test-adopt) take turns,
    as apt does (dpkg refuses to run while another holds its lock, it does not wait)."""
    with open(DPKG_TURN, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def dpkg_lifecycle(deb: Path, app_name: str, commands: list[str], version: str | None) -> None:
    """dpkg -i, every command from PATH in a fresh environment, dpkg -r, dpkg -P: nothing left."""
    with dpkg_turn():
        _dpkg_lifecycle(deb, app_name, commands, version)


def _dpkg_lifecycle(deb: Path, app_name: str, commands: list[str], version: str | None) -> None:
    assert os.geteuid() == 0, "the dpkg test installs for real: run as root (CI is)"
    assert installed_files(app_name, commands) == [], "left over from an earlier run"
    try:
        done = subprocess.run(["dpkg", "-i", str(deb)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        for command in commands:
            answers(command, version, cwd="/", env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent",
                                                     "LANG": "C.UTF-8"})
            assert shutil.which(command, path="/usr/bin") == f"/usr/bin/{command}"
        assert subprocess.run(["dpkg", "-r", app_name], capture_output=True).returncode == 0
        assert installed_files(app_name, commands) == []
        assert subprocess.run(["dpkg", "-P", app_name], capture_output=True).returncode == 0
        status = subprocess.run(["dpkg-query", "-W", "-f", "${Status}", app_name], capture_output=True, text=True)
        assert "installed" not in status.stdout.replace("not-installed", "")
    finally:
        subprocess.run(["dpkg", "-P", app_name], capture_output=True)
    assert installed_files(app_name, commands) == []


def rpm_root_install(rpm: Path, root: Path, app_name: str, commands: list[str], version: str | None) -> None:
    """Into a throwaway root: it has no glibc package, so --nodeps (the dependency is checked by -qpR)."""
    done = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-i", "--nodeps", "--nosignature",
                           str(rpm)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for command in commands:
        link = root / "usr" / "bin" / command
        assert os.readlink(link) == f"../lib/{app_name}/{command}"
        answers(str(link), version)
    assert (root / "usr" / "share" / "doc" / app_name / "copyright").is_file()
    erased = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-e", app_name],
                            capture_output=True, text=True)
    assert erased.returncode == 0, erased.stderr
    assert not (root / "usr" / "lib" / app_name).exists()
    assert not any((root / "usr" / "bin" / c).is_symlink() for c in commands)
