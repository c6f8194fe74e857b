"""A Nuitka user plugin (loaded by Nuitka with --user-plugin, never imported by pkg/): calls of
importlib.metadata.entry_points() run in the program, as they run under pip, never at compile time.

Why: Nuitka 4.3.3 evaluates `entry_points(group=<constant>)` at compile time in code it compiles to C and
rebuilds each EntryPoint from its name, value and group only (nuitka/nodes/PackageMetadataNodes.py,
ExpressionImportlibMetadataEntryPointsCallMixin.replaceWithCompileTimeValue): `ep.dist` is None, so an app
that reads a plugin's or theme's distribution (mkdocs' themes: `theme.dist.name`) crashes or prints None.
It also sees the build environment's distributions, not the program's. Declining the evaluation leaves the
call to the real importlib.metadata over the distribution metadata the program carries
(--include-distribution-metadata for the app and everything it runs with). Reported upstream: see the
README's known issues; drop this plugin when the locked Nuitka keeps `dist`.
"""

from nuitka.plugins.PluginBase import NuitkaPluginBase


def at_run_time(node, trace_collection):
    """No compile-time value: the call stays a call (it may raise, as any call may)."""
    trace_collection.onExceptionRaiseExit(BaseException)
    return node, None, None


class PkgEntryPointsAtRunTime(NuitkaPluginBase):
    plugin_name = "pkg-entry-points-at-run-time"
    plugin_desc = "importlib.metadata.entry_points() runs in the program: entry points keep their distribution."

    def __init__(self):
        # imported here: Nuitka's node modules need its options parsed, which happens after plugins load
        from nuitka.nodes import PackageMetadataNodes

        # an AttributeError (the build fails) if a newer Nuitka renamed it: then look again at what it does
        PackageMetadataNodes.ExpressionImportlibMetadataEntryPointsCallMixin.replaceWithCompileTimeValue = at_run_time
