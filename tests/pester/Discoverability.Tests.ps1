BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'Tab completion' {
    BeforeAll {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -RateLimit 0
        function Complete([string] $line) { (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches }
    }
    AfterAll {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
    }

    It 'completes -ServerId from the account, with the names as tooltips, and caches the list per connection' {
        $e.ClearRequests()
        $matches1 = Complete 'Get-RunCloudDomain -ServerId '
        $matches1.CompletionText | Should -Contain '1001'
        ($matches1 | Where-Object CompletionText -EQ '1001').ToolTip | Should -Be 'web1'
        $null = Complete 'Get-RunCloudWebApp -ServerId 10'
        @(Get-RunCloudEmulatorRequest -Path 'servers') | Should -HaveCount 1
    }

    It 'completes -WebAppId with the web apps of the -ServerId already typed' {
        $matches1 = Complete 'Get-RunCloudDomain -ServerId 1001 -WebAppId '
        $matches1.CompletionText | Should -Be @('2001', '2002')
        ($matches1 | Where-Object CompletionText -EQ '2002').ToolTip | Should -Be 'blog'
    }

    It 'completes -Redirection, -Provider and -Environment from their sets' {
        (Complete 'Add-RunCloudDomain x.example.com -Redirection ').CompletionText | Sort-Object | Should -Be @('non-www', 'none', 'www')
        (Complete 'Reset-RunCloudSsl -Provider ').CompletionText | Sort-Object | Should -Be @('custom', 'letsencrypt')
        (Complete 'Reset-RunCloudSsl -Environment ').CompletionText | Should -Be @('live', 'staging')
    }

    It 'offers nothing, and does not fail, when not connected' {
        Disconnect-RunCloud
        try {
            @(Complete 'Get-RunCloudDomain -ServerId ') | Where-Object ResultType -EQ 'ParameterValue' | Should -BeNullOrEmpty
        }
        finally {
            Connect-RunCloud -BaseUri $e.BaseUri -Token (ConvertTo-SecureString $e.Token -AsPlainText -Force) -RateLimit 0
        }
    }
}

Describe 'Progress' {
    BeforeAll {
        $script:e = Start-RunCloudEmulator -RateLimitPerMinute 0
        $e.State.AddDomains(1001, 2001, [string[]](1..100 | ForEach-Object { "p$_.example.com" }))
        Connect-TestEmulator $e
    }
    AfterAll {
        Disconnect-RunCloud
        $e | Stop-RunCloudEmulator
    }

    It 'shows progress with page counts when a listing spans several pages, and none when silenced' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$script:ModulePath'; Connect-RunCloud -BaseUri '$($e.BaseUri)' -Token (ConvertTo-SecureString '$($e.Token)' -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0; `$ProgressPreference = 'Continue'; Get-RunCloudDomain | Out-Null")
        $null = $ps.Invoke()
        $records = @($ps.Streams.Progress | Where-Object StatusDescription -Like 'Page * of *')
        $ps.Dispose()
        $records.Count | Should -BeGreaterOrEqual 3
        $records[0].StatusDescription | Should -Be 'Page 1 of 3'

        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$script:ModulePath'; Connect-RunCloud -BaseUri '$($e.BaseUri)' -Token (ConvertTo-SecureString '$($e.Token)' -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -RateLimit 0; `$ProgressPreference = 'SilentlyContinue'; Get-RunCloudDomain | Out-Null")
        $null = $ps.Invoke()
        @($ps.Streams.Progress | Where-Object StatusDescription -Like 'Page * of *') | Should -HaveCount 0
        $ps.Dispose()
    }
}

Describe 'Packaging' {
    It 'packs a nupkg that Install-PSResource installs from a local folder repository, and the installed copy works' {
        $version = (Import-PowerShellDataFile (Join-Path $script:ModulePath 'RunCloud.PowerShell.psd1')).ModuleVersion
        $repo = Join-Path $TestDrive 'repo'
        $home2 = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory $repo, $home2 | Out-Null
        Import-Module Microsoft.PowerShell.PSResourceGet
        Compress-PSResource -Path $script:ModulePath -DestinationPath $repo
        Compress-PSResource -Path $script:EmulatorModulePath -DestinationPath $repo
        Test-Path (Join-Path $repo "RunCloud.PowerShell.$version.nupkg") | Should -BeTrue
        Test-Path (Join-Path $repo "RunCloud.PowerShell.Emulator.$version.nupkg") | Should -BeTrue

        # A child pwsh with its own HOME: the repository registration and the install stay inside TestDrive.
        $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name RunCloudLocal -Uri '$repo' -Trusted
Install-PSResource -Name RunCloud.PowerShell -Repository RunCloudLocal -Scope CurrentUser -TrustRepository -Quiet
`$installed = Get-Module -ListAvailable RunCloud.PowerShell | Select-Object -First 1
Import-Module RunCloud.PowerShell
# The emulator is not part of the main package: a user's tests install and import it themselves.
if (Get-Command Start-RunCloudEmulator -ErrorAction SilentlyContinue) { throw 'RunCloud.PowerShell exports the emulator.' }
Install-PSResource -Name RunCloud.PowerShell.Emulator -Repository RunCloudLocal -Scope CurrentUser -TrustRepository -Quiet
Import-Module RunCloud.PowerShell.Emulator
`$e = Start-RunCloudEmulator -RateLimitPerMinute 0
Connect-RunCloud -BaseUri `$e.BaseUri -Token (ConvertTo-SecureString `$e.Token -AsPlainText -Force) -ServerId 1001 -WebAppId 2001
`$names = (Get-RunCloudDomain).Name -join ','
Stop-RunCloudEmulator
"`$(`$installed.ModuleBase)|`$(`$installed.Version)|`$names"
"@
        $pwsh = Get-TestPwshCommand
        $exe = $pwsh[0]; $rest = @($pwsh | Select-Object -Skip 1)
        $oldHome = $env:HOME
        try {
            $env:HOME = $home2
            $out = & $exe @rest -NoProfile -NonInteractive -Command $script 2>&1
        }
        finally {
            $env:HOME = $oldHome
        }
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        $line = @($out)[-1]
        $base, $installedVersion, $names = $line -split '\|'
        $base | Should -BeLike "$home2*"
        $installedVersion | Should -Be $version
        $names | Should -Match 'shop\.example\.com'
    }
}

Describe 'The users'' example test file' {
    It 'passes against the emulator (examples/MyRunCloudScript.Tests.ps1)' {
        $config = New-PesterConfiguration
        $config.Run.Path = Join-Path $PSScriptRoot '../../examples/MyRunCloudScript.Tests.ps1'
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'None'
        $result = Invoke-Pester -Configuration $config
        $result.FailedCount | Should -Be 0
        $result.PassedCount | Should -Be 3
    }
}
