# The second nested module of RunCloud.PowerShell.Emulator (after its loader, bin/RunCloud.Emulator.Loader.dll): it has PowerShell load the
# engine, RunCloud.Emulator.dll, by name. The loader answers that request from the module's own load context (PowerShell 7) or
# from bin/ (Windows PowerShell), and PowerShell, having loaded it for a module, resolves the engine's types by name
# ([RunCloud.Emulator.…] in scripts), which it does not for an assembly only the runtime loaded into another context. By name,
# and from a folder of its own, without the dll: a path would load a second copy, outside the module's context, and
# PSResourceGet takes a .psd1 beside the module's for the module's manifest.
@{
    # Stamped by build.ps1 from <Version> in Directory.Build.props, the one place the version lives.
    ModuleVersion      = '0.0.0'
    GUID               = 'a4e8b3c1-6d2f-4a90-b5e7-1c9d0f2a3b86'
    RequiredAssemblies = @('RunCloud.Emulator')
    FunctionsToExport  = @()
    CmdletsToExport    = @()
    VariablesToExport  = @()
    AliasesToExport    = @()
}
