# Dot-sourced by tests/pester/HostileServer.Tests.ps1 and bench/Invoke-HostileServer.ps1: runs the module's cmdlets
# against tests/RunCloud.PowerShell.Tests/HostileServer.cs (compiled here with Add-Type, the very file the xunit
# harness uses) and reports, per mode and operation, the time, the heap growth, the ErrorIds and every leak found in
# the streams, the error records (exception chains included), the format views and a transcript.
# Needs the module imported first.

if (-not ('RunCloud.PowerShell.Tests.HostileServer' -as [type])) {
    $source = Join-Path $PSScriptRoot 'RunCloud.PowerShell.Tests/HostileServer.cs'
    Add-Type -Path $source -IgnoreWarnings
}

$script:HostileOperations = [ordered]@{
    List   = { Get-RunCloudDomain }
    Add    = { Add-RunCloudDomain -Name new.example.com -PassThru }
    Remove = { Remove-RunCloudDomain -Name old.example.com -Confirm:$false }
    Sync   = { Sync-RunCloudDomain -Domain example.com, new.example.com -Prune -Force -Confirm:$false }
}

function Invoke-HostileScenario {
    param(
        [Parameter(Mandatory)] [RunCloud.PowerShell.Tests.HostileMode] $Mode,
        [Parameter(Mandatory)] [ValidateSet('List', 'Add', 'Remove', 'Sync')] [string] $Operation,
        [Parameter(Mandatory)] [string] $WorkFolder
    )
    $secret = [RunCloud.PowerShell.Tests.HostileServer]::Secret
    $server = [RunCloud.PowerShell.Tests.HostileServer]::new('Normal')
    $oldState = $env:RUNCLOUD_STATE_PATH
    $env:RUNCLOUD_STATE_PATH = Join-Path $WorkFolder "state-$Mode-$Operation"
    $transcript = Join-Path $WorkFolder "transcript-$Mode-$Operation.txt"
    try {
        $token = [System.Security.SecureString]::new()
        foreach ($c in $secret.ToCharArray()) { $token.AppendChar($c) }
        Connect-RunCloud -Token $token -BaseUri $server.BaseUri.AbsoluteUri -ServerId 1 -WebAppId 2 -SkipValidation -TimeoutSec 1 `
            -MaxAttempts 2 -MaxRetryDuration '00:00:20' -RateLimit 0 -MaxResponseSize 1MB
        $server.Mode = $Mode
        $Error.Clear()
        $memory = [RunCloud.PowerShell.Tests.MemorySampler]::new()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Start-Transcript -Path $transcript | Out-Null
        $all = $null
        try {
            $oldDebug = $DebugPreference; $oldVerbose = $VerbosePreference
            $DebugPreference = 'Continue'; $VerbosePreference = 'Continue'
            $all = & {
                $ErrorActionPreference = 'Continue'
                try { & $script:HostileOperations[$Operation] } catch { $_ }
            } *>&1
            $DebugPreference = $oldDebug; $VerbosePreference = $oldVerbose
            # What a terminal shows: every record through the module's format views and PowerShell's error view.
            $all | Out-Host
            $all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.InformationalRecord] } | Format-List | Out-Host
        }
        finally {
            Stop-Transcript | Out-Null
        }
        $elapsed = $clock.Elapsed
        $heap = $memory.Stop()

        $errors = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $texts = [System.Collections.Generic.List[string]]::new()
        foreach ($e in $errors) { $texts.Add("$e"); $texts.Add($e.Exception.ToString()); $texts.Add([string]$e.ErrorDetails) }
        foreach ($r in $all) { if ($r -is [System.Management.Automation.InformationalRecord]) { $texts.Add($r.Message) } }
        $texts.Add((Get-Content -Raw $transcript))
        $texts.Add(($all | Out-String -Width 300))
        $leaks = [System.Collections.Generic.List[string]]::new()
        $joined = $texts -join "`n"
        if ($joined.Contains($secret)) { $leaks.Add('the token') }
        foreach ($line in $joined -split "`n") {
            if ($line -match '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]') { $leaks.Add('a raw control character: ' + [RunCloud.PowerShell.Models.ServerText]::Escape($line)) }
            if ($line -match '^\s*(\[ERROR\] )?FORGED') { $leaks.Add('a forged line: ' + $line) }
        }

        [pscustomobject]@{
            Mode      = "$Mode"
            Operation = $Operation
            Seconds   = [math]::Round($elapsed.TotalSeconds, 2)
            HeapMB    = [math]::Round($heap / 1MB, 1)
            ErrorIds  = @($errors | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] } | Select-Object -Unique)
            Requests  = $server.Requests.Count
            Leaks     = @($leaks | Select-Object -Unique)
        }
    }
    finally {
        Disconnect-RunCloud -ErrorAction SilentlyContinue
        $server.Dispose()
        $env:RUNCLOUD_STATE_PATH = $oldState
    }
}

# The one ErrorId each mode must end with (null: the operation succeeds), as in HostileServerTests.Expected.
function Get-HostileExpectedErrorId([string] $Mode, [string] $Operation) {
    switch ($Mode) {
        'Normal' { $null }
        { $_ -in 'Drip', 'Truncate', 'ResetMidBody' } { 'RunCloudTransportError' }
        'Huge' { 'RunCloudInvalidResponse' }
        { $_ -in 'EndlessPages', 'RepeatedPage' } { if ($Operation -eq 'Add') { $null } else { 'RunCloudInvalidResponse' } }
        'WrongTypes' { 'RunCloudInvalidResponse' }
        'EchoSecret' { if ($Operation -eq 'Add') { 'RunCloudValidationFailed' } else { 'RunCloudServerError' } }
        'ControlCharacters' { if ($Operation -eq 'Add') { 'RunCloudValidationFailed' } else { 'RunCloudInvalidResponse' } }
        'RetryAfterDay' { 'RunCloudRateLimited' }
        'Redirect' { 'RunCloudUnexpectedResponse' }
        'CutOnDelete' { switch ($Operation) { 'Remove' { 'RunCloudTransportError' } 'Sync' { 'RunCloudSyncFailed' } default { $null } } }
        'VanishedDomain' { $null }
        'LyingNotFound' { switch ($Operation) { 'Remove' { 'RunCloudUnexpectedResponse' } 'Sync' { 'RunCloudSyncFailed' } default { $null } } }
    }
}
