"""Chooses the platform module at run time by name: a hazard for compilers that follow imports."""

import importlib
import os
from types import ModuleType


def load() -> ModuleType:
    return importlib.import_module("tailor.platform_" + ("windows" if os.name == "nt" else "posix"))
