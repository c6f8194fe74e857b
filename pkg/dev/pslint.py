"""PowerShell syntax check without PowerShell (which cannot be had here): every .ps1 is parsed with the
tree-sitter PowerShell grammar and the first error is reported as file:line:col. It is a grammar, not
PowerShell's own parser: it catches unbalanced braces, brackets and quotes and malformed statements,
not every error PowerShell would (and it wants a newline after a one-line `param(...)` block)."""

import sys
from pathlib import Path

import tree_sitter
import tree_sitter_powershell

from pkg.core.errors import PkgError

BOM = b"\xef\xbb\xbf"


def _first_error(node):
    if node.is_error or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = _first_error(child)
            if found is not None:
                return found
    return None


def check(paths: list[Path]) -> list[str]:
    """One line per file that does not parse: `path:line:col: syntax error near '…'`."""
    parser = _parser()
    problems = []
    for path in paths:
        source = path.read_bytes().removeprefix(BOM)
        root = parser.parse(source).root_node
        node = _first_error(root) if root.has_error else None
        if node is not None:
            row, col = node.start_point
            near = source[node.start_byte:node.end_byte].decode("utf-8", "replace").splitlines() or [""]
            what = "missing " + node.type if node.is_missing else f"syntax error near {near[0][:40]!r}"
            problems.append(f"{path}:{row + 1}:{col + 1}: {what}")
    return problems


def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def parameters(path: Path) -> dict[str, set[str]]:
    """A script's own param(...) block: parameter name (lower case, as PowerShell matches them) -> the
    names of its attributes' arguments (`Mandatory`, `Position`…). Lets tests compare a script with its
    bash twin without PowerShell."""
    source = path.read_bytes().removeprefix(BOM)
    block = next((n for n in _parser().parse(source).root_node.children if n.type == "param_block"), None)
    if block is None:
        return {}

    def text(node) -> str:
        return source[node.start_byte:node.end_byte].decode()

    def names_under(node, kind: str) -> list[str]:
        found = [text(node)] if node.type == kind else []
        return found + [name for child in node.children for name in names_under(child, kind)]

    params = {}
    for param in (n for n in block.named_children[0].named_children if n.type == "script_parameter"):
        variable = next(n for n in param.named_children if n.type == "variable")
        params[text(variable).lstrip("$").lower()] = set(names_under(param, "simple_name"))
    return params


def _run(args) -> None:
    paths = [Path(p) for p in args.paths] or sorted(Path(args.root).joinpath("scripts").glob("*.ps1"))
    problems = check(paths)
    for line in problems[:-1]:
        print(line, file=sys.stderr)
    if problems:
        raise PkgError(problems[-1])
    print(f"ok: {len(paths)} PowerShell file(s) parse")


def add_parser(stages) -> None:
    sub = stages.add_parser("lint-ps1", help="syntax-check PowerShell scripts (tree-sitter grammar)")
    sub.add_argument("paths", nargs="*", help=".ps1 files (default: scripts/*.ps1)")
    sub.set_defaults(func=_run)
