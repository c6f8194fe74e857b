# Build glue for Windows: the MSVC environment when present; the build itself is `python -m pkg build`.
param([Parameter(Mandatory = $true)][string]$Target)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$uv = if ($env:UV) { $env:UV } else { "uv" }
# Nuitka finds Visual Studio through vswhere itself, or fetches MinGW (downloads are allowed in config).
& $uv run --frozen --no-sync python -m pkg build --target $Target
exit $LASTEXITCODE
