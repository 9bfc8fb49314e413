# Destructive operations can never remove the wrong thing or leave a certificate short.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Piped objects act where they came from' {
    BeforeEach {
        $script:a = Start-RunCloudEmulator -RateLimitPerMinute 0
        $script:b = Start-RunCloudEmulator -RateLimitPerMinute 0
        $null = $script:a.State.AddDomain(1001, 2001, 'same.example.com')
        $null = $script:b.State.AddDomain(1001, 2001, 'same.example.com')
        $script:cb = Connect-TestEmulator $script:b -PassThru
        $script:ca = Connect-TestEmulator $script:a -PassThru    # connected last: the default connection
    }
    AfterEach {
        Stop-RunCloudEmulator -Emulator $script:a
        Stop-RunCloudEmulator -Emulator $script:b
        Disconnect-RunCloud -ErrorAction SilentlyContinue
    }

    It 'a domain read through -Connection $b is removed on $b, by id, with no re-listing; the default account is untouched' {
        $d = Get-RunCloudDomain -Connection $script:cb -Name 'same.example.com'
        $d | Get-RunCloudConnection | Should -Be $script:cb
        $d.PSObject.Properties.Name | Should -Not -Contain 'Connection'
        $script:a.ClearRequests(); $script:b.ClearRequests()
        $d | Remove-RunCloudDomain -Force
        Get-EmulatorDomainName $script:b | Should -Not -Contain 'same.example.com'
        Get-EmulatorDomainName $script:a | Should -Contain 'same.example.com'
        @($script:a.GetRequests()) | Should -BeNullOrEmpty
        # The SSL mode is read first (advanced mode releases the domain's own certificate); still no re-listing.
        @($script:b.GetRequests() | ForEach-Object { "$($_.Method) $($_.Path)" }) | Should -Be @('GET /api/v3/servers/1001/webapps/2001/ssl', "DELETE /api/v3/servers/1001/webapps/2001/domains/$($d.Id)")
    }

    It 'a piped object and a different -Connection is an error before any request' {
        $d = Get-RunCloudDomain -Connection $script:cb -Name 'same.example.com'
        $script:a.ClearRequests(); $script:b.ClearRequests()
        { $d | Remove-RunCloudDomain -Connection $script:ca -Force } | Should -Throw -ErrorId 'RunCloudConnectionMismatch,*'
        @($script:a.GetRequests()) + @($script:b.GetRequests()) | Should -BeNullOrEmpty
        Get-EmulatorDomainName $script:b | Should -Contain 'same.example.com'
    }

    It 'a web app read through -Connection $b takes Get-/Add-RunCloudDomain and Reset-RunCloudSsl to $b, never the default account' {
        $app = Get-RunCloudWebApp -Connection $script:cb -ServerId 1001 | Where-Object Id -EQ 2001
        $script:a.ClearRequests()
        @($app | Get-RunCloudDomain).Name | Should -Contain 'same.example.com'
        $app | Add-RunCloudDomain -Name 'only-b.example.com'
        $app | Reset-RunCloudSsl -Confirm:$false
        Get-EmulatorDomainName $script:b | Should -Contain 'only-b.example.com'
        Get-EmulatorDomainName $script:a | Should -Not -Contain 'only-b.example.com'
        @($script:a.GetRequests()) | Should -BeNullOrEmpty
        Get-RunCloudDomain -Connection $script:cb -Name 'only-b.example.com' | Get-RunCloudConnection | Should -Be $script:cb
        { $app | Add-RunCloudDomain -Name 'x.example.com' -Connection $script:ca } | Should -Throw -ErrorId 'RunCloudConnectionMismatch,*'
        @($script:a.GetRequests()) | Should -BeNullOrEmpty
    }

    It 'a piped server with the default web app id of another server is an error before any request' {
        $server = Get-RunCloudServer | Where-Object Id -EQ 1002
        $script:a.ClearRequests()
        { $server | Get-RunCloudDomain } | Should -Throw -ErrorId 'RunCloudWebAppIdRequired,*'
        { $server | Add-RunCloudDomain -Name 'x.example.com' } | Should -Throw -ErrorId 'RunCloudWebAppIdRequired,*'
        @($script:a.GetRequests()) | Should -BeNullOrEmpty
    }
}

Describe '-Force only skips the prompt' {
    BeforeEach { $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0; Connect-TestEmulator $script:e }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e; Disconnect-RunCloud -ErrorAction SilentlyContinue }

    It 'Remove-RunCloudDomain -Force keeps the primary domain; -IncludePrimary is the explicit override' {
        $primary = Get-RunCloudDomain | Where-Object Type -EQ 'primary'
        $primary | Remove-RunCloudDomain -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudPrimaryDomainProtected,*'
        $err[0].Exception.Message | Should -BeLike '*-IncludePrimary*'
        Get-EmulatorDomainName $script:e | Should -Contain $primary.Name
        Get-RunCloudEmulatorRequest -Method DELETE | Should -BeNullOrEmpty
        # -IncludePrimary lets the request through; RunCloud itself then refuses while the app has no other primary.
        $primary | Remove-RunCloudDomain -Force -IncludePrimary -ErrorVariable err2 -ErrorAction SilentlyContinue
        @(Get-RunCloudEmulatorRequest -Method DELETE).Count | Should -Be 1
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudValidationFailed,*'
    }
}

Describe 'Names are normalised on both sides' {
    BeforeEach { $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0; Connect-TestEmulator $script:e; $null = $script:e.State.AddDomain(1001, 2001, 'xn--bcher-kva.example.com') }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e; Disconnect-RunCloud -ErrorAction SilentlyContinue }

    It 'Get-RunCloudDomain -Name <Name> finds the punycode domain' -ForEach @(@{ Name = 'bücher.example.com' }, @{ Name = 'BÜCHER.Example.com.' }, @{ Name = 'xn--bcher-kva.example.com' }, @{ Name = 'bü*' }) {
        (Get-RunCloudDomain -Name $Name).Name | Should -Be 'xn--bcher-kva.example.com'
    }

    It 'Sync -Exclude in Unicode protects the punycode domain from -Prune' {
        $r = Sync-RunCloudDomain -Domain 'shop.example.com' -Prune -Exclude 'bücher.example.com' -NoSslReset
        $r.Removed | Should -Not -Contain 'xn--bcher-kva.example.com'
        Get-EmulatorDomainName $script:e | Should -Contain 'xn--bcher-kva.example.com'
    }
}

Describe 'The journal makes Add-/Remove-RunCloudDomain -ResetSsl and Reset-RunCloudSsl finish an owed redeploy' {
    BeforeEach {
        $env:RUNCLOUD_STATE_PATH = Join-Path $script:TestStatePath ([guid]::NewGuid().ToString('N'))
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0; Connect-TestEmulator $script:e
    }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e; Disconnect-RunCloud -ErrorAction SilentlyContinue }

    It 'a failed redeploy after Add-RunCloudDomain -ResetSsl is finished by Reset-RunCloudSsl, which says so' {
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*' | Out-Null
        Add-RunCloudDomain -Name 'late.example.com' -ResetSsl -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Exception.Message -join ' ' | Should -Not -BeNullOrEmpty
        ($err | ForEach-Object { "$($_.ErrorDetails.Message)" }) -join ' ' | Should -BeLike '*stays owed in the journal*'
        $script:e.GetUncoveredDomains(1001, 2001) | Should -Contain 'late.example.com'
        @(Get-OwedJournal).Count | Should -Be 1

        Reset-RunCloudSsl -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings -join ' ') | Should -BeLike '*left work unfinished*late.example.com*'
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
        @(Get-OwedJournal) | Should -BeNullOrEmpty
    }

    It 'Remove-RunCloudDomain -ResetSsl finishes a redeploy an earlier Add left owed, even when it removes nothing new of its own' {
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*' | Out-Null
        Add-RunCloudDomain -Name 'late.example.com', 'gone.example.com' -ResetSsl -ErrorAction SilentlyContinue
        $script:e.ClearRequests()
        Remove-RunCloudDomain -Name 'gone.example.com' -Force -ResetSsl -WarningAction SilentlyContinue
        @(Get-RunCloudEmulatorRequest -Method PUT).Count | Should -Be 1
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
        @(Get-OwedJournal) | Should -BeNullOrEmpty
    }
}

Describe 'State is keyed by the account''s API host and ids, not by the credential; the state folder is the user''s own' {
    BeforeEach {
        $env:RUNCLOUD_STATE_PATH = Join-Path $script:TestStatePath ([guid]::NewGuid().ToString('N'))
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        function script:Connect-Key {
            Connect-RunCloud -BaseUri $script:e.BaseUri -ApiKey $script:e.ApiKey -ApiSecret (ConvertTo-SecureString $script:e.ApiSecret -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0
        }
    }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e; Disconnect-RunCloud -ErrorAction SilentlyContinue }

    It 'a redeploy owed under a token is finished by the next run under key + secret, and the other way round' {
        Connect-TestEmulator $script:e
        Add-RunCloudEmulatorFault -Emulator $script:e -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*' | Out-Null
        $null = Sync-RunCloudDomain -Domain 'late1.example.com' -ErrorAction SilentlyContinue
        $script:e.GetUncoveredDomains(1001, 2001) | Should -Contain 'late1.example.com'

        Connect-Key
        (Get-RunCloudConnection).AuthenticationKind | Should -Be 'ApiKey'
        $again = Sync-RunCloudDomain -Domain 'late1.example.com' -WarningAction SilentlyContinue
        $again.FinishedPending | Should -Not -BeNullOrEmpty
        $again.SslRedeployed | Should -BeTrue
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty

        Add-RunCloudEmulatorFault -Emulator $script:e -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*' | Out-Null
        $null = Sync-RunCloudDomain -Domain 'late1.example.com', 'late2.example.com' -ErrorAction SilentlyContinue
        Connect-TestEmulator $script:e
        (Sync-RunCloudDomain -Domain 'late1.example.com', 'late2.example.com' -WarningAction SilentlyContinue).FinishedPending | Should -Not -BeNullOrEmpty
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
        @(Get-OwedJournal) | Should -BeNullOrEmpty
    }

    It 'a journal the previous module left (named by the credential''s fingerprint) is finished and taken over' {
        Connect-TestEmulator $script:e
        $root = (Get-RunCloudConnection).BaseUri.GetLeftPart([UriPartial]::Path).TrimEnd('/').ToLowerInvariant()
        $hash = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes("$root`ntoken:$($script:e.Token)"))
        $fingerprint = -join ($hash[0..7] | ForEach-Object { $_.ToString('x2') })
        # The previous module added late.example.com, then died before the redeploy.
        $null = $script:e.State.AddDomain(1001, 2001, 'late.example.com')
        $null = New-Item -ItemType Directory -Path $env:RUNCLOUD_STATE_PATH
        if (-not $IsWindows) { chmod 700 $env:RUNCLOUD_STATE_PATH }
        $legacy = Join-Path $env:RUNCLOUD_STATE_PATH "$fingerprint-s1001-w2001.json"
        @{ version = 1; account = $fingerprint; baseUri = "$root/"; serverId = 1001; webAppId = 2001; createdAt = '2025-05-01T00:00:00Z'
           updatedAt = '2025-05-01T00:00:00Z'; writtenBy = 'Sync-RunCloudDomain'; pendingAdds = @(); pendingRemovals = @()
           sslRedeployPending = $true; sslReason = 'added late.example.com'; sslDomains = @(); extensions = @{} } | ConvertTo-Json | Set-Content $legacy

        $r = Sync-RunCloudDomain -Domain 'late.example.com' -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings -join ' ') | Should -BeLike '*left work unfinished*added late.example.com*'
        $r.SslRedeployed | Should -BeTrue
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
        Test-Path $legacy | Should -BeFalse
        @(Get-OwedJournal) | Should -BeNullOrEmpty
    }

    It 'two processes with different credentials for one app: the second finds the app locked and sends nothing' {
        # The child (key + secret) hangs 4 s in its add while holding the app's lock.
        Add-RunCloudEmulatorFault -Emulator $script:e -Kind Latency -LatencyMilliseconds 4000 -Count 1 -Method POST -Path 'servers/*/webapps/*/domains' | Out-Null
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $child = @"
Import-Module '$script:ModulePath'
Connect-RunCloud -BaseUri '$($script:e.BaseUri)' -ApiKey '$($script:e.ApiKey)' -ApiSecret (ConvertTo-SecureString '$($script:e.ApiSecret)' -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0
Sync-RunCloudDomain -Domain 'child.example.com' -NoSslReset | Out-Null
"@
        $job = Start-ThreadJob { param($exe, $rest, $child) & $exe @rest -NoProfile -NonInteractive -Command $child 2>&1 } -ArgumentList $exe, $rest, $child
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            # The child lists the app's domains only once it holds the lock; its add then hangs.
            while (-not @(Get-RunCloudEmulatorRequest -Emulator $script:e -Method GET -Path 'servers/1001/webapps/2001/domains').Count -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            Connect-TestEmulator $script:e
            $script:e.ClearRequests()
            $err = $null
            try { Sync-RunCloudDomain -Domain 'parent.example.com' -LockTimeout 0 } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -BeLike 'RunCloudAppLocked,*'
            @(Get-RunCloudEmulatorRequest -Emulator $script:e | Where-Object { $_.Body -like '*parent*' -or $_.Method -eq 'GET' }) | Should -BeNullOrEmpty
        }
        finally { $null = $job | Wait-Job -Timeout 60; $job | Remove-Job -Force }
        (Sync-RunCloudDomain -Domain 'parent.example.com' -LockTimeout 0 -WarningAction SilentlyContinue).Added | Should -Be @('parent.example.com')
    }

    It 'a state folder others can write is refused before any request, naming the folder, its mode and the fix' -Skip:$IsWindows {
        $null = New-Item -ItemType Directory -Path $env:RUNCLOUD_STATE_PATH
        chmod 777 $env:RUNCLOUD_STATE_PATH
        Connect-TestEmulator $script:e
        $script:e.ClearRequests()
        $err = $null
        try { Sync-RunCloudDomain -Domain 'shop.example.com', 'new.example.com' -Prune -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'RunCloudStateUnsafe,*'
        "$err" | Should -BeLike "*$($env:RUNCLOUD_STATE_PATH) is writable by its group and by others (owner user id *, mode 0777)*chmod 700 '$($env:RUNCLOUD_STATE_PATH)'*RUNCLOUD_STATE_PATH*"
        Get-RunCloudEmulatorRequest -Emulator $script:e | Should -BeNullOrEmpty
        chmod 700 $env:RUNCLOUD_STATE_PATH
        (Sync-RunCloudDomain -Domain 'shop.example.com', 'new.example.com' -NoSslReset -WarningAction SilentlyContinue).Added | Should -Be @('new.example.com')
    }

    It 'a state folder the module creates is 0700' -Skip:$IsWindows {
        Connect-TestEmulator $script:e
        $null = Sync-RunCloudDomain -Domain 'shop.example.com' -NoSslReset
        [int](Get-Item $env:RUNCLOUD_STATE_PATH).UnixFileMode | Should -Be 448   # 0700
    }
}

Describe 'Reset-RunCloudSsl -Reinstall never leaves an app silently without a certificate' {
    BeforeEach {
        $env:RUNCLOUD_STATE_PATH = Join-Path $script:TestStatePath ([guid]::NewGuid().ToString('N'))
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0; Connect-TestEmulator $script:e
        $policy = (Get-RunCloudConnection).RetryPolicy
        $policy.BaseDelay = [TimeSpan]::FromMilliseconds(20); $policy.MaxDelay = [TimeSpan]::FromMilliseconds(50)
        $script:e.ClearRequests()
    }
    AfterEach { Stop-RunCloudEmulator -Emulator $script:e; Disconnect-RunCloud -ErrorAction SilentlyContinue }

    It 'refuses dns-01 without -ExternalApi before any request (RunCloud would refuse it after the uninstall)' {
        { Reset-RunCloudSsl -Reinstall -AuthorizationMethod dns-01 -Confirm:$false } | Should -Throw -ErrorId 'RunCloudInvalidInput,*'
        Get-RunCloudEmulatorRequest | Should -BeNullOrEmpty
        $script:e.State.GetSsl(1001, 2001) | Should -Not -BeNullOrEmpty
    }

    It 'refuses a custom certificate that is not PEM before any request' {
        $key = ConvertTo-SecureString 'not a key' -AsPlainText -Force
        { Reset-RunCloudSsl -Reinstall -Provider custom -Certificate 'junk' -PrivateKey $key -Confirm:$false } | Should -Throw -ErrorId 'RunCloudInvalidInput,*'
        Get-RunCloudEmulatorRequest | Should -BeNullOrEmpty
    }

    It 'changes only settings in place with PATCH (and a redeploy), never uninstalling' {
        Reset-RunCloudSsl -Reinstall -EnableHsts -Confirm:$false
        @(Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET' | ForEach-Object Method) | Should -Be @('PATCH', 'PUT')
        $script:e.State.GetSsl(1001, 2001).EnableHsts | Should -BeTrue
    }

    It 'retries the install after the uninstall when RunCloud fails, and ends with a certificate' {
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 2 -Method POST -Path 'servers/*/webapps/*/ssl' | Out-Null
        Reset-RunCloudSsl -Reinstall -Environment staging -Confirm:$false
        @(Get-RunCloudEmulatorRequest -Method POST).Count | Should -Be 3
        $script:e.State.GetSsl(1001, 2001) | Should -Not -BeNullOrEmpty
        @(Get-OwedJournal) | Should -BeNullOrEmpty
    }

    It 'when the install keeps failing: an error that says the app has no certificate now, a journal entry, and the next run restores one' {
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 422 -Count 1 -Method POST -Path 'servers/*/webapps/*/ssl' | Out-Null
        Reset-RunCloudSsl -Reinstall -Environment staging -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSslReinstallFailed,*'
        $err[0].ErrorDetails.Message | Should -BeLike '*has NO SSL certificate now*journal*'
        $script:e.State.GetSsl(1001, 2001) | Should -BeNullOrEmpty
        $journal = Get-OwedJournal | Get-Content -Raw | ConvertFrom-Json
        $journal.sslReinstall.environment | Should -Be 'staging'

        $r = Sync-RunCloudDomain -Domain 'shop.example.com' -WarningAction SilentlyContinue
        $r.FinishedPending | Should -BeLike '*reinstall*'
        $script:e.State.GetSsl(1001, 2001) | Should -Not -BeNullOrEmpty
        $script:e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
        @(Get-OwedJournal) | Should -BeNullOrEmpty
    }

    It 'in advanced mode deletes each per-domain certificate before installing the new one' {
        $null = $script:e.State.UninstallSsl(1001, 2001)
        $script:e.State.SetSslMode(1001, 2001, $true)
        Reset-RunCloudSsl -Domain 'shop.example.com' -Confirm:$false
        $d = Get-RunCloudDomain -Name 'shop.example.com'
        $script:e.ClearRequests()
        Reset-RunCloudSsl -Domain 'shop.example.com' -Reinstall -Confirm:$false
        @(Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET' | ForEach-Object { "$($_.Method) $($_.Path -replace '/\d+$', '/{ssl}')" }) |
            Should -Be @("DELETE /api/v3/servers/1001/webapps/2001/domains/$($d.Id)/ssl/{ssl}", "POST /api/v3/servers/1001/webapps/2001/domains/$($d.Id)/ssl")
    }
}

Describe 'A wp-config.php that defines the ids per environment is never guessed' {
    BeforeAll {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        $script:wp = Join-Path $TestDrive 'wp-config.php'
        Set-Content -Path $script:wp -Encoding utf8NoBOM -Value @"
<?php
define('WU_RUNCLOUD_API_TOKEN', '$($script:e.Token)');
if (getenv('WP_ENV') === 'staging') {
    define('WU_RUNCLOUD_APP_ID', 2002);
} else {
    define('WU_RUNCLOUD_APP_ID', 2001);
}
define('WU_RUNCLOUD_SERVER_ID', 1001);
"@
    }
    AfterAll { Stop-RunCloudEmulator -Emulator $script:e; Disconnect-RunCloud -ErrorAction SilentlyContinue }

    It 'Connect-RunCloud -WpConfigPath stops with RunCloudInvalidWpConfig naming the lines, and sends nothing' {
        $script:e.ClearRequests()
        $err = $null
        try { Connect-RunCloud -WpConfigPath $script:wp -BaseUri $script:e.BaseUri } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'RunCloudInvalidWpConfig,*'
        $err.Exception.Message | Should -BeLike '*WU_RUNCLOUD_APP_ID*lines 4, 6*-WebAppId*'
        $err.Exception.Message | Should -Not -BeLike "*$($script:e.Token)*"
        Get-RunCloudEmulatorRequest | Should -BeNullOrEmpty
    }

    It 'with the web app id passed explicitly, the file is used for its credentials' {
        Connect-RunCloud -WpConfigPath $script:wp -BaseUri $script:e.BaseUri -WebAppId 2002
        (Get-RunCloudConnection).WebAppId | Should -Be 2002
        (Get-RunCloudConnection).ServerId | Should -Be 1001
    }
}
