"""The target table: how `uname -s`/`uname -m` map to <os>-<arch>. The Makefile holds the same table
(Make must pick a script before Python runs); tests/test_targets.py proves the two agree."""

import platform
from dataclasses import dataclass

from pkg.core.errors import InputError

OS_NAMES = {"Linux": "linux", "Darwin": "macos", "Windows_NT": "windows"}
WINDOWS_PREFIXES = ("MINGW", "MSYS", "CYGWIN")
ARCH_NAMES = {"x86_64": "x86_64", "amd64": "x86_64", "AMD64": "x86_64",
              "arm64": "arm64", "aarch64": "arm64", "ARM64": "arm64"}
# The five targets a full release carries (one CI runner each).
DEFAULT_TARGETS = ("linux-x86_64", "linux-arm64", "macos-x86_64", "macos-arm64", "windows-x86_64")
# The oldest glibc the Linux builds must run on, unless tool.pkg.glibc says otherwise: RHEL/Alma/Rocky 8 (2.28)
# and everything newer (RHEL 9 and Amazon Linux 2023 2.34, Debian 11 and Ubuntu 20.04 2.31, SLES 15 SP5 2.31).
# Nuitka never bundles glibc: a build runs where glibc is at least the one it was built against.
GLIBC_FLOOR = "2.28"


@dataclass(frozen=True, order=True)
class Target:
    os: str
    arch: str

    @property
    def name(self) -> str:
        return f"{self.os}-{self.arch}"

    def __str__(self) -> str:
        return self.name


def normalise_os(uname_s: str) -> str:
    if uname_s in OS_NAMES:
        return OS_NAMES[uname_s]
    if uname_s.startswith(WINDOWS_PREFIXES):
        return "windows"
    raise InputError(f"unsupported OS {uname_s!r} (known: Linux, Darwin, MINGW*/MSYS*/CYGWIN*, Windows_NT)")


def normalise_arch(uname_m: str) -> str:
    if uname_m in ARCH_NAMES:
        return ARCH_NAMES[uname_m]
    raise InputError(f"unsupported architecture {uname_m!r} (known: {', '.join(ARCH_NAMES)})")


def host() -> Target:
    system = "Windows_NT" if platform.system() == "Windows" else platform.system()
    return Target(normalise_os(system), normalise_arch(platform.machine()))


def parse(name: str) -> Target:
    """Parse `linux-x86_64`; only the default targets are buildable."""
    if name not in DEFAULT_TARGETS:
        raise InputError(f"unknown target {name!r} (known: {', '.join(DEFAULT_TARGETS)})")
    return split(name)


def split(name: str) -> Target:
    """<os>-<arch> taken apart without asking whether it is buildable: the one place a target name is split
    (file names of a plan's `<os>-<arch>`, install.sh's `$target`)."""
    os_name, _, arch = name.partition("-")
    return Target(os_name, arch)
