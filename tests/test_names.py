"""Every file and folder name the pipeline makes comes from pkg/core/names.py: no other module spells one.

The scan reads every module's string literals (f-string pieces included, docstrings and prose left out)
and looks for the suffixes and fixed names of what the pipeline writes. A literal with whitespace is prose
(a help line, an error message) and may mention a name; a literal without is a name being built.
"""

import ast
import re
from pathlib import Path

import pytest

from pkg.core import names

from .conftest import ROOT

PKG = ROOT / "pkg"
NAMED = re.compile(r"""
    \.tar\.gz | \.zip\b | \.msi\b | \.sha256\b | \.cdx\.json | \.report\.xml | \.licenses\b | \.rb\b
  | \.installer\.yaml | \.locale\. | SHA256SUMS | LICENSES\b | CHANGELOG\.md | manifest\.json
  | install\.(sh|ps1)\b | __pkg_main__ | \.bin\b | \.dist\b(?!-info)""", re.VERBOSE)
ALLOWED = {
    ("pkg/channels/homebrew.py", "formula.rb"): "the template's own file name in pkg/channels/templates/",
    ("pkg/project/wheel.py", ".bin"): "a suffix of data files Nuitka's package data skips, not a name we make",
}


def literals(path: Path):
    """(line, text) of each string literal that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def spelled_names(path: Path, root: Path = ROOT) -> list[str]:
    where = path.relative_to(root).as_posix()
    return [f"{where}:{line}: {text!r}" for line, text in literals(path)
            if not re.search(r"\s", text) and NAMED.search(text) and (where, text) not in ALLOWED]


def test_no_module_but_names_spells_a_file_name():
    modules = [p for p in PKG.rglob("*.py") if p != PKG / "core" / "names.py"]
    assert len(modules) > 40  # the scan sees the whole package
    found = [hit for path in modules for hit in spelled_names(path)]
    assert not found, "build these names with pkg.core.names:\n" + "\n".join(found)


def test_the_scan_finds_a_name_built_elsewhere(tmp_path):
    """The oracle works: the ways a module could build a name are all caught, prose is not."""
    module = tmp_path / "probe.py"
    module.write_text('SUMS = "SHA256SUMS"\n'
                      'def archive(stem):\n    return f"{stem}.tar.gz"\n'
                      'def note(x):\n    """Writes CHANGELOG.md."""\n    return f"wrote the .sha256 of {x}"\n')
    assert [hit.split(": ", 1)[1] for hit in spelled_names(module, tmp_path)] == ["'SHA256SUMS'", "'.tar.gz'"]


def test_each_allowance_is_still_needed():
    for where, text in ALLOWED:
        assert text in dict(literals(ROOT / where)).values(), f"{where} no longer spells {text!r}"


@pytest.mark.parametrize("target", ["linux-x86_64", "macos-arm64", "windows-x86_64"])
def test_names_of_one_build(target):
    os_name = target.split("-")[0]
    assert names.archive("tool", target) == "tool-" + target + (".zip" if os_name == "windows" else ".tar.gz")
    assert names.build_manifest("tool", target) == f"tool-{target}.json"
    assert Path(names.build_manifest("tool", target)).match(names.build_manifest_glob(target))
    assert names.program("tool", os_name) == "tool" + (".exe" if os_name == "windows" else "")
    assert names.checksum(names.archive("tool", target)).endswith(".sha256")
    assert names.is_checksum(names.checksum("x")) and not names.is_checksum("x")


def test_the_windows_target_is_the_target_tables():
    from pkg.core import targets

    assert names.WINDOWS_TARGET in targets.DEFAULT_TARGETS and names.WINDOWS_TARGET.startswith("windows-")
    assert names.msi("tool") == f"tool-{names.WINDOWS_TARGET}.msi"


def test_repository_layouts():
    assert names.winget_in_repo("Example.MyTool", "0.2.0") == Path("winget/manifests/e/Example/MyTool/0.2.0")
    assert names.formula_in_tap("tool") == Path("homebrew/Formula/tool.rb")
    assert names.scoop_in_bucket("tool") == Path("scoop/tool.json")
