#Requires -Version 7.2
<#
.SYNOPSIS
    Runs the Pester suite (tests/pester/*.Tests.ps1) against the BUILT module and writes a summary for build.ps1.
.DESCRIPTION
    Uses an installed Pester 5 when there is one; otherwise the Pester 5.7.1 NuGet package that the test project's
    PackageDownload item restores into the NuGet cache (its tools/ folder is the module).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # The emulator module (its own module, so its dependencies load in its own context); by default the folder beside -ModulePath.
    [string] $EmulatorModulePath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string[]] $Path = (Join-Path $PSScriptRoot 'pester'),
    [string[]] $Tag,
    [string[]] $ExcludeTag
)
$ErrorActionPreference = 'Stop'

function Find-Pester {
    $installed = Get-Module -ListAvailable Pester | Where-Object { $_.Version -ge [version]'5.0' } | Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) { return $installed.Path }
    $cache = $env:NUGET_PACKAGES
    if (-not $cache) {
        $line = & dotnet nuget locals global-packages --list 2>$null | Select-Object -First 1
        if ($line -match 'global-packages:\s*(.+)$') { $cache = $Matches[1].Trim() }
    }
    if (-not $cache) { $cache = Join-Path $HOME '.nuget/packages' }
    $psd1 = Join-Path $cache 'pester/5.7.1/tools/Pester.psd1'
    if (Test-Path $psd1) { return $psd1 }
    throw "Pester 5 was not found: not installed, and not at $psd1. Run 'dotnet restore tests/RunCloud.PowerShell.Tests' (it downloads Pester 5.7.1) and try again."
}

Import-Module (Find-Pester) -Force
$env:RUNCLOUD_TEST_MODULE_PATH = (Resolve-Path $ModulePath).Path
if (-not $EmulatorModulePath) { $EmulatorModulePath = Join-Path (Split-Path -Parent $env:RUNCLOUD_TEST_MODULE_PATH) 'RunCloud.PowerShell.Emulator' }
$env:RUNCLOUD_TEST_EMULATOR_MODULE_PATH = (Resolve-Path $EmulatorModulePath).Path

$config = New-PesterConfiguration
# From -File, several paths arrive as one comma-separated string.
$config.Run.Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Normal'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultPath
if ($Tag) { $config.Filter.Tag = $Tag }
if ($ExcludeTag) { $config.Filter.ExcludeTag = $ExcludeTag }

$result = $null
try {
    $result = Invoke-Pester -Configuration $config
}
catch {
    Write-Host "Pester itself failed: $_" -ForegroundColor Red
}

# A run that did not happen, or ran nothing, is a failure: it must never read as green.
if ($null -eq $result -or ($result.PassedCount + $result.FailedCount + $result.SkippedCount + $result.NotRunCount) -eq 0) {
    Write-Host 'ERROR: the Pester suite ran no test.' -ForegroundColor Red
    [ordered]@{ Passed = 0; Failed = 1; Skipped = 0 } | ConvertTo-Json | Set-Content -Path $SummaryPath -Encoding utf8NoBOM
    exit 1
}

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount + $result.NotRunCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath -Encoding utf8NoBOM
exit ([Math]::Min($failed, 1))
