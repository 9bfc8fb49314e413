# Reliability suite: faults at every step of a sync, malformed input, cancellation, and a process killed at every step
# of a sync, a manifest run and a plan apply.
# Every case runs against a fresh in-process emulator with small sets (10 existing, 12 desired), -MaxAttempts 3 and
# short back-offs, so the whole file stays well under a minute and a half.
# No case is skipped when a cmdlet is missing from the build: it fails (a verification that cannot lie: a missing cmdlet is a defect, not a skip).
BeforeDiscovery {
    $steps = @(
        @{ Step = 'listing GET'; Method = 'GET'; Path = 'servers/*/webapps/*/domains' }
        @{ Step = 'an add POST'; Method = 'POST'; Path = 'servers/*/webapps/*/domains' }
        @{ Step = 'a removal DELETE'; Method = 'DELETE'; Path = 'servers/*/webapps/*/domains/*' }
        @{ Step = 'the SSL redeploy PUT'; Method = 'PUT'; Path = 'servers/*/webapps/*/ssl/*' }
    )
    $kinds = @(
        @{ Fault = '500 burst'; Kind = 'Status'; StatusCode = 500; Count = 3 }
        @{ Fault = '502 burst'; Kind = 'Status'; StatusCode = 502; Count = 3 }
        @{ Fault = '503 burst'; Kind = 'Status'; StatusCode = 503; Count = 2 }
        @{ Fault = '429 storm (Retry-After 1)'; Kind = 'RateLimited'; StatusCode = 429; Count = 3 }
        @{ Fault = 'connection resets'; Kind = 'Reset'; StatusCode = 0; Count = 2 }
        @{ Fault = 'latency 2 s beyond -TimeoutSec 1'; Kind = 'Latency'; StatusCode = 0; Count = 1 }
        @{ Fault = 'malformed JSON'; Kind = 'MalformedJson'; StatusCode = 0; Count = 2 }
    )
    $script:FaultCases = foreach ($s in $steps) { foreach ($k in $kinds) { $s + $k } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:S = 1001; $script:W = 2001

    # Each scenario's own state folder: state is keyed by API host (with its port) + server + web app, and a later
    # scenario's emulator can be given a port an earlier one had; with the same ids and desired names, the earlier
    # scenario's sync record would vouch for an app it never saw (the next run: "unchanged", 0 calls).
    function Use-ScenarioState {
        $env:RUNCLOUD_STATE_PATH = Join-Path $script:TestStatePath ('scenario-' + [guid]::NewGuid().ToString('N'))
    }

    # 10 existing: the default primary and RunCloud test domain + 8 seeded. 12 desired: both defaults, 4 of the
    # seeded, 6 new. So 6 adds and 4 removals, and the final list can equal the desired set exactly.
    function New-Scenario {
        Use-ScenarioState
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0
        $defaults = @($e.State.GetDomains($S, $W) | ForEach-Object Name)
        $seeded = 1..8 | ForEach-Object { 'old{0:d2}.rel.example.com' -f $_ }
        $null = $e.State.AddDomains($S, $W, [string[]]$seeded)
        $null = $e.State.RedeploySsl($S, $W)  # start from a certificate that covers everything
        $desired = [string[]](@($defaults) + @($seeded | Select-Object -First 4) + @(1..6 | ForEach-Object { 'new{0:d2}.rel.example.com' -f $_ }))
        $keepIds = @($e.State.GetDomains($S, $W) | Where-Object { $_.Name -in $desired } | ForEach-Object Id)
        Connect-Scenario $e
        [pscustomobject]@{ Emulator = $e; Desired = $desired; KeepIds = $keepIds }
    }

    # 4 existing (the default primary and RunCloud test domain, old01, old02), 5 desired: 2 adds, 1 removal.
    function New-SmallScenario {
        Use-ScenarioState
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0
        $defaults = @($e.State.GetDomains($S, $W) | ForEach-Object Name)
        $null = $e.State.AddDomains($S, $W, [string[]]@('old01.rel.example.com', 'old02.rel.example.com'))
        $null = $e.State.RedeploySsl($S, $W)
        $desired = [string[]](@($defaults) + 'old01.rel.example.com' + 'new01.rel.example.com' + 'new02.rel.example.com')
        $keepIds = @($e.State.GetDomains($S, $W) | Where-Object { $_.Name -in $desired } | ForEach-Object Id)
        Connect-Scenario $e
        [pscustomobject]@{ Emulator = $e; Desired = $desired; KeepIds = $keepIds }
    }

    # Runs $Command in a child pwsh connected to the emulator, killed at step $Step by the engine's step observer.
    function Invoke-CrashedChild($e, [int] $Step, [string] $Command) {
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $child = @"
Import-Module '$script:ModulePath'
$(Get-CrashHookScript $Step)
Connect-RunCloud -BaseUri '$($e.BaseUri)' -Token (ConvertTo-SecureString '$($e.Token)' -AsPlainText -Force) -ServerId $S -WebAppId $W -RateLimit 0
$Command
"@
        $out = & $exe @rest -NoProfile -NonInteractive -Command $child 2>&1 | ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Not -Be 0 -Because "the child was killed ($($out -join ' '))"
        ($out -join "`n") | Should -BeLike "*RUNCLOUD-CRASH-POINT ${Step}:*" -Because 'the kill happened at the intended step'
        $out
    }

    function Connect-Scenario($e) {
        Connect-RunCloud -BaseUri "$($e.BaseUri)" -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -ServerId $S -WebAppId $W `
            -RateLimit 0 -MaxAttempts 3 -TimeoutSec 1 -MaxRetryDuration 00:00:20
        $policy = (Get-RunCloudConnection).RetryPolicy
        $policy.BaseDelay = [TimeSpan]::FromMilliseconds(50)
        $policy.MaxDelay = [TimeSpan]::FromMilliseconds(200)
    }

    function Stop-Scenario($sc) {
        if ($sc) { Disconnect-RunCloud -ErrorAction SilentlyContinue; Stop-RunCloudEmulator -Emulator $sc.Emulator }
    }

    # -ResetSsl after a run whose redeploy failed, as a scheduled run would pass it by hand.
    function Invoke-Sync($sc, [switch] $ResetSsl) {
        Sync-RunCloudDomain -Domain $sc.Desired -Prune -Force -ResetSsl:$ResetSsl -ErrorAction SilentlyContinue
    }

    # Convergence: after a failure at any step, the next run ends with exactly the desired names and nothing owed,
    # checked on the emulator's state and request log.
    function Assert-Converged($sc) {
        $e = $sc.Emulator
        $names = @($e.State.GetDomains($S, $W) | ForEach-Object Name | Sort-Object)
        $names | Should -Be @($sc.Desired | Sort-Object) -Because 'the final domain list is exactly the desired one'
        $log = @($e.GetRequests())
        $adds = @($log | Where-Object { $_.Method -eq 'POST' -and $_.Path -like '*/domains' -and $_.StatusCode -eq 200 -and -not $_.Fault } |
                ForEach-Object { ($_.Body | ConvertFrom-Json).name } | Group-Object | Where-Object Count -GT 1)
        $adds | Should -BeNullOrEmpty -Because 'no domain is added twice'
        $deleted = @($log | Where-Object { $_.Method -eq 'DELETE' -and $_.StatusCode -eq 200 -and -not $_.Fault } | ForEach-Object { [long]($_.Path -split '/')[-1] })
        @($deleted | Where-Object { $_ -in $sc.KeepIds }) | Should -BeNullOrEmpty -Because 'no domain that should stay is removed'
        @($e.GetUncoveredDomains($S, $W)) | Should -BeNullOrEmpty -Because 'the certificate covers every domain'
    }

    # A request held by a Latency fault is logged only when it lands on the server, after its client gave up on it:
    # wait for every hit of $Rule to be in the log (a condition to reach, not a guessed sleep a loaded machine outruns).
    function Wait-FaultLanded($e, $Rule) {
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while (@($e.GetRequests() | Where-Object Fault).Count -lt $Rule.Hits) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "$(@($e.GetRequests() | Where-Object Fault).Count) of $($Rule.Hits) faulted requests landed within 15 s" }
            Start-Sleep -Milliseconds 20
        }
    }

    # The first error a command raises (terminating or not), with every error kept from the screen.
    function Get-BadInputError([scriptblock] $Command) {
        $Error.Clear()
        $ErrorActionPreference = 'SilentlyContinue'
        try { & $Command | Out-Null } catch { return $_ }
        $Error[0]
    }
}

Describe 'Sync under faults at every step' -Tag Reliability {
    It 'recovers from <Fault> at <Step>: a re-run converges' -ForEach $script:FaultCases {
        $sc = New-Scenario
        try {
            $rule = [RunCloud.Emulator.FaultRule]@{ Kind = $Kind; Count = $Count; Method = $Method; PathPattern = $Path; RetryAfterSeconds = 1 }
            if ($Kind -eq 'Status') { $rule.StatusCode = $StatusCode }
            if ($Kind -eq 'Latency') { $rule.Latency = [TimeSpan]::FromSeconds(2) }
            $null = $sc.Emulator.Faults.Add($rule)

            $first = $null
            try { $first = Invoke-Sync $sc } catch { Write-Verbose "first run stopped: $_" }
            $rule.Hits | Should -BeGreaterThan 0 -Because 'the fault must really have been injected'
            $sslFailed = [bool]($first -and @($first.Failed | Where-Object Action -EQ 'RedeploySsl').Count)

            $sc.Emulator.Faults.Clear()
            if ($Kind -eq 'Latency') { Wait-FaultLanded $sc.Emulator $rule } # let the delayed request land before checking
            $result = Invoke-Sync $sc -ResetSsl:$sslFailed
            $result.Success | Should -BeTrue -Because ($result.Failed | Out-String)
            if ($sslFailed) { $result.SslRedeployed | Should -BeTrue -Because 'the re-run finishes the redeploy that failed' }
            Assert-Converged $sc
        }
        finally { Stop-Scenario $sc }
    }
}

Describe 'Malformed input is refused before any request' -Tag Reliability {
    BeforeAll {
        $script:sc = New-Scenario
        $script:wp = Join-Path ([IO.Path]::GetTempPath()) "rc-bad-wp-config-$PID.php"
        Set-Content -Path $script:wp -Value "<?php`n/* a comment that never closes`ndefine('WU_RUNCLOUD_API_TOKEN', 'abcd');" -Encoding utf8NoBOM
        $script:wpUnterminated = Join-Path ([IO.Path]::GetTempPath()) "rc-bad-wp-config2-$PID.php"
        Set-Content -Path $script:wpUnterminated -Value "<?php`ndefine('WU_RUNCLOUD_API_TOKEN', 'abcd);" -Encoding utf8NoBOM
    }
    AfterAll {
        Stop-Scenario $script:sc
        Remove-Item $script:wp, $script:wpUnterminated -ErrorAction SilentlyContinue
    }
    BeforeEach { $script:sc.Emulator.ClearRequests() }

    $long = ('a' * 63 + '.' + 'b' * 63 + '.' + 'c' * 63 + '.' + 'd' * 62)  # 254 characters
    $name = 'RunCloudInvalidDomainName'
    $names = @(
        @{ Value = ''; Id = $name; Phrase = 'empty' }
        @{ Value = '   '; Id = $name; Phrase = 'empty' }
        @{ Value = "`t"; Id = $name; Phrase = 'empty' }
        @{ Value = 'https://shop.example.com'; Id = $name; Phrase = 'is a URL' }
        @{ Value = 'http://evil.example.com/x?y=1'; Id = $name; Phrase = 'is a URL' }
        @{ Value = 'ftp://files.example.com'; Id = $name; Phrase = 'is a URL' }
        @{ Value = 'shop.example.com/admin'; Id = $name; Phrase = 'path or query' }
        @{ Value = 'shop.example.com?x=1'; Id = $name; Phrase = 'path or query' }
        @{ Value = 'shop.example.com#top'; Id = $name; Phrase = 'path or query' }
        @{ Value = 'C:\inetpub\wwwroot'; Id = $name; Phrase = 'path or query' }
        @{ Value = '../../etc/passwd'; Id = $name; Phrase = 'path or query' }
        @{ Value = '..'; Id = $name; Phrase = 'empty label' }
        @{ Value = 'shop..example.com'; Id = $name; Phrase = 'empty label' }
        @{ Value = '.example.com'; Id = $name; Phrase = 'empty label' }
        @{ Value = 'shop.example.com:8080'; Id = $name; Phrase = 'has a port' }
        @{ Value = 'shop.example.com:443'; Id = $name; Phrase = 'has a port' }
        @{ Value = ('a' * 64 + '.example.com'); Id = $name; Phrase = 'label of 64 characters' }
        @{ Value = $long; Id = $name; Phrase = 'at most 253' }
        @{ Value = 'a.com; rm -rf /'; Id = $name; Phrase = 'path or query' }
        @{ Value = 'a.com && whoami'; Id = $name; Phrase = 'white space' }
        @{ Value = '$(whoami).com'; Id = $name; Phrase = 'not a valid host name' }
        @{ Value = '`whoami`.example.com'; Id = $name; Phrase = 'not a valid host name' }
        @{ Value = "a.com`r`nX-Injected: 1"; Id = $name; Phrase = 'white space or a control' }
        @{ Value = "a.com`0.evil.com"; Id = $name; Phrase = 'control character' }
        @{ Value = "a.com'; DROP TABLE domains;--"; Id = $name; Phrase = 'white space' }
        @{ Value = '<script>alert(1)</script>.com'; Id = $name; Phrase = 'path or query' }
        @{ Value = 'a.com|b.com'; Id = $name; Phrase = 'not a valid host name' }
        @{ Value = 'shop_example.com'; Id = $name; Phrase = 'not a valid host name' }
        @{ Value = '-shop.example.com'; Id = $name; Phrase = 'not a valid host name' }
        @{ Value = 'shop-.example.com'; Id = $name; Phrase = 'not a valid host name' }
        @{ Value = '☃☃☃'; Id = $name; Phrase = 'no dot' }
        @{ Value = "`u{FFFD}`u{FFFD}.com"; Id = $name; Phrase = 'not a valid host name' }
        @{ Value = 'user@example.com'; Id = $name; Phrase = "contains '@'" }
        @{ Value = '192.168.1.10'; Id = $name; Phrase = 'IP address' }
        @{ Value = '[::1]'; Id = $name; Phrase = 'IP address' }
        @{ Value = 'localhost'; Id = $name; Phrase = 'no dot' }
        @{ Value = 'shop.example.123'; Id = $name; Phrase = 'all-numeric' }
        @{ Value = '*.*.example.com'; Id = $name; Phrase = "'\*' that is not a leading" }
        @{ Value = 'shop*.example.com'; Id = $name; Phrase = "'\*' that is not a leading" }
    )

    foreach ($n in $names) {
        $label = $n.Value -replace "`r", '\r' -replace "`n", '\n' -replace "`0", '\0' -replace "`t", '\t'
        if ($label.Length -gt 40) { $label = $label.Substring(0, 37) + "...($($n.Value.Length) chars)" }
        $n.Label = "'$label'"
    }

    It 'Add-RunCloudDomain refuses <Label> (<Phrase>) and sends nothing' -ForEach $names {
        $err = Get-BadInputError { Add-RunCloudDomain -Name $Value }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$Id*"
        $err.Exception.Message | Should -Match $Phrase
        @($script:sc.Emulator.GetRequests()) | Should -HaveCount 0
    }

    It 'Sync-RunCloudDomain skips <Label> with its reason and never sends it' -ForEach ($names | Select-Object -First 12 | Where-Object { $_.Value.Trim() }) {
        $result = Sync-RunCloudDomain -Domain $Value -NoSslReset -ErrorAction SilentlyContinue
        @($result.Skipped | Where-Object { $_.Reason -match $Phrase }) | Should -Not -BeNullOrEmpty
        @($script:sc.Emulator.GetRequests() | Where-Object Method -NE 'GET') | Should -HaveCount 0
    }

    $ids = @(
        @{ Case = 'Get-RunCloudDomain -Id 0'; Command = { Get-RunCloudDomain -Id 0 }; Id = 'ParameterArgumentValidationError'; Phrase = 'Id' }
        @{ Case = 'Get-RunCloudDomain -Id -3001'; Command = { Get-RunCloudDomain -Id -3001 }; Id = 'ParameterArgumentValidationError'; Phrase = 'Id' }
        @{ Case = 'Get-RunCloudDomain -ServerId -1'; Command = { Get-RunCloudDomain -ServerId -1 }; Id = 'ParameterArgumentValidationError'; Phrase = 'ServerId' }
        @{ Case = 'Get-RunCloudDomain -WebAppId 99999999999999999999'; Command = { Get-RunCloudDomain -WebAppId 99999999999999999999 }; Id = 'CannotConvertArgument*'; Phrase = 'WebAppId' }
        @{ Case = "Add-RunCloudDomain -ServerId '1001; rm -rf /'"; Command = { Add-RunCloudDomain -Name ok.example.com -ServerId '1001; rm -rf /' }; Id = 'CannotConvertArgument*'; Phrase = 'ServerId' }
        @{ Case = "Add-RunCloudDomain -WebAppId '2001/../2002'"; Command = { Add-RunCloudDomain -Name ok.example.com -WebAppId '2001/../2002' }; Id = 'CannotConvertArgument*'; Phrase = 'WebAppId' }
        @{ Case = 'Remove-RunCloudDomain -Id -5'; Command = { Remove-RunCloudDomain -Id -5 -Force }; Id = 'ParameterArgumentValidationError'; Phrase = 'Id' }
        @{ Case = 'Sync-RunCloudDomain -WebAppId -1'; Command = { Sync-RunCloudDomain -Domain ok.example.com -WebAppId -1 }; Id = 'ParameterArgumentValidationError'; Phrase = 'WebAppId' }
        @{ Case = 'Add-RunCloudDomain -Redirection evil'; Command = { Add-RunCloudDomain -Name ok.example.com -Redirection 'evil; rm' }; Id = 'ParameterArgumentValidationError'; Phrase = 'Redirection' }
        @{ Case = 'Connect-RunCloud -BaseUri http://api.example.com'; Command = { Connect-RunCloud -BaseUri 'http://api.example.com/' -Token (ConvertTo-SecureString 'abcdefgh' -AsPlainText -Force) }; Id = 'RunCloudInvalidBaseUri'; Phrase = 'not HTTPS' }
        @{ Case = 'Connect-RunCloud -BaseUri ftp://'; Command = { Connect-RunCloud -BaseUri 'ftp://manage.runcloud.io/' -Token (ConvertTo-SecureString 'abcdefgh' -AsPlainText -Force) }; Id = 'RunCloudInvalidBaseUri'; Phrase = 'not an absolute http' }
        @{ Case = 'Connect-RunCloud -BaseUri junk'; Command = { Connect-RunCloud -BaseUri 'manage runcloud io' -Token (ConvertTo-SecureString 'abcdefgh' -AsPlainText -Force) }; Id = 'RunCloudInvalidBaseUri'; Phrase = 'not an absolute http' }
        @{ Case = 'Connect-RunCloud -WpConfigPath (unclosed comment)'; Command = { Connect-RunCloud -WpConfigPath $script:wp }; Id = 'RunCloudInvalidWpConfig'; Phrase = 'cannot be read as PHP' }
        @{ Case = 'Connect-RunCloud -WpConfigPath (unterminated string)'; Command = { Connect-RunCloud -WpConfigPath $script:wpUnterminated }; Id = 'RunCloudInvalidWpConfig'; Phrase = 'cannot be read as PHP' }
        @{ Case = 'Connect-RunCloud -RateLimitWindow 0'; Command = { Connect-RunCloud -BaseUri "$($script:sc.Emulator.BaseUri)" -Token (ConvertTo-SecureString 'abcdefgh' -AsPlainText -Force) -RateLimitWindow 0 }; Id = 'RunCloudInvalidInput'; Phrase = 'RateLimitWindow' }
    )

    It 'refuses <Case> with a clear error and sends nothing' -ForEach $ids {
        $before = Get-RunCloudConnection
        $err = Get-BadInputError $Command
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$Id*"
        ($err.Exception.Message + ' ' + $err.ErrorDetails.Message) | Should -Match $Phrase
        @($script:sc.Emulator.GetRequests()) | Should -HaveCount 0
        (Get-RunCloudConnection) | Should -Be $before -Because 'a refused Connect-RunCloud leaves the current connection alone'
    }
}

Describe 'Cancellation' -Tag Reliability {
    It 'stops a sync mid-way within 2 s, and a re-run converges' {
        $sc = New-Scenario
        $ps = $null
        try {
            $rule = $sc.Emulator.Faults.Add([RunCloud.Emulator.FaultRule]@{ Kind = 'Latency'; Latency = [TimeSpan]::FromMilliseconds(400); Count = 0; Method = 'POST'; PathPattern = 'servers/*/webapps/*/domains' })
            $ps = [powershell]::Create()
            $null = $ps.AddCommand('Import-Module').AddArgument($script:ModulePath).AddStatement().
                AddCommand('Sync-RunCloudDomain').AddParameter('Domain', $sc.Desired).AddParameter('Prune').AddParameter('Force').AddParameter('Connection', (Get-RunCloudConnection))
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while (@($sc.Emulator.GetRequests() | Where-Object Method -EQ 'POST').Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            @($sc.Emulator.GetRequests() | Where-Object Method -EQ 'POST').Count | Should -BeGreaterOrEqual 2

            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            # Stop() returns once the pipeline is Stopped; the IAsyncResult is completed a moment later, on another thread.
            $null = $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(2))
            $sw.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 2
            $async.IsCompleted | Should -BeTrue
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            @($sc.Emulator.GetRequests() | Where-Object Method -EQ 'POST').Count | Should -BeLessThan 6 -Because 'the sync was stopped before its last add'

            $sc.Emulator.Faults.Clear()
            Wait-FaultLanded $sc.Emulator $rule # a POST cut off mid-latency still lands on the server: the re-run must cope
            $result = Invoke-Sync $sc
            $result.Success | Should -BeTrue -Because ($result.Failed | Out-String)
            Assert-Converged $sc
        }
        finally {
            if ($ps) { $ps.Dispose() }
            Stop-Scenario $sc
        }
    }

    It 'stops a long Add-RunCloudDomain pipeline within 2 s, and a re-run adds the rest once' {
        $sc = New-Scenario
        $ps = $null
        try {
            $names = 1..30 | ForEach-Object { 'pipe{0:d2}.rel.example.com' -f $_ }
            $rule = $sc.Emulator.Faults.Add([RunCloud.Emulator.FaultRule]@{ Kind = 'Latency'; Latency = [TimeSpan]::FromMilliseconds(300); Count = 0; Method = 'POST'; PathPattern = 'servers/*/webapps/*/domains' })
            $ps = [powershell]::Create()
            $null = $ps.AddCommand('Import-Module').AddArgument($script:ModulePath).AddStatement().
                AddCommand('Add-RunCloudDomain').AddParameter('Connection', (Get-RunCloudConnection))
            $feed = [System.Management.Automation.PSDataCollection[string]]::new()
            $names | ForEach-Object { $feed.Add($_) }
            $feed.Complete()
            $async = $ps.BeginInvoke($feed)
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while (@($sc.Emulator.GetRequests() | Where-Object Method -EQ 'POST').Count -lt 3 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $null = $async.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(2))
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 2
            $async.IsCompleted | Should -BeTrue
            @($sc.Emulator.GetRequests() | Where-Object Method -EQ 'POST').Count | Should -BeLessThan 30

            $sc.Emulator.Faults.Clear()
            Wait-FaultLanded $sc.Emulator $rule
            $present = @($sc.Emulator.State.GetDomains($S, $W) | ForEach-Object Name)
            $null = Add-RunCloudDomain -Name ($names | Where-Object { $_ -notin $present }) -ErrorAction Stop
            $now = @($sc.Emulator.State.GetDomains($S, $W) | ForEach-Object Name)
            @($names | Where-Object { $_ -notin $now }) | Should -BeNullOrEmpty
            @($sc.Emulator.GetRequests() | Where-Object { $_.Method -eq 'POST' -and $_.StatusCode -eq 200 -and -not $_.Fault } |
                    ForEach-Object { ($_.Body | ConvertFrom-Json).name } | Group-Object | Where-Object Count -GT 1) | Should -BeNullOrEmpty
        }
        finally {
            if ($ps) { $ps.Dispose() }
            Stop-Scenario $sc
        }
    }
}

Describe 'Crash and re-run: the process killed between every pair of steps of a sync' -Tag Reliability {
    # The scenario's sync has 14 step boundaries: locked, listed, journal written, 6 adds, 4 removals, SSL redeployed.
    # A child pwsh runs the sync with the apply engine's step observer set (Common.ps1, Get-CrashHookScript) to kill
    # itself (SIGKILL, no cleanup) at the N-th boundary; the parent then runs the same sync again and checks convergence
    # on the emulator's state.
    BeforeDiscovery { $script:CrashSteps = 1..14 | ForEach-Object { @{ Step = $_ } } }

    It 'killed at step <Step>, a re-run converges: exact list, nothing wanted removed, the certificate covers every name' -ForEach $script:CrashSteps {
        $sc = New-Scenario
        try {
            $names = ($sc.Desired | ForEach-Object { "'$_'" }) -join ','
            $out = Invoke-CrashedChild $sc.Emulator $Step "`$null = Sync-RunCloudDomain -Domain $names -Prune"

            $again = Sync-RunCloudDomain -Domain $sc.Desired -Prune -WarningAction SilentlyContinue
            $again.Success | Should -BeTrue -Because ($again.Failed | Out-String)
            if ($Step -ge 3) {
                $again.SslRedeployed | Should -BeTrue -Because 'a journal written before the first change makes the re-run finish the redeploy'
            }
            Assert-Converged $sc
            @(Get-OwedJournal) | Should -BeNullOrEmpty -Because 'nothing is owed after the re-run'
        }
        finally { Stop-Scenario $sc }
    }
}

Describe 'Crash and re-run: a manifest run and a plan apply, killed at every step, converge by any path' -Tag Reliability {
    # A small app: 2 adds and 1 removal, so 7 step boundaries (locked, listed, journal written, 2 adds, 1 removal, SSL
    # redeployed). The killed run is Sync-RunCloudDomain -Manifest or Invoke-RunCloudSyncPlan; the next run takes
    # another path each time (Sync by ids, -Manifest, Reset-RunCloudSsl), and whichever it is finishes what was owed.
    BeforeDiscovery {
        $paths = 'Sync', 'Manifest', 'ResetSsl'
        $script:FleetCrashes = foreach ($run in 'Manifest', 'Plan') {
            foreach ($step in 1..7) { @{ Run = $run; Step = $step; Rerun = $paths[($step + ($run -eq 'Plan')) % 3] } }
        }
    }

    It '<Run> killed at step <Step>, the next <Rerun> run finishes what was owed' -ForEach $script:FleetCrashes {
        $sc = New-SmallScenario
        try {
            $manifest = Join-Path $TestDrive "fleet-$Step.json"
            @{ targets = @(@{ serverId = $S; webAppId = $W; domains = $sc.Desired; prune = $true }) } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $manifest
            if ($Run -eq 'Manifest') {
                $command = "`$null = Sync-RunCloudDomain -Manifest '$manifest' -Force"
            }
            else {
                $plan = Join-Path $TestDrive "plan-$Step.json"
                New-RunCloudSyncPlan -Manifest $manifest -OutFile $plan | Out-Null
                $command = "`$null = Invoke-RunCloudSyncPlan -Path '$plan' -Force"
            }

            $out = Invoke-CrashedChild $sc.Emulator $Step $command
            switch ($Rerun) {
                'Sync' {
                    $again = Sync-RunCloudDomain -Domain $sc.Desired -Prune -WarningAction SilentlyContinue
                    $again.Success | Should -BeTrue -Because ($again.Failed | Out-String)
                    if ($Step -ge 3) { $again.SslRedeployed | Should -BeTrue -Because 'the journal written before the first change makes any re-run finish the redeploy' }
                }
                'Manifest' {
                    $again = @(Sync-RunCloudDomain -Manifest $manifest -Force -WarningAction SilentlyContinue)
                    $result = $again | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] }
                    $result.Status | Should -BeIn 'Applied', 'NoChange' -Because $result.Message
                    if ($Step -ge 3) {
                        $result.Status | Should -Be 'Applied' -Because 'a target with owed work is not "no change": its journal is read before deciding'
                        $result.SslRedeployed | Should -BeTrue
                    }
                }
                'ResetSsl' {
                    Reset-RunCloudSsl -Confirm:$false -WarningAction SilentlyContinue
                    @($sc.Emulator.GetUncoveredDomains($S, $W)) | Should -BeNullOrEmpty -Because 'Reset-RunCloudSsl finishes the owed redeploy'
                    @(Get-OwedJournal) | Should -BeNullOrEmpty -Because 'nothing is owed after Reset-RunCloudSsl'
                    # The certificate is whole again; the list itself is the desired-state paths' job.
                    $null = Sync-RunCloudDomain -Domain $sc.Desired -Prune -WarningAction SilentlyContinue
                }
            }

            Assert-Converged $sc
            @(Get-OwedJournal) | Should -BeNullOrEmpty -Because 'nothing is owed after the re-run'
        }
        finally { Stop-Scenario $sc }
    }
}
