<#
    An example for users: test YOUR OWN RunCloud script against the RunCloud API emulator (the module
    RunCloud.PowerShell.Emulator, installed beside RunCloud.PowerShell), before it touches production.
    Install-PSResource RunCloud.PowerShell.Emulator, then run it with Pester 5:  Invoke-Pester ./examples/MyRunCloudScript.Tests.ps1
#>
BeforeAll {
    $modulePath = if ($env:RUNCLOUD_TEST_MODULE_PATH) { $env:RUNCLOUD_TEST_MODULE_PATH } else { 'RunCloud.PowerShell' }
    $emulatorPath = if ($env:RUNCLOUD_TEST_EMULATOR_MODULE_PATH) { $env:RUNCLOUD_TEST_EMULATOR_MODULE_PATH } else { 'RunCloud.PowerShell.Emulator' }
    Import-Module $modulePath -Force
    Import-Module $emulatorPath -Force

    # The script under test: adds the names a site needs and makes the certificate cover them.
    function Publish-SiteDomains([string[]] $Names) {
        $Names | Add-RunCloudDomain -ResetSsl
    }
}

Describe 'Publish-SiteDomains' {
    BeforeEach {
        $emulator = Start-RunCloudEmulator -RateLimitPerMinute 0
        $token = ConvertTo-SecureString $emulator.Token -AsPlainText -Force
        Connect-RunCloud -BaseUri $emulator.BaseUri -Token $token -ServerId 1001 -WebAppId 2001
        $emulator.ClearRequests()
    }
    AfterEach {
        Disconnect-RunCloud
        $emulator | Stop-RunCloudEmulator
    }

    It 'adds every name and leaves none uncovered by the certificate' {
        Publish-SiteDomains 'a.example.com', 'b.example.com'
        (Get-RunCloudDomain).Name | Should -Contain 'b.example.com'
        $emulator.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
    }

    It 'redeploys SSL once for the whole batch' {
        Publish-SiteDomains 'a.example.com', 'b.example.com', 'c.example.com'
        @(Get-RunCloudEmulatorRequest -Method PUT) | Should -HaveCount 1
    }

    It 'survives RunCloud failing twice with 503 on a GET' {
        Add-RunCloudEmulatorFault -Kind Status -StatusCode 503 -Count 2 -Method GET -Path 'servers/*/webapps/*/ssl'
        Connect-RunCloud -BaseUri $emulator.BaseUri -Token (ConvertTo-SecureString $emulator.Token -AsPlainText -Force) -ServerId 1001 -WebAppId 2001 -MaxRetryDuration 00:00:30
        Publish-SiteDomains 'a.example.com'
        $emulator.GetUncoveredDomains(1001, 2001) | Should -BeNullOrEmpty
    }
}
