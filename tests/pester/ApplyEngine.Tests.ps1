# The one apply engine, through every path that reaches it (ids, pipeline, manifest, saved plan, Add-/Remove-
# RunCloudDomain -ResetSsl): dry runs that tell the truth, the real run refusing up front what the SSL step would
# certainly refuse, owed work finished before "no change" is decided, only what was observed reported, fleet targets
# keyed by API host + server + web app, and a saved plan's changes checked again against its own live list and rules.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:S = 1001; $script:W = 2001

    function Start-App([hashtable] $Options = @{}) {
        Disconnect-RunCloud -All
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0 @Options
        Connect-TestEmulator $script:e
        Connect-RunCloud -Name main -BaseUri $script:e.BaseUri -Token (ConvertTo-SecureString $script:e.Token -AsPlainText -Force) -RateLimit 0
        $env:RUNCLOUD_STATE_PATH = Join-Path $script:TestStatePath ([guid]::NewGuid().ToString('N'))
        $script:e.ClearRequests()
    }

    function Get-Results($out) { @($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] }) }

    # 120 new names: with the app's own two, past Let's Encrypt's 100 names per certificate in basic mode.
    $script:Many = @(1..120 | ForEach-Object { 'many{0:d3}.example.com' -f $_ })
}

AfterAll {
    Disconnect-RunCloud -All
    Stop-RunCloudEmulator -ErrorAction SilentlyContinue
}

Describe 'Dry runs tell the truth: a change the SSL step would refuse is refused before the first add, on every path' {
    BeforeEach { Start-App }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }

    It 'ids: -WhatIf shows the verdict (StoppedBy, Success false); the real run adds nothing and says why' {
        $plan = Sync-RunCloudDomain -Name $script:Many -WhatIf -WarningVariable warned -WarningAction SilentlyContinue
        $plan.StoppedBy | Should -Be 'RunCloudSslTooManyNames'
        $plan.Success | Should -BeFalse
        ($warned -join ' ') | Should -BeLike '*would be refused at SSL*122 names*100*'
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty

        $err = $null
        try { Sync-RunCloudDomain -Name $script:Many -Force } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'RunCloudSslTooManyNames,*'
        $err.ErrorDetails.Message | Should -BeLike '*would be refused at SSL*Nothing was changed*-NoSslReset*'
        $err.ErrorDetails.RecommendedAction | Should -BeLike 'Set-RunCloudSslMode*-Mode Advanced'
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty -Because 'not one of the 120 names is added only to fail at the SSL step'
        @(Get-OwedJournal) | Should -BeNullOrEmpty
    }

    It 'pipeline: names piped to Sync-RunCloudDomain, and to Add-RunCloudDomain -ResetSsl, are refused before any add' {
        { $script:Many | Sync-RunCloudDomain -Force -ErrorAction Stop } | Should -Throw -ErrorId 'RunCloudSslTooManyNames,*'
        $script:Many | Add-RunCloudDomain -ResetSsl -Confirm:$false -ErrorVariable addErrors -ErrorAction SilentlyContinue
        $addErrors.FullyQualifiedErrorId | Should -Contain 'RunCloudSslTooManyNames,RunCloud.PowerShell.Commands.AddRunCloudDomainCommand'
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty
        $script:Many | Add-RunCloudDomain -ResetSsl -WhatIf -WarningVariable warned -WarningAction SilentlyContinue
        ($warned -join ' ') | Should -BeLike '*would be refused at SSL*'
    }

    It 'manifest and plan: the target is Blocked by its SSL guard in the plan and in the run, and nothing is added' {
        $manifest = Write-TestManifest @{ targets = @(@{ connection = 'main'; serverId = $S; webAppId = $W; domains = $script:Many }) }
        $plan = New-RunCloudSyncPlan -Manifest $manifest -OutFile (Join-Path $TestDrive 'plan.json') -WarningAction SilentlyContinue
        $plan.Verdict | Should -Be 'Blocked'
        ($plan.Guards | Where-Object Name -EQ 'Ssl').Verdict | Should -Be 'Block'
        ($plan.Guards | Where-Object Name -EQ 'Ssl').Message | Should -BeLike '*would be refused at SSL*'

        $r = Get-Results (Sync-RunCloudDomain -Manifest $manifest -Force -ErrorAction SilentlyContinue)
        $r.Status | Should -Be 'Blocked'
        $r.Message | Should -BeLike '*would be refused at SSL*'
        $r = Get-Results (Invoke-RunCloudSyncPlan -Path (Join-Path $TestDrive 'plan.json') -Force -ErrorAction SilentlyContinue)
        $r.Status | Should -Be 'Blocked'
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty
    }

    It '-NoSslReset changes the domains anyway (the redeploy stays owed); names not DNS-ready are no refusal' {
        $r = Sync-RunCloudDomain -Name ($script:Many | Select-Object -First 3) -NoSslReset -WarningAction SilentlyContinue
        $r.Added.Count | Should -Be 3
        $env:RUNCLOUD_SKIP_DNS_CHECK = $null
        try {
            $doh = "$($script:e.BaseUri)_emulator/dns-query"
            Set-RunCloudEmulatorDns -Name 'later.example.com' -Unpointed
            $dry = Sync-RunCloudDomain -Name 'later.example.com' -DnsServer $doh -WhatIf -WarningVariable warned -WarningAction SilentlyContinue
            $dry.StoppedBy | Should -BeNullOrEmpty -Because 'a name not pointed yet is added and remembered, not refused'
            ($warned -join ' ') | Should -BeLike '*not DNS-ready*later.example.com*'
            $real = Sync-RunCloudDomain -Name 'later.example.com' -DnsServer $doh -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            $real.Added | Should -Be @('later.example.com')
        }
        finally { $env:RUNCLOUD_SKIP_DNS_CHECK = '1' }
    }
}

Describe 'Owed work is finished by every path before "no change" is decided; SslRedeployed only after a redeploy that succeeded' {
    BeforeEach { Start-App }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }

    It 'ids: a failed redeploy is not reported as redeployed' {
        Add-RunCloudEmulatorFault -Emulator $script:e -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*' | Out-Null
        $r = Sync-RunCloudDomain -Name 'one.example.com' -ErrorAction SilentlyContinue
        $r.SslRedeployed | Should -BeFalse
        @($r.Failed.Action) | Should -Contain 'RedeploySsl'
        $script:e.GetUncoveredDomains($S, $W) | Should -Contain 'one.example.com'
    }

    It 'manifest: the next -Manifest run with no domain change reads the journal and finishes the redeploy' {
        $manifest = Write-TestManifest @{ targets = @(@{ connection = 'main'; serverId = $S; webAppId = $W; domains = @('one.example.com') }) }
        Add-RunCloudEmulatorFault -Emulator $script:e -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*' | Out-Null
        $first = Get-Results (Sync-RunCloudDomain -Manifest $manifest -Force -ErrorAction SilentlyContinue)
        $first.Status | Should -Be 'Failed'
        $first.SslRedeployed | Should -BeFalse

        $second = Get-Results (Sync-RunCloudDomain -Manifest $manifest -Force -WarningVariable warned -WarningAction SilentlyContinue)
        $second.Status | Should -Be 'Applied' -Because 'owed work is not "no change"'
        $second.SslRedeployed | Should -BeTrue
        ($warned -join ' ') | Should -BeLike '*left work unfinished*'
        $script:e.GetUncoveredDomains($S, $W) | Should -BeNullOrEmpty
        @(Get-OwedJournal) | Should -BeNullOrEmpty
    }

    It 'plan: a plan made after a failed redeploy owes it, and applying the plan finishes it' {
        Add-RunCloudEmulatorFault -Emulator $script:e -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*' | Out-Null
        $null = Sync-RunCloudDomain -Name 'one.example.com' -ErrorAction SilentlyContinue
        $plan = New-RunCloudSyncPlan -Connection main -ServerId $S -WebAppId $W -Domain 'one.example.com' -WarningAction SilentlyContinue
        $plan.Owed | Should -BeLike '*SSL redeploy owed*'
        $plan.SslAction | Should -Be 'Redeploy'
        $r = Get-Results ($plan | Invoke-RunCloudSyncPlan -Force -WarningAction SilentlyContinue)
        $r.Status | Should -Be 'Applied'
        $r.ApiCalls | Should -Be $plan.PlannedCalls
        $script:e.GetUncoveredDomains($S, $W) | Should -BeNullOrEmpty
        @(Get-OwedJournal) | Should -BeNullOrEmpty
    }
}

Describe 'Only what was observed is reported: a removal RunCloud answers 404 is "already gone", not "removed"' {
    BeforeEach {
        Start-App
        $null = $script:e.State.AddDomain($S, $W, 'gone.example.com')
        $script:goneId = ($script:e.State.GetDomains($S, $W) | Where-Object Name -EQ 'gone.example.com').Id
        # The preflight's SSL read is held for 2 s: meanwhile someone else removes the domain the plan will remove.
        $script:e.Faults.Add([RunCloud.Emulator.FaultRule]@{ Kind = 'Latency'; Latency = [TimeSpan]::FromSeconds(2); Count = 1; Method = 'GET'; PathPattern = 'servers/*/webapps/*/ssl' }) | Out-Null
    }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }

    It '<Path>' -ForEach @(
        @{ Path = 'ids'; Command = { param($m) Sync-RunCloudDomain -Connection main -ServerId 1001 -WebAppId 2001 -Name 'shop.example.com' -Prune -Force } }
        @{ Path = 'manifest'; Command = { param($m) Sync-RunCloudDomain -Manifest $m -Force } }
    ) {
        $manifest = Write-TestManifest @{ targets = @(@{ connection = 'main'; serverId = $S; webAppId = $W; domains = @('shop.example.com'); prune = $true }) }
        # The module's folder, as users import it (never a dll inside it, which would load a second copy).
        $module = (Get-Module RunCloud.PowerShell).ModuleBase
        $job = Start-ThreadJob -ScriptBlock { param($module, $command, $manifest) Import-Module $module; & ([scriptblock]::Create($command)) $manifest } -ArgumentList $module, "$Command", $manifest
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not @($script:e.GetRequests() | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/webapps/2001/domains' }).Count -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            # Someone else removes it (through the emulator's state document, so no request of ours is in the log).
            $doc = $script:e.State.ToJson() | ConvertFrom-Json
            foreach ($server in $doc.servers) { foreach ($app in $server.webApps) { $app.domains = @($app.domains | Where-Object id -NE $script:goneId) } }
            $script:e.State.LoadJson(($doc | ConvertTo-Json -Depth 20))
            $out = $job | Wait-Job -Timeout 60 | Receive-Job
        }
        finally { $job | Remove-Job -Force }
        $result = @($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudSyncResult] -or $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] })[0]
        @($script:e.GetRequests() | Where-Object { $_.Method -eq 'DELETE' -and $_.StatusCode -eq 404 }) | Should -HaveCount 1 -Because 'the DELETE was sent and answered 404'
        $result.Removed | Should -Not -Contain 'gone.example.com'
        $result.AlreadyGone | Should -Be @('gone.example.com')
    }
}

Describe 'Fleet targets are web apps (API host + server + web app), whatever the connection is called' {
    BeforeAll {
        Start-App
        Connect-RunCloud -Name alias -BaseUri $script:e.BaseUri -Token (ConvertTo-SecureString $script:e.Token -AsPlainText -Force) -RateLimit 0
        $script:twice = Write-TestManifest -Name 'twice.json' @{ targets = @(
            @{ connection = 'main'; serverId = $S; webAppId = $W; domains = @('a.example.com'); prune = $true }
            @{ connection = 'alias'; serverId = $S; webAppId = $W; domains = @('b.example.com'); prune = $true }
        ) }
    }
    AfterAll { Stop-RunCloudEmulator -Emulator $script:e }
    BeforeEach { $script:e.ClearRequests() }

    It '<Command> refuses one web app under two connection names before any request, naming both' -ForEach @(
        @{ Command = 'Sync-RunCloudDomain -Manifest' }
        @{ Command = 'New-RunCloudSyncPlan -Manifest' }
    ) {
        $verb = $Command.Split(' ')[0]
        { & $verb -Manifest $script:twice -ErrorAction Stop } | Should -Throw -ExpectedMessage "*target 1 (connection main*target 2 (connection alias*same web app*'main' and 'alias'*Nothing was changed*"
        @($script:e.GetRequests()) | Should -BeNullOrEmpty
    }

    It 'Invoke-RunCloudSyncPlan refuses two plans for one web app made under two connection names' {
        $one = New-RunCloudSyncPlan -Connection main -ServerId $S -WebAppId $W -Domain 'a.example.com' -Prune
        $two = New-RunCloudSyncPlan -Connection alias -ServerId $S -WebAppId $W -Domain 'b.example.com' -Prune
        $script:e.ClearRequests()
        { @($one, $two) | Invoke-RunCloudSyncPlan -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage '*more than once*connection main*connection alias*Nothing was changed*'
        @($script:e.GetRequests()) | Should -BeNullOrEmpty
    }
}

Describe 'A saved plan''s removals must be rows of its own live list and pass the planner''s rules again' {
    BeforeEach {
        Start-App
        $null = $script:e.State.AddDomain($S, $W, 'old.example.com')
        $script:planPath = Join-Path $TestDrive 'plan.json'
        New-RunCloudSyncPlan -Connection main -ServerId $S -WebAppId $W -Domain 'shop.example.com' -Prune -OutFile $script:planPath | Out-Null
        $script:e.ClearRequests()
    }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }
    BeforeAll {
        # An edit that keeps the file self-consistent (plannedCalls follows from the actions): only the rules can catch it.
        function script:Edit-Plan([scriptblock] $Edit) {
            $doc = Get-Content -Raw $script:planPath | ConvertFrom-Json
            & $Edit $doc.targets[0]
            $t = $doc.targets[0]
            $t.plannedCalls = $t.calls.verify + @($t.add).Count + @($t.remove).Count + $t.ssl.removeCertificates + $t.calls.ssl
            $doc | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $script:planPath
        }
    }

    It 'a removal the plan''s own rules protect (the RunCloud test domain) is refused, and nothing is sent but the re-read' {
        $test = $script:e.State.GetDomains($S, $W) | Where-Object Name -Like '*.runcloud.link'
        Edit-Plan { param($t) $t.remove = @($t.remove) + [pscustomobject]@{ id = $test.Id; name = $test.Name } }
        $r = Get-Results (Invoke-RunCloudSyncPlan -Path $script:planPath -Force -ErrorAction SilentlyContinue)
        $r.Status | Should -Be 'Refused'
        $r.Message | Should -BeLike "*removes $($test.Name)*do not allow*ProtectedName*"
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty
        Get-EmulatorDomainName $script:e | Should -Contain $test.Name
    }

    It 'a removal whose id is not a row of the plan''s own live list is refused' {
        $elsewhere = $script:e.State.GetDomains($S, 2002) | Select-Object -First 1
        Edit-Plan { param($t) $t.remove = @([pscustomobject]@{ id = $elsewhere.Id; name = 'old.example.com' }) }
        $r = Get-Results (Invoke-RunCloudSyncPlan -Path $script:planPath -Force -ErrorAction SilentlyContinue)
        $r.Status | Should -Be 'Refused'
        $r.Message | Should -BeLike '*not a row of its own live list*'
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty
    }

    It 'a removal without prune is refused: the plan''s own rules remove nothing' {
        Edit-Plan { param($t) $t.options.prune = $false }
        $r = Get-Results (Invoke-RunCloudSyncPlan -Path $script:planPath -Force -ErrorAction SilentlyContinue)
        $r.Status | Should -Be 'Refused'
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty
        Get-EmulatorDomainName $script:e | Should -Contain 'old.example.com'
    }

    It 'the plan as reviewed applies' {
        $r = Get-Results (Invoke-RunCloudSyncPlan -Path $script:planPath -Force)
        $r.Status | Should -Be 'Applied'
        $r.Removed | Should -Be @('old.example.com')
    }
}

Describe 'A saved plan keeps the top-level domains it was planned with: applying checks its names again with them' {
    BeforeEach {
        Start-App
        $script:planPath = Join-Path $TestDrive 'plan-tld.json'
        New-RunCloudSyncPlan -Connection main -ServerId $S -WebAppId $W -Domain 'shop.example.com', 'nas.lan' -AllowTld lan -NoSslReset -OutFile $script:planPath | Out-Null
        $script:e.ClearRequests()
    }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }
    BeforeAll {
        # An edit that keeps the file self-consistent (plannedCalls follows from the actions): only the rules can catch it.
        function script:Edit-TldPlan([scriptblock] $Edit) {
            $doc = Get-Content -Raw $script:planPath | ConvertFrom-Json
            & $Edit $doc.targets[0]
            $t = $doc.targets[0]
            $t.plannedCalls = $t.calls.verify + @($t.add).Count + @($t.remove).Count + $t.ssl.removeCertificates + $t.calls.ssl
            $doc | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $script:planPath
        }
    }

    It 'the plan records its allowTld, and a name of that private TLD applies' {
        $t = (Get-Content -Raw $script:planPath | ConvertFrom-Json).targets[0]
        @($t.options.allowTld) | Should -Be @('lan')
        @($t.add) | Should -Contain 'nas.lan'
        $r = Get-Results (Invoke-RunCloudSyncPlan -Path $script:planPath -Force)
        $r.Status | Should -Be 'Applied'
        $r.Added | Should -Contain 'nas.lan'
        Get-EmulatorDomainName $script:e | Should -Contain 'nas.lan'
    }

    It 'a name an edit slipped in whose top-level domain does not exist is refused, and nothing is sent but the re-read' {
        Edit-TldPlan { param($t) $t.desired = @($t.desired) + 'shop.exam'; $t.add = @($t.add) + 'shop.exam' }
        $r = Get-Results (Invoke-RunCloudSyncPlan -Path $script:planPath -Force -ErrorAction SilentlyContinue)
        $r.Status | Should -Be 'Refused'
        $r.Message | Should -BeLike "*adds shop.exam*invalid entry*'.exam', which is not a top-level domain*"
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty
        Get-EmulatorDomainName $script:e | Should -Not -Contain 'shop.exam'
    }

    It 'without its allowTld the private name no longer follows from the plan''s rules: refused' {
        Edit-TldPlan { param($t) $t.options.allowTld = @() }
        $r = Get-Results (Invoke-RunCloudSyncPlan -Path $script:planPath -Force -ErrorAction SilentlyContinue)
        $r.Status | Should -Be 'Refused'
        $r.Message | Should -BeLike '*adds nas.lan*-AllowTld lan*'
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty
    }

    It 'a bad allowTld entry makes the file unreadable, naming the field' {
        Edit-TldPlan { param($t) $t.options.allowTld = @('not a tld') }
        { Invoke-RunCloudSyncPlan -Path $script:planPath -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage '*options.allowTld*'
        Get-EmulatorMutation $script:e | Should -BeNullOrEmpty
    }
}
