"""Stage, then rename: a killed or failed stage never leaves a half-written file or folder behind."""

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pkg.core import names


def _fresh(final: Path, suffix: str, make) -> Path:
    """A new path beside `final`, made by `make` with the permissions a plain open/mkdir gives (the process's
    umask applied by the kernel: tempfile's 0600/0700 would reach published files, and reading the umask
    means setting it)."""
    for _ in range(100):
        path = final.parent / f"{names.staging_prefix(final.name)}{secrets.token_hex(6)}{suffix}"
        try:
            make(path)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free staging name beside {final}")


@contextlib.contextmanager
def staged_file(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside `final`; on success it replaces `final` in one rename."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = _fresh(final, ".tmp", lambda p: os.close(os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)))
    try:
        yield tmp_path
        os.replace(tmp_path, final)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(final: Path, text: str) -> None:
    with staged_file(final) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def write_bytes(final: Path, data: bytes) -> None:
    with staged_file(final) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def staged_dir(final: Path, replace: bool = True) -> Iterator[Path]:
    """Yield an empty temporary folder beside `final`; on success it takes `final`'s place.

    An existing `final` is moved aside first and removed only after the new folder is in place, so at
    every moment either the old or the new folder is complete under the final name (or neither exists).
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _fresh(final, ".tmp", lambda p: os.mkdir(p, 0o777))
    try:
        yield tmp
        old = None
        if final.exists():
            if not replace:
                raise FileExistsError(final)
            old = Path(tempfile.mkdtemp(prefix=names.staging_prefix(final.name), suffix=".old", dir=final.parent))
            os.replace(final, old / "x")
        os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
