"""`python -m pkg build-test` (make build-test): unpack the archive somewhere else and prove every command works,
with a scrubbed environment, as a user who just downloaded it would run it — and that it behaves exactly
like the same wheel pip-installed (build/<target>/pip-installed: the wheel and its dependencies alone,
without the compile tools of the build venv; its console scripts).

Generic checks for every command (tool.pkg.command.<name> turns one off or changes the exit code):
  --version       exits 0 and carries VERSION as a whole token ("tool 1.2.0", "tool, version 1.2.0", "v1.2.0")
  --help          exits 0 with output
  no arguments    no TTY, stdin closed: finishes within NO_ARGS_TIMEOUT_S with exit 0 (installer validation
                  bots do exactly this), or the configured no-args-exit; a command declared `no-args-runs`
                  (a server, a full-screen UI) must instead still be running in a terminal after RUNS_FOR_S
Then the app's own [[tool.pkg.checks]], in order, in one scratch folder; then startup timings (hyperfine),
judged only against budgets the app sets.

Differential: every check runs twice in the same scratch path, first on the pip-installed app, then on the
compiled one; exit code, stdout and stderr must be equal once each program's own path is replaced by a
placeholder (and `python -m`'s `__main__.py` by the command's name), a traceback's frames and a warning's
quoted source line folded (from sources the compiled program does not carry). A check declares `pip-installed =
"checked"` when its output may differ (paths, timings), or "skip" when it inspects the compiled build
itself. Stage `prove` (pkg/compile/probe.py) runs the same checks on the pip-installed app before compiling.
"""

import os
import re
import shutil
from pathlib import Path

from pkg.compile import startup
from pkg.compile.compare import crashed, differences
from pkg.compile.context import venv_site_packages
from pkg.compile.running import STILL_RUNNING, Checker, pip_installed_argv, scrubbed_env
from pkg.core import archive, model, names, proc
from pkg.core import version as version_of
from pkg.core.config import Check, Config
from pkg.core.errors import PkgError
from pkg.core.model import App, Kind, Timing
from pkg.core.stage import Stage
from pkg.core.targets import Target

NO_ARGS_TIMEOUT_S = 10
RUNS_FOR_S = 3        # a `no-args-runs` command must still be running this long after starting


def generic_checks(runner: Checker, cfg: Config, app: App, version: str) -> None:
    for command in app.command_names:
        options = cfg.command_options(command)
        if options.version_argv:
            args = " ".join(options.version_argv)
            out = runner.run(command, *options.version_argv)
            printed = out.stdout + "\n" + out.stderr
            if options.version_differs:  # declared: it prints another number (upstream); it must still answer
                runner.judge(out.returncode == 0 and bool(printed.strip()), f"{command} {args} exits 0 with output "
                            f"(declared version-differs)", out, options.pip_installed, (command, "version"))
            else:
                runner.judge(out.returncode == 0 and version_of.carries_version(printed, version),
                            f"{command} {args} carries {version}", out, options.pip_installed, (command, "version"))
        if options.help:
            out = runner.run(command, "--help")
            runner.judge(out.returncode == 0 and bool(out.stdout.strip()), f"{command} --help exits 0 with output", out,
                        options.pip_installed, (command, "help"))
        if options.no_args_runs:
            out = runner.run_in_terminal(command, seconds=RUNS_FOR_S)
            runner.judge(out.returncode == STILL_RUNNING, f"{command} with no arguments, in a terminal, is still "
                        f"running after {RUNS_FOR_S} s", out, "checked", (command, "no-args"))
            continue
        out = runner.run(command, timeout=NO_ARGS_TIMEOUT_S)
        runner.judge(out.returncode == options.no_args_exit,
                    f"{command} with no arguments and no TTY exits {options.no_args_exit} "
                    f"within {NO_ARGS_TIMEOUT_S} s", out, options.pip_installed, (command, "no-args"))


def declared_check(runner: Checker, check: Check, app: App, index: int = 0) -> None:
    command = check.command or app.main.name
    if command not in app.command_names:
        runner.judge(False, f"{check.name}: {command!r} is not one of the commands {app.command_names}",
                    about=(command, index))
        return
    for name, text in check.files.items():
        path = runner.cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if check.terminal:
        out = runner.run_in_terminal(command, *check.args, seconds=check.timeout, env=check.env)
        ok = out.returncode in (check.exit, STILL_RUNNING)
    else:
        out = runner.run(command, *check.args, stdin=check.stdin, env=check.env, timeout=check.timeout)
        ok = out.returncode == check.exit
    for expect in check.expect:
        text = out.stdout if expect.stream == "stdout" else out.stderr
        if expect.kind == "contains":
            ok = ok and expect.value in text
        elif expect.kind == "matches":
            ok = ok and re.search(expect.value, text, re.MULTILINE) is not None
        else:
            ok = ok and text == expect.value
    mode = "checked" if check.terminal and check.pip_installed == "same" else check.pip_installed
    runner.judge(ok, check.name, out, mode, (command, index))


def all_checks(runner: Checker, cfg: Config, app: App, version: str, pip_installed: bool = False) -> None:
    """The generic checks, then the app's own in order (on the pip-installed app: those it can run)."""
    generic_checks(runner, cfg, app, version)
    for index, check in enumerate(cfg.checks):
        if not (pip_installed and check.pip_installed == "skip"):
            declared_check(runner, check, app, index)


def timings(runner: Checker, cfg: Config, app: App) -> dict[str, Timing]:
    main = str(runner.program(app.main.name))
    version_args = cfg.command_options(app.main.name).version_argv  # none: only the help screen is timed
    results = {}
    for key, args, runs in ([("version", version_args, 20)] if version_args else []) + [("help", cfg.help_args, 10)]:
        try:
            result = startup.measure([main, *args], runs=runs, env=runner.env, cwd=runner.cwd)
        except PkgError as exc:
            runner.judge(False, f"timing {app.main.name} {' '.join(args)}: {exc}")
            continue
        budget = cfg.budgets_ms.get(key)
        what = f"{app.main.name} {' '.join(args)}: median {result['median_ms']:.1f} ms ({result['tool']})"
        if budget is None:  # wall-clock time swings with the machine's load: judged only where the app asks
            print(f"     {what}")
        else:
            runner.judge(result["median_ms"] <= budget, f"{what} <= {budget:.0f} ms")
        results[key] = Timing(**result)
    return results


def counted(runner: Checker, cfg: Config, app: App) -> dict[str, int]:
    """Each command's start (its version, else its help screen) in instructions, by command line: what the
    release compares with the previous one's (callgrind counts work, whatever the machine's load)."""
    if not startup.has_callgrind():
        print("     start-up instructions: not counted (no valgrind on this machine)")
        return {}
    found = {}
    for command in app.commands:
        options = cfg.command_options(command.name)
        helped = (cfg.help_args if command.name == app.main.name else ("--help",)) if options.help else None
        args = options.version_argv or helped
        if args is None:  # neither prints and exits 0: nothing to count
            continue
        line = " ".join([command.name, *args])
        try:
            found[line] = startup.instructions([str(runner.program(command.name)), *args], env=runner.env,
                                               cwd=runner.cwd)
        except PkgError as exc:
            runner.judge(False, f"counting the instructions of {line}: {exc}")
            continue
        print(f"     {line}: {found[line] / 1e6:.1f} M instructions (callgrind)")
    return found


def left_out(runner: Checker, cfg: Config, app: App, os_name: str) -> None:
    """Each module of tool.pkg.stdlib-exclude is out of the compiled program: its Python cannot import it (a
    PyInstaller build has no Python to ask: no extension module of that name is in its folder)."""
    python = Path(os.path.realpath(runner.program(app.main.name))).parent / names.interpreter(app.main.name, os_name)
    for module, reason in cfg.stdlib_exclude.items():
        if not python.exists():
            stem = module.rsplit(".", 1)[-1]
            found = [p.name for p in runner.folder.rglob(f"{stem}.*") if p.suffix in (".so", ".pyd")]
            runner.judge(not found, f"{module} is left out ({reason}): no extension module of it in the build"
                        + (f" (found {', '.join(found)})" if found else ""))
            continue
        out = proc.run_app([python, "-c", f"import {module}"], env=runner.env, cwd=runner.cwd, timeout=60)
        runner.judge(out.returncode == 1 and "ModuleNotFoundError" in out.stderr,
                    f"{module} is left out ({reason}): the program's Python cannot import it", out, "checked")


def run(cfg: Config, target: Target, dist: Path, env_folder: Path) -> model.Manifest:
    _, manifest = model.find_build(dist, target.name)
    app = manifest.app
    file = names.archive(app.name, target.name)
    env_folder = env_folder.resolve()  # the checks run in a scratch folder
    if not (env_folder / "pyvenv.cfg").is_file():
        raise PkgError(f"{env_folder}: no pip-installed app to compare with (run `make build` on this machine)")
    with archive.unpacked(manifest, dist, target) as (top, tmp_path):
        work = tmp_path / "cwd"
        work.mkdir()
        env = scrubbed_env(tmp_path)
        reference = Checker(env_folder, target.os, env, work, argv=pip_installed_argv(env_folder, app, target.os),
                          quiet=True, site_packages=venv_site_packages(env_folder))
        all_checks(reference, cfg, app, manifest.version, pip_installed=True)
        shutil.rmtree(work)  # the same path again: outputs that name it compare equal
        work.mkdir()
        checker = Checker(top, target.os, env, work)
        all_checks(checker, cfg, app, manifest.version)
        for difference in differences(reference, checker):
            checker.judge(False, difference)
        left_out(checker, cfg, app, target.os)
        same = sum(1 for entry in checker.transcript if entry[2] == "same")
        print(f"{'ok  ' if not checker.failures else '    '} {same} check(s) compared with the pip-installed app")
        shared = sorted(str(a.kind) for a in manifest.shared(target.name))
        if shared:
            print(f"ok   in the archive as recorded: {', '.join(shared)}")
        (tested,) = [a for a in manifest.select(Kind.ARCHIVE) if a.target == target.name]  # as `unpacked` found
        proof = model.BuildTestRecord(target=target.name, archive=tested.name, sha256=tested.sha256, compared=same,
                                  startup=timings(checker, cfg, app), instructions=counted(checker, cfg, app))
    proof.write(dist / names.build_test_record(app.name, target.name))
    if checker.failures:
        raise PkgError(f"build-test failed for {file}: {'; '.join(checker.failures)}{crashed(reference, checker)}")
    print(f"build-test passed: {file} ({len(app.commands)} command(s), {len(cfg.checks)} declared check(s), "
          f"same as the pip-installed app)")
    return manifest


STAGE = Stage("build-test", "the archive unpacked elsewhere: every command's --version, --help and no arguments, "
              "the app's checks, each equal to the pip-installed app's; start-up timings and instruction counts in its "
              "own record",
              lambda ctx: run(ctx.cfg, ctx.target, ctx.dist, ctx.work / names.PIP_ENV),
              writes=lambda ctx: [names.build_test_record(ctx.app.name, ctx.target.name)])
