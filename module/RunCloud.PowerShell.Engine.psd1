# The second nested module of RunCloud.PowerShell (after its loader, bin/RunCloud.PowerShell.Loader.dll): it has PowerShell load the
# engine, RunCloud.PowerShell.dll, by name. The loader answers that request from the module's own load context (PowerShell 7) or
# from bin/ (Windows PowerShell), and PowerShell, having loaded it for a module, resolves the engine's types by name
# ([RunCloud.PowerShell.…] in scripts), which it does not for an assembly only the runtime loaded into another context. By name,
# and from a folder of its own, without the dll: a path would load a second copy, outside the module's context, and
# PSResourceGet takes a .psd1 beside the module's for the module's manifest.
@{
    # Stamped by build.ps1 from <Version> in Directory.Build.props, the one place the version lives.
    ModuleVersion      = '0.0.0'
    GUID               = '7c1d4e52-9a0b-4f6e-8d27-3b5a9c0e1f64'
    RequiredAssemblies = @('RunCloud.PowerShell')
    FunctionsToExport  = @()
    CmdletsToExport    = @()
    VariablesToExport  = @()
    AliasesToExport    = @()
}
