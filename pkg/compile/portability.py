"""Portability facts of a built folder, read from the binaries themselves (what the build really needs,
not what the build machine claims): the oldest glibc and the oldest macOS the files can run on.

Both return the *highest* requirement over all files ("2.34", "11.0"): the folder runs only where every
file does. None when the folder holds no such binary (or none that states a requirement).
"""

import os
import re
import struct
from collections.abc import Iterator
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

from pkg.core.errors import InputError
from pkg.core.targets import Target

ELF_MAGIC = b"\x7fELF"
GLIBC = re.compile(r"GLIBC_(\d+(?:\.\d+)+)")  # not GLIBCXX_/GLIBC_PRIVATE

# Mach-O (<mach-o/loader.h>, <mach-o/fat.h>). Thin headers come in either byte order; fat headers are
# always big-endian.
MH_MAGIC, MH_MAGIC_64 = 0xFEEDFACE, 0xFEEDFACF
FAT_MAGIC, FAT_MAGIC_64 = 0xCAFEBABE, 0xCAFEBABF
FAT_MAX_ARCHS = 30  # Java class files share 0xCAFEBABE; their next word (the version) is larger
LC_VERSION_MIN_MACOSX, LC_BUILD_VERSION = 0x24, 0x32
PLATFORM_MACOS = 1


def files(folder: Path) -> Iterator[Path]:
    """Regular files under folder; symlinks are skipped (their targets are inside or not ours)."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    for root, _dirs, names in os.walk(folder):
        for name in sorted(names):
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                yield path


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _highest(versions) -> str | None:
    return max(versions, key=_key, default=None)


# --- ELF ---------------------------------------------------------------------------------------------
def elf_glibc_versions(path: Path) -> set[str]:
    """The GLIBC_x.y versions an ELF file asks for (its .gnu.version_r needs)."""
    try:
        with open(path, "rb") as handle:
            if handle.read(4) != ELF_MAGIC:
                return set()
            handle.seek(0)
            found = set()
            for section in ELFFile(handle).iter_sections():
                if isinstance(section, GNUVerNeedSection):
                    for _need, auxiliaries in section.iter_versions():
                        for aux in auxiliaries:
                            match = GLIBC.fullmatch(aux.name)
                            if match:
                                found.add(match.group(1))
            return found
    except (ELFError, struct.error, ValueError) as exc:
        raise InputError(f"{path}: damaged ELF file ({exc})") from None


def glibc_needs(folder: Path) -> dict[str, set[str]]:
    """Every ELF file of folder (relative path) that asks for GLIBC versions, with those versions."""
    found = {path.relative_to(folder).as_posix(): elf_glibc_versions(path) for path in files(folder)}
    return {name: versions for name, versions in found.items() if versions}


def highest_glibc(needs: dict[str, set[str]]) -> str | None:
    """The highest version in glibc_needs(): the oldest glibc the whole folder runs on, e.g. "2.34"."""
    return _highest(v for versions in needs.values() for v in versions)


def glibc_floor(folder: Path) -> str | None:
    """The highest GLIBC symbol version any ELF file in folder needs, e.g. "2.34"."""
    return highest_glibc(glibc_needs(folder))


def glibc_above(needs: dict[str, set[str]], floor: str) -> dict[str, list[str]]:
    """The files of glibc_needs() that need a newer glibc than `floor`, with the versions that do (newest
    first; the files needing most first)."""
    found = {name: sorted((v for v in versions if _key(v) > _key(floor)), key=_key, reverse=True)
             for name, versions in needs.items()}
    found = {name: versions for name, versions in found.items() if versions}
    return dict(sorted(found.items(), key=lambda item: (tuple(-n for n in _key(item[1][0])), item[0])))


def above_floor_note(floor: str, needs: str, files_above: dict[str, list[str]]) -> str:
    """One line: what a build above the declared floor needs, and what that means."""
    named = ", ".join(f"{name} (GLIBC_{', GLIBC_'.join(versions)})" for name, versions in list(files_above.items())[:2])
    more = f" and {len(files_above) - 2} more" if len(files_above) > 2 else ""
    return (f"note: this build needs glibc {needs}, above the declared floor {floor} (tool.pkg.glibc): {named}{more}; "
            f"it runs only where glibc is {needs} or newer, so a release with REQUIRE_TARGETS=all refuses it "
            "(build Linux on the floor: release.yml's container)")


# --- Mach-O ------------------------------------------------------------------------------------------
def _macos_version(word: int) -> str:
    """xxxx.yy.zz nibble-packed; "11.0", or "10.13.4" when the patch level is set."""
    major, minor, patch = word >> 16, (word >> 8) & 0xFF, word & 0xFF
    return f"{major}.{minor}.{patch}" if patch else f"{major}.{minor}"


def _thin_min_version(handle, base: int) -> str | None:
    """minos of the thin Mach-O image at offset base; only its header and load commands are read."""
    handle.seek(base)
    header = handle.read(32)
    for order in ("<", ">"):
        (magic,) = struct.unpack_from(order + "I", header)
        if magic in (MH_MAGIC, MH_MAGIC_64):
            break
    else:
        return None
    ncmds, sizeofcmds = struct.unpack_from(order + "II", header, 16)
    handle.seek(base + (32 if magic == MH_MAGIC_64 else 28))
    commands = handle.read(sizeofcmds)
    offset, found = 0, []
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from(order + "II", commands, offset)
        if cmdsize < 8:
            raise ValueError(f"load command {cmd:#x} has size {cmdsize}")
        if cmd == LC_BUILD_VERSION:
            platform, minos = struct.unpack_from(order + "II", commands, offset + 8)
            if platform == PLATFORM_MACOS:
                found.append(_macos_version(minos))
        elif cmd == LC_VERSION_MIN_MACOSX:
            (version,) = struct.unpack_from(order + "I", commands, offset + 8)
            found.append(_macos_version(version))
        offset += cmdsize
    return _highest(found)


def _macho_kind(head: bytes) -> tuple[bool, bool]:
    """(thin, fat) from a file's first 8 bytes."""
    if len(head) < 8:
        return False, False
    big, second = struct.unpack(">II", head)
    (little,) = struct.unpack_from("<I", head)
    return bool({big, little} & {MH_MAGIC, MH_MAGIC_64}), big in (FAT_MAGIC, FAT_MAGIC_64) and second <= FAT_MAX_ARCHS


def is_macho(path: Path) -> bool:
    """A Mach-O image, thin or universal (what codesign signs): programs, .dylib and .so alike."""
    with open(path, "rb") as handle:
        return any(_macho_kind(handle.read(8)))


def macho_min_versions(path: Path) -> set[str]:
    """The macOS deployment targets of a Mach-O file: one per slice of a fat (universal) binary."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        thin, fat = _macho_kind(head)
        if not (fat or thin):
            return set()
        big, second = struct.unpack(">II", head)
        try:
            if thin:
                return {v} if (v := _thin_min_version(handle, 0)) else set()
            entry, layout = (32, ">iiQQII") if big == FAT_MAGIC_64 else (20, ">iiIII")
            table = handle.read(second * entry)
            offsets = [struct.unpack_from(layout, table, i * entry)[2] for i in range(second)]
            return {v for offset in offsets if (v := _thin_min_version(handle, offset))}
        except (struct.error, ValueError) as exc:
            raise InputError(f"{path}: damaged Mach-O file ({exc})") from None


def macos_min_version(folder: Path) -> str | None:
    """The highest macOS deployment target (LC_BUILD_VERSION minos / LC_VERSION_MIN_MACOSX) in folder."""
    return _highest(v for path in files(folder) for v in macho_min_versions(path))


def facts(folder: Path, target: Target, glibc_floor: str) -> dict[str, str]:
    """The oldest system a build runs on: glibc (Linux; with the declared floor, said in one line when the
    build needs more) or macOS deployment target."""
    if target.os == "linux":
        needs = glibc_needs(folder)
        highest = highest_glibc(needs)
        above = glibc_above(needs, glibc_floor)
        if above:
            print(above_floor_note(glibc_floor, highest, above))
        return {"glibc": highest, "glibc_floor": glibc_floor}
    if target.os == "macos":
        return {"macos_min": macos_min_version(folder)}
    return {}
