"""multitool: a fixture app with two commands."""

__version__ = "1.4.0"
