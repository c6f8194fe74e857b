"""The README's table of adopted CLIs, written from build/adopt-results/<app>.json (what `make test-adopt` measured):
`make test-adopt` runs this after the suite. An app this run did not measure keeps its row as it was.

    python -m tests.adopt_table [README.md] [results folder]
"""

import json
import sys
from pathlib import Path

from pkg.core import atomic

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "build" / "adopt-results"
BEGIN = "<!-- adopted CLIs: rows written by `make test-adopt` (tests/adopt_table.py) from build/adopt-results/ -->"
END = "<!-- end of adopted CLIs -->"
HEADER = ("| app | backend | what it covers | layout | commands | `make build-test` | `make release` after it "
          "| folder | tar.gz | `--help`: compiled / pip-installed "
          "| start-up instructions: compiled / pip-installed (callgrind) | its real use, compared with pip-installed "
          "| completions and man pages, found by the tools after `dpkg -i` |")
RULE = "|---|---|---|---|---|---:|---:|---:|---:|---|---|---|---|"
BACKENDS = {"setuptools.build_meta": "setuptools", "setuptools.build_meta:__legacy__": "setuptools (setup.py)",
            "hatchling.build": "hatchling", "flit_core.buildapi": "flit-core", "poetry.core.masonry.api": "poetry-core",
            "pdm.backend": "pdm-backend"}


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def shortened(items: list[str], unit: str = "") -> str:
    """Up to three in full, else how many with the first and the last."""
    if len(items) <= 3:
        return ", ".join(items)
    return f"{len(items)}{unit}: {items[0]} … {items[-1]}"


def instructions(bench: dict) -> str:
    """`--version` and the help screen (once when the app has no version): compiled / pip-installed, in M."""
    commands = bench["commands"]
    keys = ("version", "help") if commands["version"] != commands["help"] else ("help",)
    shown = []
    for key in keys:
        counts = bench[key].get("instructions")
        if not counts:  # a result from before instructions were counted
            return "–"
        shown.append(f"`{' '.join(commands[key][1:])}` {counts['nuitka-standalone'] / 1e6:.0f} / "
                     f"{counts['python'] / 1e6:.0f} M = {counts['ratio']:.2f}×")
    return "; ".join(shown)


def row(result: dict) -> str:
    adopted = result["adopted"].removeprefix("packaging repository").lstrip(", ")
    help_ = result["bench"]["help"]
    cells = [
        f"{result['app']} {result['version']}" + (f" ({adopted})" if adopted else ""),
        BACKENDS.get(result["backend"], result["backend"]),
        result["covers"],
        result["layout"],
        shortened(list(result["commands"])),
        f"{result['build_s']:.0f} s ({result['compiled_modules']} modules to C)",
        f"{result['release_s']:.0f} s",
        f"{result['folder_mib']} MiB",
        f"{result['archive_mib']} MiB",
        f"{help_['nuitka-standalone']:.0f} / {help_['python']:.0f} ms = {help_['ratio']:.2f}×",
        instructions(result["bench"]),
        "; ".join(result["checks"]) or "the generic checks only",
        shortened(result["tools"]) or "none",
    ]
    return "| " + " | ".join(cell(c) for c in cells) + " |"


def app_of(line: str) -> str:
    return line.split("|")[1].strip().split(" ")[0]


def table(readme: str, results: list[dict]) -> str:
    """The README with the table's rows rewritten for `results`, other apps' rows kept, in the order they
    were (new apps last)."""
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"README.md: no adoption table between {BEGIN!r} and {END!r}")
    head, rest = readme.split(BEGIN, 1)
    body, tail = rest.split(END, 1)
    old = [line for line in body.splitlines() if line.startswith("| ") and not line.startswith(("| app |", "|---"))]
    new = {r["app"]: row(r) for r in results}
    rows = [new.pop(app_of(line), line) for line in old] + list(new.values())
    return head + BEGIN + "\n" + "\n".join([HEADER, RULE, *rows]) + "\n" + END + tail


def main(argv: list[str]) -> None:
    readme = Path(argv[0]) if argv else ROOT / "README.md"
    folder = Path(argv[1]) if len(argv) > 1 else RESULTS
    results = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    atomic.write_text(readme, table(readme.read_text(encoding="utf-8"), results))
    print(f"{readme}: the adoption table's rows for {', '.join(r['app'] for r in results) or 'no app'}")


if __name__ == "__main__":
    main(sys.argv[1:])
