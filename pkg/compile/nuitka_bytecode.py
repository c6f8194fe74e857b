"""A Nuitka user plugin (loaded by Nuitka with --user-plugin, never imported by pkg/): every module outside the
namespaces given with --compile-to-c goes into the program as CPython bytecode, as pip's install runs it.

Why: C compilation is nearly all of a cold build's time and most of the program's size, and a dependency's
code gains little from it (a CLI's time goes into start-up and I/O). Nuitka still finds, includes and loads
those modules itself (its per-package hints apply to their source); only the code generation differs.
A decision of another plugin's (Nuitka's own: stdlib modules it needs compiled, huge generated code as
bytecode) always stands. With --compile-all-to-c every module is left to Nuitka (C), but for one rule that
holds in both modes: a package's `__main__` module is bytecode, so the program's interpreter can run it as
`python -m <package>` with __name__ == "__main__" (code compiled to C sets its own __name__).
"""

from nuitka.plugins import Plugins
from nuitka.plugins.PluginBase import NuitkaPluginBase

# Modules Nuitka makes itself, left to it (in Nuitka 4.3 a "bytecode" answer for any of them breaks the build):
# the main module and the copy its multiprocessing plugin makes of it; plugin code run before or after a
# module loads (`<module>-preLoad`, `-postLoad`); the main module of a multidist program.
MAIN = ("__main__", "__parents_main__")


class PkgBytecodeDependencies(NuitkaPluginBase):
    plugin_name = "pkg-bytecode-dependencies"
    plugin_desc = "Compile only the app's own modules to C; everything else as bytecode."

    def __init__(self, compiled, compile_all):
        self.compiled = tuple(compiled or ())
        self.compile_all = compile_all

    @classmethod
    def addPluginCommandLineOptions(cls, group):
        group.add_option("--compile-to-c", action="append", dest="compiled", default=[],
                         help="a top-level package or module compiled to C (repeatable); the rest is bytecode")
        group.add_option("--compile-all-to-c", action="store_true", dest="compile_all", default=False,
                         help="every module compiled to C (but packages' __main__ modules)")

    def decideCompilation(self, module_name):
        """"bytecode", or no opinion: the app's own modules (C, Nuitka's default), the modules Nuitka makes
        itself, and any module another plugin decides (Nuitka stops the build when two plugins disagree:
        its implicit-imports plugin puts some of coverage's own modules in as bytecode)."""
        if module_name.hasOneOfNamespaces(*MAIN) or module_name.isFakeModuleName() or \
                module_name.isMultidistModuleName() or self.decided_elsewhere(module_name):
            return None
        if module_name.asString().endswith(".__main__"):
            return "bytecode"
        if self.compile_all or module_name.hasOneOfNamespaces(*self.compiled):
            return None
        return "bytecode"

    def decided_elsewhere(self, module_name):
        if Plugins.Plugins.registered_compilation_decisions.get(module_name):
            return True
        return any(plugin.decideCompilation(module_name) is not None
                   for plugin in Plugins.active_plugins_with_decide_compilation if plugin is not self)
