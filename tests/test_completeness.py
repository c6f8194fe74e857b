"""The RECORDs of the app's wheel and of every distribution it runs with against Nuitka's report: every module
and data file in the build, or excluded with a reason, or a file no program reads (stubs, C sources, .pth
hooks)."""

import hashlib
import zipfile
from pathlib import Path, PurePosixPath

import pytest

from pkg.compile import completeness
from pkg.core.errors import PkgError
from pkg.project import wheel

FILES = ["mypkg/__init__.py", "mypkg/cli.py", "mypkg/plugins/__init__.py", "mypkg/plugins/hello.py",
         "mypkg/data/levels.json", "mypkg/_speedups.cpython-311-x86_64-linux-gnu.so", "mypkg/_speedups.pyi",
         "mypkg/py.typed", "mypkg/tests/__init__.py", "mypkg/tests/test_x.py", "helper.py", "a1_hook.pth",
         "ns/part/__init__.py", "ns/part/mod.py", "my_pkg-1.0.data/purelib/mypkg/extra.py",
         "my_pkg-1.0.data/scripts/tool", "../../bin/tool"]


def make_wheel(tmp_path: Path, files=FILES) -> Path:
    path = tmp_path / "my_pkg-1.0-py3-none-any.whl"
    dist_info = "my_pkg-1.0.dist-info"
    record = [f"{name},sha256={hashlib.sha256(b'x').hexdigest()},1" for name in files]
    with zipfile.ZipFile(path, "w") as zf:
        for name in files:
            if not name.startswith(".."):
                zf.writestr(name, "x")
        zf.writestr(f"{dist_info}/METADATA", "Metadata-Version: 2.4\nName: my-pkg\nVersion: 1.0\n")
        zf.writestr(f"{dist_info}/RECORD", "\n".join(record + [f"{dist_info}/RECORD,,"]) + "\n")
    return path


def report(tmp_path: Path, modules: list[str], data: list[str]) -> Path:
    path = tmp_path / "report.xml"
    path.write_text("<nuitka-compilation-report>\n"
                    + "".join(f'  <module name="{m}" kind="CompiledPythonModule" />\n' for m in modules)
                    + "".join(f'  <data_file name="{d}" source="/x/{d}" />\n' for d in data)
                    + "</nuitka-compilation-report>\n")
    return path


ALL_MODULES = ["mypkg", "mypkg.cli", "mypkg.plugins", "mypkg.plugins.hello", "mypkg._speedups", "mypkg.tests",
               "mypkg.tests.test_x", "helper", "ns.part", "ns.part.mod", "mypkg.extra"]


def test_the_wheel_is_read_as_nuitka_sees_it(tmp_path):
    files = wheel.read(make_wheel(tmp_path))
    assert sorted(files.modules) == sorted(ALL_MODULES)
    assert files.modules["mypkg._speedups"] == "mypkg/_speedups.cpython-311-x86_64-linux-gnu.so"
    assert files.modules["mypkg.extra"] == "mypkg/extra.py"  # .data/purelib lands in site-packages
    assert files.data == ("a1_hook.pth", "mypkg/_speedups.pyi", "mypkg/data/levels.json", "mypkg/py.typed")
    assert files.packages == ("mypkg", "ns.part")  # never all of the namespace package `ns`
    assert files.top_modules == ("helper",) and files.main_packages == ()
    assert wheel.module_name(PurePosixPath("a/b-c/d.py")) is None  # not importable: data


def test_a_complete_build_passes_and_says_so(tmp_path, capsys):
    files = wheel.read(make_wheel(tmp_path))
    completeness.check({"my-pkg": files}, report(tmp_path, ALL_MODULES, ["mypkg/data/levels.json"]), {})
    assert "complete: all 11 modules and 4 data files of 1 distribution(s)" in capsys.readouterr().out


def test_a_missing_module_and_data_file_fail_and_are_named(tmp_path):
    files = wheel.read(make_wheel(tmp_path))
    partial = report(tmp_path, [m for m in ALL_MODULES if m != "mypkg.plugins.hello"], [])
    with pytest.raises(PkgError) as info:
        completeness.check({"my-pkg": files}, partial, {})
    message = str(info.value)
    assert "lacks 2 file(s) of what pip installs" in message
    assert "mypkg/plugins/hello.py (module mypkg.plugins.hello, my-pkg)" in message
    assert "mypkg/data/levels.json" in message and "[tool.pkg.exclude]" in message and "\n" not in message


def test_excluded_with_a_reason_is_accepted_and_stale_exclusions_are_noted(tmp_path, capsys):
    files = wheel.read(make_wheel(tmp_path))
    built = report(tmp_path, [m for m in ALL_MODULES if not m.startswith("mypkg.tests")], ["mypkg/data/levels.json"])
    exclude = {"mypkg/tests/*": "the test suite", "nothing/*": "gone long ago"}
    completeness.check({"my-pkg": files}, built, exclude)
    assert "note: tool.pkg.exclude 'nothing/*' matches no file the build ships" in capsys.readouterr().out
    assert files.matching(exclude) == {"mypkg/tests/__init__.py", "mypkg/tests/test_x.py"}


def test_an_unreadable_report_is_one_line(tmp_path):
    (tmp_path / "report.xml").write_text("<nuitka")
    with pytest.raises(PkgError, match="cannot read the Nuitka report"):
        completeness.check({"my-pkg": wheel.read(make_wheel(tmp_path))}, tmp_path / "report.xml", {})


# An installed dependency's RECORD, as its site-packages holds it: paths relative to site-packages, scripts
# and data outside it (`../../bin`), byte-code caches listed too.
LOCALES = ["datelib/__init__.py", "datelib/locales/__init__.py", "datelib/locales/de_DE.py",
           "datelib/locales/en_US.py", "datelib/locales/__pycache__/de_DE.cpython-311.pyc",
           "datelib/calendars.json", "datelib-2.6.dist-info/METADATA", "datelib-2.6.dist-info/RECORD",
           "../../bin/datelib-cli", "../../share/man/man1/datelib.1"]


def test_an_installed_record_is_read_as_nuitka_sees_it():
    files = wheel.from_record(LOCALES)
    assert sorted(files.modules) == ["datelib", "datelib.locales", "datelib.locales.de_DE", "datelib.locales.en_US"]
    assert files.data == ("datelib/calendars.json",) and files.packages == ("datelib",)


def test_a_dependency_module_loaded_by_name_and_its_data_are_checked_too(tmp_path):
    """A date library loads its locales by name (no import statement a compiler sees): a build that lacks one
    fails and names it with its distribution, like a file of the app's own wheel."""
    app = wheel.read(make_wheel(tmp_path))
    shipped = {"my-pkg": app, "datelib": wheel.from_record(LOCALES)}
    seen = ALL_MODULES + ["datelib", "datelib.locales", "datelib.locales.en_US"]
    with pytest.raises(PkgError) as info:
        completeness.check(shipped, report(tmp_path, seen, ["mypkg/data/levels.json"]), {})
    message = str(info.value)
    assert "lacks 2 file(s)" in message and "\n" not in message
    assert "datelib/locales/de_DE.py (module datelib.locales.de_DE, datelib)" in message
    assert "datelib/calendars.json (datelib)" in message
    complete = report(tmp_path, seen + ["datelib.locales.de_DE"], ["mypkg/data/levels.json", "datelib/calendars.json"])
    completeness.check(shipped, complete, {})
    completeness.check(shipped, report(tmp_path, seen, ["mypkg/data/levels.json"]),
                       {"datelib/locales/de_DE.py": "German dates are never parsed", "*.json": "unused"})


def test_a_dll_nuitka_placed_counts_as_shipped(tmp_path):
    """A library file inside a package (not a module) goes in as a DLL: the report lists it there."""
    shipped = {"vendored": wheel.from_record(["vendored/__init__.py", "vendored/libhelper.so.1"])}
    path = tmp_path / "report.xml"
    path.write_text('<nuitka-compilation-report><module name="vendored" kind="CompiledPythonPackage" />'
                    '<included_dll name="libhelper.so.1" dest_path="vendored/libhelper.so.1" />'
                    '</nuitka-compilation-report>')
    completeness.check(shipped, path, {})


def test_a_module_this_python_cannot_compile_is_not_missing(tmp_path):
    """olefile ships olefile2.py in Python 2 syntax: nothing can import it, Nuitka leaves it out (SyntaxError)."""
    site = tmp_path / "site-packages"
    (site / "oldlib").mkdir(parents=True)
    (site / "oldlib" / "__init__.py").write_text("")
    (site / "oldlib" / "old2.py").write_text("print 'hello'\n")
    (site / "oldlib" / "lost.py").write_text("x = 1\n")
    shipped = {"oldlib": wheel.from_record(["oldlib/__init__.py", "oldlib/old2.py", "oldlib/lost.py"])}
    built = report(tmp_path, ["oldlib"], [])
    assert completeness.missing(shipped, built, {}, site) == ["oldlib/lost.py (module oldlib.lost, oldlib)"]


SUITE = ["sa/__init__.py", "sa/exc.py", "sa/orm/__init__.py", "sa/orm/query.py", "sa/testing/__init__.py",
         "sa/testing/suite/__init__.py", "sa/testing/suite/test_types.py", "sa/dialects/__init__.py",
         "sa/dialects/sqlite/__init__.py", "sa/dialects/sqlite/base.py", "lexers/__init__.py",
         "lexers/testing.py", "lexers/python.py"]


def test_a_test_suite_package_is_never_forced_in_and_never_missing(tmp_path):
    """sqlalchemy.testing is a package of test suites (7 MB of C per module once compiled): the rest of the
    distribution is included whole around it, and the check accepts it absent. A single module named like a
    test package (a lexer for test output, loaded by name) is no test suite."""
    files = wheel.from_record(SUITE)
    assert files.whole() == (("lexers", "sa.dialects", "sa.orm"), ("sa", "sa.exc"))
    assert files.is_test_suite("sa.testing.suite.test_types") and not files.is_test_suite("lexers.testing")
    seen = ["sa", "sa.exc", "sa.orm", "sa.orm.query", "sa.dialects", "sa.dialects.sqlite", "sa.dialects.sqlite.base",
            "lexers", "lexers.python"]
    assert completeness.missing({"sa": files}, report(tmp_path, seen, []), {}) == [
        "lexers/testing.py (module lexers.testing, sa)"]


def test_files_nuitka_cannot_place_are_shipped_as_they_are(tmp_path):
    """pip's `__pip-runner__.py` and rich's `unicode10-0-0.py` are loaded by path or by a name no module can
    have, distlib's launchers are .exe: Nuitka's package data never takes those suffixes. A mypyc package's
    `__init__` is an extension, so Nuitka sees none of its submodules. All go in as data files, and count."""
    files = wheel.from_record(["pip/__init__.py", "pip/__pip-runner__.py", "pip/_vendor/distlib/t64.exe",
                               "pip/_vendor/rich/_unicode_data/unicode10-0-0.py", "pip/cacert.pem",
                               "tok/__init__.cpython-311-x86_64-linux-gnu.so", "tok/__init__.py", "tok/cli.py",
                               "tok/_dummy.cpython-311-x86_64-linux-gnu.so", "tok/_dummy.py"])
    assert files.modules["tok"].endswith(".so") and files.modules["tok._dummy"].endswith(".so")  # as CPython picks
    assert files.raw_files() == ("pip/__pip-runner__.py", "pip/_vendor/distlib/t64.exe",
                                 "pip/_vendor/rich/_unicode_data/unicode10-0-0.py",
                                 "tok/_dummy.cpython-311-x86_64-linux-gnu.so", "tok/cli.py")
    placed = report(tmp_path, ["pip", "tok"], ["pip/cacert.pem", *files.raw_files()])
    assert completeness.missing({"x": files}, placed, {}) == []


def test_an_extension_module_whose_name_is_no_identifier_is_found_in_the_build(tmp_path):
    """mypyc's shared module (black's cp311 wheel: `<hash>__mypyc.cpython-311-x86_64-linux-gnu.so`
    at the top) is data to module_name(), but Nuitka's report lists it as a module of that name: it is in."""
    mypyc = "650fdafa52bd2e53d3d7__mypyc.cpython-311-x86_64-linux-gnu.so"
    files = wheel.read(make_wheel(tmp_path, [*FILES, mypyc]))
    assert mypyc in files.data and wheel.extension_module(mypyc) == "650fdafa52bd2e53d3d7__mypyc"
    every = [*ALL_MODULES, "650fdafa52bd2e53d3d7__mypyc"]
    data = ["a1_hook.pth", "mypkg/data/levels.json"]
    assert completeness.missing({"my-pkg": files}, report(tmp_path, every, data), {}) == []
    assert completeness.missing({"my-pkg": files}, report(tmp_path, ALL_MODULES, data), {}) == [f"{mypyc} (my-pkg)"]
