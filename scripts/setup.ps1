# Set-up for Windows runners: uv and the pipeline's locked Python tools (Nuitka finds MSVC or fetches MinGW itself).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$uv = if ($env:UV) { $env:UV } else { "uv" }
if (-not (Get-Command $uv -ErrorAction SilentlyContinue)) {
    python -m pip install --quiet uv
    $uv = "uv"
}
$env:UV_PROJECT_ENVIRONMENT = Join-Path (Get-Location) ".tools\venv"
& $uv sync --frozen --project pkg
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
