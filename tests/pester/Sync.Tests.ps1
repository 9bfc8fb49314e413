BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # A fresh emulator per test, connected as the default connection, with an empty request log.
    function Start-SyncEmulator {
        # 100 desired names plus the app's primary and test domains: past Let's Encrypt's 100 names per certificate, which
        # the emulator enforces unless told not to (these tests are about the sync plan, not the certificate strategy).
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0 -MaxNamesPerCertificate 0
        $env:RUNCLOUD_MAX_NAMES_PER_CERTIFICATE = '0'   # the module's SSL strategy likewise (tests/pester/SslStrategy.Tests.ps1 covers it)
        Connect-RunCloud -BaseUri $script:e.BaseUri -Token (ConvertTo-SecureString $script:e.Token -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0
        $script:e.ClearRequests()
        $script:e
    }

    # The app 2001 of the "100 onto 90" case: primary + RunCloud test domain + s1..s88 = 90 names.
    function Add-NinetyDomains {
        [void]$script:e.State.AddDomains(1001, 2001, [string[]](1..88 | ForEach-Object { "s$_.example.com" }))
    }

    function Get-Names([long] $App = 2001) { @($script:e.State.GetDomains(1001, $App) | ForEach-Object Name) }

    function Get-Mutations { @(Get-RunCloudEmulatorRequest | Where-Object Method -in 'POST', 'DELETE', 'PUT', 'PATCH') }

    $script:Primary = 'shop.example.com'
    $script:TestDomain = 'shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link'
    # 100 desired names: 80 already on the app (s1..s80) and 20 new ones (n1..n20).
    $script:Desired = @(1..80 | ForEach-Object { "s$_.example.com" }) + @(1..20 | ForEach-Object { "n$_.example.com" })
}

AfterAll {
    Stop-RunCloudEmulator -ErrorAction SilentlyContinue
    Disconnect-RunCloud -ErrorAction SilentlyContinue
}

Describe 'Sync-RunCloudDomain: 100 names onto an app with 90 (80 in common)' {
    BeforeEach { Start-SyncEmulator | Out-Null; Add-NinetyDomains }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }

    It 'plans from one listing and sends exactly 3 list pages + 20 POST + 8 DELETE + GET ssl + 1 PUT' {
        (Get-Names).Count | Should -Be 90
        $r = Sync-RunCloudDomain -Domain $script:Desired -Prune

        $requests = @(Get-RunCloudEmulatorRequest)
        @($requests | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/webapps/2001/domains' }).Count | Should -Be 3   # ceil(90/40)
        @($requests | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/webapps/2001/ssl' }).Count | Should -Be 1
        @($requests | Where-Object Method -eq 'POST').Count | Should -Be 20
        @($requests | Where-Object Method -eq 'DELETE').Count | Should -Be 8
        @($requests | Where-Object Method -eq 'PUT').Count | Should -Be 1
        $requests.Count | Should -Be 33
        $r.ApiCalls | Should -Be 33

        $r | Should -BeOfType ([RunCloud.PowerShell.Models.RunCloudSyncResult])
        $r.Added.Count | Should -Be 20
        $r.Removed.Count | Should -Be 8
        $r.Unchanged.Count | Should -Be 80
        $r.Failed.Count | Should -Be 0
        $r.Success | Should -BeTrue
        $r.SslRedeployed | Should -BeTrue
        $r.WhatIf | Should -BeFalse
        $r.Duration | Should -BeGreaterThan 0
        @($r.Skipped.Name) | Should -Be @($script:Primary, $script:TestDomain)

        (Get-Names | Sort-Object) | Should -Be (@($script:Desired) + $script:Primary + $script:TestDomain | Sort-Object)
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
    }

    It 'sends no call at all on a second run right after, and with -Full only the listing GETs' {
        Sync-RunCloudDomain -Domain $script:Desired -Prune | Out-Null
        $script:e.ClearRequests()
        $r = Sync-RunCloudDomain -Domain $script:Desired -Prune
        @(Get-RunCloudEmulatorRequest).Count | Should -Be 0 -Because 'the source did not change since the last clean sync'
        $r.Way | Should -Be 'Unchanged'
        $r.ApiCalls | Should -Be 0
        $r.Unchanged.Count | Should -Be 100
        $r.Success | Should -BeTrue

        $r = Sync-RunCloudDomain -Domain $script:Desired -Prune -Full
        Get-Mutations | Should -BeNullOrEmpty
        @(Get-RunCloudEmulatorRequest).Count | Should -Be 3   # ceil(92/40)
        $r.Way | Should -Be 'Full'
        $r.ApiCalls | Should -Be 3
        $r.Added.Count + $r.Removed.Count | Should -Be 0
        $r.Unchanged.Count | Should -Be 100
        $r.SslRedeployed | Should -BeFalse
        $r.Success | Should -BeTrue
    }

    It '-WhatIf prints the plan and sends only GET requests' {
        $before = Get-Names
        $r = Sync-RunCloudDomain -Domain $script:Desired -Prune -WhatIf
        @(Get-RunCloudEmulatorRequest | Where-Object Method -ne 'GET') | Should -BeNullOrEmpty
        $r.WhatIf | Should -BeTrue
        $r.Added.Count | Should -Be 20
        $r.Removed.Count | Should -Be 8
        $r.SslRedeployed | Should -BeFalse
        Get-Names | Should -Be $before
    }

    It '-WhatIf writes one "What if" line per action' {
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $script = @"
Import-Module '$script:ModulePath'
Import-Module '$script:EmulatorModulePath'
`$e = Start-RunCloudEmulator -RateLimitPerMinute 0
[void]`$e.State.AddDomains(1001, 2001, [string[]]@('old1.example.com', 'old2.example.com'))
Connect-RunCloud -BaseUri `$e.BaseUri -Token (ConvertTo-SecureString `$e.Token -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0
Sync-RunCloudDomain -Domain new1.example.com, new2.example.com, new3.example.com -Prune -WhatIf | Out-Null
"@
        $out = & $exe @rest -NoProfile -NonInteractive -Command $script
        $whatIf = @($out | Where-Object { $_ -like 'What if:*' })
        @($whatIf | Where-Object { $_ -like '*"Add domain"*' }).Count | Should -Be 3
        @($whatIf | Where-Object { $_ -like '*"Remove domain"*' }).Count | Should -Be 2
        @($whatIf | Where-Object { $_ -like '*SSL*' }).Count | Should -Be 1
    }

    It '-Verbose shows the plan' {
        $verbose = Sync-RunCloudDomain -Domain $script:Desired -Prune -WhatIf -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        @($verbose | Where-Object Message -like '*plan: add n1.example.com').Count | Should -Be 1
        @($verbose | Where-Object Message -like '*plan: remove s88.example.com*').Count | Should -Be 1
        @($verbose | Where-Object Message -like '*20 to add, 8 to remove, 80 unchanged*').Count | Should -Be 1
    }

    It 'stops the whole sync before any change when removals exceed -MaxRemove' {
        $half = $script:Desired | Select-Object -First 50   # s1..s50: 38 removals
        $err = $null
        { Sync-RunCloudDomain -Domain $half -Prune } | Should -Throw -ErrorId 'RunCloudSyncTooManyRemovals,*'
        try { Sync-RunCloudDomain -Domain $half -Prune } catch { $err = $_ }
        $err.Exception.Message | Should -BeLike '*remove 38 domains*'
        $err.Exception.Message | Should -BeLike '*-MaxRemove 38*'
        $err.Exception.Message | Should -Not -BeLike '*-Force*'
        Get-Mutations | Should -BeNullOrEmpty
        (Get-Names).Count | Should -Be 90

        $r = Sync-RunCloudDomain -Domain $half -Prune -MaxRemove 38
        $r.Removed.Count | Should -Be 38
    }

    It '-Force only skips the prompt: it does not pass the -MaxRemove guard' {
        { Sync-RunCloudDomain -Domain ($script:Desired | Select-Object -First 50) -Prune -Force } | Should -Throw -ErrorId 'RunCloudSyncTooManyRemovals,*'
        Get-Mutations | Should -BeNullOrEmpty
        (Get-Names).Count | Should -Be 90
    }

    It 'refuses to prune from an empty desired list, even with -Force, unless -AllowEmptySource' {
        { Sync-RunCloudDomain -Domain @() -Prune -MaxRemove 1000 } | Should -Throw -ErrorId 'RunCloudSyncEmptySource,*'
        { @() | Sync-RunCloudDomain -Prune -MaxRemove 1000 -Force } | Should -Throw -ErrorId 'RunCloudSyncEmptySource,*'
        { Sync-RunCloudDomain -Domain 'not a domain', 'https://x.example.com/' -Prune -MaxRemove 1000 } | Should -Throw -ErrorId 'RunCloudSyncEmptySource,*'
        @(Get-RunCloudEmulatorRequest) | Should -BeNullOrEmpty
        $r = Sync-RunCloudDomain -Domain @() -Prune -MaxRemove 1000 -AllowEmptySource
        (Get-Names | Sort-Object) | Should -Be (@($script:Primary, $script:TestDomain) | Sort-Object)
        $r.Removed.Count | Should -Be 88
    }

    It 'an invalid desired entry stops the prune, and the domain it names is never removed' {
        $desired = @($script:Desired | Select-Object -First 85 | Where-Object { $_ -ne 's81.example.com' }) + 'https://s81.example.com/'
        $r = Sync-RunCloudDomain -Domain $desired -Prune -ErrorVariable syncErrors -ErrorAction SilentlyContinue
        $syncErrors.FullyQualifiedErrorId | Should -Contain 'RunCloudSyncPruneStopped,RunCloud.PowerShell.Commands.SyncRunCloudDomainCommand'
        $r.Success | Should -BeFalse
        $r.Removed | Should -BeNullOrEmpty
        Get-RunCloudEmulatorRequest -Method DELETE | Should -BeNullOrEmpty
        $r.Added.Count | Should -Be 5   # n1..n5 still added
        $r2 = Sync-RunCloudDomain -Domain $desired -Prune -AllowInvalidEntries
        Get-Names | Should -Contain 's81.example.com'
        @($r2.Removed | Sort-Object) | Should -Be @(82..88 | ForEach-Object { "s$_.example.com" })
    }

    It 'never removes excluded names and never adds them' {
        $r = Sync-RunCloudDomain -Domain ($script:Desired + 'skip-me.example.com') -Prune -Exclude 's8[1-5].example.com', 'skip-*'
        @($r.Removed | Sort-Object) | Should -Be @('s86.example.com', 's87.example.com', 's88.example.com')
        $r.Added | Should -Not -Contain 'skip-me.example.com'
        @($r.Skipped | Where-Object Name -eq 'skip-me.example.com').Reason | Should -BeLike '*Exclude*'
        @($r.Skipped | Where-Object Name -eq 's81.example.com').Reason | Should -BeLike '*Exclude*'
        Get-Names | Should -Contain 's85.example.com'
        @(Get-RunCloudEmulatorRequest -Method POST | Where-Object Body -like '*skip-me*') | Should -BeNullOrEmpty
    }

    It 'keeps the primary domain and the RunCloud test domain, even with -Force and a raised -MaxRemove' {
        $r = Sync-RunCloudDomain -Domain 's1.example.com' -Prune -Force -MaxRemove 100
        Get-Names | Should -Contain $script:Primary
        Get-Names | Should -Contain $script:TestDomain
        ($r.Skipped | Where-Object Name -eq $script:Primary).Reason | Should -BeLike '*primary*'
        ($r.Skipped | Where-Object Name -eq $script:TestDomain).Reason | Should -BeLike '*ProtectedName*'
        (Get-Names | Sort-Object) | Should -Be (@('s1.example.com', $script:Primary, $script:TestDomain) | Sort-Object)
    }

    It 'removes a RunCloud test domain only when -ProtectedName is overridden (the primary never)' {
        $r = Sync-RunCloudDomain -Domain $script:Desired -Prune -ProtectedName @() -MaxRemove 9
        $r.Removed | Should -Contain $script:TestDomain
        Get-Names | Should -Contain $script:Primary
    }

    It 'without -Prune removes nothing and reports the extra names as kept' {
        $r = Sync-RunCloudDomain -Domain ($script:Desired | Select-Object -First 10)
        Get-RunCloudEmulatorRequest -Method DELETE | Should -BeNullOrEmpty
        $r.Kept.Count | Should -Be 80
        $r.Added.Count | Should -Be 0
    }

    It 'survives a partial failure, reports it with a non-terminating error, and a re-run converges with nothing lost' {
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 3 -Method POST -Path 'servers/*/webapps/*/domains' | Out-Null
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 2 -Method DELETE -Path 'servers/*/webapps/*/domains/*' | Out-Null

        $r = Sync-RunCloudDomain -Domain $script:Desired -Prune -ErrorVariable syncErrors -ErrorAction SilentlyContinue
        $ok = $?
        $ok | Should -BeFalse
        $syncErrors.Count | Should -Be 1
        $syncErrors[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSyncFailed*'
        $r.Success | Should -BeFalse
        $r.Failed.Count | Should -Be 5
        @($r.Failed | Where-Object Action -eq 'Add').Count | Should -Be 3
        @($r.Failed | Where-Object Action -eq 'Remove').Count | Should -Be 2
        $r.Failed[0].ErrorId | Should -Be 'RunCloudServerError'
        $r.Failed[0].Message | Should -Not -BeNullOrEmpty
        $r.Added.Count | Should -Be 17
        $r.Removed.Count | Should -Be 6
        $r.SslRedeployed | Should -BeTrue
        $names = Get-Names
        foreach ($name in $script:Desired | Select-Object -First 80) { $names | Should -Contain $name -Because 'a failure loses nothing that was there' }
        $names | Should -Contain $script:Primary

        $script:e.ClearRequests()
        $r2 = Sync-RunCloudDomain -Domain $script:Desired -Prune
        $?  | Should -BeTrue
        $r2.Success | Should -BeTrue
        $r2.Added.Count | Should -Be 3
        $r2.Removed.Count | Should -Be 2
        @(Get-RunCloudEmulatorRequest -Method PUT).Count | Should -Be 1
        (Get-Names | Sort-Object) | Should -Be (@($script:Desired) + $script:Primary + $script:TestDomain | Sort-Object)
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty

        $script:e.ClearRequests()
        Sync-RunCloudDomain -Domain $script:Desired -Prune | Out-Null
        Get-Mutations | Should -BeNullOrEmpty
    }

    It 'does not prompt when run with -Force under $ConfirmPreference = Low' {
        $r = & { $ConfirmPreference = 'Low'; Sync-RunCloudDomain -Domain $script:Desired -Prune -Force }
        $r.Added.Count | Should -Be 20
    }
}

Describe 'Sync-RunCloudDomain: a failed SSL redeploy is finished by -ResetSsl' {
    BeforeEach { Start-SyncEmulator | Out-Null }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }

    It 'reports the failed redeploy, and a re-run with -ResetSsl (and no other change) covers every domain' {
        # 500 is not retried; the PUT fails for good in the first run.
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*'
        $r = Sync-RunCloudDomain -Domain 'late1.example.com', 'late2.example.com' -ErrorAction SilentlyContinue -ErrorVariable err
        $r.Added | Should -Be @('late1.example.com', 'late2.example.com')
        ($r.Failed | Where-Object Action -EQ 'RedeploySsl') | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'RunCloudSyncFailed*'
        $script:e.GetUncoveredDomains(1001, 2001) | Should -Contain 'late1.example.com'

        $script:e.ClearRequests()
        $again = Sync-RunCloudDomain -Domain 'late1.example.com', 'late2.example.com' -ResetSsl
        $again.Added | Should -BeNullOrEmpty
        $again.SslRedeployed | Should -BeTrue
        @(Get-Mutations | ForEach-Object Method) | Should -Be @('PUT')
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
    }

    It 'the journal makes the next run finish the redeploy by itself (no -ResetSsl) and say so' {
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*'
        $null = Sync-RunCloudDomain -Domain 'late1.example.com' -ErrorAction SilentlyContinue
        $script:e.GetUncoveredDomains(1001, 2001) | Should -Contain 'late1.example.com'
        @(Get-OwedJournal).Count | Should -Be 1

        $script:e.ClearRequests()
        $again = Sync-RunCloudDomain -Domain 'late1.example.com' -WarningVariable warnings -WarningAction SilentlyContinue
        $again.Added | Should -BeNullOrEmpty
        $again.SslRedeployed | Should -BeTrue
        $again.FinishedPending | Should -Not -BeNullOrEmpty
        ($warnings -join ' ') | Should -BeLike '*left work unfinished*SSL redeploy owed*'
        @(Get-Mutations | ForEach-Object Method) | Should -Be @('PUT')
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
        @(Get-OwedJournal) | Should -BeNullOrEmpty

        $script:e.ClearRequests()
        $null = Sync-RunCloudDomain -Domain 'late1.example.com'
        Get-Mutations | Should -BeNullOrEmpty
    }

    It 'the journal is per app: app B never clears app A''s owed redeploy' {
        $script:e.State.InstallSsl(1001, 2002) | Out-Null
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/1001/webapps/2001/ssl/*'
        $null = Sync-RunCloudDomain -Domain 'a1.example.com' -WebAppId 2001 -ErrorAction SilentlyContinue
        $null = Sync-RunCloudDomain -Domain 'b1.example.com' -WebAppId 2002
        $script:e.ClearRequests()
        $again = Sync-RunCloudDomain -Domain 'a1.example.com' -WebAppId 2001 -WarningAction SilentlyContinue
        $again.SslRedeployed | Should -BeTrue
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
    }

    It 'a second run on the same app (another process) stops with RunCloudAppLocked, having sent nothing' {
        # The child's add takes 5 s to answer; while it hangs, the child holds the app's lock.
        Add-RunCloudEmulatorFault -Kind Latency -LatencyMilliseconds 5000 -Count 1 -Method POST -Path 'servers/*/webapps/*/domains' | Out-Null
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $child = @"
Import-Module '$script:ModulePath'
Connect-RunCloud -BaseUri '$($script:e.BaseUri)' -Token (ConvertTo-SecureString '$($script:e.Token)' -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0
Sync-RunCloudDomain -Domain 'child.example.com' -NoSslReset | Out-Null
"@
        $job = Start-ThreadJob { param($exe, $rest, $child) & $exe @rest -NoProfile -NonInteractive -Command $child 2>&1 } -ArgumentList $exe, $rest, $child
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not @(Get-RunCloudEmulatorRequest -Method GET -Path 'servers/1001/webapps/2001/domains').Count -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $script:e.ClearRequests()
            $err = $null
            try { Sync-RunCloudDomain -Domain 'parent.example.com' -LockTimeout 0 } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike 'RunCloudAppLocked,*'
            $err.Exception.Message | Should -BeLike '*Another run is changing*Nothing was changed*'
            @(Get-RunCloudEmulatorRequest | Where-Object { $_.Body -like '*parent*' -or $_.Method -eq 'GET' }) | Should -BeNullOrEmpty
        }
        finally { $null = $job | Wait-Job -Timeout 60; $job | Remove-Job -Force }
        $r = Sync-RunCloudDomain -Domain 'parent.example.com' -LockTimeout 0
        $r.Added | Should -Be @('parent.example.com')
        Get-Names | Should -Contain 'child.example.com'
    }

    It 'refuses -ResetSsl together with -NoSslReset before any call' {
        { Sync-RunCloudDomain -Domain 'x.example.com' -ResetSsl -NoSslReset } | Should -Throw -ErrorId 'RunCloudInvalidInput*'
        Get-RunCloudEmulatorRequest | Should -BeNullOrEmpty
    }
}

Describe 'Sync-RunCloudDomain: input forms' {
    BeforeEach { Start-SyncEmulator | Out-Null }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }

    It 'takes -Domain (positional)' {
        $r = Sync-RunCloudDomain 'a.example.com', 'B.Example.COM.' -WebAppId 2002
        @($r.Added | Sort-Object) | Should -Be @('a.example.com', 'b.example.com')
        Get-Names 2002 | Should -Contain 'b.example.com'
    }

    It 'collects strings from the whole pipeline and acts once' {
        $r = 'a.example.com', 'b.example.com', 'a.example.com' | Sync-RunCloudDomain -WebAppId 2002
        @($r).Count | Should -Be 1
        @($r.Added | Sort-Object) | Should -Be @('a.example.com', 'b.example.com')
        @(Get-RunCloudEmulatorRequest -Method GET -Path 'servers/1001/webapps/2002/domains').Count | Should -Be 1
    }

    It 'takes objects with a Domain, domain, Name or url property' {
        $objects = @(
            [pscustomobject]@{ Domain = 'one.example.com' }
            [pscustomobject]@{ domain = 'two.example.com' }
            [pscustomobject]@{ Name = 'three.example.com' }
            [pscustomobject]@{ blog_id = 4; url = 'https://four.example.com/' }
            @{ Domain = 'five.example.com' }
            42
        )
        $r = $objects | Sync-RunCloudDomain -WebAppId 2002
        @($r.Added | Sort-Object) | Should -Be @('five.example.com', 'four.example.com', 'one.example.com', 'three.example.com', 'two.example.com')
        @($r.Skipped).Count | Should -Be 1
        $r.Skipped[0].Reason | Should -BeLike '*no Domain, Name or url*'
    }

    It 'takes wp site list --format=json | ConvertFrom-Json as is' {
        $json = '[{"blog_id":"1","url":"http://net.example.com/","last_updated":"2024-01-01 00:00:00","registered":"2024-01-01 00:00:00"},{"blog_id":"2","url":"https://shop2.net.example.com/","last_updated":"","registered":""}]'
        $r = $json | ConvertFrom-Json | Sync-RunCloudDomain -WebAppId 2002
        @($r.Added | Sort-Object) | Should -Be @('net.example.com', 'shop2.net.example.com')
    }

    It 'reads -Path as text with comments and blank lines' {
        $file = Join-Path $TestDrive 'domains.txt'
        Set-Content $file -Value "# the network`n`none.example.com`ntwo.example.com   # trailing comment`n`n  three.example.com  `n"
        $r = Sync-RunCloudDomain -Path $file -WebAppId 2002
        @($r.Added | Sort-Object) | Should -Be @('one.example.com', 'three.example.com', 'two.example.com')
    }

    It 'reads -Path as a JSON array of strings or of objects' {
        $strings = Join-Path $TestDrive 'names.json'
        Set-Content $strings -Value '["one.example.com", "two.example.com"]'
        (Sync-RunCloudDomain -Path $strings -WebAppId 2002).Added.Count | Should -Be 2

        $objects = Join-Path $TestDrive 'sites.data'   # no telling extension: decided by content
        Set-Content $objects -Value '[{"domain":"three.example.com"},{"name":"four.example.com"},{"url":"https://five.example.com/x/"}]'
        @((Sync-RunCloudDomain -Path $objects -WebAppId 2002).Added | Sort-Object) | Should -Be @('five.example.com', 'four.example.com', 'three.example.com')
    }

    It 'reads -Path as a CSV with a Domain column' {
        $file = Join-Path $TestDrive 'sites.csv'
        Set-Content $file -Value "Site,Domain,Owner`n1,one.example.com,ann`n2,""two.example.com"",""bob, jr""`n3,,nobody"
        $r = Sync-RunCloudDomain -Path $file -WebAppId 2002
        @($r.Added | Sort-Object) | Should -Be @('one.example.com', 'two.example.com')
        # A row that names no domain is reported, never dropped in silence.
        @($r.Skipped | Where-Object Kind -eq 'Invalid').Name | Should -Be @('3,,nobody')
    }

    It 'stops with an error and changes nothing when -Path cannot be read' {
        { Sync-RunCloudDomain -Path (Join-Path $TestDrive 'missing.txt') -Prune } | Should -Throw
        @(Get-RunCloudEmulatorRequest) | Should -BeNullOrEmpty
    }

    It 'builds slug.example.com names from -SubdomainOf and -Site' {
        $r = Sync-RunCloudDomain -SubdomainOf example.com -Site store, blog2, 'news.example.com' -WebAppId 2002
        @($r.Added | Sort-Object) | Should -Be @('blog2.example.com', 'news.example.com', 'store.example.com')
    }

    It 'skips invalid names with the validation message and never sends them' {
        $r = Sync-RunCloudDomain -Domain 'good.example.com', 'https://url.example.com/', 'bad_name.example.com', '10.0.0.1' -WebAppId 2002
        $r.Added | Should -Be @('good.example.com')
        @($r.Skipped).Count | Should -Be 3
        ($r.Skipped | Where-Object Name -eq 'https://url.example.com/').Reason | Should -BeLike '*URL*url.example.com*'
        @(Get-RunCloudEmulatorRequest -Method POST).Count | Should -Be 1
    }

    It 'reports a name another web app of the server serves as failed, and still adds the rest' {
        $r = Sync-RunCloudDomain -Domain 'shop.example.com', 'free.example.com' -WebAppId 2002 -ErrorAction SilentlyContinue
        $r.Added | Should -Be @('free.example.com')
        $r.Failed.Name | Should -Be 'shop.example.com'
        $r.Failed.ErrorId | Should -Be 'RunCloudDomainAlreadyExists'
        $r.Failed.Message | Should -BeLike '*another web app*'
    }

    It 'passes -Www and -Redirection for added names (never www. twice)' {
        Sync-RunCloudDomain -Domain 'w.example.com', 'www.x.example.com' -Www -Redirection non-www -WebAppId 2002 | Out-Null
        $bodies = @(Get-RunCloudEmulatorRequest -Method POST | ForEach-Object { $_.Body | ConvertFrom-Json })
        ($bodies | Where-Object name -eq 'w.example.com').www | Should -BeTrue
        ($bodies | Where-Object name -eq 'www.x.example.com').www | Should -BeFalse
        $bodies.redirection | Should -Be @('non-www', 'non-www')
    }

    It 'declares its output type and formats as a table' {
        # One web app: RunCloudSyncResult; -Manifest: a RunCloudFleetResult per target and a summary.
        ((Get-Command Sync-RunCloudDomain).ParameterSets | Where-Object Name -ne 'Manifest' | Select-Object -First 1) | Should -Not -BeNullOrEmpty
        (Get-Command Sync-RunCloudDomain).OutputType.Type | Should -Be @([RunCloud.PowerShell.Models.RunCloudSyncResult], [RunCloud.PowerShell.Models.RunCloudFleetResult], [RunCloud.PowerShell.Models.RunCloudFleetSummary])
        $r = Sync-RunCloudDomain -Domain 'a.example.com' -WebAppId 2002
        ($r | Format-Table | Out-String) | Should -BeLike '*Added*Removed*Unchanged*'
        ($r | Format-List | Out-String) | Should -BeLike '*Failed*'
    }
}

Describe 'Sync-RunCloudDomain: sources that cannot lie (a file caught mid-write, a short CSV row, an unknown top-level domain)' {
    BeforeEach {
        Start-SyncEmulator | Out-Null
        # On the app besides its primary and test domain: a name the file keeps, and one the file's cut last line meant.
        [void]$script:e.State.AddDomains(1001, 2001, [string[]]@('keep.example.com', 'old.example.com', 'stale.example.com'))
        $script:e.ClearRequests()
    }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }

    It 'a -Path file that ends mid-line and changed moments ago adds its valid names and holds the prune back, naming the line' {
        $file = Join-Path $TestDrive 'names-cut.txt'
        # What a generator has written so far: the last name is cut, and a valid .co name at that ('.example.co').
        [IO.File]::WriteAllText($file, "keep.example.com`nnew.example.com`nold.example.co")
        $r = Sync-RunCloudDomain -Path $file -Prune -NoSslReset -ErrorVariable syncErrors -ErrorAction SilentlyContinue
        $r.Added | Should -Be @('new.example.com')
        $r.Removed | Should -BeNullOrEmpty
        Get-RunCloudEmulatorRequest -Method DELETE | Should -BeNullOrEmpty
        Get-Names | Should -Contain 'stale.example.com'
        $stopped = @($syncErrors | Where-Object FullyQualifiedErrorId -like 'RunCloudSyncPruneStopped,*')
        $stopped | Should -HaveCount 1
        $stopped[0].ErrorDetails.Message | Should -BeLike "*'old.example.co'*Line 3 may be cut short*$file does not end with a line break*Run again once the file is complete*"
        @($r.Skipped | Where-Object Name -eq 'old.example.co').Kind | Should -Be 'Invalid'
    }

    It 'the same file, settled (last written an hour ago), is read whole and prunes' {
        $file = Join-Path $TestDrive 'names-settled.txt'
        [IO.File]::WriteAllText($file, "keep.example.com`nnew.example.com`nold.example.com")
        (Get-Item $file).LastWriteTimeUtc = [DateTime]::UtcNow.AddHours(-1)
        $r = Sync-RunCloudDomain -Path $file -Prune -NoSslReset
        $r.Added | Should -Be @('new.example.com')
        $r.Removed | Should -Be @('stale.example.com')
    }

    It 'a CSV row without its Domain value is an invalid entry, not a silently dropped row' {
        $file = Join-Path $TestDrive 'sites.csv'
        Set-Content $file -Value "Site,Domain,Owner`n1,keep.example.com,ann`n2,new.example.com,bob`n3`n4,old.example.com,dan"
        $r = Sync-RunCloudDomain -Path $file -Prune -NoSslReset -ErrorVariable syncErrors -ErrorAction SilentlyContinue
        $r.Added | Should -Be @('new.example.com')
        $r.Removed | Should -BeNullOrEmpty
        $message = @($syncErrors | Where-Object FullyQualifiedErrorId -like 'RunCloudSyncPruneStopped,*')[0].ErrorDetails.Message
        $message | Should -BeLike "*Row 3 (line 4) of $file has 1 field(s) where the header has 3: its Domain column (field 2) is missing*"
    }

    It 'a desired name whose top-level domain does not exist is an invalid entry; -AllowTld admits a private network''s' {
        $r = Sync-RunCloudDomain -Domain 'keep.example.com', 'old.example.com', 'nas.lan', 'shop.exam' -Prune -NoSslReset -ErrorVariable syncErrors -ErrorAction SilentlyContinue
        $r.Added | Should -BeNullOrEmpty
        $r.Removed | Should -BeNullOrEmpty
        @($r.Skipped | Where-Object Kind -eq 'Invalid').Name | Sort-Object | Should -Be @('nas.lan', 'shop.exam')
        @($syncErrors | Where-Object FullyQualifiedErrorId -like 'RunCloudSyncPruneStopped,*')[0].ErrorDetails.Message |
            Should -BeLike "*'nas.lan' ends in '.lan', which is not a top-level domain*-AllowTld lan*"
        Get-RunCloudEmulatorRequest -Method POST | Should -BeNullOrEmpty

        $r = Sync-RunCloudDomain -Domain 'keep.example.com', 'old.example.com', 'nas.lan' -Prune -NoSslReset -AllowTld lan
        $r.Added | Should -Be @('nas.lan')
        $r.Removed | Should -Be @('stale.example.com')
    }

    It 'a JSON file cut short stops the run before any request' {
        $file = Join-Path $TestDrive 'names.json'
        [IO.File]::WriteAllText($file, '["keep.example.com", "new.exa')
        { Sync-RunCloudDomain -Path $file -Prune } | Should -Throw -ErrorId 'RunCloudInvalidInput*'
        Get-RunCloudEmulatorRequest | Should -BeNullOrEmpty
    }

    It 'a manifest target reads its file by the same rules, and its allowTld admits a private network''s names' {
        $file = Join-Path $TestDrive 'fleet-names.txt'
        [IO.File]::WriteAllText($file, "keep.example.com`nnas.lan`nold.example.co")
        $manifest = Join-Path $TestDrive 'fleet.json'
        @{ targets = @(@{ serverId = 1001; webAppId = 2001; path = $file; prune = $true; noSslReset = $true; allowTld = @('lan') }) } |
            ConvertTo-Json -Depth 5 | Set-Content $manifest
        $plan = New-RunCloudSyncPlan -Manifest $manifest -WarningAction SilentlyContinue
        $plan.Add | Should -Be @('nas.lan')
        $plan.Remove | Should -BeNullOrEmpty
        ($plan.Guards | Where-Object Name -eq 'InvalidEntries').Message | Should -BeLike "*'old.example.co'*may be cut short*"
        $result = Sync-RunCloudDomain -Manifest $manifest -Force -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] }
        $result.Added | Should -Be @('nas.lan')
        $result.Removed | Should -BeNullOrEmpty
        Get-Names | Should -Contain 'stale.example.com'
    }

    It 'Add-RunCloudDomain refuses a name whose top-level domain does not exist, naming it; -AllowTld admits it' {
        Add-RunCloudDomain -Name 'shop.exam', 'co.uk' -ErrorVariable addErrors -ErrorAction SilentlyContinue
        $addErrors | Should -HaveCount 2
        $addErrors[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudInvalidDomainName,*'
        "$($addErrors[0])" | Should -BeLike "*'shop.exam' ends in '.exam', which is not a top-level domain*-AllowTld exam*"
        "$($addErrors[1])" | Should -BeLike "*'co.uk' is a public suffix*"
        Get-RunCloudEmulatorRequest -Method POST | Should -BeNullOrEmpty
        Add-RunCloudDomain -Name 'nas.lan' -AllowTld lan -PassThru | ForEach-Object Name | Should -Be 'nas.lan'
    }
}

Describe 'Invoke-RunCloudScheduledSync in a child process, against the emulator with a fake wp' {
    BeforeAll {
        $bin = Join-Path $TestDrive 'bin'
        New-Item -ItemType Directory -Force -Path $bin | Out-Null
        # A fake WP-CLI: prints whatever $FAKE_WP_OUTPUT names (the network facts the UM reader asks for: a network without
        # Ultimate Multisite, so its sites are the desired names), and records its arguments.
        $wp = Join-Path $bin 'wp'
        Set-Content -Path $wp -Value "#!/usr/bin/env bash`necho `"`$*`" > `"`$FAKE_WP_ARGS`"`ncat `"`$FAKE_WP_OUTPUT`"`n" -NoNewline
        chmod +x $wp
        $script:SavedEnv = @{}
        foreach ($name in 'PATH', 'RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_SERVER_ID', 'WU_RUNCLOUD_APP_ID', 'FAKE_WP_OUTPUT', 'FAKE_WP_ARGS') {
            $script:SavedEnv[$name] = [Environment]::GetEnvironmentVariable($name)
        }
        $env:PATH = $bin + [IO.Path]::PathSeparator + $env:PATH
        $env:FAKE_WP_OUTPUT = Join-Path $TestDrive 'wp-output.txt'
        $env:FAKE_WP_ARGS = Join-Path $TestDrive 'wp-args.txt'
        $env:WU_RUNCLOUD_SERVER_ID = '1001'
        $env:WU_RUNCLOUD_APP_ID = '2001'

        function Invoke-Example([string[]] $Arguments) {
            $code = Invoke-ScheduledSyncProcess (@('-BaseUri', $script:e.BaseUri.AbsoluteUri, '-LogPath', $script:Log) + $Arguments)
            $script:ExampleOutput = $script:ScheduledOutput
            $code
        }

        function Set-Sites([string[]] $Hosts, [switch] $Notice) {
            Set-Content -Path $env:FAKE_WP_OUTPUT -Value (New-FakeWpFacts $Hosts -Notice:$Notice)
        }
    }

    AfterAll {
        foreach ($pair in $script:SavedEnv.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) }
    }

    BeforeEach {
        Start-SyncEmulator | Out-Null
        $env:RUNCLOUD_API_TOKEN = $script:e.Token
        $script:Log = Join-Path $TestDrive "logs/$([guid]::NewGuid()).log"
    }

    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }

    It 'syncs the sites of a network without Ultimate Multisite read through WP-CLI, logs it, and exits 0' {
        Set-Sites 'shop.example.com', 'one.example.com', 'two.example.com'
        Invoke-Example -Arguments '-WordPressPath', '/srv/network', '-Via', 'WpCli', '-Prune' | Should -Be 0 -Because ($script:ExampleOutput -join "`n")
        Get-Names | Should -Contain 'one.example.com'
        Get-Names | Should -Contain 'two.example.com'
        Get-Content $env:FAKE_WP_ARGS | Should -BeLike 'eval-file *--path=/srv/network*'
        $log = Get-Content -Raw $script:Log
        $log | Should -BeLike '*Desired: 3 name(s) from WordPress sites, WP-CLI*wu_domain_mappings does not exist*'
        $log | Should -BeLike '*added one.example.com*'
        $log | Should -BeLike '*2 added, 0 removed*'
        $log | Should -Not -BeLike "*$($script:e.Token)*"
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty

        # a second run is a no-op
        $script:e.ClearRequests()
        Invoke-Example -Arguments '-WordPressPath', '/srv/network', '-Via', 'WpCli', '-Prune' | Should -Be 0
        @(Get-RunCloudEmulatorRequest | Where-Object Method -ne 'GET') | Should -BeNullOrEmpty
    }

    It 'a PHP notice before WP-CLI''s answer does not discard it; -WpCliArgument alone means WP-CLI, as tasks registered before -Via' {
        Set-Sites 'three.example.com', 'four.example.com' -Notice
        Invoke-Example -Arguments '-WordPressPath', '/srv/network', '-WpCliArgument', '--allow-root' | Should -Be 0 -Because ($script:ExampleOutput -join "`n")
        Get-Names | Should -Contain 'four.example.com'
        Get-Content $env:FAKE_WP_ARGS | Should -BeLike 'eval-file *--path=/srv/network --allow-root'
        Get-Content -Raw $script:Log | Should -BeLike '*without -Via: the network is read with WP-CLI*'
    }

    It 'exits non-zero after an injected failure, and 0 on the re-run that converges' {
        Set-Sites 'shop.example.com', 'one.example.com', 'two.example.com'
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 1 -Method POST -Path 'servers/*/webapps/*/domains' | Out-Null
        Invoke-Example -Arguments '-WordPressPath', '/srv/network', '-Via', 'WpCli' | Should -Be 3 -Because 'some names failed: the next run retries them'
        Get-Content -Raw $script:Log | Should -BeLike '*FAILED Add*'
        Invoke-Example -Arguments '-WordPressPath', '/srv/network', '-Via', 'WpCli' | Should -Be 0
        Get-Names | Should -Contain 'one.example.com'
        Get-Names | Should -Contain 'two.example.com'
    }

    It 'exits 2 and changes nothing when the -MaxRemove guard stops the sync (file source)' {
        [void]$script:e.State.AddDomains(1001, 2001, [string[]](1..5 | ForEach-Object { "old$_.example.com" }))
        $file = Join-Path $TestDrive 'one.txt'
        Set-Content $file 'keep.example.com'
        $script:e.ClearRequests()
        Invoke-Example -Arguments '-Path', $file, '-Prune', '-MaxRemove', '2' | Should -Be 2
        @(Get-RunCloudEmulatorRequest | Where-Object Method -ne 'GET') | Should -BeNullOrEmpty
        Get-Content -Raw $script:Log | Should -BeLike '*RunCloudSyncTooManyRemovals*'
    }

    It 'exits 1 (configuration) when WP-CLI fails' {
        Set-Content -Path (Join-Path $TestDrive 'bin/wp-fail') -Value "#!/usr/bin/env bash`necho 'Error: not a WordPress install' >&2`nexit 1`n"
        chmod +x (Join-Path $TestDrive 'bin/wp-fail')
        Invoke-Example -Arguments '-WordPressPath', '/srv/network', '-WpCli', 'wp-fail', '-Prune' | Should -Be 1
        @(Get-RunCloudEmulatorRequest) | Should -BeNullOrEmpty
        Get-Content -Raw $script:Log | Should -BeLike '*not a WordPress install*`[RunCloudUmWpCli`]*'
    }

    It 'rotates the log and keeps -LogKeep files' {
        Set-Sites 'one.example.com'
        1..3 | ForEach-Object { Invoke-Example -Arguments '-WordPressPath', '/srv/network', '-Via', 'WpCli', '-LogMaxBytes', '200', '-LogKeep', '2' | Should -Be 0 }
        Test-Path "$($script:Log).1" | Should -BeTrue
        Test-Path "$($script:Log).2" | Should -BeTrue
        Test-Path "$($script:Log).3" | Should -BeFalse
    }
}
