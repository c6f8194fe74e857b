"""tailor: tail log files, filtered and coloured by severity level."""

try:
    from tailor._version import __version__  # written into the wheel by hatchling's version hook
except ImportError:  # a source tree that was never built
    __version__ = "0+unknown"
