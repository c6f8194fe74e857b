"""After compiling: is every module and data file of the app's own wheel in the build? Nuitka's --report
lists what went in; the wheel's RECORD lists what `pip install` gives users. A file of the wheel that is in
neither the report nor tool.pkg.exclude (with its reason) fails the build and is named: a module imported
by name, a data file not declared — the commonest failures of frozen apps."""

import fnmatch
import xml.etree.ElementTree as ET
from pathlib import Path

from pkg.core.errors import PkgError
from pkg.core.stage import BuildContext, Stage
from pkg.project.wheel import WheelFiles

# Files a wheel may carry that a compiled program never reads, and why.
NOT_NEEDED = {
    "*.pyi": "type stubs, read by type checkers only",
    "*py.typed": "a typing marker, read by type checkers only",
    "*.pth": "a site hook for a Python installation; the compiled program has no site",
    "*.pyx": "Cython source of a compiled extension", "*.pxd": "Cython declarations",
    "*.c": "C source of a compiled extension", "*.h": "C header of a compiled extension",
    "*.pyc": "bytecode cache",
}


def included(report: Path) -> tuple[set[str], set[str]]:
    """(module names, data file paths) in a Nuitka report."""
    try:
        root = ET.parse(report).getroot()
    except (OSError, ET.ParseError) as exc:
        raise PkgError(f"{report.name}: cannot read the Nuitka report ({exc})") from None
    modules = {m.get("name") for m in root.iter("module")}
    data = {d.get("name").replace("\\", "/") for d in root.iter("data_file")}
    return modules, data


def reason_for(path: str, exclude: dict[str, str]) -> str | None:
    for patterns in (exclude, NOT_NEEDED):
        for pattern, reason in patterns.items():
            if fnmatch.fnmatch(path, pattern):
                return reason
    return None


def missing(files: WheelFiles, report: Path, exclude: dict[str, str]) -> list[str]:
    """Wheel files that are neither in the build nor excluded with a reason, as "path (module x)"."""
    modules, data = included(report)
    gone = [f"{path} (module {name})" for name, path in sorted(files.modules.items())
            if name not in modules and reason_for(path, exclude) is None]
    gone += [path for path in files.data if path not in data and reason_for(path, exclude) is None]
    return gone


def check(files: WheelFiles, report: Path, exclude: dict[str, str]) -> None:
    gone = missing(files, report, exclude)
    if gone:
        more = f" and {len(gone) - 3} more" if len(gone) > 3 else ""
        raise PkgError(f"the build lacks {len(gone)} file(s) of the app's wheel: {', '.join(gone[:3])}{more} "
                       "(include them with tool.pkg.nuitka flags, or list them under [tool.pkg.exclude] "
                       "with the reason)")
    unused = [pattern for pattern in exclude if not files.matching([pattern])]
    for pattern in unused:
        print(f"note: tool.pkg.exclude {pattern!r} matches no file of the wheel")
    print(f"complete: all {len(files.modules)} modules and {len(files.data)} data files of the wheel are in "
          "the build or excluded with a reason")


def run(ctx: BuildContext) -> None:
    check(ctx.env.files, ctx.report, ctx.cfg.exclude)


def skip(ctx: BuildContext) -> str | None:
    return None if ctx.report is not None or ctx.backend == "nuitka" else f"{ctx.backend} keeps no report"


STAGE = Stage("complete", "every module and data file of the wheel is in the build, or excluded with a reason",
              run, skip)
