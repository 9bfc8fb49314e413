# Runs every example of every cmdlet's help (docs/help/<Verb-Noun>.md) against the module's RunCloud API emulator
# the examples must work as written, since users copy them. Each example runs in a fresh child scope, in a fresh directory, against
# a fresh emulator with a default connection open, and must neither throw nor write an error record.
#
# What an example may rely on (say so in its remarks when it uses them):
# - $e: the emulator, started with Start-RunCloudEmulator -RateLimitPerMinute 0, with its default data
#   (server 1001 web1; web app 2001 shop with the primary domain shop.example.com and SSL; web app 2002 blog, no SSL);
# - a default connection to it: Connect-RunCloud ... -ServerId 1001 -WebAppId 2001 -RateLimit 0;
# - in the current directory: domains.csv (a Name column) and wp-config.php (WU_RUNCLOUD_API_TOKEN = the emulator's
#   token, WU_RUNCLOUD_SERVER_ID 1001, WU_RUNCLOUD_APP_ID 2001);
# - the environment variables WU_RUNCLOUD_API_TOKEN, WU_RUNCLOUD_SERVER_ID and WU_RUNCLOUD_APP_ID set the same way.
# - in the current directory: shop.example.com.crt and shop.example.com.key, a self-signed certificate and its key (PEM);
# - on PATH: a fake WP-CLI `wp` whose `site list --format=json` lists https://shop.example.com/ and
#   https://blog.example.net/ as a network's sites, and which answers Ultimate Multisite's calls (`eval-file` of the
#   network facts, `wu domain list`) for a small network;
# - wp-config.php also names a real MariaDB (started once for this file, tests/pester/MariaDb.ps1) holding the
#   Ultimate Multisite fixture networks (tests/fixtures/ultimate-multisite), table prefix wp_.
# An example that cannot run here starts with the line '# not run in tests: <reason>' AND is listed in $NotRunnable
# below with a check that it really needs what it says (a prompt and the real RunCloud, a Pester run of its own):
# only then is it reported as skipped. An unlisted '# not run in tests' example, or a listed one whose check fails,
# fails; so does an example whose command the built module does not export.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # The '### Example N: title' subsections of '## EXAMPLES' and the first ```powershell block of each.
    function Get-HelpExample([string] $Path) {
        $command = [System.IO.Path]::GetFileNameWithoutExtension($Path)
        $inExamples = $false; $title = $null; $code = $null; $inCode = $false; $done = $false
        $found = [System.Collections.Generic.List[object]]::new()
        $flush = {
            if ($title) {
                $text = if ($null -ne $code) { ($code -join "`n").Trim() } else { '' }
                $skipReason = if ($text -match '^\s*#\s*not run in tests:\s*(.+)') { $Matches[1].Trim() } else { $null }
                $found.Add(@{ Command = $command; Title = $title; Code = $text; SkipReason = $skipReason; Doc = $Path })
            }
        }
        foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
            if ($inCode) {
                if ($line -match '^\s*```\s*$') { $inCode = $false; $done = $true } else { $code.Add($line) }
                continue
            }
            if ($line -match '^##\s+(.+?)\s*$' -and $line -notmatch '^###') {
                & $flush; $title = $null
                $inExamples = $Matches[1].Trim() -eq 'EXAMPLES'
                continue
            }
            if (-not $inExamples) { continue }
            if ($line -match '^###\s+(.+?)\s*$') {
                & $flush
                $title = $Matches[1]; $code = $null; $done = $false
                continue
            }
            if ($title -and -not $done -and $line -match '^\s*```(powershell|ps1|pwsh)\s*$') {
                $code = [System.Collections.Generic.List[string]]::new(); $inCode = $true
            }
        }
        & $flush
        $found
    }

    $docs = Join-Path $PSScriptRoot '../../docs/help'
    $script:Examples = @(Get-ChildItem -Path $docs -Filter '*.md' -File |
            Where-Object { $_.BaseName -match '^[A-Za-z]+-[A-Za-z]+$' } | Sort-Object Name |
            ForEach-Object { Get-HelpExample $_.FullName })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # The only examples that may stay out of the run: '<Command>/<title>' -> what must be true of the code.
    $script:NotRunnable = @{
        # Reads a real API token at an interactive prompt and checks it against the real RunCloud (no -BaseUri).
        'Connect-RunCloud/Example 1: Connect to RunCloud with an API token' = { param($Code) $Code -match 'Read-Host' -and $Code -notmatch '-BaseUri' }
        # A whole Pester test file (BeforeAll/It blocks): it needs Invoke-Pester of its own, not a run inside this one.
        'Start-RunCloudEmulator/Example 3: Use the emulator in your own Pester tests' = { param($Code) $Code -match '(?m)^BeforeAll \{' -and $Code -match "(?m)^It '" }
        # Stores a secret with SecretManagement's Set-Secret in a registered vault (neither is on this project's feeds;
        # Fleet.Tests.ps1 covers -Vault with a stand-in Get-Secret).
        'Connect-RunCloud/Example 7: Read the token from a SecretManagement vault' = { param($Code) $Code -match 'Set-Secret -Vault' -and $Code -match 'Read-Host' }
        # Reads a real UM network's REST API with a key and secret typed at a prompt (xunit and Pester's
        # MappedDomain.Tests.ps1 cover REST against a fake UM endpoint).
        'Get-RunCloudMappedDomain/Example 6: Read UM''s REST API from another machine' = { param($Code) $Code -match 'Get-Credential' -and $Code -match 'https://network\.example\.com' }
        # Installs into (and removes from) the real crontab of the account running the tests.
        'Unregister-RunCloudSyncTask/Example 3: Remove the task a registration returned' = { param($Code) $Code -match '-Scheduler Cron' -and $Code -notmatch '-OutputPath|-WhatIf' }
    }

    . (Join-Path $PSScriptRoot 'MariaDb.ps1')
    $script:Db = Start-TestMariaDb

    # A fake WP-CLI for the examples that pipe `wp site list --format=json` into the module.
    $script:FakeBin = Join-Path $TestDrive 'fake-bin'
    New-Item -ItemType Directory -Path $script:FakeBin | Out-Null
    $sites = '[{"blog_id":"1","url":"https://shop.example.com/","last_updated":"2026-01-01 00:00:00","registered":"2025-01-01 00:00:00"},{"blog_id":"2","url":"https://blog.example.net/","last_updated":"2026-01-01 00:00:00","registered":"2025-01-01 00:00:00"}]'
    # UM's calls: the network facts (eval-file) and the mapping list, for network.com with two mappings.
    $umFacts = 'RUNCLOUD-UM-FACTS:{"subdomain_install":true,"main_network_id":1,"base_prefix":"wp_","networks":[{"id":1,"domain":"network.com","path":"/","has_settings":true,"www":"always"}],"blogs":[{"blog_id":1,"site_id":1,"domain":"network.com","path":"/","archived":0,"spam":0,"deleted":0},{"blog_id":2,"site_id":1,"domain":"shop.network.com","path":"/","archived":0,"spam":0,"deleted":0}],"tables":[{"name":"wp_wu_domain_mappings","rows":2}]}'
    $umList = '[{"id":"1","blog_id":"2","domain":"shop-example.com","active":"1","primary_domain":"1","secure":"1","stage":"done","date_created":"2025-03-02 10:00:00","date_modified":null},{"id":"2","blog_id":"2","domain":"pending-dns.com","active":"1","primary_domain":"0","secure":"0","stage":"checking-dns","date_created":"2025-03-03 10:00:00","date_modified":null}]'
    if ($IsWindows) {
        Set-Content -Path (Join-Path $script:FakeBin 'wp.cmd') -Value "@echo off`r`nif `"%1 %2`"==`"site list`" (echo $sites) else (echo fake wp: unexpected %* 1>&2 & exit /b 1)"
    }
    else {
        $wp = Join-Path $script:FakeBin 'wp'
        Set-Content -Path $wp -Value @(
            '#!/bin/sh'
            "if [ `"`$1 `$2`" = 'site list' ]; then echo '$sites'; exit 0; fi"
            "if [ `"`$1`" = 'eval-file' ] && grep -q 'runcloud-um:facts' `"`$2`"; then echo 'PHP Notice:  Undefined index: HTTP_HOST'; echo '$umFacts'; exit 0; fi"
            "if [ `"`$1 `$2 `$3`" = 'wu domain list' ]; then echo '$umList'; exit 0; fi"
            'echo "fake wp: unexpected $*" >&2; exit 1'
        )
        chmod +x $wp
    }

    # A self-signed certificate and key for shop.example.com, in PEM, for the custom-certificate examples.
    function New-TestCertificatePem([string] $Directory) {
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        try {
            $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=shop.example.com', $rsa,
                [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
            $cert = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(90))
            Set-Content -Path (Join-Path $Directory 'shop.example.com.crt') -Value $cert.ExportCertificatePem()
            Set-Content -Path (Join-Path $Directory 'shop.example.com.key') -Value $rsa.ExportPkcs8PrivateKeyPem()
            $cert.Dispose()
        }
        finally { $rsa.Dispose() }
    }

    $script:EnvNames = 'RUNCLOUD_API_TOKEN', 'RUNCLOUD_API_KEY', 'RUNCLOUD_API_SECRET', 'RUNCLOUD_SERVER_ID', 'RUNCLOUD_APP_ID',
    'RUNCLOUD_BASE_URI', 'RUNCLOUD_API_VERSION', 'WU_RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_API_KEY', 'WU_RUNCLOUD_API_SECRET',
    'WU_RUNCLOUD_SERVER_ID', 'WU_RUNCLOUD_APP_ID', 'RUNCLOUD_TOKEN_SHOP'
    $script:SavedEnv = @{}
    foreach ($n in $script:EnvNames) { $script:SavedEnv[$n] = [Environment]::GetEnvironmentVariable($n) }
}

AfterAll {
    foreach ($n in $script:EnvNames) { [Environment]::SetEnvironmentVariable($n, $script:SavedEnv[$n]) }
    Stop-TestMariaDb $script:Db
}

Describe 'Help example of <Command>' -ForEach @($script:Examples | Group-Object { $_.Command } | ForEach-Object { @{ Command = $_.Name; Items = @($_.Group) } }) {
    It 'has at least two examples that run in the tests' {
        @($Items | Where-Object { -not $_.SkipReason }).Count | Should -BeGreaterOrEqual 2
    }

    It '<Title>' -ForEach $Items {
        if ($SkipReason) {
            $key = "$Command/$Title"
            $script:NotRunnable.ContainsKey($key) | Should -BeTrue -Because "'$key' says '# not run in tests' but is not a listed exclusion: make it runnable"
            (& $script:NotRunnable[$key] $Code) | Should -BeTrue -Because "'$key' is excluded for needing '$SkipReason', which its code no longer shows"
            Set-ItResult -Skipped -Because $SkipReason
            return
        }
        Get-Command -Name $Command -Module RunCloud.PowerShell, RunCloud.PowerShell.Emulator -ErrorAction SilentlyContinue |
            Should -Not -BeNullOrEmpty -Because "$Command must be exported by the built modules"
        $Code | Should -Not -BeNullOrEmpty -Because 'every example has a ```powershell block'

        # A fresh directory, emulator, connection and environment for every example.
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        New-Item -ItemType Directory -Path $dir | Out-Null
        Push-Location -LiteralPath $dir
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0
        try {
            Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0
            Set-Content -Path domains.csv -Value 'Name', 'shop.example.net', 'shop-eu.example.net', 'shop.example.org'
            New-TestCertificatePem $dir
            Set-Content -Path wp-config.php -Value @(
                '<?php'
                "define( 'DB_NAME', '$($script:Db.Database)' );"
                "define( 'DB_USER', '$($script:Db.User)' );"
                "define( 'DB_PASSWORD', '$($script:Db.Password)' );"
                "define( 'DB_HOST', '127.0.0.1:$($script:Db.Port)' );"
                "`$table_prefix = 'wp_';"
                "define( 'SUBDOMAIN_INSTALL', true );"
                "define( 'WU_RUNCLOUD_API_TOKEN', '$($e.Token)' );"
                "define( 'WU_RUNCLOUD_SERVER_ID', '1001' );"
                "define( 'WU_RUNCLOUD_APP_ID', '2001' );"
                "require_once ABSPATH . 'wp-settings.php';"
            )
            foreach ($n in $script:EnvNames) { [Environment]::SetEnvironmentVariable($n, $null) }
            $env:WU_RUNCLOUD_API_TOKEN = $e.Token
            $env:WU_RUNCLOUD_SERVER_ID = '1001'
            $env:WU_RUNCLOUD_APP_ID = '2001'
            $savedPath = $env:PATH
            $env:PATH = $script:FakeBin + [IO.Path]::PathSeparator + $env:PATH

            $example = [scriptblock]::Create($Code)
            $thrown = $null
            $records = @()
            try {
                $ErrorActionPreference = 'Continue'
                # & runs the example in a child scope of this one: it sees $e, and its variables vanish afterwards.
                $records = @(& $example *>&1)
            }
            catch {
                $thrown = $_
            }
            finally {
                $ErrorActionPreference = 'Stop'
            }
            $errors = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })

            $thrown | Should -BeNullOrEmpty -Because "the example must not throw ($(if ($thrown) { "$($thrown.FullyQualifiedErrorId): $thrown" }))"
            $errors | Should -BeNullOrEmpty -Because "the example must write no error ($(($errors | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) -join '; '))"
        }
        finally {
            if ($savedPath) { $env:PATH = $savedPath }
            Pop-Location
            Disconnect-RunCloud
            Stop-RunCloudEmulator
            foreach ($n in $script:EnvNames) { [Environment]::SetEnvironmentVariable($n, $script:SavedEnv[$n]) }
        }
    }
}
