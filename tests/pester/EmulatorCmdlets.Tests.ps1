# The emulator module's own cmdlets (RunCloud.PowerShell.Emulator): what they change and what they write.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Set-RunCloudEmulatorDns and Resolve-RunCloudEmulatorDns' {
    BeforeEach {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        Connect-TestEmulator $e
    }
    AfterEach {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
    }

    It 'resolves every domain to its server by default, and unknown names to NXDomain' {
        $answers = @(Get-RunCloudDomain | Resolve-RunCloudEmulatorDns)
        $answers.Count | Should -Be 2
        $answers | ForEach-Object { $_.Addresses | Should -Be @('203.0.113.10'); $_.IsDefault | Should -BeTrue }
        (Resolve-RunCloudEmulatorDns nowhere.example.net).Status | Should -Be 'NXDomain'
    }

    It 'points, aliases, unpoints and restores names, from parameters and the pipeline' {
        $r = Set-RunCloudEmulatorDns -Name moved.example.com -Address 198.51.100.7, 2001:db8::7 -PassThru
        $r.Addresses | Should -Be @('198.51.100.7', '2001:db8::7')
        Set-RunCloudEmulatorDns -Name www.shop.example.com -CName shop.example.com
        (Resolve-RunCloudEmulatorDns www.shop.example.com).CNames | Should -Be @('shop.example.com')
        Get-RunCloudDomain | Set-RunCloudEmulatorDns -Unpointed
        @(Get-RunCloudDomain | Resolve-RunCloudEmulatorDns | Where-Object Status -EQ 'NXDomain').Count | Should -Be 2
        Set-RunCloudEmulatorDns -Name shop.example.com -Default
        (Resolve-RunCloudEmulatorDns shop.example.com).IsDefault | Should -BeTrue
        (Set-RunCloudEmulatorDns -Name cdn.example.com -Address 104.16.0.1 -Proxied -PassThru).Proxied | Should -BeTrue
    }

    It 'changes nothing under -WhatIf, and reports a bad address as RunCloudEmulatorInvalidDns' {
        Set-RunCloudEmulatorDns -Name shop.example.com -Unpointed -WhatIf
        (Resolve-RunCloudEmulatorDns shop.example.com).Status | Should -Be 'NoError'
        Set-RunCloudEmulatorDns -Name x.example.com -Address not-an-ip -ErrorAction SilentlyContinue -ErrorVariable bad
        $bad[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudEmulatorInvalidDns,*'
        $e.Dns.GetRecords().Count | Should -Be 0
    }

    It 'makes the module''s redeploy fail as a whole while a name is unpointed, and succeed once it is pointed' {
        Add-RunCloudDomain -Name early.example.com
        Set-RunCloudEmulatorDns -Name early.example.com -Unpointed
        Reset-RunCloudSsl -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failed
        "$($failed[-1])" | Should -Match 'could not validate 1 of 3 names with HTTP-01'
        $e.GetUncoveredDomains(1001, 2001) | Should -Be @('early.example.com')
        Set-RunCloudEmulatorDns -Name early.example.com -Address 203.0.113.10
        Reset-RunCloudSsl -Confirm:$false
        $e.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
    }
}

Describe 'Start-RunCloudEmulator Let''s Encrypt, TLS and DNS parameters' {
    It 'passes -MaxNamesPerCertificate and -DuplicateCertificateLimit to the emulator' {
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0 -MaxNamesPerCertificate 0 -DuplicateCertificateLimit 0 -NewOrdersLimit 7 -FailedValidationLimit 2
        try {
            $e.State.MaxNamesPerCertificate | Should -Be 0
            $e.State.DuplicateCertificateLimit | Should -Be 0
            $e.State.NewOrdersLimit | Should -Be 7
            $e.State.FailedValidationLimit | Should -Be 2
        }
        finally { $e | Stop-RunCloudEmulator }
        $d = Start-RunCloudEmulator -RateLimitPerMinute 0
        try {
            $d.State.MaxNamesPerCertificate | Should -Be 100
            $d.State.DuplicateCertificateLimit | Should -Be 5
            $d.TlsPort | Should -Be 0
            $d.DnsPort | Should -Be 0
        }
        finally { $d | Stop-RunCloudEmulator }
    }

    It 'starts a TLS endpoint with -TlsPort 0 that serves the app''s certificate by SNI, and a DNS responder with -DnsPort 0' {
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0 -TlsPort 0 -DnsPort 0
        try {
            $e.TlsPort | Should -BeGreaterThan 0
            $e.DnsPort | Should -BeGreaterThan 0
            $tcp = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $e.TlsPort)
            $ssl = [System.Net.Security.SslStream]::new($tcp.GetStream(), $false, { $true })
            try {
                $ssl.AuthenticateAsClient('shop.example.com')
                $cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($ssl.RemoteCertificate)
            }
            finally { $ssl.Dispose(); $tcp.Dispose() }
            $cert.Subject | Should -Be 'CN=shop.example.com'
            $cert.Issuer | Should -Be $e.TlsCertificateAuthority.Subject
            [RunCloud.Emulator.RunCloudEmulator]::CertificateCovers($cert, 'shop.example.com') | Should -BeTrue
        }
        finally { $e | Stop-RunCloudEmulator }
    }
}

Describe 'Start-RunCloudEmulator rule switches and Get-RunCloudEmulatorRequest''s wire fields' {
    It 'passes every rule switch to the emulator' {
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0 -NotFoundWording Plain -SslModeSwitch InPlace -PerDomainReinstall Reissue `
            -AllowProtocolsWithoutWebServer -CertificatesPerDomainLimit 7 -NoSslStatusCode 200 -DefaultPerPageV2 5 -DefaultPerPageV3 6 -MaxPerPage 30 `
            -AdditionalToken 'second-token'
        try {
            $o = $e.Options
            $o.NotFoundWording | Should -Be 'Plain'
            $o.SslModeSwitch | Should -Be 'InPlace'
            $o.PerDomainReinstall | Should -Be 'Reissue'
            $o.ProtocolsRequireWebServer | Should -BeFalse
            $o.CertificatesPerDomainLimit | Should -Be 7
            $e.State.CertificatesPerDomainLimit | Should -Be 7
            $o.NoSslStatusCode | Should -Be 200
            @($o.DefaultPerPageV2, $o.DefaultPerPageV3, $o.MaxPerPage) | Should -Be @(5, 6, 30)
            $o.AdditionalTokens | Should -Be @('second-token')
        }
        finally { $e | Stop-RunCloudEmulator }
        $d = Start-RunCloudEmulator -RateLimitPerMinute 0
        try {
            $d.Options.NotFoundWording | Should -Be 'Laravel'
            $d.Options.SslModeSwitch | Should -Be 'RequireUninstall'
            $d.Options.PerDomainReinstall | Should -Be 'Refuse'
            $d.Options.ProtocolsRequireWebServer | Should -BeTrue
            $d.Options.CertificatesPerDomainLimit | Should -Be 50
        }
        finally { $d | Stop-RunCloudEmulator }
    }

    It 'logs a body-less PUT without Content-Length, with its account, and shows the log in 80 columns' {
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0
        try {
            $client = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $e.Port)
            try {
                $stream = $client.GetStream()
                $bytes = [System.Text.Encoding]::ASCII.GetBytes("PUT /api/v3/servers/1001/webapps/2001/ssl/4001 HTTP/1.1`r`nHost: 127.0.0.1`r`nAuthorization: Bearer $($e.Token)`r`nUser-Agent: curl/8.5.0`r`nConnection: close`r`n`r`n")
                $stream.Write($bytes, 0, $bytes.Length)
                $reader = [System.IO.StreamReader]::new($stream)
                $reader.ReadLine() | Should -Be 'HTTP/1.1 200 OK'
            }
            finally { $client.Dispose() }
            $r = Get-RunCloudEmulatorRequest -Method PUT
            $r.StatusCode | Should -Be 200
            $r.ContentLength | Should -BeNullOrEmpty
            $r.BodyKind | Should -Be 'None'
            $r.Account | Should -Be 'token'
            $r.UserAgent | Should -Be 'curl/8.5.0'
            $table = (Get-RunCloudEmulatorRequest | Format-Table | Out-String -Width 200) -split "`r?`n" | Where-Object { $_.Trim() }
            $table | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
            ($table -join "`n") | Should -Match 'None \(no len\)'
            ($table -join "`n") | Should -Match 'v3/servers/1001/webapps/2001/ssl/4001'
            (Get-RunCloudEmulatorRequest | Format-List | Out-String) | Should -Match 'UserAgent\s+: curl/8.5.0'
        }
        finally { $e | Stop-RunCloudEmulator }
    }
}

Describe 'Set-RunCloudEmulatorUltimateMultisite' {
    BeforeEach {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        Connect-TestEmulator $e
    }
    AfterEach {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
    }

    It 'serves the network it is given to Get-RunCloudMappedDomain and the sync, through UM''s REST API, and writes the credential to read it' {
        $sites = 'network.example', 'shop.network.example', @{ BlogId = 7; Domain = 'old.network.example'; Deleted = $true }
        $mappings = @{ Domain = 'shop-custom.example'; BlogId = 2; Stage = 'checking-dns' }, [pscustomobject]@{ Domain = 'off.example'; BlogId = 2; Active = $false }, @{ Id = 9; Domain = 'gone.example'; BlogId = 7 }
        $um = Set-RunCloudEmulatorUltimateMultisite -Emulator $e -Site $sites -Mapping $mappings
        $um | Should -BeOfType ([RunCloud.Emulator.UltimateMultisiteEndpoint])
        ($um.Uri, $um.Sites, $um.Mappings) | Should -Be @($e.BaseUri, 3, 3)
        $um.Credential.UserName | Should -BeLike 'um-key-*'
        ($um | Format-Table | Out-String -Width 80) -split "`r?`n" | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }

        $rows = @(Get-RunCloudMappedDomain -UltimateMultisiteUri $um.Uri -Credential $um.Credential -WarningAction SilentlyContinue)
        $rows.Domain | Should -Be @('shop-custom.example', 'off.example', 'gone.example')
        ($rows | Where-Object Domain -EQ 'gone.example').MappingId | Should -Be 9
        $r = Sync-RunCloudDomain -UltimateMultisiteUri $um.Uri -UltimateMultisiteCredential $um.Credential -Force -WarningAction SilentlyContinue
        $r.Added | Should -Be @('network.example', 'shop-custom.example', 'shop.network.example')
        ($r.NotServed | ForEach-Object { "$($_.Name):$($_.NotServedReason)" }) | Should -Be @('off.example:Inactive', 'gone.example:SiteDeleted')
        @(Get-RunCloudEmulatorRequest -Path 'wp-json/wu/v2/*').Count | Should -Be 4
    }

    It 'pages as UM up to 2.4.12 did with -LegacyPaging; refuses a network UM could not hold; -Clear and -WhatIf' {
        $um = Set-RunCloudEmulatorUltimateMultisite -Site 'network.example' -Mapping @(1..150 | ForEach-Object { @{ Domain = "m$_.example"; BlogId = 1 } }) -LegacyPaging
        @(Get-RunCloudMappedDomain -UltimateMultisiteUri $um.Uri -Credential $um.Credential -WarningAction SilentlyContinue).Count | Should -Be 150
        @(Get-RunCloudEmulatorRequest -Path 'wp-json/wu/v2/domain').Query | Should -Be @('page=1&per_page=100', 'number=100&offset=99')
        { Set-RunCloudEmulatorUltimateMultisite -Site 'network.example' -Mapping @{ Domain = 'a.example'; BlogId = 1; Stage = 'nearly' } } |
            Should -Throw -ErrorId 'RunCloudEmulatorInvalidUltimateMultisite*' -ExpectedMessage "*stage 'nearly'*"
        { Set-RunCloudEmulatorUltimateMultisite -Site 'network.example' -Mapping @{ Domain = 'a.example' } } | Should -Throw -ExpectedMessage '*has no BlogId*'
        Set-RunCloudEmulatorUltimateMultisite -Clear -WhatIf
        $e.UltimateMultisite.Enabled | Should -BeTrue
        Set-RunCloudEmulatorUltimateMultisite -Clear -Confirm:$false
        $e.UltimateMultisite.Enabled | Should -BeFalse
        Get-RunCloudMappedDomain -UltimateMultisiteUri $um.Uri -Credential $um.Credential -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudUmRest*'
        "$($err[0])" | Should -BeLike '*404*Ultimate Multisite active*'
    }
}
