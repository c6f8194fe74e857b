"""After compiling: is everything the build ships whole in it? Nuitka's --report lists what went in; the
RECORDs of the app's wheel and of every distribution it runs with list what `pip install` gives users. A
module or data file in neither the report nor tool.pkg.exclude (with its reason) — nor a test suite's
package, which goes in only when the program imports it — fails the build and is named with its
distribution: a module imported by name (a plugin, a locale, a directive, a dialect), a data file — the
commonest failures of frozen apps, and silent until a user takes that path."""

import fnmatch
from pathlib import Path

from pkg.compile.context import BuildContext
from pkg.core import nuitka_report
from pkg.core.errors import PkgError
from pkg.core.model import Backend
from pkg.core.stage import Stage
from pkg.project import wheel
from pkg.project.wheel import WheelFiles

# Files a distribution may carry that a compiled program never reads, and why.
NOT_NEEDED = {
    "*.pyi": "type stubs, read by type checkers only",
    "*py.typed": "a typing marker, read by type checkers only",
    "*.pth": "a site hook for a Python installation; the compiled program has no site",
    "*.pyx": "Cython source of a compiled extension", "*.pxd": "Cython declarations",
    "*.c": "C source of a compiled extension", "*.h": "C header of a compiled extension",
    "*.pyc": "bytecode cache",
}


def reason_for(path: str, exclude: dict[str, str]) -> str | None:
    for patterns in (exclude, NOT_NEEDED):
        for pattern, reason in patterns.items():
            if fnmatch.fnmatch(path, pattern):
                return reason
    return None


def unimportable(site: Path | None, path: str) -> bool:
    """A module source this Python cannot compile (a Python 2 leftover: olefile's olefile2.py): no program can
    import it, pip-installed or compiled, and Nuitka rightly leaves it out. The pipeline runs on the build's
    Python version, so compile() here judges as the build would."""
    if site is None or not path.endswith(".py"):
        return False
    try:
        compile((site / path).read_bytes(), path, "exec", dont_inherit=True)
    except SyntaxError:
        return True
    except (OSError, ValueError):
        return False
    return False


def missing(shipped: dict[str, WheelFiles], report: Path, exclude: dict[str, str],
            site: Path | None = None) -> list[str]:
    """Files of the shipped distributions (installed in `site`) that are neither in the build nor excluded with
    a reason, as "path (module x, distribution d)"."""
    modules, data = nuitka_report.contents(report)
    gone = []
    for dist, files in shipped.items():
        gone += [f"{path} (module {name}, {dist})" for name, path in sorted(files.modules.items())
                 if name not in modules and path not in data and reason_for(path, exclude) is None
                 and not files.is_test_suite(name) and not unimportable(site, path)]
        gone += [f"{path} ({dist})" for path in files.data if path not in data and reason_for(path, exclude) is None
                 and wheel.extension_module(path) not in modules]
    return gone


def check(shipped: dict[str, WheelFiles], report: Path, exclude: dict[str, str], site: Path | None = None) -> None:
    gone = missing(shipped, report, exclude, site)
    if gone:
        more = f" and {len(gone) - 3} more" if len(gone) > 3 else ""
        raise PkgError(f"the build lacks {len(gone)} file(s) of what pip installs: {', '.join(gone[:3])}{more} "
                       "(include them with tool.pkg.nuitka flags, or list them under [tool.pkg.exclude] "
                       "with the reason)")
    for pattern in (p for p in exclude if not any(files.matching([p]) for files in shipped.values())):
        print(f"note: tool.pkg.exclude {pattern!r} matches no file the build ships")
    modules = sum(len(files.modules) for files in shipped.values())
    data = sum(len(files.data) for files in shipped.values())
    print(f"complete: all {modules} modules and {data} data files of {len(shipped)} distribution(s) (the app and "
          "what it runs with) are in the build or excluded with a reason")


def run(ctx: BuildContext) -> None:
    check(ctx.env.shipped_files, ctx.report, ctx.cfg.excluded(ctx.target.os), ctx.env.site_packages)


def skip(ctx: BuildContext) -> str | None:
    return None if ctx.report is not None or ctx.backend is Backend.NUITKA else f"{ctx.backend} keeps no report"


STAGE = Stage("complete", "every module and data file of the app and what it runs with is in the build, or "
              "excluded with a reason", run, skip)
