# Syncing what an Ultimate Multisite network really maps, through the BUILT module, against a real MariaDB (one for this
# file: tests/pester/MariaDb.ps1) and the emulator: Sync-RunCloudDomain -WordPressPath with no `wp` on the PATH, the same
# network read from its database, through WP-CLI (a fake `wp`) and through UM's REST API (the emulator's UM endpoint)
# giving the same plan, a manifest's wordPressPath and Invoke-RunCloudScheduledSync -WordPressPath doing the same, a
# network that cannot be read stopping everything before any request to RunCloud (exit 1 or 3), and a run killed
# between the adds and the SSL step converging on the next run.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'MariaDb.ps1')
    $script:Db = Start-TestMariaDb
    $script:S = 1001; $script:W = 2001

    # The fixture's subdomain install (prefix wp_): networks 1 (network.com, www always) and 2 (second.org, www
    # main_only), every stage, an inactive row, rows of spam / deleted / archived / missing sites, wp_wu_2_domain_mappings.
    $script:Fixture = New-TestWordPressRoot -Db $script:Db -Prefix 'wp_'

    # A second network, written here as data and loaded three ways: into MariaDB (prefix us_), as the answers of a fake
    # `wp`, and into the emulator's UM REST endpoint. One network (www main_only), no extra table: all three ways see
    # the same network, so they must plan the same.
    $script:Sites = @(
        @{ BlogId = 1; Domain = 'umnet.com' }
        @{ BlogId = 2; Domain = 'shop.umnet.com' }
        @{ BlogId = 3; Domain = 'spam.umnet.com'; Spam = $true }
        @{ BlogId = 4; Domain = 'gone.umnet.com'; Deleted = $true }
        @{ BlogId = 5; Domain = 'paused.umnet.com'; Archived = $true }
    )
    $script:Mappings = @(
        @{ Id = 1; BlogId = 2; Domain = 'shop-custom.com'; Stage = 'done'; Primary = $true }
        @{ Id = 2; BlogId = 2; Domain = 'www.shop-alias.com'; Stage = 'done-without-ssl' }
        @{ Id = 3; BlogId = 2; Domain = 'pending.org'; Stage = 'checking-dns' }
        @{ Id = 4; BlogId = 2; Domain = 'off.com'; Stage = 'done'; Active = $false }
        @{ Id = 5; BlogId = 3; Domain = 'spamsite.com'; Stage = 'done' }
        @{ Id = 6; BlogId = 4; Domain = 'deletedsite.com'; Stage = 'done' }
        @{ Id = 7; BlogId = 2; Domain = 'shop.umnet.com'; Stage = 'checking-dns' }
        @{ Id = 8; BlogId = 5; Domain = 'paused-custom.net'; Stage = 'failed' }
        @{ Id = 9; BlogId = 2; Domain = 'store.example.co.uk'; Stage = 'ssl-failed' }
    )
    function script:Flag($v) { if ($v) { 1 } else { 0 } }
    $blogRows = ($script:Sites | ForEach-Object { "($($_.BlogId), 1, '$($_.Domain)', '/', $(Flag $_.Archived), $(Flag $_.Spam), $(Flag $_.Deleted))" }) -join ', '
    $mapRows = ($script:Mappings | ForEach-Object { "($($_.Id), $($_.BlogId), '$($_.Domain)', $(if ($_.Active -eq $false) { 0 } else { 1 }), $(Flag $_.Primary), 0, '$($_.Stage)', '2025-01-01 00:00:00', '2025-02-01 00:00:00')" }) -join ', '
    $sql = (Get-Content -Raw $script:UmFixtureSql) -split "`n" | Where-Object { $_ -match '^CREATE TABLE `sd_(site|sitemeta|blogs|wu_domain_mappings)`' } | ForEach-Object { $_ -replace '`sd_', '`us_' }
    Invoke-TestMariaDbSql $script:Db -Database $script:Db.Database -Sql (@($sql) + @(
            "INSERT INTO us_site (id, domain, path) VALUES (1, 'umnet.com', '/');"
            "INSERT INTO us_sitemeta (site_id, meta_key, meta_value) VALUES (1, 'wp-ultimo_v2_settings', 'a:1:{s:25:`"auto_create_www_subdomain`";s:9:`"main_only`";}');"
            "INSERT INTO us_blogs (blog_id, site_id, domain, path, archived, spam, deleted) VALUES $blogRows;"
            "INSERT INTO us_wu_domain_mappings (id, blog_id, domain, active, primary_domain, secure, stage, date_created, date_modified) VALUES $mapRows;"
        ) -join "`n") | Out-Null
    $script:Network = New-TestWordPressRoot -Db $script:Db -Prefix 'us_'

    # The fake WP-CLI: the reader's two calls, answered for the us_ network as WordPress prints them (strings, a notice).
    $facts = [ordered]@{
        subdomain_install = $true; main_network_id = 1; base_prefix = 'us_'
        networks          = @([ordered]@{ id = 1; domain = 'umnet.com'; path = '/'; has_settings = $true; www = 'main_only' })
        blogs             = @($script:Sites | ForEach-Object { [ordered]@{ blog_id = $_.BlogId; site_id = 1; domain = $_.Domain; path = '/'; archived = Flag $_.Archived; spam = Flag $_.Spam; deleted = Flag $_.Deleted } })
        tables            = @([ordered]@{ name = 'us_wu_domain_mappings'; rows = $script:Mappings.Count })
    }
    $rows = @($script:Mappings | ForEach-Object { [ordered]@{ id = "$($_.Id)"; blog_id = "$($_.BlogId)"; domain = $_.Domain; active = $(if ($_.Active -eq $false) { '0' } else { '1' }); primary_domain = "$(Flag $_.Primary)"; secure = '0'; stage = $_.Stage; date_created = '2025-01-01 00:00:00'; date_modified = '2025-02-01 00:00:00' } })
    $script:FakeBin = Join-Path $TestDrive 'fake-bin'
    New-Item -ItemType Directory -Path $script:FakeBin | Out-Null
    Set-Content -LiteralPath (Join-Path $TestDrive 'facts.txt') -Value ('RUNCLOUD-UM-FACTS:' + (ConvertTo-Json -Compress -Depth 5 $facts))
    Set-Content -LiteralPath (Join-Path $TestDrive 'rows.json') -Value (ConvertTo-Json -Compress -Depth 5 $rows)
    $script:WpLog = Join-Path $TestDrive 'wp-calls.log'
    $wp = Join-Path $script:FakeBin 'wp'
    Set-Content -LiteralPath $wp -Value @(
        '#!/bin/sh'
        "echo `"`$*`" >> '$script:WpLog'"
        "if [ `"`$1`" = 'eval-file' ] && grep -q 'runcloud-um:facts' `"`$2`"; then echo 'PHP Notice:  Undefined index: HTTP_HOST'; cat '$(Join-Path $TestDrive 'facts.txt')'; exit 0; fi"
        "if [ `"`$1 `$2 `$3`" = 'wu domain list' ]; then cat '$(Join-Path $TestDrive 'rows.json')'; exit 0; fi"
        'echo "fake wp: unexpected $*" >&2; exit 1'
    )
    chmod +x $wp

    function script:Start-Scenario([string[]] $OnApp = @()) {
        Disconnect-RunCloud -ErrorAction SilentlyContinue
        if ($script:e) { Stop-RunCloudEmulator -Emulator $script:e }
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        if ($OnApp) { $null = $script:e.State.AddDomains($S, $W, [string[]]$OnApp) }
        $null = $script:e.State.RedeploySsl($S, $W)
        Connect-TestEmulator $script:e -ClearRequests
        $script:e
    }
    function script:Posts {
        @(Get-RunCloudEmulatorRequest -Emulator $script:e -Method POST -Path 'servers/*/webapps/*/domains' | ForEach-Object { $_.Body | ConvertFrom-Json })
    }
    function script:Calls { @(Get-RunCloudEmulatorRequest -Emulator $script:e | Where-Object { $_.Path -like '/api/*' }) }
    # A plan in a shape that does not depend on how the network was read (the source's own wording and origin do).
    function script:PlanShape($Plan) {
        @($Plan.Add | ForEach-Object { "add $_" }) + @($Plan.Remove | ForEach-Object { "remove $($_.Name)" }) +
        @($Plan.DesiredNames | ForEach-Object { 'desired {0} {1} www={2} {3} mapping={4} stage={5} blog={6} site={7} {8}' -f $_.Name, $_.Action, $_.Www, $_.Redirection, $_.MappingId, $_.Stage, $_.BlogId, $_.Site, $_.Kind }) +
        @($Plan.NotServed | ForEach-Object { 'not served {0} {1} {2} mapping={3}' -f $_.Name, $_.NotServedReason, $_.Action, $_.MappingId }) +
        @($Plan.Protected | ForEach-Object { "protected $_" })
    }
}

AfterAll {
    Disconnect-RunCloud -ErrorAction SilentlyContinue
    if ($script:e) { Stop-RunCloudEmulator -Emulator $script:e }
    Stop-TestMariaDb $script:Db
}

Describe 'Sync-RunCloudDomain -WordPressPath on an Ultimate Multisite network (the database, no wp on the PATH)' {
    It 'adds every active mapped domain and the live site hosts with the network''s www policy, removes only names nobody maps' {
        Get-Command wp -CommandType Application -ErrorAction SilentlyContinue | Should -BeNullOrEmpty -Because 'the database is read with no WP-CLI'
        Start-Scenario -OnApp 'nobody-maps.com', 'switched-off.com', 'spam-site.com', 'shop-example.com', 'www.shop-example.com', 'www.client.second.org' | Out-Null
        $r = Sync-RunCloudDomain -WordPressPath $script:Fixture -Prune -Force -WarningAction SilentlyContinue -Verbose 4>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.VerboseRecord]) { $script:VerboseLines += , $_.Message } else { $_ } } -Begin { $script:VerboseLines = @() }
        $r.Success | Should -BeTrue -Because ($r.Failed | Out-String)

        # Served: the main domains, every active row of a live (or archived) site whatever its stage, the extra table's
        # rows, the live site hosts (a subsite's own row is one of them).
        $expected = 'network.com', 'second.org', 'www.shop-alias.com', 'pending-dns.com', 'dns-failed.net', 'archived-site.com', 'shop.network.com',
        'blog.shop-example.co.uk', 'shop-example.co.uk', 'client-domain.org', 'sub.client-domain.org', 'paused.network.com', 'client.second.org'
        $r.Added | Sort-Object | Should -Be ($expected | Sort-Object)
        $r.Unchanged | Should -Be @('shop-example.com')
        # Removed: the name nobody maps, the inactive row's and the spam site's; kept: the www. variants UM routes, the
        # primary and RunCloud's own test domain.
        $r.Removed | Sort-Object | Should -Be @('nobody-maps.com', 'spam-site.com', 'switched-off.com')
        Get-EmulatorDomainName $script:e | Should -Contain 'www.shop-example.com'
        Get-EmulatorDomainName $script:e | Should -Contain 'www.client.second.org'   # a live site's host, served without www. (main_only): UM routes www. too
        @($r.Skipped | Where-Object Kind -EQ 'Protected' | ForEach-Object Name) | Should -Contain 'www.shop-example.com'
        Get-EmulatorDomainName $script:e | Should -Not -Contain 'deleted-site.com'
        Get-EmulatorDomainName $script:e | Should -Not -Contain 'old-client.org'
        Get-EmulatorDomainName $script:e | Should -Not -Contain 'orphan-site.com'
        $r.SslRedeployed | Should -BeTrue
        $script:e.GetUncoveredDomains($S, $W) | Should -BeNullOrEmpty

        # The POST bodies: network 1 is 'always' (www, redirect non-www), network 2 'main_only' (apex names only), a
        # www. row never gets a second www.
        $posts = Posts
        $body = @{}; foreach ($p in $posts) { $body[$p.name] = $p }
        $posts | Should -HaveCount 13
        $body['pending-dns.com'].www | Should -BeTrue
        $body['pending-dns.com'].redirection | Should -Be 'non-www'
        $body['pending-dns.com'].type | Should -Be 'alias'
        $body['blog.shop-example.co.uk'].www | Should -BeTrue          # network 1: always
        $body['www.shop-alias.com'].www | Should -BeFalse
        $body['www.shop-alias.com'].redirection | Should -Be 'none'
        $body['second.org'].www | Should -BeTrue                       # network 2: main_only, two labels
        $body['client-domain.org'].www | Should -BeTrue
        $body['sub.client-domain.org'].www | Should -BeFalse           # network 2: main_only, three labels
        $body['client.second.org'].www | Should -BeFalse
        $body['client.second.org'].redirection | Should -Be 'none'

        # Which source was read, and each desired name's origin, in the result and the verbose lines.
        $r.Source | Should -BeLike "Ultimate Multisite, database 'um_networks' on 127.0.0.1:*(table(s) wp_wu_domain_mappings, wp_wu_2_domain_mappings)"
        $custom = $r.DesiredNames | Where-Object Name -EQ 'blog.shop-example.co.uk'
        ($custom.MappingId, $custom.Stage, $custom.BlogId, $custom.Site, $custom.Www, $custom.Redirection) | Should -Be @(11, 'ssl-failed', 2, 'shop.network.com/', $true, 'non-www')
        ($r.NotServed | Where-Object Name -EQ 'switched-off.com').Action | Should -Be 'Remove'
        ($r.NotServed | Where-Object Name -EQ 'deleted-site.com').NotServedReason | Should -Be 'SiteDeleted'
        $script:VerboseLines | Should -Contain 'RunCloud: source: add blog.shop-example.co.uk (www, redirect non-www; UM mapping 11, stage ssl-failed, site 2 shop.network.com/)'
        ($script:VerboseLines -join "`n") | Should -BeLike '*the desired names are Ultimate Multisite''s mappings, read through the database*15 row(s) in wp_wu_domain_mappings, wp_wu_2_domain_mappings*'

        # The next run has nothing to do.
        $script:e.ClearRequests()
        $again = Sync-RunCloudDomain -WordPressPath $script:Fixture -Prune -Force -WarningAction SilentlyContinue
        ($again.Added.Count + $again.Removed.Count) | Should -Be 0
        @(Calls | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty
    }

    It 'the network''s www policy wins over -Www / -Redirection, which apply to lists, and a warning says so' {
        Start-Scenario | Out-Null
        $r = Sync-RunCloudDomain -WordPressPath $script:Network -Redirection www -Force -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -BeLike '*-Www and -Redirection apply to names without a policy of their own*'
        ((Posts | Where-Object name -EQ 'pending.org').www, (Posts | Where-Object name -EQ 'pending.org').redirection) | Should -Be @($true, 'non-www')
        ($r.DesiredNames | Where-Object Name -EQ 'store.example.co.uk').Redirection | Should -Be 'none'
    }

    It '-WhatIf shows each desired name with its source and sends only GETs; the result says so; views fit 80 columns' {
        $emu = Start-Scenario -OnApp 'nobody-maps.com'
        # What-if lines go to the host: a child pwsh prints them.
        $pwsh = Get-TestPwshCommand
        $child = @"
Import-Module '$script:ModulePath'
Connect-RunCloud -BaseUri '$($emu.BaseUri)' -Token (ConvertTo-SecureString '$($emu.Token)' -AsPlainText -Force) -ServerId $S -WebAppId $W -RateLimit 0
`$null = Sync-RunCloudDomain -WordPressPath '$($script:Fixture)' -Prune -WhatIf -WarningAction SilentlyContinue
"@
        $out = (& $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $child 2>&1 | ForEach-Object { "$_" }) -join "`n"
        $out | Should -BeLike '*What if: Performing the operation "Add domain (www, redirect non-www; UM mapping 3, stage checking-dns, site 2 shop.network.com/)" on target "pending-dns.com on web app 2001 (server 1001)"*'
        $out | Should -BeLike '*"Add domain (no www; UM mapping 3, stage done, site 6 second.org/, wp_wu_2_domain_mappings)" on target "sub.client-domain.org*'
        $out | Should -BeLike '*"Add domain (www, redirect non-www; WordPress network 1''s main domain)" on target "network.com*'
        $out | Should -BeLike '*"Remove domain" on target "nobody-maps.com*'
        @(Calls | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty
        $r = Sync-RunCloudDomain -WordPressPath $script:Fixture -Prune -WhatIf -WarningAction SilentlyContinue
        $r.WhatIf | Should -BeTrue
        ($r.DesiredNames | Where-Object Name -EQ 'pending-dns.com').Source | Should -Be 'UM mapping 3, stage checking-dns, site 2 shop.network.com/'
        $lines = ($r.DesiredNames + $r.NotServed | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() }
        $lines[0] | Should -Match '^Action\s+Www\s+Name\s+Source$'
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        ($lines -join "`n") | Should -Match 'Inactive: UM mapping 5'
    }

    It 'the plan names the extra wu_N_domain_mappings table and warns that UM''s routing reads only the main one' {
        Start-Scenario | Out-Null
        $plan = New-RunCloudSyncPlan -WordPressPath $script:Fixture -Prune -WarningVariable warnings -WarningAction SilentlyContinue
        $plan.ExtraTables | Should -Be @('wp_wu_2_domain_mappings')
        ($plan.DesiredNames | Where-Object Name -EQ 'client-domain.org').Table | Should -Be 'wp_wu_2_domain_mappings'
        ($plan.Guards | Where-Object Name -EQ 'Source').Message | Should -BeLike '*wp_wu_2_domain_mappings holds 3 row(s)*reads only the main mapping table*'
        "$warnings" | Should -BeLike '*wp_wu_2_domain_mappings holds 3 row(s)*'
        ($plan.NotServed | Where-Object Name -EQ 'subdir.net') | Should -BeNullOrEmpty
    }

    It 'a row holding a network''s main domain is reported, not served as a customer mapping' {
        Start-Scenario | Out-Null
        $subdir = New-TestWordPressRoot -Db $script:Db -Prefix 'sd_' -Subdirectory
        $plan = New-RunCloudSyncPlan -WordPressPath $subdir -Prune
        $row = $plan.NotServed | Where-Object MappingId -EQ 1
        ($row.Name, $row.NotServedReason) | Should -Be @('subdir.net', 'NetworkMainDomain')
        ($plan.DesiredNames | Where-Object Name -EQ 'subdir.net').Kind | Should -Be 'NetworkMainDomain'
        $plan.Add | Should -Contain 'alpha-site.com'
    }
}

Describe 'A scheduled UM sync costs calls only when UM''s table changed' {
    It 'a mapping inserted into the table is added by the next run with its search alone (no listing), and the run after sends nothing' {
        # 60 names already on the app: the listing is 2 pages, one search is cheaper.
        Start-Scenario -OnApp @(1..60 | ForEach-Object { 'kept-{0:d3}.example.com' -f $_ }) | Out-Null
        $first = Sync-RunCloudDomain -WordPressPath $script:Network -Force -WarningAction SilentlyContinue
        $first.Way | Should -Be 'Full'
        try {
            Invoke-TestMariaDbSql $script:Db -Database $script:Db.Database -Sql "INSERT INTO us_wu_domain_mappings (id, blog_id, domain, active, primary_domain, secure, stage, date_created, date_modified) VALUES (50, 2, 'new-customer.com', 1, 0, 0, 'checking-dns', NOW(), NOW());" | Out-Null
            $script:e.ClearRequests()
            $second = Sync-RunCloudDomain -WordPressPath $script:Network -Force -WarningAction SilentlyContinue
            $second.Way | Should -Be 'Targeted'
            $second.Added | Should -Be @('new-customer.com')
            $calls = @(Calls | ForEach-Object { '{0} {1}' -f $_.Method, ($_.Path -replace '^/api/v3/servers/\d+/webapps/\d+', '') })
            # The search and the certificate read go out side by side (either may arrive first); then the add and the redeploy.
            @($calls[0..1] | Sort-Object) | Should -Be @('GET /domains', 'GET /ssl')
            @($calls | Select-Object -Skip 2) | Should -Be @('POST /domains', "PUT /ssl/$($script:e.State.GetSsl($S, $W).Id)")
            @(Calls | Where-Object { $_.Method -eq 'GET' -and $_.Path -like '*/domains' })[0].Query | Should -BeLike 'search=new-customer.com&*'
            $post = Posts | Select-Object -Last 1
            $post.name | Should -Be 'new-customer.com'
            $post.type | Should -Be 'alias'
            $second.ApiCalls | Should -Be $second.PlannedCalls

            $script:e.ClearRequests()
            $third = Sync-RunCloudDomain -WordPressPath $script:Network -Force -WarningAction SilentlyContinue
            $third.Way | Should -Be 'Unchanged'
            @(Calls).Count | Should -Be 0
        }
        finally {
            Invoke-TestMariaDbSql $script:Db -Database $script:Db.Database -Sql 'DELETE FROM us_wu_domain_mappings WHERE id = 50;' | Out-Null
        }
    }
}

Describe 'What -WordPressPath takes, and what it refuses before anything is read' {
    It 'a piped web app is the target; piped names, a list beside the network and contradictory options are refused, with no request' {
        Start-Scenario | Out-Null
        $r = Get-RunCloudWebApp -Id $W | Sync-RunCloudDomain -WordPressPath $script:Network -Prune -WhatIf -WarningAction SilentlyContinue
        ($r.WebAppId, $r.Added.Count) | Should -Be @($W, 8)
        $script:e.ClearRequests()
        { 'extra.example.com' | Sync-RunCloudDomain -WordPressPath $script:Network -Force } | Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*come from the WordPress network*pipe nothing, or the web app*'
        { Sync-RunCloudDomain -WordPressPath $script:Network -Name 'extra.example.com' -Force } | Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*pass one source*'
        { Sync-RunCloudDomain -WordPressPath $script:Network -WpCliArgument '--allow-root' -Force } | Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*only with -Via WpCli*Add -Via WpCli*'
        { Sync-RunCloudDomain -WordPressPath $script:Network -Via Rest -Force } | Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*-UltimateMultisiteUri*-UltimateMultisiteCredential*'
        { Sync-RunCloudDomain -WordPressPath $script:Network -WwwPolicy Never -Force } | Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*-WwwPolicy is for -Via Rest only*'
        { Sync-RunCloudDomain -Manifest (Join-Path $TestDrive 'none.json') -WordPressPath $script:Network } | Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*-Manifest cannot be combined with -WordPressPath*'
        { New-RunCloudSyncPlan -WordPressPath $script:Network -Domain 'x.example.com' } | Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*pass one source*'
        { Sync-RunCloudDomain -WordPressPath (Join-Path $TestDrive 'no-such-site') -Force } | Should -Throw -ErrorId 'RunCloudUmConfiguration,*' -ExpectedMessage '*no-such-site*'
        @(Get-RunCloudEmulatorRequest -Emulator $script:e) | Should -BeNullOrEmpty
    }

    It 'a network without Ultimate Multisite''s table: its sites are the desired names, and the result says so' {
        Start-Scenario -OnApp 'nobody-maps.com' | Out-Null
        Invoke-TestMariaDbSql $script:Db -Database $script:Db.Database -Sql ((Get-Content -Raw $script:UmFixtureSql) -split "`n" | Where-Object { $_ -match '^CREATE TABLE `sd_(site|sitemeta|blogs)`' } | ForEach-Object { $_ -replace '`sd_', '`plain_' }) | Out-Null
        Invoke-TestMariaDbSql $script:Db -Database $script:Db.Database -Sql "INSERT INTO plain_site VALUES (1, 'plain.example', '/'); INSERT INTO plain_blogs (blog_id, site_id, domain, path, archived, spam, deleted) VALUES (1, 1, 'plain.example', '/', 0, 0, 0), (2, 1, 'a.plain.example', '/', 1, 0, 0), (3, 1, 'b.plain.example', '/', 0, 1, 0);" | Out-Null
        $root = New-TestWordPressRoot -Db $script:Db -Prefix 'plain_'
        $r = Sync-RunCloudDomain -WordPressPath $root -Prune -Force -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*does not exist*' -or $_ -is [RunCloud.PowerShell.Models.RunCloudSyncResult] }
        $result = $r | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudSyncResult] }
        (($r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n") | Should -BeLike "*Ultimate Multisite's table plain_wu_domain_mappings does not exist*what wp site list lists*"
        $result.Source | Should -BeLike "WordPress sites, database 'um_networks'*(Ultimate Multisite's table plain_wu_domain_mappings does not exist)"
        $result.Added | Should -Be @('plain.example', 'a.plain.example')   # an archived site stays served; a spam site does not
        $result.Removed | Should -Be @('nobody-maps.com')
        $result.DesiredNames.Source | Should -Be @("WordPress network 1's main domain", 'WordPress site 2 a.plain.example/ (network 1)')
        # No UM, no UM www policy: the run's -Www / -Redirection apply, as for a list.
        @(Posts | ForEach-Object { "$($_.name) $($_.www) $($_.redirection)" }) | Should -Be @('plain.example False none', 'a.plain.example False none')
        Start-Scenario | Out-Null
        $null = Sync-RunCloudDomain -WordPressPath $root -Www -Redirection www -Force
        @(Posts | ForEach-Object { "$($_.name) $($_.www) $($_.redirection)" }) | Should -Be @('plain.example True www', 'a.plain.example True www')
    }
}

Describe 'The same network from its database, WP-CLI and UM''s REST API gives the same plan' {
    It 'plans the same adds, removals, www, origins and protected names three ways' {
        Start-Scenario -OnApp 'nobody-maps.com', 'off.com', 'www.shop-custom.com' | Out-Null
        $um = Set-RunCloudEmulatorUltimateMultisite -Emulator $script:e -Site $script:Sites -Mapping $script:Mappings
        $saved = $env:PATH
        try {
            $db = New-RunCloudSyncPlan -WordPressPath $script:Network -Prune -WarningAction SilentlyContinue
            $env:PATH = $script:FakeBin + [IO.Path]::PathSeparator + $env:PATH
            $cli = New-RunCloudSyncPlan -WordPressPath $script:Network -Via WpCli -WpCliArgument '--allow-root' -Prune -WarningAction SilentlyContinue
            $rest = New-RunCloudSyncPlan -UltimateMultisiteUri $um.Uri -UltimateMultisiteCredential $um.Credential -WwwPolicy MainOnly -Prune -WarningAction SilentlyContinue
        }
        finally { $env:PATH = $saved }

        $shape = PlanShape $db
        $shape | Should -Contain 'add store.example.co.uk'          # main_only: example.co.uk is an apex by UM's list, but store.example.co.uk has three labels
        $shape | Should -Contain 'desired store.example.co.uk Add www=False none mapping=9 stage=ssl-failed blog=2 site=shop.umnet.com/ Mapping'
        $shape | Should -Contain 'desired pending.org Add www=True non-www mapping=3 stage=checking-dns blog=2 site=shop.umnet.com/ Mapping'
        $shape | Should -Contain 'desired paused-custom.net Add www=True non-www mapping=8 stage=failed blog=5 site=paused.umnet.com/ Mapping'
        $shape | Should -Contain 'remove nobody-maps.com'
        $shape | Should -Contain 'remove off.com'
        $shape | Should -Contain 'not served spamsite.com SiteSpam None mapping=5'
        $shape | Should -Contain 'protected www.shop-custom.com'
        $shape | Should -Not -Contain 'remove www.shop-custom.com'
        PlanShape $cli | Should -Be $shape
        PlanShape $rest | Should -Be $shape

        $db.Source | Should -BeLike "Ultimate Multisite, database 'um_networks'*(table(s) us_wu_domain_mappings)"
        $cli.Source | Should -BeLike "Ultimate Multisite, WP-CLI (*wp --path=$($script:Network))*"
        $rest.Source | Should -Be "Ultimate Multisite, UM's REST API at $($um.Uri)wp-json/"
        Get-Content $script:WpLog | Where-Object { $_ -like 'wu domain list*' } | ForEach-Object { $_ | Should -BeLike "*--path=$($script:Network) --allow-root" }
        @(Get-RunCloudEmulatorRequest -Emulator $script:e -Path 'wp-json/wu/v2/*').Path | Sort-Object -Unique | Should -Be @('/wp-json/wu/v2/domain', '/wp-json/wu/v2/site')
        @(Calls | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty -Because 'planning changes nothing'
    }

    It 'applying the same network read through UM''s REST API (old paging too) converges to the database''s result' {
        Start-Scenario -OnApp 'nobody-maps.com' | Out-Null
        $um = Set-RunCloudEmulatorUltimateMultisite -Emulator $script:e -Site $script:Sites -Mapping $script:Mappings -LegacyPaging
        $r = Sync-RunCloudDomain -UltimateMultisiteUri $um.Uri -UltimateMultisiteCredential $um.Credential -WwwPolicy MainOnly -Prune -Force -WarningAction SilentlyContinue
        $r.Success | Should -BeTrue
        $r.Removed | Should -Be @('nobody-maps.com')
        $db = New-RunCloudSyncPlan -WordPressPath $script:Network -Prune -WarningAction SilentlyContinue
        ($db.Add.Count + $db.Remove.Count) | Should -Be 0 -Because 'the database sees the network the REST API gave'
        @(Get-RunCloudEmulatorRequest -Emulator $script:e -Path 'wp-json/wu/v2/domain').Query | Should -Be @('page=1&per_page=100')
    }
}

Describe 'A manifest target''s wordPressPath and Invoke-RunCloudScheduledSync -WordPressPath' {
    It 'a manifest target with wordPressPath syncs the network; another target whose network cannot be read fails alone, before any request for it' {
        Start-Scenario -OnApp 'nobody-maps.com' | Out-Null
        $bad = New-TestWordPressRoot -Db $script:Db -Prefix 'us_' -Password 'Wrong-Pw-0042'
        $manifest = Join-Path $TestDrive 'um-fleet.json'
        @{ targets = @(
                @{ serverId = $S; webAppId = $W; wordPressPath = $script:Network; prune = $true }
                @{ serverId = $S; webAppId = 2002; wordPressPath = $bad; prune = $true }
            ) } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $manifest
        $out = Sync-RunCloudDomain -Manifest $manifest -Force -WarningAction SilentlyContinue -ErrorVariable errs -ErrorAction SilentlyContinue
        $results = @($out | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] })
        $results[0].Status | Should -Be 'Applied'
        $results[0].Added | Should -Contain 'store.example.co.uk'
        $results[0].Removed | Should -Be @('nobody-maps.com')
        $results[1].Status | Should -Be 'Failed'
        $results[1].ErrorId | Should -Be 'RunCloudUmAuthentication'
        $results[1].Message | Should -BeLike '*nothing was asked of RunCloud for it*DB_PASSWORD*'
        "$($errs | Out-String)" | Should -Not -Match 'Wrong-Pw-0042'
        @(Calls | Where-Object Path -Like '*/webapps/2002/*') | Should -BeNullOrEmpty
        (Posts | Where-Object name -EQ 'umnet.com').www | Should -BeTrue
    }

    It 'Invoke-RunCloudScheduledSync -WordPressPath syncs the network, logs the source, and exits 0; a second run changes nothing' {
        $emu = Start-Scenario -OnApp 'nobody-maps.com', 'off.com'
        $log = Join-Path $TestDrive 'um-sync.log'
        $saved = @{}; foreach ($n in 'RUNCLOUD_API_TOKEN', 'RUNCLOUD_SERVER_ID', 'RUNCLOUD_APP_ID') { $saved[$n] = [Environment]::GetEnvironmentVariable($n) }
        try {
            $env:RUNCLOUD_API_TOKEN = $emu.Token; $env:RUNCLOUD_SERVER_ID = "$S"; $env:RUNCLOUD_APP_ID = "$W"
            Invoke-ScheduledSyncProcess '-BaseUri', $emu.BaseUri.AbsoluteUri, '-LogPath', $log, '-WordPressPath', $script:Network, '-Prune' | Should -Be 0 -Because ($script:ScheduledOutput -join "`n")
            $text = Get-Content -Raw $log
            $text | Should -BeLike '*Sync started: WordPress network at * (database)*'
            $text | Should -BeLike "*Desired: 8 name(s) from Ultimate Multisite, database 'um_networks'*; 3 mapped name(s) not served (1 Inactive, 1 SiteSpam, 1 SiteDeleted).*"
            $text | Should -BeLike '*INFO  removed off.com*'
            $text | Should -BeLike '*INFO  off.com is not served (inactive (active = 0*): removed.*'
            $text | Should -Not -Match 'Pw-of-the-um-reader'
            Get-EmulatorDomainName $script:e | Should -Contain 'store.example.co.uk'
            Get-EmulatorDomainName $script:e | Should -Not -Contain 'nobody-maps.com'
            (Posts | Where-Object name -EQ 'pending.org').redirection | Should -Be 'non-www'
            $emu.ClearRequests()
            Invoke-ScheduledSyncProcess '-BaseUri', $emu.BaseUri.AbsoluteUri, '-LogPath', $log, '-WordPressPath', $script:Network, '-Prune' | Should -Be 0
            @(Calls | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty

            # The source's own warnings reach the log (the fixture's extra mapping table).
            Invoke-ScheduledSyncProcess '-BaseUri', $emu.BaseUri.AbsoluteUri, '-LogPath', $log, '-WordPressPath', $script:Fixture, '-WhatIf' | Should -Be 0 -Because ($script:ScheduledOutput -join "`n")
            Get-Content -Raw $log | Should -BeLike '*WARN  wp_wu_2_domain_mappings holds 3 row(s)*reads only the main mapping table*'
            Get-Content -Raw $log | Should -BeLike '*Desired: 14 name(s) from Ultimate Multisite*(table(s) wp_wu_domain_mappings, wp_wu_2_domain_mappings)*'
            @(Calls | Where-Object Method -NE 'GET') | Should -BeNullOrEmpty
        }
        finally { foreach ($pair in $saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) } }
    }
}

Describe 'A network that cannot be read stops the run before any request to RunCloud' {
    BeforeAll {
        $script:SavedEnv = @{}; foreach ($n in 'RUNCLOUD_API_TOKEN', 'RUNCLOUD_SERVER_ID', 'RUNCLOUD_APP_ID', 'RUNCLOUD_BASE_URI') { $script:SavedEnv[$n] = [Environment]::GetEnvironmentVariable($n) }
        function script:Invoke-UmTask([string[]] $Arguments) {
            $script:Log = Join-Path $TestDrive "fail-$([guid]::NewGuid().ToString('N')).log"
            $env:RUNCLOUD_API_TOKEN = $script:e.Token; $env:RUNCLOUD_SERVER_ID = "$S"; $env:RUNCLOUD_APP_ID = "$W"
            Invoke-ScheduledSyncProcess (@('-BaseUri', $script:e.BaseUri.AbsoluteUri, '-LogPath', $script:Log) + $Arguments)
        }
    }
    AfterAll { foreach ($pair in $script:SavedEnv.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) } }

    It 'a wrong database password: Sync-RunCloudDomain stops with RunCloudUmAuthentication, no request, no password in the error' {
        Start-Scenario | Out-Null
        $root = New-TestWordPressRoot -Db $script:Db -Prefix 'us_' -Password 'Wrong-Pw-7731'
        { Sync-RunCloudDomain -WordPressPath $root -Prune -Force } | Should -Throw -ErrorId 'RunCloudUmAuthentication,*' -ExpectedMessage '*DB_PASSWORD*'
        try { Sync-RunCloudDomain -WordPressPath $root -Prune -Force } catch { ($_ | Out-String) + $_.Exception.ToString() | Should -Not -Match 'Wrong-Pw-7731' }
        @(Get-RunCloudEmulatorRequest -Emulator $script:e) | Should -BeNullOrEmpty
        { New-RunCloudSyncPlan -WordPressPath $root } | Should -Throw -ErrorId 'RunCloudUmAuthentication,*'
        @(Get-RunCloudEmulatorRequest -Emulator $script:e) | Should -BeNullOrEmpty
    }

    It 'the scheduled entry point: a wrong password or an unknown schema is configuration (exit 1), with no request' {
        Start-Scenario | Out-Null
        Invoke-UmTask '-WordPressPath', (New-TestWordPressRoot -Db $script:Db -Prefix 'us_' -Password 'Wrong-Pw-7732'), '-Prune' | Should -Be 1 -Because ($script:ScheduledOutput -join "`n")
        Get-Content -Raw $script:Log | Should -BeLike '*Sync stopped before any change: The database refused the user*`[RunCloudUmAuthentication`]*'
        Get-Content -Raw $script:Log | Should -Not -Match 'Wrong-Pw-7732'
        Invoke-UmTask '-WordPressPath', (New-TestWordPressRoot -Db $script:Db -Prefix 'bad_'), '-Prune' | Should -Be 1
        Get-Content -Raw $script:Log | Should -BeLike '*bad_wu_domain_mappings*stage*`[RunCloudUmSchema`]*'
        @(Get-RunCloudEmulatorRequest -Emulator $script:e) | Should -BeNullOrEmpty -Because 'not even the credentials check: the network is read first'

        # A manifest: the unreadable target fails alone, by its ErrorId (1); nothing is sent for it.
        $manifest = Join-Path $TestDrive 'um-bad-fleet.json'
        @{ targets = @(@{ serverId = $S; webAppId = 2002; wordPressPath = (New-TestWordPressRoot -Db $script:Db -Prefix 'us_' -Password 'Wrong-Pw-7733'); prune = $true }) } |
            ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $manifest
        $script:Log = Join-Path $TestDrive 'um-bad-fleet.log'
        try {
            $env:RUNCLOUD_BASE_URI = $script:e.BaseUri.AbsoluteUri
            Invoke-ScheduledSyncProcess '-Manifest', $manifest, '-LogPath', $script:Log | Should -Be 1 -Because ($script:ScheduledOutput -join "`n")
        }
        finally { $env:RUNCLOUD_BASE_URI = $null }
        Get-Content -Raw $script:Log | Should -BeLike '*target 1 *Failed `[RunCloudUmAuthentication`]*'
        Get-Content -Raw $script:Log | Should -Not -Match 'Wrong-Pw-7733'
        @(Get-RunCloudEmulatorRequest -Emulator $script:e | Where-Object Path -Like '*/webapps/2002/*') | Should -BeNullOrEmpty
    }

    It 'the scheduled entry point: a table locked past -SourceTimeoutSec is transient (exit 3), with no request' {
        Start-Scenario | Out-Null
        $holder = Start-Process -FilePath $script:Db.Client -ArgumentList @('--no-defaults', '-S', $script:Db.Socket, '-uroot', $script:Db.Database, '-e', '"LOCK TABLES us_wu_domain_mappings WRITE; SELECT SLEEP(30);"') -PassThru `
            -RedirectStandardOutput (Join-Path $TestDrive 'lock.out') -RedirectStandardError (Join-Path $TestDrive 'lock.err')
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while (-not ((Invoke-TestMariaDbSql $script:Db 'SHOW OPEN TABLES WHERE In_use > 0;' -Database $script:Db.Database) -match 'us_wu_domain_mappings')) {
                if ([DateTime]::UtcNow -gt $deadline) { throw 'the lock was not taken' }
                Start-Sleep -Milliseconds 100
            }
            Invoke-UmTask '-WordPressPath', $script:Network, '-Prune', '-SourceTimeoutSec', '1' | Should -Be 3 -Because ($script:ScheduledOutput -join "`n")
            Get-Content -Raw $script:Log | Should -Match 'us_wu_domain_mappings.*\[RunCloudUm(Locked|Timeout)\]'
            Get-Content -Raw $script:Log | Should -BeLike '*the next run retries*'
            @(Get-RunCloudEmulatorRequest -Emulator $script:e) | Should -BeNullOrEmpty
        }
        finally { if (-not $holder.HasExited) { $holder.Kill() }; $null = $holder.WaitForExit(10000) }
        Invoke-UmTask '-WordPressPath', $script:Network, '-Prune' | Should -Be 0 -Because 'the lock is gone: the next run goes on'
    }
}

Describe 'A UM sync killed between the adds and the SSL step' -Tag Reliability {
    It 'the next run finishes the owed SSL step and converges' {
        $emu = Start-Scenario -OnApp 'nobody-maps.com'
        $plan = New-RunCloudSyncPlan -WordPressPath $script:Network -Prune -WarningAction SilentlyContinue
        # Boundaries: locked, listed, journal written, one per add, one per removal; the kill is at the last of them, so
        # every change is made and the SSL step is not.
        $step = 3 + $plan.Add.Count + $plan.Remove.Count
        $pwsh = Get-TestPwshCommand
        $child = @"
Import-Module '$script:ModulePath'
$(Get-CrashHookScript $step)
Connect-RunCloud -BaseUri '$($emu.BaseUri)' -Token (ConvertTo-SecureString '$($emu.Token)' -AsPlainText -Force) -ServerId $S -WebAppId $W -RateLimit 0
`$null = Sync-RunCloudDomain -WordPressPath '$($script:Network)' -Prune -Force
"@
        $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $child 2>&1 | ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Not -Be 0 -Because "the child was killed ($($out -join ' '))"
        ($out -join "`n") | Should -BeLike "*RUNCLOUD-CRASH-POINT ${step}: removed nobody-maps.com*"
        @(Get-RunCloudEmulatorRequest -Emulator $emu -Method PUT) | Should -BeNullOrEmpty -Because 'killed before the SSL step'
        $emu.GetUncoveredDomains($S, $W) | Should -Not -BeNullOrEmpty
        @(Get-OwedJournal) | Should -Not -BeNullOrEmpty

        $again = Sync-RunCloudDomain -WordPressPath $script:Network -Prune -Force -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -BeLike '*left work unfinished*SSL redeploy owed*'
        $again.Added | Should -BeNullOrEmpty
        $again.SslRedeployed | Should -BeTrue
        $emu.GetUncoveredDomains($S, $W) | Should -BeNullOrEmpty
        @(Get-OwedJournal) | Should -BeNullOrEmpty
        $final = New-RunCloudSyncPlan -WordPressPath $script:Network -Prune
        ($final.Add.Count + $final.Remove.Count) | Should -Be 0
    }
}
