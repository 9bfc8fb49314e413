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

Describe 'Get-RunCloudDnsIntegration' {
    BeforeAll {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -ServerId $Defaults::ServerId -WebAppId $Defaults::WebAppId -RateLimit 0
        $script:secret = 'do-secret-0123456789abcdef'
        $script:do = $e.State.AddExternalApi('droplets', 'digitalocean', $secret)
    }
    AfterAll {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
    }

    It 'lists the account''s integrations (every page) without their secrets, even at -Debug' {
        $all = @(Get-RunCloudDnsIntegration -Debug 5>&1 4>&1 | Tee-Object -Variable streams | Where-Object { $_ -is [RunCloud.PowerShell.Models.RunCloudDnsIntegration] })
        @($all.Label) | Should -Be @('cloudflare-dns', 'droplets')
        $all[0].Id | Should -Be 5001
        $all[0].Service | Should -Be 'Cloudflare'
        $all[1].Service | Should -Be 'Digital Ocean'
        $all[0].PSObject.Properties.Name | Should -Not -Contain 'Secret'
        ($streams | Out-String) | Should -Not -Match ([regex]::Escape($secret))
        ($all | Format-Table | Out-String -Width 80) | Should -Not -Match ([regex]::Escape($secret))
    }

    It 'filters by label (wildcards), service and id; an exact label or id that names none is an error' {
        (Get-RunCloudDnsIntegration -Label 'drop*').Id | Should -Be $do.Id
        (Get-RunCloudDnsIntegration -Service DigitalOcean).Label | Should -Be 'droplets'
        (Get-RunCloudDnsIntegration -Id 5001).Label | Should -Be 'cloudflare-dns'
        @(Get-RunCloudDnsIntegration -Label 'nothing*') | Should -BeNullOrEmpty
        Get-RunCloudDnsIntegration -Label 'nothing' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudDnsIntegrationNotFound*'
        Get-RunCloudDnsIntegration -Id 999 -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudDnsIntegrationNotFound*'
    }

    It 'an integration object binds to -ExternalApi as its id' {
        $e.State.AddDomain(1001, 2002, '*.blog.example.com') | Out-Null
        $e.ClearRequests()
        Get-RunCloudDnsIntegration -Label droplets | ForEach-Object { Reset-RunCloudSsl -WebAppId 2002 -AuthorizationMethod dns-01 -ExternalApi $_ -Confirm:$false }
        $post = @(Get-RunCloudEmulatorRequest -Method POST)
        $post | Should -HaveCount 1
        ($post[0].Body | ConvertFrom-Json).externalApi | Should -Be $do.Id
        $e.GetUncoveredDomains(1001, 2002) | Should -BeNullOrEmpty
    }
}

Describe 'Remove-RunCloudSsl' {
    BeforeEach {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -ServerId $Defaults::ServerId -WebAppId $Defaults::WebAppId -RateLimit 0
        $e.ClearRequests()
    }
    AfterEach {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
        Remove-Item -Recurse -Force (Join-Path $env:RUNCLOUD_STATE_PATH '*') -ErrorAction SilentlyContinue
    }

    It 'uninstalls the app''s certificate on its own, and the journal owes nothing for it any more' {
        # A redeploy a failed run left owed: without the journal being told, the next sync would order it.
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 500 -Count 1 -Method PUT -Path 'servers/*/webapps/*/ssl/*'
        Add-RunCloudDomain -Name 'owed.example.org' -ResetSsl -Confirm:$false -ErrorAction SilentlyContinue
        @(Get-OwedJournal) | Should -HaveCount 1
        $e.ClearRequests()

        Remove-RunCloudSsl -Confirm:$false
        $m = @(Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET')
        ($m | ForEach-Object { "$($_.Method) $($_.Path -replace '^.*/webapps/2001/', '')" }) | Should -Be @("DELETE ssl/$($Defaults::SslId)")
        (Get-RunCloudSsl).Installed | Should -BeFalse
        Get-OwedJournal | Should -BeNullOrEmpty

        $e.ClearRequests()
        Sync-RunCloudDomain -Domain $Defaults::PrimaryDomainName, 'owed.example.org' -Confirm:$false | Out-Null
        @(Get-RunCloudEmulatorRequest | Where-Object Method -In 'POST', 'PUT') | Should -BeNullOrEmpty -Because 'no run orders the removed certificate again'
    }

    It '-WhatIf sends only GETs; an app without a certificate is an error, and ConfirmImpact is High' {
        Remove-RunCloudSsl -WhatIf
        Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET' | Should -BeNullOrEmpty
        (Get-Command Remove-RunCloudSsl).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
        Remove-RunCloudSsl -WebAppId 2002 -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudSslNotInstalled*'
    }

    It 'takes certificates piped from Get-RunCloudSsl: in advanced mode exactly that domain''s, the others stay' {
        Set-RunCloudSslMode -Mode Advanced -UninstallAppCertificate -Force
        Add-RunCloudDomain -Name 'second.example.org' -Confirm:$false
        Reset-RunCloudSsl -Name $Defaults::PrimaryDomainName, 'second.example.org' -Confirm:$false
        $e.ClearRequests()

        Get-RunCloudSsl -Name 'second.example.org' | Remove-RunCloudSsl -Confirm:$false
        $m = @(Get-RunCloudEmulatorRequest | Where-Object Method -NE 'GET')
        $m | Should -HaveCount 1
        $m[0].Method | Should -Be 'DELETE'
        $m[0].Path | Should -Match '/domains/\d+/ssl/\d+$'
        (Get-RunCloudSsl -Name 'second.example.org').Installed | Should -BeFalse
        (Get-RunCloudSsl -Name $Defaults::PrimaryDomainName).Installed | Should -BeTrue
    }

    It 'a certificate another client removed a moment earlier is a warning, not an error, whatever RunCloud''s 404 says' {
        $ssl = Get-RunCloudSsl
        $e.State.UninstallSsl($Defaults::ServerId, $Defaults::WebAppId) | Out-Null
        $ssl | Remove-RunCloudSsl -Confirm:$false -ErrorVariable err -WarningVariable warned -WarningAction SilentlyContinue
        $err | Should -BeNullOrEmpty
        ($warned -join ' ') | Should -BeLike "*certificate $($Defaults::SslId)*already gone*"
    }
}

Describe 'RunCloud''s DNS instructions' {
    BeforeAll {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -ServerId $Defaults::ServerId -WebAppId $Defaults::WebAppId -RateLimit 0
        $script:Doh = "$($e.BaseUri)_emulator/dns-query"
    }
    AfterAll {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
    }

    It 'Get-RunCloudDomainDns writes the records RunCloud says a domain needs, by name or piped' {
        $records = @(Get-RunCloudDomainDns -Name $Defaults::PrimaryDomainName)
        $records | Should -Not -BeNullOrEmpty
        $records[0].Type | Should -Be 'A'
        $records[0].Name | Should -Be $Defaults::PrimaryDomainName
        $records[0].Content | Should -Be '203.0.113.10'
        $records[0].DomainId | Should -Be 3001
        @(Get-RunCloudDomain -Name $Defaults::PrimaryDomainName | Get-RunCloudDomainDns).Content | Should -Be @('203.0.113.10')
        ($records | Format-Table | Out-String -Width 80) | Should -Match '203\.0\.113\.10'
        Get-RunCloudDomainDns -Name 'nothere.example.org' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudDomainNotFound*'
    }

    It 'Test-RunCloudDomainDns adds them to a name that is not ready, and a wildcard is ready only through DNS-01' {
        Set-RunCloudEmulatorDns -Name $Defaults::PrimaryDomainName -Unpointed
        try {
            $check = Get-RunCloudDomain -Name $Defaults::PrimaryDomainName | Test-RunCloudDomainDns -DnsServer $Doh
            $check.Status | Should -Be 'NotResolved'
            $check.Instructions.Content | Should -Be '203.0.113.10'
            $check.Message | Should -BeLike "*RunCloud's DNS instructions: A $($Defaults::PrimaryDomainName) -> 203.0.113.10*"
        }
        finally { Set-RunCloudEmulatorDns -Name $Defaults::PrimaryDomainName -Default }

        $e.State.AddDomain(1001, 2001, '*.network.example.com') | Out-Null
        $wild = Test-RunCloudDomainDns -Name '*.network.example.com' -DnsServer $Doh
        $wild.Status | Should -Be 'NeedsDns01'
        $wild.PointsToServer | Should -BeTrue -Because 'names under it do point at the server, which does not make it ready for HTTP-01'
        $wild.Message | Should -BeLike '*only over DNS-01*-ExternalApi*'
    }
}

Describe 'Removing a domain another client removed a moment earlier' {
    It 'is silent success, whatever the 404 says (<Wording>)' -ForEach @(@{ Wording = 'Laravel' }, @{ Wording = 'Plain' }) {
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0 -NotFoundWording $Wording
        try {
            Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -ServerId $Defaults::ServerId -WebAppId $Defaults::WebAppId -RateLimit 0
            Add-RunCloudDomain -Name 'gone.example.org' -Confirm:$false
            $domain = Get-RunCloudDomain -Name 'gone.example.org'
            # Another client (here: RunCloud's API called directly) removes it first.
            Invoke-RestMethod -Method Delete -Uri "$($e.ApiV3Uri)servers/1001/webapps/2001/domains/$($domain.Id)" -Headers @{ Authorization = "Bearer $($e.Token)"; Accept = 'application/json' } | Out-Null
            $e.ClearRequests()
            $domain | Remove-RunCloudDomain -Force -ErrorVariable err -WarningVariable warned -WarningAction SilentlyContinue
            $err | Should -BeNullOrEmpty
            ($warned -join ' ') | Should -BeLike '*gone.example.org was already gone*'
            (Get-RunCloudEmulatorRequest -Method DELETE).StatusCode | Should -Be 404
        }
        finally {
            Disconnect-RunCloud
            $e | Stop-RunCloudEmulator
        }
    }
}
