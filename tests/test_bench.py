"""`make bench` logic on small inputs (ratios, targets, table, JSON, chart) and one fast real measurement."""

import argparse
import json

import pytest

from pkg.compile import nuitka, nuitka_run
from pkg.core import targets
from pkg.core.errors import PkgError
from pkg.dev import bench, bench_build, bench_report

from .conftest import example_config
from .test_pyinstaller import fake_env


def timing(median: float) -> dict:
    return {"tool": "hyperfine", "runs": 3, "median_ms": median, "min_ms": median - 1, "max_ms": median + 1,
            "mean_ms": median}


def variant(label: str, version: float, help_: float, rss: int | None = None, archive: int | None = None,
            size: int | None = None) -> dict:
    return {"label": label, "command": ["x"], "floor": False, "archive_bytes": archive, "size_bytes": size,
            "startup": {"version": timing(version), "help": timing(help_)},
            "peak_rss_kb": {"version": rss, "help": rss},
            "instructions": {"version": int(version * 4_000_000), "help": int(help_ * 4_000_000)}}


def sample(warm_s: float | None = 15.0, standalone_ms: float = 22.0) -> dict:
    variants = {
        "nuitka-standalone": variant("Nuitka standalone", standalone_ms, 50.0, 18_000, 12 * 2**20, 31 * 2**20),
        "pyinstaller-onefile": variant("PyInstaller onefile", 275.0, 300.0, 17_000, 18 * 2**20, 19 * 2**20),
        "python": variant("pip-installed tailor (python)", 60.0, 80.0, 16_000),
        "floor-nuitka": variant("floor: Nuitka do-nothing", 20.0, 20.0, 16_000, 6 * 2**20, 16 * 2**20),
        "floor-python": variant("floor: python -I -S -c pass", 9.0, 9.0, 9_000),
    }
    bench_report.add_ratios(variants)
    results = {"schema": 2, "app": "tailor", "version": "0.1.0", "target": "linux-x86_64", "runs": 3,
               "commands": {"version": ["tailor", "--version"], "help": ["tailor", "tail", "--help"]},
               "machine": {"cpus": 2, "tool": "hyperfine 1.15.0", "python": "3.11.7", "system": "Linux"},
               "variants": variants, "load": {"nuitka-standalone": {
                   "n": 50, "failed": 0, "all_ok": True, "p50_ms": 80.0, "p95_ms": 120.0, "max_ms": 130.0,
                   "wall_ms": 400.0}},
               "build": None if warm_s is None else {"cold_s": 95.0, "warm_s": warm_s, "ccache": True}}
    results["targets"] = bench_report.check_targets(results)
    return results


def by_key(results: dict) -> dict:
    return {t["key"]: t for t in results["targets"]}


def test_ratios_are_to_nuitka_standalone():
    v = sample()["variants"]
    assert v["nuitka-standalone"]["startup"]["version"]["ratio"] == 1.0
    assert v["pyinstaller-onefile"]["startup"]["version"]["ratio"] == 12.5
    assert v["floor-nuitka"]["startup"]["help"]["ratio"] == 0.4


def test_targets_met_and_missed_with_their_ratios():
    t = by_key(sample())
    assert t["floor"]["value"] == 1.1 and t["floor"]["met"] is True
    assert t["onefile"]["value"] == 12.5 and t["onefile"]["met"] is True
    assert t["help"]["value"] == 0.62 and t["help"]["met"] is True
    assert t["rss"]["value"] == 1.12 and t["rss"]["met"] is False  # 18 MB vs 16 MB
    assert t["size"]["value"] == 0.63 and t["size"]["met"] is False  # 12 MiB archive vs 19 MiB binary
    assert t["warm-build"]["value"] == 15.0 and t["warm-build"]["met"] is True
    slow = by_key(sample(warm_s=25.0, standalone_ms=30.0))
    assert slow["floor"]["met"] is False and slow["onefile"]["met"] is False and slow["warm-build"]["met"] is False


def test_instruction_targets_against_the_pip_installed_app_and_python_without_site():
    t = by_key(sample())
    assert t["floor-instructions"]["value"] == 2.22 and t["floor-instructions"]["met"] is False  # 80 M / 36 M
    assert t["version-instructions"]["value"] == 0.37 and t["version-instructions"]["met"] is True  # 88 / 240
    assert t["help-instructions"]["value"] == 0.62 and t["help-instructions"]["met"] is True
    results = sample(standalone_ms=61.0)
    results["variants"]["floor-nuitka"]["instructions"]["version"] = 46_000_000  # 1.28x of 36 M
    results["targets"] = bench_report.check_targets(results)
    t = by_key(results)
    assert t["version-instructions"]["met"] is False and t["floor-instructions"]["met"] is True
    del results["variants"]["floor-python"]["instructions"]["version"]
    assert by_key({**results, "targets": bench_report.check_targets(results)})["floor-instructions"]["met"] is None


def test_unmeasured_targets_say_so():
    results = sample(warm_s=None)
    del results["variants"]["pyinstaller-onefile"]
    results["targets"] = bench_report.check_targets(results)
    t = by_key(results)
    assert t["warm-build"]["met"] is None and t["onefile"]["met"] is None and t["size"]["met"] is None
    assert t["floor"]["met"] is True
    lines = bench_report.target_lines(results["targets"])
    assert sum(line.startswith("not measured") for line in lines) == 3
    assert "**not measured** warm rebuild" in bench_report.markdown(results)


def test_markdown_table_has_one_row_per_program():
    text = bench_report.markdown(sample())
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + 5
    assert ("| Nuitka standalone | 22.0 (21.0–23.0) | 1.0 | 50.0 (49.0–51.0) | 1.0 | 17.6 | 88 / 200 | 12.0 | 31.0 |"
            in text)
    assert "| pip-installed tailor (python) |" in text and "| – | – |" in text  # no archive when pip-installed
    assert "`tailor tail --help` ms" in text and "`tailor --version` ms" in text
    assert "cold 95.0 s" in text and "warm 15.0 s" in text
    assert "50 concurrent `--version` runs, 50 exited 0; p50 80.0 ms, p95 120.0 ms" in text
    assert "- **MISSED** peak RSS" in text and "- **met** --version within 1.2x" in text


def test_write_all_writes_json_markdown_and_png(tmp_path):
    results = sample()
    paths = bench_report.write_all(results, tmp_path / "bench")
    assert [p.name for p in paths] == ["results.json", "results.md", "startup.png"]
    assert json.loads(paths[0].read_text()) == results
    assert paths[1].read_text().startswith("Startup of `tailor 0.1.0`")
    assert paths[2].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and paths[2].stat().st_size > 10_000
    assert sorted(p.name for p in (tmp_path / "bench").iterdir()) == ["results.json", "results.md", "startup.png"]


def test_floor_is_built_with_the_apps_flags_and_nothing_of_the_app(tmp_path):
    cfg = example_config()
    env = fake_env(tmp_path)
    floor = bench_build.floor_command(cfg, env, targets.host(), tmp_path / "floor")
    app = nuitka.command(nuitka_run.nuitka_inputs(cfg, env, targets.host(), tmp_path / "app"),
                         targets.host().os, tmp_path / "out", tmp_path / "r.xml")

    def shared(cmd):
        return [f for f in cmd if f.startswith("--") and not f.startswith(
            ("--include", "--output", "--report", "--main", "--nofollow-import-to=my_tool",
             "--compile-to-c="))]

    assert floor[-1] == f"--main={tmp_path / 'floor' / 'floor.py'}" and shared(floor) == shared(app)
    assert cfg.nuitka_os_flags["linux"][0] in floor  # the app's own size trim applies to the floor too
    assert not any("my_tool" in part or "mytool" in part for part in floor)


def test_a_real_measurement_of_the_python_floor(tmp_path):
    commands = {"version": ["--version"], "help": ["--help"]}
    env = fake_env(tmp_path)  # its python is this one
    data = bench.measure_variant(bench_build.python_floor(env), commands, runs=3, warmup=1, env=None, cwd=tmp_path,
                                 callgrind=True)
    assert data["label"] == "floor: python -I -S -c pass" and data["floor"] is True
    assert set(data["startup"]) == {"version", "help"} and data["startup"]["version"]["runs"] == 3
    assert 1_000 < data["peak_rss_kb"]["version"] < 100_000
    assert data["instructions"]["version"] == data["instructions"]["help"] > 5_000_000  # counted once
    assert data["command"] == [str(env.python), "-I", "-S", "-c", "pass"]


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    bench.add_parser(parser.add_subparsers(dest="stage", required=True))
    return parser.parse_args(["bench", *argv])


def test_cli_refuses_an_unknown_part_and_bad_numbers():
    args = parse("--skip", "bogus")
    with pytest.raises(PkgError, match="unknown --skip 'bogus'") as caught:
        args.func(args)
    assert caught.value.exit_code == 2
    args = parse("--runs", "1")
    with pytest.raises(PkgError, match="--runs must be at least 2"):
        args.func(args)


def test_bench_refuses_another_machines_target(tmp_path):
    other = targets.Target("windows" if targets.host().os != "windows" else "linux", "x86_64")
    with pytest.raises(PkgError, match="bench runs on the machine it measures"):
        bench.run(example_config(), other, tmp_path / "dist", tmp_path / "work", tmp_path / "out")
    assert not (tmp_path / "out").exists()
