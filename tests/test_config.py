"""[tool.pkg] → Config, and one-line errors naming the bad key (exit code 2)."""

import shutil
from pathlib import Path

import pytest

from pkg.core import config, targets
from pkg.core.errors import InputError

from .conftest import ROOT, example_config, run_pkg
from .fixtures import TOOL_PKG


def test_the_repository_config_loads():
    cfg = example_config()
    assert cfg.project_dir == ROOT / "app" and cfg.name is None
    assert cfg.download_url("0.2.0", "x.zip").endswith("/v0.2.0/x.zip")
    assert cfg.upgrade_code == cfg.upgrade_code.upper() and len(cfg.upgrade_code) == 36
    assert cfg.help_args == ("tail", "--help") and cfg.checks[0].name == "tail --help shows the docstring"
    assert cfg.command_options("tailor").no_args_exit == 0  # the default


MINIMAL = TOOL_PKG.format(project="app")


def load_with(tmp_path: Path, extra: str = "", replace: tuple[str, str] | None = None) -> config.Config:
    (tmp_path / "app").mkdir(exist_ok=True)
    text = MINIMAL + extra
    if replace:
        assert replace[0] in text, replace[0]
        text = text.replace(*replace)
    (tmp_path / "pyproject.toml").write_text(text)
    return config.load(tmp_path)


def test_minimal_config_and_defaults(tmp_path):
    cfg = load_with(tmp_path)
    assert cfg.commands == () and cfg.checks == () and cfg.exclude == {} and cfg.requirements is None
    assert cfg.budgets_ms == {} and cfg.help_args == ("--help",)  # wall-clock budgets only where the app sets them
    assert cfg.glibc == "2.28"  # RHEL 8 and newer (pkg/core/targets.py GLIBC_FLOOR)
    assert load_with(tmp_path, 'glibc = "2.31"').glibc == "2.31"


def test_commands_checks_exclude_and_options(tmp_path):
    cfg = load_with(tmp_path, """
commands = ["b", "a"]
license = "mit OR apache-2.0"
[tool.pkg.command.b]
version = false
no-args-exit = 2
[tool.pkg.exclude]
"mypkg/tests/*" = "test suite"
[tool.pkg.exclude.linux]
"psutil/_psosx.py" = "macOS only"
[[tool.pkg.checks]]
name = "reads stdin"
command = "a"
args = ["-", "x y"]
stdin = "text"
env = { A = "1" }
files = { "in put.txt" = "data" }
exit = 3
stdout-contains = ["one", "two"]
stderr-matches = "^warn"
""")
    assert cfg.commands == ("b", "a") and cfg.command_options("b").version is False
    assert cfg.command_options("b").no_args_exit == 2 and cfg.command_options("a").version is True
    assert cfg.exclude == {"mypkg/tests/*": "test suite"}
    assert cfg.excluded("linux") == {"mypkg/tests/*": "test suite", "psutil/_psosx.py": "macOS only"}
    assert cfg.excluded("macos") == {"mypkg/tests/*": "test suite"}
    (check,) = cfg.checks
    assert (check.command, check.args, check.stdin, check.env, check.files, check.exit) == (
        "a", ("-", "x y"), "text", {"A": "1"}, {"in put.txt": "data"}, 3)
    assert [(e.stream, e.kind, e.value) for e in check.expect] == [
        ("stdout", "contains", "one"), ("stdout", "contains", "two"), ("stderr", "matches", "^warn")]


@pytest.mark.parametrize(("extra", "replace", "message"), [
    ("", ('publisher = "P"', ""), r"tool\.pkg\.publisher is missing"),
    ("colour = 1", None, r"tool\.pkg\.colour is not a known key"),
    ("", ('project = "app"', 'project = "nowhere"'), r"tool\.pkg\.project 'nowhere': no such folder"),
    ('name = "My App"', None, r"tool\.pkg\.name must be lower-case"),
    ("", ('upgrade-code = "', 'upgrade-code = "nope'), r"tool\.pkg\.upgrade-code must be a GUID"),
    ("", ("v{version}/{file}", "{file}"), r"tool\.pkg\.url-template must contain"),
    ('requirements = "req.txt"', None, r"tool\.pkg\.requirements 'req\.txt': no such file"),
    ('license = "MIT or whatever"', None, r"tool\.pkg\.license .* is not a valid SPDX"),
    ('homepage = "example.org"', None, r"tool\.pkg\.homepage must be an http"),
    ("commands = \"a\"", None, r"tool\.pkg\.commands must be a list of strings"),
    ("[tool.pkg.command.a]\nverbose = true", None, r"tool\.pkg\.command\.a\.verbose is not a known key \(known: help,"),
    ("[tool.pkg.command.a]\nverison = true", None, r"command\.a\.verison is not a known key \(did you mean version\?"),
    ("[tool.pkg.command.a]\nno-args-exit = 300", None, r"no-args-exit must be an exit code"),
    ("[tool.pkg.command.a]\nversion-args = []", None, r"command\.a\.version-args must name what prints the version"),
    ("[tool.pkg.command.a]\nversion = false\nversion-args = [\"-V\"]", None, r"version = false excludes version-args"),
    ("[tool.pkg.command.a]\nversion-differs = \"\"", None, r"command\.a\.version-differs must be a non-empty string"),
    ("[tool.pkg.exclude]\n\"x/*\" = \"\"", None, r"tool\.pkg\.exclude\.x/\* must be the reason"),
    ('glibc = "2.28.1"', None, r"tool\.pkg\.glibc '2\.28\.1' is not a glibc version like '2\.28'"),
    ("[tool.pkg.exclude.linux]\n\"x/*\" = 1", None, r"tool\.pkg\.exclude\.linux\.x/\* must be the reason"),
    ("[tool.pkg.exclude.bsd]\n\"x/*\" = \"y\"", None, r"exclude\.bsd must be the reason, a non-empty string \(or"),
    ("[[tool.pkg.checks]]\nargs = []", None, r"tool\.pkg\.checks\[0\]\.name is missing"),
    ("[[tool.pkg.checks]]\nname = \"x\"\nstdout-matches = \"(\"", None,
     r"checks\[0\]\.stdout-matches '\(' is not a valid"),
    ("[[tool.pkg.checks]]\nname = \"x\"\nfiles = { \"../x\" = \"\" }", None, r"must be a relative name"),
    ("[[tool.pkg.checks]]\nname = \"x\"\nstdout = \"y\"", None, r"checks\[0\]\.stdout is not a known key"),
    ("[tool.pkg.completions]\nbash = { x = 1 }", None, r"completions\.bash\.x is not a known key \(known: file\)"),
    ("[tool.pkg.startup]\nbogus-ms = 1", None, r"tool\.pkg\.startup\.bogus-ms is not a known key"),
    ("[tool.pkg.startup]\nversion-ms = -1", None, r"tool\.pkg\.startup\.version-ms must be a positive number"),
    ("[tool.pkg.startup]\ninstructions-growth = \"25%\"", None,
     r"tool\.pkg\.startup\.instructions-growth must be a positive number"),
    ("[tool.pkg.nuitka.windows]\nflags = \"--x\"", None, r"windows\.flags must be a list of strings"),
])
def test_bad_keys_give_one_line_errors(tmp_path, extra, replace, message):
    with pytest.raises(InputError, match=message) as info:
        load_with(tmp_path, extra, replace)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_the_start_up_growth_budget_is_a_percentage(tmp_path):
    assert load_with(tmp_path, "[tool.pkg.startup]\ninstructions-growth = 25").instructions_growth == 25.0
    assert load_with(tmp_path, "").instructions_growth is None


def test_every_bad_key_is_said_in_one_run(tmp_path):
    extra = ('name = "Bad Name"\nhomepage = "example.org"\n[tool.pkg.command.a]\nno-args-exit = 300\n'
             '[tool.pkg.startup]\nx = 1')
    with pytest.raises(config.InputError) as raised:
        load_with(tmp_path, extra)
    message = str(raised.value)
    assert message.startswith("pyproject.toml: 4 problems: ") and "\n" not in message
    for part in ("tool.pkg.name must be lower-case", "tool.pkg.homepage must be an http(s) URL",
                 "tool.pkg.command.a.no-args-exit must be an exit code", "tool.pkg.startup.x is not a known key"):
        assert part in message, part


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        config.load(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(InputError, match="invalid TOML"):
        config.load(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(InputError, match=r"\[tool\.pkg\] table is missing \(`make init` writes a starter\)"):
        config.load(tmp_path)


def test_a_bad_key_fails_the_command_line_in_one_line(tmp_path):
    """Through `python -m pkg` as the Makefile runs it: exit 2, one line, nothing written."""
    repo = tmp_path / "repo with space"
    shutil.copytree(ROOT / "pkg", repo / "pkg", ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "app").mkdir()
    (repo / "pyproject.toml").write_text(MINIMAL + "colour = 1\n")
    proc = run_pkg("check", cwd=repo)
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    assert "tool.pkg.colour is not a known key" in proc.stderr


def test_config_may_not_set_a_flag_the_pipeline_sets_for_the_layout(tmp_path):
    """RESERVED and command() agree: whatever command() decides itself (mode, outputs, report, entry)
    is refused from config; what adds to the pipeline's own choices (includes, excludes) is not."""
    from pkg.compile import nuitka

    additive = ("--include-", "--nofollow-import-to=", "--noinclude-data-files=")
    for entry in (["--main=launcher.py"], ["--python-flag=-m", "pkg_dir"]):
        inputs = nuitka.Inputs(python=tmp_path / "python", entry=entry, binary="app.bin", dist="app",
                               packages=("app",), modules=("single",), no_follow=("app.tests",), no_data=("*.md",))
        flags = [f for f in nuitka.command(inputs, "windows", tmp_path, tmp_path / "r.xml")[3:] if f.startswith("--")]
        decided = [f for f in flags if not f.startswith(additive) and f not in (*nuitka.FIXED, *nuitka.WINDOWS)]
        assert len(decided) >= 5
        for flag in decided:
            assert nuitka.check_user_flag(flag), f"config could override {flag}"
        for flag in flags:
            if flag.startswith(additive):
                assert nuitka.check_user_flag(flag) is None


@pytest.mark.parametrize("table", ['[tool.pkg.nuitka]\nflags = ["--onefile"]',
                                   '[tool.pkg.nuitka]\nflags = ["--main=x.py"]',
                                   '[tool.pkg.nuitka.windows]\nflags = ["--output-dir=x"]',
                                   '[tool.pkg.nuitka]\nflags = ["lto=yes"]'])
def test_a_nuitka_flag_config_may_not_set_fails_check_and_the_first_build_stage(tmp_path, table):
    """Which flags only the pipeline sets is Nuitka's fact (pkg/compile/nuitka.py): config reads them, the stage
    `preflight` refuses them, at `make check` (every stage's check) and first in `make build`."""
    from pkg import pipeline
    from pkg.compile import preflight
    from pkg.compile.context import BuildContext

    cfg = load_with(tmp_path, table)
    assert preflight.STAGE in pipeline.BUILD and pipeline.BUILD[0] is preflight.STAGE
    with pytest.raises(InputError, match=r"tool\.pkg\.nuitka flag '.*' (is set by the pipeline|must start with --)"
                       ) as info:
        preflight.STAGE.refuse(cfg, None)
    assert "\n" not in str(info.value) and info.value.exit_code == 2
    with pytest.raises(InputError, match=r"tool\.pkg\.nuitka flag"):
        preflight.STAGE.run(BuildContext(cfg, targets.host(), tmp_path / "dist", tmp_path / "work"))
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("value", ["Jane Doe", "jane@example.org", "Jane <not-an-address>", "<jane@example.org>"])
def test_maintainer_must_be_name_and_address(tmp_path, value):
    """The .deb and .rpm need "Name <email>" (Debian's Maintainer field)."""
    with pytest.raises(InputError, match=r"tool\.pkg\.maintainer"):
        load_with(tmp_path, extra=f"maintainer = {value!r}\n")
    assert load_with(tmp_path, extra='maintainer = "Jane Doe <jane@example.org>"\n').maintainer == \
        "Jane Doe <jane@example.org>"


def test_the_root_is_an_argument_and_the_folders_default_below_it(tmp_path):
    """`python -m pkg --root DIR` reads DIR's [tool.pkg] and looks for its builds in DIR/dist/, from anywhere."""
    (tmp_path / "app").mkdir()
    (tmp_path / "pyproject.toml").write_text(TOOL_PKG.format(project="app"))
    done = run_pkg("--root", str(tmp_path), "release", "--version", "0.2.0")
    assert done.returncode == 1 and done.stderr.startswith(f"error: {tmp_path / 'dist'}: no builds to release"), \
        done.stderr
    assert not (tmp_path / "release").exists()


def test_nuitka_compiles_the_apps_own_code_to_c_unless_asked_for_all(tmp_path):
    """compile = "app" (the default): the bytecode plugin and the app's top-level names; "all": the plugin told
    to compile every module (it still makes packages' __main__ bytecode, for the program's interpreter)."""
    from pkg.compile import nuitka

    assert load_with(tmp_path).nuitka_compile == "app"
    assert load_with(tmp_path, '[tool.pkg.nuitka]\ncompile = "all"').nuitka_compile == "all"
    with pytest.raises(InputError, match=r"^pyproject.toml: tool\.pkg\.nuitka\.compile must be one of 'app', 'all'"):
        load_with(tmp_path, '[tool.pkg.nuitka]\ncompile = "deps"')
    base = dict(python=tmp_path / "python", entry=["--main=l.py"], binary="app.bin", dist="app")
    app_only = nuitka.command(nuitka.Inputs(**base, compiled=("app", "single")), "linux", tmp_path, tmp_path / "r")
    assert f"--user-plugin={nuitka.BYTECODE_PLUGIN}" in app_only and nuitka.BYTECODE_PLUGIN.is_file()
    assert [f for f in app_only if f.startswith("--compile-to-c=")] == ["--compile-to-c=app", "--compile-to-c=single"]
    every = nuitka.command(nuitka.Inputs(**base), "linux", tmp_path, tmp_path / "r")
    assert [f for f in every if f.startswith("--compile-")] == ["--compile-all-to-c"]
    assert f"--user-plugin={nuitka.BYTECODE_PLUGIN}" in every


def test_package_relations_are_debians_syntax_per_format(tmp_path):
    cfg = load_with(tmp_path, '[tool.pkg.packages]\nconflicts = ["python3-mytool"]\n'
                              'replaces = ["python3-mytool (<< 2.0)"]\n'
                              '[tool.pkg.packages.rpm]\nprovides = ["mytool-cli (= 2.0)"]\n')
    assert cfg.relations["deb"] == {"conflicts": ("python3-mytool",), "replaces": ("python3-mytool (<< 2.0)",),
                                    "provides": ()}
    assert cfg.relations["rpm"]["provides"] == ("mytool-cli (= 2.0)",)
    with pytest.raises(InputError) as refused:
        load_with(tmp_path, '[tool.pkg.packages]\nconflicts = ["python3-mytool < 2"]\n')
    assert str(refused.value) == ("pyproject.toml: tool.pkg.packages.conflicts[0] 'python3-mytool < 2' is not a "
                                  'package relation ("name" or "name (>= 1.0)")')
    with pytest.raises(InputError, match=r"tool.pkg.packages.deb.breaks is not a known key"):
        load_with(tmp_path, '[tool.pkg.packages.deb]\nbreaks = ["x"]\n')
