# Connect-RunCloud's parameter sets, Get-/Test-RunCloudConnection, Disconnect-RunCloud and -Connection, against the emulator.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:emu = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:Uri = $script:emu.BaseUri.AbsoluteUri
    $script:Key = $script:emu.ApiKey
    $script:Secret = ConvertTo-SecureString $script:emu.ApiSecret -AsPlainText -Force
    $script:Token = ConvertTo-SecureString $script:emu.Token -AsPlainText -Force
    $script:EnvNames = 'RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_API_KEY', 'WU_RUNCLOUD_API_SECRET', 'WU_RUNCLOUD_SERVER_ID', 'WU_RUNCLOUD_APP_ID'
    function script:LastPing { Get-RunCloudEmulatorRequest -Emulator $script:emu -Path 'ping' | Select-Object -Last 1 }
}

AfterAll {
    Disconnect-RunCloud
    $script:emu | Stop-RunCloudEmulator
}

Describe 'Connect-RunCloud parameter sets' {
    BeforeEach {
        Disconnect-RunCloud
        $script:emu.ClearRequests()
        $script:saved = @{}
        foreach ($n in $script:EnvNames) { $script:saved[$n] = [Environment]::GetEnvironmentVariable($n); [Environment]::SetEnvironmentVariable($n, $null) }
    }
    AfterEach {
        foreach ($n in $script:EnvNames) { [Environment]::SetEnvironmentVariable($n, $script:saved[$n]) }
    }

    It '-ApiKey/-ApiSecret connects to v2 with HTTP Basic' {
        $c = Connect-RunCloud -ApiKey $script:Key -ApiSecret $script:Secret -BaseUri $script:Uri -ServerId 1001 -WebAppId 2001 -PassThru
        $c.ApiVersion | Should -Be 'v2'
        $c.AuthenticationKind | Should -Be 'ApiKey'
        $c.Validated | Should -BeTrue
        $c.ServerId | Should -Be 1001
        $c.WebAppId | Should -Be 2001
        (LastPing).AuthScheme | Should -Be 'Basic'
        (LastPing).Path | Should -BeLike '/api/v2/ping'
        (LastPing).StatusCode | Should -Be 200
        Get-RunCloudConnection | Should -Be $c
    }

    It '-Credential (user name = key, password = secret) connects with HTTP Basic' {
        $cred = [pscredential]::new($script:Key, $script:Secret)
        $c = Connect-RunCloud -Credential $cred -BaseUri $script:Uri -PassThru
        $c.AuthenticationKind | Should -Be 'ApiKey'
        (LastPing).AuthScheme | Should -Be 'Basic'
    }

    It '-Token connects to v3 with a Bearer token' {
        $c = Connect-RunCloud -Token $script:Token -BaseUri $script:Uri -PassThru
        $c.ApiVersion | Should -Be 'v3'
        $c.AuthenticationKind | Should -Be 'Token'
        (LastPing).AuthScheme | Should -Be 'Bearer'
        (LastPing).Path | Should -BeLike '/api/v3/ping'
    }

    It '-Token -ApiVersion v2 uses Bearer on v2' {
        $c = Connect-RunCloud -Token $script:Token -ApiVersion v2 -BaseUri $script:Uri -PassThru
        $c.ApiVersion | Should -Be 'v2'
        (LastPing).AuthScheme | Should -Be 'Bearer'
    }

    It '-WpConfigPath reads the constants, ignores comments, and a token wins over key/secret' {
        $path = Join-Path $TestDrive 'wp-config.php'
        @"
<?php
/** RunCloud, see the Ultimate Multisite guide.
define('WU_RUNCLOUD_API_TOKEN', 'not-this-one');
*/
define( "WU_RUNCLOUD_API_KEY" , "$($script:Key)" ); // key
define('WU_RUNCLOUD_API_SECRET','wrong-secret-is-ignored');
# define('WU_RUNCLOUD_SERVER_ID', '9999');
define('WU_RUNCLOUD_SERVER_ID', 1001);
define( 'WU_RUNCLOUD_APP_ID', '2001' );
define('WU_RUNCLOUD_API_TOKEN', '$($script:emu.Token)');
"@ | Set-Content -Path $path
        $c = Connect-RunCloud -WpConfigPath $path -BaseUri $script:Uri -PassThru -Verbose 4>&1 | Where-Object { $_ -is [RunCloud.PowerShell.Session.RunCloudConnection] }
        $c.AuthenticationKind | Should -Be 'Token'
        $c.ServerId | Should -Be 1001
        $c.WebAppId | Should -Be 2001
        $c.CredentialSource | Should -BeLike '*wp-config.php*'
        (LastPing).AuthScheme | Should -Be 'Bearer'
    }

    It '-WpConfigPath with only key/secret connects with Basic on v2' {
        $path = Join-Path $TestDrive 'wp-config-key.php'
        "<?php`ndefine('WU_RUNCLOUD_API_KEY', '$($script:Key)');`ndefine('WU_RUNCLOUD_API_SECRET', '$($script:emu.ApiSecret)');" | Set-Content $path
        $c = Connect-RunCloud -WpConfigPath $path -BaseUri $script:Uri -PassThru
        $c.ApiVersion | Should -Be 'v2'
        (LastPing).AuthScheme | Should -Be 'Basic'
    }

    It 'a malformed wp-config.php is RunCloudInvalidWpConfig and sends nothing' {
        $path = Join-Path $TestDrive 'broken.php'
        "<?php`ndefine('WU_RUNCLOUD_API_TOKEN', 'never closed);" | Set-Content $path
        { Connect-RunCloud -WpConfigPath $path -BaseUri $script:Uri } | Should -Throw -ErrorId 'RunCloudInvalidWpConfig*'
        $script:emu.GetRequests().Count | Should -Be 0
        Get-RunCloudConnection | Should -BeNullOrEmpty
    }

    It 'a wp-config.php without the constants says what it looked for' {
        $path = Join-Path $TestDrive 'empty.php'
        "<?php`n// define('WU_RUNCLOUD_API_TOKEN', 'x');" | Set-Content $path
        $err = { Connect-RunCloud -WpConfigPath $path -BaseUri $script:Uri } | Should -Throw -ErrorId 'RunCloudInvalidWpConfig*' -PassThru
        $err.Exception.Message | Should -BeLike '*WU_RUNCLOUD_API_TOKEN*WU_RUNCLOUD_API_KEY*WU_RUNCLOUD_API_SECRET*'
    }

    It 'environment: RUNCLOUD_API_TOKEN wins over WU_RUNCLOUD_API_KEY/SECRET and the ids are read' {
        $env:RUNCLOUD_API_TOKEN = $script:emu.Token
        $env:WU_RUNCLOUD_API_KEY = 'someone-else'
        $env:WU_RUNCLOUD_API_SECRET = 'wrong'
        $env:WU_RUNCLOUD_SERVER_ID = '1001'
        $env:WU_RUNCLOUD_APP_ID = '2002'
        $c = Connect-RunCloud -BaseUri $script:Uri -PassThru
        $c.AuthenticationKind | Should -Be 'Token'
        $c.CredentialSource | Should -BeLike 'RUNCLOUD_API_TOKEN*'
        $c.WebAppId | Should -Be 2002
        (LastPing).AuthScheme | Should -Be 'Bearer'
    }

    It 'environment: WU_RUNCLOUD_API_KEY/SECRET connect with Basic' {
        $env:WU_RUNCLOUD_API_KEY = $script:Key
        $env:WU_RUNCLOUD_API_SECRET = $script:emu.ApiSecret
        $c = Connect-RunCloud -BaseUri $script:Uri -PassThru
        $c.AuthenticationKind | Should -Be 'ApiKey'
        (LastPing).AuthScheme | Should -Be 'Basic'
    }

    It 'environment: nothing set is RunCloudCredentialsNotFound listing every name looked for' {
        $err = { Connect-RunCloud -BaseUri $script:Uri } | Should -Throw -ErrorId 'RunCloudCredentialsNotFound*' -PassThru
        foreach ($n in 'RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_API_KEY', 'WU_RUNCLOUD_API_SECRET') {
            $err.Exception.Message | Should -BeLike "*$n*"
        }
        $script:emu.GetRequests().Count | Should -Be 0
    }

    It 'environment: a key without its secret is RunCloudCredentialsNotFound naming the missing variable' {
        $env:WU_RUNCLOUD_API_KEY = $script:Key
        $err = { Connect-RunCloud -BaseUri $script:Uri } | Should -Throw -ErrorId 'RunCloudCredentialsNotFound*' -PassThru
        $err.Exception.Message | Should -BeLike '*WU_RUNCLOUD_API_SECRET*'
    }

    It 'environment: a bad WU_RUNCLOUD_SERVER_ID is refused naming the variable, not as a wp-config.php problem' {
        $env:RUNCLOUD_API_TOKEN = $script:emu.Token
        $env:WU_RUNCLOUD_SERVER_ID = 'web1'
        $err = { Connect-RunCloud -BaseUri $script:Uri } | Should -Throw -PassThru
        $err.Exception.Message | Should -BeLike '*WU_RUNCLOUD_SERVER_ID*'
        $err.FullyQualifiedErrorId | Should -Not -BeLike 'RunCloudInvalidWpConfig*'
    }

    It 'wrong credentials are a terminating RunCloudAuthenticationFailed and no default connection is kept' {
        $bad = ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force
        $err = { Connect-RunCloud -ApiKey $script:Key -ApiSecret $bad -BaseUri $script:Uri } | Should -Throw -ErrorId 'RunCloudAuthenticationFailed*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message | Should -BeLike '*Invalid credentials*'
        $err.ErrorDetails.RecommendedAction | Should -BeLike '*API key*'
        Get-RunCloudConnection | Should -BeNullOrEmpty
        { Connect-RunCloud -Token $bad -BaseUri $script:Uri } | Should -Throw -ErrorId 'RunCloudAuthenticationFailed*'
        Get-RunCloudConnection | Should -BeNullOrEmpty
    }

    It 'key/secret with -ApiVersion v3 is refused before any request' {
        { Connect-RunCloud -ApiKey $script:Key -ApiSecret $script:Secret -ApiVersion v3 -BaseUri $script:Uri } | Should -Throw -ErrorId 'RunCloudInvalidInput*'
        { Connect-RunCloud -ApiKey $script:Key -ApiSecret $script:Secret -BaseUri "$($script:Uri)api/v3" } | Should -Throw -ErrorId 'RunCloudInvalidInput*'
        $script:emu.GetRequests().Count | Should -Be 0
    }

    It 'a non-loopback http:// base URI is refused' {
        { Connect-RunCloud -Token $script:Token -BaseUri 'http://manage.runcloud.io/' -SkipValidation } | Should -Throw -ErrorId 'RunCloudInvalidBaseUri*'
    }

    It '-SkipValidation sends nothing' {
        $bad = ConvertTo-SecureString 'not-the-token' -AsPlainText -Force
        $c = Connect-RunCloud -Token $bad -BaseUri $script:Uri -SkipValidation -PassThru
        $c.Validated | Should -BeFalse
        $c.RequestCount | Should -Be 0
        $script:emu.GetRequests().Count | Should -Be 0
    }
}

Describe 'Get-RunCloudConnection, Test-RunCloudConnection, Disconnect-RunCloud' {
    BeforeEach { Disconnect-RunCloud; $script:emu.ClearRequests() }

    It 'shows the key id as its first 4 characters and an ellipsis, and never the secret' {
        Connect-RunCloud -ApiKey $script:Key -ApiSecret $script:Secret -BaseUri $script:Uri -ServerId 1001
        $c = Get-RunCloudConnection
        $c.KeyId | Should -BeExactly ($script:Key.Substring(0, 4) + [char]0x2026)
        $text = ($c | Format-List * -Force | Out-String) + ($c | Out-String) + ($c | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue) + $c.ToString()
        $text | Should -Not -Match ([regex]::Escape($script:emu.ApiSecret))
        $text | Should -Not -Match ([regex]::Escape($script:Key))
        $c.ServerId | Should -Be 1001
        $c.BaseUri.AbsoluteUri | Should -Be "$($script:Uri)api/v2/"
    }

    It 'token connections show 4 characters of the token only' {
        Connect-RunCloud -Token $script:Token -BaseUri $script:Uri
        $c = Get-RunCloudConnection
        $c.KeyId | Should -BeExactly ($script:emu.Token.Substring(0, 4) + [char]0x2026)
        ($c | Format-List * -Force | Out-String) | Should -Not -Match ([regex]::Escape($script:emu.Token))
    }

    It 'Disconnect-RunCloud forgets the default connection' {
        Connect-RunCloud -Token $script:Token -BaseUri $script:Uri
        Disconnect-RunCloud
        Get-RunCloudConnection | Should -BeNullOrEmpty
        { Get-RunCloudServer } | Should -Throw -ErrorId 'RunCloudNotConnected*'
    }

    It 'Test-RunCloudConnection is $true for good credentials and $false for wrong ones' {
        Connect-RunCloud -Token $script:Token -BaseUri $script:Uri
        Test-RunCloudConnection | Should -BeTrue
        $bad = Connect-RunCloud -Token (ConvertTo-SecureString 'nope-nope' -AsPlainText -Force) -BaseUri $script:Uri -SkipValidation -PassThru
        Test-RunCloudConnection | Should -BeFalse
        Test-RunCloudConnection -Connection $bad | Should -BeFalse
        Disconnect-RunCloud
        Test-RunCloudConnection | Should -BeFalse
    }

    It 'Test-RunCloudConnection -Detailed says why' {
        $good = Connect-RunCloud -Token $script:Token -BaseUri $script:Uri -PassThru
        $ok = Test-RunCloudConnection -Detailed
        $ok.Success | Should -BeTrue
        $ok.StatusCode | Should -Be 200
        $ok.KeyId | Should -Be $good.KeyId
        $bad = Connect-RunCloud -Token (ConvertTo-SecureString 'nope-nope' -AsPlainText -Force) -BaseUri $script:Uri -SkipValidation -PassThru
        $ko = Test-RunCloudConnection -Detailed -Connection $bad
        $ko.Success | Should -BeFalse
        $ko.StatusCode | Should -Be 401
        $ko.ErrorId | Should -Be 'RunCloudAuthenticationFailed'
    }
}

Describe '-Connection and the shared limiter' {
    BeforeAll {
        $script:emu2 = Start-RunCloudEmulator -RateLimitPerMinute 0 -NoDefaultData
    }
    AfterAll { $script:emu2 | Stop-RunCloudEmulator; Disconnect-RunCloud }

    It 'two connections to two emulators are used side by side' {
        Disconnect-RunCloud
        $a = Connect-RunCloud -Token $script:Token -BaseUri $script:Uri -PassThru
        $b = Connect-RunCloud -Token (ConvertTo-SecureString $script:emu2.Token -AsPlainText -Force) -BaseUri $script:emu2.BaseUri.AbsoluteUri -PassThru
        (Get-RunCloudConnection) | Should -Be $b
        $script:emu.ClearRequests(); $script:emu2.ClearRequests()
        @(Get-RunCloudServer -Connection $a).Name | Should -Contain 'web1'
        @(Get-RunCloudServer -Connection $b) | Should -HaveCount 0
        @(Get-RunCloudServer) | Should -HaveCount 0
        @(Get-RunCloudEmulatorRequest -Emulator $script:emu -Path 'servers') | Should -HaveCount 1
        @(Get-RunCloudEmulatorRequest -Emulator $script:emu2 -Path 'servers') | Should -HaveCount 2
        $a.RequestCount | Should -Be 2
        $b.RequestCount | Should -Be 3
        Disconnect-RunCloud -Connection $a
        Disconnect-RunCloud
    }

    It 'ForEach-Object -Parallel over 20 GETs shares one connection and its one limiter; the default stays per runspace' {
        $c = Connect-RunCloud -Token $script:Token -BaseUri $script:Uri -RateLimit 10 -RateLimitWindow '00:00:01' -PassThru
        $before = $c.RequestCount
        $script:emu.ClearRequests()
        $module = $script:ModulePath
        $defaults = 1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:module
            @(Get-RunCloudConnection).Count
        }
        $defaults | Should -Be @(0, 0)
        $ids = 1..20 | ForEach-Object -ThrottleLimit 10 -Parallel {
            Import-Module $using:module
            (Get-RunCloudServer -Id 1001 -Connection $using:c).Id
        }
        $ids | Should -HaveCount 20
        $c.RequestCount - $before | Should -Be 20
        (Get-RunCloudConnection).RequestCount | Should -Be $c.RequestCount
        $log = @(Get-RunCloudEmulatorRequest -Emulator $script:emu -Path 'servers/1001')
        $log | Should -HaveCount 20
        # 10 per second across all runspaces: the 20 requests span at least one window
        ($log[-1].Time - $log[0].Time).TotalMilliseconds | Should -BeGreaterThan 900
    }
}
