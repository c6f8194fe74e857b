# Install @APP@ on Windows: download the zip for this machine, verify it against SHA256SUMS, unpack it
# into %LOCALAPPDATA%\@APP@ and add that folder to the user PATH.
# Written by the release pipeline (pkg/channels/install_scripts.py from its templates/) from the same data
# as install.sh; kept thin because it cannot be run where the pipeline is tested (no PowerShell there).
#
#   powershell -ExecutionPolicy Bypass -File install.ps1 [-Prefix DIR] [-BaseUrl URL] [-Target OS-ARCH]
#   environment: @ENV@_PREFIX, @ENV@_BASE_URL, @ENV@_TARGET
#
# A failed download, a checksum mismatch or a missing build stops before anything is installed.
param(
    [string]$Prefix = $(if ($env:@ENV@_PREFIX) { $env:@ENV@_PREFIX } else { Join-Path $env:LOCALAPPDATA '@APP@' }),
    [string]$BaseUrl = $(if ($env:@ENV@_BASE_URL) { $env:@ENV@_BASE_URL } else { @BASE_URL@ }),
    [string]$Target = $env:@ENV@_TARGET
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'  # the progress bar makes Invoke-WebRequest very slow
$App = '@APP@'
$Version = @VERSION@
$Sums = '@SUMS@'

# PROCESSOR_ARCHITECTURE -> arch: generated from pkg/core/targets.py (the table install.sh and make use).
$ArchNames = @{
@ARCH_TABLE@
}
if (-not $Target) {
    $Machine = if ($env:PROCESSOR_ARCHITEW6432) { $env:PROCESSOR_ARCHITEW6432 } else { $env:PROCESSOR_ARCHITECTURE }
    if (-not $ArchNames.ContainsKey($Machine)) { throw "unsupported architecture '$Machine'" }
    $Target = "windows-$($ArchNames[$Machine])"
}
$BaseUrl = $BaseUrl.TrimEnd('/')
$Archive = "@ARCHIVE@"
$Tmp = Join-Path ([IO.Path]::GetTempPath()) ("$App-install-" + [Guid]::NewGuid())
New-Item -ItemType Directory -Path $Tmp | Out-Null
try {
    Write-Host "$App $Version for $Target from $BaseUrl/"
    Invoke-WebRequest -UseBasicParsing -Uri "$BaseUrl/$Sums" -OutFile (Join-Path $Tmp $Sums)
    $Line = Get-Content (Join-Path $Tmp $Sums) |
        Where-Object { ($_ -split '\s+\*?', 2)[1] -eq $Archive } | Select-Object -First 1
    if (-not $Line) { throw "no $App build for $Target in release ${Version}: $Sums lists no $Archive (nothing installed)" }
    $Expected = ($Line -split '\s+')[0].ToLowerInvariant()
    $Zip = Join-Path $Tmp $Archive
    Invoke-WebRequest -UseBasicParsing -Uri "$BaseUrl/$Archive" -OutFile $Zip
    $Actual = (Get-FileHash -Algorithm SHA256 $Zip).Hash.ToLowerInvariant()
    if ($Actual -ne $Expected) {
        throw "checksum mismatch for ${Archive}: $Sums says $Expected, download is $Actual (nothing installed)"
    }
    Write-Host "verified $Archive (sha256 $Actual)"
    Expand-Archive -Path $Zip -DestinationPath (Join-Path $Tmp 'x')
    $Top = Join-Path (Join-Path $Tmp 'x') "@TOP@"
    if (-not (Test-Path (Join-Path $Top '@MAIN@'))) { throw "$Archive has no @TOP@\@MAIN@ (nothing installed)" }

    # Copy beside the final folder first (temp may be another volume), then swap by renaming.
    New-Item -ItemType Directory -Force -Path (Split-Path -Parent $Prefix) | Out-Null
    $New = "$Prefix.new-$PID"
    $Old = "$Prefix.old-$PID"
    Copy-Item -Recurse -Path $Top -Destination $New
    if (Test-Path $Prefix) { Move-Item -Path $Prefix -Destination $Old }
    Move-Item -Path $New -Destination $Prefix
    if (Test-Path $Old) { Remove-Item -Recurse -Force $Old }
    Write-Host "installed $App $Version ($Target) into $Prefix"

    $UserPath = [Environment]::GetEnvironmentVariable('Path', 'User')
    $Parts = @($UserPath -split ';' | Where-Object { $_ })
    if ($Parts -notcontains $Prefix) {
        [Environment]::SetEnvironmentVariable('Path', (($Parts + $Prefix) -join ';'), 'User')
        Write-Host "added $Prefix to the user PATH (open a new terminal to use $App)"
    }
} finally {
    Remove-Item -Recurse -Force $Tmp -ErrorAction SilentlyContinue
}
