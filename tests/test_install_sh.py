"""install.sh end to end against a loopback HTTP server serving a release folder (real sh = dash, real
curl, sha256sum, tar, shellcheck); install.ps1 only statically, as PowerShell does not exist here."""

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pkg.channels import install_scripts as installers
from pkg.core import targets
from pkg.core.errors import PkgError
from pkg.core.model import Kind
from pkg.release import checksums
from tests.fixtures import multi_app
from tests.fixtures_release import make_release, run

from .conftest import example_config

HOST = targets.host().name


@pytest.fixture(scope="module")
def cfg():
    return example_config()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """http://127.0.0.1:<random port> serving `folder`, in a thread."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join()


def released(tmp_path: Path, cfg, *args, **kwargs) -> Path:
    """A release folder with its archives, the install scripts and SHA256SUMS (what the server serves)."""
    ctx = make_release(tmp_path, cfg, *args, **kwargs)
    assert run(installers.STAGE, ctx) is None
    checksums.write_sums(ctx.folder)
    return ctx.folder


def run_install(tmp_path: Path, release_dir: Path, *args: str, env: dict | None = None,
                path_prefix: Path | None = None) -> subprocess.CompletedProcess:
    (tmp_path / "home").mkdir(exist_ok=True)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    path = "/usr/bin:/bin" if path_prefix is None else f"{path_prefix}:/usr/bin:/bin"
    base_env = {"PATH": path, "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path / "tmp"), "LANG": "C.UTF-8"}
    return subprocess.run(["sh", str(release_dir / "install.sh"), *args], capture_output=True, text=True,
                          env={**base_env, **(env or {})}, timeout=60)


def test_scripts_are_written_and_install_sh_is_shellcheck_clean(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    run(installers.STAGE, ctx)
    release_dir = ctx.folder
    paths = sorted(release_dir / a.path for a in ctx.manifest.select(Kind.INSTALL_SCRIPT))
    assert paths == [release_dir / "install.ps1", release_dir / "install.sh"]
    paths.reverse()
    assert os.access(paths[0], os.X_OK)
    shellcheck = Path(sys.executable).parent / "shellcheck"
    out = subprocess.run([str(shellcheck), "-s", "sh", str(paths[0])], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_good_install_runs_the_program(tmp_path, cfg):
    release_dir = released(tmp_path, cfg)
    prefix = tmp_path / "prefix with space"
    with serve(release_dir) as url:
        out = run_install(tmp_path, release_dir, "--prefix", str(prefix), "--base-url", url + "/")
    assert out.returncode == 0, out.stderr
    assert f"installed tailor 0.2.0 ({HOST}) into {prefix}/lib/tailor" in out.stdout
    assert f"verified tailor-{HOST}.tar.gz" in out.stdout and "is not on your PATH" in out.stdout
    link = prefix / "bin" / "tailor"
    assert os.readlink(link) == "../lib/tailor/tailor"
    run = subprocess.run([str(link), "--version"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout == "tailor 0.2.0\n"
    assert sorted(p.name for p in (prefix / "lib").iterdir()) == ["tailor"]  # no staging leftovers
    assert list((tmp_path / "tmp").iterdir()) == []  # temporary download folder removed


def test_completions_and_man_pages_are_linked_where_the_tools_look(tmp_path, cfg):
    """The default prefix, ~/.local: bash-completion's and fish's user folders, man's path from PATH; zsh
    gets the one line it needs. Each tool then loads the linked file for real (tests/linux_tools.py)."""
    from tests.fixtures_release import shared_files
    from tests.linux_tools import tools_accept

    release_dir = released(tmp_path, cfg, shared=shared_files("tailor"))
    with serve(release_dir) as url:
        out = run_install(tmp_path, release_dir, "--base-url", url)
    assert out.returncode == 0, out.stderr
    prefix = tmp_path / "home" / ".local"
    linked = sorted(p for p in (prefix / "share").rglob("*") if p.is_symlink())
    assert [p.relative_to(prefix).as_posix() for p in linked] == [
        "share/bash-completion/completions/tailor", "share/fish/vendor_completions.d/tailor.fish",
        "share/man/man1/tailor.1", "share/zsh/site-functions/_tailor"]
    assert all(p.resolve().is_relative_to(prefix / "lib" / "tailor" / "share") for p in linked)
    assert f"note: for zsh completions: fpath+=({prefix}/share/zsh/site-functions)" in out.stdout
    assert "XDG_DATA_DIRS" not in out.stdout  # ~/.local is where bash-completion and fish look anyway
    env = {"HOME": str(tmp_path / "home"), "PATH": f"{prefix}/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    assert tools_accept(linked, env, tmp_path) == ["bash tailor", "fish tailor", "man tailor", "zsh tailor"]


def test_environment_overrides_and_upgrade_in_place(tmp_path, cfg):
    prefix = tmp_path / "prefix"
    env = {"TAILOR_PREFIX": str(prefix)}
    for version in ("0.2.0", "0.3.0"):
        release_dir = released(tmp_path / version, cfg, version)
        with serve(release_dir) as url:
            out = run_install(tmp_path, release_dir, env={**env, "TAILOR_BASE_URL": url})
        assert out.returncode == 0, out.stderr
        run = subprocess.run([str(prefix / "bin" / "tailor"), "--version"], capture_output=True, text=True)
        assert run.stdout == f"tailor {version}\n"
    assert sorted(p.name for p in (prefix / "lib").iterdir()) == ["tailor"]


def test_tampered_archive_is_refused_and_nothing_installed(tmp_path, cfg):
    release_dir = released(tmp_path, cfg)
    archive = release_dir / f"tailor-{HOST}.tar.gz"
    archive.write_bytes(archive.read_bytes() + b"tampered")
    prefix = tmp_path / "prefix"
    with serve(release_dir) as url:
        out = run_install(tmp_path, release_dir, "--prefix", str(prefix), "--base-url", url)
    assert out.returncode != 0
    assert f"checksum mismatch for tailor-{HOST}.tar.gz" in out.stderr and "nothing installed" in out.stderr
    assert not prefix.exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_missing_target_is_refused(tmp_path, cfg):
    release_dir = released(tmp_path, cfg, targets=("linux-x86_64", "windows-x86_64"))
    prefix = tmp_path / "prefix"
    with serve(release_dir) as url:
        out = run_install(tmp_path, release_dir, "--prefix", str(prefix), "--base-url", url,
                          "--target", "macos-arm64")
    assert out.returncode != 0
    assert "no tailor build for macos-arm64 in release 0.2.0" in out.stderr
    assert not prefix.exists()


def test_failed_download_is_refused(tmp_path, cfg):
    release_dir = released(tmp_path, cfg)
    (release_dir / f"tailor-{HOST}.tar.gz").unlink()  # listed in SHA256SUMS, but the server has a 404
    prefix = tmp_path / "prefix"
    with serve(release_dir) as url:
        out = run_install(tmp_path, release_dir, "--prefix", str(prefix), "--base-url", url)
    assert out.returncode != 0 and f"download failed: {url}/tailor-{HOST}.tar.gz" in out.stderr
    assert not prefix.exists()
    with serve(tmp_path / "home") as url:  # no SHA256SUMS at all
        out = run_install(tmp_path, release_dir, "--prefix", str(prefix), "--base-url", url)
    assert out.returncode != 0 and "download failed" in out.stderr and not prefix.exists()


# The uname table in install.sh is generated from pkg/core/targets.py: a FAKE `uname` (a stand-in for other
# machines) proves each non-Windows spelling picks the archive targets.py names.
UNAMES = [(s, m) for s, os_name in targets.OS_NAMES.items() if os_name != "windows"
          for m in targets.ARCH_NAMES]


@pytest.mark.parametrize(("uname_s", "uname_m"), UNAMES)
def test_detection_follows_the_target_table(tmp_path, cfg, uname_s, uname_m):
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "uname").write_text(f'#!/bin/sh\ncase $1 in -s) echo {uname_s} ;; -m) echo {uname_m} ;; esac\n')
    (fake / "uname").chmod(0o755)
    expected = f"{targets.normalise_os(uname_s)}-{targets.normalise_arch(uname_m)}"
    release_dir = released(tmp_path, cfg)
    with serve(release_dir) as url:
        out = run_install(tmp_path, release_dir, "--prefix", str(tmp_path / "p"), "--base-url", url,
                          path_prefix=fake)
    assert out.returncode == 0, out.stderr
    assert f"tailor 0.2.0 for {expected} from" in out.stdout
    assert (tmp_path / "p/lib/tailor").resolve().name == "tailor"


def test_windows_and_unknown_machines_are_refused(tmp_path, cfg):
    release_dir = released(tmp_path, cfg)
    for uname_s, uname_m, message in (("MINGW64_NT-10.0", "x86_64", "on Windows use install.ps1"),
                                      ("SunOS", "x86_64", "unsupported OS 'SunOS'"),
                                      ("Linux", "riscv64", "unsupported architecture 'riscv64'")):
        fake = tmp_path / f"fake-{uname_s}-{uname_m}"
        fake.mkdir()
        (fake / "uname").write_text(f'#!/bin/sh\ncase $1 in -s) echo {uname_s} ;; -m) echo {uname_m} ;; esac\n')
        (fake / "uname").chmod(0o755)
        out = run_install(tmp_path, release_dir, "--prefix", str(tmp_path / "p"), path_prefix=fake)
        assert out.returncode != 0 and message in out.stderr, out.stderr
    assert not (tmp_path / "p").exists()


def test_install_ps1_uses_the_same_names(tmp_path, cfg):
    # PowerShell cannot run here: check what the script is built from instead of running it.
    release_dir = released(tmp_path, cfg)
    ps1 = (release_dir / "install.ps1").read_text(encoding="utf-8")
    sh = (release_dir / "install.sh").read_text(encoding="utf-8")
    assert ps1.isascii()  # Windows PowerShell 5.1 reads BOM-less files as ANSI
    assert "@" + "APP@" not in ps1 and "$env:TAILOR_BASE_URL" in ps1 and "$env:TAILOR_PREFIX" in ps1
    base = installers.base_url(cfg, make_release(tmp_path / "again", cfg).manifest)
    assert "@" + "MAIN@" not in ps1
    assert f"'{base}'" in ps1 and f"default_base_url={base}" in sh
    assert "$Sums = 'SHA256SUMS'" in ps1 and '"$BaseUrl/$Sums"' in ps1 and "'tailor.exe'" in ps1
    assert '"$App-$Target.zip"' in ps1 and "archive=$app-$target.tar.gz" in sh and "sums=SHA256SUMS" in sh
    assert "Join-Path $env:LOCALAPPDATA 'tailor'" in ps1 and "SetEnvironmentVariable('Path'" in ps1
    for key, value in targets.ARCH_NAMES.items():  # one entry per case-insensitive key, same value
        assert sum(f"'{k}' = '{value}'" in ps1 for k in (key, key.lower(), key.upper())) >= 1
    for opening, closing in ("{}", "()"):
        assert ps1.count(opening) == ps1.count(closing)


def test_archive_urls_must_hang_from_one_folder(tmp_path, cfg):
    ctx = make_release(tmp_path, cfg)
    ctx.manifest.artifacts[0].url = "https://elsewhere.example/tailor.tar.gz"
    with pytest.raises(PkgError, match="is not under https://github.com/example/tailor/releases/download/v0.2.0/"):
        run(installers.STAGE, ctx)
    assert not (ctx.folder / "install.sh").exists()



def test_every_command_is_linked_and_runs_under_its_own_name(tmp_path, cfg):
    release_dir = released(tmp_path, cfg, app=multi_app())
    prefix = tmp_path / "prefix"
    with serve(release_dir) as url:
        out = run_install(tmp_path, release_dir, "--prefix", str(prefix), "--base-url", url)
    assert out.returncode == 0, out.stderr
    for name in ("mytool", "mytool-admin"):
        assert os.readlink(prefix / "bin" / name) == f"../lib/mytool/{name}"
        run = subprocess.run([str(prefix / "bin" / name)], capture_output=True, text=True)
        assert run.stdout == f"{name} 0.2.0\n"


def test_a_command_name_the_scripts_cannot_carry_is_refused_at_config_time(cfg):
    from pkg.core.model import Command

    app = multi_app().model_copy(update={"commands": (Command(name="my tool", module="m", function="main"),)})
    with pytest.raises(PkgError, match="'my tool': install scripts and package managers want"):
        installers.STAGE.refuse(cfg, app)


def test_a_system_with_an_older_glibc_than_the_build_is_refused_and_nothing_is_written(tmp_path, cfg):
    """The Linux build needs glibc 2.28 (its manifest): where getconf reports 2.17 (CentOS 7's), install.sh says
    so in one line and writes nothing. getconf is a stand-in for an older system here; a real one (a Debian 11
    root) is in tests/test_oldroot.py."""
    ctx = make_release(tmp_path, cfg)
    for name, build in ctx.inputs.builds.items():
        if name.startswith("linux"):
            ctx.inputs.builds[name] = build.model_copy(update={"glibc": "2.25", "glibc_floor": "2.28"})
    assert run(installers.STAGE, ctx) is None
    checksums.write_sums(ctx.folder)
    fake = tmp_path / "old-system"
    fake.mkdir()
    (fake / "getconf").write_text('#!/bin/sh\n[ "$1" = GNU_LIBC_VERSION ] && echo "glibc 2.17"\n')
    (fake / "getconf").chmod(0o755)
    prefix = tmp_path / "prefix"
    with serve(ctx.folder) as url:
        old = run_install(tmp_path, ctx.folder, "--prefix", str(prefix), "--base-url", url, path_prefix=fake)
        assert old.returncode == 1 and not prefix.exists() and list((tmp_path / "tmp").iterdir()) == []
        assert old.stderr == (f"error: tailor for {HOST} needs glibc 2.28 or newer; this system has glibc 2.17 "
                              "(nothing installed)\n")
        (fake / "getconf").write_text('#!/bin/sh\necho "glibc 2.28"\n')
        assert run_install(tmp_path, ctx.folder, "--prefix", str(prefix), "--base-url", url,
                           path_prefix=fake).returncode == 0  # at the floor: installed


def test_the_release_installs_its_install_sh_and_runs_every_command(tmp_path, cfg, capsys):
    """Stage prove-install: install.sh from the staged release (file://) into a scratch prefix."""
    from pkg.channels import package_proof

    ctx = make_release(tmp_path, cfg, app=multi_app())
    assert run(installers.STAGE, ctx) is None
    checksums.write_sums(ctx.folder)
    assert run(package_proof.INSTALL, ctx) is None
    assert f"proved install.sh: installed {HOST} into a scratch prefix, 2 command(s) run from PREFIX/bin" in \
        capsys.readouterr().out
    script = ctx.folder / "install.sh"  # a script that links one command only: the release stops
    script.write_text(script.read_text().replace('commands="mytool mytool-admin"', 'commands="mytool"'))
    with pytest.raises(PkgError) as refused:
        run(package_proof.INSTALL, ctx)
    assert str(refused.value) == f"install.sh ({HOST}): PREFIX/bin/mytool-admin: missing"
