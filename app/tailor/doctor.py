"""`tailor doctor`: checks the hazards that break compiled apps, one boolean each."""

import sys

import tailor


def checks() -> dict[str, object]:
    report: dict[str, object] = {"version": tailor.__version__, "python": sys.version.split()[0]}
    # Nuitka defines __compiled__ in every compiled module; PyInstaller sets sys.frozen.
    report["compiled"] = "__compiled__" in globals() or bool(getattr(sys, "frozen", False))
    try:
        from tailor.levels import load_levels

        report["data_file"] = len(load_levels()) > 0
    except (OSError, ValueError, KeyError):
        report["data_file"] = False
    try:
        import psutil

        report["native_module"] = psutil.Process().memory_info().rss > 0
        report["rss_mb"] = round(psutil.Process().memory_info().rss / 2**20, 1)
    except ImportError:
        report["native_module"] = False
    try:
        from tailor import platforms

        report["platform_module"] = platforms.load().NAME in ("posix", "windows")
    except ImportError:
        report["platform_module"] = False
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        scripts = distribution("tailor").entry_points.select(group="console_scripts")
        report["metadata"] = "tailor" in scripts.names  # the distribution's metadata shipped whole
    except PackageNotFoundError:
        report["metadata"] = False
    return report


# The keys that must all be true in a healthy build; the smoke test reads them.
REQUIRED = ("compiled", "data_file", "native_module", "platform_module", "metadata")
