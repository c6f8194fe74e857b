"""Stage `prove-packages`: every .deb and .rpm this release wrote, unpacked and run before its checksum is written.

Each package is unpacked into a scratch root as dpkg and rpm would install it (`dpkg-deb -x`; `rpm2cpio | cpio`:
no root needed, nothing installed on this machine), then:
  /usr/lib/<name>/      is the release's archive, entry for entry (a file's bytes and mode, a link's target):
                        nfpm once packed a link as an empty directory (linux_packages.nfpm_package)
  /usr/bin/<command>    reaches an executable program inside that folder, for every command
  completions, pages    each of the build's is where its tool looks (linux_packages.destination), as built
  the commands          where this machine runs the build: each from the root's /usr/bin, with the smoke test's
                        generic checks (--version carries the release's version, --help, no arguments)
A finding stops the release in one line: the package, the path, what was found there.

Stage `prove-install`, last (install.sh verifies against SHA256SUMS): install.sh from the staged release
(a file:// base URL) into a scratch prefix for this machine's target; PREFIX/lib/<name>/ must be the archive,
each PREFIX/bin/<command> reach its program, each completion and man page be linked into PREFIX/share, and
every command pass the same generic checks from PREFIX/bin. Both run before the release is renamed into place.
"""

import gzip
import hashlib
import os
import platform
import shutil
import stat
import tempfile
from pathlib import Path, PurePosixPath

from pkg.channels import linux_packages
from pkg.compile import build_test, running
from pkg.core import archive, names, proc, targets
from pkg.core.errors import PkgError
from pkg.core.model import Artifact, Build, Kind, PackageFormat
from pkg.core.stage import Stage
from pkg.release.context import ReleaseContext

UNPACK = {  # format -> how to unpack it into the root ($0: the package), and where the tools come from
    PackageFormat.DEB: (["dpkg-deb", "-x", "{package}", "."], "apt-get install dpkg"),
    PackageFormat.RPM: (["bash", "-o", "pipefail", "-c", 'rpm2cpio "$0" | cpio -idm --quiet --no-absolute-filenames',
                         "{package}"], "apt-get install rpm2cpio cpio"),
}


def unpack(package: Path, fmt: PackageFormat, root: Path) -> Path:
    argv, hint = UNPACK[fmt]
    root.mkdir(parents=True)
    proc.tool([a.format(package=package) for a in argv], f"{package.name}: unpacking", cwd=root, timeout=600,
              hint=hint)
    return root


def entry(path: Path) -> str:
    """What an entry of a tree is, comparably: a link's target, a file's mode and hash, or a directory."""
    if path.is_symlink():
        return f"a link to {os.readlink(path)}"
    if path.is_dir():
        return "a directory"
    kind = "an executable file" if path.stat().st_mode & stat.S_IXUSR else "a file"
    return f"{kind} of sha256 {hashlib.sha256(path.read_bytes()).hexdigest()[:12]}"


def tree(top: Path) -> dict[str, str]:
    return {p.relative_to(top).as_posix(): entry(p) for p in sorted(top.rglob("*"))}


def layout(prefix: Path, shown: str, name: str, commands: list[str], top: Path) -> list[str]:
    """<prefix>/lib/<name>/ against the archive (unpacked at `top`), and <prefix>/bin/<command> reaching a program
    in it; paths said as `shown` (/usr, or PREFIX) + the rest."""
    lib = prefix / "lib" / name
    if not lib.is_dir():
        return [f"{shown}/lib/{name}: missing"]
    ours, theirs = tree(lib), tree(top)
    found = [f"{shown}/lib/{name}/{path}: {ours.get(path, 'missing')} where the archive has {want}"
             for path, want in theirs.items() if ours.get(path) != want]
    found += [f"{shown}/lib/{name}/{path}: {ours[path]} that the archive does not have"
              for path in ours.keys() - theirs]
    for command in commands:
        link = prefix / "bin" / command
        program = Path(os.path.realpath(link))
        if not program.is_relative_to(lib.resolve()) or not program.is_file() or not os.access(program, os.X_OK):
            what = "missing" if not os.path.lexists(link) else \
                f"leads to {program}, not a program in {shown}/lib/{name}"
            found.append(f"{shown}/bin/{command}: {what}")
    return found


def findings(root: Path, fmt: PackageFormat, name: str, commands: list[str], top: Path, shared: list[Artifact],
             build: Build) -> list[str]:
    """What differs from the release's archive (unpacked at `top`) in one package's unpacked root."""
    found = layout(root / "usr", "/usr", name, commands, top)
    for artifact in shared:
        dst = linux_packages.destination(artifact, fmt)
        installed = root / dst.lstrip("/")
        built = (top / PurePosixPath(artifact.path).relative_to(build.folder)).read_bytes()
        if not installed.is_file():
            found.append(f"{dst}: missing")
        elif (gzip.decompress(installed.read_bytes()) if dst.endswith(".gz") else installed.read_bytes()) != built:
            found.append(f"{dst}: not the build's {artifact.path}")
    return found


def run_commands(ctx: ReleaseContext, bin_dir: Path, shown: str, home: Path, os_name: str = "linux") -> list[str]:
    """The smoke test's generic checks of each command, started from `bin_dir` (said as `shown`)."""
    home.mkdir()
    runs = running.Checker(bin_dir, os_name, running.scrubbed_env(home), home, argv=lambda c: [str(bin_dir / c)],
                       quiet=True)
    build_test.generic_checks(runs, ctx.cfg, ctx.app, str(ctx.version))
    return [f"{shown}/{what}{runs.details.get(what, '')}" for what in runs.failures]


def prove(ctx: ReleaseContext, package: Artifact, build: Build, top: Path, scratch: Path) -> None:
    fmt = package.format
    root = unpack(ctx.folder / package.path, fmt, scratch / f"{fmt.value}-root")
    found = findings(root, fmt, ctx.app.name, ctx.app.command_names, top, ctx.inputs.shared(build.target), build)
    runs_here = build.target == targets.host().name
    if not found and runs_here:
        found = run_commands(ctx, root / "usr" / "bin", "/usr/bin", scratch / f"{fmt.value}-home")
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise PkgError(f"{package.name}: {found[0]}{more}")
    ran = f"{len(ctx.app.command_names)} command(s) run" if runs_here else f"commands not run: {build.target} is not " \
                                                                           "this machine"
    print(f"proved {package.name}: unpacked, /usr/lib/{ctx.app.name} is the archive, {ran}")


def run(ctx: ReleaseContext) -> None:
    archives = {a.target: a for a in ctx.manifest.select(Kind.ARCHIVE, "linux")}
    for target, build in ctx.inputs.builds.items():
        packages = [p for p in ctx.manifest.select(Kind.PACKAGE) if p.target == target]
        if not packages:
            continue
        with tempfile.TemporaryDirectory(prefix="prove-packages-") as scratch:
            top = archive.extract(ctx.folder / archives[target].path, Path(scratch) / "archive")
            for package in packages:
                prove(ctx, package, build, top, Path(scratch))


def skip(ctx: ReleaseContext) -> str | None:
    return None if ctx.manifest.select(Kind.PACKAGE) else "no .deb or .rpm in this release"


STAGE = Stage("prove-packages", "each .deb and .rpm unpacked (dpkg-deb -x, rpm2cpio | cpio) and its commands run",
              run, skip)


def install(ctx: ReleaseContext) -> None:
    """install.sh of the staged release into a scratch prefix, for this machine's target."""
    target = targets.host()
    (release_archive,) = [a for a in ctx.manifest.select(Kind.ARCHIVE) if a.target == target.name]
    app = ctx.app
    with tempfile.TemporaryDirectory(prefix="prove-install-") as scratch:
        tmp = Path(scratch)
        prefix = tmp / "prefix"
        proc.tool(["sh", ctx.folder / names.INSTALL_SH, "--prefix", prefix, "--base-url",
                   ctx.folder.resolve().as_uri(), "--target", target.name],
                  f"{names.INSTALL_SH}: installing {target.name} into a scratch prefix",
                  env={**os.environ, "HOME": str(tmp), "TMPDIR": str(tmp)}, timeout=600)
        top = archive.extract(ctx.folder / release_archive.path, tmp / "archive")
        found = layout(prefix, "PREFIX", app.name, app.command_names, top)
        build = ctx.inputs.builds[target.name]
        for artifact in ctx.inputs.shared(target.name):
            rel = PurePosixPath(artifact.path).relative_to(build.folder)
            if not (prefix / rel).is_file():
                found.append(f"PREFIX/{rel}: not linked")
        if not found:
            found = run_commands(ctx, prefix / "bin", "PREFIX/bin", tmp / "home", target.os)
        if found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            raise PkgError(f"{names.INSTALL_SH} ({target.name}): {found[0]}{more}")
    print(f"proved {names.INSTALL_SH}: installed {target.name} into a scratch prefix, "
          f"{len(app.command_names)} command(s) run from PREFIX/bin")


def install_skip(ctx: ReleaseContext) -> str | None:
    if not ctx.manifest.select(Kind.INSTALL_SCRIPT):
        return "no install.sh in this release"
    host = targets.host()
    if host.os == "windows" or not any(a.target == host.name for a in ctx.manifest.select(Kind.ARCHIVE)):
        return f"install.sh not run: no {host.name} build in this release for this machine ({platform.system()})"
    if not (shutil.which("curl") or shutil.which("wget")):
        return "install.sh not run: it downloads with curl or wget, and this machine has neither"
    return None


INSTALL = Stage("prove-install", "install.sh from the staged release into a scratch prefix, its commands run",
                install, install_skip)

