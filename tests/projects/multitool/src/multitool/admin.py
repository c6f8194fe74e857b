"""`multitool-admin`: the second command of the same distribution."""

import os
import sys

from multitool import __version__


def main() -> int:
    args = sys.argv[1:]
    if args == ["--version"]:
        print(f"multitool-admin {__version__}")
    elif args == ["whoami"]:
        print(os.path.basename(sys.argv[0]))
    else:
        print("usage: multitool-admin [--version] [whoami]")
    return 0
