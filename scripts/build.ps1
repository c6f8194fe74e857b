# Build glue for Windows: the MSVC environment when present; the build itself is `python -m pkg build`.
param([Parameter(Mandatory = $true)][string]$Target, [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$py = if ($env:PY) { $env:PY } else { ".tools\venv\Scripts\python.exe" }
# Nuitka finds Visual Studio through vswhere itself, or fetches MinGW (the pipeline allows the download).
& $py -m pkg build --target $Target @Rest
exit $LASTEXITCODE
