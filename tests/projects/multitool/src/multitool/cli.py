"""`multitool`: its version from the distribution's metadata (as click's version_option reads it), package
data through importlib.resources, plugins through entry points."""

import sys
from importlib import metadata, resources
from pathlib import Path


def main() -> int:
    args = sys.argv[1:]
    if args == ["--version"]:
        print(f"multitool, version {metadata.version('multi-tool')}")  # click's wording
    elif args == ["--help"] or not args:
        print("usage: multitool [--version] [greet | plugins]")
    elif args == ["greet"]:
        print(resources.files("multitool").joinpath("data/greeting.txt").read_text(encoding="utf-8").strip())
    elif args == ["plugins"]:
        for entry in sorted(metadata.entry_points(group="multitool.plugins"), key=lambda e: e.name):
            print(f"{entry.name}: {entry.load()()}")
    elif args == ["frozen"]:  # what frozen-aware code asks (PyInstaller's convention)
        bundled = getattr(sys, "_MEIPASS", None)
        found = bundled and (Path(bundled) / "multitool" / "data" / "greeting.txt").is_file()
        print(f"frozen: {getattr(sys, 'frozen', False)}; bundled data under sys._MEIPASS: {bool(found)}")
    elif args == ["optional"]:
        try:
            import zstandard  # the build's own tool, in the same venv: never this app's requirement
        except ImportError:
            print("zstandard: not installed")
        else:
            print(f"zstandard: {zstandard.__version__}")
    else:
        print(f"multitool: unknown arguments {args}", file=sys.stderr)
        return 2
    return 0
