"""`multitool`: its version from the distribution's metadata (as click's version_option reads it), package
data through importlib.resources, plugins through entry points with their distribution, the user's own
Python files run, worker processes, Python run through sys.executable, and its own generators and coroutines
under `inspect` and `types` — what apps do that a compiled program must do as pip's install does."""

import sys
from importlib import metadata, resources
from pathlib import Path


def main() -> int:
    args = sys.argv[1:]
    if args == ["--version"]:
        print(f"multitool, version {metadata.version('multi-tool')}")  # click's wording
    elif args == ["--help"] or not args:
        print("usage: multitool [--version] [greet | plugins]")
    elif args == ["greet"]:
        print(resources.files("multitool").joinpath("data/greeting.txt").read_text(encoding="utf-8").strip())
    elif args == ["plugins"]:
        for entry in sorted(metadata.entry_points(group="multitool.plugins"), key=lambda e: e.name):
            print(f"{entry.name}: {entry.load()()}")
    elif args == ["plugin-dists"]:  # what a theme or plugin listing prints (mkdocs, mdformat)
        for entry in sorted(metadata.entry_points(group="multitool.plugins"), key=lambda e: e.name):
            print(f"{entry.name}: from {entry.dist.name} {entry.dist.version}")
    elif args[:1] == ["run"] and len(args) == 2:  # a tasks file, a hook, a plugin folder: the user's own code
        import runpy

        runpy.run_path(args[1], run_name="__main__")
    elif args[:1] == ["workers"] and len(args) == 2:  # spawn | forkserver | fork
        print(workers(args[1]))
    elif args == ["python"]:  # Python run through sys.executable, as project generators and installers do
        python()
    elif args[:1] == ["introspect"] and args[1:] in (["types-first"], ["inspect-first"]):
        introspect(args[1])
    elif args == ["frozen"]:  # what frozen-aware code asks (PyInstaller's convention)
        bundled = getattr(sys, "_MEIPASS", None)
        found = bundled and (Path(bundled) / "multitool" / "data" / "greeting.txt").is_file()
        print(f"frozen: {getattr(sys, 'frozen', False)}; bundled data under sys._MEIPASS: {bool(found)}")
    elif args == ["optional"]:
        try:
            import zstandard  # the build's own tool, in the same venv: never this app's requirement
        except ImportError:
            print("zstandard: not installed")
        else:
            print(f"zstandard: {zstandard.__version__}")
    else:
        print(f"multitool: unknown arguments {args}", file=sys.stderr)
        return 2
    return 0


def square(n: int) -> int:
    return n * n


def workers(method: str) -> str:
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context(method)
    with context.Pool(2) as pool:
        pooled = pool.map(square, range(6))
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as executor:
        executed = list(executor.map(square, range(6)))
    queue = context.Queue()  # a semaphore: the resource tracker runs (spawn, forkserver)
    worker = context.Process(target=queue.put, args=("from a Process",))
    worker.start()
    got = queue.get(timeout=60)
    worker.join()
    return f"{method}: pool {pooled}, executor {executed}, {got}, exit {worker.exitcode}"


def python() -> None:
    import subprocess

    def run(*args: str, stdin: str | None = None) -> None:
        done = subprocess.run([sys.executable, *args], input=stdin, capture_output=True, text=True)
        print(f"{args[0]} -> exit {done.returncode}: {done.stdout.strip()} {done.stderr.strip()[-80:]}".strip())

    run("-c", "import sys, sqlite3; print(sys.argv, sqlite3.sqlite_version_info > (3,))", "an argument")
    run("-m", "json.tool", stdin='{"b": [1, 2], "a": null}')
    run("hook.py", "first")  # a project generator's hook: a script beside the working directory
    run("-I", "-c", "import multitool; print(multitool.__name__)")
    run("-", stdin="import uuid; print(uuid.UUID(int=1))")
    run("-c", "import sys; sys.exit(3)")


def counter():
    yield 1


async def answer():
    return 42


def sent_back():
    value = yield "tick"
    return value


def introspect(order: str) -> None:
    """Compiled generators and coroutines (this module is compiled to C) under `inspect` and `types`: the
    compiler's replacements for them go in when the app imports those modules (pkg/compile/nuitka_patch.py)."""
    print(f"inspect imported at start: {'inspect' in sys.modules}")
    for check in (coroutine_checks, inspect_checks) if order == "types-first" else (inspect_checks, coroutine_checks):
        check()


def coroutine_checks() -> None:
    import types

    wrapped = types.coroutine(sent_back)

    async def main():
        return await wrapped()

    running = main()
    print(f"types.coroutine keeps the function: {wrapped is sent_back}; first send: {running.send(None)}", end="")
    try:
        running.send(42)
    except StopIteration as stop:
        print(f"; awaited: {stop.value}")


def inspect_checks() -> None:
    import inspect

    generator = counter()
    states = [inspect.getgeneratorstate(generator)]
    next(generator)
    states.append(inspect.getgeneratorstate(generator))
    generator.close()
    states.append(inspect.getgeneratorstate(generator))
    coroutine = answer()
    states.append(inspect.getcoroutinestate(coroutine))
    coroutine.close()
    states.append(inspect.getcoroutinestate(coroutine))
    print("states:", " ".join(states))

    def inner():
        return [frame.function for frame in inspect.stack()[:2]]
    print("stack:", inner(), "frame info:", inspect.getframeinfo(sys._getframe()).function)
