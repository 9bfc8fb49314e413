# The scheduled sync as a product: manifests that open their own connections, Invoke-RunCloudScheduledSync's
# exit codes, log and result, and Register-/Unregister-RunCloudSyncTask (files, validation, installs through stand-in
# tools). The command lines run end to end from a packaged install in SyncTaskEndToEnd.Tests.ps1.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:StandIn = Join-Path $PSScriptRoot 'fixtures/SecretStandIn/SecretStandIn.psm1'
    # Two emulators = two RunCloud accounts.
    $script:emuA = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:emuB = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:Saved = @{}
    foreach ($n in 'RUNCLOUD_TOKEN_A', 'RUNCLOUD_TOKEN_B', 'RUNCLOUD_API_TOKEN', 'RUNCLOUD_SERVER_ID', 'RUNCLOUD_APP_ID', 'RUNCLOUD_BASE_URI',
        'WU_RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_SERVER_ID', 'WU_RUNCLOUD_APP_ID', 'CREDENTIALS_DIRECTORY') {
        $script:Saved[$n] = [Environment]::GetEnvironmentVariable($n)
        [Environment]::SetEnvironmentVariable($n, $null)
    }

    function script:Names($Emulator, [long] $App = 2001) { @($Emulator.State.GetDomains(1001, $App).Name) }

    # A manifest file (JSON) in the test drive; returns its path.
    function script:New-Manifest([hashtable] $Connections, [object[]] $Targets, [string] $Name = 'fleet.json') {
        $document = [ordered]@{}
        if ($Connections) { $document.connections = $Connections }
        $document.targets = $Targets
        $path = Join-Path $TestDrive $Name
        $document | ConvertTo-Json -Depth 8 | Set-Content -Path $path
        $path
    }

    function script:Private([string] $Path) { if (-not $IsWindows) { chmod 600 $Path } }
}

AfterAll {
    Disconnect-RunCloud -All
    Remove-Module SecretStandIn -ErrorAction Ignore
    $script:emuA, $script:emuB | Stop-RunCloudEmulator
    foreach ($pair in $script:Saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) }
}

Describe 'A manifest''s connections map opens each account without a secret in the manifest' {
    BeforeEach {
        Disconnect-RunCloud -All
        Remove-Module SecretStandIn -ErrorAction Ignore
        $env:RUNCLOUD_TOKEN_A = $null; $env:RUNCLOUD_TOKEN_B = $null
    }

    It 'tokenEnvironmentVariable: the variable the manifest names holds the token' {
        $env:RUNCLOUD_TOKEN_A = $script:emuA.Token
        $m = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'env-a.example.com') })
        $r = Sync-RunCloudDomain -Manifest $m -Force -SkipDnsCheck
        ($r | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] }).Status | Should -Be 'Applied'
        Names $script:emuA | Should -Contain 'env-a.example.com'
        Get-RunCloudConnection -Name clientA -ErrorAction SilentlyContinue | Should -BeNullOrEmpty -Because 'a manifest connection lives for the command only'
    }

    It 'tokenEnvironmentVariable: an unset variable stops the command before any request, naming the variable' {
        $m = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('x.example.com') })
        $script:emuA.ClearRequests()
        { Sync-RunCloudDomain -Manifest $m -Force } | Should -Throw -ErrorId 'RunCloudCredentialsNotFound,*' -ExpectedMessage '*connection ''clientA''*RUNCLOUD_TOKEN_A*not set*'
        @($script:emuA.GetRequests()) | Should -BeNullOrEmpty
    }

    It 'vault + secretName: read through Get-Secret (the SecretManagement stand-in)' {
        Import-Module $script:StandIn -Force
        Set-StandInSecret -Vault Company -Name runcloud-b -Secret (ConvertTo-SecureString $script:emuB.Token -AsPlainText -Force)
        $m = New-Manifest @{ clientB = @{ baseUri = $script:emuB.BaseUri.AbsoluteUri; vault = 'Company'; secretName = 'runcloud-b' } } @(
            @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'vault-b.example.com') })
        Sync-RunCloudDomain -Manifest $m -Force -SkipDnsCheck | Out-Null
        Names $script:emuB | Should -Contain 'vault-b.example.com'
    }

    It 'vault + secretName: a secret the vault does not hold is a configuration error naming vault and secret' {
        Import-Module $script:StandIn -Force
        $m = New-Manifest @{ clientB = @{ baseUri = $script:emuB.BaseUri.AbsoluteUri; vault = 'Company'; secretName = 'missing' } } @(
            @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('x.example.com') })
        { Sync-RunCloudDomain -Manifest $m -Force } | Should -Throw -ErrorId 'RunCloudCredentialsNotFound,*' -ExpectedMessage "*secret 'missing'*vault 'Company'*"
    }

    It 'credentialPath: an Export-Clixml PSCredential (API key + secret, v2) and a SecureString (token)' {
        $cred = Join-Path $TestDrive 'clientA-cred.xml'
        [pscredential]::new($script:emuA.ApiKey, (ConvertTo-SecureString $script:emuA.ApiSecret -AsPlainText -Force)) | Export-Clixml -Path $cred
        Private $cred
        $tok = Join-Path $TestDrive 'secrets/clientB.xml'
        New-Item -ItemType Directory -Force -Path (Split-Path $tok) | Out-Null
        ConvertTo-SecureString $script:emuB.Token -AsPlainText -Force | Export-Clixml -Path $tok
        Private $tok
        $m = New-Manifest @{
            clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; credentialPath = $cred; apiVersion = 'v2' }
            clientB = @{ baseUri = $script:emuB.BaseUri.AbsoluteUri; credentialPath = 'secrets/clientB.xml' }   # relative to the manifest
        } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'file-a.example.com') }
            @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'file-b.example.com') })
        $script:emuA.ClearRequests()
        Sync-RunCloudDomain -Manifest $m -Force -SkipDnsCheck | Out-Null
        Names $script:emuA | Should -Contain 'file-a.example.com'
        Names $script:emuB | Should -Contain 'file-b.example.com'
        @($script:emuA.GetRequests().AuthScheme | Select-Object -Unique) | Should -Be 'Basic'
        @($script:emuA.GetRequests().Path | Select-Object -First 1) | Should -BeLike '/api/v2/*'
    }

    It 'credentialPath: on Linux a file its group or others may read is refused (Export-Clixml does not encrypt there)' -Skip:$IsWindows {
        $tok = Join-Path $TestDrive 'open.xml'
        ConvertTo-SecureString $script:emuB.Token -AsPlainText -Force | Export-Clixml -Path $tok
        chmod 644 $tok
        $m = New-Manifest @{ clientB = @{ baseUri = $script:emuB.BaseUri.AbsoluteUri; credentialPath = $tok } } @(
            @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('x.example.com') })
        $err = { Sync-RunCloudDomain -Manifest $m -Force } | Should -Throw -ErrorId 'RunCloudCredentialsNotFound,*' -PassThru
        "$err" | Should -BeLike '*mode 0644*chmod 600*'
        "$err" | Should -Not -Match ([regex]::Escape($script:emuB.Token))
    }

    It 'credentialPath: under systemd the copy LoadCredential= put in $CREDENTIALS_DIRECTORY is read' -Skip:$IsWindows {
        $dir = Join-Path $TestDrive 'credentials'
        New-Item -ItemType Directory -Force -Path $dir | Out-Null
        ConvertTo-SecureString $script:emuB.Token -AsPlainText -Force | Export-Clixml -Path (Join-Path $dir 'clientB')
        chmod 400 (Join-Path $dir 'clientB')
        $m = New-Manifest @{ clientB = @{ baseUri = $script:emuB.BaseUri.AbsoluteUri; credentialPath = '/nonexistent/root-only.xml' } } @(
            @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'loaded-b.example.com') })
        try {
            $env:CREDENTIALS_DIRECTORY = $dir
            Sync-RunCloudDomain -Manifest $m -Force -SkipDnsCheck | Out-Null
        }
        finally { $env:CREDENTIALS_DIRECTORY = $null }
        Names $script:emuB | Should -Contain 'loaded-b.example.com'
    }

    It 'a connection already open in the session under that name wins over the manifest''s description' {
        # The manifest points clientA at account A with a variable that is not even set; the session's clientA is account B.
        Connect-RunCloud -Name clientA -Token (ConvertTo-SecureString $script:emuB.Token -AsPlainText -Force) -BaseUri $script:emuB.BaseUri -RateLimit 0
        $m = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'session-wins.example.com') })
        Sync-RunCloudDomain -Manifest $m -Force -SkipDnsCheck | Out-Null
        Names $script:emuB | Should -Contain 'session-wins.example.com'
        Names $script:emuA | Should -Not -Contain 'session-wins.example.com'
    }

    It 'a field that looks like a secret is refused, naming it and not its value' {
        $m = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; token = 'rc-pasted-token-value' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('x.example.com') })
        $err = { Sync-RunCloudDomain -Manifest $m -Force } | Should -Throw -ErrorId 'RunCloudInvalidManifest,*' -PassThru
        "$err" | Should -BeLike "*connection 'clientA'*field 'token' looks like a credential*"
        "$err" | Should -Not -BeLike '*rc-pasted-token-value*'
    }

    It 'New-RunCloudSyncPlan -Manifest opens the connections the same way' {
        $env:RUNCLOUD_TOKEN_A = $script:emuA.Token
        $m = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'planned.example.com') })
        $plan = New-RunCloudSyncPlan -Manifest $m -OutFile (Join-Path $TestDrive 'plan.json')
        $plan.Add | Should -Contain 'planned.example.com'
    }
}

Describe 'Invoke-RunCloudScheduledSync' {
    BeforeEach {
        Disconnect-RunCloud -All
        $script:Log = Join-Path $TestDrive "logs/$([guid]::NewGuid().ToString('N')).log"
        $env:RUNCLOUD_TOKEN_A = $script:emuA.Token
        $env:RUNCLOUD_TOKEN_B = $script:emuB.Token
        $global:LASTEXITCODE = 99
    }

    It 'runs a two-account manifest: exit 0, $LASTEXITCODE, a result, and a log without any token' {
        $m = New-Manifest @{
            clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' }
            clientB = @{ baseUri = $script:emuB.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_B' }
        } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'two-a.example.com') }
            @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'two-b.example.com') })
        $r = Invoke-RunCloudScheduledSync -Manifest $m -LogPath $script:Log -SkipDnsCheck
        $r.ExitCode | Should -Be 'Success'
        $r.Code | Should -Be 0
        $global:LASTEXITCODE | Should -Be 0
        $r.Targets | Should -Be 2
        $r.Added | Should -Be 2
        $r.ApiCalls | Should -BeGreaterThan 0
        Names $script:emuA | Should -Contain 'two-a.example.com'
        Names $script:emuB | Should -Contain 'two-b.example.com'
        $log = Get-Content -Raw $script:Log
        $log | Should -BeLike '*target 1 (clientA*added two-a.example.com*'
        $log | Should -BeLike '*Exit code 0 (Success)*'
        $log | Should -Not -Match ([regex]::Escape($script:emuA.Token))
        $log | Should -Not -Match ([regex]::Escape($script:emuB.Token))
        Get-RunCloudConnection -ListAvailable | Should -BeNullOrEmpty -Because 'the run closes what it opened'
    }

    It 'exits 4 when one account''s token is refused (the other account still syncs), naming the code in one error' {
        $env:RUNCLOUD_TOKEN_B = 'revoked-token-of-b'
        $m = New-Manifest @{
            clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' }
            clientB = @{ baseUri = $script:emuB.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_B' }
        } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'still-a.example.com') }
            @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'never-b.example.com') })
        $r = Invoke-RunCloudScheduledSync -Manifest $m -LogPath $script:Log -SkipDnsCheck -ErrorVariable runErrors -ErrorAction SilentlyContinue
        $r.ExitCode | Should -Be 'CredentialsRefused'
        $global:LASTEXITCODE | Should -Be 4
        @($runErrors).Count | Should -Be 1
        $runErrors[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudScheduledSyncCredentialsRefused,*'
        Names $script:emuA | Should -Contain 'still-a.example.com'
        Get-Content -Raw $script:Log | Should -BeLike '*RunCloudAuthenticationFailed*'
        Get-Content -Raw $script:Log | Should -Not -BeLike '*revoked-token-of-b*'
    }

    It 'exits 1 for a manifest that cannot be read, and 1 for a credential source that is missing' {
        $bad = Join-Path $TestDrive 'bad.json'
        Set-Content $bad '{ "targets": [ { "serverId": 1001 } ] }'
        (Invoke-RunCloudScheduledSync -Manifest $bad -LogPath $script:Log -ErrorAction SilentlyContinue).Code | Should -Be 1
        $env:RUNCLOUD_TOKEN_A = $null
        $m = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('x.example.com') })
        $r = Invoke-RunCloudScheduledSync -Manifest $m -LogPath $script:Log -ErrorAction SilentlyContinue
        $r.Code | Should -Be 1
        $r.Message | Should -BeLike '*RUNCLOUD_TOKEN_A*'
    }

    It 'exits 2 when a target''s guard blocks it, 3 when a change fails (503 to the redeploy)' {
        $script:emuA.State.AddDomains(1001, 2002, [string[]](1..4 | ForEach-Object { "old$_.example.com" })) | Out-Null
        $m = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2002; domains = @('blog.example.com'); prune = $true; maxRemove = 1 })
        (Invoke-RunCloudScheduledSync -Manifest $m -LogPath $script:Log -SkipDnsCheck -ErrorAction SilentlyContinue -WarningAction SilentlyContinue).Code | Should -Be 2
        Names $script:emuA 2002 | Should -Contain 'old1.example.com'

        Add-RunCloudEmulatorFault -Emulator $script:emuA -Kind Status -StatusCode 503 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*' | Out-Null
        $m2 = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com', 'redeploy-503.example.com') }) -Name 'fleet2.json'
        $r = Invoke-RunCloudScheduledSync -Manifest $m2 -LogPath $script:Log -SkipDnsCheck -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $r.Code | Should -Be 3 -Because (Get-Content -Raw $script:Log)
        $global:LASTEXITCODE | Should -Be 3
    }

    It 'a target that fails as a whole exits by its ErrorId: 1 for a wrong web app id, 3 for a server error, and the result names it' {
        $m = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com') }
            @{ connection = 'clientA'; serverId = 1001; webAppId = 99999; domains = @('typo.example.com') }) -Name 'wrong-id.json'
        $r = Invoke-RunCloudScheduledSync -Manifest $m -LogPath $script:Log -SkipDnsCheck -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $r.Code | Should -Be 1 -Because 'a wrong id in the manifest does not heal by itself (a re-run alone will not help)'
        $global:LASTEXITCODE | Should -Be 1
        Get-Content -Raw $script:Log | Should -BeLike '*web app 99999*Failed `[RunCloudNotFound`]*'

        # The fleet result says why, for any script: the failed read's ErrorId.
        $results = @(Sync-RunCloudDomain -Manifest $m -SkipDnsCheck -Force -ErrorAction SilentlyContinue | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudFleetResult] })
        ($results | Where-Object WebAppId -EQ 99999).ErrorId | Should -Be 'RunCloudNotFound'
        ($results | Where-Object WebAppId -EQ 2001).ErrorId | Should -BeNullOrEmpty

        # A server error on the listing (-Full: the source did not change, so only the full check lists): the next run
        # retries it (3), without asking the account again.
        Add-RunCloudEmulatorFault -Emulator $script:emuA -Kind Status -StatusCode 500 -Count 1 -Method GET -Path 'servers/1001/webapps/2001/domains' | Out-Null
        $m2 = New-Manifest @{ clientA = @{ baseUri = $script:emuA.BaseUri.AbsoluteUri; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' } } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com') }) -Name 'server-error.json'
        $script:emuA.ClearRequests()
        $r = Invoke-RunCloudScheduledSync -Manifest $m2 -Full -LogPath $script:Log -SkipDnsCheck -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $r.Code | Should -Be 3 -Because (Get-Content -Raw $script:Log)
        @($script:emuA.GetRequests() | Where-Object Path -Like '*ping*') | Should -BeNullOrEmpty -Because 'the ErrorId says why; no probe call is needed'
    }

    It 'one app''s names: uses the session''s connection, -WhatIf plans, and exit 2 says a guard would stop the real run' {
        Connect-RunCloud -BaseUri $script:emuA.BaseUri -Token (ConvertTo-SecureString $script:emuA.Token -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0
        $script:emuA.State.AddDomain(1001, 2001, 'leaving.example.com') | Out-Null
        $script:emuA.ClearRequests()
        $r = Invoke-RunCloudScheduledSync -Name 'shop.example.com', 'arriving.example.com' -Prune -MaxRemove 0 -LogPath $script:Log -WhatIf -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $r.Code | Should -Be 2
        $r.WhatIf | Should -BeTrue
        @($script:emuA.GetRequests() | Where-Object Method -ne 'GET') | Should -BeNullOrEmpty
        Get-Content -Raw $script:Log | Should -BeLike '*would be added arriving.example.com*'
        Get-RunCloudConnection | Should -Not -BeNullOrEmpty -Because 'the session''s default connection is left open'
    }

    It 'one app from the RUNCLOUD_* environment alone: connects, syncs, closes its own connection' {
        $env:RUNCLOUD_API_TOKEN = $script:emuB.Token
        $env:RUNCLOUD_BASE_URI = $script:emuB.BaseUri.AbsoluteUri
        $env:RUNCLOUD_SERVER_ID = '1001'
        $env:RUNCLOUD_APP_ID = '2001'
        try {
            $file = Join-Path $TestDrive 'names.txt'
            Set-Content $file 'shop.example.com', 'from-env.example.com'
            $r = Invoke-RunCloudScheduledSync -Path $file -LogPath $script:Log -SkipDnsCheck
            $r.Code | Should -Be 0
            Names $script:emuB | Should -Contain 'from-env.example.com'
            Get-Content -Raw $script:Log | Should -BeLike '*credentials from RUNCLOUD_API_TOKEN (environment variable)*'
            Get-RunCloudConnection -ListAvailable | Should -BeNullOrEmpty
        }
        finally { $env:RUNCLOUD_API_TOKEN = $env:RUNCLOUD_BASE_URI = $env:RUNCLOUD_SERVER_ID = $env:RUNCLOUD_APP_ID = $null }
    }

    It 'no credentials at all is exit 1, with what was looked for' {
        $file = Join-Path $TestDrive 'names.txt'
        Set-Content $file 'shop.example.com'
        $r = Invoke-RunCloudScheduledSync -Path $file -LogPath $script:Log -ErrorAction SilentlyContinue
        $r.Code | Should -Be 1
        Get-Content -Raw $script:Log | Should -BeLike '*RUNCLOUD_API_TOKEN*RunCloudCredentialsNotFound*'
    }

    It 'a -LogPath that is a directory is exit 1 before any request, said in the error' {
        $r = Invoke-RunCloudScheduledSync -Name 'x.example.com' -LogPath $TestDrive -ErrorVariable logError -ErrorAction SilentlyContinue
        $r.Code | Should -Be 1
        $logError[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudInvalidLogPath,*'
        "$($logError[0])" | Should -BeLike '*is a directory*'
    }
}

Describe 'Register-RunCloudSyncTask writes what each scheduler reads' {
    BeforeAll {
        $script:Manifest = New-Manifest @{
            clientA = @{ baseUri = 'https://manage.runcloud.io'; tokenEnvironmentVariable = 'RUNCLOUD_TOKEN_A' }
            clientB = @{ credentialPath = 'secrets/clientB.xml' }
        } @(
            @{ connection = 'clientA'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com') }
            @{ connection = 'clientB'; serverId = 1001; webAppId = 2001; domains = @('shop.example.com') }) -Name 'register.json'
        $script:EnvFile = Join-Path $TestDrive 'sync.env'
        Set-Content $script:EnvFile 'RUNCLOUD_TOKEN_A=not-a-real-token'
        Private $script:EnvFile
    }

    It 'systemd: a service and timer that systemd-analyze verify accepts, with no secret in them' -Skip:(-not (Get-Command systemd-analyze -ErrorAction Ignore)) {
        $out = Join-Path $TestDrive 'systemd'
        $task = Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -Interval 00:15:00 -EnvironmentFile $script:EnvFile -User root -OutputPath $out
        $task.Files | Should -HaveCount 2
        $task.Installed | Should -BeFalse
        $service = Get-Content -Raw (Join-Path $out 'runcloud-sync.service')
        $timer = Get-Content -Raw (Join-Path $out 'runcloud-sync.timer')
        $service | Should -Match "(?m)^EnvironmentFile=$([regex]::Escape($script:EnvFile))$"
        $service | Should -Match "(?m)^LoadCredential=clientB:$([regex]::Escape((Join-Path $TestDrive 'secrets/clientB.xml')))$"
        $service | Should -Match '(?m)^Type=oneshot$'
        $service | Should -Match '(?m)^ExecStart=/\S+ .*-NoProfile -NonInteractive -Command "'
        $service | Should -Match 'exit \$\$LASTEXITCODE'
        $service | Should -Not -Match 'not-a-real-token'
        $timer | Should -Match '(?m)^OnUnitActiveSec=15min$'
        $verify = & systemd-analyze verify (Join-Path $out 'runcloud-sync.service') (Join-Path $out 'runcloud-sync.timer') 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($verify -join "`n")
        @($verify | Where-Object { "$_" -match 'runcloud-sync' }) | Should -BeNullOrEmpty -Because ($verify -join "`n")
    }

    It 'cron: two lines, a marker and the entry with flock, sourcing the environment file' {
        $out = Join-Path $TestDrive 'cron'
        $task = Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Cron -Interval 00:20:00 -EnvironmentFile $script:EnvFile -OutputPath $out
        $lines = @(Get-Content (Join-Path $out 'runcloud-sync.cron'))
        $lines | Should -HaveCount 2
        $lines[0] | Should -BeLike "# RunCloud.PowerShell sync task 'runcloud-sync'*"
        $lines[1] | Should -BeLike "`*/20 `* `* `* `* set -a && . $($script:EnvFile) && set +a && flock -n -E 3 *"
        $lines[1] | Should -BeLike '*>/dev/null'
        $task.CommandLine | Should -Be ($lines[1] -replace '^\S+ \S+ \S+ \S+ \S+ ', '')
    }

    It 'Task Scheduler: XML in the documented schema (validated), the action''s Windows command line, no password' {
        $out = Join-Path $TestDrive 'task'
        Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler TaskScheduler -User 'NETWORK SERVICE' -Interval 01:00:00 -OutputPath $out -WarningAction SilentlyContinue | Out-Null
        $file = Join-Path $out 'runcloud-sync.xml'
        # The subset of Microsoft's documented Task Scheduler schema that covers every element the module writes.
        $schemas = [System.Xml.Schema.XmlSchemaSet]::new()
        [void]$schemas.Add('http://schemas.microsoft.com/windows/2004/02/mit/task', (Join-Path $PSScriptRoot 'fixtures/TaskSchedulerSchema/task.xsd'))
        $settings = [System.Xml.XmlReaderSettings]::new()
        $settings.ValidationType = 'Schema'
        $settings.Schemas = $schemas
        $settings.ValidationFlags = $settings.ValidationFlags -bor [System.Xml.Schema.XmlSchemaValidationFlags]::ReportValidationWarnings
        $problems = [System.Collections.Generic.List[string]]::new()
        $settings.add_ValidationEventHandler({ param($s, $e) $problems.Add("$($e.Severity): $($e.Message)") })
        $reader = [System.Xml.XmlReader]::Create($file, $settings)
        try { while ($reader.Read()) { } } finally { $reader.Dispose() }
        $problems | Should -BeNullOrEmpty
        $xml = [xml](Get-Content -Raw $file)
        $xml.Task.Triggers.TimeTrigger.Repetition.Interval | Should -Be 'PT1H'
        $xml.Task.Principals.Principal.UserId | Should -Be 'S-1-5-20'
        $xml.Task.Settings.MultipleInstancesPolicy | Should -Be 'IgnoreNew'
        $xml.Task.Actions.Exec.Arguments | Should -BeLike '*-NoProfile -NonInteractive -Command "*Invoke-RunCloudScheduledSync -Manifest*'
        (Get-Content -Raw $file) | Should -Not -Match 'Password'
    }

    It 'a WordPress network: the task''s command line reads it with -Via as given; -Via Rest is refused (no secret on a command line)' {
        $out = Join-Path $TestDrive 'cron-wp'
        $task = Register-RunCloudSyncTask -WordPressPath /srv/network -Via WpCli -WpCliArgument '--allow-root' -Prune -Scheduler Cron -EnvironmentFile $script:EnvFile -OutputPath $out
        $task.CommandLine | Should -Match "Invoke-RunCloudScheduledSync -WordPressPath \W+/srv/network\W+ -Via \W+WpCli\W+ -WpCliArgument \W+--allow-root\W+ -Prune "
        $plain = Register-RunCloudSyncTask -WordPressPath /srv/network -Scheduler Cron -EnvironmentFile $script:EnvFile -OutputPath (Join-Path $TestDrive 'cron-wp2')
        $plain.CommandLine | Should -Not -Match '-Via'
        { Register-RunCloudSyncTask -WordPressPath /srv/network -Via Rest -Scheduler Cron -OutputPath (Join-Path $TestDrive 'cron-wp3') } |
            Should -Throw -ErrorId 'RunCloudInvalidInput,*' -ExpectedMessage '*cannot carry them on its command line*manifest*ultimateMultisiteUri*'
    }

    It 'the schema check catches a wrong element (the fixture is not a check that cannot fail)' {
        $bad = Join-Path $TestDrive 'bad-task.xml'
        Set-Content $bad '<?xml version="1.0"?><Task version="1.3" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task"><Settings><MultipleInstancesPolicy>Sometimes</MultipleInstancesPolicy></Settings><Actions><Exec><Command>x</Command></Exec></Actions></Task>'
        $schemas = [System.Xml.Schema.XmlSchemaSet]::new()
        [void]$schemas.Add('http://schemas.microsoft.com/windows/2004/02/mit/task', (Join-Path $PSScriptRoot 'fixtures/TaskSchedulerSchema/task.xsd'))
        $settings = [System.Xml.XmlReaderSettings]::new(); $settings.ValidationType = 'Schema'; $settings.Schemas = $schemas
        $problems = [System.Collections.Generic.List[string]]::new()
        $settings.add_ValidationEventHandler({ param($s, $e) $problems.Add($e.Message) })
        $reader = [System.Xml.XmlReader]::Create($bad, $settings)
        try { while ($reader.Read()) { } } finally { $reader.Dispose() }
        $problems | Should -Not -BeNullOrEmpty
    }

    It 'refuses, before writing anything: <Case>' -ForEach @(
        @{ Case = 'a task name no scheduler takes'; Arguments = @{ TaskName = 'run cloud'; Scheduler = 'Systemd' }; Message = '*-TaskName*not usable*' }
        @{ Case = 'an interval cron cannot repeat'; Arguments = @{ Scheduler = 'Cron'; Interval = [timespan]::FromMinutes(7) }; Message = '*cron cannot run every 00:07:00*' }
        @{ Case = 'seconds in the interval'; Arguments = @{ Scheduler = 'Systemd'; Interval = [timespan]::FromSeconds(90) }; Message = '*whole minutes*' }
        @{ Case = 'an environment file for Task Scheduler'; Arguments = @{ Scheduler = 'TaskScheduler'; EnvironmentFile = 'x.env' }; Message = '*-EnvironmentFile is for systemd and cron*' }
        @{ Case = 'a password for systemd'; Arguments = @{ Scheduler = 'Systemd'; Credential = [pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force)) }; Message = '*-Credential is for Task Scheduler*' }
    ) {
        $out = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        { Register-RunCloudSyncTask -Manifest $script:Manifest -OutputPath $out @Arguments } | Should -Throw -ErrorId 'RunCloudInvalidSyncTask,*' -ExpectedMessage $Message
        Test-Path $out | Should -BeFalse
    }

    It 'refuses an environment file its group or others may read' -Skip:$IsWindows {
        $open = Join-Path $TestDrive 'open.env'
        Set-Content $open 'RUNCLOUD_TOKEN_A=x'
        chmod 644 $open
        { Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -EnvironmentFile $open -OutputPath (Join-Path $TestDrive 'o') } |
            Should -Throw -ErrorId 'RunCloudInvalidSyncTask,*' -ExpectedMessage '*mode 0644*chmod 600*'
    }

    It 'refuses a manifest that would fail on every run' {
        $bad = Join-Path $TestDrive 'broken.json'
        Set-Content $bad '{ "connections": { "a": { "password": "x" } }, "targets": [] }'
        { Register-RunCloudSyncTask -Manifest $bad -Scheduler Systemd -OutputPath (Join-Path $TestDrive 'b') } | Should -Throw -ErrorId 'RunCloudInvalidManifest,*'
    }

    It 'warns when a token variable the manifest names is not in the environment file' {
        $partial = Join-Path $TestDrive 'partial.env'
        Set-Content $partial 'SOMETHING_ELSE=1'
        Private $partial
        Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -EnvironmentFile $partial -OutputPath (Join-Path $TestDrive 'w') -WarningVariable warned -WarningAction SilentlyContinue | Out-Null
        "$warned" | Should -BeLike "*'clientA'*RUNCLOUD_TOKEN_A*does not set*"
    }

    It 'defaults -PwshPath to the running PowerShell as a real command line (dotnet + pwsh.dll when run as a .NET tool)' {
        $task = Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Cron -OutputPath (Join-Path $TestDrive 'p') -WarningAction SilentlyContinue
        $expected = Get-TestPwshCommand
        $task.CommandLine | Should -BeLike "*$($expected -join ' ') -NoProfile -NonInteractive -Command *"
    }
}

Describe 'Installing and removing a sync task through the schedulers'' tools' {
    # The install paths run systemctl, crontab and Register-ScheduledTask by name; here functions of those names stand
    # in for them (the real tools need a real systemd, cron daemon or Windows): they record what they were asked.
    BeforeAll {
        $script:Manifest = New-Manifest $null @(@{ serverId = 1001; webAppId = 2001; domains = @('shop.example.com') }) -Name 'install.json'
    }

    BeforeEach {
        $global:ToolCalls = [System.Collections.Generic.List[string]]::new()
        $global:FakeCrontab = @('MAILTO=ops@example.com', '0 3 * * * /usr/local/bin/backup')
        function global:systemctl { $global:ToolCalls.Add("systemctl $($args -join ' ')"); $global:LASTEXITCODE = 0 }
        function global:crontab {
            $global:ToolCalls.Add("crontab $($args -join ' ')")
            if ($args[-1] -eq '-l') { $global:FakeCrontab; $global:LASTEXITCODE = 0; return }
            if ($args[-1] -eq '-') { $global:FakeCrontab = @(($input | Out-String) -split "`n" | Where-Object { $_ }); $global:LASTEXITCODE = 0 }
        }
        function global:Register-ScheduledTask { param($TaskName, $Xml, $User, $Password, [switch] $Force) $global:ToolCalls.Add("Register-ScheduledTask $TaskName user=$User force=$Force"); $global:TaskXml = $Xml }
        function global:Get-ScheduledTask { param($TaskName) if ($global:TaskXml) { [pscustomobject]@{ TaskName = $TaskName } } }
        function global:Unregister-ScheduledTask { param($TaskName, [switch] $Confirm) $global:ToolCalls.Add("Unregister-ScheduledTask $TaskName"); $global:TaskXml = $null }
        $global:TaskXml = $null
    }

    AfterEach {
        Remove-Item Function:\systemctl, Function:\crontab, Function:\Register-ScheduledTask, Function:\Get-ScheduledTask, Function:\Unregister-ScheduledTask -ErrorAction SilentlyContinue
    }

    It 'systemd -WhatIf writes and runs nothing' {
        $units = Join-Path $TestDrive 'whatif-units'
        Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -UnitDirectory $units -WhatIf -WarningAction SilentlyContinue
        Test-Path $units | Should -BeFalse
        $global:ToolCalls | Should -BeNullOrEmpty
    }

    It 'systemd: writes the units, reloads and enables the timer; a second registration needs -Force; Unregister undoes it' {
        $units = Join-Path $TestDrive 'units'
        $task = Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -UnitDirectory $units -Confirm:$false -WarningAction SilentlyContinue
        $task.Installed | Should -BeTrue
        Test-Path (Join-Path $units 'runcloud-sync.timer') | Should -BeTrue
        $global:ToolCalls | Should -Be @('systemctl daemon-reload', 'systemctl enable --now runcloud-sync.timer')
        { Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -UnitDirectory $units -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'RunCloudInvalidSyncTask,*' -ExpectedMessage '*already exists*-Force*'
        $global:ToolCalls.Clear()
        Unregister-RunCloudSyncTask -Scheduler Systemd -UnitDirectory $units -Confirm:$false
        Test-Path (Join-Path $units 'runcloud-sync.timer') | Should -BeFalse
        Test-Path (Join-Path $units 'runcloud-sync.service') | Should -BeFalse
        $global:ToolCalls | Should -Be @('systemctl disable --now runcloud-sync.timer', 'systemctl daemon-reload')
    }

    It 'a failing systemctl is an install error with its output' {
        function global:systemctl { $global:ToolCalls.Add("systemctl $($args -join ' ')"); 'Failed to connect to bus: No such file or directory'; $global:LASTEXITCODE = 1 }
        { Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -UnitDirectory (Join-Path $TestDrive 'u2') -Confirm:$false -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'RunCloudSyncTaskInstallFailed,*' -ExpectedMessage '*systemctl daemon-reload failed (exit code 1)*Failed to connect to bus*'
    }

    It 'cron: adds the two lines and keeps the rest of the crontab; -Force replaces; Unregister removes only its lines' {
        Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Cron -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $global:FakeCrontab | Should -HaveCount 4
        $global:FakeCrontab[0..1] | Should -Be @('MAILTO=ops@example.com', '0 3 * * * /usr/local/bin/backup')
        $global:FakeCrontab[3] | Should -BeLike '`*/10 * flock -n -E 3 *'
        { Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Cron -Confirm:$false -WarningAction SilentlyContinue } | Should -Throw -ErrorId 'RunCloudInvalidSyncTask,*'
        Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Cron -Interval 00:30:00 -Force -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $global:FakeCrontab | Should -HaveCount 4
        $global:FakeCrontab[3] | Should -BeLike '`*/30 *'
        Unregister-RunCloudSyncTask -Scheduler Cron -Confirm:$false
        $global:FakeCrontab | Should -Be @('MAILTO=ops@example.com', '0 3 * * * /usr/local/bin/backup')
        Unregister-RunCloudSyncTask -Scheduler Cron -ErrorVariable gone -ErrorAction SilentlyContinue
        $gone[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSyncTaskNotFound,*'
    }

    It 'cron -User edits that user''s crontab' {
        Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Cron -User runcloud -Confirm:$false -WarningAction SilentlyContinue | Out-Null
        $global:ToolCalls | Should -Be @('crontab -u runcloud -l', 'crontab -u runcloud -')
    }

    It 'Task Scheduler: Register-ScheduledTask gets the XML and, with -Credential, the password (never the XML)' {
        $cred = [pscredential]::new('svc-runcloud', (ConvertTo-SecureString 'S3cret-P4ss' -AsPlainText -Force))
        $task = Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler TaskScheduler -User svc-runcloud -Credential $cred -Confirm:$false -WarningAction SilentlyContinue
        $task.Installed | Should -BeTrue
        $global:ToolCalls | Should -Be @('Register-ScheduledTask runcloud-sync user=svc-runcloud force=False')
        ([xml]$global:TaskXml).Task.Principals.Principal.LogonType | Should -Be 'Password'
        $global:TaskXml | Should -Not -Match 'S3cret-P4ss'
        Unregister-RunCloudSyncTask -Scheduler TaskScheduler -Confirm:$false
        $global:ToolCalls[-1] | Should -Be 'Unregister-ScheduledTask runcloud-sync'
    }

    It 'a task object pipes into Unregister-RunCloudSyncTask' {
        $units = Join-Path $TestDrive 'piped-units'
        Register-RunCloudSyncTask -Manifest $script:Manifest -Scheduler Systemd -UnitDirectory $units -Confirm:$false -WarningAction SilentlyContinue |
            Unregister-RunCloudSyncTask -UnitDirectory $units -Confirm:$false
        Test-Path (Join-Path $units 'runcloud-sync.service') | Should -BeFalse
    }
}
