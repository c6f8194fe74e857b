"""Stage `share` (pkg/compile/share.py) on stand-in programs: small click, typer, argcomplete and plain argparse
scripts (run by this Python, which has those libraries) play the compiled commands, so the completion
scripts are what the frameworks really print; bash-completion, zsh and fish then load them for real.
The compiled programs themselves are proven by tests/test_build_e2e.py (tailor) and the adoption suite."""

import shutil
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from pkg.compile import share
from pkg.core import archive, config, names
from pkg.core.config import Completion
from pkg.core.errors import InputError, PkgError
from pkg.core.model import App, Command, Kind, License

from . import linux_tools
from .conftest import example_config

PROGRAMS = {
    "clk": """
        import click
        @click.group()
        def cli():
            "A click group."
        @cli.command()
        def insert():
            "Insert rows."
        @cli.command()
        def query():
            "Query rows."
        cli()
    """,
    "tpr": """
        import typer
        app = typer.Typer()
        @app.command()
        def insert(): pass
        @app.command()
        def query(): pass
        app()
    """,
    "argc": """
        import argparse, argcomplete
        parser = argparse.ArgumentParser()
        parser.add_argument("--insert-rows", action="store_true")
        argcomplete.autocomplete(parser)
        parser.parse_args()
    """,
    "crashes": """
        import click
        assert click.__name__ == "a theme", "no theme registered"
    """,
    "plain": """
        import argparse, os
        parser = argparse.ArgumentParser()
        parser.add_argument("--insert-rows", action="store_true")
        parser.parse_args()
        open("plain-ran", "a").write("ran\\n")  # its real work: a file where it is started
        with open(os.environ["PLAIN_LOG"], "a") as log:
            log.write("ran\\n")
    """,
}


def app_of(*commands: str) -> App:
    return App(name=commands[0], dist=commands[0], version="1.0", summary="A tool", homepage="https://example.org",
               license=License(spdx="MIT"), commands=tuple(Command(name=c, module="m", function="f") for c in commands))


@pytest.fixture
def folder(tmp_path) -> Path:
    """A build folder whose commands are the stand-in programs (shebang: this Python)."""
    folder = tmp_path / "dist with space" / "tool-linux-x86_64"
    folder.mkdir(parents=True)
    for name, source in PROGRAMS.items():
        program = folder / name
        program.write_text(f"#!{sys.executable}\n" + textwrap.dedent(source))
        program.chmod(0o755)
    return folder


def cfg_with(**changes) -> config.Config:
    from dataclasses import replace

    return replace(example_config(), **changes)


@pytest.mark.parametrize(("command", "kind"), [("clk", "click"), ("tpr", "typer"), ("argc", "argcomplete")])
def test_each_framework_prints_scripts_that_bash_zsh_and_fish_load_and_complete_with(folder, tmp_path, command, kind):
    made = share.completions(folder, app_of(command), cfg_with(), "linux", kind, Path(sys.executable), set())
    assert made == [names.completion_path(shell, command) for shell in names.SHELLS]
    path = {"PATH": f"{folder}:/usr/bin:/bin"}
    word, expected = ("--ins", "--insert-rows") if kind == "argcomplete" else ("ins", "insert")
    bash = linux_tools.bash_completes(command, f"{command} {word}", path, load=folder / made[0])
    assert expected in bash
    assert linux_tools.zsh_loads(command, folder / names.COMPLETION_DIRS["zsh"], tmp_path)
    fish_home = tmp_path / "home"
    (fish_home / ".local/share/fish/vendor_completions.d").mkdir(parents=True)
    (folder / made[2]).rename(fish_home / ".local/share/fish/vendor_completions.d" / f"{command}.fish")
    assert expected in linux_tools.fish_completes(f"{command} {word}", {**path, "HOME": str(fish_home)})


def test_a_program_of_no_framework_gets_none_and_does_its_work_elsewhere(folder, tmp_path, capsys, monkeypatch):
    """argcomplete in the runtime but the command does not answer its protocol: no script (one would run
    the program for real on every <TAB>); click's variable on a plain program: its output is no script.
    Started at most twice per framework (click's and typer's spellings), never for the other shells, once
    more to say why none came, and in a scratch folder: nothing lands where the build runs."""
    app = app_of("plain")
    log = tmp_path / "runs.log"
    monkeypatch.setenv("PLAIN_LOG", str(log))
    monkeypatch.chdir(tmp_path)
    for kind, runs in (("argcomplete", 1), ("click", 4)):
        assert share.completions(folder, app, cfg_with(), "linux", kind, Path(sys.executable), set()) == []
        assert log.read_text().count("ran") == runs
    assert not list(tmp_path.rglob("plain-ran"))
    assert share.completions(folder, app, cfg_with(), "linux", None, Path(sys.executable), set()) == []
    assert "no shell completions: the app uses none of typer, click, argcomplete" in capsys.readouterr().out


def test_a_program_that_crashes_is_said_to_have_failed_not_to_print_none(folder, capsys):
    assert share.completions(folder, app_of("crashes"), cfg_with(), "linux", "click", Path(sys.executable), set()) == []
    assert "no shell completions: the compiled crashes failed (exit 1: AssertionError: no theme registered)" \
        in capsys.readouterr().out


def test_declared_completions_run_a_command_or_copy_a_project_file(folder, tmp_path):
    extra = tmp_path / "clk.fish"
    extra.write_text("complete -c clk -a 'insert query'\n")
    cfg = cfg_with(completions=(Completion("bash", run=("clk", "--help")), Completion("fish", file=extra)))
    with pytest.raises(PkgError, match=r"tool.pkg.completions.bash: `clk --help` printed no bash completion script"):
        share.completions(folder, app_of("clk"), cfg, "linux", "click", Path(sys.executable), set())
    cfg = cfg_with(completions=(Completion("fish", file=extra),))
    made = share.completions(folder, app_of("clk"), cfg, "linux", "click", Path(sys.executable), set())
    assert (folder / names.completion_path("fish", "clk")).read_text() == extra.read_text()
    assert names.completion_path("bash", "clk") in made  # the shells not declared still come from click
    off = cfg_with(generate_completions=False)
    (folder / "share").rename(tmp_path / "old share")
    assert share.completions(folder, app_of("clk"), off, "linux", "click", Path(sys.executable), set()) == []


def test_what_the_wheel_brings_is_kept_and_nothing_is_generated_over_it(folder, tmp_path):
    whl = tmp_path / "clk-1.0-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as zf:
        zf.writestr("clk-1.0.data/data/share/man/man1/clk.1", ".TH CLK 1\n")
        zf.writestr("clk-1.0.data/data/share/bash-completion/completions/clk", "complete -F _x clk\n")
        zf.writestr("clk-1.0.data/data/share/doc/clk/README", "docs\n")
        zf.writestr("clk-1.0.data/purelib/clk.py", "")
        zf.writestr("clk.py", "")
    have = share.ship_wheel_data(folder, whl)
    assert have == ["share/bash-completion/completions/clk", "share/doc/clk/README", "share/man/man1/clk.1"]
    assert {p: share.kind_of(p) for p in have} == {have[0]: Kind.BASH_COMPLETION, have[1]: None,
                                                  have[2]: Kind.MAN_PAGE}
    made = share.completions(folder, app_of("clk"), cfg_with(), "linux", "click", Path(sys.executable), set(have))
    assert names.completion_path("bash", "clk") not in made
    assert (folder / have[0]).read_text() == "complete -F _x clk\n"
    assert share.man_pages(folder, app_of("clk"), cfg_with(man="help2man"), "linux", 0, set(have)) == []
    with pytest.raises(PkgError, match="would overwrite share/man/man1/clk.1 of the build"):
        share.ship_wheel_data(folder, whl)


def test_help2man_writes_a_page_man_renders_without_warnings(folder, tmp_path):
    made = share.man_pages(folder, app_of("clk"), cfg_with(man="help2man"), "linux", 1_700_000_000, set())
    assert made == ["share/man/man1/clk.1"]
    page = folder / made[0]
    assert '"November 2023"' in page.read_text()  # SOURCE_DATE_EPOCH, not the build's day
    shown = linux_tools.man_renders(page)
    assert "insert" in shown and "A tool" in shown


def test_configuration_is_checked_before_compiling(tmp_path, monkeypatch):
    with pytest.raises(InputError, match="'nope' is not a shipped command"):
        share.check(cfg_with(completions=(Completion("bash", run=("nope",)),)), app_of("clk"))
    monkeypatch.setenv("PATH", str(tmp_path))  # no help2man on it
    with pytest.raises(InputError, match='man = "help2man" but help2man is not installed'):
        share.check(cfg_with(man="help2man"), app_of("clk"))


def test_an_alias_gets_the_script_that_registers_it_and_bash_completion_loads_it_by_its_name(folder, tmp_path,
                                                                                           capsys):
    """invoke's case: its bash script registers `invoke inv`, its fish script only invoke."""
    bash, fish = tmp_path / "clk.bash", tmp_path / "clk.fish"
    bash.write_text('_clk() { COMPREPLY=($(compgen -W "--help --list" -- "$2")); }\n'
                    "complete -F _clk -o default clk ck\n")
    fish.write_text("complete --command clk -a '--help'\n")
    cfg = cfg_with(completions=(Completion("bash", file=bash), Completion("fish", file=fish)))
    app = app_of("clk", "ck")
    made = share.completions(folder, app, cfg, "linux", None, Path(sys.executable), set())
    assert share.for_aliases(folder, app, set(made)) == [names.completion_path("bash", "ck")]
    assert capsys.readouterr().out.endswith("note: no fish completion for ck: the script of clk does not register it\n")
    alias = folder / names.completion_path("bash", "ck")
    assert alias.read_text() == bash.read_text()
    user_dir = tmp_path / "bash-completion"  # no space in it: bash-completion splits the folder's path on one
    shutil.copytree(alias.parent, user_dir / "completions")
    found_by_name = {"PATH": "/usr/bin:/bin", "BASH_COMPLETION_USER_DIR": str(user_dir)}
    assert linux_tools.bash_completes("ck", "ck --", found_by_name) == ["--help", "--list"]


def test_a_zsh_script_compinit_would_not_load_is_refused_before_compiling(tmp_path):
    """An old compctl script: zsh's compinit reads only `#compdef` files, so it would never complete."""
    old = tmp_path / "clk.zsh"
    old.write_text("# completion for clk\ncompctl -k '(insert query)' clk\n")
    with pytest.raises(InputError) as refused:
        share.check(cfg_with(completions=(Completion("zsh", file=old),)), app_of("clk"))
    assert str(refused.value) == ("tool.pkg.completions.zsh: clk.zsh is not a zsh completion function (an old "
                                  "compctl script): compinit loads only files whose first line is `#compdef "
                                  "<command>`; declare a #compdef script (zsh's _arguments), or no zsh completion")
    old.write_text("#compdef clk\n_arguments '1: :(insert query)'\n")
    share.check(cfg_with(completions=(Completion("zsh", file=old),)), app_of("clk"))


@pytest.mark.parametrize(("table", "error"), [
    ('completions = { powershell = "x" }', "tool.pkg.completions.powershell is not a known key"),
    ('completions = { bash = "" }', "tool.pkg.completions.bash must be"),
    ('completions = { bash = { file = "missing.bash" } }', "'missing.bash': no such file"),
    ("completions = true", "must be a table of shells"),
    ('man = "pandoc"', "tool.pkg.man must be one of 'help2man'"),
])
def test_bad_settings_are_one_line_errors(tmp_path, table, error):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(f"""
        [tool.pkg]
        publisher = "P"
        package-id = "P.T"
        upgrade-code = "6f1d3c2a-8b4e-4c5d-9a7f-2e1b0c9d8e7f"
        url-template = "https://example.org/{{version}}/{{file}}"
        {table}
    """))
    with pytest.raises(InputError, match=error.replace("(", r"\(")):
        config.load(tmp_path)


def test_settings_are_read(tmp_path):
    (tmp_path / "c.fish").write_text("complete -c t\n")
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.pkg]
        publisher = "P"
        package-id = "P.T"
        upgrade-code = "6f1d3c2a-8b4e-4c5d-9a7f-2e1b0c9d8e7f"
        url-template = "https://example.org/{version}/{file}"
        man = "help2man"
        completions = { bash = "t completion --shell 'bash'", fish = { file = "c.fish" } }
    """))
    cfg = config.load(tmp_path)
    assert cfg.man == "help2man" and cfg.generate_completions
    assert cfg.completions == (Completion("bash", run=("t", "completion", "--shell", "bash")),
                               Completion("fish", file=tmp_path / "c.fish"))


def test_build_test_finds_every_recorded_file_in_the_archive(tmp_path):
    from pkg.core import model, targets

    from .fixtures import fake_build
    from .fixtures_release import shared_files

    target = targets.host()
    manifest = fake_build(tmp_path, target.name, "0.2.0", shared=shared_files("tailor"))
    assert len(manifest.shared(target.name)) == 4
    with archive.unpacked(manifest, tmp_path, target) as (top, _):
        assert (top / "share/man/man1/tailor.1").is_file()
    broken = manifest.model_copy(deep=True)
    broken.artifacts = [a.model_copy(update={"sha256": "0" * 64}) if a.kind == Kind.MAN_PAGE else a
                        for a in broken.artifacts]
    with pytest.raises(PkgError, match=r"share/man/man1/tailor.1 is missing or differs from its manifest"):
        with archive.unpacked(broken, tmp_path, target):
            pass
    assert model.read(tmp_path / names.build_manifest("tailor", target.name)).shared(target.name)


def test_a_program_that_cannot_start_is_said_in_the_note(tmp_path):
    """share.silent on a command link that is not there: the note says it failed and why, no traceback."""
    note = share.silent(tmp_path / "gone", "gone", "click")
    assert note == (f"the compiled gone failed (exit 127: {tmp_path / 'gone'} could not start: "
                    "No such file or directory)")
