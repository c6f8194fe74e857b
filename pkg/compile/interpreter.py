"""CPython's command line, for the compiled program reached under the name `python` (its sys.executable).

Shipped inside every Nuitka build as its own module (names.INTERPRETER_MODULE) and imported by the launcher
only when the program is started under that name, so it costs the app's own commands nothing. Apps run
`[sys.executable, script]` (project generators' hooks), `[sys.executable, "-m", …]` and `[sys.executable,
"-c", …]` (plugin installers, multiprocessing's resource tracker and forkserver, loky): under pip that is
the venv's interpreter, here it is this. What it is not: a full Python installation — no pip, no venv, no
site-packages; it imports what the program bundles (the standard library, the app and what it runs with)
and what PYTHONPATH and the script's folder add.

Accepted as CPython accepts them: `-c cmd`, `-m module`, a script path (a file, a folder or zip with
__main__.py), `-` or no argument (stdin; an interactive prompt on a terminal), and the flags -u -B -E -I
-P -s -S -q -i -b -d -O -v -x -W arg -X opt (-V/--version, -h/--help). Flags that set what CPython fixes at
start-up (-O, -b, -d, -v, -s, -S) are accepted and have no further effect; sys.flags stays the program's.
Nothing here is imported by pkg/: it runs inside the compiled program only (and under CPython in tests).
"""

import os
import sys
from importlib.machinery import PathFinder

# Options that take a value: in the same argument (-Wignore) or the next (-W ignore).
WITH_VALUE = "cmWX"
NO_VALUE = "bBdEhiIOPqsSuvVx"
# multiprocessing's resource tracker, as Nuitka's copy of the standard library starts it
TRACKER = "--multiprocessing-resource-tracker"


class UsageError(Exception):
    pass


def parse(argv):
    """(flags: a dict of letter -> True or a list of values, what runs: ("c"|"m"|"script"|"stdin", value),
    the arguments after it). argv is without the program's own name."""
    flags, i = {}, 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if arg == TRACKER and i + 1 < len(argv):  # Nuitka's stdlib starts the tracker so, not with -c
            return flags, ("c", f"from multiprocessing.resource_tracker import main; main({int(argv[i + 1])})"), []
        if arg in ("--version", "--help"):
            flags[arg[2].upper() if arg == "--version" else "h"] = True
            i += 1
            continue
        if not arg.startswith("-") or arg == "-":
            break
        j = 1
        while j < len(arg):
            letter = arg[j]
            if letter in WITH_VALUE:
                value = arg[j + 1:]
                if not value:
                    i += 1
                    if i >= len(argv):
                        raise UsageError(f"Argument expected for the -{letter} option")
                    value = argv[i]
                if letter in "cm":
                    return flags, (letter, value), argv[i + 1:]
                flags.setdefault(letter, []).append(value)
                break
            if letter not in NO_VALUE:
                raise UsageError(f"Unknown option: -{letter}")
            flags[letter] = True
            j += 1
        i += 1
    if i < len(argv) and argv[i] != "-":
        return flags, ("script", argv[i]), argv[i + 1:]
    return flags, ("stdin", "-" if i < len(argv) else ""), argv[i + 1:]


def isolated(flags) -> bool:
    return bool(flags.get("E") or flags.get("I"))


def apply(flags) -> None:
    """What the flags change in a running interpreter."""
    if flags.get("u") or (os.environ.get("PYTHONUNBUFFERED") and not isolated(flags)):
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.reconfigure(write_through=True)
    if flags.get("B"):
        sys.dont_write_bytecode = True
    for option in flags.get("X", []):
        key, _, value = option.partition("=")
        sys._xoptions[key] = value or True
    if flags.get("W"):
        import warnings

        sys.warnoptions.extend(flags["W"])
        warnings._processoptions(flags["W"])


def pythonpath() -> list:
    """PYTHONPATH's entries, made absolute as CPython's site makes them."""
    return [os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]


FRONT = []  # path entries searched before the bundled modules, in order


class FrontFinder:
    """Finds modules in FRONT before Nuitka's loader does, as CPython's sys.path puts the script's folder and
    PYTHONPATH before the standard library and site-packages (builtin and frozen modules still come first)."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if path is None:
            return PathFinder.find_spec(name, FRONT, target)
        if any(str(entry).startswith(front + os.sep) for entry in path for front in FRONT):
            return PathFinder.find_spec(name, path, target)  # a submodule of a package found in FRONT
        return None

    @classmethod
    def invalidate_caches(cls):
        pass


def put_first(entries: list, at: int) -> None:
    """Search `entries` before the bundled modules; on sys.path at index `at` (after the script's folder)."""
    if not entries:
        return
    FRONT[at:at] = entries
    sys.path[at:at] = entries
    if FrontFinder not in sys.meta_path:
        builtin = [i for i, f in enumerate(sys.meta_path) if getattr(f, "__name__", "") in ("BuiltinImporter",
                                                                                              "FrozenImporter")]
        sys.meta_path.insert(max(builtin, default=-1) + 1, FrontFinder)


def fresh_main(**attrs):
    """A new __main__ module, as CPython's is before it runs anything."""
    import types

    main = types.ModuleType("__main__")
    main.__dict__.update(__builtins__=__builtins__, **attrs)
    sys.modules["__main__"] = main
    return main


def run_module(name: str) -> None:
    """`-m name`, as runpy does it. A module the program bundles has no source to hand runpy (Nuitka's loader
    keeps no get_code), so the loader runs it for a module whose __dict__ says __main__."""
    import importlib.util
    import runpy

    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ModuleNotFoundError(f"No module named {name}")
    if spec.submodule_search_locations is not None:
        name = name + ".__main__"
        spec = importlib.util.find_spec(name)
        if spec is None:
            raise ImportError(f"No module named {name}; '{name[:-9]}' is a package and cannot be directly executed")
    if hasattr(spec.loader, "get_code"):
        runpy.run_module(name, run_name="__main__", alter_sys=True)
        return
    import types

    class Main(types.ModuleType):
        # Nuitka's loader looks the module up by this name; the code itself sees __name__ == "__main__"
        __name__ = property(lambda self: name)

    main = Main(name)
    main.__dict__.update(__name__="__main__", __spec__=spec, __loader__=spec.loader,
                         __package__=name.rpartition(".")[0], __builtins__=__builtins__)
    sys.modules["__main__"] = main
    sys.argv[0] = spec.origin or name
    try:
        spec.loader.exec_module(main)
    finally:
        if sys.modules.get(name) is main:  # CPython's -m leaves the module itself unimported
            del sys.modules[name]


def run_source(source, filename: str, main) -> None:
    exec(compile(source, filename, "exec", dont_inherit=True), main.__dict__)


def main(argv) -> None:
    """Run CPython's command line `argv` (without the program's name)."""
    try:
        flags, (kind, value), rest = parse(argv)
    except UsageError as exc:
        print(f"{exc}\nusage: python [option] ... [-c cmd | -m mod | file | -] [arg] ...", file=sys.stderr)
        sys.exit(2)
    if flags.get("V"):
        print("Python " + sys.version.split()[0])
        return
    if flags.get("h"):
        print("usage: python [option] ... [-c cmd | -m mod | file | -] [arg] ...\n"
              "(the interpreter of a compiled program: it runs what the program bundles)")
        return
    apply(flags)
    put_first([] if isolated(flags) else pythonpath(), 0)
    if not (flags.get("I") or flags.get("P")):  # the script's folder (else the working directory) first
        first = os.path.dirname(os.path.realpath(value)) if kind == "script" else os.getcwd()
        put_first([first], 0)
        sys.path[0] = "" if kind in ("c", "stdin") else first
    if kind == "c":
        sys.argv[:] = ["-c", *rest]
        run_source(value, "<string>", fresh_main())
    elif kind == "m":
        sys.argv[:] = [value, *rest]
        run_module(value)
    elif kind == "script":
        import runpy

        sys.argv[:] = [value, *rest]
        runpy.run_path(value, run_name="__main__")
    else:
        sys.argv[:] = [value, *rest]
        main = fresh_main()
        if sys.stdin.isatty() and value == "":
            interact(main, flags)
            return
        run_source(sys.stdin.read(), "<stdin>", main)
    if flags.get("i"):
        interact(sys.modules["__main__"], flags)


def interact(main, flags) -> None:
    import code

    banner = "" if flags.get("q") else f"Python {sys.version} on {sys.platform}"
    code.interact(banner=banner, local=main.__dict__, exitmsg="")
