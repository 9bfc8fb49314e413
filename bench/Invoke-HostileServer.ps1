#Requires -Version 7.2
<#
.SYNOPSIS
    Reliability figures against a lying or broken server: every hostile-server mode against a listing, an add, a removal and a sync.

.DESCRIPTION
    dotnet pwsh ./build.ps1 -Task Build; dotnet pwsh ./bench/Invoke-HostileServer.ps1

    Runs the module's cmdlets (at -Verbose and -Debug, with a transcript) against the loopback server in
    tests/RunCloud.PowerShell.Tests/HostileServer.cs, the same scenarios as tests/pester/HostileServer.Tests.ps1, and
    prints one row per scenario (time, heap growth, ErrorIds, requests, leaks) and the summary the reliability section
    of docs/benchmarks.md quotes: scenarios survived, the longest time any mode took to fail, peak heap growth and the
    process's peak working set. A scenario survives when it ends within the budget, under the heap ceiling, with its one
    expected ErrorId and no leak (token or raw control character in any stream, error record, format view or transcript).
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/RunCloud.PowerShell'),
    [string] $OutputPath = (Join-Path $PSScriptRoot '../out/bench'),
    [double] $BudgetSeconds = 20,
    [double] $HeapCeilingMB = 64
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ProgressPreference = 'SilentlyContinue'

Import-Module (Resolve-Path $ModulePath).Path -Force
. (Join-Path $PSScriptRoot '../tests/HostileScenario.ps1')
New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null
$work = Join-Path ([IO.Path]::GetTempPath()) ("rc-hostile-bench-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $work | Out-Null

$rows = foreach ($mode in [enum]::GetNames([RunCloud.PowerShell.Tests.HostileMode])) {
    foreach ($operation in 'List', 'Add', 'Remove', 'Sync') {
        $r = Invoke-HostileScenario -Mode $mode -Operation $operation -WorkFolder $work 6>$null
        $expected = Get-HostileExpectedErrorId $mode $operation
        $idsOk = if ($expected) { (@($r.ErrorIds) -join ',') -eq $expected } else { @($r.ErrorIds).Count -eq 0 }
        $r | Add-Member -NotePropertyName Expected -NotePropertyValue $expected
        $r | Add-Member -NotePropertyName Survived -NotePropertyValue ($idsOk -and $r.Seconds -lt $BudgetSeconds -and $r.HeapMB -lt $HeapCeilingMB -and @($r.Leaks).Count -eq 0)
        $r
    }
}
Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue

# Ctrl+C: a listing whose body drips, stopped 300 ms after its request reached the server, under each preference.
$stops = foreach ($preference in 'none', 'Verbose', 'Debug') {
    $server = [RunCloud.PowerShell.Tests.HostileServer]::new('Drip')
    $ps = [powershell]::Create()
    try {
        $secure = [System.Security.SecureString]::new(); foreach ($c in [RunCloud.PowerShell.Tests.HostileServer]::Secret.ToCharArray()) { $secure.AppendChar($c) }
        $null = $ps.AddScript('param($m, $u, $t, $p) Import-Module $m; Connect-RunCloud -Token $t -BaseUri $u -ServerId 1 -WebAppId 2 -SkipValidation -RateLimit 0 -TimeoutSec 60
            if ($p -eq "Verbose") { $VerbosePreference = "Continue" } elseif ($p -eq "Debug") { $DebugPreference = "Continue" }
            Get-RunCloudDomain').AddArgument((Resolve-Path $ModulePath).Path).AddArgument($server.BaseUri.AbsoluteUri).AddArgument($secure).AddArgument($preference)
        $handle = $ps.BeginInvoke()
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ($server.Requests.Count -lt 1 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        Start-Sleep -Milliseconds 300
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        [pscustomobject]@{ Preference = $preference; StopMs = [math]::Round($clock.Elapsed.TotalMilliseconds, 0); State = "$($ps.InvocationStateInfo.State)" }
    }
    finally { $ps.Dispose(); $server.Dispose() }
}

$rows | Format-Table Mode, Operation, Seconds, HeapMB, Requests, @{ n = 'ErrorIds'; e = { $_.ErrorIds -join ',' } }, Survived, @{ n = 'Leaks'; e = { @($_.Leaks).Count } } -AutoSize | Out-Host
$failing = @($rows | Where-Object { $_.Expected })
$slowest = $failing | Sort-Object Seconds -Descending | Select-Object -First 1
$summary = [pscustomobject]@{
    Scenarios             = @($rows).Count
    Survived              = @($rows | Where-Object Survived).Count
    ModesSurvived         = @($rows | Group-Object Mode | Where-Object { @($_.Group | Where-Object { -not $_.Survived }).Count -eq 0 }).Count
    Modes                 = @($rows | Group-Object Mode).Count
    LongestFailSeconds    = $slowest.Seconds
    LongestFailScenario   = "$($slowest.Mode)/$($slowest.Operation)"
    PeakHeapGrowthMB      = ($rows | Measure-Object HeapMB -Maximum).Maximum
    PeakWorkingSetMB      = [math]::Round([Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64 / 1MB, 0)
    Leaks                 = @($rows | ForEach-Object { $_.Leaks }).Count
    CtrlCStopMs           = ($stops | ForEach-Object { "$($_.Preference) $($_.StopMs) ms ($($_.State))" }) -join ', '
}
$summary | Format-List | Out-Host
$rows | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $OutputPath 'hostile-server.json')
if ($summary.Survived -ne $summary.Scenarios) { Write-Warning "$($summary.Scenarios - $summary.Survived) scenario(s) did not survive." }
