"""What shipping the whole standard library costs in build time: the configured app's Nuitka compile with
tool.pkg.stdlib = "all", then "imported", twice over (the second round with warm caches), one build
environment, side by side. `.tools/venv/bin/python -m pkg.dev.stdlib_build_time [ROOT]` (default: this checkout);
the work goes to ROOT/build/stdlib-timing/."""

import dataclasses
import sys
import time
from pathlib import Path

from pkg.compile import appenv, nuitka_run
from pkg.core import config, targets


def main(root: Path) -> dict[str, list[float]]:
    cfg = config.load(root)
    work = root / "build" / "stdlib-timing"
    env = appenv.create(cfg, work / "env", None)
    seconds: dict[str, list[float]] = {"all": [], "imported": []}
    for mode in ("all", "imported") * 2:
        started = time.perf_counter()
        nuitka_run.compile_nuitka(dataclasses.replace(cfg, stdlib=mode), env, targets.host(), work / mode)
        seconds[mode].append(round(time.perf_counter() - started, 1))
    print(f"Nuitka compile, stdlib = all: {seconds['all']} s; imported: {seconds['imported']} s (first, warm)")
    return seconds


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
