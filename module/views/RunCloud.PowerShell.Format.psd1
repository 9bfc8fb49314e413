@{
    # The module's format views, a nested module of RunCloud.PowerShell.psd1 imported after its loader (see the comment
    # on NestedModules there), in a folder of its own: tools that pack a module take the one .psd1 in the module's folder
    # for its manifest. build.ps1 merges the files listed here into the first one (PowerShell rebuilds its whole format
    # table once per file) and stamps the version.
    ModuleVersion        = '0.0.0'
    GUID                 = '0d6c1f3e-8b2a-4f57-a7c4-3e9b5d21f8a6'
    Author               = 'RunCloud.PowerShell contributors'
    CompanyName          = 'RunCloud.PowerShell contributors'
    Copyright            = '(c) 2026 RunCloud.PowerShell contributors. MIT License.'
    Description          = 'The format views of RunCloud.PowerShell (a nested module; import RunCloud.PowerShell).'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FormatsToProcess     = @('RunCloud.PowerShell.Format.ps1xml', 'RunCloud.PowerShell.Sync.Format.ps1xml', 'RunCloud.PowerShell.Fleet.Format.ps1xml', 'RunCloud.PowerShell.UltimateMultisite.Format.ps1xml', 'RunCloud.PowerShell.Scheduling.Format.ps1xml', 'RunCloud.PowerShell.Status.Format.ps1xml', 'RunCloud.PowerShell.Usage.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
