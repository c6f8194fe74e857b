"""tailor: tail log files, filtered and coloured by severity level."""

import sys


def _read_version() -> str:
    # Compiled builds carry a _version.py stamped from pyproject.toml by `pkg build`, so --version works
    # with or without bundled distribution metadata. From source, installed metadata is the truth
    # (a stale _version.py from an earlier build must not win).
    if "__compiled__" in globals() or getattr(sys, "frozen", False):
        try:
            from tailor._version import __version__ as stamped

            return stamped
        except ImportError:
            pass
    try:
        from importlib.metadata import version

        return version("tailor")
    except Exception:
        return "0+unknown"


__version__ = _read_version()
