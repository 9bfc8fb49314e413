# SSL for a whole multisite network. The expiry report, settings in place, the SSL strategy (100 names,
# advanced mode per domain, DNS readiness remembered in the journal, Let's Encrypt budget) and the live check, through
# the built module against the emulator, which fails orders the way Let's Encrypt does.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Defaults = [RunCloud.Emulator.EmulatorDefaults]

    function Start-SslEmulator([hashtable] $Options = @{}) {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0 @Options
        Connect-TestEmulator $script:e -ClearRequests
        # The emulator's DNS table, asked the way a DNS-over-HTTPS client asks Cloudflare.
        $script:Doh = "$($script:e.BaseUri)_emulator/dns-query"
    }

    # The SSL extension of the app's journal (null when there is none).
    function Get-SslJournal([long] $App = 2001) {
        $file = Get-ChildItem -Path $env:RUNCLOUD_STATE_PATH -Filter "*-s1001-w$App.json" -ErrorAction SilentlyContinue | Select-Object -First 1
        if (-not $file) { return $null }
        (Get-Content -Raw $file.FullName | ConvertFrom-Json).extensions.ssl
    }

    # A certificate's ValidUntil moved, through the emulator's state document.
    function Set-ValidUntil([long] $App, [datetime] $When) {
        $doc = $script:e.State.ToJson() | ConvertFrom-Json
        foreach ($s in $doc.servers) { foreach ($w in $s.webApps) { if ($w.id -eq $App) { $w.ssl.validUntil = $When.ToUniversalTime().ToString('o') } } }
        $script:e.State.LoadJson(($doc | ConvertTo-Json -Depth 20))
    }
}

AfterAll {
    Disconnect-RunCloud -ErrorAction SilentlyContinue
}

Describe 'Get-RunCloudSsl: the expiry report across the fleet' {
    BeforeEach { Start-SslEmulator }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e; Remove-Item -Recurse -Force (Join-Path $env:RUNCLOUD_STATE_PATH '*') -ErrorAction SilentlyContinue }

    It 'Get-RunCloudServer | Get-RunCloudWebApp | Get-RunCloudSsl -ExpiringWithin 14 lists what needs attention and nothing else' {
        Reset-RunCloudSsl -WebAppId 2002 -Confirm:$false           # blog gets a certificate too
        Set-ValidUntil -App 2002 -When (Get-Date).AddDays(10).AddHours(1)
        $e.ClearRequests()

        $report = @(Get-RunCloudServer | Get-RunCloudWebApp | Get-RunCloudSsl -ExpiringWithin 14)

        $report | Should -HaveCount 1
        $report[0].WebAppId | Should -Be 2002
        $report[0].WebAppName | Should -Be 'blog'
        $report[0].ServerName | Should -Be $Defaults::ServerName
        $report[0].DaysRemaining | Should -Be 10
        # Names came with the piped objects: no GET of a single server or web app.
        @(Get-RunCloudEmulatorRequest -Method GET | Where-Object { $_.Path -match '^/?api/v3/servers/\d+$|/webapps/\d+$' }) | Should -BeNullOrEmpty
    }

    It 'every certificate object carries the server and web app names and DaysRemaining' {
        $ssl = Get-RunCloudSsl
        $ssl.ServerName | Should -Be $Defaults::ServerName
        $ssl.WebAppName | Should -Be $Defaults::WebAppName
        $ssl.DaysRemaining | Should -BeIn 89, 90
        @(Get-RunCloudSsl -ExpiringWithin 30) | Should -BeNullOrEmpty
        @(Get-RunCloudSsl -WebAppId 2002 -ExpiringWithin 3650) | Should -BeNullOrEmpty -Because 'an app without a certificate does not expire'
    }
}

Describe 'Set-RunCloudSsl and Set-RunCloudSslMode' {
    BeforeEach { Start-SslEmulator }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e }

    It 'Set-RunCloudSsl -SslProtocol TLSv1.3 reads the protocol list with webServer=nginx and PATCHes the id it found, nothing else' {
        Set-RunCloudSsl -EnableHsts $true -SslProtocol 'TLSv1.3' -Confirm:$false
        $list = @(Get-RunCloudEmulatorRequest -Method GET | Where-Object Path -Like '*static/ssl/protocols')
        $list | Should -HaveCount 1
        $list[0].Query | Should -Match '(^|[?&])webServer=nginx($|&)'
        $list[0].StatusCode | Should -Be 200
        $patch = @(Get-RunCloudEmulatorRequest -Method PATCH)
        $patch | Should -HaveCount 1
        $patch[0].Path | Should -BeLike "*/webapps/2001/ssl/$($Defaults::SslId)"
        $body = $patch[0].Body | ConvertFrom-Json -AsHashtable
        $body.Keys | Sort-Object | Should -Be @('enableHsts', 'ssl_protocol_id')
        $body.ssl_protocol_id | Should -Be 3 -Because 'the emulator lists TLSv1.3 as id 3, as public clients do'
        $ssl = Get-RunCloudSsl
        $ssl.EnableHsts | Should -BeTrue
        $ssl.SslProtocolId | Should -Be 3
        @(Get-RunCloudEmulatorRequest -Method PUT) + @(Get-RunCloudEmulatorRequest -Method POST) | Should -BeNullOrEmpty -Because 'no new issuance'

        # One version means "that version and newer"; RunCloud's own names and separators are read too.
        Set-RunCloudSsl -SslProtocol 'TLSv1.2' -Confirm:$false
        (Get-RunCloudSsl).SslProtocolId | Should -Be 2
        Set-RunCloudSsl -SslProtocol 'TLSv1.1 + TLSv1.2 + TLSv1.3' -Confirm:$false
        (Get-RunCloudSsl).SslProtocolId | Should -Be 1
    }

    It 'refuses an unknown protocol before any change, listing the valid ones' {
        { Set-RunCloudSsl -SslProtocolId 99 -Confirm:$false } | Should -Throw -ErrorId 'RunCloudInvalidInput*' -ExpectedMessage '*2 (TLSv1.2 TLSv1.3)*'
        { Set-RunCloudSsl -SslProtocol 'TLSv1.0' -Confirm:$false } | Should -Throw -ErrorId 'RunCloudInvalidInput*' -ExpectedMessage "*'TLSv1.0'*3 (TLSv1.3)*"
        Get-RunCloudEmulatorRequest -Method PATCH | Should -BeNullOrEmpty
        { Set-RunCloudSsl } | Should -Throw -ErrorId 'RunCloudInvalidInput*' -ExpectedMessage 'Nothing to change*'
    }

    It '-WhatIf sends no PATCH; in advanced mode a domain certificate''s settings are not patched in place (RunCloud documents no such call)' {
        Set-RunCloudSsl -EnableHttp $false -WhatIf
        Get-RunCloudEmulatorRequest -Method PATCH | Should -BeNullOrEmpty

        Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force
        Reset-RunCloudSsl -Domain $Defaults::PrimaryDomainName -Confirm:$false
        $e.ClearRequests()
        Set-RunCloudSsl -Domain $Defaults::PrimaryDomainName -EnableHsts $true -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSslSettingsNotSupported*'
        $err[0].Exception.Message | Should -BeLike '*advancedSSL and autoSSL*'
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike "Reset-RunCloudSsl*-Name '$($Defaults::PrimaryDomainName)' -Reinstall -EnableHsts"
        Get-EmulatorMutation | Should -BeNullOrEmpty
    }

    It 'Set-RunCloudSslMode refuses while the app-wide certificate is installed, -Force alone changes nothing, and -UninstallAppCertificate uninstalls it first' {
        Set-RunCloudSslMode -Mode Advanced -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSslModeCertificateInstalled*'
        Get-EmulatorMutation | Should -BeNullOrEmpty

        Set-RunCloudSslMode -Mode Advanced -WhatIf
        Get-EmulatorMutation | Should -BeNullOrEmpty

        # -Force only skips the prompt, never a safety check: it does not uninstall the certificate in the way.
        Set-RunCloudSslMode -Mode Advanced -Force -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSslModeCertificateInstalled*'
        Get-EmulatorMutation | Should -BeNullOrEmpty

        $mode = Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force -PassThru
        $mode.Mode | Should -Be 'Advanced'
        $mode.Changed | Should -BeTrue
        (Get-EmulatorMutation | ForEach-Object { "$($_.Method) $($_.Path -replace '^.*/webapps/2001/', '')" }) | Should -Be @("DELETE ssl/$($Defaults::SslId)", 'POST ssl/advanced')
        $e.ClearRequests()
        (Set-RunCloudSslMode -Mode Advanced -PassThru).Changed | Should -BeFalse
        Get-EmulatorMutation | Should -BeNullOrEmpty
    }
}

Describe 'The SSL strategy' {
    BeforeEach { Start-SslEmulator }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e; Remove-Item -Recurse -Force (Join-Path $env:RUNCLOUD_STATE_PATH '*') -ErrorAction SilentlyContinue }

    It 'basic mode past 100 names (www. variants counted) refuses with a plan that offers advanced mode, and orders nothing' {
        1..50 | ForEach-Object { Add-RunCloudDomain -Name "w$_.example.org" -Www -Confirm:$false }   # 100 names + 2 of the app
        $e.ClearRequests()
        Reset-RunCloudSsl -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSslTooManyNames*'
        $err[0].Exception.Message | Should -BeLike '*102 names*100*advanced SSL*'
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike 'Set-RunCloudSslMode*-Mode Advanced'
        Get-EmulatorMutation | Should -BeNullOrEmpty
    }

    It 'advanced mode: an added domain gets its own certificate, a removed one loses it, never a per-app redeploy' {
        Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force
        $e.ClearRequests()
        Add-RunCloudDomain -Name 'new.example.org' -ResetSsl -Confirm:$false
        $m = @(Get-EmulatorMutation)
        ($m | ForEach-Object Method) | Should -Be @('POST', 'POST')
        $m[1].Path | Should -Match '/domains/\d+/ssl$'
        ($m[1].Body | ConvertFrom-Json).advancedSSL | Should -BeTrue
        $e.GetUncoveredDomains(1001, 2001) | Should -Not -Contain 'new.example.org'

        $e.ClearRequests()
        Remove-RunCloudDomain -Name 'new.example.org' -Force
        ($m = @(Get-EmulatorMutation)) | Out-Null
        ($m | ForEach-Object { $_.Method + ' ' + ($_.Path -replace '^.*/webapps/2001/', '' -replace '\d+', 'N') }) | Should -Be @('DELETE domains/N/ssl/N', 'DELETE domains/N')
        @(Get-RunCloudEmulatorRequest -Method PUT) | Should -BeNullOrEmpty
    }

    It 'a name whose DNS does not point at the server: basic mode reports it as the reason, remembers it, and the next run covers it' {
        $env:RUNCLOUD_SKIP_DNS_CHECK = $null
        try {
            Add-RunCloudDomain -Name 'early.example.org' -Confirm:$false
            Set-RunCloudEmulatorDns -Name 'early.example.org' -Unpointed
            $e.ClearRequests()

            Reset-RunCloudSsl -DnsServer $Doh -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSslNamesNotReady*'
            $err[0].Exception.Message | Should -BeLike '*early.example.org*'
            @(Get-RunCloudEmulatorRequest -Method PUT) | Should -BeNullOrEmpty -Because 'the whole order would fail'
            @((Get-SslJournal).notReady.name) | Should -Be @('early.example.org')

            # The customer points the name: the next unattended sync (no change of its own) retries and covers it.
            Set-RunCloudEmulatorDns -Name 'early.example.org' -Default
            $r = Sync-RunCloudDomain -Domain $Defaults::PrimaryDomainName -DnsServer $Doh -Confirm:$false
            $r.SslRedeployed | Should -BeTrue
            $e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
            (Get-SslJournal).notReady | Should -BeNullOrEmpty
        }
        finally { $env:RUNCLOUD_SKIP_DNS_CHECK = '1' }
    }

    It '-SkipDnsCheck sends the order anyway (and the emulator, like Let''s Encrypt, fails it as a whole)' {
        $env:RUNCLOUD_SKIP_DNS_CHECK = $null
        try {
            Add-RunCloudDomain -Name 'early.example.org' -Confirm:$false
            Set-RunCloudEmulatorDns -Name 'early.example.org' -Unpointed
            $e.ClearRequests()
            Reset-RunCloudSsl -DnsServer $Doh -SkipDnsCheck -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
            @(Get-RunCloudEmulatorRequest -Method PUT) | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudValidationFailed*'
        }
        finally { $env:RUNCLOUD_SKIP_DNS_CHECK = '1' }
    }

    It 'Test-RunCloudDomainDns shares the check: CNAMEs followed, Cloudflare-proxied names recognised' {
        Set-RunCloudEmulatorDns -Name 'cdn.example.org' -Address 104.16.0.1 -Proxied
        Set-RunCloudEmulatorDns -Name 'alias.example.org' -CName $Defaults::PrimaryDomainName
        $checks = Test-RunCloudDomainDns -Name 'cdn.example.org', 'alias.example.org', 'nowhere.example.net' -DnsServer $Doh
        $checks[0].Status | Should -Be 'CloudflareProxied'
        $checks[0].CloudflareProxied | Should -BeTrue
        $checks[0].Message | Should -BeLike '*Cloudflare*-SkipDnsCheck*'
        $checks[1].Status | Should -Be 'OK'
        $checks[1].Cnames | Should -Be @($Defaults::PrimaryDomainName)
        $checks[2].Status | Should -Be 'NotResolved'
        { Test-RunCloudDomainDns -Name x.example.org -DnsServer 'not-a-server' } | Should -Throw -ErrorId 'RunCloudInvalidInput*'
    }

    It '-DnsServer also asks a resolver over UDP (the emulator''s DNS responder): an unpointed name added with -ResetSsl in advanced mode is added, gets no order, and is reported' {
        Stop-RunCloudEmulator -Emulator $script:e
        Start-SslEmulator @{ DnsPort = 0 }
        $env:RUNCLOUD_SKIP_DNS_CHECK = $null
        try {
            Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force
            Set-RunCloudEmulatorDns -Name 'later.example.org' -Unpointed
            $e.ClearRequests()
            $added = Add-RunCloudDomain -Name 'later.example.org', 'now.example.org' -ResetSsl -DnsServer "127.0.0.1:$($e.DnsPort)" -PassThru -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
            @($added.Name) | Should -Be @('later.example.org', 'now.example.org')
            @(Get-RunCloudEmulatorRequest -Method POST | Where-Object Path -Match '/domains/\d+/ssl$') | Should -HaveCount 1
            ($warned -join "`n") | Should -BeLike '*later.example.org*NotResolved*retried*'
            $e.GetUncoveredDomains(1001, 2001) | Should -Contain 'later.example.org'
            $e.GetUncoveredDomains(1001, 2001) | Should -Not -Contain 'now.example.org'
            @((Get-SslJournal).notReady.name) | Should -Contain 'later.example.org'
        }
        finally { $env:RUNCLOUD_SKIP_DNS_CHECK = '1' }
    }

    It 'refuses a sixth duplicate certificate in 7 days with the date it becomes possible, unless -AllowDuplicateCertificate' {
        Stop-RunCloudEmulator -Emulator $script:e
        Start-SslEmulator @{ DuplicateCertificateLimit = 0 }   # the client's own budget is under test, not the emulator's
        1..5 | ForEach-Object { Reset-RunCloudSsl -Confirm:$false }
        @(Get-RunCloudEmulatorRequest -Method PUT) | Should -HaveCount 5
        $e.ClearRequests()

        Reset-RunCloudSsl -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudLetsEncryptLimit*'
        $err[0].Exception.PossibleAt | Should -BeGreaterThan (Get-Date).ToUniversalTime().AddDays(6.9)
        $err[0].Exception.Message | Should -Match 'becomes possible on \d{4}-\d\d-\d\d'
        Get-EmulatorMutation | Should -BeNullOrEmpty

        Reset-RunCloudSsl -AllowDuplicateCertificate -Confirm:$false
        @(Get-RunCloudEmulatorRequest -Method PUT) | Should -HaveCount 1
    }
}

Describe 'Done when: a network of 250 mapped domains, 10 not pointed yet' {
    BeforeAll { Start-SslEmulator @{ TlsPort = 0 }; $env:RUNCLOUD_SKIP_DNS_CHECK = $null }
    AfterAll { $env:RUNCLOUD_SKIP_DNS_CHECK = '1'; Stop-RunCloudEmulator -Emulator $script:e }

    It 'one sync covers every pointed name and reports the 10; after pointing them the next run covers them; no Let''s Encrypt limit is passed' {
        # Customer domains, each its own registered domain (as in a WordPress network with domain mapping).
        $names = @(1..250 | ForEach-Object { 'site{0:d3}.customer{0:d3}.com' -f $_ })
        $late = @($names | Select-Object -Last 10)
        $late | Set-RunCloudEmulatorDns -Unpointed   # mapped before the customers changed their DNS

        # Basic SSL cannot hold 252 names: the app goes to advanced SSL, its own two names get their certificates.
        Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force
        Reset-RunCloudSsl -DnsServer $Doh -Confirm:$false
        $before = $e.State.GetIssuances().Count

        $r = Sync-RunCloudDomain -Domain $names -DnsServer $Doh -WarningVariable warnings -WarningAction SilentlyContinue
        $r.Added | Should -HaveCount 250
        (@($r.SslNotReady.Name) | Sort-Object) | Should -Be ($late | Sort-Object)
        @($r.SslNotReady.Status | Select-Object -Unique) | Should -Be @('NotResolved')
        $warnings.Count | Should -Be 10
        $r.Failed | Should -BeNullOrEmpty
        # Proven by the emulator's state: every pointed name has its certificate, only the 10 have none.
        (@($e.GetUncoveredDomains(1001, 2001)) | Sort-Object) | Should -Be ($late | Sort-Object)
        (@((Get-SslJournal).notReady.name) | Sort-Object) | Should -Be ($late | Sort-Object)
        @(Get-RunCloudEmulatorRequest -Method PUT | Where-Object Path -Match '/webapps/2001/ssl/\d+$') | Should -BeNullOrEmpty -Because 'never a per-app redeploy'
        $firstRun = $e.State.GetIssuances().Count - $before
        $firstRun | Should -Be 240
        # ... and live: TLS + SNI to the emulator's endpoint, whose certificates follow its SSL state, chained to its test CA.
        $live = @(Get-RunCloudDomain | Test-RunCloudCertificate -Address 127.0.0.1 -Port $e.TlsPort -TrustedRoot $e.TlsCertificateAuthority)
        $live | Should -HaveCount 252
        (@($live | Where-Object { -not $_.Covered } | ForEach-Object Name) | Sort-Object) | Should -Be ($late | Sort-Object)
        @($live | Where-Object Covered | Where-Object { -not $_.ChainValid }) | Should -BeNullOrEmpty

        # The customers point their names: the next scheduled run (nothing else to change) covers them.
        $late | Set-RunCloudEmulatorDns -Default
        $e.ClearRequests()
        $r2 = Sync-RunCloudDomain -Domain $names -DnsServer $Doh
        $r2.Added | Should -BeNullOrEmpty
        $r2.SslRedeployed | Should -BeTrue
        $r2.SslNotReady | Should -BeNullOrEmpty
        $e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
        (Get-SslJournal).notReady | Should -BeNullOrEmpty
        @(Get-RunCloudEmulatorRequest -Method POST | Where-Object Path -Match '/domains/\d+/ssl$') | Should -HaveCount 10
        $live = @(Get-RunCloudDomain | Test-RunCloudCertificate -Address 127.0.0.1 -Port $e.TlsPort -TrustedRoot $e.TlsCertificateAuthority)
        @($live | Where-Object { -not $_.Covered }) | Should -BeNullOrEmpty
        $live | Should -HaveCount 252

        # Let's Encrypt: no name set issued more than once, fewer than 300 orders per run, at most 50 per registered domain.
        $issued = @($e.State.GetIssuances())
        @($issued | Group-Object { $_.Names -join ',' } | Where-Object Count -GT 1) | Should -BeNullOrEmpty
        $firstRun | Should -BeLessThan 300
        @($issued | ForEach-Object { ($_.Names[0] -split '\.')[-2..-1] -join '.' } | Group-Object | Where-Object Count -GT 50) | Should -BeNullOrEmpty
    }
}

Describe 'Done when: a subdomain network served through *.network.example.com' {
    BeforeEach { Start-SslEmulator }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e; Remove-Item -Recurse -Force (Join-Path $env:RUNCLOUD_STATE_PATH '*') -ErrorAction SilentlyContinue }

    It 'basic HTTP-01 SSL: no certificate order is sent, the error says why and what to do, and later runs say it again without ordering' {
        $before = $e.State.GetIssuances().Count
        Add-RunCloudDomain -Name '*.network.example.com' -ResetSsl -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSslWildcardNeedsDns01*'
        $err[0].Exception.Message | Should -Match '\*\.network\.example\.com over HTTP-01'
        $err[0].Exception.Message | Should -Match 'only over DNS-01'
        $err[0].Exception.Message | Should -Match '-AuthorizationMethod dns-01 -ExternalApi <integration>'
        $err[0].Exception.Message | Should -Match 'Set-RunCloudSslMode -Mode Advanced'
        $err[0].ErrorDetails.RecommendedAction | Should -BeLike 'Reset-RunCloudSsl*-Reinstall -AuthorizationMethod dns-01 -ExternalApi <integration>'
        @(Get-RunCloudEmulatorRequest -Method PUT) | Should -BeNullOrEmpty
        $e.State.GetIssuances().Count | Should -Be $before
        # The apply engine refuses such a change before making it (its SSL step would certainly be refused): not added.
        @(Get-RunCloudDomain).Name | Should -Not -Contain '*.network.example.com'

        # Added anyway, the certificate left owed (-NoSslReset): every later scheduled run looks again, one error each,
        # and never the doomed order.
        Sync-RunCloudDomain -Domain $Defaults::PrimaryDomainName, '*.network.example.com' -NoSslReset -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        @(Get-RunCloudDomain).Name | Should -Contain '*.network.example.com'
        foreach ($run in 1..2) {
            $e.ClearRequests()
            $r = Sync-RunCloudDomain -Domain $Defaults::PrimaryDomainName -Confirm:$false -ErrorAction SilentlyContinue
            @($r.Failed | Where-Object ErrorId -EQ 'RunCloudSslWildcardNeedsDns01') | Should -HaveCount 1
            @(Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty
        }

        $e.State.GetIssuances().Count | Should -Be $before
    }

    It '-Reinstall over HTTP-01 is refused before the old certificate is uninstalled' {
        Add-RunCloudDomain -Name '*.network.example.com' -Confirm:$false
        $e.ClearRequests()
        Reset-RunCloudSsl -Reinstall -Environment staging -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSslWildcardNeedsDns01*'
        $err[0].Exception.Message | Should -BeLike '*after the old certificate was uninstalled*Nothing was changed*'
        Get-EmulatorMutation | Should -BeNullOrEmpty
        (Get-RunCloudSsl).Installed | Should -BeTrue
    }

    It 'with a DNS integration (named by its label) and DNS-01 the order is sent once and covers the wildcard' {
        Add-RunCloudDomain -Name '*.network.example.com' -Confirm:$false
        $before = $e.State.GetIssuances().Count
        $e.ClearRequests()

        Reset-RunCloudSsl -Reinstall -AuthorizationMethod dns-01 -ExternalApi cloudflare-dns -Confirm:$false

        (Get-EmulatorMutation | ForEach-Object { "$($_.Method) $($_.Path -replace '^.*/webapps/2001/', '')" }) | Should -Be @("DELETE ssl/$($Defaults::SslId)", 'POST ssl')
        $body = (Get-RunCloudEmulatorRequest -Method POST).Body | ConvertFrom-Json -AsHashtable
        $body.authorizationMethod | Should -Be 'dns-01'
        $body.externalApi | Should -Be 5001
        $body.externalApi | Should -BeOfType [long] -Because 'RunCloud takes the integration as an integer'
        $e.State.GetIssuances().Count | Should -Be ($before + 1)
        $e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
        (Get-RunCloudSsl).AuthorizationMethod | Should -Be 'dns-01'

        # From then on the app's redeploys go through DNS-01: a new name is covered by one PUT.
        $e.ClearRequests()
        Add-RunCloudDomain -Name 'more.example.org' -ResetSsl -Confirm:$false
        @(Get-RunCloudEmulatorRequest -Method PUT) | Should -HaveCount 1
        $e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
    }

    It 'advanced SSL: the wildcard waits for its DNS-01 order (said each run), the other names get theirs, and -ExternalApi by id orders it' {
        Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force
        $e.ClearRequests()
        Add-RunCloudDomain -Name '*.network.example.com', 'plain.example.org' -ResetSsl -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
        $orders = @(Get-RunCloudEmulatorRequest -Method POST | Where-Object Path -Match '/domains/\d+/ssl$')
        $orders | Should -HaveCount 1 -Because 'only the plain name gets an HTTP-01 order'
        ($warned -join "`n") | Should -Match '\*\.network\.example\.com.*NeedsDns01'
        ($warned -join "`n") | Should -Match "-Name '\*\.network\.example\.com' -AuthorizationMethod dns-01 -ExternalApi"
        $e.GetUncoveredDomains(1001, 2001) | Should -Contain '*.network.example.com'
        $e.GetUncoveredDomains(1001, 2001) | Should -Not -Contain 'plain.example.org'
        @((Get-SslJournal).notReady | Where-Object status -EQ 'NeedsDns01' | ForEach-Object name) | Should -Be @('*.network.example.com')

        Reset-RunCloudSsl -Name '*.network.example.com' -AuthorizationMethod dns-01 -ExternalApi 5001 -Confirm:$false
        $dns01 = @(Get-RunCloudEmulatorRequest -Method POST | Where-Object Path -Match '/domains/\d+/ssl$') | Select-Object -Last 1
        ($dns01.Body | ConvertFrom-Json).authorizationMethod | Should -Be 'dns-01'
        $e.GetUncoveredDomains(1001, 2001) | Should -Not -Contain '*.network.example.com'
        (Get-SslJournal).notReady | Should -BeNullOrEmpty
    }

    It '-ExternalApi is resolved before any change: an unknown label or id stops the command, dns-01 needs it, http-01 takes none' {
        { Reset-RunCloudSsl -Reinstall -AuthorizationMethod dns-01 -ExternalApi 'no-such-integration' -Confirm:$false } |
            Should -Throw -ErrorId 'RunCloudDnsIntegrationNotFound*' -ExpectedMessage '*cloudflare-dns (5001*'
        { Reset-RunCloudSsl -AuthorizationMethod dns-01 -ExternalApi 999 -Confirm:$false } | Should -Throw -ErrorId 'RunCloudDnsIntegrationNotFound*'
        { Reset-RunCloudSsl -WebAppId 2002 -AuthorizationMethod dns-01 -Confirm:$false } | Should -Throw -ErrorId 'RunCloudInvalidInput*' -ExpectedMessage '*needs -ExternalApi*'
        { Reset-RunCloudSsl -WebAppId 2002 -ExternalApi 5001 -Confirm:$false } | Should -Throw -ErrorId 'RunCloudInvalidInput*' -ExpectedMessage '*dns-01*'
        Get-EmulatorMutation | Should -BeNullOrEmpty
        # Tab completes the labels.
        $completion = TabExpansion2 -inputScript 'Reset-RunCloudSsl -ExternalApi cloud' -cursorColumn 35
        # The first Tab may start the read and come back empty; the next one offers the cached list.
        if (-not $completion.CompletionMatches) { Start-Sleep -Milliseconds 500; $completion = TabExpansion2 -inputScript 'Reset-RunCloudSsl -ExternalApi cloud' -cursorColumn 35 }
        $completion.CompletionMatches.CompletionText | Should -Contain 'cloudflare-dns'
    }
}
