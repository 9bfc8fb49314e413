# A lying or broken server cannot hang, bloat or leak: every hostile-server mode against a listing, an add, a removal and a sync, through the built
# module in a real pwsh at -Verbose and -Debug, with a transcript running: each ends within its budget, under a heap
# ceiling, with one precise ErrorId, and nothing in any stream, error record, format view or the transcript holds the
# token or a raw control character. (The xunit HostileServerTests run the same matrix in-process, without a transcript.)
BeforeDiscovery {
    $modes = [string[]]@('Normal', 'Drip', 'Truncate', 'Huge', 'EndlessPages', 'RepeatedPage', 'WrongTypes', 'EchoSecret',
        'ControlCharacters', 'RetryAfterDay', 'ResetMidBody', 'Redirect', 'CutOnDelete', 'VanishedDomain', 'LyingNotFound')
    $cases = foreach ($m in $modes) { foreach ($o in 'List', 'Add', 'Remove', 'Sync') { @{ Mode = $m; Operation = $o } } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot '../HostileScenario.ps1')
    $script:BudgetSeconds = 20
    $script:HeapCeilingMB = 64
}

Describe 'A hostile RunCloud' {
    It '<Mode> against <Operation>: in time, in memory, one ErrorId, no secret, no raw control character' -ForEach $cases {
        $r = Invoke-HostileScenario -Mode $Mode -Operation $Operation -WorkFolder $TestDrive
        $r.Seconds | Should -BeLessThan $script:BudgetSeconds
        $r.HeapMB | Should -BeLessThan $script:HeapCeilingMB
        $expected = Get-HostileExpectedErrorId $Mode $Operation
        if ($expected) { @($r.ErrorIds) | Should -Be @($expected) } else { @($r.ErrorIds) | Should -BeNullOrEmpty }
        @($r.Leaks) | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-RunCloudScheduledSync against a hostile RunCloud: its log holds no secret and no forged line' {
    BeforeAll {
        $bin = Join-Path $TestDrive 'bin'
        New-Item -ItemType Directory -Force -Path $bin | Out-Null
        $wp = Join-Path $bin 'wp'
        Set-Content -Path $wp -Value "#!/usr/bin/env bash`ncat `"`$FAKE_WP_OUTPUT`"`n" -NoNewline
        chmod +x $wp
        $script:SavedEnv = @{}
        foreach ($name in 'PATH', 'RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_SERVER_ID', 'WU_RUNCLOUD_APP_ID', 'FAKE_WP_OUTPUT', 'RUNCLOUD_STATE_PATH') {
            $script:SavedEnv[$name] = [Environment]::GetEnvironmentVariable($name)
        }
        $env:PATH = $bin + [IO.Path]::PathSeparator + $env:PATH
        $env:FAKE_WP_OUTPUT = Join-Path $TestDrive 'wp-output.txt'
        Set-Content -Path $env:FAKE_WP_OUTPUT -Value (New-FakeWpFacts 'example.com', 'new.example.com')
        $env:RUNCLOUD_API_TOKEN = [RunCloud.PowerShell.Tests.HostileServer]::Secret
        $env:WU_RUNCLOUD_SERVER_ID = '1'
        $env:WU_RUNCLOUD_APP_ID = '2'
        $env:RUNCLOUD_STATE_PATH = Join-Path $TestDrive 'state'
    }

    AfterAll {
        foreach ($pair in $script:SavedEnv.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) }
    }

    It '<Mode>: the log and the output are clean' -ForEach @(@{ Mode = 'EchoSecret' }, @{ Mode = 'ControlCharacters' }, @{ Mode = 'CutOnDelete' }) {
        $server = [RunCloud.PowerShell.Tests.HostileServer]::new($Mode)
        try {
            $log = Join-Path $TestDrive "$Mode.log"
            Invoke-ScheduledSyncProcess '-BaseUri', $server.BaseUri.AbsoluteUri, '-LogPath', $log, '-WordPressPath', '/srv/network', '-Via', 'WpCli', '-Prune' | Out-Null
            $output = $script:ScheduledOutput
            $text = (Get-Content -Raw $log) + "`n" + ($output -join "`n")
            $text | Should -Not -BeNullOrEmpty
            $text.Contains([RunCloud.PowerShell.Tests.HostileServer]::Secret) | Should -BeFalse -Because $text
            $text | Should -Not -Match '[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]'
            @($text -split "`n" | Where-Object { $_ -match '^\s*(\[ERROR\] )?FORGED' }) | Should -BeNullOrEmpty
            if ($Mode -eq 'CutOnDelete') { Get-Content -Raw $log | Should -Match 'added new\.example\.com' }
        }
        finally { $server.Dispose() }
    }
}

Describe 'Proxy credentials never reach output' {
    It 'a password in -Proxy is in none of Format-List *, Export-Clixml, ConvertTo-Json or the error of a failed proxy' {
        $password = 'Pr0xy-PASS-w0rd'
        $token = [System.Security.SecureString]::new(); foreach ($c in 'tok-proxy-pester-123456'.ToCharArray()) { $token.AppendChar($c) }
        $c = Connect-RunCloud -Token $token -BaseUri https://rc.invalid/ -Proxy "http://proxyuser:$password@127.0.0.1:9/" -SkipValidation -PassThru -TimeoutSec 2 -MaxAttempts 1
        try {
            $xml = Join-Path $TestDrive 'connection.xml'
            $c | Export-Clixml -Path $xml
            $failure = try { Get-RunCloudDomain -Connection $c -ServerId 1 -WebAppId 2 -ErrorAction Stop } catch { $_ }
            $text = @(
                ($c | Format-List * | Out-String -Width 400)
                ($c | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue)
                (Get-Content -Raw $xml)
                ($failure | Out-String -Width 400)
                $failure.Exception.ToString()
            ) -join "`n"
            $failure.FullyQualifiedErrorId | Should -BeLike 'RunCloudTransportError*'
            $text | Should -Match '127\.0\.0\.1:9'
            $text | Should -Not -Match ([regex]::Escape($password))
            $text | Should -Not -Match 'proxyuser:'
        }
        finally { Disconnect-RunCloud -Connection $c -ErrorAction SilentlyContinue }
    }
}

Describe 'Done when: a day''s Retry-After holds its account, and only it' {
    It 'after a 429 with Retry-After 86400 the account''s next calls (any connection) send nothing and fail fast, naming until when; another account goes through' {
        # The held account's token is this test's alone: a day's hold outlives the emulator, and a later emulator of this
        # process on the same port with the default token would be the same account (it is, to the module) and held too.
        $held = 'held-account-' + [guid]::NewGuid().ToString('N')
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0 -AdditionalToken $held, 'second-account-token-0123456789'
        try {
            $tokenA = ConvertTo-SecureString $held -AsPlainText -Force
            Connect-RunCloud -Name acctA -BaseUri $e.BaseUri -Token $tokenA -ServerId 1001 -WebAppId 2001 -RateLimit 0 -SkipValidation -MaxRetryDuration '00:00:30'
            Connect-RunCloud -Name acctB -BaseUri $e.BaseUri -Token (ConvertTo-SecureString 'second-account-token-0123456789' -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0 -SkipValidation
            Add-RunCloudEmulatorFault -Kind RateLimited -RetryAfterSeconds 86400 -Count 1 -ForCredential $held | Out-Null

            Get-RunCloudDomain -Connection acctA -ErrorVariable first -ErrorAction SilentlyContinue | Out-Null
            $first[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudRateLimited*'
            $sentA = @(Get-RunCloudEmulatorRequest | Where-Object Account -EQ 'token2').Count
            $sentA | Should -Be 1

            $clock = [Diagnostics.Stopwatch]::StartNew()
            Get-RunCloudDomain -Connection acctA -ErrorVariable second -ErrorAction SilentlyContinue | Out-Null
            # Another connection to the same account (as another runspace or script would open) is held too.
            Connect-RunCloud -Name acctA2 -BaseUri $e.BaseUri -Token $tokenA -ServerId 1001 -WebAppId 2001 -RateLimit 0 -SkipValidation -MaxRetryDuration '00:00:30'
            Get-RunCloudServer -Connection acctA2 -ErrorVariable third -ErrorAction SilentlyContinue | Out-Null
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 20 -Because 'a hang detector: the held calls fail at once'
            foreach ($err in $second[0], $third[0]) {
                $err.FullyQualifiedErrorId | Should -BeLike 'RunCloudRateLimited*'
                $err.Exception.Message | Should -BeLike '*was not sent*Retry-After 86400 s*(local) = *UTC*'
            }
            @(Get-RunCloudEmulatorRequest | Where-Object Account -EQ 'token2').Count | Should -Be $sentA -Because 'nothing was sent for the held account'

            @(Get-RunCloudDomain -Connection acctB).Count | Should -BeGreaterThan 0
            @(Get-RunCloudEmulatorRequest | Where-Object Account -EQ 'token3') | Should -Not -BeNullOrEmpty
        }
        finally {
            Disconnect-RunCloud -All -ErrorAction SilentlyContinue
            $e | Stop-RunCloudEmulator
        }
    }
}
