"""Deterministic archives with exactly one top folder: tar.gz for Linux/macOS, zip for Windows.

Same folder + same SOURCE_DATE_EPOCH → same bytes: entries sorted, mtimes fixed, owners 0/root-less,
modes normalised to 0755 (dirs and executables) or 0644. `unpacked`: a build's archive as users get it,
checked against its manifest (build-test's smoke and the release's verify both start from it).
"""

import contextlib
import functools
import gzip
import os
import shutil
import stat
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from pkg.core import atomic, model, names, proc
from pkg.core.errors import PkgError
from pkg.core.model import Kind
from pkg.core.targets import Target

ZIP_EPOCH_MIN = 315532800  # 1980-01-01: zip cannot store earlier times


def source_date_epoch(root: Path) -> int:
    """SOURCE_DATE_EPOCH if set, else the last commit's time, else (no commit: said once) the zip minimum."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        if not value.isdigit():
            raise PkgError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {value!r}", 2)
        return int(value)
    return _last_commit_time(Path(root).resolve())


@functools.cache
def _last_commit_time(root: Path) -> int:
    if shutil.which("git"):
        done = proc.git(root, "log", "-1", "--format=%ct", expect=(0, proc.NOT_A_REPOSITORY))
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return int(done.stdout.strip())
    why = "has no git commit" if shutil.which("git") else "cannot be asked for its last commit (no git here)"
    print(f"note: {root} {why} to date the files by: they are dated 1980-01-01 (the zip minimum; set "
          "SOURCE_DATE_EPOCH to choose)", file=sys.stderr)
    return ZIP_EPOCH_MIN


def _entries(folder: Path) -> list[tuple[str, Path]]:
    """(archive name, path) for the folder and everything below it, sorted by archive name."""
    top = folder.name
    found = [(top, folder)]
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            found.append((str(PurePosixPath(top, path.relative_to(folder).as_posix())), path))
    return sorted(found)


def _mode(st: os.stat_result) -> int:
    return 0o755 if stat.S_ISDIR(st.st_mode) or st.st_mode & 0o111 else 0o644


def write_tar_gz(folder: Path, dest: Path, epoch: int) -> None:
    with atomic.staged_file(dest) as tmp, open(tmp, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch, compresslevel=9) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for arcname, path in _entries(folder):
            info = tar.gettarinfo(str(path), arcname)
            if info.issym() and os.path.isabs(info.linkname):
                raise PkgError(f"{path}: absolute symlink cannot be archived")
            info.mtime, info.uid, info.gid, info.uname, info.gname = epoch, 0, 0, "", ""
            info.mode = 0o777 if info.issym() else _mode(path.lstat())
            if info.isreg():
                with open(path, "rb") as handle:
                    tar.addfile(info, handle)
            else:
                tar.addfile(info)


def write_zip(folder: Path, dest: Path, epoch: int) -> None:
    stamp = time.gmtime(max(epoch, ZIP_EPOCH_MIN))[:6]
    with atomic.staged_file(dest) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for arcname, path in _entries(folder):
            st = path.stat()  # zip has no portable symlinks: store the target's content
            is_dir = stat.S_ISDIR(st.st_mode)
            info = zipfile.ZipInfo(arcname + ("/" if is_dir else ""), date_time=stamp)
            info.create_system = 3  # unix, so unzip restores the modes below
            info.external_attr = ((stat.S_IFDIR if is_dir else stat.S_IFREG) | _mode(st)) << 16
            if is_dir:
                info.external_attr |= 0x10  # MS-DOS directory flag
                zf.writestr(info, b"")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as src, zf.open(info, "w") as out:
                    while chunk := src.read(1 << 20):
                        out.write(chunk)


def create(folder: Path, dest: Path, epoch: int) -> Path:
    if not folder.is_dir():
        raise PkgError(f"{folder}: no such build folder (run `make build`)")
    if dest.name.endswith(names.ZIP):
        write_zip(folder, dest, epoch)
    elif dest.name.endswith(names.TAR_GZ):
        write_tar_gz(folder, dest, epoch)
    else:
        raise PkgError(f"{dest.name}: unknown archive type (want {names.TAR_GZ} or {names.ZIP})")
    return dest


def top_folder(archive: Path) -> str:
    """The archive's single top folder; anything else is an error."""
    members = _names(archive)
    tops = {n.split("/", 1)[0] for n in members if n}
    if len(tops) != 1:
        raise PkgError(f"{archive.name}: expected one top folder, found {len(tops)}: {sorted(tops)[:5]}")
    return tops.pop()


def _names(archive: Path) -> list[str]:
    try:
        if archive.name.endswith(names.ZIP):
            with zipfile.ZipFile(archive) as zf:
                bad = zf.testzip()
                if bad is not None:
                    raise PkgError(f"{archive.name}: corrupt archive (bad CRC in {bad})")
                return [n.rstrip("/") for n in zf.namelist()]
        with tarfile.open(archive, "r:gz") as tar:
            return [m.name for m in tar.getmembers()]
    except FileNotFoundError:
        raise PkgError(f"{archive}: archive not found (run `make build`)") from None
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, gzip.BadGzipFile) as exc:
        raise PkgError(f"{archive.name}: corrupt archive ({exc})") from None


def extract(archive: Path, dest: Path) -> Path:
    """Extract into `dest` (refusing paths that escape it) and return the top folder's path."""
    top = top_folder(archive)
    try:
        if archive.name.endswith(names.ZIP):
            with zipfile.ZipFile(archive) as zf:
                for info in zf.infolist():
                    target = (dest / info.filename).resolve()
                    if not target.is_relative_to(dest.resolve()):
                        raise PkgError(f"{archive.name}: entry {info.filename!r} escapes the archive")
                    zf.extract(info, dest)
                    mode = (info.external_attr >> 16) & 0o777
                    if mode and not info.is_dir():
                        os.chmod(target, mode)
        else:
            with tarfile.open(archive, "r:gz") as tar:
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(dest, filter="data")
                else:  # Python 3.11.0-3.11.3 (Debian 12's own is 3.11.2): no filters yet, so check by hand
                    for member in tar.getmembers():
                        target = (dest / member.name).resolve()
                        if not target.is_relative_to(dest.resolve()) or member.isdev():
                            raise PkgError(f"{archive.name}: entry {member.name!r} escapes the archive")
                        if member.issym() and not (target.parent / member.linkname).resolve().is_relative_to(
                                dest.resolve()):
                            raise PkgError(f"{archive.name}: link {member.name!r} points outside the archive")
                    tar.extractall(dest)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, gzip.BadGzipFile) as exc:
        raise PkgError(f"{archive.name}: corrupt archive ({exc})") from None
    return dest / top


@contextlib.contextmanager
def unpacked(manifest: model.Manifest, dist: Path, target: Target) -> Iterator[tuple[Path, Path]]:
    """The target's archive as users get it (never the folder beside it: CI's artifact transfer drops
    links and modes), checked against its manifest and unpacked into a path with a space:
    (its top folder, a scratch folder)."""
    archives = [a for a in manifest.select(Kind.ARCHIVE) if a.target == target.name]
    if not archives:
        raise PkgError(f"no archive recorded for {target} (run `make build`)")
    file = dist / archives[0].path
    if not file.is_file() or model.sha256_file(file) != archives[0].sha256:
        raise PkgError(f"{file.name}: missing, or its sha256 differs from its manifest (rebuild with `make build`)")
    with tempfile.TemporaryDirectory(prefix="unpacked ") as tmp:
        top = extract(file, Path(tmp) / "unpacked")
        missing = [c for c in manifest.app.command_names if not (top / names.program(c, target.os)).is_file()]
        if missing:
            raise PkgError(f"{file.name}: no {', '.join(missing)} in its top folder")
        for shared in manifest.shared(target.name):  # completions and man pages, as the channels will take them
            inside = top.parent / shared.path
            if not inside.is_file() or model.sha256_file(inside) != shared.sha256:
                raise PkgError(f"{file.name}: {shared.path} is missing or differs from its manifest")
        yield top, Path(tmp)
