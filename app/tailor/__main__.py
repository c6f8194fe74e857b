"""Entry point. `--version` takes a fast path that never imports the CLI framework."""

import sys


def main() -> int:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from tailor import __version__

        sys.stdout.write(f"tailor {__version__}\n")
        return 0
    from tailor.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
