# Issue 16: named connections, vaults, the fleet manifest, plan/apply across accounts, -ThrottleLimit and -MaxCalls.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:StandIn = Join-Path $PSScriptRoot 'fixtures/SecretStandIn/SecretStandIn.psm1'
    # Two emulators = two RunCloud accounts, each with its own data and rate limit.
    $script:emuA = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:emuB = Start-RunCloudEmulator -RateLimitPerMinute 0
    $script:TokenA = ConvertTo-SecureString $script:emuA.Token -AsPlainText -Force
    $script:TokenB = ConvertTo-SecureString $script:emuB.Token -AsPlainText -Force
}

AfterAll {
    Disconnect-RunCloud -All
    Remove-Module SecretStandIn -ErrorAction Ignore
    $script:emuA, $script:emuB | Stop-RunCloudEmulator
}

Describe 'Named connections' {
    BeforeEach { Disconnect-RunCloud -All }

    It 'keeps two accounts side by side; -Connection takes a name; the default is untouched' {
        Connect-RunCloud -Name clientA -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
        Connect-RunCloud -Name clientB -Token $script:TokenB -BaseUri $script:emuB.BaseUri -RateLimit 0
        Get-RunCloudConnection | Should -BeNullOrEmpty
        $script:emuB.State.AddDomain(1001, 2001, 'only-on-b.example.com') | Out-Null
        (Get-RunCloudDomain -Connection clientA -ServerId 1001 -WebAppId 2001).Name | Should -Not -Contain 'only-on-b.example.com'
        (Get-RunCloudDomain -Connection clientB -ServerId 1001 -WebAppId 2001).Name | Should -Contain 'only-on-b.example.com'
    }

    It '-ListAvailable lists every connection by name and never a secret' {
        Connect-RunCloud -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
        Connect-RunCloud -Name clientA -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
        Connect-RunCloud -Name clientB -Token $script:TokenB -BaseUri $script:emuB.BaseUri -RateLimit 0
        $all = Get-RunCloudConnection -ListAvailable
        $all.Count | Should -Be 3
        $all[0].Name | Should -BeNullOrEmpty
        $all[1..2].Name | Should -Be @('clientA', 'clientB')
        $text = ($all | Format-List * | Out-String) + ($all | ConvertTo-Json -Depth 3 -WarningAction Ignore)
        $text | Should -Not -Match ([regex]::Escape($script:emuA.Token))
    }

    It 'an unknown name is a clear error that lists the open names, before any request' {
        Connect-RunCloud -Name clientA -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0
        $script:emuA.ClearRequests()
        { Get-RunCloudDomain -Connection clinetA -ServerId 1001 -WebAppId 2001 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*No connection is named 'clinetA'*Open ones: clientA*"
        $script:emuA.GetRequests().Count | Should -Be 0
    }

    It 'connecting again under a name replaces and closes the old connection' {
        $old = Connect-RunCloud -Name clientA -Token $script:TokenA -BaseUri $script:emuA.BaseUri -RateLimit 0 -PassThru
        $new = Connect-RunCloud -Name clientA -Token $script:TokenB -BaseUri $script:emuB.BaseUri -RateLimit 0 -PassThru
        (Get-RunCloudConnection -Name clientA).BaseUri | Should -Be $new.BaseUri
        { Get-RunCloudServer -Connection $old -ErrorAction Stop } | Should -Throw
    }

    It 'an unusable -Name is refused before any request' {
        $script:emuA.ClearRequests()
        { Connect-RunCloud -Name 'client A!' -Token $script:TokenA -BaseUri $script:emuA.BaseUri } |
            Should -Throw -ExpectedMessage '*-Name*not usable*letters, digits*'
        $script:emuA.GetRequests().Count | Should -Be 0
    }
}

Describe 'Connect-RunCloud -Vault' {
    BeforeEach { Disconnect-RunCloud -All; Remove-Module SecretStandIn -ErrorAction Ignore }

    It 'says clearly when Get-Secret (SecretManagement) is not available' {
        { Connect-RunCloud -Name v -Vault Company -SecretName rc } |
            Should -Throw -ExpectedMessage '*Get-Secret*not available*Install-Module Microsoft.PowerShell.SecretManagement*'
    }

    It 'reads a SecureString token through a stand-in Get-Secret' {
        Import-Module $script:StandIn -Force
        Set-StandInSecret -Vault Company -Name rc-a -Secret $script:TokenA
        $c = Connect-RunCloud -Name vaulted -Vault Company -SecretName rc-a -BaseUri $script:emuA.BaseUri -PassThru
        $c.AuthenticationKind | Should -Be 'Token'
        $c.Validated | Should -BeTrue
        $c.CredentialSource | Should -BeLike "*secret 'rc-a' of vault 'Company'*"
        ($script:emuA.GetRequests() | Select-Object -Last 1).AuthScheme | Should -Be 'Bearer'
    }

    It 'reads an API key and secret from a PSCredential or a hashtable' {
        Import-Module $script:StandIn -Force
        $secret = ConvertTo-SecureString $script:emuA.ApiSecret -AsPlainText -Force
        Set-StandInSecret -Vault Company -Name cred -Secret ([pscredential]::new($script:emuA.ApiKey, $secret))
        Set-StandInSecret -Vault Company -Name table -Secret @{ ApiKey = $script:emuA.ApiKey; ApiSecret = $script:emuA.ApiSecret }
        (Connect-RunCloud -Name k1 -Vault Company -SecretName cred -BaseUri $script:emuA.BaseUri -PassThru).AuthenticationKind | Should -Be 'ApiKey'
        (Connect-RunCloud -Name k2 -Vault Company -SecretName table -BaseUri $script:emuA.BaseUri -PassThru).AuthenticationKind | Should -Be 'ApiKey'
        ($script:emuA.GetRequests() | Select-Object -Last 1).AuthScheme | Should -Be 'Basic'
    }

    It 'a missing secret or an unusable one is a clear error that shows no value' {
        Import-Module $script:StandIn -Force
        Set-StandInSecret -Vault Company -Name odd -Secret ([datetime]::new(2026, 1, 1))
        { Connect-RunCloud -Name v -Vault Company -SecretName nope -BaseUri $script:emuA.BaseUri } |
            Should -Throw -ExpectedMessage "*could not read the secret 'nope' from vault 'Company'*"
        { Connect-RunCloud -Name v -Vault Company -SecretName odd -BaseUri $script:emuA.BaseUri } |
            Should -Throw -ExpectedMessage '*DateTime*cannot use*Store the API token*'
    }
}
