"""Stage `share`: what native tools give their users, in the build folder's share/ laid out as under an
installation prefix (pkg/core/names.py), which Homebrew, the .deb/.rpm and install.sh map to their places.

  the wheel's data files   every `<dist>.data/data/` file where pip puts it below its prefix: man pages,
                           completions, docs (pip users have them; so do this build's)
  completions              bash, zsh, fish, for each command the wheel brings none for: declared in
                           tool.pkg.completions, else generated from the compiled program itself: typer
                           (`_<PROG>_COMPLETE=source_<shell>`), click (`…=<shell>_source`), argcomplete (its
                           shell code, once the program answers argcomplete's protocol); else none, said once;
                           an alias without its own gets a copy of the script that registers it (for_aliases)
  man pages                the wheel's; with man = "help2man", one per command that has none, from its --help

Generating runs the compiled program, so this follows the commands stage; Windows builds get the wheel's
files only (no channel of theirs installs completions or man pages). Each completion and man page is
recorded in the build manifest (Kind.*_COMPLETION, Kind.MAN_PAGE) for the channels and the SBOM.
"""

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pkg.compile.context import BuildContext
from pkg.core import archive, atomic, names, proc, targets
from pkg.core.config import Completion, Config
from pkg.core.errors import InputError, PkgError
from pkg.core.model import App, Kind
from pkg.core.stage import Stage
from pkg.project import wheel

RUN_TIMEOUT_S = 30  # printing a completion script is a start-up's work: a program still running serves
MARKERS = {"bash": "complete", "zsh": "compdef", "fish": "complete"}  # every completion script of that shell has it


def kind_of(path: str) -> Kind | None:
    """A completion or man page by where it sits below the prefix; None for any other data file."""
    for shell, folder in names.COMPLETION_DIRS.items():
        if path.startswith(folder + "/") and "/" not in path[len(folder) + 1:]:
            return Kind.completion(shell)
    if re.fullmatch(rf"{names.MAN_DIR}/man\w+/[^/]+", path):
        return Kind.MAN_PAGE
    return None


def not_compdef(script: str) -> str | None:
    """Why a zsh script is no completion function compinit loads (it reads `#compdef` on the first line), or None."""
    first = next((line for line in script.splitlines() if line.strip()), "")
    if first.startswith("#compdef"):
        return None
    old = " (an old compctl script)" if re.search(r"^\s*compctl\b", script, re.MULTILINE) else ""
    return (f"is not a zsh completion function{old}: compinit loads only files whose first line is "
            "`#compdef <command>`; declare a #compdef script (zsh's _arguments), or no zsh completion")


def check(cfg: Config, app: App) -> None:
    """What can be known before compiling: a declared command that is shipped, a zsh file compinit loads,
    help2man where it runs."""
    for declared in cfg.completions:
        problem = declared.file and declared.shell == "zsh" and not_compdef(declared.file.read_text(errors="replace"))
        if problem:
            raise InputError(f"tool.pkg.completions.zsh: {declared.file.name} {problem}")
        if declared.run and declared.run[0] not in app.command_names:
            raise InputError(f"tool.pkg.completions.{declared.shell}: {declared.run[0]!r} is not a shipped command "
                             f"({', '.join(app.command_names)})")
    if cfg.man == "help2man" and targets.host().os != "windows" and not shutil.which("help2man"):
        raise InputError('tool.pkg.man = "help2man" but help2man is not installed '
                         "(apt-get install help2man; brew install help2man)")


def ship_wheel_data(folder: Path, wheel_file: Path) -> list[str]:
    """The wheel's data files into `folder` as under pip's prefix; a clash with a built file is an error."""
    files = wheel.shared_files(wheel_file)
    for path, data in files.items():
        dest = folder / path
        if dest.exists() or dest.is_symlink():
            raise PkgError(f"the wheel's data file {path} would overwrite {dest.relative_to(folder)} of the build")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return sorted(files)


def run_program(program: Path, args: list[str], env: dict[str, str]) -> str | None:
    """The program's stdout when it exits 0 within the time limit; else None. It runs in a scratch folder that
    is also its HOME: a command that is no completion program does its real work there, not in the repository."""
    with tempfile.TemporaryDirectory(prefix="share-run-") as scratch:
        try:
            done = proc.run_app([program, *args], env={**os.environ, "HOME": scratch, **env}, cwd=Path(scratch),
                                timeout=RUN_TIMEOUT_S)
        except OSError:  # it cannot start
            return None
    return done.stdout if done.returncode == 0 else None


def looks_like(script: str | None, shell: str, command: str) -> bool:
    return bool(script) and MARKERS[shell] in script and command in script


def complete_var(command: str) -> str:
    """The variable that makes a click (or typer) program print its completion script instead of working."""
    return "_" + re.sub(r"\W", "_", command).upper() + "_COMPLETE"


def click_script(program: Path, command: str, shell: str, typer: bool) -> str | None:
    """click's (and typer's, spelled the other way round) completion source, printed by the program."""
    script = run_program(program, [], {complete_var(command): f"source_{shell}" if typer else f"{shell}_source"})
    return script if looks_like(script, shell, command) else None


def answers_argcomplete(program: Path, command: str) -> bool:
    """Whether the program speaks argcomplete's protocol (it calls argcomplete.autocomplete): a script that
    runs a program which does not would run it for real on every <TAB>."""
    with tempfile.TemporaryDirectory(prefix="argcomplete-") as scratch:
        out = Path(scratch, "out")
        line = f"{command} -"
        run_program(program, [], {"_ARGCOMPLETE": "1", "_ARGCOMPLETE_IFS": "\n", "COMP_LINE": line,
                                  "COMP_POINT": str(len(line)), "_ARGCOMPLETE_STDOUT_FILENAME": str(out)})
        return out.is_file() and "-" in out.read_text(errors="replace")


def argcomplete_script(python: Path, command: str, shell: str) -> str | None:
    code = "import argcomplete, sys; sys.stdout.write(argcomplete.shellcode([sys.argv[1]], shell=sys.argv[2]))"
    script = run_program(python, ["-c", code, command, shell], {})
    return script if looks_like(script, shell, command) else None


def framework(runtime: Iterable[str]) -> str | None:
    """The completion framework among the app's runtime distributions (typer before click: typer runs on it)."""
    return next((name for name in ("typer", "click", "argcomplete") if name in runtime), None)


def declared(folder: Path, spec: Completion, os_name: str) -> str:
    if spec.file is not None:
        return spec.file.read_text(encoding="utf-8")
    command, *args = spec.run
    script = run_program(folder / names.program(command, os_name), args, {})
    problem = script and spec.shell == "zsh" and not_compdef(script)
    if problem:
        raise PkgError(f"tool.pkg.completions.zsh: what `{' '.join(spec.run)}` prints {problem}")
    if not looks_like(script, spec.shell, command):
        raise PkgError(f"tool.pkg.completions.{spec.shell}: `{' '.join(spec.run)}` printed no {spec.shell} "
                       f"completion script for {command}")
    return script


def generated(program: Path, command: str, shell: str, kind: str, python: Path) -> str | None:
    """The completion script a framework makes for one command of the compiled program, or None."""
    if kind in ("typer", "click"):  # a typer app may also ship a plain click command, and the other way round
        return (click_script(program, command, shell, typer=kind == "typer")
                or click_script(program, command, shell, typer=kind != "typer"))
    if kind == "argcomplete" and answers_argcomplete(program, command):
        return argcomplete_script(python, command, shell)
    return None


def completions(folder: Path, app: App, cfg: Config, os_name: str, kind: str | None, python: Path,
                have: set[str]) -> list[str]:
    """Completion files for every command and shell the wheel brings none for (declared, else generated by
    the framework `kind`); their paths below `folder`."""
    made, refused = [], set()
    declared_shells = {spec.shell: spec for spec in cfg.completions}
    kind = kind if cfg.generate_completions else None
    for shell in names.SHELLS:
        for command in app.command_names:
            path = names.completion_path(shell, command)
            if path in have:
                continue
            spec = declared_shells.get(shell)
            if spec is not None:
                owner = spec.run[0] if spec.run else app.main.name
                script = declared(folder, spec, os_name) if command == owner else None
            elif kind and command not in refused:
                script = generated(folder / names.program(command, os_name), command, shell, kind, python)
                if script is None:  # not this framework's program: never started again for the other shells
                    refused.add(command)
            else:
                script = None
            if script:
                write(folder / path, script)
                made.append(path)
    if not made and not any((kind_of(p) or Kind.MAN_PAGE).shell for p in have):
        why = "turned off (completions = false)" if not cfg.generate_completions else \
            silent(folder / names.program(app.main.name, os_name), app.main.name, kind) if kind else \
            "the app uses none of typer, click, argcomplete and declares none (tool.pkg.completions)"
        print(f"note: no shell completions: {why}")
    return made


def silent(program: Path, command: str, kind: str) -> str:
    """Why the framework printed no completion script: the compiled program failed (say how), or it ran and
    printed none (asked of click and typer programs: their variable makes one print its script, not work)."""
    if kind not in ("click", "typer"):
        return f"{kind} did not print any"
    with tempfile.TemporaryDirectory(prefix="share-run-") as scratch:
        done = proc.run_app([program], env={**os.environ, "HOME": scratch, complete_var(command): "bash_source"},
                            cwd=Path(scratch), timeout=RUN_TIMEOUT_S)
    if done.returncode != 0:  # a crash (its exception), or a program that could not start (run_app says why)
        return f"the compiled {command} failed (exit {done.returncode}: {last_line(done.stderr)})"
    return f"{kind} did not print any"


def last_line(text: str) -> str:
    """A traceback's last line: the exception and its message."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "no output"


NAMES_COMMAND = {  # shell -> how its script registers a command name (zsh's #compdef line names them all)
    "bash": r"^\s*complete\b[^\n]*[ \t]{}[ \t]*$",
    "fish": r"^\s*complete\b[^\n]*(-c|--command)[ =]{}\b",
}


def for_aliases(folder: Path, app: App, have: set[str]) -> list[str]:
    """bash-completion and fish load a script by the command's name: a command without its own script (an
    alias: invoke's inv) gets a copy of a sibling's script that registers it too; one that does not is said.
    zsh needs none: compinit registers every name on a script's #compdef line."""
    made = []
    for shell, pattern in NAMES_COMMAND.items():
        scripts = {c: folder / names.completion_path(shell, c) for c in app.command_names
                   if names.completion_path(shell, c) in have or (folder / names.completion_path(shell, c)).is_file()}
        for command in [c for c in app.command_names if c not in scripts and scripts]:
            regex = re.compile(pattern.format(re.escape(command)), re.MULTILINE)
            sibling = next((c for c, path in scripts.items() if regex.search(path.read_text(errors="replace"))), None)
            if sibling is None:
                print(f"note: no {shell} completion for {command}: the script of {', '.join(scripts)} does not "
                      f"register it")
                continue
            write(folder / names.completion_path(shell, command), (folder / names.completion_path(shell, sibling)
                                                                     ).read_text(encoding="utf-8"))
            made.append(names.completion_path(shell, command))
    return made


def man_pages(folder: Path, app: App, cfg: Config, os_name: str, epoch: int, have: set[str]) -> list[str]:
    """help2man's page for each command with --help and no man page of its own (man = "help2man")."""
    if cfg.man != "help2man":
        return []
    pages = {PurePosixPath(p).stem for p in have if kind_of(p) == Kind.MAN_PAGE}
    made = []
    for command in app.command_names:
        if command in pages or not cfg.command_options(command).help:
            continue
        path = names.man_path(command)
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        # help2man runs the program through a shell, unquoted: started as ./<command> from its folder, a
        # space in the build's path cannot split it
        proc.tool(["help2man", "--no-info", "--no-discard-stderr", f"--name={app.summary}",
                   f"--version-string={app.version}", f"--output={folder / path}",
                   f"./{names.program(command, os_name)}"], f"help2man {command}", cwd=folder,
                  env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch)},  # the month it prints
                  timeout=RUN_TIMEOUT_S * 2, hint="Debian package help2man: run `make setup`")
        made.append(path)
    return made


def write(path: Path, text: str) -> None:
    """A script as its shell's loader wants it: zsh's compinit reads `#compdef` on the first line only (typer
    prints a blank line before it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path, text.lstrip().rstrip("\n") + "\n")


def run(ctx: BuildContext) -> None:
    folder, app, cfg = ctx.built, ctx.app, ctx.cfg
    have = ship_wheel_data(folder, ctx.env.wheel)
    made = []
    if ctx.target.os != "windows":
        made = completions(folder, app, cfg, ctx.target.os, framework(ctx.env.runtime), ctx.env.python, set(have))
        made += for_aliases(folder, app, {*have, *made})
        made += man_pages(folder, app, cfg, ctx.target.os, archive.source_date_epoch(cfg.root), set(have))
    ctx.shared = {p: k for p in [*have, *made] if (k := kind_of(p))}
    if have:
        print(f"share: the wheel's {len(have)} data files, as pip installs them under its prefix")
    for path in sorted(ctx.shared):
        print(f"share: {path} ({'the wheel' if path in have else 'made'})")


STAGE = Stage("share", "completions and man pages into share/: the wheel's, generated from the program, declared",
              run, refuse=check)
