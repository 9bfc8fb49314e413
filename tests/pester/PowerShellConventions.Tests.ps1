# PowerShell conventions: what an Az / Microsoft.Graph / PSResourceGet user expects, through the built module.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function script:New-ConventionsEmulator {
        $e = Start-RunCloudEmulator -RateLimitPerMinute 0
        # 6 *.old.example.com names among others, on app 2001 (whose primary is shop.example.com)
        $names = 1..30 | ForEach-Object { if ($_ % 5 -eq 0) { 'site{0:d3}.old.example.com' -f $_ } else { 'site{0:d3}.example.net' -f $_ } }
        [void]$e.State.AddDomains(1001, 2001, [string[]]$names)
        $e
    }
    function script:Connect-To($e, [hashtable] $Extra = @{}) {
        $t = ConvertTo-SecureString $e.Token -AsPlainText -Force
        Connect-RunCloud -Token $t -BaseUri $e.BaseUri.AbsoluteUri -RateLimit 0 -ServerId 1001 -WebAppId 2001 @Extra
        $e.ClearRequests()
    }
    function script:DomainNames($e) { @($e.State.GetDomains(1001, 2001) | ForEach-Object Name) }
    function script:Mutations($e) { @($e.GetRequests() | Where-Object Method -in 'POST', 'PUT', 'PATCH', 'DELETE') }

    # Runs $Script in a child pwsh (-NonInteractive), connected to $e: what-if lines and prompts go to the host, so
    # only a real console shows them. Returns the output lines; $script:ChildExit holds the exit code.
    function script:Invoke-Child($e, [string] $Script) {
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $prelude = "`$ErrorActionPreference = 'Continue'; Import-Module '$script:ModulePath'; " +
            "Connect-RunCloud -Token (ConvertTo-SecureString '$($e.Token)' -AsPlainText -Force) -BaseUri '$($e.BaseUri.AbsoluteUri)' -RateLimit 0 -ServerId 1001 -WebAppId 2001; "
        $out = & $exe @rest -NoProfile -NonInteractive -Command ($prelude + $Script) 2>&1
        $script:ChildExit = $LASTEXITCODE
        @($out | ForEach-Object { "$_" })
    }
}

AfterAll { Disconnect-RunCloud -ErrorAction SilentlyContinue }

Describe 'Errors and results' {
    BeforeAll { $script:emu = New-ConventionsEmulator }
    AfterAll { $script:emu | Stop-RunCloudEmulator }
    BeforeEach { Connect-To $script:emu }

    It 'not found is a non-terminating error that -ErrorAction honours (<Command>)' -ForEach @(
        @{ Command = 'Get-RunCloudServer'; Arguments = @{ Id = 9999 } }
        @{ Command = 'Get-RunCloudWebApp'; Arguments = @{ Id = 9999 } }
        @{ Command = 'Get-RunCloudDomain'; Arguments = @{ Id = 9999 } }
        @{ Command = 'Get-RunCloudSsl'; Arguments = @{ WebAppId = 9999 } }
    ) {
        $Error.Clear()
        { & $Command @Arguments -ErrorAction Ignore } | Should -Not -Throw
        $Error.Count | Should -Be 0
        $got = & $Command @Arguments -ErrorAction SilentlyContinue -ErrorVariable ev
        $got | Should -BeNullOrEmpty
        $ev | Should -HaveCount 1
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudNotFound,*'
        $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        # the idiom scripts use
        $found = if (& $Command @Arguments -ErrorAction SilentlyContinue) { $true } else { $false }
        $found | Should -BeFalse
    }

    It 'Get-RunCloudDomain -Name: an exact name not found is an error, a wildcard that matches nothing is silence' {
        $none = Get-RunCloudDomain -Name 'nothere.example.com' -ErrorAction SilentlyContinue -ErrorVariable ev
        $none | Should -BeNullOrEmpty
        $ev | Should -HaveCount 1
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudDomainNotFound,*'
        $ev[0].Exception.Message | Should -BeLike '*nothere.example.com*web app 2001*'
        $ev[0].TargetObject | Should -Be 'nothere.example.com'

        Get-RunCloudDomain -Name 'nothere*' -ErrorVariable ev2 | Should -BeNullOrEmpty
        $ev2 | Should -HaveCount 0

        # one exact miss among hits: the hits come out, the miss is one error
        $got = @(Get-RunCloudDomain -Name 'shop.example.com', 'gone.example.com', '*.old.example.com' -ErrorAction SilentlyContinue -ErrorVariable ev3)
        $got.Name | Should -Contain 'shop.example.com'
        $got | Should -HaveCount 7
        $ev3 | Should -HaveCount 1
        $ev3[0].TargetObject | Should -Be 'gone.example.com'
    }

    It 'Get-RunCloudServer and Get-RunCloudWebApp -Name: exact miss is an error, wildcard miss is silence' {
        Get-RunCloudServer -Name 'nosuchserver' -ErrorAction SilentlyContinue -ErrorVariable ev | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudServerNotFound,*'
        Get-RunCloudWebApp -Name 'nosuchapp' -ErrorAction SilentlyContinue -ErrorVariable ev2 | Should -BeNullOrEmpty
        $ev2[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudWebAppNotFound,*'
        Get-RunCloudServer -Name 'nosuch*' -ErrorVariable ev3 | Should -BeNullOrEmpty
        $ev3 | Should -HaveCount 0
    }

    It 'the final error after retries says how many attempts over how long' {
        Connect-To $script:emu -Extra @{ MaxAttempts = 3 }
        Add-RunCloudEmulatorFault -Emulator $script:emu -Kind Status -StatusCode 503 -Count 0 -Method GET -Path 'servers' -RetryAfterSeconds 0 | Out-Null
        try {
            Get-RunCloudServer -ErrorAction SilentlyContinue -ErrorVariable ev | Should -BeNullOrEmpty
        }
        finally { Clear-RunCloudEmulatorFault -Emulator $script:emu }
        @($script:emu.GetRequests() | Where-Object Path -Like '*/servers') | Should -HaveCount 3
        $ev | Should -HaveCount 1
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudServerError,*'
        "$ev" | Should -Match 'after 3 attempts over \d+(\.\d+)? s'
        $ev[0].Exception.Attempts | Should -Be 3
    }

    It 'a single attempt says nothing about retries' {
        Get-RunCloudServer -Id 9999 -ErrorAction SilentlyContinue -ErrorVariable ev
        "$ev" | Should -Not -Match 'attempts'
    }

    It 'Remove-RunCloudDomain under -NonInteractive says -Confirm:$false or -Force is needed' {
        $out = Invoke-Child $script:emu "Remove-RunCloudDomain -Name site001.example.net; 'ID=' + `$Error[0].FullyQualifiedErrorId"
        ($out -join "`n") | Should -Match ([regex]::Escape('-Confirm:$false'))
        ($out -join "`n") | Should -Match '-Force'
        ($out -join "`n") | Should -Match 'ID=RunCloudConfirmationRequired,'
        DomainNames $script:emu | Should -Contain 'site001.example.net'
    }

    It '<Command> -Confirm under -NonInteractive names -Confirm:$false, not PowerShell''s bare NonInteractive error' -ForEach @(
        @{ Command = 'Reset-RunCloudSsl'; Line = 'Reset-RunCloudSsl -Confirm' }
        @{ Command = 'Set-RunCloudSsl'; Line = 'Set-RunCloudSsl -EnableHsts $true -Confirm' }
    ) {
        $out = Invoke-Child $script:emu "$Line; 'ID=' + `$Error[0].FullyQualifiedErrorId"
        ($out -join "`n") | Should -Match ([regex]::Escape('-Confirm:$false'))
        ($out -join "`n") | Should -Match 'ID=RunCloudConfirmationRequired,'
    }

    It 'Sync-RunCloudDomain -Manifest -Confirm under -NonInteractive names -Confirm:$false and changes no target, though each target is confirmed as its plan is ready' {
        $manifest = Join-Path $TestDrive 'confirm-fleet.json'
        @{ targets = @(
                @{ serverId = 1001; webAppId = 2001; domains = @(DomainNames $script:emu) + 'confirm-a.example.net' }
                @{ serverId = 1001; webAppId = 2002; domains = @($script:emu.State.GetDomains(1001, 2002) | ForEach-Object Name) + 'confirm-b.example.net' }
            ) } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $manifest
        $script:emu.ClearRequests()
        $out = Invoke-Child $script:emu "Sync-RunCloudDomain -Manifest '$manifest' -Confirm -SkipDnsCheck; 'ID=' + `$Error[0].FullyQualifiedErrorId"
        ($out -join "`n") | Should -Match ([regex]::Escape('-Confirm:$false'))
        ($out -join "`n") | Should -Match 'ID=RunCloudConfirmationRequired,'
        @(Mutations $script:emu) | Should -BeNullOrEmpty -Because 'no target is applied after a confirmation that could not be asked'
    }

    It 'refusing the primary under -WhatIf is a what-if line, not an error' {
        $out = Invoke-Child $script:emu "Remove-RunCloudDomain -Name shop.example.com -WhatIf; 'ERRORS=' + `$Error.Count"
        $text = $out -join "`n"
        $text | Should -Match 'What if: .*shop\.example\.com.*primary'
        $text | Should -Match 'ERRORS=0'
        # without -WhatIf it is still an error
        Remove-RunCloudDomain -Name shop.example.com -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable ev
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudPrimaryDomainProtected,*'
    }

    It 'Add-RunCloudDomain -ResetSsl -WhatIf lists the SSL step' {
        $out = Invoke-Child $script:emu "'new1.example.com', 'new2.example.com' | Add-RunCloudDomain -ResetSsl -WhatIf"
        $text = $out -join "`n"
        @($out | Where-Object { $_ -match 'What if: .*Add domain' }) | Should -HaveCount 2
        @($out | Where-Object { $_ -match 'What if: .*Redeploy the SSL certificate.*web app 2001' }) | Should -HaveCount 1 -Because $text
        Mutations $script:emu | Should -BeNullOrEmpty
    }

    It 'Remove-RunCloudDomain -ResetSsl -WhatIf lists the SSL step' {
        $out = Invoke-Child $script:emu "Remove-RunCloudDomain -Name site001.example.net -ResetSsl -WhatIf"
        @($out | Where-Object { $_ -match 'What if: .*Redeploy the SSL certificate' }) | Should -HaveCount 1 -Because ($out -join "`n")
        Mutations $script:emu | Should -BeNullOrEmpty
    }
}

Describe 'Parameters and input' {
    BeforeEach { $script:emu = New-ConventionsEmulator; Connect-To $script:emu }
    AfterEach { $script:emu | Stop-RunCloudEmulator }

    It 'Set-RunCloudDomain changes www, redirection and type in place with one PATCH .../meta' {
        $d = Set-RunCloudDomain -Name site001.example.net -Www -Redirection www -PassThru
        $patch = @(Mutations $script:emu)
        $patch | Should -HaveCount 1
        $patch[0].Method | Should -Be 'PATCH'
        $patch[0].Path | Should -BeLike '*/servers/1001/webapps/2001/domains/*/meta'
        $body = $patch[0].Body | ConvertFrom-Json
        $body.www | Should -BeTrue
        $body.redirection | Should -Be 'www'
        $body.type | Should -Be 'alias'
        $d.Www | Should -BeTrue
        $d.Redirection | Should -Be 'www'
        $record = $script:emu.State.GetDomains(1001, 2001) | Where-Object Name -EQ 'site001.example.net'
        $record.Www | Should -BeTrue
        $record.Redirection | Should -Be 'www'

        # -Www:$false turns it off again; unnamed settings stay as they are
        Set-RunCloudDomain -Name site001.example.net -Www:$false
        $record = $script:emu.State.GetDomains(1001, 2001) | Where-Object Name -EQ 'site001.example.net'
        $record.Www | Should -BeFalse
        $record.Redirection | Should -Be 'www'
    }

    It 'Set-RunCloudDomain takes piped domains, honours -WhatIf, and reports a missing name' {
        Get-RunCloudDomain -Name '*.old.example.com' | Set-RunCloudDomain -Type redirect -WhatIf
        Mutations $script:emu | Should -BeNullOrEmpty
        Get-RunCloudDomain -Name '*.old.example.com' | Set-RunCloudDomain -Type redirect -Confirm:$false
        @(Mutations $script:emu | Where-Object Method -EQ 'PATCH') | Should -HaveCount 6
        @($script:emu.State.GetDomains(1001, 2001) | Where-Object Type -EQ 'redirect') | Should -HaveCount 6
        Set-RunCloudDomain -Name gone.example.com -Www -ErrorAction SilentlyContinue -ErrorVariable ev
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'RunCloudDomainNotFound,*'
        { Set-RunCloudDomain -Name site002.example.net } | Should -Throw -ErrorId 'RunCloudNothingToSet,*'
    }

    It 'Import-Csv rows bind Www, Redirection and Type on Add-RunCloudDomain' {
        $csv = Join-Path $TestDrive 'domains.csv'
        Set-Content $csv @(
            'Domain,Www,Redirection,Type'
            'csv1.example.com,true,non-www,alias'
            'csv2.example.com,false,,'
            'csv3.example.com,1,www,redirect'
        )
        Import-Csv $csv | Add-RunCloudDomain
        $posts = @(Mutations $script:emu | Where-Object Method -EQ 'POST' | ForEach-Object { $_.Body | ConvertFrom-Json })
        $posts | Should -HaveCount 3
        $posts[0].www | Should -BeTrue
        $posts[0].redirection | Should -Be 'non-www'
        $posts[1].www | Should -BeFalse
        $posts[1].redirection | Should -Be 'none'
        $posts[1].type | Should -Be 'alias'
        $posts[2].www | Should -BeTrue
        $posts[2].type | Should -Be 'redirect'

        # a row's settings do not leak into the next object, which has none
        [pscustomobject]@{ Name = 'obj1.example.com'; Www = 'yes'; Type = 'redirect' }, [pscustomobject]@{ Name = 'obj2.example.com' } | Add-RunCloudDomain
        $next = @(Mutations $script:emu | Where-Object Method -EQ 'POST' | Select-Object -Last 1 | ForEach-Object { $_.Body | ConvertFrom-Json })
        $next[0].name | Should -Be 'obj2.example.com'
        $next[0].www | Should -BeFalse
        $next[0].type | Should -Be 'alias'
    }

    It 'a Www column that is not a yes/no value is a clear error' {
        $csv = Join-Path $TestDrive 'bad.csv'
        Set-Content $csv 'Domain,Www', 'csv9.example.com,maybe'
        Import-Csv $csv | Add-RunCloudDomain -ErrorAction SilentlyContinue -ErrorVariable ev
        "$ev" | Should -Match "maybe"
        "$ev" | Should -Match 'true or false'
        Mutations $script:emu | Should -BeNullOrEmpty
    }

    It 'the domain is -Name everywhere, with a -Domain alias (<Command>)' -ForEach @(
        @{ Command = 'Get-RunCloudDomain' }, @{ Command = 'Add-RunCloudDomain' }, @{ Command = 'Remove-RunCloudDomain' },
        @{ Command = 'Set-RunCloudDomain' }, @{ Command = 'Get-RunCloudSsl' }, @{ Command = 'Reset-RunCloudSsl' }, @{ Command = 'Sync-RunCloudDomain' }
    ) {
        $p = (Get-Command $Command).Parameters
        $p.Keys | Should -Contain 'Name'
        $p['Name'].Aliases | Should -Contain 'Domain'
    }

    It 'Get-RunCloudSsl -Name (and -Domain) filters per-domain certificates' {
        $script:emu.State.SetSslMode(1001, 2001, $true)
        $script:emu.State.UninstallSsl(1001, 2001) | Out-Null
        @(Get-RunCloudSsl -Name '*.old.example.com') | Should -HaveCount 6
        @(Get-RunCloudSsl -Domain 'shop.example.com').DomainName | Should -Be 'shop.example.com'
    }

    It 'Sync-RunCloudDomain takes -Name, and -Domain still works' {
        (Sync-RunCloudDomain -Name 'sync1.example.com' -NoSslReset).Added | Should -Be 'sync1.example.com'
        (Sync-RunCloudDomain -Domain 'sync2.example.com' -NoSslReset).Added | Should -Be 'sync2.example.com'
    }

    It 'Remove-RunCloudDomain -Name accepts wildcards, one what-if line per target' {
        $out = Invoke-Child $script:emu "Remove-RunCloudDomain -Name '*.old.example.com' -WhatIf"
        @($out | Where-Object { $_ -match 'What if: .*Remove domain' }) | Should -HaveCount 6 -Because ($out -join "`n")
        Mutations $script:emu | Should -BeNullOrEmpty
        (Get-Command Remove-RunCloudDomain).Parameters['Name'].Attributes.TypeId.Name | Should -Contain 'SupportsWildcardsAttribute'

        Remove-RunCloudDomain -Name '*.old.example.com' -Confirm:$false
        @(DomainNames $script:emu | Where-Object { $_ -like '*.old.example.com' }) | Should -HaveCount 0
        @(Mutations $script:emu | Where-Object Method -EQ 'DELETE') | Should -HaveCount 6
        # a wildcard that matches nothing is silence; the primary is never matched by a wildcard into a removal
        Remove-RunCloudDomain -Name '*.nothing.example' -Confirm:$false -ErrorVariable ev
        $ev | Should -HaveCount 0
        Remove-RunCloudDomain -Name 'shop.*' -Confirm:$false -ErrorAction SilentlyContinue
        DomainNames $script:emu | Should -Contain 'shop.example.com'
    }

    It '-Name completes <Kind> names from the account, once per connection' -ForEach @(
        @{ Kind = 'server'; Line = 'Get-RunCloudServer -Name w'; Expected = @('web1', 'web2') }
        @{ Kind = 'web app'; Line = 'Get-RunCloudWebApp -Name b'; Expected = @('blog') }
        @{ Kind = 'domain'; Line = 'Get-RunCloudDomain -Name shop.e'; Expected = @('shop.example.com') }
        @{ Kind = 'domain (Remove)'; Line = 'Remove-RunCloudDomain -Name site00'; Expected = @('site001.example.net', 'site002.example.net', 'site003.example.net', 'site004.example.net', 'site005.old.example.com', 'site006.example.net', 'site007.example.net', 'site008.example.net', 'site009.example.net') }
        @{ Kind = 'domain (Set)'; Line = 'Set-RunCloudDomain -Name shop.e'; Expected = @('shop.example.com') }
        @{ Kind = 'domain (Get-RunCloudSsl)'; Line = 'Get-RunCloudSsl -Name shop.e'; Expected = @('shop.example.com') }
    ) {
        $first = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
        @($first.CompletionMatches.CompletionText) | Should -Be $Expected
        $before = @($script:emu.GetRequests()).Count
        $again = TabExpansion2 -inputScript $Line -cursorColumn $Line.Length
        @($again.CompletionMatches.CompletionText) | Should -Be $Expected
        @($script:emu.GetRequests()).Count | Should -Be $before
    }

    It 'a name completer does not wait for a slow API: no names rather than a blocked prompt' {
        Add-RunCloudEmulatorFault -Emulator $script:emu -Kind Latency -LatencyMilliseconds 20000 -Count 1 -Method GET -Path 'servers' | Out-Null
        $line = 'Get-RunCloudServer -Name w'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        @($r.CompletionMatches | Where-Object CompletionText -In 'web1', 'web2') | Should -HaveCount 0
        @($script:emu.GetRequests() | Where-Object Path -Like '*/servers') | Should -HaveCount 0 # still waiting
    }
}

Describe 'Output' {
    BeforeAll { $script:emu = New-ConventionsEmulator }
    AfterAll { $script:emu | Stop-RunCloudEmulator }
    BeforeEach { Connect-To $script:emu }

    It 'the <Type> table fits 80 columns without wrapping a header' -ForEach @(
        @{ Type = 'domain'; Get = { Get-RunCloudDomain -First 5 }; Headers = @('Name', 'Type', 'Www', 'Redirection') }
        @{ Type = 'server'; Get = { Get-RunCloudServer }; Headers = @('Name', 'IpAddress') }
        @{ Type = 'web app'; Get = { Get-RunCloudWebApp }; Headers = @('Name', 'PhpVersion') }
        @{ Type = 'SSL'; Get = { Get-RunCloudSsl }; Headers = @('WebApp', 'Method', 'ValidUntil', 'DaysRemaining') }
        @{ Type = 'DNS check'; Get = { Get-RunCloudDomain | Test-RunCloudDomainDns }; Headers = @('Name', 'Status', 'Points', 'Addresses') }
        @{ Type = 'sync result'; Get = { Sync-RunCloudDomain -Name 'x.example.com' -WhatIf 6>$null }; Headers = @('Added', 'Removed', 'Failed', 'Duration', 'Success') }
    ) {
        $lines = @((& $Get | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        # one header line, then the dashes: a wrapped header would take two
        $dashes = [array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match '^[- ]+$' })
        $dashes | Should -BeGreaterThan 0 -Because ($lines -join "`n")
        foreach ($h in $Headers) { $lines[$dashes - 1] | Should -Match "\b$h\b" -Because ($lines -join "`n") }
        # every column of the view made it onto the screen: as many dash groups as the view has columns
        $view = (Get-FormatData -TypeName (& $Get | Select-Object -First 1).GetType().FullName).FormatViewDefinition |
            Where-Object { $_.Control -is [System.Management.Automation.TableControl] }
        @($lines[$dashes] -split '\s+' | Where-Object { $_ }) | Should -HaveCount $view.Control.Headers.Count
    }

    It 'the domain table groups by web app, so the name column keeps its room' {
        $text = Get-RunCloudDomain -First 3 | Format-Table | Out-String -Width 80
        $text | Should -Match 'Web app: 2001 \(server 1001\)'
        $text | Should -Match ([regex]::Escape('shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link'))
    }

    It 'the SSL view shows days remaining' {
        $ssl = Get-RunCloudSsl
        $ssl.DaysRemaining | Should -BeGreaterThan 0
        $ssl.DaysRemaining | Should -Be ([int][Math]::Floor(($ssl.ValidUntil - [datetime]::UtcNow).TotalDays))
    }

    It 'Format-Wide has a view for <TypeName>' -ForEach @(
        @{ TypeName = 'RunCloud.PowerShell.Models.RunCloudDomain'; Get = { Get-RunCloudDomain -First 3 }; Expect = 'shop.example.com' }
        @{ TypeName = 'RunCloud.PowerShell.Models.RunCloudServer'; Get = { Get-RunCloudServer }; Expect = 'web1' }
        @{ TypeName = 'RunCloud.PowerShell.Models.RunCloudWebApp'; Get = { Get-RunCloudWebApp }; Expect = 'blog' }
    ) {
        $views = (Get-FormatData -TypeName $TypeName -PowerShellVersion $PSVersionTable.PSVersion).FormatViewDefinition
        @($views | Where-Object { $_.Control -is [System.Management.Automation.WideControl] }) | Should -HaveCount 1
        (& $Get | Format-Wide | Out-String -Width 80) | Should -Match ([regex]::Escape($Expect))
    }

    It 'Connect-RunCloud -Verbose names the credential source once' {
        $saved = $env:RUNCLOUD_API_TOKEN
        try {
            $env:RUNCLOUD_API_TOKEN = $script:emu.Token
            $verbose = @(Connect-RunCloud -BaseUri $script:emu.BaseUri.AbsoluteUri -RateLimit 0 -ServerId 1001 -WebAppId 2001 -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        }
        finally { $env:RUNCLOUD_API_TOKEN = $saved }
        @($verbose | Where-Object { $_ -match 'RUNCLOUD_API_TOKEN' }) | Should -HaveCount 1 -Because ($verbose -join "`n")
    }

    It 'every cmdlet has a HelpUri to its page under docs/help/ in the project repository' {
        $manifest = Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')
        $project = $manifest.PrivateData.PSData.ProjectUri.TrimEnd('/')
        $commands = @(Get-Command -Module RunCloud.PowerShell*)
        $commands.Count | Should -BeGreaterThan 10
        foreach ($c in $commands) {
            $c.HelpUri | Should -Be "$project/blob/main/docs/help/$($c.Name).md" -Because $c.Name
            Join-Path $PSScriptRoot "../../docs/help/$($c.Name).md" | Should -Exist
        }
    }
}

Describe 'Docs match the behaviour' {
    It 'README Troubleshooting and the help pages name the new errors' {
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
        $troubleshooting = ($readme -split '(?m)^## ')[1..99] | Where-Object { $_ -like 'Troubleshooting*' }
        foreach ($id in 'RunCloudDomainNotFound', 'RunCloudConfirmationRequired') { $troubleshooting | Should -Match $id }
        $troubleshooting | Should -Match 'Gave up after'
        $help = @{
            'Get-RunCloudServer'    = 'RunCloudServerNotFound'
            'Get-RunCloudWebApp'    = 'RunCloudWebAppNotFound'
            'Get-RunCloudDomain'    = 'RunCloudDomainNotFound'
            'Remove-RunCloudDomain' = 'RunCloudConfirmationRequired'
            'Set-RunCloudDomain'    = 'RunCloudNothingToSet'
        }
        foreach ($pair in $help.GetEnumerator()) {
            Get-Content -Raw (Join-Path $PSScriptRoot "../../docs/help/$($pair.Key).md") | Should -Match $pair.Value -Because $pair.Key
        }
    }

    It 'the entry point''s help, its exit-code type, the README and docs/sync.md carry the same exit codes' {
        $help = (Get-Help Invoke-RunCloudScheduledSync -Full | Out-String -Width 200)
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
        $sync = Get-Content -Raw (Join-Path $PSScriptRoot '../../docs/sync.md')
        $names = @{ 0 = 'Success'; 1 = 'Configuration'; 2 = 'Guard'; 3 = 'RetryNextRun'; 4 = 'CredentialsRefused'; 5 = 'HealthCheckFailed' }
        foreach ($code in 0..5) {
            [int][RunCloud.PowerShell.Models.RunCloudSyncExitCode]::($names[$code]) | Should -Be $code
            $readme | Should -Match "(?m)^\| $code \|"
            $sync | Should -Match "(?m)^\| $code \|"
            $help | Should -Match "(?m)^\s+$code\s{2,}\S"
        }
        # The rendered help wraps mid-word; the description's text itself says it.
        (((Get-Help Invoke-RunCloudScheduledSync).Description | ForEach-Object Text) -join ' ') -replace '\s+', ' ' | Should -Match 'then 5: a health finding ranks below every other code'
    }
}

Describe 'The plan object of Sync-RunCloudDomain -WhatIf' {
    BeforeEach { $script:emu = New-ConventionsEmulator; Connect-To $script:emu }
    AfterEach { $script:emu | Stop-RunCloudEmulator }

    It 'says when a guard would stop the real run, and Success is not true then' {
        $plan = Sync-RunCloudDomain -Name 'shop.example.com' -Prune -MaxRemove 2 -WhatIf -WarningAction SilentlyContinue
        $plan.WhatIf | Should -BeTrue
        $plan.StoppedBy | Should -Be 'RunCloudSyncTooManyRemovals'
        $plan.Success | Should -BeFalse
        Mutations $script:emu | Should -BeNullOrEmpty

        $empty = Sync-RunCloudDomain -Name @() -Prune -WhatIf -WarningAction SilentlyContinue
        $empty.StoppedBy | Should -Be 'RunCloudSyncEmptySource'
        $empty.Success | Should -BeFalse

        $fine = Sync-RunCloudDomain -Name 'new.example.com' -WhatIf
        $fine.StoppedBy | Should -BeNullOrEmpty
        $fine.Success | Should -BeTrue
    }

    It 'Duration serialises as a number of seconds, and skips say what kind they are' {
        $plan = Sync-RunCloudDomain -Name 'shop.example.com', 'bad name' -Prune -AllowInvalidEntries -MaxRemove 100 -WhatIf
        $json = $plan | ConvertTo-Json -Depth 4 | ConvertFrom-Json
        $json.Duration | Should -BeOfType ([double])
        $json.Duration | Should -BeGreaterOrEqual 0
        ($plan.Skipped | Where-Object Name -Like '*.runcloud.link').Kind | Should -Be 'Protected'
        ($plan.Skipped | Where-Object Name -EQ 'bad name').Kind | Should -Be 'Invalid'
        $plan.DesiredCount | Should -Be 1
    }
}

Describe 'Invoke-RunCloudScheduledSync as a scheduled task runs it' {
    BeforeAll {
        $bin = Join-Path $TestDrive 'bin'
        New-Item -ItemType Directory -Force -Path $bin | Out-Null
        # A fake WP-CLI that prints the file $FAKE_WP_OUTPUT names.
        $wp = Join-Path $bin 'wp'
        Set-Content -Path $wp -Value "#!/usr/bin/env bash`ncat `"`$FAKE_WP_OUTPUT`"`n" -NoNewline
        chmod +x $wp
        $script:SavedEnv = @{}
        foreach ($name in 'PATH', 'RUNCLOUD_API_TOKEN', 'WU_RUNCLOUD_SERVER_ID', 'WU_RUNCLOUD_APP_ID', 'FAKE_WP_OUTPUT') {
            $script:SavedEnv[$name] = [Environment]::GetEnvironmentVariable($name)
        }
        $env:PATH = $bin + [IO.Path]::PathSeparator + $env:PATH
        $env:FAKE_WP_OUTPUT = Join-Path $TestDrive 'wp-output.txt'
        $env:WU_RUNCLOUD_SERVER_ID = '1001'
        $env:WU_RUNCLOUD_APP_ID = '2001'

        function script:Invoke-Task([string[]] $Arguments, [string] $LogPath = $script:Log) {
            $code = Invoke-ScheduledSyncProcess (@('-BaseUri', $script:emu.BaseUri.AbsoluteUri, '-LogPath', $LogPath) + $Arguments)
            $script:TaskOutput = $script:ScheduledOutput
            $code
        }
        function script:Set-WpOutput([string] $Text) { Set-Content -Path $env:FAKE_WP_OUTPUT -Value $Text }
        # What WP-CLI answers the UM reader for a network without Ultimate Multisite: its sites are the desired names.
        function script:Sites([string[]] $Hosts) { New-FakeWpFacts $Hosts }
        function script:LogText { Get-Content -Raw $script:Log }
    }

    AfterAll {
        foreach ($pair in $script:SavedEnv.GetEnumerator()) { [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value) }
    }

    BeforeEach {
        $script:emu = Start-RunCloudEmulator -RateLimitPerMinute 0
        $env:RUNCLOUD_API_TOKEN = $script:emu.Token
        $script:Log = Join-Path $TestDrive "logs/$([guid]::NewGuid()).log"
    }

    AfterEach { Stop-RunCloudEmulator -Emulator $script:emu }

    It '-WhatIf logs the plan, changes nothing and exits 0' {
        Set-WpOutput (Sites 'shop.example.com', 'one.example.com')
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli', '-Prune', '-WhatIf' | Should -Be 0 -Because ($script:TaskOutput -join "`n")
        Mutations $script:emu | Should -BeNullOrEmpty
        LogText | Should -BeLike '*would be added one.example.com*'
        LogText | Should -BeLike '*Plan*1 to add*nothing was changed (-WhatIf)*'
    }

    It '-WhatIf exits 2 when a guard would stop the real run, and says so' {
        [void]$script:emu.State.AddDomains(1001, 2001, [string[]](1..5 | ForEach-Object { "old$_.example.com" }))
        Set-WpOutput (Sites 'shop.example.com')
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli', '-Prune', '-MaxRemove', '2', '-WhatIf' | Should -Be 2 -Because ($script:TaskOutput -join "`n")
        Mutations $script:emu | Should -BeNullOrEmpty
        LogText | Should -BeLike '*would stop before any change `[RunCloudSyncTooManyRemovals`]*'
    }

    It 'a run with nothing to do logs no WARN: expected skips are INFO' {
        Set-WpOutput (Sites 'shop.example.com')
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli', '-Prune' | Should -Be 0 -Because ($script:TaskOutput -join "`n")
        LogText | Should -BeLike '*INFO  skipped shop.k7q2m9x4tb-pz3wq8vn51ra.p.runcloud.link*'
        LogText | Should -Not -Match '\bWARN\b'
    }

    It 'a file source logs how many names it read, and warns about entries that are not names' {
        $file = Join-Path $TestDrive 'domains.txt'
        Set-Content $file '# the network', 'shop.example.com', 'one.example.com', 'two.example.com', 'not a name'
        Invoke-Task '-Path', $file | Should -Be 0 -Because ($script:TaskOutput -join "`n")
        LogText | Should -BeLike "*Read 3 name(s) from $file and 1 entry that are not domain names*"
        LogText | Should -BeLike '*WARN  skipped not a name*'
    }

    It 'a PHP notice on WP-CLI''s standard output does not discard the sites' {
        Set-WpOutput ("PHP Notice:  Undefined index: HTTP_HOST in /srv/network/wp-config.php on line 91`n" + (Sites 'shop.example.com', 'one.example.com'))
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli' | Should -Be 0 -Because ($script:TaskOutput -join "`n")
        @($script:emu.State.GetDomains(1001, 2001).Name) | Should -Contain 'one.example.com'
        LogText | Should -BeLike '*Desired: 2 name(s) from WordPress sites, WP-CLI*'
    }

    It 'a -LogPath that is a directory or cannot be written is a configuration error (exit 1), before any request' {
        Set-WpOutput (Sites 'one.example.com')
        $dir = Join-Path $TestDrive 'a-directory'
        New-Item -ItemType Directory -Path $dir | Out-Null
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli' -LogPath $dir | Should -Be 1
        ($script:TaskOutput -join "`n") | Should -BeLike '*-LogPath*is a directory*'
        $notAFolder = Join-Path $TestDrive 'plain-file'
        Set-Content $notAFolder 'x'
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli' -LogPath (Join-Path $notAFolder 'sync.log') | Should -Be 1
        ($script:TaskOutput -join "`n") | Should -BeLike '*-LogPath*cannot be written*'
        @($script:emu.GetRequests()) | Should -BeNullOrEmpty
    }

    It 'distinct exit codes: 1 bad parameter, 4 authentication refused, 3 some names failed' {
        Set-WpOutput (Sites 'shop.example.com', 'one.example.com')
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli', '-LogKeep', '0' | Should -Be 1

        $env:RUNCLOUD_API_TOKEN = 'revoked-token'
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli' | Should -Be 4
        LogText | Should -BeLike '*RunCloudAuthenticationFailed*refused the credentials*'
        @($script:emu.GetRequests() | Where-Object Method -ne 'GET') | Should -BeNullOrEmpty
        LogText | Should -Not -BeLike '*revoked-token*'

        $env:RUNCLOUD_API_TOKEN = $script:emu.Token
        Add-RunCloudEmulatorFault -Emulator $script:emu -Kind Status -StatusCode 500 -Count 1 -Method POST -Path 'servers/*/webapps/*/domains' | Out-Null
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli' | Should -Be 3
        Invoke-Task '-WordPressPath', '/srv/network', '-Via', 'WpCli' | Should -Be 0
    }
}
