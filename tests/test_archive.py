"""Deterministic archives with one top folder; corrupt archives and escaping entries are refused."""

import gzip
import hashlib
import os
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from pkg.core import archive
from pkg.core.errors import PkgError

EPOCH = 1_700_000_000


def make_folder(root: Path, name: str = "tailor-linux-x86_64") -> Path:
    top = root / name
    (top / "lib" / "tailor" / "data").mkdir(parents=True)
    (top / "lib" / "tailor.bin").write_bytes(b"\x7fELF fake program")
    (top / "lib" / "tailor.bin").chmod(0o700)
    (top / "lib" / "tailor" / "data" / "levels.json").write_text("{}")
    (top / "lib" / "tailor" / "data" / "levels.json").chmod(0o600)
    (top / "lib" / "naïve name with space.txt").write_text("unicode")
    (top / "tailor").symlink_to("lib/tailor.bin")
    return top


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("ext", [".tar.gz", ".zip"])
def test_same_folder_twice_gives_identical_bytes(tmp_path, ext):
    top = make_folder(tmp_path / "a")
    first = archive.create(top, tmp_path / f"one{ext}", EPOCH)
    os.utime(top / "lib" / "tailor.bin", (1, 1))  # mtimes and creation order must not matter
    second = archive.create(top, tmp_path / f"two{ext}", EPOCH)
    assert digest(first) == digest(second)
    other = archive.create(make_folder(tmp_path / "b"), tmp_path / f"three{ext}", EPOCH)
    assert digest(first) == digest(other)
    later = EPOCH + 86400  # zip times have 2 s steps: move by a day
    assert digest(archive.create(top, tmp_path / f"four{ext}", later)) != digest(first)


def test_tar_entries_are_sorted_normalised_and_keep_exec_bits(tmp_path):
    out = archive.create(make_folder(tmp_path), tmp_path / "x.tar.gz", EPOCH)
    with gzip.open(out) as gz:
        assert gz.read(1) and gz.mtime == EPOCH
    with tarfile.open(out) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names) and names[0] == "tailor-linux-x86_64"
    assert {n.split("/")[0] for n in names} == {"tailor-linux-x86_64"}
    by_name = {m.name: m for m in members}
    assert all(m.mtime == EPOCH and m.uid == 0 and m.gid == 0 and m.uname == "" for m in members)
    assert by_name["tailor-linux-x86_64/lib/tailor.bin"].mode == 0o755
    assert by_name["tailor-linux-x86_64/lib/tailor/data/levels.json"].mode == 0o644
    assert by_name["tailor-linux-x86_64/lib"].mode == 0o755
    link = by_name["tailor-linux-x86_64/tailor"]
    assert link.issym() and link.linkname == "lib/tailor.bin"


def test_zip_keeps_modes_and_one_top_folder(tmp_path):
    top = make_folder(tmp_path)
    (top / "tailor").unlink()  # Windows folders have no symlinks
    out = archive.create(top, tmp_path / "x.zip", EPOCH)
    with zipfile.ZipFile(out) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    assert all(name.startswith("tailor-linux-x86_64/") for name in infos)
    assert (infos["tailor-linux-x86_64/lib/tailor.bin"].external_attr >> 16) & 0o777 == 0o755
    assert (infos["tailor-linux-x86_64/lib/tailor/data/levels.json"].external_attr >> 16) & 0o777 == 0o644
    assert archive.top_folder(out) == "tailor-linux-x86_64"
    unpacked = archive.extract(out, tmp_path / "out")
    assert os.access(unpacked / "lib" / "tailor.bin", os.X_OK)
    assert (unpacked / "lib" / "naïve name with space.txt").read_text() == "unicode"


def test_extract_round_trip_keeps_symlink_and_exec_bit(tmp_path):
    out = archive.create(make_folder(tmp_path / "src"), tmp_path / "x.tar.gz", EPOCH)
    top = archive.extract(out, tmp_path / "dest dir")
    assert (top / "tailor").is_symlink() and (top / "tailor").read_bytes() == b"\x7fELF fake program"
    assert os.access(top / "tailor", os.X_OK)


@pytest.mark.parametrize("ext", [".tar.gz", ".zip"])
def test_corrupt_archive_is_refused_with_one_line(tmp_path, ext):
    good = archive.create(make_folder(tmp_path), tmp_path / f"x{ext}", EPOCH)
    data = bytearray(good.read_bytes())
    data[len(data) // 2: len(data) // 2 + 64] = b"\0" * 64
    bad = tmp_path / f"bad{ext}"
    bad.write_bytes(bytes(data))
    with pytest.raises(PkgError, match="corrupt archive") as info:
        archive.extract(bad, tmp_path / "out")
    assert "\n" not in str(info.value)
    truncated = tmp_path / f"short{ext}"
    truncated.write_bytes(good.read_bytes()[:100])
    with pytest.raises(PkgError, match="corrupt archive"):
        archive.top_folder(truncated)


def test_two_top_folders_and_escaping_entries_are_refused(tmp_path):
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        zf.writestr("a/x", "1")
        zf.writestr("b/y", "2")
    with pytest.raises(PkgError, match="expected one top folder, found 2"):
        archive.extract(two, tmp_path / "o")
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        info = tarfile.TarInfo("top/../../escape")
        tar.addfile(info)
    with pytest.raises(PkgError):
        archive.extract(evil, tmp_path / "o2")
    assert not (tmp_path / "escape").exists()


def test_missing_folder_and_unknown_type(tmp_path):
    with pytest.raises(PkgError, match="no such build folder"):
        archive.create(tmp_path / "nope", tmp_path / "x.tar.gz", EPOCH)
    with pytest.raises(PkgError, match="unknown archive type"):
        archive.create(make_folder(tmp_path), tmp_path / "x.rar", EPOCH)
    assert not list(tmp_path.glob(".x*"))  # nothing half-written


def test_source_date_epoch(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    assert archive.source_date_epoch(tmp_path) == 1234567890
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(PkgError, match="SOURCE_DATE_EPOCH"):
        archive.source_date_epoch(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert archive.source_date_epoch(tmp_path) == archive.ZIP_EPOCH_MIN  # not a git checkout: said, once
    assert archive.source_date_epoch(tmp_path) == archive.ZIP_EPOCH_MIN
    assert capsys.readouterr().err.count("has no git commit to date the files by") == 1
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-C", repo, "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "x"], check=True,
                   env={**os.environ, "GIT_COMMITTER_DATE": "@1600000000 +0000"})
    assert archive.source_date_epoch(repo) == 1600000000


def test_a_python_without_tar_filters_extracts_and_refuses_the_same(tmp_path, monkeypatch):
    """Python 3.11.0-3.11.3 (Debian 12's own python3 is 3.11.2) has no extraction filters: the same archive
    unpacks, and an entry or link pointing outside is refused all the same."""
    monkeypatch.delattr(tarfile, "data_filter")
    out = archive.create(make_folder(tmp_path / "src"), tmp_path / "x.tar.gz", EPOCH)
    top = archive.extract(out, tmp_path / "dest dir")
    assert (top / "tailor").is_symlink() and os.access(top / "tailor", os.X_OK)
    for name, link in (("top/../../escape", None), ("top/out", "../../../etc/passwd")):
        evil = tmp_path / f"evil{len(name)}.tar.gz"
        with tarfile.open(evil, "w:gz") as tar:
            info = tarfile.TarInfo(name)
            if link:
                info.type, info.linkname = tarfile.SYMTYPE, link
            tar.addfile(info)
        with pytest.raises(PkgError, match="outside the archive|escapes the archive"):
            archive.extract(evil, tmp_path / f"o{len(name)}")
    assert not (tmp_path / "escape").exists()
