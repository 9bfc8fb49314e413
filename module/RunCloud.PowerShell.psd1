@{
    # No root module: the manifest's three nested modules are imported in this order, and it exports their cmdlets.
    # 1. The module's loader (src/RunCloud.PowerShell.Loader), which has the engine and its dependencies come from bin/,
    #    in the module's own load context on PowerShell 7, and starts the module's startup profile.
    # 2. The format views (views/RunCloud.PowerShell.Format.psd1).
    # 3. The cmdlets. Scripts name the engine's types through this dll, which forwards them (EngineTypes.cs in the
    #    cmdlets' project).
    # Why this order and no root module: a .NET startup profile replays only until a process loads an assembly from
    # outside PowerShell's own set, and PowerShell 7 loads a root module's assembly, and reads a root manifest's
    # FormatsToProcess, before it imports any nested module. With the cmdlets as a root module, PowerShell's module
    # loading from that load to the loader's profile, and its format loading, were compiled on the script's thread at
    # every scheduled run (docs/architecture.md, "Loading").
    NestedModules        = @('bin/RunCloud.PowerShell.Loader.dll', 'views/RunCloud.PowerShell.Format.psd1', 'RunCloud.PowerShell.Commands.dll')
    # Stamped by build.ps1 from <Version> in Directory.Build.props, the one place the version lives.
    ModuleVersion        = '0.0.0'
    GUID                 = '5f1b7c0e-3c5e-4a55-9d59-1d0b6a3e2c71'
    Author               = 'RunCloud.PowerShell contributors'
    CompanyName          = 'RunCloud.PowerShell contributors'
    Copyright            = '(c) 2026 RunCloud.PowerShell contributors. MIT License.'
    Description          = 'Manage the domains and SSL certificates of RunCloud web applications from PowerShell scripts and scheduled tasks: connect with an API key/secret or an API token, add and remove domains, redeploy SSL once per change, sync a web app from a list of domains. Test it all against the RunCloud API emulator (the RunCloud.PowerShell.Emulator module).'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    # The views are views/RunCloud.PowerShell.Format.psd1's (see NestedModules).
    FormatsToProcess     = @()
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Connect-RunCloud'
        'Disconnect-RunCloud'
        'Get-RunCloudConnection'
        'Test-RunCloudConnection'
        'Get-RunCloudServer'
        'Get-RunCloudWebApp'
        'Get-RunCloudDomain'
        'Add-RunCloudDomain'
        'Set-RunCloudDomain'
        'Remove-RunCloudDomain'
        'Get-RunCloudSsl'
        'Reset-RunCloudSsl'
        'Test-RunCloudDomainDns'
        'Sync-RunCloudDomain'
        'New-RunCloudSyncPlan'
        'Invoke-RunCloudSyncPlan'
        'Set-RunCloudSsl'
        'Set-RunCloudSslMode'
        'Test-RunCloudCertificate'
        'Get-RunCloudMappedDomain'
        'Remove-RunCloudSsl'
        'Get-RunCloudDnsIntegration'
        'Get-RunCloudDomainDns'
        'Invoke-RunCloudScheduledSync'
        'Register-RunCloudSyncTask'
        'Unregister-RunCloudSyncTask'
        'Invoke-RunCloudRequest'
        'Get-RunCloudNetworkStatus'
        'Get-RunCloudApiUsage'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('RunCloud', 'SSL', 'Domain', 'WordPress', 'Multisite', 'LetsEncrypt', 'DevOps', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/runcloud-powershell/RunCloud.PowerShell'
            LicenseUri   = 'https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/LICENSE'
            ReleaseNotes = '0.1.0: first release. Connect with an API key/secret or token (wp-config.php and environment too); add, remove and sync domains with one SSL redeploy per change; redeploy/install SSL; DNS checks; a RunCloud API emulator in its own module, RunCloud.PowerShell.Emulator. See CHANGELOG.md.'
        }
    }
}
