"""The Nuitka command line: the pipeline's own flags live here, once; the app's come from [tool.pkg.nuitka].

What the pipeline always passes, and why:
  --mode=standalone            a folder: onefile re-extracts or checks its payload at every start
  --output-dir / --output-filename / --report   where things go; the report feeds the SBOM and the
                               completeness check
  --include-package(-data) / --include-module   the packages, modules and package data of the app and of
                               every distribution it runs with, whole, as pip installs them: plugins, locales,
                               directives and dialects loaded by name are what frozen apps most often lose
                               (Nuitka follows imports it can see, and its own per-package hints); a
                               test suite's package (wheel.TEST_PACKAGES) goes in only when imported
  --include-distribution-metadata=<dist>        importlib.metadata (click's --version, entry points,
                               versions read at run time), for the app and every distribution it runs with
  --include-module=<plugin>    modules entry points name outside those packages (loaded by name)
  --include-data-files         files a program can read that Nuitka's package data never takes, one by one
                               (wheel.WheelFiles.raw_files)
  --deployment                 no development guard of Nuitka's in a shipped program: with them, `-c X` or
                               `-m X` anywhere in the arguments is taken for a self-execution and exits 2
  --user-plugin=nuitka_bytecode.py --compile-to-c=<the app's top-level packages and modules>
                               tool.pkg.nuitka.compile = "app" (the default): only the app's own code becomes C,
                               its dependencies go in as bytecode (nuitka_bytecode.py says why); "all":
                               --compile-all-to-c. Either way a package's __main__ is bytecode, so the program's
                               interpreter runs `-m <package>` as CPython does (pkg/compile/interpreter.py)
  --user-plugin=nuitka_entry_points.py   importlib.metadata.entry_points() runs in the program, never at
                               compile time: each entry point keeps its distribution (ep.dist), as under pip
  --include-package / --include-module of the standard library, --nofollow-import-to its test sub-packages
                               tool.pkg.stdlib = "all" (the default): the whole standard library (stdlib.py
                               says what is left out and why), so user code the app runs imports what it
                               could under pip's Python; "imported": only what the app's imports reach
  --disable-plugin=multiprocessing   Nuitka's plugin points sys.executable at the program itself (whose
                               commands take any argument); the launcher handles worker processes as
                               freeze_support() does, and sys.executable is the program's interpreter entry
  --nofollow-import-to / --noinclude-data-files what tool.pkg.exclude lists, and the top-level modules of
                               the build's own tools (in the same venv, but no requirement of the app)
  --python-flag=no_site, --assume-yes-for-downloads, --windows-console-mode=force (Windows)
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pkg.core.errors import InputError

BYTECODE_PLUGIN = Path(__file__).with_name("nuitka_bytecode.py")
ENTRY_POINTS_PLUGIN = Path(__file__).with_name("nuitka_entry_points.py")

# Flags only the pipeline sets (config may not): they decide the layout the rest of the pipeline reads.
RESERVED = ("--mode", "--standalone", "--onefile", "--output-dir", "--output-filename", "--output-folder-name",
            "--report", "--main", "--script-name", "--main-entry-point", "--python-flag=-m",
            "--python-flag=package_mode", f"--user-plugin={BYTECODE_PLUGIN}", f"--user-plugin={ENTRY_POINTS_PLUGIN}",
            "--compile-to-c", "--compile-all-to-c")
FIXED = ("--python-flag=no_site", "--assume-yes-for-downloads", "--deployment", "--disable-plugin=multiprocessing")
WINDOWS = ("--windows-console-mode=force",)


def check_user_flag(flag: str) -> str | None:
    """Why a flag from config is refused, or None."""
    if not flag.startswith("--"):
        return "must start with --"
    if flag in RESERVED or flag.split("=", 1)[0] in RESERVED:
        return "is set by the pipeline (pkg/compile/nuitka.py), not by config"
    return None


def refuse_reserved(flags: Iterable[str]) -> None:
    """tool.pkg.nuitka's flags (all OSes'): a one-line InputError on the first config may not set."""
    for flag in flags:
        problem = check_user_flag(flag)
        if problem:
            raise InputError(f"pyproject.toml: tool.pkg.nuitka flag {flag!r} {problem}")


@dataclass(frozen=True)
class Inputs:
    """What one compilation needs beyond the configured flags."""
    python: Path                    # the build environment's interpreter
    entry: list[str]                # ["--main=<launcher>"]
    binary: str                     # output file name: <main command>.bin / .exe
    dist: str | None                # the app's distribution name (None: a program without one)
    runtime: tuple[str, ...] = ()   # the distributions it runs with (their metadata goes in)
    plugins: tuple[str, ...] = ()   # modules entry points name outside `packages` and `modules`
    packages: tuple[str, ...] = ()  # included whole: the app's and its runtime distributions' (test suites aside)
    modules: tuple[str, ...] = ()   # included one by one: top-level modules, packages holding a test suite
    package_data: tuple[str, ...] = ()  # the top-level packages whose data files all go in
    no_follow: tuple[str, ...] = ()  # excluded modules
    no_data: tuple[str, ...] = ()    # excluded data files
    raw_files: tuple[tuple[str, str], ...] = ()  # (source, destination): files shipped as they are
    extra: tuple[str, ...] = field(default_factory=tuple)  # flags from config (all-OS, then this OS)
    compiled: tuple[str, ...] | None = None  # the only top-level names compiled to C (None: every module)
    stdlib: dict[str, list[str]] = field(default_factory=dict)  # stdlib.listing(): what of it is added


def compiled_to_c(compile_mode: str, own: tuple[str, ...]) -> tuple[str, ...] | None:
    """Inputs.compiled for tool.pkg.nuitka.compile: "app" compiles only `own` (the app's top-level names) to C,
    "all" every module."""
    return tuple(own) if compile_mode == "app" else None


def command(inputs: Inputs, target_os: str, out_dir: Path, report: Path, mode: str = "standalone") -> list[str]:
    return [
        str(inputs.python), "-m", "nuitka",
        f"--mode={mode}",
        f"--output-dir={out_dir}",
        f"--output-filename={inputs.binary}",
        f"--report={report}",
        *FIXED,
        *(WINDOWS if target_os == "windows" else ()),
        *([f"--include-distribution-metadata={inputs.dist}"] if inputs.dist else []),
        *(f"--include-distribution-metadata={name}" for name in inputs.runtime),
        *(f"--include-module={name}" for name in inputs.plugins),
        *(f"--include-package={name}" for name in inputs.packages),
        *(f"--include-package-data={name}" for name in inputs.package_data),
        *(f"--include-module={name}" for name in inputs.modules),
        *(f"--nofollow-import-to={name}" for name in inputs.no_follow),
        *(f"--noinclude-data-files={pattern}" for pattern in inputs.no_data),
        *(f"--include-data-files={source}={dest}" for source, dest in inputs.raw_files),
        f"--user-plugin={BYTECODE_PLUGIN}",
        *((f"--compile-to-c={name}" for name in inputs.compiled) if inputs.compiled is not None
          else ["--compile-all-to-c"]),
        f"--user-plugin={ENTRY_POINTS_PLUGIN}",
        *(f"--include-package={name}" for name in inputs.stdlib.get("packages", ())),
        *(f"--include-module={name}" for name in inputs.stdlib.get("modules", ())),
        *(f"--nofollow-import-to={name}" for name in (*inputs.stdlib.get("tests", ()),
                                                       *inputs.stdlib.get("left_out", ()))),
        *inputs.extra,
        *inputs.entry,
    ]
