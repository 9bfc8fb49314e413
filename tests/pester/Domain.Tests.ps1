# Get-RunCloudServer/-WebApp/-Domain, Add- and Remove-RunCloudDomain against the emulator, counting requests in its log.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Token = $null
    function script:New-Emulator {
        # 122 names in one basic certificate: past Let's Encrypt's 100, which the emulator enforces unless told not to
        # (these tests are about listing, adding and removing, not about the certificate strategy).
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0 -MaxNamesPerCertificate 0
        $env:RUNCLOUD_MAX_NAMES_PER_CERTIFICATE = '0'   # the module's SSL strategy likewise (tests/pester/SslStrategy.Tests.ps1 covers it)
        # 120 seeded domains after the app's 2 defaults: 122 in all, 4 pages of 40; six *.old.example.com names spread out
        $names = 1..120 | ForEach-Object { if ($_ % 20 -eq 0) { 'site{0:d3}.old.example.com' -f $_ } else { 'site{0:d3}.example.net' -f $_ } }
        [void]$e.State.AddDomains(1001, 2001, [string[]]$names)
        $e
    }
    function script:Requests($e, [string]$Method, [string]$Path) {
        $p = @{ Emulator = $e }
        if ($Method) { $p.Method = $Method }
        if ($Path) { $p.Path = $Path }
        @(Get-RunCloudEmulatorRequest @p)
    }
}

AfterAll { Disconnect-RunCloud }

Describe 'Get-RunCloudServer, Get-RunCloudWebApp, Get-RunCloudDomain' {
    BeforeAll { $script:emu = New-Emulator }
    AfterAll { $script:emu | Stop-RunCloudEmulator }
    BeforeEach { Connect-TestEmulator $script:emu -ClearRequests }

    It 'lists servers, by id and by wildcard name' {
        $all = @(Get-RunCloudServer)
        $all.Name | Should -Be @('web1', 'web2')
        $all[0] | Should -BeOfType ([RunCloud.PowerShell.Models.RunCloudServer])
        (Get-RunCloudServer -Id 1001).IpAddress | Should -Be '203.0.113.10'
        @(Get-RunCloudServer -Name 'WEB*') | Should -HaveCount 2
        @(Get-RunCloudServer -Name 'web2').Id | Should -Be 1002
        @(Get-RunCloudServer -Name 'nope*') | Should -HaveCount 0
    }

    It 'lists web apps of the default server, by id and by name, carrying ServerId' {
        $apps = @(Get-RunCloudWebApp)
        $apps.Name | Should -Contain 'shop'
        $apps.Name | Should -Contain 'blog'
        $apps | ForEach-Object { $_.ServerId | Should -Be 1001 }
        (Get-RunCloudWebApp -Id 2002).Name | Should -Be 'blog'
        @(Get-RunCloudWebApp -Name 'sh*').Id | Should -Be 2001
    }

    It 'lists every domain across all pages (122), by id and by wildcard' {
        $all = @(Get-RunCloudDomain)
        $all | Should -HaveCount 122
        $all[0].WebAppId | Should -Be 2001
        $all[0].ServerId | Should -Be 1001
        (Requests $script:emu 'GET' '*/domains') | Should -HaveCount 4
        (Get-RunCloudDomain -Id 3001).Name | Should -Be 'shop.example.com'
        @(Get-RunCloudDomain -Name '*.old.example.com') | Should -HaveCount 6
        (Get-RunCloudDomain -Name 'site100.old.example.com').Name | Should -Be 'site100.old.example.com'
    }

    It '-First fetches only the first page' {
        @(Get-RunCloudDomain -First 5) | Should -HaveCount 5
        $log = Requests $script:emu 'GET' '*/domains'
        $log | Should -HaveCount 1
        $log[0].Query | Should -Match 'page=1\b'
        $log[0].Query | Should -Match 'perPage=40'
    }

    It '-Skip jumps to the page that holds the first wanted item' {
        $all = @(Get-RunCloudDomain)
        $script:emu.ClearRequests()
        $got = @(Get-RunCloudDomain -Skip 85 -First 3)
        $got.Id | Should -Be $all[85..87].Id
        $log = Requests $script:emu 'GET' '*/domains'
        $log | Should -HaveCount 1
        $log[0].Query | Should -Match 'page=3\b'
    }

    It '-Skip and -First across a page boundary fetch just the two pages' {
        $all = @(Get-RunCloudDomain)
        $script:emu.ClearRequests()
        $got = @(Get-RunCloudDomain -Skip 38 -First 4)
        $got.Id | Should -Be $all[38..41].Id
        (Requests $script:emu 'GET' '*/domains') | Should -HaveCount 2
    }

    It 'an unknown web app is a RunCloudNotFound error with the target' {
        Get-RunCloudDomain -WebAppId 9999 -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudNotFound,*'
        $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e[0].TargetObject | Should -Be 9999
    }
}

Describe 'Add-RunCloudDomain' {
    BeforeAll { $script:emu = New-Emulator }
    AfterAll { $script:emu | Stop-RunCloudEmulator }
    BeforeEach { Connect-TestEmulator $script:emu -ClearRequests; $script:emu.Faults.Clear() }

    It 'adds a new name, normalised, and -PassThru returns the domain object' {
        $d = Add-RunCloudDomain -Name 'New1.Example.COM.' -PassThru
        $d | Should -BeOfType ([RunCloud.PowerShell.Models.RunCloudDomain])
        $d.Name | Should -Be 'new1.example.com'
        $d.ServerId | Should -Be 1001
        $d.WebAppId | Should -Be 2001
        $post = Requests $script:emu 'POST' '*/domains'
        $post | Should -HaveCount 1
        $post[0].ContentType | Should -BeLike 'application/json*'
        ($post[0].Body | ConvertFrom-Json).www | Should -BeFalse
        (Get-EmulatorDomainName $script:emu) | Should -Contain 'new1.example.com'
    }

    It 'converts an IDN to punycode before sending' {
        Add-RunCloudDomain -Name 'bücher.example.com'
        ((Requests $script:emu 'POST')[0].Body | ConvertFrom-Json).name | Should -Be 'xn--bcher-kva.example.com'
    }

    It 'refuses a URL with a hint naming the host, and sends no request' {
        Add-RunCloudDomain -Name 'https://shop2.example.com/' -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudInvalidDomainName,*'
        $e[0].Exception.Message | Should -BeLike '*: shop2.example.com*'
        $e[0].TargetObject | Should -Be 'https://shop2.example.com/'
        $script:emu.GetRequests().Count | Should -Be 0
    }

    It 'a bad name does not stop the other names' {
        Add-RunCloudDomain -Name 'ok1.example.com', 'bad name', 'ok2.example.com' -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -HaveCount 1
        (Requests $script:emu 'POST') | Should -HaveCount 2
    }

    It 'a duplicate is a warning, and -PassThru gives the existing object' {
        $d = Add-RunCloudDomain -Name 'shop.example.com' -PassThru -WarningVariable w -WarningAction SilentlyContinue -ErrorVariable e
        $e | Should -HaveCount 0
        $w | Should -HaveCount 1
        "$w" | Should -BeLike '*already*'
        $d.Id | Should -Be 3001
        $d.Name | Should -Be 'shop.example.com'
    }

    It 'a failing add is a non-terminating error and triggers no SSL redeploy' {
        Add-RunCloudEmulatorFault -Emulator $script:emu -Kind Status -StatusCode 500 -Method POST -Path 'servers/*/webapps/*/domains' -Count 1 | Out-Null
        Add-RunCloudDomain -Name 'fail1.example.com', 'ok3.example.com' -ResetSsl -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudServerError,*'
        $e[0].TargetObject | Should -Be 'fail1.example.com'
        (Get-EmulatorDomainName $script:emu) | Should -Contain 'ok3.example.com'
        (Requests $script:emu 'PUT' '*/ssl/*') | Should -HaveCount 1   # for ok3 only

        $script:emu.ClearRequests()
        Add-RunCloudEmulatorFault -Emulator $script:emu -Kind Status -StatusCode 422 -Method POST -Path 'servers/*/webapps/*/domains' -Count 1 | Out-Null
        Add-RunCloudDomain -Name 'fail2.example.com' -ResetSsl -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2 | Should -HaveCount 1
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudValidationFailed,*'
        # The SSL state is read before the add (the engine's preflight: would the certificate follow?); nothing SSL is sent.
        @(Requests $script:emu '' '*/ssl*' | Where-Object Method -NE 'GET') | Should -HaveCount 0
        (Get-EmulatorDomainName $script:emu) | Should -Not -Contain 'fail2.example.com'
    }

    It 'a POST that times out ambiguously is checked before being sent again' {
        Add-RunCloudEmulatorFault -Emulator $script:emu -Kind Status -StatusCode 503 -Method POST -Path 'servers/*/webapps/*/domains' -Count 1 | Out-Null
        $d = Add-RunCloudDomain -Name 'amb1.example.com' -PassThru
        $d.Name | Should -Be 'amb1.example.com'
        $log = @($script:emu.GetRequests() | ForEach-Object { $_.Method })
        $log | Should -Be @('POST', 'GET', 'POST')
    }

    It '-ResetSsl with 3 piped names redeploys exactly once' {
        'p1.example.com', 'p2.example.com', 'p3.example.com' | Add-RunCloudDomain -ResetSsl
        (Requests $script:emu 'POST' '*/domains') | Should -HaveCount 3
        (Requests $script:emu 'PUT') | Should -HaveCount 1
        (Requests $script:emu 'PUT')[0].Path | Should -BeLike '*/webapps/2001/ssl/4001'
        $script:emu.GetUncoveredDomains(1001, 2001) | Should -Not -Contain 'p2.example.com'
    }

    It '-ResetSsl with only duplicates redeploys nothing' {
        'shop.example.com' | Add-RunCloudDomain -ResetSsl -WarningAction SilentlyContinue
        (Requests $script:emu 'PUT') | Should -HaveCount 0
    }

    It 'Import-Csv with a Domain column pipes into Add-RunCloudDomain' {
        $csv = Join-Path $TestDrive 'domains.csv'
        "Domain,Note`ncsv1.example.com,a`ncsv2.example.com,b" | Set-Content $csv
        Import-Csv $csv | Add-RunCloudDomain -ResetSsl
        (Get-EmulatorDomainName $script:emu) | Should -Contain 'csv1.example.com'
        (Get-EmulatorDomainName $script:emu) | Should -Contain 'csv2.example.com'
        (Requests $script:emu 'PUT') | Should -HaveCount 1
        $csv2 = Join-Path $TestDrive 'names.csv'
        "Name`ncsv3.example.com" | Set-Content $csv2
        Import-Csv $csv2 | Add-RunCloudDomain
        (Get-EmulatorDomainName $script:emu) | Should -Contain 'csv3.example.com'
    }

    It '-Www on a www. name sends www:false with a warning, and www:true otherwise' {
        Add-RunCloudDomain -Name 'www.w1.example.com' -Www -WarningVariable w -WarningAction SilentlyContinue
        $w | Should -HaveCount 1
        ((Requests $script:emu 'POST')[0].Body | ConvertFrom-Json).www | Should -BeFalse
        $script:emu.ClearRequests()
        Add-RunCloudDomain -Name 'w2.example.com' -Www -Redirection non-www
        $body = (Requests $script:emu 'POST')[0].Body | ConvertFrom-Json
        $body.www | Should -BeTrue
        $body.redirection | Should -Be 'non-www'
    }

    It '-WhatIf sends no mutating request' {
        Add-RunCloudDomain -Name 'whatif.example.com' -ResetSsl -WhatIf
        (Get-EmulatorMutation $script:emu) | Should -HaveCount 0
        (Get-EmulatorDomainName $script:emu) | Should -Not -Contain 'whatif.example.com'
    }
}

Describe 'Remove-RunCloudDomain' {
    BeforeAll { $script:emu = New-Emulator }
    AfterAll { $script:emu | Stop-RunCloudEmulator }
    BeforeEach { Connect-TestEmulator $script:emu -ClearRequests }

    It 'finds a name on page 3 of 122 and deletes it' {
        $all = @($script:emu.State.GetDomains(1001, 2001))
        $target = $all[95]   # page 3 at 40 per page
        Remove-RunCloudDomain -Name $target.Name -Confirm:$false
        $del = Requests $script:emu 'DELETE'
        $del | Should -HaveCount 1
        $del[0].Path | Should -BeLike "*/domains/$($target.Id)"
        (Get-EmulatorDomainName $script:emu) | Should -Not -Contain $target.Name
    }

    It 'an unknown name is RunCloudDomainNotFound and sends no DELETE' {
        Remove-RunCloudDomain -Name 'absent.example.com' -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudDomainNotFound,*'
        $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e[0].TargetObject | Should -Be 'absent.example.com'
        (Requests $script:emu 'DELETE') | Should -HaveCount 0
    }

    It 'refuses the primary domain without -Force' {
        Remove-RunCloudDomain -Name 'shop.example.com' -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudPrimaryDomainProtected,*'
        $e[0].TargetObject.Name | Should -Be 'shop.example.com'
        (Requests $script:emu 'DELETE') | Should -HaveCount 0
    }

    It 'removes by -Id' {
        $d = Add-RunCloudDomain -Name 'byid.example.com' -PassThru
        $script:emu.ClearRequests()
        Remove-RunCloudDomain -Id $d.Id -Confirm:$false
        (Requests $script:emu 'DELETE')[0].Path | Should -BeLike "*/domains/$($d.Id)"
        Remove-RunCloudDomain -Id 987654 -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudDomainNotFound,*'
    }

    It '-WhatIf sends no DELETE' {
        Get-RunCloudDomain -Name '*.old.example.com' | Remove-RunCloudDomain -WhatIf
        Remove-RunCloudDomain -Name 'site001.example.net' -Force -WhatIf
        (Get-EmulatorMutation $script:emu) | Should -HaveCount 0
        @(Get-RunCloudDomain -Name '*.old.example.com') | Should -HaveCount 6
    }

    It 'removes -InputObject from Get-RunCloudDomain -Name *.old.example.com, with one SSL redeploy' {
        $old = @(Get-RunCloudDomain -Name '*.old.example.com' | Select-Object -First 3)
        $script:emu.ClearRequests()
        Remove-RunCloudDomain -InputObject $old -Confirm:$false -ResetSsl
        (Requests $script:emu 'DELETE') | Should -HaveCount 3
        (Requests $script:emu 'PUT') | Should -HaveCount 1
        @(Get-RunCloudDomain -Name '*.old.example.com') | Should -HaveCount 3
    }

    It 'the whole pipeline Get-RunCloudServer | Get-RunCloudWebApp | Get-RunCloudDomain | Remove-RunCloudDomain -Force works' {
        Connect-TestEmulator $script:emu -ClearRequests -NoDefaults
        (Get-RunCloudConnection).WebAppId | Should -BeNullOrEmpty
        Get-RunCloudServer -Name web1 | Get-RunCloudWebApp -Name shop | Get-RunCloudDomain -Name '*.old.example.com' | Remove-RunCloudDomain -Force
        (Requests $script:emu 'DELETE') | Should -HaveCount 3
        (Requests $script:emu 'DELETE') | ForEach-Object { $_.Path | Should -BeLike '*/servers/1001/webapps/2001/domains/*' }
        (Get-EmulatorDomainName $script:emu) | Where-Object { $_ -like '*.old.example.com' } | Should -BeNullOrEmpty
    }
}
