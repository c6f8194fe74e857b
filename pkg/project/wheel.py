"""What the app's wheel installs, from its RECORD: the app's own modules, extension modules and data files,
grouped the way Nuitka and the completeness check see them."""

import fnmatch
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pkg.project import metadata

EXTENSION_SUFFIXES = (".so", ".pyd")
# Suffixes Nuitka never takes as package data (freezer/IncludedDataFiles.py default_ignored_suffixes, less the
# code it compiles or the stubs nobody runs): such files must be named to it one by one.
NUITKA_SKIPS = (".py", ".pyw", ".exe", ".bin")
# Packages of these names below a top-level package hold a distribution's own test suite (sqlalchemy.testing:
# 7 MB of C per module once compiled): never forced into a build, still followed when the program imports
# them. Single modules of those names are kept (pygments.lexers.testing is a lexer, loaded by name).
TEST_PACKAGES = ("tests", "test", "testing")


@dataclass(frozen=True)
class WheelFiles:
    modules: dict[str, str] = field(default_factory=dict)  # module name -> path (sources and extensions)
    data: tuple[str, ...] = ()                               # every other file under site-packages
    packages: tuple[str, ...] = ()                           # top-level packages
    top_modules: tuple[str, ...] = ()                        # top-level single-file modules
    main_packages: tuple[str, ...] = ()                      # top-level packages with a __main__.py
    shared: tuple[str, ...] = ()                             # .data/data/ files, as pip puts them under its prefix

    def matching(self, patterns) -> set[str]:
        """Every module and data path that one of the glob `patterns` matches."""
        paths = set(self.modules.values()) | set(self.data)
        return {p for p in paths if any(fnmatch.fnmatch(p, pat) for pat in patterns)}

    def module_of_name(self, name: str) -> bool:
        """Whether module `name` is the app's own (inside one of its packages or modules)."""
        return any(name == top or name.startswith(top + ".") for top in (*self.packages, *self.top_modules))

    def module_of(self, path: str) -> str | None:
        return next((name for name, p in self.modules.items() if p == path), None)

    def is_test_suite(self, name: str) -> bool:
        """Whether module `name` is, or is inside, a test package (TEST_PACKAGES) below a top-level package."""
        parts = name.split(".")
        return any(parts[i] in TEST_PACKAGES and self.modules.get(".".join(parts[:i + 1]), "").endswith("__init__.py")
                   for i in range(1, len(parts)))

    def raw_files(self) -> tuple[str, ...]:
        """Files Nuitka's own inclusion leaves out although a program can read them, to ship as they are: data
        with a suffix Nuitka's package data never takes (a .py whose name is no module name, loaded by path:
        pip's `__pip-runner__.py`, rich's `unicode10-0-0.py`; an .exe a library writes out), and the
        modules of a package whose `__init__` is an extension (mypyc: Nuitka sees no submodules of one)."""
        found = [p for p in self.data if p.endswith(NUITKA_SKIPS)]
        compiled = {n for n, p in self.modules.items() if p.rsplit("/", 1)[-1].startswith("__init__.")
                    and p.endswith(EXTENSION_SUFFIXES)}
        found += [p for n, p in self.modules.items() if n.rsplit(".", 1)[0] in compiled and n not in compiled]
        return tuple(sorted(found))

    def whole(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(packages, modules) that, included whole, cover every module but the test suites (TEST_PACKAGES): a
        package without tests whole, else its children one by one."""
        packages, modules = [], list(self.top_modules)

        def cover(package: str) -> None:
            below = [n for n in self.modules if n.startswith(package + ".")]
            if not any(self.is_test_suite(n) for n in below):
                packages.append(package)
                return
            modules.append(package)
            for child in sorted({package + "." + n[len(package) + 1:].split(".")[0] for n in below}):
                if self.is_test_suite(child):
                    continue
                if any(n.startswith(child + ".") for n in below):
                    cover(child)
                else:
                    modules.append(child)

        for package in self.packages:
            cover(package)
        return tuple(packages), tuple(modules)


def module_name(path: PurePosixPath) -> str | None:
    """`a/b.py` → a.b, `a/__init__.py` → a, `a/c.cpython-311-x86_64-linux-gnu.so` → a.c; None for data."""
    if path.suffix == ".py":
        parts = path.with_suffix("").parts
    elif path.suffix in EXTENSION_SUFFIXES:
        parts = (*path.parent.parts, path.name.split(".", 1)[0])
    else:
        return None
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) if parts and all(p.isidentifier() for p in parts) else None


def extension_module(path: str) -> str | None:
    """The module an extension file is, whatever its name: mypyc's `<hash>__mypyc.cpython-311-….so` starts with
    a digit, so module_name() takes it for data, yet the package's own extensions import it (and Nuitka's
    report lists it as a module of that name). None for any other file."""
    posix = PurePosixPath(path)
    if posix.suffix not in EXTENSION_SUFFIXES:
        return None
    return ".".join((*posix.parent.parts, posix.name.split(".", 1)[0]))


def installed_path(entry: str) -> str | None:
    """A RECORD path as it lands in site-packages; None for metadata, scripts, headers and data outside it."""
    parts = PurePosixPath(entry).parts
    if not parts or parts[0].endswith(".dist-info") or parts[0].startswith(".."):
        return None
    if parts[0].endswith(".data"):
        if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
            return None
        parts = parts[2:]
    if "__pycache__" in parts:
        return None
    return PurePosixPath(*parts).as_posix()


def prefix_path(entry: str) -> str | None:
    """A RECORD path of `<dist>.data/data/…` as pip installs it below its prefix (share/man/man1/x.1); else None."""
    parts = PurePosixPath(entry).parts
    if len(parts) > 2 and parts[0].endswith(".data") and parts[1] == "data" and ".." not in parts:
        return PurePosixPath(*parts[2:]).as_posix()
    return None


def shared_files(wheel: Path) -> dict[str, bytes]:
    """The wheel's data files (what pip installs under its prefix: man pages, completions, docs) by prefix path."""
    with zipfile.ZipFile(wheel) as zf:
        return {path: zf.read(info) for info in zf.infolist()
                if not info.is_dir() and (path := prefix_path(info.filename))}


def package_root(name: str, modules: dict[str, str]) -> str:
    """The outermost regular package holding module `name` (inside a namespace package: below it), so that
    including it never pulls in other distributions' parts of the namespace."""
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        candidate = ".".join(parts[:i])
        if modules.get(candidate, "").endswith("__init__.py"):
            return candidate
    return ".".join(parts[:-1]) or name


def from_record(records: list[str]) -> WheelFiles:
    """What a RECORD's paths install: a wheel's, or an installed distribution's (paths relative to its
    site-packages; what lies outside it, `../../bin/x`, is no module or package data)."""
    modules, data = {}, []
    shared = tuple(sorted(p for entry in records if (p := prefix_path(entry))))
    for entry in records:
        path = installed_path(entry)
        if path is None:
            continue
        name = module_name(PurePosixPath(path))
        if name is None:
            data.append(path)
        elif not modules.get(name, "").endswith(EXTENSION_SUFFIXES):  # an extension shadows its source (mypyc)
            modules[name] = path
    packages = sorted({package_root(n, modules) for n, p in modules.items() if "/" in p})
    top_modules = sorted(n for n, p in modules.items() if "/" not in p)
    return WheelFiles(modules, tuple(sorted(data)), tuple(packages), tuple(top_modules), main_packages(modules),
                      shared)


def main_packages(modules: Iterable[str]) -> tuple[str, ...]:
    """The top-level packages `python -m <package>` runs (they have a __main__ module): the one rule, applied to
    a wheel's RECORD (the build) and to the project's source before any wheel exists (`make check`)."""
    return tuple(sorted({m.removesuffix(".__main__") for m in modules
                         if m.count(".") == 1 and m.endswith(".__main__") and m.split(".")[0].isidentifier()}))


def source_main_packages(folder: Path) -> tuple[str, ...]:
    """main_packages of the project's source in the usual layouts (flat, src/): what the wheel will hold."""
    return main_packages(f"{p.parent.name}.__main__" for base in (folder, folder / "src")
                         for p in base.glob("*/__main__.py"))


def read(wheel: Path) -> WheelFiles:
    with zipfile.ZipFile(wheel) as zf:
        return from_record([str(f) for f in metadata.dist_info(zf).files or []])
