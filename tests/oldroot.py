"""A Debian 11 (bullseye, glibc 2.31) root for building and running programs on an older system than this one
(Debian 12, glibc 2.36): debootstrap from Debian's archive, the build's system packages from bullseye, and
CPython 3.11 compiled in the root from Debian's own source package (bookworm's python3.11 orig tarball,
sha256-pinned): a Python with libpython, linked against the root's old glibc, as Nuitka needs.

Made once and kept in ROOT_CACHE (about 15 minutes on this machine's two cores, then seconds); a stamp
names what it was made from, so a change here makes it anew. Commands run in it through `unshare`: /proc
and /dev are mounted in a private mount namespace that ends with the command, so nothing stays mounted
on this machine. The root trusts the certificates this machine trusts (its CA bundle is copied in)."""

import fcntl
import hashlib
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

SUITE, GLIBC = "bullseye", "2.31"
MIRROR = "http://deb.debian.org/debian"
PYTHON_SOURCE = (f"{MIRROR}/pool/main/p/python3.11/python3.11_3.11.2.orig.tar.gz",
                 "2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849")
PYTHON_PREFIX = "/opt/python3.11"
BUILD_PACKAGES = ("build-essential", "libssl-dev", "zlib1g-dev", "libffi-dev", "libbz2-dev", "liblzma-dev",
                  "libsqlite3-dev", "libreadline-dev", "uuid-dev", "libncursesw5-dev", "libgdbm-dev", "xz-utils",
                  "ca-certificates", "make", "git", "ccache", "patchelf", "help2man", "python3-venv", "rpm2cpio",
                  "cpio")  # scripts/setup.sh's BUILD_APT_PACKAGES (no hyperfine in Debian 11)
ROOT_CACHE = Path(os.environ.get("PKG_OLDROOT_CACHE", Path.home() / ".cache" / "pkg-oldroot"))
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
ENV = {"PATH": f"{PYTHON_PREFIX}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
       "HOME": "/root", "LANG": "C.UTF-8", "SSL_CERT_FILE": str(CA_BUNDLE)}


def recipe() -> str:
    """What the root is made from: a change makes it anew."""
    return hashlib.sha256(repr((SUITE, MIRROR, PYTHON_SOURCE, BUILD_PACKAGES, PYTHON_PREFIX)).encode()).hexdigest()


def run_in(root: Path, command: str, timeout: float = 3600, env: dict | None = None) -> subprocess.CompletedProcess:
    """`sh -c command` inside the root, /proc and /dev mounted for it alone."""
    pairs = " ".join(f"{k}={v}" for k, v in {**ENV, **(env or {})}.items())
    inner = (f"mount -t proc proc {root}/proc && mount --rbind /dev {root}/dev && "
             f"exec chroot {root} /usr/bin/env -i {pairs} /bin/sh -c \"$0\"")
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "--fork", "sh", "-c", inner, command],
                          capture_output=True, text=True, timeout=timeout)


def _must(proc: subprocess.CompletedProcess, what: str) -> None:
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}): {(proc.stdout + proc.stderr)[-2000:]}")


def _make(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    _must(subprocess.run(["debootstrap", "--variant=minbase", SUITE, str(root), MIRROR], capture_output=True,
                         text=True, timeout=1800), "debootstrap")
    shutil.copyfile("/etc/resolv.conf", root / "etc" / "resolv.conf")
    _must(run_in(root, "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
                       f"--no-install-recommends {' '.join(BUILD_PACKAGES)}"), "apt-get in the root")
    shutil.copyfile(CA_BUNDLE, root / CA_BUNDLE.relative_to("/"))  # after ca-certificates wrote its own
    url, sha256 = PYTHON_SOURCE
    data = urllib.request.urlopen(url, timeout=300).read()
    assert hashlib.sha256(data).hexdigest() == sha256, f"{url}: not the pinned source"
    (root / "src").mkdir()
    (root / "src" / "python.tar.gz").write_bytes(data)
    _must(run_in(root, f"cd /src && tar -xzf python.tar.gz && cd Python-* && ./configure -q --prefix={PYTHON_PREFIX} "
                       "--with-ensurepip=install && make -s -j2 && make -s install"), "building CPython in the root")
    shutil.rmtree(root / "src")
    _must(run_in(root, "python3.11 -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, readline'"), "the root's Python")


def root() -> Path:
    """The root, made or taken from the cache (one maker at a time: a lock beside it)."""
    ROOT_CACHE.mkdir(parents=True, exist_ok=True)
    folder, stamp = ROOT_CACHE / SUITE, ROOT_CACHE / f"{SUITE}.recipe"
    with open(ROOT_CACHE / f"{SUITE}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.is_file() and stamp.read_text() == recipe() and (folder / PYTHON_PREFIX[1:]).is_dir()):
            stamp.unlink(missing_ok=True)
            _make(folder)
            stamp.write_text(recipe())
    return folder


def glibc_of(root: Path) -> str:
    proc = run_in(root, "getconf GNU_LIBC_VERSION")
    _must(proc, "getconf in the root")
    return proc.stdout.split()[-1]
