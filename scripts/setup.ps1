# Set-up for Windows runners: uv and the locked Python tools (Nuitka finds MSVC or fetches MinGW itself).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$uv = if ($env:UV) { $env:UV } else { "uv" }
if (-not (Get-Command $uv -ErrorAction SilentlyContinue)) {
    python -m pip install --quiet uv
    $uv = "uv"
}
& $uv sync --frozen
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
