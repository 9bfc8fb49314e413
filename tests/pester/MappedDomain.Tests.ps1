# Get-RunCloudMappedDomain through the BUILT module, the three ways in, against a real MariaDB (one for this file),
# a fake `wp` on the PATH and a fake UM REST endpoint; Connect-RunCloud reading UM's stored credentials and following
# wp-config.php's includes.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'MariaDb.ps1')
    $script:Db = Start-TestMariaDb
    $script:Network = New-TestWordPressRoot -Db $script:Db -Prefix 'wp_'
    $script:Subdir = New-TestWordPressRoot -Db $script:Db -Prefix 'sd_' -Subdirectory
    $script:Emu = Start-RunCloudEmulator -RateLimitPerMinute 0

    # The subdirectory network (prefix sd_) as WP-CLI and UM's REST API would show it, written out by hand.
    $script:SdSites = '[{"blog_id":1,"site_id":1,"domain":"subdir.net","path":"/","archived":0,"spam":0,"deleted":0},{"blog_id":2,"site_id":1,"domain":"subdir.net","path":"/alpha/","archived":0,"spam":0,"deleted":0},{"blog_id":3,"site_id":1,"domain":"subdir.net","path":"/beta/","archived":0,"spam":0,"deleted":0}]'
    $script:SdRows = '[{"id":"1","blog_id":"2","domain":"subdir.net","active":"1","primary_domain":"1","secure":"0","stage":"checking-dns","date_created":"2025-03-02 10:00:00","date_modified":"2025-04-02 11:30:00"},{"id":"2","blog_id":"2","domain":"alpha-site.com","active":"1","primary_domain":"1","secure":"1","stage":"done","date_created":"2025-03-03 10:00:00","date_modified":"2025-04-03 11:30:00"},{"id":"3","blog_id":"3","domain":"beta-site.com","active":"1","primary_domain":"0","secure":"0","stage":"done-without-ssl","date_created":"2025-03-04 10:00:00","date_modified":"2025-04-04 11:30:00"}]'
    $facts = '{"subdomain_install":false,"main_network_id":1,"base_prefix":"sd_","networks":[{"id":1,"domain":"subdir.net","path":"/","has_settings":true,"www":"never"}],"blogs":' + $script:SdSites + ',"tables":[{"name":"sd_wu_domain_mappings","rows":3}]}'

    $script:FakeBin = Join-Path $TestDrive 'fake-bin'
    New-Item -ItemType Directory -Path $script:FakeBin | Out-Null
    $script:WpLog = Join-Path $TestDrive 'wp-calls.log'
    $wp = Join-Path $script:FakeBin 'wp'
    Set-Content -Path $wp -Value @(
        '#!/bin/sh'
        "echo `"`$*`" >> '$script:WpLog'"
        "if [ `"`$1`" = 'eval-file' ] && grep -q 'runcloud-um:facts' `"`$2`"; then echo 'PHP Deprecated:  Function create_function() is deprecated'; echo 'RUNCLOUD-UM-FACTS:$facts'; exit 0; fi"
        "if [ `"`$1 `$2 `$3`" = 'wu domain list' ]; then echo 'PHP Notice:  Undefined index: HTTP_HOST'; echo '$script:SdRows'; exit 0; fi"
        'echo "Error: unexpected $*" >&2; exit 1'
    )
    chmod +x $wp

    # UM's REST API (2.4.13+ paging) for the same network, on a loopback port, in a runspace of its own.
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $script:RestPort = $probe.LocalEndpoint.Port; $probe.Stop()
    $script:RestKey = 'um-key-1'; $script:RestSecret = 'um-secret-$42'
    $script:RestState = [hashtable]::Synchronized(@{ Requests = [System.Collections.ArrayList]::Synchronized([System.Collections.ArrayList]::new()) })
    $script:RestPs = [PowerShell]::Create()
    $null = $script:RestPs.AddScript({
            param($Prefix, $Expected, $Sites, $Rows, $State)
            $listener = [System.Net.HttpListener]::new()
            $listener.Prefixes.Add($Prefix)
            $listener.Start()
            $State.Listener = $listener
            while ($listener.IsListening) {
                try { $ctx = $listener.GetContext() } catch { break }
                $null = $State.Requests.Add($ctx.Request.Url.PathAndQuery)
                $status = 200; $body = $null
                if ($ctx.Request.Headers['Authorization'] -ne $Expected) { $status = 401; $body = '{"code":"rest_forbidden","message":"Sorry, you are not allowed to do that.","data":{"status":401}}' }
                elseif ($ctx.Request.Url.AbsolutePath -eq '/wp-json/wu/v2/site') { $body = $Sites }
                elseif ($ctx.Request.Url.AbsolutePath -eq '/wp-json/wu/v2/domain') { $body = $Rows }
                else { $status = 404; $body = '{"code":"rest_no_route"}' }
                if ($status -eq 200) {
                    $ctx.Response.AddHeader('X-WP-Total', [string](ConvertFrom-Json $body).Count)
                    $ctx.Response.AddHeader('X-WP-TotalPages', '1')
                }
                $bytes = [Text.Encoding]::UTF8.GetBytes($body)
                $ctx.Response.StatusCode = $status
                $ctx.Response.ContentType = 'application/json; charset=UTF-8'
                $ctx.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $ctx.Response.Close()
            }
        }).AddArgument("http://127.0.0.1:$($script:RestPort)/").AddArgument('Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($script:RestKey):$($script:RestSecret)"))).AddArgument($script:SdSites).AddArgument(($script:SdRows -replace '"(\d+)"', '$1')).AddArgument($script:RestState)
    $script:RestHandle = $script:RestPs.BeginInvoke()
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (-not $script:RestState.Listener -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }

    function Get-DesiredShape($Set) {
        @($Set.Desired | ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.Name, $_.Www, $_.Redirection, $_.Origin.MappingId }) +
        @($Set.NotServed | ForEach-Object { 'not:{0}|{1}' -f $_.Name, $_.Reason })
    }
}

AfterAll {
    if ($script:RestState.Listener) { $script:RestState.Listener.Stop() }
    if ($script:RestPs) { $script:RestPs.Dispose() }
    if ($script:Emu) { Stop-RunCloudEmulator -Emulator $script:Emu }
    Stop-TestMariaDb $script:Db
}

Describe 'Get-RunCloudMappedDomain from the database' {
    It 'writes one typed object per row of every mapping table' {
        $rows = @(Get-RunCloudMappedDomain -WordPressPath $script:Network)
        $rows | Should -HaveCount 15
        $rows | ForEach-Object { $_ | Should -BeOfType ([RunCloud.PowerShell.Sources.UltimateMultisite.RunCloudMappedDomain]) }
        $shop = $rows | Where-Object Domain -EQ 'shop-example.com'
        $shop.MappingId | Should -Be 1
        $shop.SiteHost | Should -Be 'shop.network.com/'
        $shop.Stage | Should -Be 'done'
        $shop.Source | Should -Be 'Database'
        $shop.Routed | Should -BeTrue
        ($rows | Where-Object Domain -EQ 'client-domain.org').Table | Should -Be 'wp_wu_2_domain_mappings'
    }

    It 'shows the rows in a table that fits 80 columns' {
        $lines = (Get-RunCloudMappedDomain -WordPressPath $script:Network | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() }
        $lines[0] | Should -Match '^\s+Id Domain\s+BlogId Net Active Stage\s+Primary$'
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        $lines.Count | Should -Be 17   # header, rule, 15 rows: nothing wrapped
    }

    It '-Desired writes the desired set: www by UM''s policy, refused names with their reason' {
        $set = Get-RunCloudMappedDomain -WordPressPath $script:Network -Desired -WarningVariable warnings -WarningAction SilentlyContinue
        $set.Desired.Name | Should -Contain 'shop-example.com'
        $set.Desired.Name | Should -Contain 'paused.network.com'
        $set.Desired.Name | Should -Not -Contain 'switched-off.com'
        $set.Desired | Should -HaveCount 14
        ($set.NotServed | Where-Object Name -EQ 'spam-site.com').Reason | Should -Be 'SiteSpam'
        ($set.NotServed | Where-Object Name -EQ 'deleted-site.com').Reason | Should -Be 'SiteDeleted'
        ($set.Desired | Where-Object Name -EQ 'sub.client-domain.org').Www | Should -BeFalse   # network 2 is main_only
        $set.IsProtected('www.shop-example.com') | Should -BeTrue
        "$warnings" | Should -Match 'wp_wu_2_domain_mappings holds 3 row'
        ($set | Format-List | Out-String) | Should -Match 'MainDomains : network.com, second.org'
    }

    It '-NameOnApp with a wildcard covers the subsite hosts instead of adding them' {
        $set = Get-RunCloudMappedDomain -WordPressPath $script:Network -Desired -NameOnApp '*.network.com' -WarningAction SilentlyContinue
        $set.Covered.Name | Should -Be @('shop.network.com', 'paused.network.com')
        $set.Desired.Name | Should -Not -Contain 'shop.network.com'
        $set.IsProtected('shop.network.com') | Should -BeTrue
    }

    It 'a wrong password is RunCloudUmAuthentication, and the password is nowhere in the error' {
        $root = New-TestWordPressRoot -Db $script:Db -Prefix 'wp_' -Password 'Wrong-Pw-55aa'
        Get-RunCloudMappedDomain -WordPressPath $root -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudUmAuthentication*'
        $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($err[0] | Out-String) + $err[0].Exception.ToString() | Should -Not -Match 'Wrong-Pw-55aa'
        "$($err[0])" | Should -Match 'DB_PASSWORD'
    }

    It 'an unknown schema names the table and stops a script with -ErrorAction Stop' {
        $root = New-TestWordPressRoot -Db $script:Db -Prefix 'bad_'
        { Get-RunCloudMappedDomain -WordPressPath $root -ErrorAction Stop } | Should -Throw -ErrorId 'RunCloudUmSchema*' -ExpectedMessage '*bad_wu_domain_mappings*stage*'
    }

    It 'a missing wp-config.php is RunCloudUmConfiguration naming the folder' {
        { Get-RunCloudMappedDomain -WordPressPath (Join-Path $TestDrive 'no-such-site') -ErrorAction Stop } | Should -Throw -ErrorId 'RunCloudUmConfiguration*' -ExpectedMessage '*no-such-site*'
    }

    It 'refuses -Via Rest without the REST parameters, as a bad invocation' {
        { Get-RunCloudMappedDomain -WordPressPath $script:Network -Via Rest } | Should -Throw -ErrorId 'RunCloudInvalidInput*'
    }
}

Describe 'Get-RunCloudMappedDomain through WP-CLI and UM''s REST API' {
    BeforeEach {
        $script:SavedPath = $env:PATH
        $env:PATH = $script:FakeBin + [IO.Path]::PathSeparator + $env:PATH
    }
    AfterEach { $env:PATH = $script:SavedPath }

    It '-Via WpCli reads through wp, passing --path and --allow-root, and tolerates PHP notices' {
        $rows = @(Get-RunCloudMappedDomain -WordPressPath $script:Subdir -Via WpCli -WpCliArgument '--allow-root')
        $rows.Domain | Should -Be @('subdir.net', 'alpha-site.com', 'beta-site.com')
        $rows | ForEach-Object { $_.Source | Should -Be 'WpCli' }
        $calls = Get-Content $script:WpLog
        $calls | Where-Object { $_ -like 'wu domain list --format=json*' } | Should -HaveCount 1
        $calls | ForEach-Object { $_ | Should -BeLike "*--path=$($script:Subdir)*--allow-root*" }
    }

    It 'the database, WP-CLI and the REST API give the same desired set' {
        $db = Get-RunCloudMappedDomain -WordPressPath $script:Subdir -Desired
        $cli = Get-RunCloudMappedDomain -WordPressPath $script:Subdir -Via WpCli -Desired
        $cred = [pscredential]::new($script:RestKey, (ConvertTo-SecureString $script:RestSecret -AsPlainText -Force))
        $rest = Get-RunCloudMappedDomain -UltimateMultisiteUri "http://127.0.0.1:$($script:RestPort)" -Credential $cred -WwwPolicy Never -Desired -WarningAction SilentlyContinue
        $expected = Get-DesiredShape $db
        $expected | Should -Contain 'not:subdir.net|NetworkMainDomain'
        Get-DesiredShape $cli | Should -Be $expected
        Get-DesiredShape $rest | Should -Be $expected
        $rest.Source | Should -Be 'Rest'
        $script:RestState.Requests | Should -Contain '/wp-json/wu/v2/domain?page=1&per_page=100'
    }

    It 'a REST 401 is RunCloudUmAuthentication without the secret' {
        $cred = [pscredential]::new($script:RestKey, (ConvertTo-SecureString 'not-the-secret-77' -AsPlainText -Force))
        Get-RunCloudMappedDomain -UltimateMultisiteUri "http://127.0.0.1:$($script:RestPort)" -Credential $cred -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudUmAuthentication*'
        "$($err[0])" | Should -Match '401'
        ($err[0] | Out-String) | Should -Not -Match 'not-the-secret-77'
    }

    It 'plain http to another host is refused before any request' {
        $cred = [pscredential]::new('k', (ConvertTo-SecureString 's' -AsPlainText -Force))
        { Get-RunCloudMappedDomain -UltimateMultisiteUri 'http://network.example.com' -Credential $cred -ErrorAction Stop } | Should -Throw -ErrorId 'RunCloudUmConfiguration*' -ExpectedMessage '*plain http*'
    }
}

Describe 'Connect-RunCloud -WpConfigPath with Ultimate Multisite''s stored credentials and includes' {
    BeforeAll {
        # A network whose RunCloud token UM 2.4.11+ keeps encrypted in a network option, as UM writes it:
        # '$wu_enc$' + base64(IV + openssl_encrypt's base64 text), key = SHA-256 of AUTH_KEY . AUTH_SALT.
        $authKey = 'auth-key-of-the-test-network'; $authSalt = 'auth-salt-of-the-test-network'
        $sha = [Security.Cryptography.SHA256]::Create()
        $aes = [Security.Cryptography.Aes]::Create()
        $aes.Key = $sha.ComputeHash([Text.Encoding]::UTF8.GetBytes($authKey + $authSalt))
        $aes.GenerateIV()
        $plain = [Text.Encoding]::UTF8.GetBytes($script:Emu.Token)
        $cipher = $aes.CreateEncryptor().TransformFinalBlock($plain, 0, $plain.Length)
        $stored = '$wu_enc$' + [Convert]::ToBase64String($aes.IV + [Text.Encoding]::ASCII.GetBytes([Convert]::ToBase64String($cipher)))
        Invoke-TestMariaDbSql $script:Db -Database $script:Db.Database -Sql (@(
                'CREATE TABLE pc_site (id bigint NOT NULL AUTO_INCREMENT, domain varchar(200), path varchar(100), PRIMARY KEY (id));'
                'CREATE TABLE pc_sitemeta (meta_id bigint NOT NULL AUTO_INCREMENT, site_id bigint, meta_key varchar(255), meta_value longtext, PRIMARY KEY (meta_id));'
                "INSERT INTO pc_site VALUES (1, 'network.com', '/');"
                "INSERT INTO pc_sitemeta (site_id, meta_key, meta_value) VALUES (1, 'wu_hosting_credential_WU_RUNCLOUD_API_TOKEN', '$stored'), (1, 'wu_hosting_credential_WU_RUNCLOUD_SERVER_ID', '1001'), (1, 'wu_hosting_credential_WU_RUNCLOUD_APP_ID', '2001');"
            ) -join "`n")
        $script:Stored = New-TestWordPressRoot -Db $script:Db -Prefix 'pc_' -Extra "define( 'AUTH_KEY', '$authKey' );`ndefine( 'AUTH_SALT', '$authSalt' );"
    }

    It 'decrypts the token in process, says where it came from, never what it is' {
        $c = Connect-RunCloud -WpConfigPath (Join-Path $script:Stored 'wp-config.php') -BaseUri $script:Emu.BaseUri -RateLimit 0 -PassThru -Verbose 4>&1 |
            Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $verbose = ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n"
        $c.ServerId | Should -Be 1001
        $c.WebAppId | Should -Be 2001
        $verbose | Should -Match 'wu_hosting_credential_WU_RUNCLOUD_API_TOKEN'
        $verbose | Should -Match 'decrypted in process'
        $verbose | Should -Not -Match ([regex]::Escape($script:Emu.Token))
        $verbose | Should -Not -Match ([regex]::Escape($script:Db.Password))
        (Get-RunCloudDomain -Connection $c).Name | Should -Contain 'shop.example.com'
        Disconnect-RunCloud -Connection $c
    }

    It 'follows an include before the RunCloud defines, and refuses one it cannot follow' {
        $dir = Join-Path $TestDrive 'inc'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Set-Content (Join-Path $dir 'runcloud.php') "<?php`ndefine( 'WU_RUNCLOUD_API_TOKEN', '$($script:Emu.Token)' );`ndefine( 'WU_RUNCLOUD_SERVER_ID', 1001 );`ndefine( 'WU_RUNCLOUD_APP_ID', 2001 );"
        Set-Content (Join-Path $dir 'wp-config.php') "<?php`nrequire_once __DIR__ . '/runcloud.php';`nrequire_once ABSPATH . 'wp-settings.php';"
        $c = Connect-RunCloud -WpConfigPath (Join-Path $dir 'wp-config.php') -BaseUri $script:Emu.BaseUri -RateLimit 0 -PassThru
        $c.WebAppId | Should -Be 2001
        Disconnect-RunCloud -Connection $c

        Set-Content (Join-Path $dir 'wp-config.php') "<?php`nrequire_once getenv('SECRETS_FILE');`ndefine( 'WU_RUNCLOUD_API_TOKEN', 'x' );"
        { Connect-RunCloud -WpConfigPath (Join-Path $dir 'wp-config.php') -BaseUri $script:Emu.BaseUri -RateLimit 0 } |
            Should -Throw -ErrorId 'RunCloudInvalidWpConfig*' -ExpectedMessage '*WU_RUNCLOUD_API_TOKEN may be defined by the file that require_once on line 2 loads*'
    }
}
