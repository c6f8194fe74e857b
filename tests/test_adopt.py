"""Real third-party CLIs from the package index, adopted by configuration alone (tests/adoption.py): for each,
`make build-test` and `make release VERSION=<its version>` in a fresh packaging repository, then the four
other runners as fixtures and `make release … REQUIRE_TARGETS=all`, whose release must pass every check
tailor's passes (adoption.check_release). No file of the pipeline or of the app is edited.

tabulate runs in `make test` from its vendored sdist (tests/projects/, MIT); the others download their
pinned sdist (sha256-checked) and run in `make test-adopt` (marker `adopt`): each is a few minutes of Nuitka.
What each one covers is said beside it; together they cover every shape issue 10 names.
"""

import hashlib
import json
import shutil
import tarfile
import time
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from pkg.core import model, names, nuitka_report, targets
from pkg.core.model import Kind

from .adoption import add_fixture_runners, bench, changed, check_release, drop_in_repo, make, packaging_repo, tail

PROJECTS = Path(__file__).resolve().parent / "projects"
FILES = "https://files.pythonhosted.org/packages"
RESULTS = Path(__file__).resolve().parent.parent / "build" / "adopt-results"  # <app>.json each (workers in parallel)


@dataclass(frozen=True)
class RealApp:
    name: str
    version: str
    sdist: str            # a vendored file name in tests/projects/, or a files.pythonhosted.org path
    sha256: str
    covers: str
    config: str           # the [tool.pkg] lines after `project = "app"`
    has_version: bool = True
    tools: tuple[str, ...] = ()  # completions and man pages its .deb installs, as tools load them ("bash cmd")
    drop_in: bool = False        # adopted by the README's drop-in path (the pipeline in its own repository)
    completion_files: tuple[tuple[str, str], ...] = ()  # what completing needs in its folder (a tasks file)
    by_init: int = 0             # its [tool.pkg] is what `make init` writes, nothing added (config: ""), with
                                 # this many declarations learnt from the pip-installed app


CSVKIT_COMMANDS = ("csvclean", "csvcut", "csvformat", "csvgrep", "csvjoin", "csvjson", "csvlook", "csvpy", "csvsort",
                   "csvsql", "csvstack", "csvstat", "in2csv", "sql2csv")

COMMON = """
publisher = "{publisher}"
maintainer = "{publisher} <packages@example.org>"
package-id = "{package_id}"
upgrade-code = "{upgrade_code}"
url-template = "https://github.com/{repo}/releases/download/v{{version}}/{{file}}"
"""

TABULATE = RealApp(
    "tabulate", "0.10.0", "tabulate-0.10.0.tar.gz",
    "e2cfde8f79420f6deeffdeda9aaec3b6bc5abce947655d17ac662b126e48a60d",
    "flat layout; console script only (tabulate:_main, no __main__); version from setuptools-scm",
    COMMON.format(publisher="Sergey Astanin", package_id="Astanin.Tabulate",
                  upgrade_code="1B7C6F0E-3F7E-4D1A-9A77-0F6B0F9D2C11", repo="astanin/python-tabulate") + """
[tool.pkg.command.tabulate]
version = false          # tabulate has no --version (it exits 2 on it)
[[tool.pkg.checks]]
name = "a table from stdin"
args = ["-1"]
stdin = "a b\\n1 2\\n"
stdout-equals = "  a    b\\n---  ---\\n  1    2\\n"
[[tool.pkg.checks]]
name = "a CSV file in grid format"
args = ["-s", ",", "-f", "grid", "-1", "data file.csv"]
files = { "data file.csv" = "name,qty\\nwidget,3\\n" }
stdout-contains = ["| name   |   qty |", "| widget |     3 |"]
[[tool.pkg.checks]]
name = "a file named -c after --: the program's own arguments, never an interpreter option"
args = ["-1", "--", "-c"]
files = { "-c" = "a b\\n1 2\\n" }
stdout-equals = "  a    b\\n---  ---\\n  1    2\\n"
""", has_version=False)

NEW_APPS = [
    RealApp(
        "black", "26.10.1", "f8/65/a9611a6ec0a8c88d86e59385da02d68d9533f7e86a05913d20c67be54029/black-26.10.1.tar.gz",
        "5f9f83beae62437e060dafd53d7f1fc327e3d3494f74d72ee5c2b73eb90fc4e7",
        "hatchling with a hatch-vcs version; a console script with extras (blackd = \"blackd:patched_main [d]\"), "
        "left out by configuration; -c CODE and stdin; summary with an article and a full stop",
        COMMON.format(publisher="Python Software Foundation", package_id="PSF.Black",
                      upgrade_code="68B8E6D9-92A9-4FA3-BA2F-8621DA74467C", repo="psf/black") + """
commands = ["black"]     # blackd needs the extra [d] (aiohttp): not shipped
[tool.pkg.command.black]
no-args-exit = 1         # "One of 'SRC' or 'code' is required." (make build said so before compiling)
[[tool.pkg.checks]]
name = "formats code given with -c (an option, never an interpreter's)"
args = ["-c", "x=1;y  =  2"]
stdout-equals = "x = 1\\ny = 2\\n"
[[tool.pkg.checks]]
name = "formats stdin to stdout"
args = ["-q", "-"]
stdin = "def f( a ):\\n  return a\\n"
stdout-equals = "def f(a):\\n    return a\\n"
[[tool.pkg.checks]]
name = "--check names a file it would reformat"
args = ["--check", "ugly.py"]
files = { "ugly.py" = "x=1\\n" }
exit = 1
stderr-contains = ["would reformat ugly.py"]
""", tools=("bash black", "fish black", "zsh black")),
    RealApp(
        "tldr", "3.4.4", "56/2a/3a55692e24d879ae6e8d15c08b0ecdc76ba92ee8160b4dac8a07bfff021e/tldr-3.4.4.tar.gz",
        "8355f2ca96991c61a2daa166050af5d3bdf93507817fcde5de36259c3908eca1",
        "its own man page as a wheel data file (hatchling shared-data); completions it prints itself (shtab's "
        "--print-completion), declared; a summary brew refuses (\"command line\"), configured",
        COMMON.format(publisher="tldr-pages", package_id="tldr-pages.tldr",
                      upgrade_code="7FCB4C04-4720-4D97-B56F-2E6C7A0467BB", repo="tldr-pages/tldr-python-client") + """
description = "Official Python command-line client for tldr pages"
[tool.pkg.command.tldr]
no-args-exit = 1         # argparse's usage: "the following arguments are required"
[tool.pkg.completions]   # shtab: the compiled program prints them
bash = "tldr --print-completion bash"
zsh = "tldr --print-completion zsh"
fish = "tldr --print-completion fish"
[[tool.pkg.checks]]
name = "renders a local page (no network)"
args = ["--render", "tar.md"]
files = { "tar.md" = "# tar\\n\\n> Archiving utility.\\n\\n- Create an archive:\\n\\n`tar cf {{target.tar}} {{f}}`\\n" }
stdout-contains = ["Archiving utility.", "tar cf target.tar f"]
""", tools=("bash tldr", "fish tldr", "man tldr", "zsh tldr")),
    RealApp(
        "docutils", "0.23", "39/a4/5180d9afc57e8fca05601dd652bdff19604c218814037fe90ffc7625a50a/docutils-0.23.tar.gz",
        "746f5060322511280a1e50eb76846ed6bf2342984b2ac04dc42caa1a8d78799e",
        "flit-core; eleven console scripts; its RST directives and writers loaded by name, CSS read from "
        "package data; no SPDX license (configured)",
        COMMON.format(publisher="Docutils Project", package_id="Docutils.Docutils",
                      upgrade_code="E220EDDB-3E99-4D2A-98B3-17A62C41BAA9", repo="example/docutils") + """
license = "LicenseRef-Public-Domain AND BSD-2-Clause AND GPL-3.0-or-later"
description = "Python Documentation Utilities"
[tool.pkg.command.rst2odt]
pip-installed = "checked"    # an OpenDocument zip on stdout: its members carry the time they were written
[tool.pkg.command.rst2latex]
pip-installed = "checked"    # a FutureWarning (stacklevel=2) names rst2something's line, CPython its caller's
[tool.pkg.command.rst2xetex]
pip-installed = "checked"    # the same warning
[[tool.pkg.checks]]
name = "renders reStructuredText with its directives and stylesheet"
command = "rst2html"
args = ["doc.rst"]
files = { "doc.rst" = "Title\\n=====\\n\\n.. note:: Careful.\\n\\n.. code:: python\\n\\n   x = 1\\n" }
stdout-contains = ['<h1 class="title">Title</h1>', '<div class="admonition note">', 'div.note p.admonition-title']
[[tool.pkg.checks]]
name = "writes a man page"
command = "rst2man"
args = ["doc.rst"]
stdout-contains = ['.TH "Title"', "Careful."]
"""),
    RealApp(
        "dunamai", "1.26.5", "18/82/51a4e2ed9a7fef19888e5e0ba9a493c8f1878ab89b10b05cc9564b4f5df8/dunamai-1.26.5.tar.gz",
        "b1435d8d2b0aceef240cde8e8f6ba910e85b1aa0e22fa9e21454d2d22fb0a89c",
        "poetry-core, metadata only in [tool.poetry]; argparse subcommands, no --version, exit 2 without "
        "arguments (declared)",
        COMMON.format(publisher="Matthew T. Kennerly", package_id="mtkennerly.dunamai",
                      upgrade_code="1BD9FDC4-150F-4D14-B058-4643AD848DDC", repo="mtkennerly/dunamai") + """
[tool.pkg.command.dunamai]
version = false
no-args-exit = 2
[[tool.pkg.checks]]
name = "accepts a semantic version"
args = ["check", "--style", "semver", "1.2.3-rc.1"]
[[tool.pkg.checks]]
name = "refuses a version that is not PEP 440, read from stdin"
args = ["check"]
stdin = "1.2.3-\\n"
exit = 1
stderr-contains = ["does not conform to the PEP 440 style"]
""", has_version=False),
    RealApp(
        "pyvim", "3.0.3", "c3/31/04e144ec3a3a0303e3ef1ef9c6c1ec8a3b5ba9e88b98d21442d9152783c1/pyvim-3.0.3.tar.gz",
        "2a3506690f73a79dd02cdc45f872d3edf20a214d4c3666d12459e2ce5b644baa",
        "a full-screen terminal UI (prompt_toolkit) that with no arguments runs until quit (declared); "
        "setup.py importing its own package; a license name, not SPDX (configured)",
        COMMON.format(publisher="Jonathan Slenders", package_id="JonathanSlenders.Pyvim",
                      upgrade_code="ABDFB0AC-9CF8-42B3-AE8C-D40EE309C76C", repo="prompt-toolkit/pyvim") + """
license = "BSD-3-Clause"
[tool.pkg.command.pyvim]
version = false          # docopt: no --version
no-args-runs = true      # an empty buffer, full screen, until :q
[[tool.pkg.checks]]
name = "its usage"
args = ["--help"]
stdout-contains = ["pyvim [-p] [-o] [-O] [-u <pyvimrc>] [<location>...]"]
[[tool.pkg.checks]]
name = "shows a file full screen, its syntax highlighted"
args = ["notes.py"]
files = { "notes.py" = "greeting = 'hello from a file'\\n" }
terminal = true
timeout = 4
stdout-contains = ["hello from a file", "notes.py"]
""", has_version=False),
    RealApp(
        "csvkit", "2.2.0", "9a/bf/59b035abead12d9498c96dc05b965ec77683d3c794305dec2648e23830cc/csvkit-2.2.0.tar.gz",
        "147318a8dbaec07c0bbb9291c14b78de5fa32ed3d4a5c2396e52a83c0a30df6b",
        "fourteen console scripts; dependencies that load modules and data by name: parsedatetime's locales "
        "(every command imports them), SQLAlchemy's dialects, Babel's locale data; -c is csvcut's own option",
        COMMON.format(publisher="Christopher Groskopf", package_id="wireservice.csvkit",
                      upgrade_code="0E7B6A51-3C2D-4F8E-9B1A-6D5C4E3F2A19", repo="wireservice/csvkit") + """
description = "Command-line tools for working with CSV"   # its own is over Debian's 79 characters
[tool.pkg.command.csvclean]
no-args-exit = 2         # argparse: a file or --help is required
[tool.pkg.command.csvgrep]
no-args-exit = 2
[tool.pkg.command.csvpy]
no-args-exit = 2
[tool.pkg.command.in2csv]
no-args-exit = 2
# With no input six commands warn (agate's RuntimeWarning: no CSV dialect to sniff); CPython quotes the warning's
# source line under it, the compiled program carries no sources: the comparison folds that line, so they are
# compared with pip's like every other command (they were declared pip-installed = "checked" before).
[[tool.pkg.checks]]
name = "csvcut -c picks a column (its own option, never an interpreter's)"
command = "csvcut"
args = ["-c", "name", "data.csv"]
files = { "data.csv" = "name,qty,when\\nwidget,3,2024-01-02\\ngadget,2,2024-03-04\\n" }
stdout-equals = "name\\nwidget\\ngadget\\n"
[[tool.pkg.checks]]
name = "csvstat infers dates (parsedatetime, its locales loaded by name)"
command = "csvstat"
args = ["-c", "when", "data.csv"]
stdout-contains = ["Type of data:          Date", "Largest value:         2024-03-04"]
[[tool.pkg.checks]]
name = "csvsql queries through SQLAlchemy's SQLite dialect (loaded by name)"
command = "csvsql"
args = ["--query", "select sum(qty) as total from data", "data.csv"]
stdout-equals = "total\\n5.0\\n"
[[tool.pkg.checks]]
name = "csvlook formats numbers (Babel's locale data)"
command = "csvlook"
args = ["data.csv"]
stdout-contains = ["| widget |   3 | 2024-01-02 |"]
[[tool.pkg.checks]]
name = "in2csv converts JSON"
command = "in2csv"
args = ["-f", "json", "d.json"]
files = { "d.json" = '[{"a": 1, "b": "x"}]' }
stdout-equals = "a,b\\nTrue,x\\n"
""", tools=tuple(f"man {c}" for c in CSVKIT_COMMANDS)),  # its setup.py installs man/<command>.1 (wheel data)
    RealApp(
        "restructuredtext-lint", "2.0.2",
        "ca/e6/eefcad2228f4124f17e01064428fbcd0ade06a274f3063ce3a126a569d6b/restructuredtext_lint-2.0.2.tar.gz",
        "dd25209b9e0b726929d8306339faf723734a3137db382bcf27294fa18a6bc52b",
        "a small app whose work is a dependency's (docutils): its parsers, readers, directives and languages "
        "all loaded by name; two commands",
        COMMON.format(publisher="Todd Wolfson", package_id="twolfson.restructuredtext-lint",
                      upgrade_code="5D2E8C47-1A9B-4E6F-8C3D-7B2A1E9F0D64", repo="twolfson/restructuredtext-lint") + """
[tool.pkg.command.rst-lint]
no-args-exit = 2         # argparse: "the following arguments are required: path"
[tool.pkg.command.restructuredtext-lint]
no-args-exit = 2
[[tool.pkg.checks]]
name = "a clean document with directives passes (docutils' reader, parser and directives, loaded by name)"
args = ["good.rst"]
files = { "good.rst" = "Title\\n=====\\n\\n.. note:: Careful.\\n\\n.. contents::\\n\\nSection\\n-------\\n\\nText.\\n" }
[[tool.pkg.checks]]
name = "errors are reported with their lines"
args = ["bad.rst"]
files = { "bad.rst" = "Title\\n=====\\n\\n.. nosuchthing:: x\\n\\nA `broken link <>`_\\n" }
exit = 2
stdout-contains = ['ERROR bad.rst:4 Unknown directive type "nosuchthing".',
                   'ERROR bad.rst:6 Unknown target name: "broken link <>".']
"""),
    RealApp(
        "pyfiglet", "1.0.4",
        "c8/e3/0a86276ad2c383ce08d76110a8eec2fe22e7051c4b8ba3fa163a0b08c428/pyfiglet-1.0.4.tar.gz",
        "db9c9940ed1bf3048deff534ed52ff2dafbbc2cd7610b17bb5eca1df6d4278ef",
        "576 font files read from package data by name; `pyfiglet -l` ends with the builtin exit(), which only "
        "CPython's site module defines (the compiled program starts without site)",
        COMMON.format(publisher="Peter Waller", package_id="PeterWaller.Pyfiglet",
                      upgrade_code="C3E1CF91-CE69-4C22-AB22-2BBFF8AF3476", repo="pwaller/pyfiglet") + """
[tool.pkg.command.pyfiglet]
no-args-exit = 1         # prints its usage and exits 1
[[tool.pkg.checks]]
name = "renders text in a font loaded by name from package data"
args = ["-f", "slant", "Hi"]
stdout-contains = ["/ /_/ / /", "/_/ /_/_/"]
[[tool.pkg.checks]]
name = "lists its fonts, then exit() (site's builtin)"
args = ["-l"]
stdout-contains = ["standard", "slant", "banner"]
"""),
]

REAL_APPS = [
    RealApp(
        "flake8", "7.5.0", "9a/da/b0d00f8c4c676212284edd3cc3d371588ce0e36a349373c3a01e188b5639/flake8-7.5.0.tar.gz",
        "0dab7566341aca0d80aa29b5812bdadf256caa6a63e6068e49ac2649918236a4",
        "src/ layout; metadata only in setup.cfg; version `attr:`; its checkers are entry-point plugins "
        "loaded through importlib.metadata",
        COMMON.format(publisher="PyCQA", package_id="PyCQA.Flake8", upgrade_code="5A0C1D2E-6B7F-4C8D-9E0F-1A2B3C4D5E6F",
                      repo="pycqa/flake8") + """
[[tool.pkg.checks]]
name = "pyflakes and pycodestyle plugins report"
args = ["bad.py"]
files = { "bad.py" = "import os\\nx=1\\n" }
exit = 1
stdout-contains = ["bad.py:1:1: F401 'os' imported but unused", "bad.py:2:2: E225 missing whitespace around operator"]
[[tool.pkg.checks]]
name = "the mccabe plugin (another distribution's entry point) measures complexity"
args = ["--max-complexity", "1", "--select", "C90", "branchy.py"]
files = { "branchy.py" = "def f(x):\\n    if x:\\n        return 1\\n    return 2\\n" }
exit = 1
stdout-equals = "branchy.py:1:1: C901 'f' is too complex (2)\\n"
"""),
    RealApp(
        "coverage", "7.17.3",
        "ed/8f/19651ed6f648de7e1383bb759207078e2ad8addeca711187e1cb3a495f14/coverage-7.17.3.tar.gz",
        "6695d1bb2a9a2fbd7806d69d78cf30f35eb0f65045da0ec5b5045242fadd6a78",
        "metadata only in setup.py; three console scripts; its own C extension (CTracer); package data "
        "(the HTML report's templates) read at run time; run -m MODULE",
        COMMON.format(publisher="Ned Batchelder", package_id="NedBatchelder.Coverage",
                      upgrade_code="2C8D7E1F-4A8F-4E2B-8B88-1A7C1A0E3D22", repo="coveragepy/coveragepy") + """
[[tool.pkg.checks]]
name = "measures a script with the C tracer"
args = ["run", "--source=.", "sample.py"]
files = { "sample.py" = "def f(x):\\n    if x:\\n        return 1\\n    return 2\\n\\nprint(f(1))\\n" }
stdout-equals = "1\\n"
[[tool.pkg.checks]]
name = "reports what it measured"
args = ["report"]
stdout-contains = ["sample.py", "80%"]
[[tool.pkg.checks]]
name = "writes the HTML report from its package data"
args = ["html", "-d", "html report"]
stderr-contains = ["Wrote HTML report to html report/index.html"]
[[tool.pkg.checks]]
name = "the C extension is in use"
args = ["debug", "sys"]
stdout-contains = ["CTracer: available"]
pip-installed = "checked"   # it prints the interpreter's and the program's paths
[[tool.pkg.checks]]
name = "runs a module with -m (its own option: never taken for the interpreter's)"
args = ["run", "-m", "sample"]
stdout-equals = "1\\n"
"""),
    RealApp(
        "sqlite-utils", "4.2.1",
        "7e/6b/4a7b3d20c92e6c7acedc96ef620df8e1ea8f94a26a41ab788c1c08055815/sqlite_utils-4.2.1.tar.gz",
        "76114b6a5414714e6c70e5fa5c4781b301b590f6951b5da39c8cc60c21382ba1",
        "flat layout, package sqlite_utils unlike the project sqlite-utils; a click group whose --version "
        "reads importlib.metadata; pluggy plugins through entry points",
        COMMON.format(publisher="Simon Willison", package_id="SimonWillison.SqliteUtils",
                      upgrade_code="4E1F2A3B-7C8D-4E9F-8A0B-3C4D5E6F7A8B", repo="simonw/sqlite-utils") + """
[tool.pkg.command.sqlite-utils]
no-args-exit = 2         # its default subcommand, query, wants a database: click's usage error
[[tool.pkg.checks]]
name = "inserts JSON rows into a new database"
args = ["insert", "data.db", "items", "rows.json", "--pk", "id"]
files = { "rows.json" = '[{"id": 1, "name": "widget"}, {"id": 2, "name": "gadget"}]' }
[[tool.pkg.checks]]
name = "queries them back"
args = ["query", "data.db", "select name from items order by id"]
stdout-equals = "[{\\"name\\": \\"widget\\"},\\n {\\"name\\": \\"gadget\\"}]\\n"
""", tools=("bash sqlite-utils", "fish sqlite-utils", "zsh sqlite-utils")),  # click's, from the compiled program
    RealApp(
        "autopep8", "2.3.2",
        "50/d8/30873d2b7b57dee9263e53d142da044c4600a46f2d28374b3e38b023df16/autopep8-2.3.2.tar.gz",
        "89440a4f969197b69a995e4ce0661b031f455a9f776d2c5ba3dbd83466931758",
        "a single-module distribution (py-modules); the license as a table ({file = …}), its SPDX id from "
        "the classifier; version `attr:`",
        COMMON.format(publisher="Hideo Hattori", package_id="HideoHattori.Autopep8",
                      upgrade_code="6B2C3D4E-8F9A-4B0C-9D1E-5F6A7B8C9D0E", repo="hhatto/autopep8") + """
[tool.pkg.command.autopep8]
no-args-exit = 99        # without a file it prints its usage and "incorrect number of arguments"
[[tool.pkg.checks]]
name = "formats a file (pycodestyle inside)"
args = ["ugly.py"]
files = { "ugly.py" = "x=1;y  =  2\\n" }
stdout-equals = "x = 1\\ny = 2\\n"
"""),
]



def inline(files: dict[str, str]) -> str:
    """A TOML inline table of file names and texts, for a check's `files`."""
    return "{ " + ", ".join(f"{json.dumps(name)} = {json.dumps(text)}" for name, text in files.items()) + " }"


# What apps do with Python itself (issue 27): each class of app a compiled program used to break in users'
# hands while `make build-test` passed. Every check is compared with the pip-installed app.
INVOKE_TASKS = """\
import concurrent.futures, csv, decimal, http.server, io, logging.handlers, sqlite3, uuid, xml.dom.minidom, zoneinfo

from invoke import task


@task
def report(c):
    \"\"\"Use the standard library as a tasks file does.\"\"\"
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (name TEXT, qty INTEGER)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [("apple", 3), ("pear", 5)])
    print("sqlite:", db.execute("SELECT SUM(qty) FROM t").fetchone()[0])
    print("http:", http.server.BaseHTTPRequestHandler.responses[404][0])
    print("uuid:", uuid.uuid5(uuid.NAMESPACE_DNS, "example.org"))
    doc = xml.dom.minidom.parseString("<root><item n='1'/><item n='2'/></root>")
    print("xml:", [e.getAttribute("n") for e in doc.getElementsByTagName("item")])
    print("logging:", type(logging.handlers.MemoryHandler(capacity=10)).__name__, zoneinfo.__name__)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        print("futures:", list(pool.map(abs, [-1, -2])))
    decimal.getcontext().prec = 6
    print("decimal:", decimal.Decimal(1) / decimal.Decimal(7))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\\n").writerows([["a", "b"], [1, 2]])
    print("csv:", repr(buf.getvalue()))


@task(help={"name": "Who to greet"})
def hello(c, name="world"):
    \"\"\"Say hello.\"\"\"
    print(f"Hello, {name}!")
"""
USORT_FILES = {"a.py": "import sys\nimport os\nfrom collections import OrderedDict\nimport attr\n\n"
                       "print(os.sep, sys.maxsize > 0, OrderedDict, attr)\n",
               "c.py": "import json\nimport re\n\nprint(json.dumps(re.escape(\"a.b\")))\n"}
MKDOCS_FILES = {"mkdocs.yml": "site_name: Demo Site\ntheme:\n  name: readthedocs\nhooks:\n  - hooks.py\n",
                "docs/index.md": "# Hello\n\nThis is a *demo* page.\n",
                "hooks.py": "import sqlite3, zipfile\n\ndef on_config(config):\n"
                            "    print('hook:', config['site_name'], sqlite3.__name__, zipfile.__name__)\n"}
COOKIECUTTER_TEMPLATE = {
    "tmpl/cookiecutter.json": '{"project_name": "Demo App", '
                              '"project_slug": "{{ cookiecutter.project_name.lower().replace(\' \', \'_\') }}", '
                              '"version": "0.1.0"}\n',
    "tmpl/{{cookiecutter.project_slug}}/README.md": "# {{ cookiecutter.project_name }}\n\n"
                                                    "Version {{ cookiecutter.version }}\n",
    "tmpl/hooks/pre_gen_project.py": "import re, sys\n\nslug = \"{{ cookiecutter.project_slug }}\"\n"
                                     "if not re.fullmatch(r\"[a-z_][a-z0-9_]*\", slug):\n"
                                     "    print(f\"pre_gen: invalid slug {slug!r}\")\n    sys.exit(1)\n"
                                     "print(f\"pre_gen: slug {slug} ok (python {sys.version_info[0]})\")\n",
    "tmpl/hooks/post_gen_project.py": "import json, os, pathlib\n\npathlib.Path(\"build-info.json\").write_text("
                                      "json.dumps({\"name\": \"{{ cookiecutter.project_name }}\"}) + \"\\n\")\n"
                                      "print(\"post_gen: cwd is\", os.path.basename(os.getcwd()))\n"
                                      "print(\"post_gen: files\", sorted(p.name for p in pathlib.Path().iterdir()))\n"}

PYTHON_APPS = [
    RealApp(
        "invoke", "3.0.3", "33/f6/227c48c5fe47fa178ccf1fda8f047d16c97ba926567b661e9ce2045c600c/invoke-3.0.3.tar.gz",
        "437b6a622223824380bfb4e64f612711a6b648c795f565efc8625af66fb57f0c",
        "a task runner: its job is to run the user's own tasks.py, which imports the standard library "
        "(sqlite3, http.server, uuid, xml.dom, logging.handlers, concurrent.futures…); two commands",
        COMMON.format(publisher="Jeff Forcier", package_id="pyinvoke.Invoke",
                      upgrade_code="8E0C2B7D-4F61-4B9A-A0D3-5C2E7F1B9A46", repo="pyinvoke/invoke") + f"""
[tool.pkg.completions]   # its zsh script is compctl, which compinit never loads: not declared
bash = "invoke --print-completion-script bash"   # registers `invoke inv`: inv gets it too
fish = "invoke --print-completion-script fish"   # registers invoke only
[tool.pkg.command.invoke]
no-args-exit = 1         # "Can't find any collection named 'tasks'!"
[tool.pkg.command.inv]
no-args-exit = 1
[[tool.pkg.checks]]
name = "runs the user's tasks.py, which imports the standard library"
args = ["report"]
files = {inline({"tasks.py": INVOKE_TASKS})}
stdout-contains = ["sqlite: 8", "http: Not Found", "uuid: aad03681-8b63-5304-89e0-8ca8f49461b5",
                   "csv: 'a,b\\\\n1,2\\\\n'"]
[[tool.pkg.checks]]
name = "a task with an option, through the second command"
command = "inv"
args = ["hello", "--name", "Ada"]
stdout-equals = "Hello, Ada!\\n"
[[tool.pkg.checks]]
name = "lists the tasks of the user's file"
args = ["--list"]
stdout-contains = ["hello    Say hello.", "report   Use the standard library as a tasks file does."]
""", tools=("bash inv", "bash invoke", "fish invoke"), completion_files=(("tasks.py", INVOKE_TASKS),),
        drop_in=True),  # flat: invoke/ at the root, named like its main command; inv beside it
    RealApp(
        "usort", "1.1.3", "66/f4/b10e2c565f6c79a06bb9e8f97834044eec8810897338e529dd537f4ba475/usort-1.1.3.tar.gz",
        "3928043b4644f35c80e417698b0e89cc7bb51a1b0a021f2ba55ceffb86326398",
        "a spawn worker pool (trailrunner's ProcessPoolExecutor with the spawn context, and its resource "
        "tracker) for more than one file; hatch-vcs; libcst's native parser",
        COMMON.format(publisher="Meta Platforms", package_id="facebook.usort",
                      upgrade_code="2F7D9C31-6A84-4E0B-9B52-D1C8A7E3F605", repo="facebook/usort") + f"""
[tool.pkg.command.usort]
no-args-exit = 2         # click: a command is required
[[tool.pkg.checks]]
name = "checks two files in spawn workers"
args = ["check", "a.py", "c.py"]
files = {inline(USORT_FILES)}
exit = 2
stdout-equals = "Would sort a.py\\n"
[[tool.pkg.checks]]
name = "shows the diff, from spawn workers"
args = ["diff", "a.py", "c.py"]
stdout-contains = ["+import os\\n import sys\\n-import os\\n"]
[[tool.pkg.checks]]
name = "sorts the files in place, then finds nothing to sort"
args = ["format", "a.py", "c.py"]
stdout-equals = "Sorted a.py\\n"
[[tool.pkg.checks]]
name = "nothing left to sort"
args = ["check", "a.py", "c.py"]
""", tools=("bash usort", "fish usort", "zsh usort")),  # click's, from the compiled program
    RealApp(
        "mkdocs", "1.6.1", "bc/c6/bbd4f061bd16b378247f12953ffcb04786a618ce5e904b8c5a01a0309061/mkdocs-1.6.1.tar.gz",
        "7b432f01d928c084353ab39c57282f29f92136665bdd6abf7c1ec8d822ef86f2",
        "a static-site generator whose themes are entry points read with their distribution (theme.dist.name, "
        "on every command); the user's hooks.py run; hatchling with a build hook of its own",
        COMMON.format(publisher="MkDocs", package_id="mkdocs.mkdocs",
                      upgrade_code="C5A1E9F2-3B7D-4D06-8E41-7F2B9C0D6A13", repo="mkdocs/mkdocs") + f"""
[tool.pkg.command.mkdocs]
no-args-exit = 2         # click's usage
pip-installed = "checked"   # --version prints where it is installed
[[tool.pkg.checks]]
name = "lists its themes (entry points, with their distribution)"
args = ["build", "--help"]
stdout-contains = ["-t, --theme [mkdocs|readthedocs]"]
[[tool.pkg.checks]]
name = "builds a site with a theme found by entry point, running the user's hooks.py"
args = ["build", "-q"]
env = {{ SOURCE_DATE_EPOCH = "0" }}
files = {inline(MKDOCS_FILES)}
stdout-equals = "hook: Demo Site sqlite3 zipfile\\n"
[[tool.pkg.checks]]
name = "an unknown theme is refused, naming the installed ones"
args = ["build", "-q", "-t", "nope"]
exit = 2
stderr-contains = ["'nope' is not one of 'mkdocs', 'readthedocs'"]
""", tools=("bash mkdocs", "fish mkdocs", "zsh mkdocs")),  # click's, from the compiled program
    RealApp(
        "cookiecutter", "2.7.1",
        "92/03/f4c96d8fd4f5e8af0210bf896eb63927f35d3014a8e8f3bf9d2c43ad3332/cookiecutter-2.7.1.tar.gz",
        "ca7bb7bc8c6ff441fbf53921b5537668000e38d56e28d763a1b73975c66c6138",
        "a project generator that runs the template's Python hooks as [sys.executable, hook]; setup.cfg with no "
        "[build-system] (setuptools' legacy backend)",
        COMMON.format(publisher="Audrey Roy Greenfeld", package_id="cookiecutter.cookiecutter",
                      upgrade_code="6D3B8A0E-1C5F-4A72-9E8D-B4F0C2A7E519", repo="cookiecutter/cookiecutter") + f"""
description = "Create projects from project templates"   # its own is over Debian's 79 characters
license = "BSD-3-Clause"  # its metadata names none (setup.cfg's license_files only)
[tool.pkg.command.cookiecutter]
pip-installed = "checked"   # --version prints where it is installed
[[tool.pkg.checks]]
name = "generates a project, its pre- and post-generation hooks run by sys.executable"
args = ["--no-input", "tmpl", "-o", "out"]
files = {inline(COOKIECUTTER_TEMPLATE)}
stdout-equals = \"\"\"pre_gen: slug demo_app ok (python 3)
post_gen: cwd is demo_app
post_gen: files ['README.md', 'build-info.json']
\"\"\"
[[tool.pkg.checks]]
name = "a project that exists is not overwritten"
args = ["--no-input", "tmpl", "-o", "out"]
exit = 1
stdout-contains = ['Error: "out/demo_app" directory already exists']
""", tools=("bash cookiecutter", "fish cookiecutter", "zsh cookiecutter"),  # click's, compiled
        drop_in=True),  # its sdist has cookiecutter.egg-info, committed in its repository here
    RealApp(
        "rsa", "4.9.1", "da/8a/22b7beea3ee0d44b1916c0c1cb0ee3af23b700b6da9f04991899d0c555d4/rsa-4.9.1.tar.gz",
        "e7bdbfdb5497da4c07dfd35530e1a902659db6ff241e39d9953cad06ebd0ae75",
        "adopted by `make init && make build-test` alone: six optparse commands, none with --version, each "
        "exiting 1 without arguments — twelve declarations init learns from the pip-installed app and writes",
        "", has_version=False, by_init=12),
]


def sdist(app: RealApp, tmp: Path) -> Path:
    """The app's sdist, unpacked: what a maintainer has in their repository (plus PKG-INFO)."""
    if "/" in app.sdist:
        data = urllib.request.urlopen(f"{FILES}/{app.sdist}", timeout=120).read()
    else:
        data = (PROJECTS / app.sdist).read_bytes()
    assert hashlib.sha256(data).hexdigest() == app.sha256, f"{app.name}: the sdist is not the pinned one"
    archive = tmp / app.sdist.rsplit("/", 1)[-1]
    archive.write_bytes(data)
    with tarfile.open(archive) as tar:
        tar.extractall(tmp / "src", filter="data")
    (top,) = (tmp / "src").iterdir()
    return top


def build_backend(project: Path) -> str:
    """The project's build backend, as its pyproject.toml names it (setup.py alone: setuptools' legacy one)."""
    path = project / "pyproject.toml"
    table = tomllib.loads(path.read_text()).get("build-system", {}) if path.is_file() else {}
    return table.get("build-backend", "setuptools.build_meta:__legacy__")


def compiled_modules(report: Path) -> int:
    """How many modules Nuitka compiled to C (the work a build does, whatever the machine's load)."""
    return sum(1 for m in nuitka_report.root(report).iter("module") if m.get("kind", "").startswith("Compiled"))


def adopt(app: RealApp, tmp: Path, benchmark: bool = False) -> dict:
    project = sdist(app, tmp)
    if app.drop_in:
        repo = drop_in_repo(tmp / f"{app.name} repo", project, app.config)
        untouched = changed(repo)  # pyproject.toml alone: adopting edits nothing else that is tracked
        assert [line[3:] for line in untouched] == ["pyproject.toml"], untouched
    else:
        repo = packaging_repo(tmp / f"{app.name} repo", project, None if app.by_init else app.config)
    if app.by_init:  # the README's first step, and nothing else: what init writes is the whole configuration
        initialised = make(repo, "init", "PROJECT=app")
        assert initialised.returncode == 0 and "declaration(s) written" in initialised.stdout, tail(initialised)
        learnt = tomllib.loads((repo / "pyproject.toml").read_text())["tool"]["pkg"]["command"]
        assert sum(map(len, learnt.values())) == app.by_init, learnt
    started = time.perf_counter()
    built = make(repo, "build-test")
    assert built.returncode == 0, tail(built)
    build_s = time.perf_counter() - started
    manifest = model.find_build(repo / "dist", targets.host().name)[1]
    record = manifest.builds[targets.host().name]
    started = time.perf_counter()
    released = make(repo, "release", f"VERSION={app.version}")
    assert released.returncode == 0, tail(released)
    release_s = time.perf_counter() - started
    assert "built from identical inputs" in released.stdout and "compiling with" not in released.stdout  # once
    add_fixture_runners(repo, app.version)
    # ABOVE_FLOOR=1: this machine (glibc 2.36) cannot build at the 2.28 floor; CI builds Linux on it
    merged = make(repo, "release", f"VERSION={app.version}", "REQUIRE_TARGETS=all", "FORCE=1", "ABOVE_FLOOR=1")
    assert merged.returncode == 0, tail(merged)
    final = repo / "release" / f"v{app.version}"
    check_release(final, tmp, app.has_version, app.tools, dict(app.completion_files))
    if app.drop_in:
        assert changed(repo) == untouched, "building and releasing changed tracked files"
    folder, archive_file = repo / "dist" / record.folder, repo / "dist" / manifest.select(Kind.ARCHIVE)[0].path
    checks = tomllib.loads(f'[tool.pkg]\nproject = "app"\n{app.config}')["tool"]["pkg"].get("checks", [])
    result = {"app": app.name, "adopted": ("drop-in" if app.drop_in else "packaging repository")
              + (", `make init` alone" if app.by_init else ""),
              "version": app.version, "covers": app.covers, "commands": record.commands,
              "backend": build_backend(project), "checks": [c["name"] for c in checks], "tools": list(app.tools),
              "layout": record.layout, "build_s": round(build_s, 1), "release_s": round(release_s, 1),
              "folder_mib": round(sum(p.stat().st_size for p in folder.rglob("*")
                                      if p.is_file() and not p.is_symlink()) / 2**20, 1),
              "archive_mib": round(archive_file.stat().st_size / 2**20, 1),
              "compiled_modules": compiled_modules(repo / "dist" / names.report(manifest.app.name, record.target)),
              "startup": {k: v.model_dump() for k, v in model.BuildTestRecord.read(
                  repo / "dist" / names.build_test_record(manifest.app.name, record.target)).startup.items()},
              "bench": bench(repo) if benchmark else None}
    if benchmark:  # make test-adopt: the README's table
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{app.name}.json").write_text(json.dumps(result, indent=2) + "\n")
    shutil.rmtree(repo / "build", ignore_errors=True)  # the build env: hundreds of MB per app
    return result


@pytest.mark.e2e
def test_vendored_tabulate_by_configuration_alone(tmp_path):
    result = adopt(TABULATE, tmp_path)
    assert result["commands"] == {"tabulate": "tabulate-linux-x86_64/tabulate"}


@pytest.mark.e2e
def test_a_dynamic_version_is_handed_to_setuptools_scm(tmp_path):
    """make build VERSION=X on an scm project: the wheel (and the build record) carry X, not the sdist's."""
    repo = packaging_repo(tmp_path / "repo", sdist(TABULATE, tmp_path), TABULATE.config)
    proc = make(repo, "build", "VERSION=0.11.0rc1")
    assert proc.returncode == 0, tail(proc)
    manifest = model.find_build(repo / "dist", targets.host().name)[1]
    assert manifest.version == manifest.app.version == "0.11.0rc1"
    assert (repo / "build" / targets.host().name / "wheel" / "tabulate-0.11.0rc1-py3-none-any.whl").is_file()
    shutil.rmtree(repo / "build", ignore_errors=True)


@pytest.mark.adopt
@pytest.mark.parametrize("app", [TABULATE, *REAL_APPS, *NEW_APPS, *PYTHON_APPS], ids=lambda a: a.name)
def test_real_cli_by_configuration_alone(app, tmp_path):
    """The README's adoption table comes from here (build/adopt-results/<app>.json), `make bench` included."""
    result = adopt(app, tmp_path, benchmark=True)
    assert result["commands"] and result["bench"]["help"]["ratio"] > 0
    assert result["bench"]["help"]["instructions"]["ratio"] > 0  # callgrind: load-free
