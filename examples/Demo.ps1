<#
.SYNOPSIS
    The main job end to end against the RunCloud API emulator: connect, list a web app's domains, add a domain,
    redeploy SSL so the certificate covers it, remove it, a multisite network's certificates, and one scheduled sync
    of an Ultimate Multisite network that covers every mapped name.
.DESCRIPTION
    What the Ultimate Multisite RunCloud integration does when a domain is mapped and unmapped, done with this
    module: one POST to add, one GET + one PUT to redeploy the certificate (only because the add really worked),
    and a removal found across every page of the app's domains.

    The Ultimate Multisite section reads its network from a MariaDB it starts itself (a temporary data folder, a
    loopback port) when mariadbd is installed, as a real network is read (its database, no PHP, no WP-CLI); otherwise
    through UM's REST API, which the emulator serves (Set-RunCloudEmulatorUltimateMultisite), so it runs with nothing
    installed. It says which it used; -UltimateMultisiteVia Database or Rest chooses.

    It is hermetic: the caller's RUNCLOUD_* and WU_RUNCLOUD_* environment variables are set aside while it runs (and put
    back after), and its state (journals) lives in a temporary folder.
#>
#Requires -Version 5.1
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/RunCloud.PowerShell'),
    # The emulator is a module of its own: only tests and this demo load it.
    [string] $EmulatorModulePath = (Join-Path (Split-Path -Parent $ModulePath) 'RunCloud.PowerShell.Emulator'),
    # How the Ultimate Multisite section reads its network: Auto = from a MariaDB database when mariadbd is installed
    # (as a real network is read), else through UM's REST API served by the emulator (nothing to install). It says which.
    [ValidateSet('Auto', 'Database', 'Rest')]
    [string] $UltimateMultisiteVia = 'Auto'
)
$ModulePath = (Resolve-Path $ModulePath).Path
$EmulatorModulePath = (Resolve-Path $EmulatorModulePath).Path
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

# Hermetic: the demo sets what it needs and ignores the caller's RUNCLOUD_* / WU_RUNCLOUD_* settings (a token, a base
# address, RUNCLOUD_SKIP_DNS_CHECK=1, ...), and keeps its journals in a folder of its own, not the user's state folder.
# Everything is put back when it ends.
$savedEnvironment = @{}
foreach ($variable in @(Get-ChildItem Env: | Where-Object { $_.Name -like 'RUNCLOUD_*' -or $_.Name -like 'WU_RUNCLOUD_*' })) {
    $savedEnvironment[$variable.Name] = $variable.Value
    Remove-Item -LiteralPath "Env:$($variable.Name)"
}
$demoState = Join-Path ([IO.Path]::GetTempPath()) ('runcloud-demo-' + [guid]::NewGuid().ToString('N'))
$env:RUNCLOUD_STATE_PATH = $demoState

Import-Module $ModulePath -Force
Import-Module $EmulatorModulePath -Force

function Step([string] $Text) { Write-Host "`n=== $Text" -ForegroundColor Cyan }

# The Ultimate Multisite network of the last section: umdemo.com (UM's default www policy, always), four subsites and
# the domains their customers mapped, in the shapes UM keeps them.
$umSites = @(
    @{ BlogId = 1; Domain = 'umdemo.com' }
    @{ BlogId = 2; Domain = 'bakery.umdemo.com' }
    @{ BlogId = 3; Domain = 'florist.umdemo.com' }
    @{ BlogId = 4; Domain = 'pills.umdemo.com'; Spam = $true }
    @{ BlogId = 5; Domain = 'closed.umdemo.com'; Deleted = $true }
)
$umMappings = @(
    @{ Id = 1; BlogId = 2; Domain = 'bakery-shop.com'; Stage = 'done'; Primary = $true }
    @{ Id = 2; BlogId = 3; Domain = 'florist-paris.com'; Stage = 'checking-dns' }
    @{ Id = 3; BlogId = 2; Domain = 'old-bakery.com'; Stage = 'done'; Active = $false }
    @{ Id = 4; BlogId = 4; Domain = 'cheap-pills.com'; Stage = 'done' }
    @{ Id = 5; BlogId = 5; Domain = 'closed-shop.com'; Stage = 'done' }
    @{ Id = 6; BlogId = 2; Domain = 'bakery.umdemo.com'; Stage = 'checking-dns' }
)

# A MariaDB of the demo's own (Debian's mariadb-server: mariadbd, mariadb-install-db, mariadb): a temporary data folder,
# a free loopback port, UM's tables with the network above, and a WordPress root whose wp-config.php points at it.
function Start-DemoNetworkDatabase {
    $tools = foreach ($t in @(@('mariadbd', '/usr/sbin/mariadbd'), @('mariadb-install-db', '/usr/bin/mariadb-install-db'), @('mariadb', '/usr/bin/mariadb'))) {
        $found = Get-Command $t[0] -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($found) { $found.Source } elseif (Test-Path $t[1]) { $t[1] } else { return $null }
    }
    $server, $install, $client = $tools
    $folder = Join-Path ([IO.Path]::GetTempPath()) ('runcloud-demo-db-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $folder | Out-Null
    $asRoot = @(if ([Environment]::UserName -eq 'root') { '--user=root' })
    $out = & $install --no-defaults "--datadir=$(Join-Path $folder 'data')" --auth-root-authentication-method=normal --skip-test-db @asRoot 2>&1
    if ($LASTEXITCODE -ne 0) { throw "mariadb-install-db failed: $out" }
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
    $socket = Join-Path $folder 'mysqld.sock'
    $process = Start-Process -FilePath $server -PassThru -RedirectStandardOutput (Join-Path $folder 'out.log') -RedirectStandardError (Join-Path $folder 'err.log') -ArgumentList (@(
            '--no-defaults', "--datadir=$(Join-Path $folder 'data')", "--port=$port", '--bind-address=127.0.0.1', "--socket=$socket",
            "--pid-file=$(Join-Path $folder 'mysqld.pid')", '--skip-log-bin', '--innodb-buffer-pool-size=32M', '--skip-name-resolve') + $asRoot)
    $db = [pscustomobject]@{ Folder = $folder; Process = $process; Port = $port; Root = (Join-Path $folder 'wordpress') }
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    do {
        if ($process.HasExited) { throw "mariadbd stopped at start: $(Get-Content -Raw (Join-Path $folder 'err.log') -ErrorAction SilentlyContinue)" }
        if ([DateTime]::UtcNow -gt $deadline) { Stop-DemoNetworkDatabase $db; throw 'mariadbd did not accept connections within 60 s.' }
        Start-Sleep -Milliseconds 100
        if (Test-Path $socket) { & $client --no-defaults -S $socket -uroot -e 'SELECT 1' *> $null }
    } until ((Test-Path $socket) -and $LASTEXITCODE -eq 0)
    $flag = { param($v) if ($v) { 1 } else { 0 } }
    $table = 'CREATE TABLE wp_{0} ({1}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;'
    $sql = @(
        "CREATE USER 'network'@'127.0.0.1' IDENTIFIED BY 'demo-db-password'; GRANT SELECT ON umdemo.* TO 'network'@'127.0.0.1';"
        'CREATE DATABASE umdemo CHARACTER SET utf8mb4; USE umdemo;'
        ($table -f 'site', 'id bigint NOT NULL AUTO_INCREMENT, domain varchar(200) NOT NULL, path varchar(100) NOT NULL, PRIMARY KEY (id)')
        ($table -f 'sitemeta', 'meta_id bigint NOT NULL AUTO_INCREMENT, site_id bigint NOT NULL, meta_key varchar(255), meta_value longtext, PRIMARY KEY (meta_id)')
        ($table -f 'blogs', 'blog_id bigint NOT NULL AUTO_INCREMENT, site_id bigint NOT NULL, domain varchar(200) NOT NULL, path varchar(100) NOT NULL, archived tinyint NOT NULL DEFAULT 0, spam tinyint NOT NULL DEFAULT 0, deleted tinyint NOT NULL DEFAULT 0, PRIMARY KEY (blog_id)')
        ($table -f 'wu_domain_mappings', "id bigint unsigned NOT NULL AUTO_INCREMENT, blog_id bigint unsigned NOT NULL, domain varchar(191) NOT NULL, active tinyint DEFAULT 1, primary_domain tinyint DEFAULT 0, secure tinyint DEFAULT 0, stage enum('checking-dns','checking-ssl-cert','done-without-ssl','done','failed','ssl-failed') NOT NULL DEFAULT 'checking-dns', date_created datetime NULL, date_modified datetime NULL, PRIMARY KEY (id), UNIQUE KEY domain (domain)")
        "INSERT INTO wp_site VALUES (1, 'umdemo.com', '/');"
        "INSERT INTO wp_sitemeta (site_id, meta_key, meta_value) VALUES (1, 'wp-ultimo_v2_settings', 'a:1:{s:25:`"auto_create_www_subdomain`";s:6:`"always`";}');"
        'INSERT INTO wp_blogs (blog_id, site_id, domain, path, archived, spam, deleted) VALUES ' + (($umSites | ForEach-Object { "($($_.BlogId), 1, '$($_.Domain)', '/', 0, $(& $flag $_.Spam), $(& $flag $_.Deleted))" }) -join ', ') + ';'
        'INSERT INTO wp_wu_domain_mappings (id, blog_id, domain, active, primary_domain, stage, date_created) VALUES ' + (($umMappings | ForEach-Object { "($($_.Id), $($_.BlogId), '$($_.Domain)', $(if ($_.Active -eq $false) { 0 } else { 1 }), $(& $flag $_.Primary), '$($_.Stage)', NOW())" }) -join ', ') + ';'
    ) -join "`n"
    $out = $sql | & $client --no-defaults -S $socket -uroot 2>&1
    if ($LASTEXITCODE -ne 0) { Stop-DemoNetworkDatabase $db; throw "Loading the demo network failed: $out" }
    New-Item -ItemType Directory -Path $db.Root | Out-Null
    Set-Content -Path (Join-Path $db.Root 'wp-config.php') -Value @(
        '<?php'
        "define( 'DB_NAME', 'umdemo' );"
        "define( 'DB_USER', 'network' );"
        "define( 'DB_PASSWORD', 'demo-db-password' );"
        "define( 'DB_HOST', '127.0.0.1:$port' );"
        "`$table_prefix = 'wp_';"
        "define( 'MULTISITE', true );"
        "define( 'SUBDOMAIN_INSTALL', true );"
        "require_once ABSPATH . 'wp-settings.php';"
    )
    $db
}

function Stop-DemoNetworkDatabase($Db) {
    if (-not $Db) { return }
    if (-not $Db.Process.HasExited) { $Db.Process.Kill(); $null = $Db.Process.WaitForExit(10000) }
    Remove-Item -LiteralPath $Db.Folder -Recurse -Force -ErrorAction SilentlyContinue
}

Step 'Start the RunCloud API emulator (in this process, on a free loopback port)'
$network = $null
$umEmulator = $null
$networkDb = $null
$emulator = Start-RunCloudEmulator -TlsPort 0
Write-Host "Emulator at $($emulator.BaseUri) - test token $($emulator.Token.Substring(0, 4))... (the emulator's own test credential)"
# The emulator's DNS table, asked as a DNS-over-HTTPS client asks Cloudflare: the module checks that each name points at
# the server before it asks Let's Encrypt for a certificate (real names would be checked with the system's resolver).
$dns = "$($emulator.BaseUri)_emulator/dns-query"
$serverId = [RunCloud.Emulator.EmulatorDefaults]::ServerId
$webAppId = [RunCloud.Emulator.EmulatorDefaults]::WebAppId
try {
    Step 'Connect-RunCloud with an API token (Bearer, API v3); GET ping validates it'
    $token = ConvertTo-SecureString $emulator.Token -AsPlainText -Force
    Connect-RunCloud -BaseUri $emulator.BaseUri -Token $token -ServerId $serverId -WebAppId $webAppId -PassThru |
        Format-List BaseUri, ApiVersion, AuthenticationKind, KeyId, ServerId, WebAppId | Out-Host

    Step 'The server and web app'
    Get-RunCloudServer -Id $serverId | Format-Table Id, Name, IpAddress, Os | Out-Host
    Get-RunCloudWebApp -Id $webAppId | Format-Table ServerId, Id, Name, PhpVersion | Out-Host

    Step "The web app's domains"
    Get-RunCloudDomain | Format-Table Id, Name, Type, Www, Redirection | Out-Host

    Step 'Add shop-eu.example.com and redeploy the certificate once (-ResetSsl)'
    $added = Add-RunCloudDomain -Name 'shop-eu.example.com' -ResetSsl -DnsServer $dns -PassThru
    $added | Format-Table Id, Name, Type, CreatedAt | Out-Host

    Step 'The certificate now covers every domain'
    Get-RunCloudSsl | Format-List Installed, Id, Method, ValidUntil | Out-Host
    $uncovered = $emulator.GetUncoveredDomains($serverId, $webAppId)
    if ($uncovered.Count -gt 0) { throw "Not covered by the certificate: $($uncovered -join ', ')" }
    Write-Host 'Uncovered domains: none'

    Step 'Adding it again is a warning, not an error'
    Add-RunCloudDomain -Name 'shop-eu.example.com'

    Step 'Remove it (found by name across every page), then redeploy once'
    Remove-RunCloudDomain -Name 'shop-eu.example.com' -Force -ResetSsl -DnsServer $dns
    Get-RunCloudDomain | Format-Table Id, Name, Type | Out-Host

    Step 'Let''s Encrypt HTTP-01: a domain mapped before its DNS points at the server blocks the whole certificate'
    Set-RunCloudEmulatorDns -Name 'early.example.com' -Unpointed
    Add-RunCloudDomain -Name 'early.example.com' -ResetSsl -DnsServer $dns -ErrorAction SilentlyContinue -ErrorVariable refused
    Write-Host "Redeploy refused: $($refused[-1].Exception.Message)"
    Resolve-RunCloudEmulatorDns 'shop.example.com', 'early.example.com' | Format-Table Name, Status, Addresses | Out-Host
    Step 'The customer points it at the server: the next redeploy covers it'
    Set-RunCloudEmulatorDns -Name 'early.example.com' -Address ([RunCloud.Emulator.EmulatorDefaults]::ServerIpAddress)
    Reset-RunCloudSsl -DnsServer $dns -Confirm:$false
    $uncovered = $emulator.GetUncoveredDomains($serverId, $webAppId)
    if ($uncovered.Count -gt 0) { throw "Not covered by the certificate: $($uncovered -join ', ')" }
    Write-Host 'Uncovered domains: none'

    Step 'Live check over TLS: connect with SNI to the emulator''s TLS endpoint and read the certificate served'
    foreach ($name in 'early.example.com', 'blog.example.com') {
        $tcp = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $emulator.TlsPort)
        $ssl = [System.Net.Security.SslStream]::new($tcp.GetStream(), $false, { $true })
        try {
            $ssl.AuthenticateAsClient($name)
            $cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($ssl.RemoteCertificate)
            $covered = [RunCloud.Emulator.RunCloudEmulator]::CertificateCovers($cert, $name)
            Write-Host ("{0,-20} covered: {1,-5} {2} (issuer {3}, until {4:yyyy-MM-dd})" -f $name, $covered, $cert.Subject, $cert.Issuer, $cert.NotAfter)
        }
        finally { $ssl.Dispose(); $tcp.Dispose() }
    }

    Step 'What was sent to the API'
    Get-RunCloudEmulatorRequest | Select-Object -Last 15 | Format-Table Method, Path, Query, StatusCode, AuthScheme | Out-Host

    Step 'SSL for a whole multisite network: 250 mapped domains, 10 of them not pointed at the server yet'
    # ~500 calls: a second emulator, and a connection to it, without the 60-a-minute pace of the steps above.
    $network = Start-RunCloudEmulator -RateLimitPerMinute 0 -TlsPort 0
    $emulator = $network
    $dns = "$($network.BaseUri)_emulator/dns-query"
    Connect-RunCloud -BaseUri $network.BaseUri -Token (ConvertTo-SecureString $network.Token -AsPlainText -Force) -ServerId $serverId -WebAppId $webAppId -RateLimit 0
    $names = @(1..250 | ForEach-Object { 'site{0:d3}.customer{0:d3}.com' -f $_ })
    $late = @($names | Select-Object -Last 10)
    $late | Set-RunCloudEmulatorDns -Unpointed
    Write-Host 'Basic SSL holds at most 100 names in one certificate: switch the app to one certificate per domain.'
    Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force
    Reset-RunCloudSsl -DnsServer $dns
    $run = Sync-RunCloudDomain -Domain $names -DnsServer $dns -WarningAction SilentlyContinue
    Write-Host ("First run: {0} added, {1} names not pointed yet (no certificate asked for them):" -f $run.Added.Count, $run.SslNotReady.Count)
    $run.SslNotReady | Format-Table Name, Status | Out-Host
    $uncovered = @($emulator.GetUncoveredDomains($serverId, $webAppId))
    if (Compare-Object ($uncovered | Sort-Object) ($late | Sort-Object)) { throw "Expected only the 10 unpointed names uncovered, got: $($uncovered -join ', ')" }

    Write-Host 'The customers point their DNS; the next scheduled run covers them.'
    $late | Set-RunCloudEmulatorDns -Default
    $run = Sync-RunCloudDomain -Domain $names -DnsServer $dns
    $uncovered = @($emulator.GetUncoveredDomains($serverId, $webAppId))
    if ($uncovered.Count -gt 0) { throw "Still not covered: $($uncovered -join ', ')" }
    Write-Host "Every one of the $($names.Count + 2) names has its certificate; orders in total: $($emulator.State.GetIssuances().Count) (Let's Encrypt allows 300 per 3 hours)."

    Step 'The expiry report across the fleet'
    Get-RunCloudServer | Get-RunCloudWebApp | Get-RunCloudSsl -ExpiringWithin 14 |
        Format-Table ServerName, WebAppName, DomainName, ValidUntil, DaysRemaining | Out-Host
    Write-Host '(nothing expires within 14 days)'

    Step 'The live check with Test-RunCloudCertificate: TLS + SNI to the emulator''s endpoint, chain checked against its test CA'
    $live = @($names | Test-RunCloudCertificate -Address 127.0.0.1 -Port $emulator.TlsPort -TrustedRoot $emulator.TlsCertificateAuthority)
    $live | Select-Object -First 5 | Format-Table Name, Status, Covered, ChainValid, DaysRemaining, Issuer | Out-Host
    $notCovered = @($live | Where-Object { -not $_.Covered })
    if ($notCovered) { throw "Not covered live: $($notCovered.Name -join ', ')" }
    Write-Host "All $($live.Count) names are covered live."

    Step 'Ultimate Multisite: one scheduled sync covers every domain the network maps'
    # A web app serving a UM network: umdemo.com's customers map their own domains in UM; one of them was switched off
    # after UM's integration had added it to RunCloud.
    $umEmulator = Start-RunCloudEmulator -RateLimitPerMinute 0
    $emulator = $umEmulator
    $dns = "$($umEmulator.BaseUri)_emulator/dns-query"
    Connect-RunCloud -BaseUri $umEmulator.BaseUri -Token (ConvertTo-SecureString $umEmulator.Token -AsPlainText -Force) -ServerId $serverId -WebAppId $webAppId -RateLimit 0
    Add-RunCloudDomain -Name 'old-bakery.com'
    $useDatabase = $UltimateMultisiteVia -ne 'Rest'
    if ($useDatabase) { $networkDb = Start-DemoNetworkDatabase }
    if ($useDatabase -and -not $networkDb) {
        if ($UltimateMultisiteVia -eq 'Database') { throw 'mariadbd, mariadb-install-db or mariadb was not found: install mariadb-server, or run the demo with -UltimateMultisiteVia Rest.' }
        $useDatabase = $false
    }
    if ($useDatabase) {
        Write-Host "Reading the network from its database (a MariaDB this demo started on 127.0.0.1:$($networkDb.Port); wp-config.php in $($networkDb.Root)): no PHP, no WP-CLI."
        $source = @{ WordPressPath = $networkDb.Root }
        $read = @{ WordPressPath = $networkDb.Root }
    }
    else {
        Write-Host ("$(if ($UltimateMultisiteVia -eq 'Rest') { '-UltimateMultisiteVia Rest' } else { 'mariadbd is not installed here' }): reading the same network " +
            'through Ultimate Multisite''s REST API, which the emulator serves (Set-RunCloudEmulatorUltimateMultisite).')
        $um = Set-RunCloudEmulatorUltimateMultisite -Emulator $umEmulator -Site $umSites -Mapping $umMappings
        $source = @{ UltimateMultisiteUri = $um.Uri; UltimateMultisiteCredential = $um.Credential; WwwPolicy = 'Always' }
        $read = @{ UltimateMultisiteUri = $um.Uri; Credential = $um.Credential; WwwPolicy = 'Always' }
    }
    Get-RunCloudMappedDomain @read -WarningAction SilentlyContinue | Format-Table | Out-Host
    $set = Get-RunCloudMappedDomain @read -Desired -WarningAction SilentlyContinue
    Write-Host ("To serve: {0}. Not served: {1}." -f ($set.Desired.Name -join ', '), (($set.NotServed | ForEach-Object { "$($_.Name) ($($_.Reason))" }) -join ', '))
    Write-Host 'The customers have pointed their names (and www.) at the server.'
    $set.Desired.Name | ForEach-Object { $_, "www.$_" } | Set-RunCloudEmulatorDns -Address ([RunCloud.Emulator.EmulatorDefaults]::ServerIpAddress)
    $log = Join-Path $demoState 'um-sync.log'
    $scheduled = Invoke-RunCloudScheduledSync @source -Prune -DnsServer $dns -LogPath $log
    Get-Content $log | Out-Host
    if ($scheduled.ExitCode -ne 0) { throw "The scheduled sync ended with exit code $($scheduled.ExitCode): $($scheduled.Message)" }
    Get-RunCloudDomain | Format-Table Name, Www, Redirection | Out-Host
    $onApp = @(Get-RunCloudDomain).Name
    $missing = @($set.Desired.Name | Where-Object { $_ -notin $onApp })
    if ($missing) { throw "Mapped but not on the web app: $($missing -join ', ')" }
    $served = @($set.NotServed.Name | Where-Object { $_ -in $onApp })
    if ($served) { throw "Not served by UM, yet on the web app: $($served -join ', ')" }
    $uncovered = @($umEmulator.GetUncoveredDomains($serverId, $webAppId))
    if ($uncovered) { throw "Not covered by the certificate: $($uncovered -join ', ')" }
    Write-Host "Every name the network maps is on the web app and covered by its certificate (www. too); the switched-off mapping was removed. Read through: $(if ($useDatabase) { 'the database' } else { 'UM''s REST API' })."
    Write-Host "`nDemo finished: add -> one SSL redeploy -> every domain covered -> remove; a UM network synced and covered." -ForegroundColor Green
}
finally {
    Disconnect-RunCloud
    Stop-DemoNetworkDatabase $networkDb
    if ($umEmulator) { Stop-RunCloudEmulator -Emulator $umEmulator }
    if ($network) { Stop-RunCloudEmulator -Emulator $network }
    Stop-RunCloudEmulator -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $demoState -Recurse -Force -ErrorAction SilentlyContinue
    Remove-Item Env:RUNCLOUD_STATE_PATH -ErrorAction SilentlyContinue
    foreach ($name in $savedEnvironment.Keys) { Set-Item -LiteralPath "Env:$name" -Value $savedEnvironment[$name] }
}
