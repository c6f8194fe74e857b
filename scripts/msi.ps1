# MSI glue for the Windows runner: WiX 5.0.2 builds wix/app.wxs; the values, the ProductCode check and
# the artifact record are Python's (`python -m pkg msi --print-wix-vars` / `--record`, tested on Linux).
# Untested here: Linux has no PowerShell, dotnet, WiX or Windows Installer COM, so keep this file thin.
# The same options as scripts/msi.sh (tests/test_twins.py compares them); signing inputs are SIGN_*
# environment variables (pkg/compile/sign.py).
param([string]$Target = "", [string]$Version = "", [string]$Dist = "", [string]$Root = "")
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$py = if ($env:PY) { $env:PY } else { ".tools\venv\Scripts\python.exe" }
$pkg = if ($Root) { @("-m", "pkg", "--root", $Root, "msi") } else { @("-m", "pkg", "msi") }
if ($Target) { $pkg += @("--target", $Target) }
if ($Version) { $pkg += @("--version", $Version) }
if ($Dist) { $pkg += @("--dist", $Dist) }

# WiX 5.0.2 as a global dotnet tool (v6 adds the OSMF EULA, v7 needs `wix eula accept`).
$wixVersion = "5.0.2"
$env:PATH = "$env:USERPROFILE\.dotnet\tools;$env:PATH"
$have = if (Get-Command wix -ErrorAction SilentlyContinue) { (& wix --version) -join "" } else { "" }
if (-not $have.StartsWith($wixVersion)) {
    if ($have) { & dotnet tool uninstall --global wix | Out-Null }
    & dotnet tool install --global wix --version $wixVersion
    if ($LASTEXITCODE -ne 0) { throw "dotnet tool install wix $wixVersion failed" }
}

# The plan: the .wxs files (app.wxs and the generated files.wxs), staging output, -d variables (absolute paths).
$json = & $py @pkg --print-wix-vars
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
$plan = ($json -join "`n") | ConvertFrom-Json

# The programs were signed by the build (pkg/compile/sign.py) before the zip was made; --record signs the MSI.
$defs = foreach ($p in $plan.vars.PSObject.Properties) { "-d"; "$($p.Name)=$($p.Value)" }
& wix build @($plan.wxs) -arch x64 @defs -o $plan.out
if ($LASTEXITCODE -ne 0) { throw "wix build failed" }

# ProductCode from the database itself (Windows Installer COM, read-only), then release the file.
$installer = New-Object -ComObject WindowsInstaller.Installer
$db = $installer.GetType().InvokeMember("OpenDatabase", "InvokeMethod", $null, $installer, @($plan.out, 0))
$query = "SELECT ``Value`` FROM ``Property`` WHERE ``Property`` = 'ProductCode'"
$view = $db.GetType().InvokeMember("OpenView", "InvokeMethod", $null, $db, @($query))
$view.GetType().InvokeMember("Execute", "InvokeMethod", $null, $view, $null) | Out-Null
$row = $view.GetType().InvokeMember("Fetch", "InvokeMethod", $null, $view, $null)
if ($null -eq $row) { throw "no ProductCode in $($plan.out)" }
$code = $row.GetType().InvokeMember("StringData", "GetProperty", $null, $row, 1)
$view.GetType().InvokeMember("Close", "InvokeMethod", $null, $view, $null) | Out-Null
foreach ($o in @($row, $view, $db, $installer)) { [void][Runtime.InteropServices.Marshal]::ReleaseComObject($o) }
[GC]::Collect(); [GC]::WaitForPendingFinalizers()

# Python checks the code against the derived one, signs the MSI (SIGN_*), moves it into dist/ and records it.
& $py @pkg --record $plan.out --product-code $code
exit $LASTEXITCODE
