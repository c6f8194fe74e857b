"""The target table: Make and Python agree on every uname pair, and unknown values fail clearly."""

import subprocess

import pytest

from pkg.core import names, targets
from pkg.core.errors import InputError

from .conftest import ROOT

UNAME_S = ["Linux", "Darwin", "MINGW64_NT-10.0-20348", "MSYS_NT-10.0", "CYGWIN_NT-10.0", "Windows_NT",
           "FreeBSD", "SunOS", "mingw64"]
UNAME_M = ["x86_64", "amd64", "AMD64", "arm64", "aarch64", "ARM64", "i686", "armv7l", "riscv64", "ppc64le"]


def make_target(uname_s: str, uname_m: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "print-target", f"UNAME_S={uname_s}", f"UNAME_M={uname_m}"],
                          cwd=ROOT, capture_output=True, text=True)


def python_target(uname_s: str, uname_m: str) -> str | None:
    try:
        return f"{targets.normalise_os(uname_s)}-{targets.normalise_arch(uname_m)}"
    except InputError:
        return None


@pytest.mark.parametrize("uname_s", UNAME_S)
def test_make_and_python_agree_on_every_pair(uname_s):
    for uname_m in UNAME_M:
        proc = make_target(uname_s, uname_m)
        expected = python_target(uname_s, uname_m)
        if expected is None:
            assert proc.returncode != 0, (uname_s, uname_m, proc.stdout)
            assert proc.stderr.startswith("error: unsupported"), proc.stderr
            assert len(proc.stderr.strip().splitlines()) <= 2  # the message plus make's own line
        else:
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.strip() == expected


def test_known_pairs_map_to_the_five_targets():
    assert python_target("Linux", "aarch64") == "linux-arm64"
    assert python_target("Darwin", "x86_64") == "macos-x86_64"
    assert python_target("MINGW64_NT-10.0", "x86_64") == "windows-x86_64"
    assert python_target("Linux", "amd64") == "linux-x86_64"
    assert {python_target(s, m) for s in UNAME_S for m in UNAME_M} - {None} <= set(targets.DEFAULT_TARGETS) | {
        "windows-arm64"}


def test_unknown_names_are_refused():
    with pytest.raises(InputError, match="unsupported architecture 'sparc'"):
        targets.normalise_arch("sparc")
    with pytest.raises(InputError, match="unsupported OS 'Plan9'"):
        targets.normalise_os("Plan9")
    with pytest.raises(InputError, match="unknown target"):
        targets.parse("linux-sparc")


def test_python_and_make_name_this_machine_alike():
    proc = subprocess.run(["make", "-s", "print-target"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == targets.host().name
    assert targets.host().name in targets.DEFAULT_TARGETS


def test_names_per_os():
    assert names.archive("app", "windows-x86_64") == "app-windows-x86_64.zip"
    assert names.archive("app", "macos-arm64") == "app-macos-arm64.tar.gz"
    assert (names.program("app", "windows"), names.program("app", "linux")) == ("app.exe", "app")
    assert (names.compiled_program("app", "windows"), names.compiled_program("app", "macos")) == ("app.exe", "app.bin")
