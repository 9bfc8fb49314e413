# Get-RunCloudNetworkStatus through the BUILT module: an Ultimate Multisite network in a real MariaDB (one for this
# file), the emulator with its TLS endpoint and DNS (asked over DNS-over-HTTPS), the HTML report rendered by a real
# headless Chromium. Read-only by construction: the emulator's request log holds only GETs.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'MariaDb.ps1')
    $script:Db = Start-TestMariaDb

    # UM's tables under a prefix of this file's own (the fixture's networks live under wp_, sd_, big_, bad_).
    function New-UmNetwork([string] $Prefix, [string] $MainDomain, [string[]] $Mappings, [string] $Www = 'never', [string] $Extra = '') {
        $sql = @(
            "CREATE TABLE ${Prefix}site (id bigint(20) NOT NULL AUTO_INCREMENT, domain varchar(200) NOT NULL DEFAULT '', path varchar(100) NOT NULL DEFAULT '', PRIMARY KEY (id));"
            "CREATE TABLE ${Prefix}sitemeta (meta_id bigint(20) NOT NULL AUTO_INCREMENT, site_id bigint(20) NOT NULL DEFAULT 0, meta_key varchar(255) DEFAULT NULL, meta_value longtext, PRIMARY KEY (meta_id));"
            "CREATE TABLE ${Prefix}blogs (blog_id bigint(20) NOT NULL AUTO_INCREMENT, site_id bigint(20) NOT NULL DEFAULT 0, domain varchar(200) NOT NULL DEFAULT '', path varchar(100) NOT NULL DEFAULT '', archived tinyint(2) NOT NULL DEFAULT 0, spam tinyint(2) NOT NULL DEFAULT 0, deleted tinyint(2) NOT NULL DEFAULT 0, PRIMARY KEY (blog_id));"
            "CREATE TABLE ${Prefix}wu_domain_mappings (id bigint(20) unsigned NOT NULL AUTO_INCREMENT, blog_id bigint(20) unsigned NOT NULL, domain varchar(191) NOT NULL, active tinyint(4) DEFAULT 1, primary_domain tinyint(4) DEFAULT 0, secure tinyint(4) DEFAULT 0, stage enum('checking-dns','checking-ssl-cert','done-without-ssl','done','failed','ssl-failed') NOT NULL DEFAULT 'checking-dns', date_created datetime NULL, date_modified datetime NULL, PRIMARY KEY (id), UNIQUE KEY domain (domain));"
            "INSERT INTO ${Prefix}site (id, domain, path) VALUES (1, '$MainDomain', '/');"
            "INSERT INTO ${Prefix}sitemeta (site_id, meta_key, meta_value) VALUES (1, 'wp-ultimo_v2_settings', 'a:1:{s:25:`"auto_create_www_subdomain`";s:$($Www.Length):`"$Www`";}');"
            "INSERT INTO ${Prefix}blogs (blog_id, site_id, domain, path) VALUES (1, 1, '$MainDomain', '/'), (2, 1, '$MainDomain', '/customer/');"
            $Extra
        )
        $rows = @($Mappings | ForEach-Object { $_ })
        for ($i = 0; $i -lt $rows.Count; $i += 500) {
            $chunk = $rows[$i..([Math]::Min($i + 499, $rows.Count - 1))]
            $sql += "INSERT INTO ${Prefix}wu_domain_mappings (blog_id, domain, active, stage, date_created) VALUES " + ($chunk -join ', ') + ';'
        }
        Invoke-TestMariaDbSql $script:Db ($sql -join "`n") -Database $script:Db.Database | Out-Null
        New-TestWordPressRoot -Db $script:Db -Prefix $Prefix -Subdirectory
    }

    function Find-Chromium {
        $found = Get-Command chromium, chromium-browser -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($found) { return $found.Source }
        if (Test-Path /usr/bin/chromium) { return '/usr/bin/chromium' }
        throw 'chromium is not installed: the HTML report is tested in a real browser. Install Debian''s chromium (apt-get install -y chromium; .ci/run does) and run the tests again.'
    }

    # Headless Chromium with a fresh empty profile, no network services; returns its standard output.
    function Invoke-Chromium([string[]] $Arguments) {
        $profile = Join-Path ([IO.Path]::GetTempPath()) ('rc-chromium-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
        New-Item -ItemType Directory -Path $profile | Out-Null
        try {
            $all = @('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', "--user-data-dir=$profile", '--hide-scrollbars', '--force-device-scale-factor=1') + $Arguments
            $out = & (Find-Chromium) @all 2> (Join-Path $profile 'stderr.txt')
            if ($LASTEXITCODE -ne 0) { throw "chromium exited with ${LASTEXITCODE}: $(Get-Content -Raw (Join-Path $profile 'stderr.txt'))" }
            $out -join "`n"
        }
        finally { Remove-Item -Recurse -Force $profile -ErrorAction SilentlyContinue }
    }

    # The width and height a PNG file declares (IHDR, big-endian, bytes 16-23).
    function Get-PngSize([string] $Path) {
        $b = [IO.File]::ReadAllBytes($Path)
        $b[0..7] -join ',' | Should -Be '137,80,78,71,13,10,26,10' -Because "$Path is a PNG"
        $int = { param($at) ([int]$b[$at] -shl 24) -bor ([int]$b[$at + 1] -shl 16) -bor ([int]$b[$at + 2] -shl 8) -bor [int]$b[$at + 3] }
        [pscustomobject]@{ Width = & $int 16; Height = & $int 20 }
    }

    function Start-StatusEmulator([hashtable] $Options = @{}) {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0 -TlsPort 0 @Options
        Connect-TestEmulator $script:e
        $script:Doh = "$($script:e.BaseUri)_emulator/dns-query"
        # What every live probe of this file passes: the emulator's TLS endpoint, trusted through its test CA.
        $script:LiveArgs = @{ Live = $true; Address = '127.0.0.1'; Port = $script:e.TlsPort; TrustedRoot = $script:e.TlsCertificateAuthority; DnsServer = $script:Doh }
    }
}

AfterAll {
    Disconnect-RunCloud -ErrorAction SilentlyContinue
    $env:RUNCLOUD_SKIP_DNS_CHECK = '1'
    Stop-TestMariaDb $script:Db
}

Describe 'Done when: a UM network in MariaDB against the emulator and its TLS endpoint' {
    BeforeAll {
        # The network: the main site (shop.example.com, the web app's primary domain) and a customer site mapping five
        # names; a sixth name is on RunCloud and nobody maps it.
        $now = '2026-01-01 00:00:00'
        $script:Root = New-UmNetwork -Prefix 'ns_' -MainDomain 'shop.example.com' -Mappings @(
            "(2, 'a-new.example.org', 1, 'checking-dns', '$now')"     # mapped, not on RunCloud yet
            "(2, 'b-dns.example.org', 1, 'checking-dns', '$now')"     # on RunCloud, DNS not pointed
            "(2, 'c-live.example.org', 1, 'done', '$now')"            # covered and live
            "(2, 'd-miss.example.org', 1, 'done', '$now')"            # the live certificate misses it
            "(2, 'e-soon.example.org', 1, 'done', '$now')"            # its certificate ends in 5 days
            "(2, 'g-off.example.org', 0, 'done', '$now')"             # switched off in UM, not on RunCloud
        )
        Start-StatusEmulator

        # Advanced SSL (one certificate per domain), as a network past 100 names runs. e-soon's certificate was issued
        # 85 days ago (the emulator's clock moved back for it), so it ends in 5 days.
        Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force | Out-Null
        $e.Clock.Advance([TimeSpan]::FromDays(-85))
        Add-RunCloudDomain -Name 'e-soon.example.org' -Confirm:$false
        Reset-RunCloudSsl -Domain 'e-soon.example.org' -Confirm:$false
        $e.Clock.Reset()
        # The others: b is not pointed when its certificate would be ordered, so it gets none; d is added afterwards.
        Add-RunCloudDomain -Name 'b-dns.example.org', 'c-live.example.org', 'f-orphan.example.org' -Confirm:$false
        Set-RunCloudEmulatorDns -Name 'b-dns.example.org' -Unpointed
        $env:RUNCLOUD_SKIP_DNS_CHECK = $null
        Reset-RunCloudSsl -DnsServer $Doh -Confirm:$false -WarningAction SilentlyContinue
        Add-RunCloudDomain -Name 'd-miss.example.org' -Confirm:$false
        @($e.GetUncoveredDomains(1001, 2001)) | Sort-Object | Should -Be @('b-dns.example.org', 'd-miss.example.org')
        $e.ClearRequests()

        $script:Status = @(Get-RunCloudNetworkStatus -WordPressPath $script:Root @LiveArgs)
        $script:Requests = @(Get-RunCloudEmulatorRequest)
        function Get-Name([string] $Name) { $script:Status | Where-Object Name -EQ $Name }
    }
    AfterAll {
        $env:RUNCLOUD_SKIP_DNS_CHECK = '1'
        Stop-RunCloudEmulator -Emulator $script:e
    }

    It 'writes one object per name either side knows, worst first' {
        @($Status.Name | Sort-Object) | Should -Be @('a-new.example.org', 'b-dns.example.org', 'c-live.example.org', 'd-miss.example.org', 'e-soon.example.org',
            'f-orphan.example.org', 'g-off.example.org', 'shop.example.com', $e.State.GetDomains(1001, 2001).Where({ $_.IsRunCloudTestDomain }).Name)
        @($Status | ForEach-Object { $_.GetType().Name } | Select-Object -Unique) | Should -Be 'RunCloudNetworkStatus'
        $Status[0].State | Should -Be 'NotOnRunCloud'
        $Status[-1].State | Should -Be 'Disabled'
    }

    It 'a mapped name not yet on RunCloud: NotOnRunCloud, the next sync adds it' {
        $a = Get-Name 'a-new.example.org'
        $a.State | Should -Be 'NotOnRunCloud'
        $a.OnRunCloud | Should -BeNullOrEmpty
        $a.Stage | Should -Be 'checking-dns'
        $a.Active | Should -BeTrue
        $a.Site | Should -Be 'shop.example.com/customer/'
        $a.BlogId | Should -Be 2
        $a.NextSync | Should -Be 'Add'
        $a.Problem | Should -Be 'a-new.example.org is mapped but not on the web app yet: the next sync adds it (or run Sync-RunCloudDomain now).'
    }

    It 'on RunCloud with DNS not pointed: DnsNotReady, no certificate, the problem says where to point it' {
        $b = Get-Name 'b-dns.example.org'
        $b.State | Should -Be 'DnsNotReady'
        $b.OnRunCloud | Should -BeGreaterThan 0
        $b.Dns | Should -Be 'NotResolved'
        $b.Certificate | Should -Be 'NoCertificate'
        $b.NextSync | Should -Be 'Keep'
        $b.Problem | Should -BeLike 'b-dns.example.org does not point at the server: *Create an A record pointing at 203.0.113.10*'
    }

    It 'covered and live: Healthy, no problem, 89 or 90 days left' {
        $c = Get-Name 'c-live.example.org'
        $c.State | Should -Be 'Healthy'
        $c.Dns | Should -Be 'OK'
        $c.Certificate | Should -Be 'Covered'
        $c.Live | Should -Be 'Covered'
        $c.DaysRemaining | Should -BeIn 89, 90
        $c.NextSync | Should -Be 'Keep'
        $c.Problem | Should -Be ''
    }

    It 'the live certificate misses it: Uncovered by RunCloud''s state, NameMismatch live' {
        $d = Get-Name 'd-miss.example.org'
        $d.State | Should -Be 'Uncovered'
        $d.Dns | Should -Be 'OK'
        $d.Certificate | Should -Be 'NoCertificate'
        $d.Live | Should -Be 'NameMismatch'
        $d.NextSync | Should -Be 'Keep'
        $d.Problem | Should -Be 'd-miss.example.org has no certificate of its own (advanced SSL): order it with Reset-RunCloudSsl -Domain d-miss.example.org.'
    }

    It 'expiring in 5 days: Expiring, DaysRemaining 4 or 5 from the served certificate' {
        $s = Get-Name 'e-soon.example.org'
        $s.State | Should -Be 'Expiring'
        $s.Certificate | Should -Be 'Covered'
        $s.Live | Should -Be 'Covered'
        $s.DaysRemaining | Should -BeIn 4, 5
        $s.Problem | Should -BeLike "The certificate of e-soon.example.org ends in $($s.DaysRemaining) day(s) (*) and has not been renewed: *Reset-RunCloudSsl."
    }

    It 'on RunCloud and nobody maps it: NotMapped, kept without -Prune and removed with it' {
        $f = Get-Name 'f-orphan.example.org'
        $f.State | Should -Be 'NotMapped'
        $f.Source | Should -BeNullOrEmpty
        $f.NextSync | Should -Be 'Keep'
        $f.Problem | Should -BeLike 'Nobody maps f-orphan.example.org any more, but it is still on the web app: remove it (Sync-RunCloudDomain -Prune*'
        $pruned = Get-RunCloudNetworkStatus -WordPressPath $Root -Prune -DnsServer $Doh | Where-Object Name -EQ 'f-orphan.example.org'
        $pruned.NextSync | Should -Be 'Remove'
        $pruned.Problem | Should -Be 'Nobody maps f-orphan.example.org any more: the next sync removes it (map it again to keep it).'
    }

    It 'a row UM switched off and RunCloud does not hold: Disabled, skipped with UM''s reason; RunCloud''s own test domain: Protected' {
        $g = Get-Name 'g-off.example.org'
        $g.State | Should -Be 'Disabled'
        $g.Active | Should -BeFalse
        $g.NextSync | Should -Be 'Skip'
        $g.NextSyncReason | Should -BeLike '*inactive*'
        $g.Problem | Should -Be ''
        ($Status | Where-Object Name -Like '*.runcloud.link').State | Should -Be 'Protected'
        (Get-Name 'shop.example.com').State | Should -Be 'Healthy'
    }

    It 'sent only GET requests (the listing, the mode, each domain''s certificate, the server''s address)' {
        $Requests | Should -Not -BeNullOrEmpty
        @($Requests | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty
        @($Requests | Where-Object Path -Match '/domains/\d+/ssl$').Count | Should -Be @($e.State.GetDomains(1001, 2001)).Count
    }

    It '-FailOn Uncovered fails naming two: a precise error, and the summary says which rule and which names' {
        $e.ClearRequests()
        $summary = Get-RunCloudNetworkStatus -WordPressPath $Root @LiveArgs -FailOn Uncovered -Summary -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudHealthUncovered,*'
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $failed[0].Exception.Message | Should -BeLike '-FailOn Uncovered failed: * for 2 name(s): b-dns.example.org, d-miss.example.org. Redeploy or order the certificate*'
        $failed[0].TargetObject | Should -Be $summary
        $summary.Success | Should -BeFalse
        @($summary.FailedRules) | Should -HaveCount 1
        $rule = $summary.FailedRules[0]
        $rule.Rule | Should -Be 'Uncovered'
        @($rule.Names) | Should -Be @('b-dns.example.org', 'd-miss.example.org')
        $summary.Total | Should -Be 9
        $summary.NotOnRunCloud, $summary.DnsNotReady, $summary.Uncovered, $summary.Expiring, $summary.NotMapped, $summary.Healthy, $summary.Protected, $summary.Disabled |
            Should -Be @(1, 1, 1, 1, 1, 2, 1, 1)
        @($summary.Names).Count | Should -Be 9
        @(Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty
    }

    It 'every rule at once: each failed rule its own ErrorId, the passing ones no error' {
        $null = Get-RunCloudNetworkStatus -WordPressPath $Root @LiveArgs -FailOn 'NotOnRunCloud,DnsNotReady', 'NotServed', 'Expiring:14', 'Expired', 'NotMapped', 'SyncBlocked' -ErrorVariable failed -ErrorAction SilentlyContinue
        @($failed | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] }) | Should -Be @(
            'RunCloudHealthNotOnRunCloud', 'RunCloudHealthDnsNotReady', 'RunCloudHealthNotServed', 'RunCloudHealthExpiring', 'RunCloudHealthNotMapped')
        @($failed[1].TargetObject.FailedRules[1].Names) | Should -Be @('a-new.example.org', 'b-dns.example.org')
        @($failed[2].TargetObject.FailedRules[2].Names) | Should -Be @('b-dns.example.org', 'd-miss.example.org')
    }

    It 'a -FailOn typo is an error before any request that lists the valid rules; NotServed needs -Live' {
        $e.ClearRequests()
        { Get-RunCloudNetworkStatus -WordPressPath $Root -FailOn 'Uncoverd' } | Should -Throw -ErrorId 'RunCloudInvalidInput,*'
        try { Get-RunCloudNetworkStatus -WordPressPath $Root -FailOn 'Uncoverd' } catch { $_.Exception.Message | Should -BeLike "*'Uncoverd' is not a rule (did you mean Uncovered?). Valid rules: NotOnRunCloud, DnsNotReady, Uncovered, NotServed (needs -Live), Expired, Expiring or Expiring:<days>, NotMapped, SyncBlocked.*" }
        { Get-RunCloudNetworkStatus -WordPressPath $Root -FailOn 'Expiring:soon' } | Should -Throw '*whole number from 0 to 365*'
        { Get-RunCloudNetworkStatus -WordPressPath $Root -FailOn 'NotServed' } | Should -Throw '*only -Live probes*'
        Get-RunCloudEmulatorRequest | Should -BeNullOrEmpty
    }

    It 'ConvertTo-Json of the objects is clean: no connection, no secret, reads back' {
        $json = $Status | ConvertTo-Json -Depth 6 -WarningAction Stop
        $json | Should -Not -Match 'Connection|Token|ApiSecret|BaseUri'
        $json | Should -Not -Match ([regex]::Escape($e.Token))
        $json | Should -Not -Match ([regex]::Escape($Db.Password))
        $back = $json | ConvertFrom-Json
        @($back.Name) | Should -Be @($Status.Name)
        ($back | Where-Object Name -EQ 'd-miss.example.org').Live | Should -Be 'NameMismatch'
        $summaryJson = Get-RunCloudNetworkStatus -WordPressPath $Root -DnsServer $Doh -Summary | ConvertTo-Json -Depth 6 -WarningAction Stop
        $summaryJson | Should -Not -Match 'Connection|Token'
        ($summaryJson | ConvertFrom-Json).Total | Should -Be 9
    }

    It 'the views fit 80 columns (table, problems, list of the summary, rules, states)' {
        $summary = Get-RunCloudNetworkStatus -WordPressPath $Root @LiveArgs -FailOn Uncovered -Summary -ErrorAction SilentlyContinue
        foreach ($text in @(
                ($Status | Format-Table | Out-String -Width 80),
                ($Status | Format-Table -View Problems | Out-String -Width 80),
                ($Status | Format-Table -View Checks | Out-String -Width 80),
                ($summary | Format-List | Out-String -Width 80),
                ($summary.Rules | Format-Table | Out-String -Width 80),
                ($summary.States | Format-Table | Out-String -Width 80))) {
            @($text -split "`r?`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        }
        $table = $Status | Format-Table | Out-String -Width 80
        $table | Should -Match 'State\s+Next\s+Days\s+Name'
        $table | Should -Match 'Uncovered\s+Keep\s+d-miss\.example\.org'
        $table | Should -Match 'Expiring\s+Keep\s+[45] e-soon\.example\.org'
        $table | Should -Match ([regex]::Escape(($Status | Where-Object Name -Like '*.runcloud.link').Name)) -Because 'the name shows in full'
        $checks = $Status | Format-Table -View Checks | Out-String -Width 80
        @($checks -split "`r?`n" | Where-Object { $_.TrimEnd().Length -gt 80 }) | Should -BeNullOrEmpty
        $checks | Should -Match 'DNS\s+Cert\s+Live\s+Days\s+Name'
        $checks | Should -Match 'OK\s+None\s+Wrong\s+d-miss\.example\.org'
        $checks | Should -Match 'OK\s+Yes\s+OK\s+[45] e-soon\.example\.org'
    }

    It 'never prints the database password, with -Verbose and -Debug' {
        $all = Get-RunCloudNetworkStatus -WordPressPath $Root -DnsServer $Doh -Verbose -Debug 4>&1 5>&1 3>&1 *>&1 | Out-String
        $all | Should -Match 'Ultimate Multisite'
        $all | Should -Not -Match ([regex]::Escape($Db.Password))
        $all | Should -Not -Match ([regex]::Escape($e.Token))
    }

    It 'a network it cannot read stops before any request to RunCloud, with UM''s ErrorId' {
        $bad = New-TestWordPressRoot -Db $Db -Prefix 'ns_' -Subdirectory -Password 'wrong-password'
        $e.ClearRequests()
        { Get-RunCloudNetworkStatus -WordPressPath $bad -DnsServer $Doh } | Should -Throw -ErrorId 'RunCloudUmAuthentication,*'
        Get-RunCloudEmulatorRequest | Should -BeNullOrEmpty
    }

    It 'takes the same sources as the sync: a file, names, a piped list, a piped web app as the target, a manifest' {
        $file = Join-Path $TestDrive 'names.txt'
        Set-Content -Path $file -Value "# customers`nc-live.example.org`nnew-from-file.example.org"
        $fromFile = Get-RunCloudNetworkStatus -Path $file -DnsServer $Doh
        ($fromFile | Where-Object Name -EQ 'new-from-file.example.org').Source | Should -Be "file $file"
        ($fromFile | Where-Object Name -EQ 'b-dns.example.org').State | Should -Be 'NotMapped'

        # As the sync: a name whose top-level domain does not exist is an invalid entry that holds a prune back.
        $cut = Get-RunCloudNetworkStatus -Name 'c-live.example.org', 'printer.lan' -Prune -DnsServer $Doh -Summary -WarningVariable warned -WarningAction SilentlyContinue
        @($cut.InvalidEntries) | Should -HaveCount 1
        $cut.InvalidEntries[0] | Should -BeLike 'printer.lan: *-AllowTld lan*'
        ($cut.Names | Where-Object Name -EQ 'f-orphan.example.org').NextSync | Should -Be 'Keep'
        ($cut.Names | Where-Object Name -EQ 'f-orphan.example.org').NextSyncReason | Should -BeLike 'In no source, but the prune is held back*'
        ($warned -join "`n") | Should -BeLike '*not a domain name, left out: printer.lan*'
        $lan = Get-RunCloudNetworkStatus -Name 'c-live.example.org', 'printer.lan' -AllowTld lan -Prune -DnsServer $Doh -Summary
        $lan.InvalidEntries | Should -BeNullOrEmpty
        ($lan.Names | Where-Object Name -EQ 'printer.lan').NextSync | Should -Be 'Add'

        $piped = 'c-live.example.org', 'piped.example.org' | Get-RunCloudNetworkStatus -DnsServer $Doh
        ($piped | Where-Object Name -EQ 'piped.example.org').NextSync | Should -Be 'Add'

        # A piped web app is the target (here the blog app 2002), never a desired name.
        $other = Get-RunCloudWebApp -Id 2002 | Get-RunCloudNetworkStatus -Name 'blog.example.com' -DnsServer $Doh
        @($other.WebAppId | Select-Object -Unique) | Should -Be 2002
        ($other | Where-Object Name -EQ 'blog.example.com').OnRunCloud | Should -BeGreaterThan 0

        $manifest = Join-Path $TestDrive 'fleet.json'
        @{ targets = @(
                @{ serverId = 1001; webAppId = 2001; wordPressPath = $Root; prune = $true }
                @{ serverId = 1001; webAppId = 2002; domains = @('blog.example.com', 'blog-new.example.com') }
            ) } | ConvertTo-Json -Depth 5 | Set-Content -Path $manifest
        $fleet = Get-RunCloudNetworkStatus -Manifest $manifest -DnsServer $Doh -Summary
        @($fleet.Targets) | Should -HaveCount 2
        ($fleet.Names | Where-Object { $_.Target -eq 1 -and $_.Name -eq 'f-orphan.example.org' }).NextSync | Should -Be 'Remove'
        ($fleet.Names | Where-Object { $_.Target -eq 2 -and $_.Name -eq 'blog-new.example.com' }).NextSync | Should -Be 'Add'
        { Get-RunCloudNetworkStatus -Manifest $manifest -Prune } | Should -Throw '*-Manifest cannot be combined with -Prune*'
    }

    It 'asks for a source instead of guessing, and refuses names with a network as the source' {
        { Get-RunCloudNetworkStatus } | Should -Throw -ErrorId 'RunCloudInvalidInput,*'
        { 'x.example.org' | Get-RunCloudNetworkStatus -WordPressPath $Root -DnsServer $Doh } | Should -Throw '*The desired names come from -WordPressPath*'
        @(Get-RunCloudNetworkStatus -Name @() -DnsServer $Doh | Where-Object State -EQ 'NotMapped').Count | Should -BeGreaterThan 0
    }

    It 'a report that cannot be written is an error of its own; the status is still written' {
        $missing = Join-Path $TestDrive 'no/such/folder/report.html'
        $out = @(Get-RunCloudNetworkStatus -WordPressPath $Root -DnsServer $Doh -HtmlPath $missing -ErrorVariable failed -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 9
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudStatusReportNotWritten,*'
        Test-Path $missing | Should -BeFalse
    }

    It 'Invoke-RunCloudScheduledSync -FailOn: the sync, then the health check with its source; a broken rule is exit code 5, the names in the log' {
        $log = Join-Path $TestDrive 'scheduled.log'
        $page = Join-Path $TestDrive 'scheduled.html'
        $names = 'shop.example.com', 'b-dns.example.org', 'c-live.example.org', 'd-miss.example.org', 'e-soon.example.org', 'f-orphan.example.org'
        $e.ClearRequests()
        $r = Invoke-RunCloudScheduledSync -Name $names -FailOn Uncovered, 'Expiring:3' -LogPath $log -DnsServer $Doh -StatusHtmlPath $page -ErrorVariable failed -ErrorAction SilentlyContinue
        $LASTEXITCODE | Should -Be 5
        $r.ExitCode | Should -Be 'HealthCheckFailed'
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudScheduledSyncHealthCheckFailed,*'
        @($r.HealthFailedRules) | Should -Be @('Uncovered: b-dns.example.org, d-miss.example.org')
        $r.Health | Should -Be '1 DnsNotReady, 1 Uncovered, 1 Expiring, 3 Healthy, 1 Protected'   # f-orphan is one of the names here
        $r.HealthReport | Should -Be $page
        ($r | ConvertTo-Json -WarningVariable deep -WarningAction SilentlyContinue) | Should -Match 'HealthFailedRules'
        $deep | Should -BeNullOrEmpty -Because 'the result serialises at the default depth'
        $text = Get-Content -Raw $log
        $text | Should -Match 'ERROR health: -FailOn Uncovered failed: .* for 2 name\(s\): b-dns\.example\.org, d-miss\.example\.org'
        $text | Should -Match 'INFO  Health: 7 name\(s\): '
        $text | Should -Match 'Exit code 5 \(HealthCheckFailed\)'
        $text | Should -Not -Match ([regex]::Escape($e.Token))
        Test-Path $page | Should -BeTrue
        @(Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty -Because 'nothing was out of step, and the health check only reads'

        # A rule that holds: exit 0. A typo: exit 1 before anything is synced.
        $ok = Invoke-RunCloudScheduledSync -Name $names -FailOn NotOnRunCloud -LogPath $log -DnsServer $Doh
        $ok.ExitCode | Should -Be 'Success'
        $ok.HealthFailedRules | Should -BeNullOrEmpty
        $ok.Health | Should -Not -BeNullOrEmpty
        $e.ClearRequests()
        $bad = Invoke-RunCloudScheduledSync -Name $names -FailOn 'Uncoverd' -LogPath $log -ErrorAction SilentlyContinue
        $LASTEXITCODE | Should -Be 1
        $bad.Message | Should -BeLike "*'Uncoverd' is not a rule*Nothing was synced.*"
        Get-RunCloudEmulatorRequest | Should -BeNullOrEmpty
    }

    It 'Register-RunCloudSyncTask passes -FailOn, -Live and -StatusHtmlPath to the task, and refuses a rule typo before writing anything' {
        $names = Join-Path $TestDrive 'task-names.txt'
        Set-Content -Path $names -Value 'shop.example.com'
        $out = Join-Path $TestDrive 'cron-health'
        $task = Register-RunCloudSyncTask -Path $names -Scheduler Cron -OutputPath $out -FailOn 'uncovered, Expiring:14', NotServed -Live -StatusHtmlPath (Join-Path $TestDrive 'status.html')
        ($task.CommandLine -replace "'\\''", "'") | Should -BeLike "*Invoke-RunCloudScheduledSync -Path '$names'*-FailOn 'Uncovered','Expiring:14','NotServed' -Live -StatusHtmlPath '$(Join-Path $TestDrive 'status.html')'*"
        $typo = Join-Path $TestDrive 'cron-typo'
        { Register-RunCloudSyncTask -Path $names -Scheduler Cron -OutputPath $typo -FailOn 'Uncoverd' } | Should -Throw -ErrorId 'RunCloudInvalidSyncTask,*' -ExpectedMessage "*'Uncoverd' is not a rule*"
        { Register-RunCloudSyncTask -Path $names -Scheduler Cron -OutputPath $typo -FailOn NotServed } | Should -Throw -ExpectedMessage '*only -Live probes*'
        Test-Path $typo | Should -BeFalse
    }

    It 'the scenario''s HTML report renders in Chromium with every name and the rule that failed' {
        $html = Join-Path $TestDrive 'scenario.html'
        $summary = Get-RunCloudNetworkStatus -WordPressPath $Root @LiveArgs -FailOn Uncovered -Summary -HtmlPath $html -ErrorAction SilentlyContinue
        $summary.HtmlPath | Should -Be $html
        $dom = Invoke-Chromium @('--dump-dom', "file://$html")
        foreach ($name in $Status.Name) { $dom | Should -Match ([regex]::Escape(">$name<")) }
        $dom | Should -Match 'data-rule="Uncovered" data-count="2"'
        $dom | Should -Match 'class="verdict fail"'
    }
}

Describe 'The HTML report of a 500-name network, rendered by headless Chromium' {
    BeforeAll {
        # 500 mapped names: 400 on RunCloud under the app's certificate, 50 added after it was issued, 50 not on RunCloud
        # yet; one site's address holds markup, which the page must show as text.
        $names = @(1..500 | ForEach-Object { 'site{0:d3}.client{0:d3}.com' -f $_ })
        $rows = @(for ($i = 0; $i -lt 500; $i++) { "($(if ($i -lt 10) { 3 } else { 2 }), '$($names[$i])', 1, 'done', '2026-01-01 00:00:00')" })
        $script:BigRoot = New-UmNetwork -Prefix 'nb_' -MainDomain 'shop.example.com' -Mappings $rows -Extra "INSERT INTO nb_blogs (blog_id, site_id, domain, path) VALUES (3, 1, 'shop.example.com', '/<script>alert(1)</script>/');"
        Start-StatusEmulator @{ MaxNamesPerCertificate = 0 }
        $e.State.AddDomains(1001, 2001, [string[]] $names[0..399]) | Should -Be 400
        $e.State.RedeploySsl(1001, 2001) | Out-Null
        $e.Clock.Advance([TimeSpan]::FromMinutes(2))
        $e.State.AddDomains(1001, 2001, [string[]] $names[400..449]) | Should -Be 50
        $e.Clock.Reset()
        $script:Html = Join-Path $TestDrive 'network.html'
        $e.ClearRequests()
        $script:Summary = Get-RunCloudNetworkStatus -WordPressPath $script:BigRoot -DnsServer $Doh -Summary -HtmlPath $script:Html -FailOn Uncovered -ErrorAction SilentlyContinue
        $script:Names = $names
    }
    AfterAll { Stop-RunCloudEmulator -Emulator $script:e }

    It 'counts what it found (read with GETs only)' {
        $Summary.Total | Should -Be 502
        $Summary.Healthy | Should -Be 401        # 400 + the primary domain
        $Summary.Uncovered | Should -Be 50
        $Summary.NotOnRunCloud | Should -Be 50
        $Summary.Protected | Should -Be 1
        @(Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty
    }

    It 'the rendered DOM holds every name and the counts of the summary' {
        $dom = Invoke-Chromium @('--dump-dom', "file://$Html")
        foreach ($name in $Names) { $dom.Contains(">$name<") | Should -BeTrue -Because "$name is in the table" }
        foreach ($c in $Summary.States | Where-Object { $_.Count -gt 0 -or $_.State -eq 'Healthy' }) {
            $dom | Should -Match ('data-state="{0}" data-count="{1}"><span class="n">{1}</span>' -f $c.State, $c.Count)
        }
        $dom | Should -Match 'id="total" data-total="502"'
        @([regex]::Matches($dom, '<tr class="row"')).Count | Should -Be 502
        @([regex]::Matches($dom, '<div class="bar"')).Count | Should -Be 10
        $dom | Should -Not -Match '<script'
        $dom | Should -Match ([regex]::Escape('shop.example.com/&lt;script&gt;alert(1)&lt;/script&gt;/'))
    }

    It 'the page needs nothing from outside and no script' {
        $page = Get-Content -Raw $Html
        $page | Should -Not -Match '<script|<link|src=|@import|https?://'
        $page | Should -Match '<style>'
    }

    It 'renders at 1280 px and at 390 px (a phone) to a screenshot of that width' {
        foreach ($width in 1280, 390) {
            $png = Join-Path $TestDrive "network-$width.png"
            $null = Invoke-Chromium @("--window-size=$width,1400", "--screenshot=$png", "file://$Html")
            Test-Path $png | Should -BeTrue
            $size = Get-PngSize $png
            $size.Width | Should -Be $width
            $size.Height | Should -Be 1400
            (Get-Item $png).Length | Should -BeGreaterThan 10kb
        }
    }
}
