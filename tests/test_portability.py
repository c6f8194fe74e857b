"""pkg.portability: glibc floor from real ELF files built here with gcc (objdump is the independent
oracle); macOS deployment target from synthesised Mach-O headers."""

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from pkg.compile import portability
from pkg.core.errors import InputError

GETRANDOM = r"""
#include <stdio.h>
#include <sys/random.h>
int main(void) { unsigned char b[4]; if (getrandom(b, sizeof b, 0) < 0) return 1; printf("%u\n", b[0]); return 0; }
"""
MEMFD = r"""
#define _GNU_SOURCE
#include <sys/mman.h>
int make_fd(void) { return memfd_create("x", 0); }
"""


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def objdump_glibc(path: Path) -> set[str]:
    """The oracle: GLIBC_x.y names under objdump's "Version References" (needs, not definitions)."""
    out = subprocess.run(["objdump", "-p", str(path)], check=True, capture_output=True, text=True).stdout
    refs = out.partition("Version References:")[2]
    return set(re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)\b", refs))


def gcc(tmp_path: Path, source: str, output: Path, *flags: str) -> Path:
    src = tmp_path / f"{output.name}.c"
    src.write_text(source)
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["gcc", *flags, "-o", str(output), str(src)], check=True)
    return output


def test_glibc_floor_matches_objdump_over_a_folder(tmp_path):
    folder = tmp_path / "app"
    program = gcc(tmp_path, GETRANDOM, folder / "app")
    library = gcc(tmp_path, MEMFD, folder / "lib" / "libmemfd.so", "-shared", "-fPIC")
    (folder / "lib" / "data.json").write_text("{}")
    (folder / "lib" / "fake.elf").write_bytes(b"not an ELF at all")
    (folder / "outside").symlink_to("/usr/lib/x86_64-linux-gnu/libc.so.6")  # skipped: not shipped content

    expected = objdump_glibc(program) | objdump_glibc(library)
    assert portability.elf_glibc_versions(program) == objdump_glibc(program)
    assert "2.25" in expected and "2.27" in expected  # getrandom, memfd_create
    assert portability.glibc_floor(folder) == max(expected, key=_key)
    assert _key(portability.glibc_floor(folder)) >= (2, 27)


def test_glibc_floor_of_system_ls_matches_objdump(tmp_path):
    shutil.copy2("/bin/ls", tmp_path / "ls")
    assert portability.glibc_floor(tmp_path) == max(objdump_glibc(tmp_path / "ls"), key=_key)


def test_static_binary_and_no_elf_have_no_floor(tmp_path):
    gcc(tmp_path, GETRANDOM, tmp_path / "static" / "app", "-static")
    assert objdump_glibc(tmp_path / "static" / "app") == set()
    assert portability.glibc_floor(tmp_path / "static") is None
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "README").write_text("hello")
    assert portability.glibc_floor(tmp_path / "text") is None


def test_damaged_elf_and_missing_folder_are_one_line_errors(tmp_path):
    (tmp_path / "broken").write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 5)
    with pytest.raises(InputError, match=r"broken: damaged ELF file"):
        portability.glibc_floor(tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        portability.glibc_floor(tmp_path / "nope")


# --- Mach-O: a fake. No macOS toolchain or binary exists on this Linux machine, so the headers are
# synthesised from <mach-o/loader.h> and <mach-o/fat.h> layouts.
LC_SEGMENT_64, LC_VERSION_MIN_MACOSX, LC_BUILD_VERSION = 0x19, 0x24, 0x32
CPU_X86_64, CPU_ARM64 = 0x01000007, 0x0100000C
MACOS, IOS = 1, 2


def packed(version: str) -> int:
    parts = [int(p) for p in version.split(".")] + [0, 0]
    return parts[0] << 16 | parts[1] << 8 | parts[2]


def build_version(minos: str, platform: int = MACOS, order: str = "<") -> bytes:
    return struct.pack(order + "IIIIII", LC_BUILD_VERSION, 24, platform, packed(minos), packed("15.0"), 0)


def version_min(version: str, order: str = "<") -> bytes:
    return struct.pack(order + "IIII", LC_VERSION_MIN_MACOSX, 16, packed(version), packed("10.15"))


def segment(order: str = "<") -> bytes:  # an unrelated command the parser must step over
    return struct.pack(order + "II", LC_SEGMENT_64, 72) + b"\x00" * 64


def thin(*commands: bytes, cpu: int = CPU_ARM64, bits: int = 64, order: str = "<") -> bytes:
    body = b"".join(commands)
    magic = 0xFEEDFACF if bits == 64 else 0xFEEDFACE
    header = struct.pack(order + "IiiIIII", magic, cpu, 0, 2, len(commands), len(body), 0)
    return header + (struct.pack(order + "I", 0) if bits == 64 else b"") + body


def fat(*slices: tuple[int, bytes], wide: bool = False) -> bytes:
    entry = 32 if wide else 20
    offset, table, blobs = 8 + entry * len(slices), b"", b""
    for cpu, blob in slices:
        offset_here = offset + len(blobs)
        if wide:
            table += struct.pack(">iiQQII", cpu, 0, offset_here, len(blob), 0, 0)
        else:
            table += struct.pack(">iiIII", cpu, 0, offset_here, len(blob), 0)
        blobs += blob
    return struct.pack(">II", 0xCAFEBABF if wide else 0xCAFEBABE, len(slices)) + table + blobs


def one(tmp_path: Path, data: bytes) -> str | None:
    folder = tmp_path / "bundle"
    folder.mkdir(exist_ok=True)
    (folder / "bin").write_bytes(data)
    return portability.macos_min_version(folder)


@pytest.mark.parametrize(("data", "expected"), [
    (thin(segment(), build_version("11.0")), "11.0"),
    (thin(version_min("10.13.4"), segment()), "10.13.4"),
    (thin(build_version("12.3", order=">"), order=">", bits=32), "12.3"),  # big-endian, 32-bit
    (thin(segment(), build_version("17.0", platform=IOS)), None),  # an iOS build says nothing of macOS
    (thin(segment()), None),
    (fat((CPU_X86_64, thin(version_min("10.13"), cpu=CPU_X86_64)), (CPU_ARM64, thin(build_version("11.0")))),
     "11.0"),
    (fat((CPU_X86_64, thin(build_version("10.15"), cpu=CPU_X86_64)), (CPU_ARM64, thin(build_version("10.9"))),
         wide=True), "10.15"),
    (b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 32, None),  # a Java class file, not a fat binary
    (b"\x7fELF" + b"\x00" * 60, None),
])
def test_macos_min_version_of_one_file(tmp_path, data, expected):
    assert one(tmp_path, data) == expected


def test_macos_min_version_is_the_highest_over_the_folder(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "app").write_bytes(thin(build_version("10.9")))
    (tmp_path / "lib" / "libx.dylib").write_bytes(thin(build_version("10.15")))
    (tmp_path / "lib" / "data.txt").write_text("x")
    assert portability.macos_min_version(tmp_path) == "10.15"  # numeric order: 10.15 > 10.9


def test_truncated_macho_is_a_one_line_error(tmp_path):
    whole = thin(segment(), build_version("11.0"))
    with pytest.raises(InputError, match=r"bin: damaged Mach-O file"):
        one(tmp_path, whole[:40])
    broken = fat((CPU_ARM64, thin(build_version("11.0"))))[:12]
    with pytest.raises(InputError, match=r"damaged Mach-O file"):
        one(tmp_path, broken)


def test_files_above_a_declared_floor_are_named_with_their_versions(tmp_path, capsys):
    """getrandom needs 2.25 and memfd_create 2.27: against a 2.26 floor only the library is above it, and the
    build says so in one line; at or below a floor nothing is said."""
    from pkg.compile.portability import facts as portability_facts
    from pkg.core.targets import Target

    folder = tmp_path / "app"
    gcc(tmp_path, GETRANDOM, folder / "app")
    gcc(tmp_path, MEMFD, folder / "lib" / "libmemfd.so", "-shared", "-fPIC")
    above = portability.glibc_above(portability.glibc_needs(folder), "2.26")
    assert "lib/libmemfd.so" in above and above["lib/libmemfd.so"][0] == "2.27"
    assert all(_key(v) > (2, 26) for versions in above.values() for v in versions)
    assert portability.glibc_above(portability.glibc_needs(folder), portability.glibc_floor(folder)) == {}
    facts = portability_facts(folder, Target("linux", "x86_64"), "2.26")
    assert facts == {"glibc": portability.glibc_floor(folder), "glibc_floor": "2.26"}
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"note: this build needs glibc {facts['glibc']}, above the declared floor 2.26")
    assert "lib/libmemfd.so (GLIBC_2.27" in line and "REQUIRE_TARGETS=all" in line
    portability_facts(folder, Target("linux", "x86_64"), facts["glibc"])
    assert capsys.readouterr().out == ""
