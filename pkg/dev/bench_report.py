"""What `make bench` concludes from its measurements: ratios to Nuitka standalone, the issue's targets
(met or missed, with the ratio), and the three outputs: results.json, results.md and startup.png."""

import io
import json
from pathlib import Path

from pkg.core import atomic, names

REFERENCE = "nuitka-standalone"
INSTALLED = "python"  # the app as pip installs it (bench_build.installed)


def shown(results: dict, key: str) -> str:
    """How a result key's command line is shown: `tool --version`, `tool sub --help`."""
    return " ".join(results.get("commands", {}).get(key, [key]))


def add_ratios(variants: dict) -> None:
    """Each startup median divided by Nuitka standalone's for the same command."""
    reference = variants[REFERENCE]["startup"]
    for data in variants.values():
        for key, result in data["startup"].items():
            result["ratio"] = round(result["median_ms"] / reference[key]["median_ms"], 2)


def _get(results: dict, *path):
    for key in path:
        if not isinstance(results, dict) or results.get(key) is None:
            return None
        results = results[key]
    return results


def _ratio(top, bottom):
    return None if top is None or bottom is None else top / bottom


# (key, what the issue asks, how to compute the value from results.json, "<=" or ">=" or "<", limit)
TARGETS = (
    ("floor", "--version within 1.2x of the compiled do-nothing floor",
     lambda r: _ratio(_get(r, "variants", REFERENCE, "startup", "version", "median_ms"),
                      _get(r, "variants", "floor-nuitka", "startup", "version", "median_ms")), "<=", 1.2),
    ("onefile", "at least 10x faster than PyInstaller onefile (--version)",
     lambda r: _ratio(_get(r, "variants", "pyinstaller-onefile", "startup", "version", "median_ms"),
                      _get(r, "variants", REFERENCE, "startup", "version", "median_ms")), ">=", 10.0),
    ("help", "the help screen faster than the pip-installed app (ratio < 1)",
     lambda r: _ratio(_get(r, "variants", REFERENCE, "startup", "help", "median_ms"),
                      _get(r, "variants", INSTALLED, "startup", "help", "median_ms")), "<", 1.0),
    ("rss", "peak RSS of --version no higher than the pip-installed app (ratio <= 1)",
     lambda r: _ratio(_get(r, "variants", REFERENCE, "peak_rss_kb", "version"),
                      _get(r, "variants", INSTALLED, "peak_rss_kb", "version")), "<=", 1.0),
    ("size", "tar.gz at most half the PyInstaller onefile binary (ratio <= 0.5)",
     lambda r: _ratio(_get(r, "variants", REFERENCE, "archive_bytes"),
                      _get(r, "variants", "pyinstaller-onefile", "size_bytes")), "<=", 0.5),
    ("warm-build", "warm rebuild with ccache <= 20 s",
     lambda r: _get(r, "build", "warm_s"), "<=", 20.0),
    # instruction counts (callgrind): what the medians mean, without the machine's load
    ("floor-instructions", "the compiled do-nothing floor within 1.3x of python -I -S -c pass (instructions)",
     lambda r: _ratio(_get(r, "variants", "floor-nuitka", "instructions", "version"),
                      _get(r, "variants", "floor-python", "instructions", "version")), "<=", 1.3),
    *((f"{key}-instructions", f"{key_text} in no more instructions than the pip-installed app (ratio <= 1)",
       lambda r, key=key: _ratio(_get(r, "variants", REFERENCE, "instructions", key),
                                 _get(r, "variants", INSTALLED, "instructions", key)), "<=", 1.0)
      for key, key_text in (("version", "--version"), ("help", "the help screen"))),
)
OPS = {"<=": lambda v, lim: v <= lim, ">=": lambda v, lim: v >= lim, "<": lambda v, lim: v < lim}


def check_targets(results: dict) -> list[dict]:
    """One entry per target; `met` is None when its inputs were not measured in this run."""
    checked = []
    for key, text, compute, op, limit in TARGETS:
        value = compute(results)
        checked.append({"key": key, "target": text, "value": None if value is None else round(value, 2),
                        "op": op, "limit": limit, "met": None if value is None else OPS[op](value, limit)})
    return checked


VERDICTS = {True: "met", False: "MISSED", None: "not measured"}


def _target_text(t: dict) -> str:
    value = "" if t["value"] is None else f": {t['value']:g} (needs {t['op']} {t['limit']:g})"
    return t["target"] + value


def target_lines(targets: list[dict]) -> list[str]:
    return [f"{VERDICTS[t['met']]:12} {_target_text(t)}" for t in targets]


def _ms(result: dict | None) -> str:
    if not result:
        return "–"
    return f"{result['median_ms']:.1f} ({result['min_ms']:.1f}–{result['max_ms']:.1f})"


def _num(value, scale: float, digits: int = 1) -> str:
    return "–" if value is None else f"{value / scale:.{digits}f}"


def markdown(results: dict) -> str:
    """The table the README shows, then build times, the load test and the targets."""
    out = io.StringIO()
    out.write(f"Startup of `{results['app']} {results['version']}` on {results['target']}, "
              f"{results['machine']['cpus']} CPUs ({results['machine']['tool']}, {results['runs']} runs each; "
              "medians, with min–max). Ratios are to Nuitka standalone.\n\n")
    out.write(f"| program | `{shown(results, 'version')}` ms | × | `{shown(results, 'help')}` ms | × "
              "| peak RSS MiB | instructions M (both) | archive MiB | on disk MiB |\n")
    out.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    for data in results["variants"].values():
        version, help_ = data["startup"].get("version"), data["startup"].get("help")
        out.write(f"| {data['label']} | {_ms(version)} | {version['ratio'] if version else '–'} "
                  f"| {_ms(help_)} | {help_['ratio'] if help_ else '–'} "
                  f"| {_num(_get(data, 'peak_rss_kb', 'version'), 1024)} "
                  f"| {_num(_get(data, 'instructions', 'version'), 1e6, 0)} / "
                  f"{_num(_get(data, 'instructions', 'help'), 1e6, 0)} "
                  f"| {_num(data.get('archive_bytes'), 2**20)} | {_num(data.get('size_bytes'), 2**20)} |\n")
    out.write("\nFloors ignore their arguments: both columns time the same do-nothing start.\n")
    build = results.get("build")
    if build:
        out.write(f"\nNuitka standalone build: cold {build['cold_s']} s (empty Nuitka cache and ccache), "
                  f"warm {build['warm_s']} s (the same build again).\n")
    for name, load in results.get("load", {}).items():
        out.write(f"\nUnder load, {name}: {load['n']} concurrent `--version` runs, "
                  f"{load['n'] - load['failed']} exited 0; p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, "
                  f"max {load['max_ms']} ms, all done in {load['wall_ms']} ms.\n")
    out.write("\nTargets:\n\n")
    for t in results["targets"]:
        out.write(f"- **{VERDICTS[t['met']]}** {_target_text(t)}\n")
    return out.getvalue()


def chart(results: dict, dest: Path) -> None:
    """Grouped horizontal bars: median startup per program and command, min–max as error bars."""
    import matplotlib

    matplotlib.use("Agg")  # no display on build machines
    import matplotlib.pyplot as plt

    variants = list(results["variants"])
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(variants) + 1.5), dpi=110)
    height = 0.38
    for i, key in enumerate(("version", "help")):
        medians, low, high = [], [], []
        for name in variants:
            r = results["variants"][name]["startup"].get(key)
            medians.append(r["median_ms"] if r else 0)
            low.append(r["median_ms"] - r["min_ms"] if r else 0)
            high.append(r["max_ms"] - r["median_ms"] if r else 0)
        ys = [n + (i - 0.5) * height for n in range(len(variants))]
        ax.barh(ys, medians, height, xerr=[low, high], capsize=2, label=shown(results, key))
        for y, m in zip(ys, medians, strict=True):
            ax.text(m, y, f" {m:.0f}", va="center", fontsize=7)
    ax.set_yticks(range(len(variants)), [results["variants"][n]["label"] for n in variants])
    ax.invert_yaxis()
    ax.set_xlabel("median startup, ms (bars: min–max)")
    ax.set_title(f"{results['app']} {results['version']} startup on {results['target']}")
    ax.legend(loc="lower right")
    fig.tight_layout()
    with atomic.staged_file(dest) as stage:
        fig.savefig(stage, format="png")
    plt.close(fig)


def write_all(results: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / name for name in names.BENCH_RESULTS]
    atomic.write_text(paths[0], json.dumps(results, indent=2, sort_keys=True) + "\n")
    atomic.write_text(paths[1], markdown(results))
    chart(results, paths[2])
    return paths
