"""Command line of tailor. Help text comes from these docstrings: never strip docstrings when compiling."""

import json
import sys

import click

import tailor
from tailor.levels import LevelMatcher, load_levels


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tailor.__version__, "--version", "-V", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Tail log files, filtered and coloured by severity level."""
    if ctx.invoked_subcommand is None:
        # Installer validation bots run the program with no arguments and no TTY: usage, exit 0.
        click.echo(ctx.get_help())
        ctx.exit(0)


def _level_rank(ctx: click.Context, param: click.Parameter, value: str | None) -> int:
    if value is None:
        return 0
    level = LevelMatcher(load_levels()).lookup(value)
    if level is None:
        names = ", ".join(lvl.name for lvl in load_levels())
        raise click.BadParameter(f"unknown level {value!r}; known: {names}")
    return level.rank


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--level", "-l", "min_rank", callback=_level_rank, metavar="LEVEL",
              help="Show only lines at this level or above (e.g. WARNING, ERROR, FATAL).")
@click.option("--lines", "-n", default=10, show_default=True, type=click.IntRange(min=0),
              help="How many matching lines to print.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing lines as the file grows.")
@click.option("--pid", type=int, help="With --follow: stop when this process exits.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
def tail(file: str, min_rank: int, lines: int, follow: bool, pid: int | None, color: str) -> None:
    """Print the last lines of FILE whose level is at least LEVEL, coloured by level.

    Recognises DEBUG, INFO, WARNING, ERROR and CRITICAL as well as PostgreSQL's LOG, NOTICE,
    FATAL and PANIC. Lines without a level (tracebacks) belong to the line above them.
    """
    from tailor import platforms
    from tailor import tail as tailing

    plat = platforms.load()
    matcher = LevelMatcher(load_levels())
    use_color = {"always": True, "never": False}.get(color, sys.stdout.isatty() and plat.enable_ansi())

    def emit(line: str, level) -> None:
        text = line.rstrip("\n")
        if use_color and level is not None:
            text = click.style(text, fg=level.color, bold=level.rank >= 40)
        click.echo(text, color=use_color)

    for line, level in tailing.last_lines(file, matcher, min_rank, lines):
        emit(line, level)
    if follow:
        tailing.follow(file, matcher, min_rank, emit, plat.file_identity, _watcher(pid))


def _watcher(pid: int | None):
    """Follow forever, or, with --pid, while that process lives (checked with psutil)."""
    if pid is None:
        return lambda: True
    import psutil

    if not psutil.pid_exists(pid):
        raise click.BadParameter(f"no process with id {pid}", param_hint="--pid")
    return lambda: psutil.pid_exists(pid)


@cli.command()
def levels() -> None:
    """List the severity levels tailor knows, lowest first."""
    for level in sorted(load_levels(), key=lambda lvl: (lvl.rank, lvl.name)):
        aliases = f"  (also {', '.join(level.aliases)})" if level.aliases else ""
        click.echo(f"{level.rank:>3}  {level.name}{aliases}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def doctor(as_json: bool) -> None:
    """Check that this build has its data file, native module, platform module and metadata."""
    from tailor.doctor import REQUIRED, checks

    report = checks()
    if as_json:
        click.echo(json.dumps(report, indent=2, sort_keys=True))
    else:
        for key, value in report.items():
            click.echo(f"{key:16} {value}")
    # From source `compiled` is false, and that is not a failure.
    failed = [k for k in REQUIRED if k != "compiled" and not report.get(k)]
    sys.exit(1 if failed else 0)


def main() -> int:
    cli(prog_name="tailor")
    return 0
