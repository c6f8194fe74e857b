# Build glue for Windows: the build itself is `python -m pkg build`. The same options as scripts/build.sh
# (tests/test_twins.py compares them); signing inputs are SIGN_* environment variables (pkg/compile/sign.py).
param(
    [Parameter(Mandatory = $true, Position = 0)][string]$Target,
    [string]$Version = "",
    [string]$Backend = "",
    [string]$Fallback = ""
)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$py = if ($env:PY) { $env:PY } else { ".tools\venv\Scripts\python.exe" }
$pkg = @("-m", "pkg", "build", "--target", $Target)
if ($Version) { $pkg += @("--version", $Version) }
if ($Backend) { $pkg += @("--backend", $Backend) }
if ($Fallback) { $pkg += @("--fallback", $Fallback) }
# Nuitka finds Visual Studio through vswhere itself, or fetches MinGW (the pipeline allows the download).
& $py @pkg
exit $LASTEXITCODE
