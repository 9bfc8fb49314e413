# A scheduled sync that costs API calls only when something changed, through the BUILT module against the
# emulator: zero calls when the source did not change (on every path a scheduled run takes), only the calls a change
# needs (as predicted), the full reconcile (-Full, on its schedule, after a change made outside the sync), a
# 12,000-domain app, the usage ledger across processes, the monthly quota, and the schedule's projection.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:Saved = @{}
    foreach ($n in 'RUNCLOUD_API_TOKEN', 'RUNCLOUD_SERVER_ID', 'RUNCLOUD_APP_ID', 'RUNCLOUD_BASE_URI', 'RUNCLOUD_TOKEN_Q') {
        $script:Saved[$n] = [Environment]::GetEnvironmentVariable($n)
        [Environment]::SetEnvironmentVariable($n, $null)
    }

    function script:Connect-Emulator($Emulator = $script:e, [hashtable] $Extra = @{}) {
        $token = ConvertTo-SecureString $Emulator.Token -AsPlainText -Force
        Connect-RunCloud -BaseUri $Emulator.BaseUri -Token $token -ServerId 1001 -RateLimit 0 -SkipValidation @Extra
    }

    # A web app of its own for each test (server 1001): $Count domains app<Name>-0001.example.com..., the first the
    # primary, and a basic Let's Encrypt certificate unless -NoSsl. Returns its id.
    function script:New-App([string] $Name, [int] $Count, [switch] $NoSsl, $Emulator = $script:e) {
        $app = $Emulator.State.AddWebApp(1001, $Name)
        $null = $Emulator.State.AddDomains(1001, $app.Id, [string[]] (Get-Names $Name $Count))
        if (-not $NoSsl) { $null = $Emulator.State.InstallSsl(1001, $app.Id) }
        $app.Id
    }

    function script:Get-Names([string] $Name, [int] $Count) { @(1..$Count | ForEach-Object { '{0}-{1:d4}.example.com' -f $Name, $_ }) }

    function script:Write-Source([string] $Name, [string[]] $Names) {
        $path = Join-Path $TestDrive "$Name.txt"
        Set-Content -Path $path -Value $Names
        $path
    }

    function script:Names-OnApp([long] $App, $Emulator = $script:e) { @($Emulator.State.GetDomains(1001, $App).Name) }
}

AfterAll {
    Disconnect-RunCloud -All
    $script:e | Stop-RunCloudEmulator
    foreach ($pair in $script:Saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) }
}

Describe 'Sync-RunCloudDomain reads only what changed' {
    BeforeAll { Connect-Emulator }

    It 'sends no request at all on a second run with an unchanged source, and says so' {
        $app = New-App 'idle' 50
        $source = Write-Source 'idle' (Get-Names 'idle' 50)
        $first = Sync-RunCloudDomain -WebAppId $app -Path $source -Force
        $first.Way | Should -Be 'Full'
        # ceil(50/40) pages, and the certificate read beside them: a first sync (no record yet) expects a change, so it
        # asks the SSL state with the listing instead of after it; here nothing changes, so that read was its only cost.
        $first.ApiCalls | Should -Be 3

        $script:e.ClearRequests()
        $second = Sync-RunCloudDomain -WebAppId $app -Path $source -Force -Verbose 4>&1
        $result = $second | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudSyncResult] }
        @($script:e.GetRequests()).Count | Should -Be 0
        $result.Way | Should -Be 'Unchanged'
        $result.ApiCalls | Should -Be 0
        $result.PlannedCalls | Should -Be 0
        $result.WayReason | Should -BeLike 'source unchanged since *; next full check at *'
        $result.NextFullCheck | Should -BeGreaterThan ([DateTime]::UtcNow)
        $result.Unchanged.Count | Should -Be 50 -Because 'the plan is made from what the last clean sync recorded'
        @($second | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*source unchanged since*(no call sent)*' }) | Should -Not -BeNullOrEmpty
    }

    It 'adding one name sends only the calls that add needs, exactly as -WhatIf predicted' {
        $app = New-App 'grow' 90
        $names = Get-Names 'grow' 90
        Sync-RunCloudDomain -WebAppId $app -Path (Write-Source 'grow' $names) -Force | Out-Null
        $source = Write-Source 'grow' ($names + 'added.grow.example.org')

        $plan = Sync-RunCloudDomain -WebAppId $app -Path $source -WhatIf
        $plan.Way | Should -Be 'Targeted'
        $plan.WayReason | Should -BeLike '1 name(s) changed in the source since *: 1 checked by search (1 call(s)) instead of the 3-page listing*'
        $plan.Added | Should -Be @('added.grow.example.org')

        $script:e.ClearRequests()
        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Force
        $log = @($script:e.GetRequests())
        $r.Added | Should -Be @('added.grow.example.org')
        $r.Way | Should -Be 'Targeted'
        $log.Count | Should -Be $plan.PlannedCalls -Because 'the run sends exactly what the plan predicted'
        $r.ApiCalls | Should -Be $log.Count
        $r.PlannedCalls | Should -Be $log.Count
        $calls = @($log | ForEach-Object { '{0} {1}' -f $_.Method, ($_.Path -replace '^/api/v3/servers/1001/webapps/\d+', '') })
        # The search and the certificate read go out side by side (either may arrive first); then the add and the redeploy.
        @($calls[0..1] | Sort-Object) | Should -Be @('GET /domains', 'GET /ssl')
        @($calls | Select-Object -Skip 2) | Should -Be @('POST /domains', "PUT /ssl/$($script:e.State.GetSsl(1001, $app).Id)")
        @($log | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/domains' })[0].Query | Should -BeLike 'search=added.grow.example.org&*'
        Names-OnApp $app | Should -Contain 'added.grow.example.org'
        $script:e.GetUncoveredDomains(1001, $app) | Should -BeNullOrEmpty
    }

    It 'removing one name with -Prune: its search, the DELETE and the redeploy, no listing' {
        $app = New-App 'shrink' 100
        $names = Get-Names 'shrink' 100
        Sync-RunCloudDomain -WebAppId $app -Path (Write-Source 'shrink' $names) -Prune -Force | Out-Null
        $script:e.ClearRequests()
        $r = Sync-RunCloudDomain -WebAppId $app -Path (Write-Source 'shrink' ($names | Select-Object -SkipLast 1)) -Prune -Force
        $r.Removed | Should -Be @($names[-1])
        @($script:e.GetRequests() | ForEach-Object Method) | Should -Be @('GET', 'GET', 'DELETE', 'PUT')
        $r.ApiCalls | Should -Be $r.PlannedCalls
        Names-OnApp $app | Should -Not -Contain $names[-1]
    }

    It '-Full lists the whole app; a domain deleted behind the module''s back is restored by the next full reconcile' {
        $app = New-App 'drift' 90
        $source = Write-Source 'drift' (Get-Names 'drift' 90)
        Sync-RunCloudDomain -WebAppId $app -Path $source -Force | Out-Null
        $script:e.State.RemoveDomain(1001, $app, 'drift-0042.example.com') | Should -BeTrue   # a change made in the dashboard

        $script:e.ClearRequests()
        $quiet = Sync-RunCloudDomain -WebAppId $app -Path $source -Force
        $quiet.Way | Should -Be 'Unchanged' -Because 'between full checks the record is trusted'
        @($script:e.GetRequests()).Count | Should -Be 0

        # The full listing on its schedule: the last one is older than -FullListEvery.
        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Force -FullListEvery ([TimeSpan]::FromTicks(1))
        $r.Way | Should -Be 'Full'
        $r.WayReason | Should -BeLike 'the full listing is due*'
        $r.Added | Should -Be @('drift-0042.example.com')
        @($script:e.GetRequests() | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/domains' -and $_.Query -notlike '*search=*' }).Count | Should -Be 3

        # -Full, whatever changed.
        $script:e.State.RemoveDomain(1001, $app, 'drift-0043.example.com') | Should -BeTrue
        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Force -Full
        $r.Way | Should -Be 'Full'
        $r.WayReason | Should -BeLike '-Full*'
        $r.Added | Should -Be @('drift-0043.example.com')
        $r.ApiCalls | Should -Be $r.PlannedCalls
    }

    It 'a change made with Remove-RunCloudDomain is seen by the next sync, which lists in full' {
        $app = New-App 'outside' 20
        $source = Write-Source 'outside' (Get-Names 'outside' 20)
        Sync-RunCloudDomain -WebAppId $app -Path $source -Force | Out-Null
        Get-RunCloudDomain -WebAppId $app -Name 'outside-0007.example.com' | Remove-RunCloudDomain -Force
        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Force
        $r.Way | Should -Be 'Full'
        $r.WayReason | Should -BeLike 'the app was changed outside the sync at *'
        $r.Added | Should -Be @('outside-0007.example.com')
        (Sync-RunCloudDomain -WebAppId $app -Path $source -Force).Way | Should -Be 'Unchanged'
    }

    It 'a run that fails part of its changes records nothing: the next run lists in full and retries' {
        $app = New-App 'retry' 10
        $source = Write-Source 'retry' ((Get-Names 'retry' 10) + 'fails-once.example.org')
        Add-RunCloudEmulatorFault -Emulator $script:e -Kind Status -StatusCode 422 -Count 1 -Method POST -Path "servers/1001/webapps/$app/domains" | Out-Null
        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Force -ErrorAction SilentlyContinue
        $r.Failed.Count | Should -Be 1
        $again = Sync-RunCloudDomain -WebAppId $app -Path $source -Force
        $again.Way | Should -Be 'Full'
        $again.Added | Should -Be @('fails-once.example.org')
        (Sync-RunCloudDomain -WebAppId $app -Path $source -Force).Way | Should -Be 'Unchanged'
    }

    It 'a 12,000-domain app syncs in full (300 pages), then idles at zero calls a run' {
        $app = New-App 'big' 12000 -NoSsl
        $names = Get-Names 'big' 12000
        $source = Write-Source 'big' $names
        $script:e.ClearRequests()
        $first = Sync-RunCloudDomain -WebAppId $app -Path $source -Force
        $first.Way | Should -Be 'Full'
        $first.Unchanged.Count | Should -Be 12000
        $first.ApiCalls | Should -Be 302   # 300 pages; the certificate read (404, then the SSL mode) beside them, as on any first sync
        @($script:e.GetRequests()).Count | Should -Be 302

        $script:e.ClearRequests()
        foreach ($i in 1..3) { (Sync-RunCloudDomain -WebAppId $app -Path $source -Force).ApiCalls | Should -Be 0 }
        @($script:e.GetRequests()).Count | Should -Be 0

        # One name more on the big app: its search (every big-NNNN name contains "example.com", not this one) and the add.
        $r = Sync-RunCloudDomain -WebAppId $app -Path (Write-Source 'big' ($names + 'one-more.example.org')) -Force
        $r.Way | Should -Be 'Targeted'
        $r.Added | Should -Be @('one-more.example.org')
        $r.ApiCalls | Should -Be $r.PlannedCalls
        $r.ApiCalls | Should -BeLessThan 6
    }
}

Describe 'An Ultimate Multisite network as the source: a new mapping is never mistaken for an unchanged source' {
    # The desired set of a network is computed against the app's names (a wildcard covers site hosts), after the read:
    # change detection must judge it the same way, or a new mapping would be "unchanged" and never added.
    BeforeAll {
        Connect-Emulator
        # A network per test (a name serves one web app of a server): <Network>.example.com and shop.<Network>.example.com.
        function script:Set-Network([string] $Network, [string[]] $Mapped) {
            $rows = @($Mapped | ForEach-Object { @{ Domain = $_; BlogId = 2 } })
            Set-RunCloudEmulatorUltimateMultisite -Emulator $script:e -Site "$Network.example.com", "shop.$Network.example.com" -Mapping $rows
        }
    }

    It 'by ids: the second run adds the new mapping with one search, the third sends nothing' {
        $app = New-App 'umcd' 100 -NoSsl   # three listing pages: one search is cheaper
        $um = Set-Network 'umcd' 'first-customer.example.com'
        $sync = @{ WebAppId = $app; UltimateMultisiteUri = $um.Uri; UltimateMultisiteCredential = $um.Credential; Force = $true; WarningAction = 'SilentlyContinue' }
        $first = Sync-RunCloudDomain @sync
        $first.Way | Should -Be 'Full'
        Names-OnApp $app | Should -Contain 'first-customer.example.com'

        $um = Set-Network 'umcd' 'first-customer.example.com', 'second-customer.example.com'
        $script:e.ClearRequests()
        $second = Sync-RunCloudDomain @sync
        $second.Way | Should -Not -Be 'Unchanged'
        $second.Added | Should -Be @('second-customer.example.com')
        Names-OnApp $app | Should -Contain 'second-customer.example.com'
        @($script:e.GetRequests() | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/domains' -and $_.Query -notlike '*search=*' }) | Should -BeNullOrEmpty

        $script:e.ClearRequests()
        $third = Sync-RunCloudDomain @sync
        $third.Way | Should -Be 'Unchanged'
        # The emulator also serves the network's UM REST API (wp-json): only RunCloud's API counts.
        @($script:e.GetRequests() | Where-Object Path -Like '/api/*').Count | Should -Be 0
        $third.ApiCalls | Should -Be 0
    }

    It 'a removed mapping is pruned by the next run, and protected names stay' {
        $app = New-App 'umprune' 2
        $um = Set-Network 'umprune' 'keep.example.com', 'drop.example.com'
        $sync = @{ WebAppId = $app; UltimateMultisiteUri = $um.Uri; UltimateMultisiteCredential = $um.Credential; Prune = $true; Force = $true; WarningAction = 'SilentlyContinue' }
        $null = Sync-RunCloudDomain @sync
        $um = Set-Network 'umprune' 'keep.example.com'
        $r = Sync-RunCloudDomain @sync
        $r.Way | Should -Not -Be 'Unchanged'
        $r.Removed | Should -Be @('drop.example.com')
        $names = Names-OnApp $app
        $names | Should -Contain 'keep.example.com'
        $names | Should -Contain 'umprune.example.com'
        $names | Should -Not -Contain 'drop.example.com'
    }

    It 'a manifest target with ultimateMultisiteUri: the new mapping is added by the next run' {
        $app = New-App 'ummani' 2
        $um = Set-Network 'ummani' 'm-one.example.com'
        $env:RUNCLOUD_UM_KEY_T = $um.Credential.UserName
        $env:RUNCLOUD_UM_SECRET_T = $um.Credential.GetNetworkCredential().Password
        try {
            $manifest = Join-Path $TestDrive 'um-manifest.json'
            @{ targets = @(@{ serverId = 1001; webAppId = $app; ultimateMultisiteUri = "$($um.Uri)"; ultimateMultisiteKeyVariable = 'RUNCLOUD_UM_KEY_T'
                        ultimateMultisiteSecretVariable = 'RUNCLOUD_UM_SECRET_T'}) } | ConvertTo-Json -Depth 5 | Set-Content $manifest
            $null = Sync-RunCloudDomain -Manifest $manifest -Force -WarningAction SilentlyContinue
            Names-OnApp $app | Should -Contain 'm-one.example.com'
            $um = Set-Network 'ummani' 'm-one.example.com', 'm-two.example.com'
            $out = Sync-RunCloudDomain -Manifest $manifest -Force -WarningAction SilentlyContinue
            ($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] }).Success | Should -BeTrue
            Names-OnApp $app | Should -Contain 'm-two.example.com'
        }
        finally {
            Remove-Item Env:RUNCLOUD_UM_KEY_T, Env:RUNCLOUD_UM_SECRET_T -ErrorAction SilentlyContinue
        }
    }
}

Describe 'The daily full check is one call when it can vouch for the app (the drift check)' {
    BeforeAll {
        Connect-Emulator
        # The full check due on this run, the weekly full listing not.
        $script:Due = [TimeSpan]::FromTicks(1)
        function script:Get-Reads([long] $App) {
            @($script:e.GetRequests() | Where-Object { $_.Method -eq 'GET' -and $_.Path -like "*/webapps/$App/domains" })
        }
    }

    It 'costs one call on an unchanged app (the newest page sorted by id), exactly as -WhatIf predicted, and counts as the full check' {
        $app = New-App 'vouch' 90
        $source = Write-Source 'vouch' (Get-Names 'vouch' 90)
        (Sync-RunCloudDomain -WebAppId $app -Path $source -Force).ApiCalls | Should -Be 4   # 3 pages + the first sync's certificate read

        $plan = Sync-RunCloudDomain -WebAppId $app -Path $source -ReconcileEvery $script:Due -WhatIf
        $plan.Way | Should -Be 'DriftCheck'
        $plan.PlannedCalls | Should -Be 1

        $script:e.ClearRequests()
        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Force -ReconcileEvery $script:Due
        $log = @($script:e.GetRequests())
        $log.Count | Should -Be 1
        $log[0].Query | Should -Match '(^|&)sortColumn=id(&|$)'
        $log[0].Query | Should -Match '(^|&)sortDirection=desc(&|$)'
        $log[0].Query | Should -Match '(^|&)page=1(&|$)'
        $log[0].Query | Should -Match '(^|&)perPage=40(&|$)'
        $r.Way | Should -Be 'DriftCheck'
        $r.WayReason | Should -BeLike 'the full check is due (the last was at *): the drift check vouched for the app (90 domains, the newest id * as recorded) instead of the 3-page listing; next full listing at *'
        $r.ApiCalls | Should -Be 1
        $r.PlannedCalls | Should -Be $plan.PlannedCalls
        $r.Unchanged.Count | Should -Be 90

        # The drift check was the day's full check: the next run with the default -ReconcileEvery sends nothing.
        $script:e.ClearRequests()
        (Sync-RunCloudDomain -WebAppId $app -Path $source -Force).Way | Should -Be 'Unchanged'
        @($script:e.GetRequests()).Count | Should -Be 0
    }

    It 'finds a domain deleted in the dashboard and restores it in the same run (the full listing follows), as -WhatIf predicted' {
        $app = New-App 'vdel' 90
        $source = Write-Source 'vdel' (Get-Names 'vdel' 90)
        Sync-RunCloudDomain -WebAppId $app -Path $source -Force | Out-Null
        $script:e.State.RemoveDomain(1001, $app, 'vdel-0042.example.com') | Should -BeTrue

        $plan = Sync-RunCloudDomain -WebAppId $app -Path $source -ReconcileEvery $script:Due -WhatIf
        $plan.Way | Should -Be 'Full'
        $plan.Added | Should -Be @('vdel-0042.example.com')

        $script:e.ClearRequests()
        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Force -ReconcileEvery $script:Due
        $r.Way | Should -Be 'Full'
        $r.WayReason | Should -BeLike 'the drift check cannot vouch for the app: RunCloud counts 89 domain(s), the last sync''s record 90*: the whole app is listed'
        $r.Added | Should -Be @('vdel-0042.example.com')
        $reads = Get-Reads $app
        $reads.Count | Should -Be 4   # the drift check, then the 3-page listing
        $reads[0].Query | Should -Match 'sortColumn=id'
        @($reads | Select-Object -Skip 1 | Where-Object Query -Match 'sortColumn').Count | Should -Be 0
        @($script:e.GetRequests()).Count | Should -Be $plan.PlannedCalls -Because 'the real run sends what -WhatIf predicted'
        $r.ApiCalls | Should -Be $r.PlannedCalls
        Names-OnApp $app | Should -Contain 'vdel-0042.example.com'
    }

    It 'finds a domain added in the dashboard (-Prune removes it in the same run)' {
        $app = New-App 'vadd' 90
        $source = Write-Source 'vadd' (Get-Names 'vadd' 90)
        Sync-RunCloudDomain -WebAppId $app -Path $source -Prune -Force | Out-Null
        $null = $script:e.State.AddDomains(1001, $app, [string[]] @('stray.vadd.example.org'))

        $script:e.ClearRequests()
        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Prune -Force -ReconcileEvery $script:Due
        $r.Way | Should -Be 'Full'
        $r.WayReason | Should -BeLike 'the drift check cannot vouch for the app: RunCloud counts 91 domain(s), the last sync''s record 90*'
        $r.Removed | Should -Be @('stray.vadd.example.org')
        (Get-Reads $app).Count | Should -Be 4   # the drift check, then ceil(91/40) pages
        Names-OnApp $app | Should -Not -Contain 'stray.vadd.example.org'
    }

    It 'finds a deletion plus an addition made in the dashboard (the total unchanged)' {
        $app = New-App 'vmix' 90
        $source = Write-Source 'vmix' (Get-Names 'vmix' 90)
        Sync-RunCloudDomain -WebAppId $app -Path $source -Prune -Force | Out-Null
        $script:e.State.RemoveDomain(1001, $app, 'vmix-0010.example.com') | Should -BeTrue
        $null = $script:e.State.AddDomains(1001, $app, [string[]] @('swap.vmix.example.org'))
        @($script:e.State.GetDomains(1001, $app)).Count | Should -Be 90

        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Prune -Force -ReconcileEvery $script:Due
        $r.Way | Should -Be 'Full'
        $r.WayReason | Should -BeLike 'the drift check cannot vouch for the app: swap.vmix.example.org (id *) is on the app but not in the last sync''s record*'
        $r.Added | Should -Be @('vmix-0010.example.com')
        $r.Removed | Should -Be @('swap.vmix.example.org')
    }

    It 'never vouches for a server that ignores sortColumn: it lists in full and says why' {
        $app = New-App 'vsort' 90
        $source = Write-Source 'vsort' (Get-Names 'vsort' 90)
        Sync-RunCloudDomain -WebAppId $app -Path $source -Force | Out-Null
        $script:e.Options.IgnoreSort = $true
        try {
            $script:e.ClearRequests()
            $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Force -ReconcileEvery $script:Due
            $r.Way | Should -Be 'Full'
            $r.WayReason | Should -BeLike 'the drift check cannot vouch for the app: the page is not sorted by id, newest first*'
            (Get-Reads $app).Count | Should -Be 4
            $r.ApiCalls | Should -Be 4
            $r.Unchanged.Count | Should -Be 90
        }
        finally { $script:e.Options.IgnoreSort = $false }
    }

    It 'the weekly full listing (-FullListEvery) lists the app whatever the drift check would say' {
        $app = New-App 'vweek' 90
        $source = Write-Source 'vweek' (Get-Names 'vweek' 90)
        Sync-RunCloudDomain -WebAppId $app -Path $source -Force | Out-Null
        $script:e.ClearRequests()
        $r = Sync-RunCloudDomain -WebAppId $app -Path $source -Force -ReconcileEvery $script:Due -FullListEvery $script:Due
        $r.Way | Should -Be 'Full'
        $r.WayReason | Should -BeLike 'the full listing is due (the last was at *, -FullListEvery 00:00:00.0000001): the whole app is listed'
        (Get-Reads $app).Count | Should -Be 3
        { Sync-RunCloudDomain -WebAppId $app -Path $source -Force -FullListEvery 0 } | Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*-FullListEvery*longer than zero*'
    }
}

Describe 'A manifest and the scheduled entry point cost nothing when nothing changed' {
    BeforeEach { Disconnect-RunCloud -All }

    It '-Manifest: the second run sends nothing, and each target says why' {
        $a = New-App 'fleet-a' 30
        $b = New-App 'fleet-b' 30
        $env:RUNCLOUD_TOKEN_Q = $script:e.Token
        $manifest = Join-Path $TestDrive 'fleet.json'
        @{ connections = @{ acct = @{ baseUri = $script:e.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_Q' } }
           targets = @(
                @{ connection = 'acct'; serverId = 1001; webAppId = $a; domains = (Get-Names 'fleet-a' 30) }
                @{ connection = 'acct'; serverId = 1001; webAppId = $b; domains = (Get-Names 'fleet-b' 30) }) } | ConvertTo-Json -Depth 6 | Set-Content $manifest
        $first = @(Sync-RunCloudDomain -Manifest $manifest -Force | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] })
        $first.Way | Should -Be @('Full', 'Full')

        $script:e.ClearRequests()
        $out = Sync-RunCloudDomain -Manifest $manifest -Force
        @($script:e.GetRequests()).Count | Should -Be 0
        $results = @($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] })
        $results.Way | Should -Be @('Unchanged', 'Unchanged')
        $results.Status | Should -Be @('NoChange', 'NoChange')
        $results[0].Message | Should -BeLike '*source unchanged since*(no call sent).'
        ($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetSummary] }).ApiCalls | Should -Be 0
    }

    It 'Invoke-RunCloudScheduledSync: no ping to connect, nothing sent when unchanged, and a revoked credential is found by the run that needs RunCloud' {
        $app = New-App 'sched' 25
        $source = Write-Source 'sched' (Get-Names 'sched' 25)
        $log = Join-Path $TestDrive 'sched.log'
        $env:RUNCLOUD_API_TOKEN = $script:e.Token
        $env:RUNCLOUD_BASE_URI = $script:e.BaseUri.AbsoluteUri
        $env:RUNCLOUD_SERVER_ID = '1001'
        $env:RUNCLOUD_APP_ID = "$app"
        try {
            $script:e.ClearRequests()
            $r = Invoke-RunCloudScheduledSync -Path $source -LogPath $log -SkipDnsCheck
            $r.Code | Should -Be 0
            @($script:e.GetRequests() | Where-Object Path -Like '*/ping') | Should -BeNullOrEmpty -Because 'connecting makes no call of its own'

            $script:e.ClearRequests()
            $r = Invoke-RunCloudScheduledSync -Path $source -LogPath $log -SkipDnsCheck
            $r.Code | Should -Be 0
            $r.ApiCalls | Should -Be 0
            @($script:e.GetRequests()).Count | Should -Be 0
            Get-Content -Raw $log | Should -BeLike '*Read Unchanged: source unchanged since *; next full check at * (0 API calls).*'

            # A revoked token: an unchanged run needs no call, so it cannot (and need not) find it...
            $env:RUNCLOUD_API_TOKEN = 'revoked-token-0123456789'
            $r = Invoke-RunCloudScheduledSync -Path $source -LogPath $log -SkipDnsCheck
            $r.Code | Should -Be 0
            # ...the first run that needs RunCloud does: exit 4.
            $r = Invoke-RunCloudScheduledSync -Path (Write-Source 'sched' ((Get-Names 'sched' 25) + 'new.sched.example.org')) -LogPath $log -SkipDnsCheck -ErrorAction SilentlyContinue
            $r.Code | Should -Be 4
            $global:LASTEXITCODE | Should -Be 4
        }
        finally {
            'RUNCLOUD_API_TOKEN', 'RUNCLOUD_BASE_URI', 'RUNCLOUD_SERVER_ID', 'RUNCLOUD_APP_ID' | ForEach-Object { [Environment]::SetEnvironmentVariable($_, $null) }
        }
    }
}

Describe 'The monthly quota' {
    BeforeAll {
        # An account of its own (another emulator = another API host), so these counts are only this test's.
        $script:q = Start-RunCloudEmulator -RateLimitPerMinute 0
        $script:qApp = New-App 'quota' 20 -Emulator $script:q
        $script:qSource = Write-Source 'quota' (Get-Names 'quota' 20)
    }

    AfterAll { $script:q | Stop-RunCloudEmulator; Disconnect-RunCloud -All }

    It 'past the hard share a sync stops before sending (RunCloudQuotaReached), a run that needs no call still goes, and the scheduled sync exits 6' {
        Connect-Emulator $script:q -Extra @{ MonthlyQuota = 1000; QuotaStopPercent = 5 }
        (Get-RunCloudConnection).MonthlyQuota | Should -Be 1000
        (Get-RunCloudConnection).QuotaStopPercent | Should -Be 5
        Sync-RunCloudDomain -WebAppId $script:qApp -Path $script:qSource -Force | Out-Null          # 2 calls: the listing, the first sync's certificate read
        foreach ($i in 1..49) { Invoke-RunCloudRequest -Path ping | Out-Null }                     # 51 in all: past 5% of 1,000
        (Get-RunCloudApiUsage).Calls | Should -Be 51

        $script:q.ClearRequests()
        $changed = Write-Source 'quota-changed' ((Get-Names 'quota' 20) + 'over.quota.example.org')
        { Sync-RunCloudDomain -WebAppId $script:qApp -Path $changed -Force } | Should -Throw -ErrorId 'RunCloudQuotaReached,*' -ExpectedMessage '*this month (51 of 1,000)*would pass 5% of its monthly quota (50 calls). Nothing was sent.*'
        @($script:q.GetRequests()).Count | Should -Be 0

        (Sync-RunCloudDomain -WebAppId $script:qApp -Path $script:qSource -Force).Way | Should -Be 'Unchanged' -Because 'a run that sends nothing is never stopped'

        $log = Join-Path $TestDrive 'quota.log'
        $r = Invoke-RunCloudScheduledSync -Path $changed -WebAppId $script:qApp -LogPath $log -SkipDnsCheck -ErrorAction SilentlyContinue
        $r.Code | Should -Be 6
        $r.ExitCode | Should -Be 'QuotaReached'
        $global:LASTEXITCODE | Should -Be 6
        Get-Content -Raw $log | Should -BeLike '*RunCloudQuotaReached*'
        @($script:q.GetRequests()).Count | Should -Be 0
    }

    It 'a manifest connection''s monthlyQuota stops its targets too (exit 6), the others go on' {
        Disconnect-RunCloud -All
        $env:RUNCLOUD_TOKEN_Q = $script:q.Token
        $manifest = Join-Path $TestDrive 'quota-fleet.json'
        @{ connections = @{ tight = @{ baseUri = $script:q.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_Q'; monthlyQuota = 100; quotaStopPercent = 10 } }
           targets = @(@{ connection = 'tight'; serverId = 1001; webAppId = $script:qApp; domains = (Get-Names 'quota' 20) + 'fleet-over.example.org' }) } |
            ConvertTo-Json -Depth 6 | Set-Content $manifest
        $script:q.ClearRequests()
        $r = Invoke-RunCloudScheduledSync -Manifest $manifest -LogPath (Join-Path $TestDrive 'quota2.log') -SkipDnsCheck -ErrorAction SilentlyContinue
        $r.Code | Should -Be 6
        @($script:q.GetRequests()).Count | Should -Be 0
    }
}

Describe 'Get-RunCloudApiUsage' {
    It 'counts every process''s calls: two processes at once lose none, and the ledger matches the emulator''s log' {
        $u = Start-RunCloudEmulator -RateLimitPerMinute 0
        try {
            $pwsh = Get-TestPwshCommand
            $script = @'
param($Module, $BaseUri, $Token)
Import-Module $Module
Connect-RunCloud -BaseUri $BaseUri -Token (ConvertTo-SecureString $Token -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0 -SkipValidation
foreach ($i in 1..120) { Get-RunCloudDomain -Id 3001 | Out-Null }
'@
            $file = Join-Path $TestDrive 'count.ps1'
            Set-Content -Path $file -Value $script
            $children = foreach ($n in 1..2) {
                $info = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
                foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file, $script:ModulePath, $u.BaseUri.AbsoluteUri, $u.Token)) { $info.ArgumentList.Add($a) }
                $info.UseShellExecute = $false
                $info.Environment['RUNCLOUD_STATE_PATH'] = $env:RUNCLOUD_STATE_PATH
                [Diagnostics.Process]::Start($info)
            }
            foreach ($c in $children) { $c.WaitForExit(120000) | Should -BeTrue; $c.ExitCode | Should -Be 0 }

            Connect-Emulator $u
            $usage = Get-RunCloudApiUsage
            $usage.Calls | Should -Be 240
            $usage.Calls | Should -Be @($u.GetRequests()).Count
            $usage.Apps[0].WebAppId | Should -Be 2001
            $usage.Today | Should -Be 240
            (Get-RunCloudApiUsage -PerDay).Calls | Should -Be 240
            $usage.AccountId | Should -Match '^[0-9a-f]{16}$'
            Get-ChildItem (Join-Path $env:RUNCLOUD_STATE_PATH 'usage') -Recurse | Get-Content -Raw | Should -Not -Match ([regex]::Escape($u.Token))
        }
        finally {
            Disconnect-RunCloud -All
            $u | Stop-RunCloudEmulator
        }
    }

    It 'shows the month, the days and the apps in tables that fit 80 columns' {
        Connect-Emulator
        Get-RunCloudDomain -WebAppId 2001 | Out-Null
        foreach ($view in { Get-RunCloudApiUsage }, { Get-RunCloudApiUsage -PerDay }, { Get-RunCloudApiUsage -PerApp }, { Get-RunCloudApiUsage -All }) {
            $text = & $view | Out-String -Width 200
            $text | Should -Not -BeNullOrEmpty
            foreach ($line in $text -split "`r?`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 80 -Because "$view writes: $line" }
        }

        (Get-RunCloudApiUsage | Out-String) | Should -BeLike '*Month*Account*Calls*Today*Projected*Quota*'
        (Get-RunCloudApiUsage -PerApp | Out-String) | Should -BeLike '*ServerId*WebAppId*Calls*Projected*'
        $app = Get-RunCloudApiUsage -PerApp | Where-Object WebAppId -EQ 2001
        $app.Calls | Should -BeGreaterThan 0
        $app.Projected | Should -BeGreaterOrEqual $app.Calls
        { Get-RunCloudApiUsage -All -Connection (Get-RunCloudConnection) } | Should -Throw -ErrorId 'RunCloudInvalidInput,*'
    }
}

Describe 'Register-RunCloudSyncTask prints what the schedule will cost' {
    It 'from the app''s size before there is any history, and from the history once there is' {
        Connect-Emulator
        $app = New-App 'projected' 200
        $source = Write-Source 'projected' (Get-Names 'projected' 200)
        Sync-RunCloudDomain -WebAppId $app -Path $source -Force | Out-Null
        $env:RUNCLOUD_BASE_URI = $script:e.BaseUri.AbsoluteUri
        try {
            $out = Join-Path $TestDrive 'task'
            $task = Register-RunCloudSyncTask -Path $source -ServerId 1001 -WebAppId $app -Scheduler Cron -OutputPath $out -Interval 00:10:00 -InformationVariable printed -WarningAction SilentlyContinue
            # A drift check (1 call) a day, the 5-page listing every 7 days in its place: ceil(30 * 5 / 7 + (30 - 30 / 7) * 1).
            $task.ProjectedMonthlyCalls | Should -Be 48
            $task.CallProjection[0].Basis | Should -Be 'Size'
            $task.CallProjection[0].Domains | Should -Be 200
            "$printed" | Should -BeLike "*Projected API calls a month for 'runcloud-sync'*48*web app $app (server 1001)*200 domains: 5 page(s) a full listing every 7 day(s), a 1-call drift check every 1 day(s) between*"

            # History: yesterday's calls for this app, as the ledger keeps them.
            $host_ = ([Uri]$script:e.BaseUri).Authority.ToLowerInvariant()
            $yesterday = [DateTime]::UtcNow.Date.AddDays(-1)
            $ledger = Join-Path $env:RUNCLOUD_STATE_PATH 'usage'
            $null = New-Item -ItemType Directory -Force $ledger
            [ordered]@{ version = 1; apiHost = $host_; account = 'feedfacefeedface'; month = $yesterday.ToString('yyyy-MM')
                days = @{ $yesterday.ToString('yyyy-MM-dd') = @{ "s1001-w$app" = 48 } } } | ConvertTo-Json -Depth 5 |
                Set-Content (Join-Path $ledger ("{0}-feedfacefeedface-{1}.json" -f ($host_ -replace ':', '+'), $yesterday.ToString('yyyy-MM')))
            $task = Register-RunCloudSyncTask -Path $source -ServerId 1001 -WebAppId $app -Scheduler Cron -OutputPath $out -Interval 00:10:00 -InformationAction SilentlyContinue -WarningAction SilentlyContinue
            $task.CallProjection[0].Basis | Should -Be 'History'
            $task.ProjectedMonthlyCalls | Should -Be 1440   # 48 a day
            ($task | Format-Table | Out-String) | Should -BeLike '*Calls/month*1,440*'
        }
        finally { $env:RUNCLOUD_BASE_URI = $null }
    }

    It 'says plainly that the cost is unknown when no app of the schedule was synced from this state folder yet' {
        Connect-Emulator
        $app = New-App 'neversynced' 3
        $source = Write-Source 'neversynced' (Get-Names 'neversynced' 3)
        $env:RUNCLOUD_BASE_URI = $script:e.BaseUri.AbsoluteUri
        try {
            $task = Register-RunCloudSyncTask -Path $source -ServerId 1001 -WebAppId $app -Scheduler Cron -OutputPath (Join-Path $TestDrive 'unknown') -Interval 00:10:00 -InformationVariable printed -WarningAction SilentlyContinue
            $task.ProjectedMonthlyCalls | Should -BeNullOrEmpty
            $task.CallProjection[0].Basis | Should -Be 'Unknown'
            $first = ("$printed" -split "`r?`n")[0]
            $first | Should -BeLike "*Projected API calls a month for 'runcloud-sync'*: unknown until the first sync of its 1 app(s) from this state folder."
            $first | Should -Not -BeLike '*0 of 1*'
        }
        finally { $env:RUNCLOUD_BASE_URI = $null }
    }
}
