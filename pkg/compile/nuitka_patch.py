"""A fix carried for the pinned Nuitka until a release has it (DESIGN.md: carrying a compiler patch).

nuitka_lazy_inspect.patch (`git am`-able against Nuitka's repository; its message says why and what it
measured): Nuitka's main() imported `inspect` — with ast, dis, tokenize, enum… — at every program's start,
most of a small program's start-up; patched, the replacements for compiled types go into `inspect`, `types`
and `typing` when the program imports them (tests/test_nuitka_patch.py proves both orders behave as before).

The `env` stage applies it to the Nuitka installed in the build environment (each file replaced, never
edited in place: uv links installed files from its cache); every Nuitka run checks it first (nuitka_run.
nuitka_env). Another Nuitka version, or a file not as FILES records, is refused in one line naming it.
When the locked Nuitka (pkg/uv.lock) changes, tests/test_nuitka_patch.py fails until the patch is remade
for it or dropped (drop it once the locked version contains the fix).
"""

import hashlib
import importlib.metadata
import re
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from pkg.core import atomic
from pkg.core.errors import PkgError

FOR_NUITKA = "4.3.3"
PATCH = Path(__file__).with_name("nuitka_lazy_inspect.patch")
# each file the patch changes, by its path in the installed distribution: (sha256 as released, sha256 patched)
FILES = {
    "nuitka/build/include/nuitka/helpers.h": (
        "4c50ec37e304472244c9f5e95f4efca4a7a4cd0ed97083cbedad8a0b73d9bbb8",
        "1e90440ebe3c1a8e5e9a5695b8b32e90aa6666468a4db72d1fd19b988fcb3b4d"),
    "nuitka/build/static_src/InspectPatcher.c": (
        "f5f2c99001ab4856d9d28035445707f6b259ee487694a3bd6c5dfe42c164ea31",
        "f62311e2c38de691cc518b0be8a1848ca9e6dcb3eb640db8b86140add29438a0"),
    "nuitka/build/static_src/MetaPathBasedLoader.c": (
        "e3e45e49118bb0cda28d1340371432356bf81e4ada7a2588cccd4546ebd671e4",
        "98e5d8100c9a031ea26441ce33f70f7854259a32b7e131adf853812773a50a88"),
}
HUNK = re.compile(rb"@@ -(\d+)(?:,(\d+))? \+\d+(?:,(\d+))? @@")


@dataclass(frozen=True)
class Hunk:
    start: int          # the first line it replaces, counted from 0
    old: list[bytes]    # the lines it expects there (context and removed)
    new: list[bytes]    # the lines it leaves (context and added)


def hunks(patch: bytes) -> dict[str, list[Hunk]]:
    """The patch's hunks by file (a unified diff, as `git format-patch` writes it): each hunk's lines are
    read by the counts its header gives."""
    found: dict[str, list[Hunk]] = {}
    lines = iter(patch.splitlines(keepends=True))
    current: list[Hunk] = []
    for line in lines:
        if line.startswith(b"+++ b/"):
            current = found.setdefault(line[6:].rstrip(b"\n").decode(), [])
        elif m := HUNK.match(line):
            hunk = Hunk(int(m.group(1)) - 1, [], [])
            old, new = int(m.group(2) or 1), int(m.group(3) or 1)
            while len(hunk.old) < old or len(hunk.new) < new:
                body = next(lines)
                if body[:1] not in (b" ", b"-", b"+") or body.startswith(b"\\"):
                    raise PkgError(f"{PATCH.name}: a hunk line it cannot read: {body[:40]!r}")
                if body[:1] in (b" ", b"-"):
                    hunk.old.append(body[1:])
                if body[:1] in (b" ", b"+"):
                    hunk.new.append(body[1:])
            current.append(hunk)
    return found


def applied(original: bytes, changes: list[Hunk], path: str) -> bytes:
    """`original` with every hunk applied exactly where it says (no fuzz: the file's hash was checked)."""
    lines = original.splitlines(keepends=True)
    for hunk in reversed(changes):
        if lines[hunk.start:hunk.start + len(hunk.old)] != hunk.old:
            raise PkgError(f"{path}: {PATCH.name}'s hunk at line {hunk.start + 1} does not match")
        lines[hunk.start:hunk.start + len(hunk.old)] = hunk.new
    return b"".join(lines)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def installed_version(site: Path) -> str | None:
    for dist in importlib.metadata.distributions(path=[str(site)]):
        if canonicalize_name(dist.metadata["Name"] or "") == "nuitka":
            return dist.version
    return None


def check_version(site: Path) -> None:
    found = installed_version(site)
    if found != FOR_NUITKA:
        raise PkgError(f"the build environment has Nuitka {found or '(none)'}, but pkg/compile/{PATCH.name} is for "
                       f"Nuitka {FOR_NUITKA}: remake the patch for the locked version or drop it "
                       "(pkg/compile/nuitka_patch.py)")


def apply(site: Path) -> None:
    """Patch the Nuitka installed under `site` (a file already patched is left as it is)."""
    check_version(site)
    changes = hunks(PATCH.read_bytes())
    for path, (released, patched) in FILES.items():
        file = site / path
        data = file.read_bytes()
        if sha256(data) == patched:
            continue
        if sha256(data) != released:
            raise PkgError(f"{file}: not Nuitka {FOR_NUITKA}'s file as released (sha256 {sha256(data)[:16]}…), "
                           f"so pkg/compile/{PATCH.name} cannot be applied")
        result = applied(data, changes[path], path)
        if sha256(result) != patched:
            raise PkgError(f"{file}: pkg/compile/{PATCH.name} gave sha256 {sha256(result)[:16]}…, not the recorded "
                           "one (pkg/compile/nuitka_patch.py FILES)")
        atomic.write_bytes(file, result)  # a new file: the one uv linked from its cache stays as released


def verify(site: Path) -> None:
    """Before each Nuitka run: the build environment's Nuitka is the locked version with the patch applied."""
    check_version(site)
    for path, (_, patched) in FILES.items():
        found = sha256((site / path).read_bytes())
        if found != patched:
            raise PkgError(f"{site / path}: not as pkg/compile/{PATCH.name} leaves it (sha256 {found[:16]}…): the "
                           "build environment changed after set-up; build again to re-create it")
