BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Defaults = [RunCloud.Emulator.EmulatorDefaults]
}

Describe 'SSL cmdlets against the emulator' {
    BeforeEach {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        $token = ConvertTo-SecureString $e.Token -AsPlainText -Force
        Connect-RunCloud -BaseUri $e.BaseUri -Token $token -ServerId $Defaults::ServerId -WebAppId $Defaults::WebAppId -RateLimit 0
        $e.ClearRequests()
    }
    AfterEach {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
    }

    It 'Get-RunCloudSsl reads the installed certificate and never carries the private key' {
        $ssl = Get-RunCloudSsl
        $ssl.Installed | Should -BeTrue
        $ssl.Id | Should -Be $Defaults::SslId
        $ssl.WebAppId | Should -Be $Defaults::WebAppId
        $ssl.PSObject.Properties.Name | Should -Not -Contain 'PrivateKey'
        ($ssl | ConvertTo-Json) | Should -Not -Match 'BEGIN (RSA )?PRIVATE KEY'
    }

    It 'Get-RunCloudSsl reports Installed = $false for an app without a certificate' {
        $ssl = Get-RunCloudSsl -WebAppId $Defaults::NoSslWebAppId
        $ssl.Installed | Should -BeFalse
        $ssl.Mode | Should -Be 'Basic'
    }

    It 'Reset-RunCloudSsl redeploys with one PUT so a newly added domain is covered' {
        Add-RunCloudDomain -Name 'late.example.com'
        $e.GetUncoveredDomains($Defaults::ServerId, $Defaults::WebAppId) | Should -Contain 'late.example.com'
        $e.ClearRequests()
        Reset-RunCloudSsl
        $log = Get-RunCloudEmulatorRequest
        @($log | Where-Object Method -EQ 'PUT') | Should -HaveCount 1
        ($log | Where-Object Method -EQ 'PUT').Path | Should -BeLike "*/ssl/$($Defaults::SslId)"
        $e.GetUncoveredDomains($Defaults::ServerId, $Defaults::WebAppId) | Should -BeNullOrEmpty
    }

    It 'Reset-RunCloudSsl installs a certificate when the app has none, with the contract''s body' {
        Reset-RunCloudSsl -WebAppId $Defaults::NoSslWebAppId -Environment staging -EnableHsts
        $post = Get-RunCloudEmulatorRequest -Method POST
        $post | Should -HaveCount 1
        $body = $post.Body | ConvertFrom-Json
        $body.provider | Should -Be 'letsencrypt'
        $body.environment | Should -Be 'staging'
        $body.enableHsts | Should -BeTrue
        $body.authorizationMethod | Should -Be 'http-01'
        $post.ContentType | Should -BeLike 'application/json*'
        (Get-RunCloudSsl -WebAppId $Defaults::NoSslWebAppId).Installed | Should -BeTrue
        $e.GetUncoveredDomains($Defaults::ServerId, $Defaults::NoSslWebAppId) | Should -BeNullOrEmpty
    }

    It 'Reset-RunCloudSsl -Reinstall uninstalls then installs (here: a switch to the staging environment)' {
        Reset-RunCloudSsl -Reinstall -Environment staging
        $mutating = Get-RunCloudEmulatorRequest | Where-Object Method -In 'POST', 'PUT', 'DELETE', 'PATCH'
        ($mutating.Method -join ',') | Should -Be 'DELETE,POST'
        (Get-RunCloudSsl).Installed | Should -BeTrue
    }

    It 'Reset-RunCloudSsl -WhatIf sends only GET requests' {
        Reset-RunCloudSsl -WhatIf
        Reset-RunCloudSsl -WebAppId $Defaults::NoSslWebAppId -WhatIf
        Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET' | Should -BeNullOrEmpty
    }

    It 'Reset-RunCloudSsl works per domain in advanced SSL mode' {
        $e.State.UninstallSsl($Defaults::ServerId, $Defaults::WebAppId)
        $e.State.SetSslMode($Defaults::ServerId, $Defaults::WebAppId, $true, $false)
        Reset-RunCloudSsl -Domain 'shop.example.com'
        $post = Get-RunCloudEmulatorRequest -Method POST
        $post | Should -HaveCount 1
        $post.Path | Should -BeLike '*/domains/*/ssl'
        ($post.Body | ConvertFrom-Json).advancedSSL | Should -BeTrue
        $perDomain = Get-RunCloudSsl -Domain 'shop.example.com'
        $perDomain.Mode | Should -Be 'Advanced'
        $perDomain.Installed | Should -BeTrue
    }

    It 'Reset-RunCloudSsl -Provider custom without a certificate is a bad invocation' {
        { Reset-RunCloudSsl -Provider custom } | Should -Throw -ErrorId 'RunCloudInvalidInput,RunCloud.PowerShell.Commands.ResetRunCloudSslCommand'
        Get-RunCloudEmulatorRequest | Should -BeNullOrEmpty
    }
}

Describe 'Test-RunCloudDomainDns' {
    BeforeAll {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -ServerId $Defaults::ServerId -WebAppId $Defaults::WebAppId -RateLimit 0
    }
    AfterAll {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
    }

    It 'says OK for a name that resolves to the expected address' {
        $r = Test-RunCloudDomainDns -Name localhost -IpAddress 127.0.0.1
        $r.Status | Should -Be 'OK'
        $r.PointsToServer | Should -BeTrue
    }

    It "compares with the server's ipAddress from RunCloud and explains a mismatch" {
        $r = Test-RunCloudDomainDns -Name localhost
        $r.ExpectedAddress | Should -Be '203.0.113.10'
        $r.Status | Should -Be 'WrongAddress'
        $r.Message | Should -Match '203\.0\.113\.10'
    }

    It 'takes domain objects from the pipeline and rejects a URL with a clear error' {
        $results = [pscustomobject]@{ Name = 'localhost'; ServerId = $Defaults::ServerId } | Test-RunCloudDomainDns -IpAddress 127.0.0.1
        $results.Name | Should -Be 'localhost'
        Test-RunCloudDomainDns -Name 'https://shop.example.com/' -IpAddress 127.0.0.1 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudInvalidDomainName*'
        $err[0].Exception.Message | Should -Match 'shop\.example\.com'
    }
}
