"""pkg.pslint: the real tree-sitter PowerShell grammar (PowerShell itself cannot run here)."""

import pytest

from pkg.dev import pslint

from .conftest import ROOT

GOOD = """param([Parameter(Mandatory = $true)][string]$Target)
$ErrorActionPreference = "Stop"
$uv = if ($env:UV) { $env:UV } else { "uv" }
try { & $uv run --frozen --no-sync python -m pkg build --target $Target } catch { Write-Error $_; exit 1 }
$h = Get-FileHash -Algorithm SHA256 $Target | Select-Object -ExpandProperty Hash
[Environment]::SetEnvironmentVariable("Path", "$env:LOCALAPPDATA\\x;$env:Path", "User")
exit $LASTEXITCODE
"""


def test_the_project_scripts_parse():
    scripts = sorted((ROOT / "scripts").glob("*.ps1"))
    assert scripts
    assert pslint.check(scripts) == []


def test_a_good_script_with_a_bom_parses(tmp_path):
    path = tmp_path / "good.ps1"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert pslint.check([path]) == []


@pytest.mark.parametrize("bad, line", [
    ('if ($x) {\n  Write-Host "hi"\n', 2),          # unclosed brace: reported at the last statement
    ('$a = 1\n$b = @(1, 2\nWrite-Host $b\n', 2),    # unclosed array
    ('Write-Host "ok"\nGet-Item "x\n', 2),          # unterminated string
])
def test_a_broken_script_is_reported_with_its_line(tmp_path, bad, line):
    path = tmp_path / "bad.ps1"
    path.write_text(bad)
    (problem,) = pslint.check([path])
    assert problem.startswith(f"{path}:")
    assert int(problem.split(":")[1]) == line
