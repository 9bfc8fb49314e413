# Output objects and views: every table view at 80 columns, output objects that serialise without their connection,
# -Online, completion, one set of aliases per kind of name, Get-RunCloudWebApp -Name across servers, the hint printed
# once, Invoke-RunCloudRequest, the CSV round trip, the RUNCLOUD_* environment, and a hermetic Demo.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0 -TlsPort 0
    $script:Token = ConvertTo-SecureString $script:e.Token -AsPlainText -Force
    $script:Saved = @{}
    foreach ($n in @(Get-ChildItem Env: | Where-Object { $_.Name -like 'RUNCLOUD_*' -or $_.Name -like 'WU_RUNCLOUD_*' } | ForEach-Object Name) + 'RUNCLOUD_TOKEN_X') {
        $script:Saved[$n] = [Environment]::GetEnvironmentVariable($n)
    }
    foreach ($n in 'RUNCLOUD_API_TOKEN', 'RUNCLOUD_API_KEY', 'RUNCLOUD_API_SECRET', 'RUNCLOUD_SERVER_ID', 'RUNCLOUD_APP_ID', 'RUNCLOUD_BASE_URI', 'RUNCLOUD_API_VERSION',
        'WU_RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_API_KEY', 'WU_RUNCLOUD_API_SECRET', 'WU_RUNCLOUD_SERVER_ID', 'WU_RUNCLOUD_APP_ID') {
        [Environment]::SetEnvironmentVariable($n, $null)
    }
    function script:Connect-Default { Connect-RunCloud -BaseUri $script:e.BaseUri -Token $script:Token -ServerId 1001 -WebAppId 2001 -RateLimit 0 }
    Connect-Default

    $script:Manifest = Join-Path $TestDrive 'fleet.json'
    $env:RUNCLOUD_TOKEN_X = $script:e.Token
    @{
        connections = @{ 'acme-prod-eu' = @{ baseUri = $script:e.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_X' } }
        targets     = @(@{ connection = 'acme-prod-eu'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'a-rather-long-name.customer-example.com') })
    } | ConvertTo-Json -Depth 6 | Set-Content $script:Manifest
    $script:Dns = "$($script:e.BaseUri)_emulator/dns-query"

    # One generator per output type of the module: real objects from the cmdlets against the emulator, including the
    # widest values a view meets (RunCloud's 44-character *.runcloud.link names, the longest ErrorId, failed targets).
    $script:Generators = [ordered]@{
        'RunCloud.PowerShell.Models.RunCloudServer'              = { Get-RunCloudServer }
        'RunCloud.PowerShell.Models.RunCloudWebApp'              = { Get-RunCloudWebApp }
        'RunCloud.PowerShell.Models.RunCloudDomain'              = { Get-RunCloudDomain }
        'RunCloud.PowerShell.Models.RunCloudSsl'                 = { Get-RunCloudSsl }
        'RunCloud.PowerShell.Session.RunCloudConnection'         = { Get-RunCloudConnection }
        'RunCloud.PowerShell.Models.RunCloudConnectionTest'      = {
            Test-RunCloudConnection -Detailed
            $bad = Connect-RunCloud -Name 'wrong-for-view' -BaseUri $script:e.BaseUri -Token (ConvertTo-SecureString 'wrong-token-for-the-view' -AsPlainText -Force) -SkipValidation -PassThru -RateLimit 0 -MaxAttempts 1
            try { Test-RunCloudConnection -Connection $bad -Detailed } finally { Disconnect-RunCloud -Connection $bad }
        }
        'RunCloud.PowerShell.Models.RunCloudDnsCheck'            = {
            Set-RunCloudEmulatorDns -Emulator $script:e -Name 'shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link' -Address 198.51.100.77
            try { Get-RunCloudDomain | Test-RunCloudDomainDns -DnsServer $script:Dns } finally { Set-RunCloudEmulatorDns -Emulator $script:e -Name 'shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link' -Default }
        }
        'RunCloud.PowerShell.Models.RunCloudSslMode'             = { Set-RunCloudSslMode -WebAppId 2002 -Mode Basic -Force -PassThru -WarningAction SilentlyContinue }
        'RunCloud.PowerShell.Models.RunCloudCertificateCheck'    = {
            Get-RunCloudDomain | Test-RunCloudCertificate -Address 127.0.0.1 -Port $script:e.TlsPort -TrustedRoot $script:e.TlsCertificateAuthority
            Test-RunCloudCertificate -Name 'shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link' -Address 127.0.0.1 -Port 9 -TimeoutSec 2
        }
        'RunCloud.PowerShell.Models.RunCloudSyncPlan'            = { New-RunCloudSyncPlan -Manifest $script:Manifest -WarningAction SilentlyContinue }
        'RunCloud.PowerShell.Models.RunCloudFleetResult'         = { Sync-RunCloudDomain -Manifest $script:Manifest -Force -SkipDnsCheck | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] } }
        'RunCloud.PowerShell.Models.RunCloudFleetSummary'        = { Sync-RunCloudDomain -Manifest $script:Manifest -Force -SkipDnsCheck | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetSummary] } }
        'RunCloud.PowerShell.Models.RunCloudSyncResult'          = { Sync-RunCloudDomain -Name 'shop.example.com', 'b.example.com' -SkipDnsCheck -Confirm:$false }
        'RunCloud.PowerShell.Models.RunCloudScheduledSyncResult' = { Invoke-RunCloudScheduledSync -Name 'shop.example.com' -LogPath (Join-Path $TestDrive 's.log') -SkipDnsCheck }
        'RunCloud.PowerShell.Models.RunCloudSyncTask'            = { Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -OutputPath (Join-Path $TestDrive 'u') -User 'runcloud-sync' -WarningAction SilentlyContinue }
        'RunCloud.PowerShell.Models.RunCloudApiUsage'            = { Get-RunCloudDomain | Out-Null; Get-RunCloudApiUsage; Get-RunCloudApiUsage -All }
        'RunCloud.PowerShell.Models.RunCloudApiUsageDay'         = { Get-RunCloudDomain | Out-Null; Get-RunCloudApiUsage -PerDay }
        'RunCloud.PowerShell.Models.RunCloudApiUsageApp'         = { Get-RunCloudDomain | Out-Null; Get-RunCloudApiUsage -PerApp }
        'RunCloud.PowerShell.Models.RunCloudCallProjection'      = { (Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -OutputPath (Join-Path $TestDrive 'p') -User 'runcloud-sync' -WarningAction SilentlyContinue -InformationAction SilentlyContinue).CallProjection }
        'RunCloud.PowerShell.Models.RunCloudDnsIntegration'      = { Get-RunCloudDnsIntegration }
        'RunCloud.PowerShell.Models.RunCloudDnsRecord'           = { Get-RunCloudDomainDns }
        'RunCloud.PowerShell.Sources.UltimateMultisite.UmDesiredSet' = { & $script:Generators['RunCloud.PowerShell.Sources.UltimateMultisite.RunCloudMappedDomain'] }
        'RunCloud.PowerShell.Sources.UltimateMultisite.UmDesiredName' = { & $script:Generators['RunCloud.PowerShell.Sources.UltimateMultisite.RunCloudMappedDomain'] }
        'RunCloud.PowerShell.Sources.UltimateMultisite.UmNotServedName' = { & $script:Generators['RunCloud.PowerShell.Sources.UltimateMultisite.RunCloudMappedDomain'] }
        'RunCloud.PowerShell.Sources.UltimateMultisite.RunCloudMappedDomain' = {
            # A network read through WP-CLI: a stand-in 'wp' that answers the reader's two calls, with a 29-character domain.
            $root = Join-Path $TestDrive 'um-view'
            $wp = Join-Path $root 'wp'
            if (-not (Test-Path $wp)) {
                $null = New-Item -ItemType Directory -Path (Join-Path $root 'site') -Force
                $facts = '{"subdomain_install":false,"main_network_id":1,"base_prefix":"wp_","networks":[{"id":1,"domain":"network.example.com","path":"/","has_settings":true,"www":"never"}],"blogs":[{"blog_id":1,"site_id":1,"domain":"network.example.com","path":"/","archived":0,"spam":0,"deleted":0},{"blog_id":2,"site_id":1,"domain":"network.example.com","path":"/shop/","archived":0,"spam":0,"deleted":0}],"tables":[{"name":"wp_wu_domain_mappings","rows":2}]}'
                $rows = '[{"id":"12","blog_id":"2","domain":"a-customer-shop-name.example","active":"1","primary_domain":"1","secure":"1","stage":"done-without-ssl","date_created":"2025-03-03 10:00:00","date_modified":"2025-04-03 11:30:00"},{"id":"13","blog_id":"2","domain":"switched-off-shop.example","active":"0","primary_domain":"0","secure":"0","stage":"done","date_created":"2025-03-04 10:00:00","date_modified":"2025-04-04 11:30:00"}]'
                Set-Content -LiteralPath $wp -Value @(
                    '#!/bin/sh'
                    "if [ `"`$1`" = 'eval-file' ] && grep -q 'runcloud-um:facts' `"`$2`"; then echo 'RUNCLOUD-UM-FACTS:$facts'; exit 0; fi"
                    "if [ `"`$1 `$2 `$3`" = 'wu domain list' ]; then echo '$rows'; exit 0; fi"
                    'echo "Error: unexpected $*" >&2; exit 1')
                chmod +x $wp
            }
            Get-RunCloudMappedDomain -WordPressPath (Join-Path $root 'site') -Via WpCli -WpCliPath $wp
            $set = Get-RunCloudMappedDomain -WordPressPath (Join-Path $root 'site') -Via WpCli -WpCliPath $wp -Desired
            $set
            $set.Desired
            $set.NotServed
        }
        'RunCloud.PowerShell.Models.RunCloudDesiredName'         = {
            # A sync's names from the same stand-in network: each with its origin; the switched-off row not served.
            $null = & $script:Generators['RunCloud.PowerShell.Sources.UltimateMultisite.RunCloudMappedDomain']
            $root = Join-Path $TestDrive 'um-view'
            $r = Sync-RunCloudDomain -WordPressPath (Join-Path $root 'site') -Via WpCli -WpCliPath (Join-Path $root 'wp') -Prune -WhatIf -WarningAction SilentlyContinue
            $r.DesiredNames
            $r.NotServed
        }
        'RunCloud.PowerShell.Models.RunCloudNetworkStatus'       = { Get-RunCloudNetworkStatus -Name 'shop.example.com', 'a-rather-long-name.customer-example.com' -Live -Address 127.0.0.1 -Port $script:e.TlsPort -TrustedRoot $script:e.TlsCertificateAuthority -DnsServer $script:Dns }
        'RunCloud.PowerShell.Models.RunCloudNetworkStatusSummary' = { Get-RunCloudNetworkStatus -Name 'shop.example.com', 'a-rather-long-name.customer-example.com' -Summary -FailOn NotOnRunCloud -DnsServer $script:Dns -ErrorAction SilentlyContinue }
        'RunCloud.PowerShell.Models.RunCloudHealthRuleResult'    = { (Get-RunCloudNetworkStatus -Name 'shop.example.com', 'a-rather-long-name.customer-example.com' -Summary -FailOn NotOnRunCloud, 'Expiring:14' -DnsServer $script:Dns -ErrorAction SilentlyContinue).Rules }
        'RunCloud.PowerShell.Models.RunCloudNetworkStateCount'   = { (Get-RunCloudNetworkStatus -Name 'shop.example.com' -Summary -DnsServer $script:Dns).States }
    }
    # The key column of each table view: its values must show in full at 80 columns.
    $script:KeyColumn = @{
        'RunCloud.PowerShell.Models.RunCloudServer' = 'Name'; 'RunCloud.PowerShell.Models.RunCloudWebApp' = 'Name'; 'RunCloud.PowerShell.Models.RunCloudDomain' = 'Name'
        'RunCloud.PowerShell.Models.RunCloudSsl' = 'WebAppName'; 'RunCloud.PowerShell.Models.RunCloudConnectionTest' = 'ErrorId'; 'RunCloud.PowerShell.Models.RunCloudDnsCheck' = 'Name'
        'RunCloud.PowerShell.Models.RunCloudSslMode' = 'Mode'; 'RunCloud.PowerShell.Models.RunCloudCertificateCheck' = 'Name'; 'RunCloud.PowerShell.Models.RunCloudSyncPlan' = 'Account'
        'RunCloud.PowerShell.Models.RunCloudFleetResult' = 'Account'; 'RunCloud.PowerShell.Models.RunCloudScheduledSyncResult' = 'ExitCode'
        'RunCloud.PowerShell.Models.RunCloudSyncTask' = 'Name'; 'RunCloud.PowerShell.Models.RunCloudSyncResult' = 'WebAppId'
        'RunCloud.PowerShell.Models.RunCloudDnsIntegration' = 'Label'; 'RunCloud.PowerShell.Models.RunCloudDnsRecord' = 'Name'
        'RunCloud.PowerShell.Sources.UltimateMultisite.RunCloudMappedDomain' = 'Domain'; 'RunCloud.PowerShell.Sources.UltimateMultisite.UmDesiredName' = 'Name'
        'RunCloud.PowerShell.Sources.UltimateMultisite.UmNotServedName' = 'Name'; 'RunCloud.PowerShell.Models.RunCloudDesiredName' = 'Name'
        'RunCloud.PowerShell.Models.RunCloudNetworkStatus' = 'Name'; 'RunCloud.PowerShell.Models.RunCloudHealthRuleResult' = 'Rule'
        'RunCloud.PowerShell.Models.RunCloudNetworkStateCount' = 'State'
    }

    # Every table view in the module's format files.
    $script:TableViews = @(foreach ($file in @(Get-ModuleFormatFile -ModuleFolder $script:ModulePath -Name 'RunCloud.PowerShell')) {
            $xml = [xml](Get-Content -Raw $file)
            foreach ($view in $xml.Configuration.ViewDefinitions.View) {
                if ($view.TableControl) {
                    [pscustomobject]@{ Name = $view.Name; Type = $view.ViewSelectedBy.TypeName; Columns = @($view.TableControl.TableHeaders.TableColumnHeader).Count }
                }
            }
        })
}

AfterAll {
    Disconnect-RunCloud -All
    Stop-RunCloudEmulator -Emulator $script:e
    foreach ($pair in $script:Saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) }
}

Describe 'Every default table view at 80 columns' {
    It 'there is an object generator for every table view''s type (a new view cannot skip this test)' {
        foreach ($v in $script:TableViews) { $script:Generators.Contains($v.Type) | Should -BeTrue -Because "$($v.Name) selects $($v.Type)" }
        $script:TableViews.Count | Should -BeGreaterOrEqual 13
    }

    It '<_>: no line longer than 80, one header line, every column shown, the key column in full' -ForEach @(
        'RunCloudServer.Table', 'RunCloudWebApp.Table', 'RunCloudDomain.Table', 'RunCloudSsl.Table', 'RunCloudConnectionTest.Table', 'RunCloudDnsCheck.Table',
        'RunCloudSslMode.Table', 'RunCloudCertificateCheck.Table', 'RunCloudSyncPlan.Table', 'RunCloudFleetResult.Table', 'RunCloudScheduledSyncResult.Table',
        'RunCloudSyncTask.Table', 'RunCloudSyncResult.Table', 'RunCloudDnsIntegration.Table', 'RunCloudDnsRecord.Table', 'RunCloudMappedDomain.Table',
        'UmDesiredName.Table', 'UmNotServedName.Table',
        'RunCloudNetworkStatus.Table', 'Checks', 'RunCloudHealthRuleResult.Table', 'RunCloudNetworkStateCount.Table'
    ) {
        $view = $script:TableViews | Where-Object Name -EQ $_
        $view | Should -Not -BeNullOrEmpty -Because "the view $_ must exist (and every view is listed here)"
        $objects = @(& $script:Generators[$view.Type] | Where-Object { $_.GetType().FullName -eq $view.Type })
        $objects | Should -Not -BeNullOrEmpty
        $text = $objects | Format-Table -View $view.Name | Out-String -Width 80
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 -Because $text }
        $dashes = [array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match '^[- ]+$' })
        $dashes | Should -BeGreaterThan 0 -Because $text
        @($lines[$dashes] -split '\s+' | Where-Object { $_ }) | Should -HaveCount $view.Columns -Because $text
        foreach ($o in $objects) {
            $key = "$($o.($script:KeyColumn[$view.Type]))"
            if ($key) { $text | Should -Match ([regex]::Escape($key)) -Because "the key column shows '$key' in full:`n$text" }
        }
    }
}

Describe 'Output objects serialise cleanly' {
    It 'ConvertTo-Json of every output type has no connection, no secret and no truncation warning' {
        $types = @(Get-Command -Module RunCloud.PowerShell -CommandType Cmdlet | ForEach-Object { $_.OutputType.Type } |
                Where-Object { $_ -and $_.FullName -like 'RunCloud.PowerShell.*' } | ForEach-Object FullName | Sort-Object -Unique)
        foreach ($t in $types) { $script:Generators.Contains($t) | Should -BeTrue -Because "$t is an output type and needs a generator" }
        # A report of nested records needs its depth, said in its help: UM's desired set (names, each with its origin).
        $depth = @{ 'RunCloud.PowerShell.Sources.UltimateMultisite.UmDesiredSet' = 4; 'RunCloud.PowerShell.Models.RunCloudNetworkStatusSummary' = 3; 'RunCloud.PowerShell.Models.RunCloudApiUsage' = 4 }
        foreach ($t in $types) {
            $objects = @(& $script:Generators[$t] | Where-Object { $_.GetType().FullName -eq $t })
            $objects | Should -Not -BeNullOrEmpty -Because $t
            foreach ($o in $objects) {
                $json = $o | ConvertTo-Json -Depth ($depth[$t] ?? 2) -WarningVariable warned -WarningAction SilentlyContinue
                @($warned) | Should -BeNullOrEmpty -Because "$t serialises within $(if ($depth[$t]) { "-Depth $($depth[$t]), as its help says" } else { 'the default depth' })"
                $json | Should -Not -Match ([regex]::Escape($script:e.Token)) -Because $t
                $json | Should -Not -Match ([regex]::Escape($script:e.ApiSecret)) -Because $t
                if ($t -ne 'RunCloud.PowerShell.Session.RunCloudConnection') {
                    $json | Should -Not -Match '"Connection"\s*:\s*\{' -Because "$t carries no connection"
                    $json | Should -Not -Match 'RetryPolicy|CredentialSource' -Because "$t carries no connection"
                }
            }
        }
    }

    It 'a domain''s JSON is under 600 bytes and names no connection; the object still pipes to its own account' {
        $d = Get-RunCloudDomain -Name 'shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link'
        $json = $d | ConvertTo-Json
        [Text.Encoding]::UTF8.GetByteCount($json) | Should -BeLessThan 600
        $json | Should -Not -Match 'Connection|BaseUri|KeyId'
        $d.PSObject.Properties.Name | Should -Not -Contain 'Connection'
        $d | Get-RunCloudConnection | Should -Be (Get-RunCloudConnection)
        ($d | ConvertTo-Csv -NoTypeInformation | Out-String) | Should -Not -Match 'Connection|RunCloud\.PowerShell\.Session'
    }

    It 'Get-RunCloudConnection -InputObject says when an object has no connection (read back from JSON)' {
        $copy = [RunCloud.PowerShell.Models.RunCloudDomain]::new()
        $copy | Get-RunCloudConnection -ErrorVariable none -ErrorAction SilentlyContinue
        $none[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudNotConnected,*'
    }
}

Describe 'The CSV round trip' {
    BeforeEach { Connect-Default }

    It 'Get-RunCloudDomain | Export-Csv feeds Sync-RunCloudDomain -Path and Import-Csv | Add-RunCloudDomain with the same columns' {
        foreach ($n in 'csv-one.example.com', 'csv-two.example.com') { $script:e.State.AddDomain(1001, 2001, $n, $true, 'www') | Out-Null }
        $csv = Join-Path $TestDrive 'domains.csv'
        Get-RunCloudDomain | Export-Csv -Path $csv
        (Get-Content $csv -First 1) | Should -Match '"Name"'

        # Lost, then restored from the export by a sync that reads the Name column.
        foreach ($n in 'csv-one.example.com', 'csv-two.example.com') { Get-RunCloudDomain -Name $n | Remove-RunCloudDomain -Confirm:$false }
        $r = Sync-RunCloudDomain -Path $csv -SkipDnsCheck -Confirm:$false
        $r.Added | Should -Be @('csv-one.example.com', 'csv-two.example.com')
        $r.Skipped | Where-Object Kind -EQ 'Invalid' | Should -BeNullOrEmpty

        # Lost again, then restored by Import-Csv | Add-RunCloudDomain, Www and Redirection included.
        foreach ($n in 'csv-one.example.com', 'csv-two.example.com') { Get-RunCloudDomain -Name $n | Remove-RunCloudDomain -Confirm:$false }
        Import-Csv $csv | Where-Object Type -NE 'primary' | Add-RunCloudDomain -WarningAction SilentlyContinue
        $back = Get-RunCloudDomain -Name 'csv-one.example.com'
        $back.Www | Should -BeTrue -Because 'the Www column binds'
        $back.Redirection | Should -Be 'www' -Because 'the Redirection column binds'
    }
}

Describe '-Online, completion, aliases' {
    BeforeEach { Connect-Default }

    It 'Get-Help -Online opens this module''s page for every cmdlet: its first link with a URI is its HelpUri' {
        $base = (Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')).PrivateData.PSData.ProjectUri
        foreach ($c in Get-Command -Module RunCloud.PowerShell -CommandType Cmdlet) {
            $c.HelpUri | Should -BeLike "$base/blob/main/docs/help/$($c.Name).md" -Because $c.Name
            $first = @((Get-Help $c.Name -Full).relatedLinks.navigationLink | Where-Object { $_.uri }) | Select-Object -First 1
            $first.uri | Should -Be $c.HelpUri -Because "Get-Help $($c.Name) -Online opens the first link with a URI"
        }
    }

    It 'every domain -Name has the aliases Domain, DomainName and HostName; the other names their own' {
        $domainCommands = 'Add-RunCloudDomain', 'Get-RunCloudDomain', 'Set-RunCloudDomain', 'Remove-RunCloudDomain', 'Sync-RunCloudDomain', 'Get-RunCloudSsl',
        'Reset-RunCloudSsl', 'Test-RunCloudDomainDns', 'Test-RunCloudCertificate', 'Invoke-RunCloudScheduledSync'
        foreach ($name in $domainCommands) {
            @((Get-Command $name).Parameters['Name'].Aliases | Sort-Object) | Should -Be @('Domain', 'DomainName', 'HostName') -Because $name
        }
        (Get-Command Get-RunCloudServer).Parameters['Name'].Aliases | Should -Be 'ServerName'
        (Get-Command Get-RunCloudWebApp).Parameters['Name'].Aliases | Should -Be 'WebAppName'
        (Get-Command Get-RunCloudConnection).Parameters['Name'].Aliases | Should -Be 'ConnectionName'
        (Get-Command Connect-RunCloud).Parameters['Name'].Aliases | Should -Be 'ConnectionName'
        # Every cmdlet with a -Name takes one of these alias sets.
        foreach ($c in Get-Command -Module RunCloud.PowerShell -CommandType Cmdlet | Where-Object { $_.Parameters.ContainsKey('Name') }) {
            @($c.Parameters['Name'].Aliases).Count | Should -BeGreaterThan 0 -Because "$($c.Name) -Name has the aliases of its kind of name"
        }
    }

    It 'every -Connection, -ServerId, -WebAppId and id parameter completes' {
        foreach ($c in Get-Command -Module RunCloud.PowerShell -CommandType Cmdlet) {
            foreach ($p in 'Connection', 'ServerId', 'WebAppId') {
                if (-not $c.Parameters.ContainsKey($p)) { continue }
                @($c.Parameters[$p].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }) |
                    Should -Not -BeNullOrEmpty -Because "$($c.Name) -$p completes"
            }
        }
        foreach ($name in 'Get-RunCloudServer', 'Get-RunCloudWebApp', 'Get-RunCloudDomain') {
            @((Get-Command $name).Parameters['Id'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }) | Should -Not -BeNullOrEmpty -Because "$name -Id"
        }
    }

    It 'completes -Connection and Get-RunCloudConnection -Name with the open names, and ids through a named connection' {
        Connect-RunCloud -Name 'clientA-prod' -BaseUri $script:e.BaseUri -Token $script:Token -RateLimit 0
        try {
            foreach ($line in 'Get-RunCloudDomain -Connection client', 'Get-RunCloudConnection -Name client') {
                @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText) | Should -Contain 'clientA-prod' -Because $line
            }
            $line = 'Get-RunCloudWebApp -Connection clientA-prod -ServerId 1001 -Id '
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length   # a second Tab reads the cache
            @($r.CompletionMatches.CompletionText) | Should -Contain '2001'
            $line = 'Get-RunCloudDomain -Id 30'
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
            @($r.CompletionMatches.CompletionText) | Should -Contain '3001'
        }
        finally { Disconnect-RunCloud -Connection 'clientA-prod' }
    }

    It 'completes -SslProtocol with RunCloud''s list and -Vault with the registered vaults' {
        $line = "Set-RunCloudSsl -SslProtocol "
        $null = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        Start-Sleep -Milliseconds 200
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        @($r.CompletionMatches) | Should -Not -BeNullOrEmpty
        function global:Get-SecretVault { [pscustomobject]@{ Name = 'Company' }, [pscustomobject]@{ Name = 'Personal Vault' } }
        try {
            $line = 'Connect-RunCloud -Vault '
            @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText) | Should -Be @('Company', "'Personal Vault'")
        }
        finally { Remove-Item Function:\Get-SecretVault }
    }
}

Describe 'Get-RunCloudWebApp -Name without a server' {
    BeforeAll {
        $server = $script:e.State.AddServer('web3', '203.0.113.30')
        $script:Server3 = $server.Id
        $script:e.State.AddWebApp($server.Id, 'storefront') | Out-Null
    }
    BeforeEach { Connect-Default }

    It 'finds the app on whichever server it is, and stamps the server''s name' {
        $app = Get-RunCloudWebApp -Name storefront
        $app.ServerId | Should -Be $script:Server3
        $app.ServerName | Should -Be 'web3'
        $app | Get-RunCloudConnection | Should -Be (Get-RunCloudConnection)
    }

    It 'an exact name on no server is one not-found error naming the search; with -ServerId only that server is searched' {
        Get-RunCloudWebApp -Name nowhere -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudWebAppNotFound,*'
        "$($missing[0])" | Should -BeLike '*on any of the account''s*server(s)*'
        Get-RunCloudWebApp -Name storefront -ServerId 1001 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'An API error''s hint is printed once' {
    It 'the message and the recommended action do not both carry it' {
        $bad = Connect-RunCloud -Name 'revoked-hint' -BaseUri $script:e.BaseUri -Token (ConvertTo-SecureString 'revoked' -AsPlainText -Force) -SkipValidation -PassThru -RateLimit 0 -MaxAttempts 1
        try {
            $err = Get-RunCloudServer -Connection $bad -ErrorAction SilentlyContinue -ErrorVariable failed
            $record = $failed[0]
            $record.FullyQualifiedErrorId | Should -BeLike 'RunCloudAuthenticationFailed,*'
            $hint = $record.ErrorDetails.RecommendedAction
            $hint | Should -Not -BeNullOrEmpty
            $record.ErrorDetails.Message | Should -Not -Match ([regex]::Escape($hint))
            $shown = $record | Out-String -Width 400
            ([regex]::Matches($shown, [regex]::Escape($hint.Substring(0, 40)))).Count | Should -Be 1 -Because $shown
            $record.Exception.Message | Should -Match ([regex]::Escape($hint)) -Because 'a log that reads only the exception keeps the hint'
        }
        finally { Disconnect-RunCloud -Connection $bad }
    }
}

Describe 'Invoke-RunCloudRequest' {
    BeforeEach { Connect-Default; $script:e.ClearRequests() }

    It 'GETs any path relative to the API root and writes PSObjects' {
        $ping = Invoke-RunCloudRequest ping
        $ping | Should -BeOfType [pscustomobject]
        (Get-RunCloudEmulatorRequest -Emulator $script:e).Path | Should -Be '/api/v3/ping'
    }

    It '-All reads every page through the page iterator and fills {serverId} and {webAppId}' {
        $script:e.State.AddDomains(1001, 2001, [string[]](1..45 | ForEach-Object { "page$_.example.com" })) | Out-Null
        $items = @(Invoke-RunCloudRequest 'servers/{serverId}/webapps/{webAppId}/domains' -All)
        $items.Count | Should -Be (@($script:e.State.GetDomains(1001, 2001)).Count)
        @(Get-RunCloudEmulatorRequest -Emulator $script:e | Where-Object Path -Like '*/domains').Count | Should -Be 2
        (@(Get-RunCloudEmulatorRequest -Emulator $script:e).Query -join ' ') | Should -Match 'page=2'
    }

    It 'sends a hashtable body as JSON; -WhatIf sends nothing' {
        $id = (Get-RunCloudDomain -Name 'shop.example.com').Id
        Invoke-RunCloudRequest -Method PATCH -Path "servers/1001/webapps/2001/domains/$id/meta" -Body @{ www = $true; redirection = 'www' } -WhatIf
        @(Get-RunCloudEmulatorRequest -Emulator $script:e | Where-Object Method -EQ 'PATCH') | Should -BeNullOrEmpty
        Invoke-RunCloudRequest -Method PATCH -Path "servers/1001/webapps/2001/domains/$id/meta" -Body @{ www = $true; redirection = 'www' } -Confirm:$false | Out-Null
        $sent = Get-RunCloudEmulatorRequest -Emulator $script:e | Where-Object Method -EQ 'PATCH'
        $sent.Body | ConvertFrom-Json | ForEach-Object { $_.www | Should -BeTrue; $_.redirection | Should -Be 'www' }
        (Get-RunCloudDomain -Name 'shop.example.com').Redirection | Should -Be 'www'
    }

    It 'refuses a path that leaves the API root, before sending: <Path>' -ForEach @(
        @{ Path = 'https://evil.example.com/api/v3/servers' }, @{ Path = '//evil.example.com/servers' }, @{ Path = '../../../etc/passwd' },
        @{ Path = 'servers/%2e%2e/%2e%2e/x' }, @{ Path = 'servers?x=1' }, @{ Path = 'servers\1001' }, @{ Path = 'api/v3/servers' }, @{ Path = 'servers/ 1001' }
    ) {
        { Invoke-RunCloudRequest $Path } | Should -Throw -ErrorId 'RunCloudInvalidRequestPath,*'
        @(Get-RunCloudEmulatorRequest -Emulator $script:e) | Should -BeNullOrEmpty
    }

    It 'an API error is the module''s ErrorId; a JSON body that is not JSON is refused' {
        Invoke-RunCloudRequest 'servers/999999' -ErrorVariable nf -ErrorAction SilentlyContinue
        $nf[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudNotFound,*'
        { Invoke-RunCloudRequest -Method POST -Path 'servers/1001/webapps/2001/domains' -Body '{ not json' -Confirm:$false } | Should -Throw -ErrorId 'RunCloudInvalidInput,*'
        { Invoke-RunCloudRequest -Method POST -Path 'servers' -All } | Should -Throw -ErrorId 'RunCloudInvalidInput,*'
    }

    It 'a token the server echoes is masked in the output' {
        $echo = Invoke-RunCloudRequest -Method POST -Path 'servers/1001/webapps/2001/domains' -Body @{ name = "x$($script:e.Token).example.com" } -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        (($echo | ConvertTo-Json -Depth 5) + ($failed | Out-String)) | Should -Not -Match ([regex]::Escape($script:e.Token))
    }
}

Describe 'Connect-RunCloud with only the RUNCLOUD_* environment' {
    AfterEach {
        foreach ($n in 'RUNCLOUD_API_KEY', 'RUNCLOUD_API_SECRET', 'RUNCLOUD_SERVER_ID', 'RUNCLOUD_APP_ID', 'RUNCLOUD_BASE_URI', 'RUNCLOUD_API_VERSION') { [Environment]::SetEnvironmentVariable($n, $null) }
        Connect-Default
    }

    It 'connects with a key and secret, the ids, the address and the version from the environment, and -Verbose names each variable' {
        Disconnect-RunCloud -All
        $env:RUNCLOUD_API_KEY = $script:e.ApiKey
        $env:RUNCLOUD_API_SECRET = $script:e.ApiSecret
        $env:RUNCLOUD_SERVER_ID = '1001'
        $env:RUNCLOUD_APP_ID = '2002'
        $env:RUNCLOUD_BASE_URI = $script:e.BaseUri.AbsoluteUri
        $env:RUNCLOUD_API_VERSION = 'v2'
        $verbose = @(Connect-RunCloud -RateLimit 0 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $c = Get-RunCloudConnection
        $c.ApiVersion | Should -Be 'v2'
        $c.AuthenticationKind | Should -Be 'ApiKey'
        $c.WebAppId | Should -Be 2002
        (Get-RunCloudDomain).Name | Should -Contain 'blog.example.com'
        $text = $verbose -join "`n"
        foreach ($n in 'RUNCLOUD_API_KEY', 'RUNCLOUD_SERVER_ID', 'RUNCLOUD_APP_ID', 'RUNCLOUD_BASE_URI', 'RUNCLOUD_API_VERSION') { $text | Should -Match $n }
        $text | Should -Not -Match ([regex]::Escape($script:e.ApiSecret))
        $text | Should -Not -Match ([regex]::Escape($script:e.ApiKey))
    }

    It 'a bad RUNCLOUD_API_VERSION or RUNCLOUD_BASE_URI names the variable' {
        $env:RUNCLOUD_API_KEY = $script:e.ApiKey; $env:RUNCLOUD_API_SECRET = $script:e.ApiSecret
        $env:RUNCLOUD_API_VERSION = 'v9'
        { Connect-RunCloud } | Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*RUNCLOUD_API_VERSION*v9*'
        $env:RUNCLOUD_API_VERSION = $null
        $env:RUNCLOUD_BASE_URI = 'http://runcloud.example.com'
        { Connect-RunCloud } | Should -Throw -ErrorId 'RunCloudInvalidBaseUri,*' -ExpectedMessage '*RUNCLOUD_BASE_URI*HTTPS*'
    }
}

Describe 'The Demo is hermetic' {
    BeforeAll {
        function script:Invoke-Demo([string[]] $Extra) {
            $pwsh = Get-TestPwshCommand
            $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
            foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot '../../examples/Demo.ps1'),
                    '-ModulePath', $script:ModulePath, '-EmulatorModulePath', $script:EmulatorModulePath) + $Extra) { $info.ArgumentList.Add($a) }
            $info.RedirectStandardOutput = $true; $info.RedirectStandardError = $true; $info.UseShellExecute = $false
            $info.Environment['RUNCLOUD_SKIP_DNS_CHECK'] = '1'
            $info.Environment['RUNCLOUD_API_TOKEN'] = 'a-user-token-that-is-not-the-emulators'
            $info.Environment['RUNCLOUD_BASE_URI'] = 'https://runcloud.invalid/'
            $info.Environment['RUNCLOUD_API_VERSION'] = 'v2'
            $info.Environment['RUNCLOUD_SERVER_ID'] = '5'
            $info.Environment['RUNCLOUD_STATE_PATH'] = $script:DemoUserState
            $info.Environment['RUNCLOUD_MAX_NAMES_PER_CERTIFICATE'] = '3'
            $p = [System.Diagnostics.Process]::Start($info)
            $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEnd()
            $p.WaitForExit()
            [pscustomobject]@{ ExitCode = $p.ExitCode; Out = $out.Result; Err = $err }
        }
    }

    It 'runs to the end with the user''s RUNCLOUD_* settings in the way, and writes nothing to their state folder' {
        $script:DemoUserState = Join-Path $TestDrive 'user-state'
        New-Item -ItemType Directory -Path $script:DemoUserState | Out-Null
        $run = Invoke-Demo @()
        $run.ExitCode | Should -Be 0 -Because ($run.Out + $run.Err)
        $run.Out | Should -Match 'Demo finished'
        $run.Out | Should -Match 'Redeploy refused' -Because 'the DNS check ran although RUNCLOUD_SKIP_DNS_CHECK=1 was set for the user'
        # mariadbd is installed where the tests run (.ci/run installs it): the UM section reads the network's database.
        $run.Out | Should -Match 'Reading the network from its database \(a MariaDB this demo started'
        $run.Out | Should -Match 'Every name the network maps is on the web app and covered by its certificate'
        $run.Out | Should -Match 'Desired: 5 name\(s\) from Ultimate Multisite, database'
        @(Get-ChildItem $script:DemoUserState -Recurse) | Should -BeNullOrEmpty -Because 'the demo keeps its journals in its own folder'
    }

    It 'syncs the same Ultimate Multisite network through the emulator''s UM REST API where no MariaDB is used, and says so' {
        $run = Invoke-Demo @('-UltimateMultisiteVia', 'Rest')
        $run.ExitCode | Should -Be 0 -Because ($run.Out + $run.Err)
        $run.Out | Should -Match 'reading the same network through Ultimate Multisite''s REST API, which the emulator serves'
        $run.Out | Should -Match 'Desired: 5 name\(s\) from Ultimate Multisite, UM''s REST API at http://127\.0\.0\.1:\d+/wp-json/'
        $run.Out | Should -Match 'old-bakery\.com is not served \(inactive'
        $run.Out | Should -Match 'a UM network synced and covered'
        @(Get-ChildItem $script:DemoUserState -Recurse) | Should -BeNullOrEmpty
    }
}
