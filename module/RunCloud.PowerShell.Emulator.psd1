@{
    # The cmdlets. The nested module is imported first: the module's loader, which has the engine and its dependencies
    # come from bin/, in the module's own load context on PowerShell 7 (src/RunCloud.PowerShell.Loader). Scripts name the
    # engine's types through this dll, which forwards them (EngineTypes.cs in the cmdlets' project).
    RootModule           = 'RunCloud.Emulator.Commands.dll'
    NestedModules        = @('bin/RunCloud.Emulator.Loader.dll')
    # Stamped by build.ps1 from <Version> in Directory.Build.props, the one place the version lives.
    ModuleVersion        = '0.0.0'
    GUID                 = 'b3d0f6a2-8c41-4e7f-9a35-6f2d1c8e4b90'
    Author               = 'RunCloud.PowerShell contributors'
    CompanyName          = 'RunCloud.PowerShell contributors'
    Copyright            = '(c) 2026 RunCloud.PowerShell contributors. MIT License.'
    Description          = 'A RunCloud API emulator for tests: an in-process HTTP server on a free loopback port that answers like RunCloud''s API v2/v3 (servers, web apps, domains, basic and advanced SSL, pagination, rate limits, a DNS table, Let''s Encrypt limits, a TLS endpoint) with fault injection and a request log. Test scripts that use RunCloud.PowerShell against it without touching production. Import it only in tests: it is not needed to manage RunCloud.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('RunCloud.PowerShell.Emulator.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Start-RunCloudEmulator'
        'Stop-RunCloudEmulator'
        'Get-RunCloudEmulatorRequest'
        'Add-RunCloudEmulatorFault'
        'Clear-RunCloudEmulatorFault'
        'Set-RunCloudEmulatorDns'
        'Resolve-RunCloudEmulatorDns'
        'Set-RunCloudEmulatorUltimateMultisite'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('RunCloud', 'Emulator', 'Mock', 'Testing', 'Pester', 'SSL', 'Domain', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/runcloud-powershell/RunCloud.PowerShell'
            LicenseUri   = 'https://github.com/runcloud-powershell/RunCloud.PowerShell/blob/main/LICENSE'
            ReleaseNotes = '0.1.0: the RunCloud API emulator, split out of RunCloud.PowerShell into its own module. See CHANGELOG.md.'
        }
    }
}
