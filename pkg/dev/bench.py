"""`python -m pkg bench` (make bench): one run, one machine, side by side — Nuitka standalone (as released,
and with only the standard library the app imports) and onefile,
PyInstaller onedir and onefile, the app as pip installs it (its console script in the build environment),
and two floors (a do-nothing program compiled with the same Nuitka flags, and bare `python -I -S -c pass`).
The configured app's main command is timed with `--version` and with tool.pkg.startup.help-args.
Writes bench/results.json, results.md, startup.png and prints which of the targets are met.

On a shared machine absolute times drift: read the medians and ratios, and the instruction counts
(callgrind), which do not depend on the load.
"""

import platform
import shutil
import tempfile
from pathlib import Path

from pkg.compile import appenv, running, startup
from pkg.core import archive, config, names, proc, targets
from pkg.core.errors import PkgError
from pkg.dev import bench_build, bench_report


def tool_label(tool: str) -> str:
    if tool != "hyperfine":
        return tool
    done = proc.answer(["hyperfine", "--version"])
    out = done.stdout.strip() if done else ""
    return out or tool


def variants(cfg, env: appenv.BuildEnv, target, dist: Path, work: Path,
             skip: set[str]) -> list[bench_build.Variant]:
    epoch = archive.source_date_epoch(cfg.root)
    made = [bench_build.nuitka_standalone(cfg, env, target, dist, work / "standalone")]
    if "stdlib" not in skip and cfg.stdlib == "all":
        made.append(bench_build.nuitka_stdlib_imported(cfg, env, target, work, epoch))
    if "onefile" not in skip:
        made.append(bench_build.nuitka_onefile(cfg, env, target, work, epoch))
    if "pyinstaller" not in skip:
        made.append(bench_build.pyinstaller_variant(env, target, work, False, epoch))
        if "onefile" not in skip:
            made.append(bench_build.pyinstaller_variant(env, target, work, True, epoch))
    made.append(bench_build.installed(env))
    made.append(bench_build.nuitka_floor(cfg, env, target, work, epoch))
    made.append(bench_build.python_floor(env))
    return made


def measured_args(cfg, env: appenv.BuildEnv) -> dict[str, list[str]]:
    """result key -> the main command's arguments timed under it."""
    version = list(cfg.command_options(env.app.main.name).version_argv or cfg.help_args)
    return {"version": version, "help": list(cfg.help_args)}


def measure_variant(v: bench_build.Variant, commands: dict[str, list[str]], runs: int, warmup: int, env: dict,
                    cwd: Path, callgrind: bool) -> dict:
    print(f"bench: timing {v.label}", flush=True)
    data = {"label": v.label, "command": v.argv, "floor": v.floor, "archive_bytes": v.archive_bytes,
            "size_bytes": v.size_bytes, "startup": {}, "peak_rss_kb": {}, "instructions": {}}
    for key, args in commands.items():
        cmd = v.argv + args
        data["startup"][key] = startup.measure(cmd, runs=runs, warmup=warmup, env=env, cwd=cwd)
        data["peak_rss_kb"][key] = startup.peak_rss_kb(cmd, env=env, cwd=cwd)
    if callgrind:
        once = startup.instructions(v.argv, env=env, cwd=cwd) if v.floor else None  # a floor ignores its arguments
        data["instructions"] = {key: once if v.floor else startup.instructions(v.argv + args, env=env, cwd=cwd)
                                for key, args in commands.items()}
    return data


def run(cfg, target, dist: Path, work: Path, out: Path, runs: int = 30, warmup: int = 5,
        concurrency: int = 50, skip: frozenset[str] = frozenset()) -> dict:
    if target != targets.host():
        raise PkgError(f"bench runs on the machine it measures; this one is {targets.host()}, not {target}")
    build_env = appenv.create(cfg, work, None, ("compile", "pyinstaller"))
    made = variants(cfg, build_env, target, dist, work, set(skip))
    commands = measured_args(cfg, build_env)
    callgrind = "callgrind" not in skip and shutil.which("valgrind") is not None
    with tempfile.TemporaryDirectory(prefix="bench ") as tmp:
        home = Path(tmp)
        env = running.scrubbed_env(home)  # as a user starts it: no venv, no PYTHONPATH
        cwd = home / "cwd"
        cwd.mkdir()
        measured = {v.name: measure_variant(v, commands, runs, warmup, env, cwd, callgrind) for v in made}
        bench_report.add_ratios(measured)
        load = {}
        if concurrency:
            for v in made:
                if v.name in (bench_report.REFERENCE, "pyinstaller-onefile"):
                    print(f"bench: {concurrency} concurrent starts of {v.label}", flush=True)
                    load[v.name] = startup.concurrent(v.argv + commands["version"], concurrency, env=env, cwd=cwd)
    tool = next(iter(measured.values()))["startup"]["version"]["tool"]
    results = {
        "schema": 2, "app": build_env.app.name, "version": build_env.app.version, "target": target.name,
        "runs": runs, "commands": {key: [build_env.app.main.name, *args] for key, args in commands.items()},
        "machine": {"cpus": _cpus(), "tool": tool_label(tool), "python": platform.python_version(),
                    "system": platform.platform(terse=True)},
        "variants": measured, "load": load,
        "build": None if "build-times" in skip else bench_build.build_times(cfg, build_env, target, work),
    }
    results["targets"] = bench_report.check_targets(results)
    for path in bench_report.write_all(results, out):
        print(f"wrote {path}")
    failed_loads = [name for name, result in load.items() if not result["all_ok"]]
    print("\n".join(bench_report.target_lines(results["targets"])))
    if failed_loads:
        raise PkgError(f"under load, some starts failed: {', '.join(failed_loads)} (see {out / 'results.md'})")
    return results


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


SKIPPABLE = ("onefile", "pyinstaller", "callgrind", "build-times", "stdlib")


def cmd_bench(args) -> None:
    skip = frozenset(args.skip)
    unknown = sorted(skip - set(SKIPPABLE))
    if unknown:
        raise PkgError(f"unknown --skip {unknown[0]!r} (known: {', '.join(SKIPPABLE)})", 2)
    if args.runs < 2 or args.warmup < 0 or args.concurrency < 0:
        raise PkgError("--runs must be at least 2, --warmup and --concurrency not negative", 2)
    folders = [config.folder_option(args.root, args.dist, names.DIST),
               config.folder_option(args.root, args.work, names.WORK, names.BENCH),
               config.folder_option(args.root, args.out, names.BENCH)]
    run(config.load(args.root), targets.host(), *[p.resolve() for p in folders],  # tools run in other folders
        args.runs, args.warmup, args.concurrency, skip)


def add_parser(stages) -> None:
    sub = stages.add_parser("bench", help="compare startup, memory, size and build time of every build kind",
                            description=__doc__.split("\n\n")[0])
    sub.set_defaults(func=cmd_bench)
    sub.add_argument("--dist", help="where the standalone build is (default: dist/ below the root)")
    sub.add_argument("--work", help="work folder for other builds (default: build/bench/ below the root)")
    sub.add_argument("--out", help="where results go (default: bench/ below the root)")
    sub.add_argument("--runs", type=int, default=30, help="timed runs per command (default 30)")
    sub.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    sub.add_argument("--concurrency", type=int, default=50, help="simultaneous starts under load (0: skip)")
    sub.add_argument("--skip", action="append", default=[], metavar="PART",
                     help=f"leave out a part, repeatable: {', '.join(SKIPPABLE)}")
