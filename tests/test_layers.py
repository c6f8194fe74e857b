"""pkg/'s imports only point down, and no module imports itself round a circle: read from the source (AST), every
import counted, those inside functions and under TYPE_CHECKING too (a lazy import is still a dependency).

  core < project < compile < release < channels < the pipeline's top (check, init, plan, pipeline) < __main__
  dev (benchmarks, linters) may use everything below __main__; nothing but __main__ uses it.
"""

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "pkg"
LAYERS = ("core", "project", "compile", "release", "channels", "top", "dev", "__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PKG.rglob("*.py")}


def imports(path: Path, known: set[str]) -> set[str]:
    """The pkg modules `path` imports (`from pkg.compile import build_test` is pkg.compile.build_test; a package,
    itself)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                      for a in node.names}
        elif isinstance(node, ast.ImportFrom):  # relative: pkg/ never uses them; say so if one appears
            found.add(f"relative import in {path.name}")
    return {m for m in found if m in known or m.startswith("relative")}


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "top"  # pkg/__init__.py
    if parts[1] in LAYERS:
        return parts[1]
    return "top"  # pkg/check.py, init.py, plan.py, pipeline.py


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, set(known)) - {name} for name, path in known.items()}


def test_every_import_points_down():
    upward = []
    for module, targets in graph().items():
        for target in targets:
            assert not target.startswith("relative"), f"{module}: {target}"
            here, there = LAYERS.index(layer(module)), LAYERS.index(layer(target))
            if there > here:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_cycle():
    edges = graph()
    cycles, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycles.append(" -> ".join(path[path.index(node):] + [node]))
            return
        if node in done:
            return
        for nxt in sorted(edges.get(node, ())):
            visit(nxt, path + [node])
        done.add(node)

    for node in sorted(edges):
        visit(node, [])
    assert cycles == []


@pytest.mark.parametrize("source, expected", [
    ("from pkg.compile import build_test\n", {"pkg.compile.build_test"}),
    ("def f():\n    from pkg.core.model import App\n", {"pkg.core.model"}),
    ("import pkg.release.notes\n", {"pkg.release.notes"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.compile.context import BuildEnv\n",
     {"pkg.compile.context"}),
])
def test_the_reader_sees_every_kind_of_import(tmp_path, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source)
    assert imports(path, set(modules())) == expected


def test_one_spelling_of_license():
    """PEP 639's (and SPDX's, CycloneDX's, Homebrew's): "license". The British spelling stays only as a file
    name the pipeline looks for in projects (LICENCE, beside LICENSE and COPYING)."""
    found = [f"{path.relative_to(PKG.parent)}:{n}" for path in [*PKG.rglob("*.py"), *PKG.rglob("*.json")]
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "licence" in line.replace('"LICENCE"', "").lower()]
    assert not found, found


def test_no_local_name_shadows_an_imported_module():
    """A local `names` or `proc` in a module that imports pkg.core.names or .proc reads as the module and is not:
    no function binds (argument, assignment, loop) a name the same file imports."""
    shadows = []
    for path in PKG.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported |= {a.asname or a.name for a in node.names}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                bound = {n.arg for n in ast.walk(node) if isinstance(n, ast.arg)}
                bound |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
                shadows += [f"{path.relative_to(PKG.parent)}:{node.lineno}: {name}" for name in bound & imported]
    assert not shadows, shadows


def test_every_tool_and_the_app_under_test_start_in_pkg_core_proc():
    """One home for starting programs (a scratch working directory by default, one-line failures, the app under
    test in its own process group): no other module of pkg/ calls subprocess to start one."""
    starters = {"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput"}
    found = []
    for path in PKG.rglob("*.py"):
        if path == PKG / "core" / "proc.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in starters and isinstance(node.value, ast.Name) \
                    and node.value.id == "subprocess":
                found.append(f"{path.relative_to(PKG)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "subprocess" \
                    and starters & {a.name for a in node.names}:
                found.append(f"{path.relative_to(PKG)}:{node.lineno}")
    assert found == []
