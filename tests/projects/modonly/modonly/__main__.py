import sys

from modonly import __version__

if sys.argv[1:] == ["--version"]:
    print(f"modonly v{__version__}")
else:
    print("usage: python -m modonly [--version]")
