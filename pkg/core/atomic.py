"""Stage, then rename: a killed or failed stage never leaves a half-written file or folder behind."""

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pkg.core import names


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def staged_file(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside `final`; on success it replaces `final` in one rename."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=names.staging_prefix(final.name), suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; published files are world-readable
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
    tmp = Path(tempfile.mkdtemp(prefix=names.staging_prefix(final.name), suffix=".tmp", dir=final.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
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
