# The fleet: named connections, vaults, the fleet manifest, plan/apply across accounts, -ThrottleLimit and -MaxCalls.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:StandIn = Join-Path $PSScriptRoot 'fixtures/SecretStandIn/SecretStandIn.psm1'
    # Two emulators = two RunCloud accounts, each with its own data and rate limit.
    $script:emuA = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:emuB = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:TokenA = ConvertTo-SecureString $script:emuA.Token -AsPlainText -Force
    $script:TokenB = ConvertTo-SecureString $script:emuB.Token -AsPlainText -Force
}

AfterAll {
    Disconnect-RunCloud -All
    Remove-Module SecretStandIn -ErrorAction Ignore
    $script:emuA, $script:emuB | Stop-RunCloudEmulator
}

Describe 'Named connections' {
    BeforeEach { Disconnect-RunCloud -All }

    It 'keeps two accounts side by side; -Connection takes a name; the default is untouched' {
        Connect-RunCloud -Name clientA -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
        Connect-RunCloud -Name clientB -Token $script:TokenB -BaseUri $script:emuB.BaseUri -RateLimit 0
        Get-RunCloudConnection | Should -BeNullOrEmpty
        $script:emuB.State.AddDomain(1001, 2001, 'only-on-b.example.com') | Out-Null
        (Get-RunCloudDomain -Connection clientA -ServerId 1001 -WebAppId 2001).Name | Should -Not -Contain 'only-on-b.example.com'
        (Get-RunCloudDomain -Connection clientB -ServerId 1001 -WebAppId 2001).Name | Should -Contain 'only-on-b.example.com'
    }

    It '-ListAvailable lists every connection by name and never a secret' {
        Connect-RunCloud -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
        Connect-RunCloud -Name clientA -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
        Connect-RunCloud -Name clientB -Token $script:TokenB -BaseUri $script:emuB.BaseUri -RateLimit 0
        $all = Get-RunCloudConnection -ListAvailable
        $all.Count | Should -Be 3
        $all[0].Name | Should -BeNullOrEmpty
        $all[1..2].Name | Should -Be @('clientA', 'clientB')
        $text = ($all | Format-List * | Out-String) + ($all | ConvertTo-Json -Depth 3 -WarningAction Ignore)
        $text | Should -Not -Match ([regex]::Escape($script:emuA.Token))
    }

    It 'an unknown name is a clear error that lists the open names, before any request' {
        Connect-RunCloud -Name clientA -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
        $script:emuA.ClearRequests()
        { Get-RunCloudDomain -Connection clinetA -ServerId 1001 -WebAppId 2001 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*No connection is named 'clinetA'*Open ones: clientA*"
        $script:emuA.GetRequests().Count | Should -Be 0
    }

    It 'connecting again under a name replaces and closes the old connection' {
        Connect-RunCloud -Name clientA -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
        $old = Get-RunCloudConnection -Name clientA
        $new = Connect-RunCloud -Name clientA -Token $script:TokenB -BaseUri $script:emuB.BaseUri -RateLimit 0 -PassThru
        (Get-RunCloudConnection -Name clientA).BaseUri | Should -Be $new.BaseUri
        { Get-RunCloudServer -Connection $old -ErrorAction Stop } | Should -Throw
    }

    It 'an unusable -Name is refused before any request' {
        $script:emuA.ClearRequests()
        { Connect-RunCloud -Name 'client A!' -Token $script:TokenA -BaseUri $script:emuA.BaseUri } |
            Should -Throw -ExpectedMessage '*-Name*not usable*letters, digits*'
        $script:emuA.GetRequests().Count | Should -Be 0
    }
}

Describe 'Connect-RunCloud -Vault' {
    BeforeEach { Disconnect-RunCloud -All; Remove-Module SecretStandIn -ErrorAction Ignore }

    It 'says clearly when Get-Secret (SecretManagement) is not available' {
        { Connect-RunCloud -Name v -Vault Company -SecretName rc } |
            Should -Throw -ExpectedMessage '*Get-Secret*not available*Install-Module Microsoft.PowerShell.SecretManagement*'
    }

    It 'reads a SecureString token through a stand-in Get-Secret' {
        Import-Module $script:StandIn -Force
        Set-StandInSecret -Vault Company -Name rc-a -Secret $script:TokenA
        $c = Connect-RunCloud -Name vaulted -Vault Company -SecretName rc-a -BaseUri $script:emuA.BaseUri -PassThru
        $c.AuthenticationKind | Should -Be 'Token'
        $c.Validated | Should -BeTrue
        $c.CredentialSource | Should -BeLike "*secret 'rc-a' of vault 'Company'*"
        ($script:emuA.GetRequests() | Select-Object -Last 1).AuthScheme | Should -Be 'Bearer'
    }

    It 'reads an API key and secret from a PSCredential or a hashtable' {
        Import-Module $script:StandIn -Force
        $secret = ConvertTo-SecureString $script:emuA.ApiSecret -AsPlainText -Force
        Set-StandInSecret -Vault Company -Name cred -Secret ([pscredential]::new($script:emuA.ApiKey, $secret))
        Set-StandInSecret -Vault Company -Name table -Secret @{ ApiKey = $script:emuA.ApiKey; ApiSecret = $script:emuA.ApiSecret }
        (Connect-RunCloud -Name k1 -Vault Company -SecretName cred -BaseUri $script:emuA.BaseUri -PassThru).AuthenticationKind | Should -Be 'ApiKey'
        (Connect-RunCloud -Name k2 -Vault Company -SecretName table -BaseUri $script:emuA.BaseUri -PassThru).AuthenticationKind | Should -Be 'ApiKey'
        ($script:emuA.GetRequests() | Select-Object -Last 1).AuthScheme | Should -Be 'Basic'
    }

    It 'a missing secret or an unusable one is a clear error that shows no value' {
        Import-Module $script:StandIn -Force
        Set-StandInSecret -Vault Company -Name odd -Secret ([datetime]::new(2026, 1, 1))
        { Connect-RunCloud -Name v -Vault Company -SecretName nope -BaseUri $script:emuA.BaseUri } |
            Should -Throw -ExpectedMessage "*could not read the secret 'nope' from vault 'Company'*"
        { Connect-RunCloud -Name v -Vault Company -SecretName odd -BaseUri $script:emuA.BaseUri } |
            Should -Throw -ExpectedMessage '*DateTime*cannot use*Store the API token*'
    }
}

Describe 'Fleet manifest: plan, review, apply across accounts' {
    BeforeAll {
        function script:Reset-Fleet {
            Disconnect-RunCloud -All
            foreach ($e in $script:emuA, $script:emuB) {
                $e.State.Clear(); $e.State.SeedDefaults(); $e.ClearRequests(); $e.Faults.Clear()
            }
            Connect-RunCloud -Name clientA -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
            Connect-RunCloud -Name clientB -Token $script:TokenB -BaseUri $script:emuB.BaseUri -RateLimit 0
            $script:emuA.ClearRequests(); $script:emuB.ClearRequests()
        }
        $script:Fleet = @{
            targets = @(
                @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'a1.example.com', 'a2.example.com'); prune = $true }
                @{ connection = 'clientA'; serverId = 1001; webAppId = 2002; domains = @('blog.example.com', 'b1.example.com') }
                @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'c1.example.com'); prune = $true }
            )
        }
    }
    BeforeEach { Reset-Fleet }

    It 'Sync-RunCloudDomain -Manifest syncs two accounts in one run; one result per target and a summary with calls per account' {
        $out = Sync-RunCloudDomain -Manifest (Write-TestManifest $script:Fleet) -ThrottleLimit 3 -Force
        $results = $out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] }
        $summary = $out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetSummary] }
        $results.Count | Should -Be 3
        $results.Status | Should -Be @('Applied', 'Applied', 'Applied')
        foreach ($r in $results) { $r.ApiCalls | Should -Be $r.PlannedCalls -Because "target $($r.Index) sends exactly its predicted calls" }
        $summary.Success | Should -BeTrue
        $summary.Added | Should -Be 4
        Get-EmulatorDomainName $script:emuA 2001 | Should -Contain 'a2.example.com'
        Get-EmulatorDomainName $script:emuA 2002 | Should -Contain 'b1.example.com'
        Get-EmulatorDomainName $script:emuB 2001 | Should -Contain 'c1.example.com'
        Get-EmulatorDomainName $script:emuB 2001 | Should -Not -Contain 'a1.example.com'
        $summary.Accounts.Account | Should -Be @('clientA', 'clientB')
        ($summary.Accounts | Where-Object Account -eq 'clientA').ApiCalls | Should -Be $script:emuA.GetRequests().Count
        ($summary.Accounts | Where-Object Account -eq 'clientB').ApiCalls | Should -Be $script:emuB.GetRequests().Count
    }

    It 'a .psd1 manifest with the same keys works the same' {
        $psd1 = Join-Path $TestDrive 'fleet.psd1'
        "@{ targets = @( @{ connection = 'clientB'; serverId = 1001; webAppId = 2002; domains = @('blog.example.com', 'p1.example.com') } ) }" | Set-Content -LiteralPath $psd1
        $r = Sync-RunCloudDomain -Manifest $psd1 -Force | Select-Object -First 1
        $r.Status | Should -Be 'Applied'
        Get-EmulatorDomainName $script:emuB 2002 | Should -Contain 'p1.example.com'
    }

    It 'the plan file holds per target the adds, removals, SSL action, guards, calls and fingerprint; applying sends exactly the predicted calls' {
        $planPath = Join-Path $TestDrive 'plan.json'
        $script:emuA.State.AddDomain(1001, 2001, 'old.example.com') | Out-Null
        $plans = New-RunCloudSyncPlan -Manifest (Write-TestManifest $script:Fleet) -OutFile $planPath
        $plans.Count | Should -Be 3
        $doc = Get-Content -Raw $planPath | ConvertFrom-Json
        $t1 = $doc.targets[0]
        $t1.add | Should -Be @('a1.example.com', 'a2.example.com')
        $t1.remove.name | Should -Be @('old.example.com')
        $t1.ssl.action | Should -Be 'Redeploy'
        ($t1.guards | Where-Object name -eq 'MaxRemove').verdict | Should -Be 'Pass'
        $t1.fingerprint | Should -Match '^sha256:[0-9a-f]{64}$'
        $doc.targets[1].ssl.action | Should -Be 'NoCertificate'
        (Get-Content -Raw $planPath) | Should -Not -Match ([regex]::Escape($script:emuA.Token))
        Get-EmulatorDomainName $script:emuA 2001 | Should -Not -Contain 'a1.example.com'   # planning changes nothing

        $script:emuA.ClearRequests(); $script:emuB.ClearRequests()
        $out = Invoke-RunCloudSyncPlan -Path $planPath -ThrottleLimit 3 -Force
        $results = @($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] })
        $results.Status | Should -Be @('Applied', 'Applied', 'Applied')
        foreach ($r in $results) {
            $r.ApiCalls | Should -Be ($doc.targets | Where-Object index -eq $r.Index).plannedCalls -Because "target $($r.Index) must send exactly its planned calls"
        }
        $script:emuA.GetRequests().Count + $script:emuB.GetRequests().Count | Should -Be $doc.summary.plannedCalls
        Get-EmulatorDomainName $script:emuA 2001 | Should -Not -Contain 'old.example.com'
    }

    It 'a drifted target is refused with what changed, while the others apply' {
        $planPath = Join-Path $TestDrive 'plan.json'
        New-RunCloudSyncPlan -Manifest (Write-TestManifest $script:Fleet) -OutFile $planPath | Out-Null
        $script:emuA.State.AddDomain(1001, 2002, 'drift.example.com') | Out-Null
        $out = Invoke-RunCloudSyncPlan -Path $planPath -Force -ErrorVariable errs -ErrorAction SilentlyContinue
        $results = @($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] })
        $results.Status | Should -Be @('Applied', 'Refused', 'Applied')
        $results[1].Message | Should -BeLike '*changed since the plan*now also drift.example.com*make a new plan*'
        Get-EmulatorDomainName $script:emuA 2002 | Should -Not -Contain 'b1.example.com'
        Get-EmulatorDomainName $script:emuA 2001 | Should -Contain 'a1.example.com'
        Get-EmulatorDomainName $script:emuB 2001 | Should -Contain 'c1.example.com'
        $errs.FullyQualifiedErrorId | Should -Contain 'RunCloudFleetTargetRefused,RunCloud.PowerShell.Commands.InvokeRunCloudSyncPlanCommand'
        ($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetSummary] }).Refused | Should -Be 1
    }

    It 'a malformed manifest is an error naming the target and field, before any request' {
        $bad = @{ targets = @(
                @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('a.example.com') }
                @{ connection = 'clientB'; serverId = 1001; webAppId = 2002; domains = @('b.example.com'); maxRemove = 'ten' }
            ) }
        { Sync-RunCloudDomain -Manifest (Write-TestManifest $bad) -Force } |
            Should -Throw -ExpectedMessage "*target 2 (connection clientB, server 1001, web app 2002)*field 'maxRemove'*whole number*"
        { New-RunCloudSyncPlan -Manifest (Write-TestManifest @{ targets = @(@{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @(); apiToken = 'x' }) }) } |
            Should -Throw -ExpectedMessage "*field 'apiToken' looks like a credential*"
        { Sync-RunCloudDomain -Manifest (Write-TestManifest @{ targets = @(@{ connection = 'clientC'; serverId = 1001; webAppId = 2001; domains = @() }) }) -Force } |
            Should -Throw -ExpectedMessage "*target 1*connection 'clientC', which is not open*"
        $script:emuA.GetRequests().Count + $script:emuB.GetRequests().Count | Should -Be 0
    }

    It 'a guard blocks only its own target; -MaxCalls refuses a plan over the cap before any change' {
        $script:emuA.State.AddDomains(1001, 2002, [string[]](1..3 | ForEach-Object { "x$_.example.com" })) | Out-Null
        $guarded = @{ targets = @(
                @{ connection = 'clientA'; serverId = 1001; webAppId = 2002; domains = @('blog.example.com'); prune = $true; maxRemove = 2 }
                @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'c1.example.com') }
            ) }
        $path = Write-TestManifest $guarded
        { Sync-RunCloudDomain -Manifest $path -MaxCalls 3 -Force } | Should -Throw -ExpectedMessage '*needs * API calls*more than -MaxCalls 3*Nothing was changed*'
        Get-EmulatorDomainName $script:emuB 2001 | Should -Not -Contain 'c1.example.com'
        $out = Sync-RunCloudDomain -Manifest $path -Force -ErrorAction SilentlyContinue
        ($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] }).Status | Should -Be @('Blocked', 'Applied')
        Get-EmulatorDomainName $script:emuA 2002 | Should -Contain 'x1.example.com'
    }

    It '-WhatIf applies nothing and sends no change, after the same read-only checks as the real run' {
        $planPath = Join-Path $TestDrive 'plan.json'
        New-RunCloudSyncPlan -Manifest (Write-TestManifest $script:Fleet) -OutFile $planPath | Out-Null
        $script:emuA.State.AddDomain(1001, 2002, 'drift.example.com') | Out-Null
        $script:emuA.ClearRequests(); $script:emuB.ClearRequests()
        $out = Invoke-RunCloudSyncPlan -Path $planPath -WhatIf -ErrorAction SilentlyContinue
        # The dry run re-reads each target as the real run would: the drifted one says so, the others would apply.
        ($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] }).Status | Should -Be @('WhatIf', 'Refused', 'WhatIf')
        @($script:emuA.GetRequests()) + @($script:emuB.GetRequests()) | Where-Object Method -NE 'GET' | Should -BeNullOrEmpty
    }

    It 'an edited plan whose call count no longer follows from its actions is refused' {
        $planPath = Join-Path $TestDrive 'plan.json'
        New-RunCloudSyncPlan -Manifest (Write-TestManifest $script:Fleet) -OutFile $planPath | Out-Null
        $doc = Get-Content -Raw $planPath | ConvertFrom-Json
        $doc.targets[0].add = @('a1.example.com')
        $doc | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $planPath
        { Invoke-RunCloudSyncPlan -Path $planPath -Force } | Should -Throw -ExpectedMessage "*target 1*'plannedCalls' says*correct plannedCalls*"
    }

    It 'a web app another process is syncing (its lock is held) is refused; the other targets apply' {
        $planPath = Join-Path $TestDrive 'plan.json'
        New-RunCloudSyncPlan -Manifest (Write-TestManifest $script:Fleet) -OutFile $planPath | Out-Null
        # The child's add on web app 2002 of account A takes 5 s to answer; meanwhile the child holds that app's lock.
        $script:emuA.Faults.Add([RunCloud.Emulator.FaultRule]@{ Kind = 'Latency'; Latency = [TimeSpan]::FromSeconds(5); Count = 1; Method = 'POST'; PathPattern = 'servers/1001/webapps/2002/domains' }) | Out-Null
        $pwsh = Get-TestPwshCommand
        $child = @"
Import-Module '$script:ModulePath'
Connect-RunCloud -BaseUri '$($script:emuA.BaseUri)' -Token (ConvertTo-SecureString '$($script:emuA.Token)' -AsPlainText -Force) -ServerId 1001 -WebAppId 2002 -RateLimit 0
Sync-RunCloudDomain -Domain 'child.example.com' -NoSslReset | Out-Null
"@
        $script:emuA.ClearRequests()
        $job = Start-ThreadJob { param($exe, $rest, $child) & $exe @rest -NoProfile -NonInteractive -Command $child 2>&1 } -ArgumentList $pwsh[0], @($pwsh | Select-Object -Skip 1), $child
        try {
            # The child lists the app's domains once it holds the lock; its add then hangs for 5 s.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not @($script:emuA.GetRequests() | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/webapps/2002/domains' }).Count -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            $out = Invoke-RunCloudSyncPlan -Path $planPath -Force -ErrorAction SilentlyContinue
        }
        finally { $null = $job | Wait-Job -Timeout 60; $job | Remove-Job -Force }
        $results = @($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] })
        $results.Status | Should -Be @('Applied', 'Refused', 'Applied')
        $results[1].Message | Should -BeLike '*web app 2002*Another run*'
        Get-EmulatorDomainName $script:emuA 2002 | Should -Not -Contain 'b1.example.com'
    }

    It 'a failed SSL redeploy stays owed in the journal, and the next Reset-RunCloudSsl on that app finishes it' {
        $saved = $env:RUNCLOUD_STATE_PATH
        $env:RUNCLOUD_STATE_PATH = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        try {
            $script:emuA.Faults.Add([RunCloud.Emulator.FaultRule]@{ Kind = 'Status'; StatusCode = 500; Count = 1; Method = 'PUT'; PathPattern = 'servers/1001/webapps/2001/ssl/*' }) | Out-Null
            $out = Sync-RunCloudDomain -Manifest (Write-TestManifest $script:Fleet) -Force -ErrorAction SilentlyContinue
            $r = @($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] })[0]
            $r.Status | Should -Be 'Failed'
            $r.Failed.Action | Should -Be @('RedeploySsl')
            $r.Message | Should -BeLike '*stays owed in the journal*'
            $script:emuA.GetUncoveredDomains(1001, 2001) | Should -Contain 'a1.example.com'
            @(Get-OwedJournal).Count | Should -Be 1   # only the failed one stays owed

            Reset-RunCloudSsl -Connection clientA -ServerId 1001 -WebAppId 2001 -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue | Out-Null
            ($warnings -join ' ') | Should -BeLike '*left work unfinished*'
            $script:emuA.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
            # Nothing owed any more (the journal may keep the SSL strategy's Let's Encrypt order counts).
            @(Get-OwedJournal) | Should -BeNullOrEmpty
        }
        finally { $env:RUNCLOUD_STATE_PATH = $saved }
    }

    It 'wordPressPath with "via": "wpCli" reads the network through WP-CLI (a stand-in wp here), paths relative to the manifest' {
        # A network without Ultimate Multisite: its sites (the first host its main domain) are the desired names.
        $facts = Join-Path $TestDrive 'facts.txt'
        Set-Content -LiteralPath $facts -Value (New-FakeWpFacts 'site1.example.com', 'site2.example.com')
        $wp = Join-Path $TestDrive 'fake-wp'
        Set-Content -LiteralPath $wp -Value "#!/bin/sh`nif [ `"`$1`" = eval-file ] && [ `"`$3`" = `"--path=$(Join-Path $TestDrive 'network')`" ]; then cat '$facts'; else echo `"unexpected `$*`" >&2; exit 1; fi"
        chmod +x $wp
        Set-Content -LiteralPath (Join-Path $TestDrive 'blog.txt') -Value '# one per line', 'blog.example.com', 'fromfile.example.com'
        $m = @{ targets = @(
                @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; wordPressPath = 'network'; via = 'wpCli'; wpCliPath = $wp }
                @{ connection = 'clientA'; serverId = 1001; webAppId = 2002; path = 'blog.txt' }
            ) }
        $plans = New-RunCloudSyncPlan -Manifest (Write-TestManifest $m)
        $plans[0].Add | Should -Be @('site1.example.com', 'site2.example.com')
        $plans[0].Source | Should -BeLike "WordPress sites, WP-CLI (*--path=$(Join-Path $TestDrive 'network'))*wu_domain_mappings does not exist*"
        $plans[0].DesiredNames.Source | Should -Be @("WordPress network 1's main domain", 'WordPress site 2 site2.example.com/ (network 1)')
        $plans[1].Add | Should -Be @('fromfile.example.com')
        $plans[1].Source | Should -Be "file $(Join-Path $TestDrive 'blog.txt')"
    }

    It 'one web app with Sync''s parameters: New-RunCloudSyncPlan | Invoke-RunCloudSyncPlan' {
        $plan = New-RunCloudSyncPlan -Connection clientB -ServerId 1001 -WebAppId 2002 -Domain blog.example.com, solo.example.com
        $plan.Add | Should -Be @('solo.example.com')
        $r = $plan | Invoke-RunCloudSyncPlan -Force | Select-Object -First 1
        $r.Status | Should -Be 'Applied'
        $r.ApiCalls | Should -Be $plan.PlannedCalls
        Get-EmulatorDomainName $script:emuB 2002 | Should -Contain 'solo.example.com'
    }
}

Describe 'One rate limiter per account, shared across runspaces' {
    It 'parallel targets and runspaces of one account never exceed its limit; another account proceeds beside it' {
        Disconnect-RunCloud -All
        $limited = Start-RunCloudEmulator -RateLimitPerMinute 10 -RateLimitWindowSeconds 2
        try {
            $token = ConvertTo-SecureString $limited.Token -AsPlainText -Force
            # The client paces at half the server's limit: a request's arrival lags its start by a varying delay (a cold
            # TCP connection, a busy machine), so a sliding window on starts can put up to twice its limit into one of the
            # server's fixed windows, never more. Shared, the fleet's 4 workers and the 2 reader runspaces stay within 10;
            # each pacing alone (3 limiters x 5), their first window alone would take 13 and earn 429s.
            Connect-RunCloud -Name limited -Token $token -BaseUri $limited.BaseUri -RateLimit 5 -RateLimitWindow 00:00:02 -SkipValidation
            Connect-RunCloud -Name free -Token $script:TokenB -BaseUri $script:emuB.BaseUri -RateLimit 0
            foreach ($i in 1..3) { $limited.State.AddWebApp(1001, "app$i") | Out-Null }
            $apps = @($limited.State.GetWebApps(1001).Id)
            $manifest = @{ targets = @(
                    foreach ($app in $apps) { @{ connection = 'limited'; serverId = 1001; webAppId = $app; domains = @("l$app-1.example.com", "l$app-2.example.com") } }
                    @{ connection = 'free'; serverId = 1001; webAppId = 2002; domains = @('blog.example.com', 'f1.example.com') }
                ) }
            $path = Join-Path $TestDrive 'limited.json'
            $manifest | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $path
            # The module's folder, as users import it: Get-Module's Path is the root dll in bin/, which imported by path would
            # load a second copy of the module outside its load context.
            $module = (Get-Module RunCloud.PowerShell).ModuleBase
            # Two more runspaces read through the same named connection while the fleet runs with -ThrottleLimit 4.
            $readers = 1..2 | ForEach-Object {
                $ps = [powershell]::Create()
                $null = $ps.AddScript({ param($m) Import-Module $m; 1..4 | ForEach-Object { Get-RunCloudServer -Connection limited } }).AddArgument($module)
                @{ PS = $ps; Handle = $ps.BeginInvoke() }
            }
            $out = Sync-RunCloudDomain -Manifest $path -ThrottleLimit 4 -Force
            foreach ($r in $readers) { $null = $r.PS.EndInvoke($r.Handle); $r.PS.HadErrors | Should -BeFalse; $r.PS.Dispose() }

            ($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] }).Status | Should -Be (@('Applied') * ($apps.Count + 1))
            $log = @($limited.GetRequests() | Sort-Object Time)
            $log.Count | Should -BeGreaterThan 12
            @($log | Where-Object StatusCode -eq 429).Count | Should -Be 0
            # The emulator's own fixed windows (each starts at the first request after the previous one ended).
            $start = $null; $count = 0; $max = 0
            foreach ($q in $log) {
                if ($null -eq $start -or ($q.Time - $start).TotalSeconds -ge 2) { $start = $q.Time; $count = 0 }
                $count++; $max = [Math]::Max($max, $count)
            }
            $max | Should -BeLessOrEqual 10
        }
        finally {
            Disconnect-RunCloud -All
            $limited | Stop-RunCloudEmulator
        }
    }
}
