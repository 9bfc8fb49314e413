# The root of both modules, RunCloud.PowerShell and RunCloud.PowerShell.Emulator (dependency isolation: their third-party dlls load in the module's own context):
# build.ps1 writes it into each module folder as <module>.psm1, the placeholder below stamped with that module's dll
# (RunCloud.PowerShell.dll, RunCloud.Emulator.dll). It imports that dll so that the module's third-party assemblies,
# shipped in bin/, are the ones it runs on, whatever the session already loaded:
# - PowerShell 7: bin/RunCloud.PowerShell.Loader.dll (the only assembly of the module in the default load context)
#   loads the dll into a load context of its own (named after it), which resolves bin/ first.
# - Windows PowerShell 5.1: no load contexts; the dll is imported as usual and its IModuleAssemblyInitializer
#   (DependencyResolver, EmulatorDependencyResolver) resolves bin/'s assemblies on AppDomain.AssemblyResolve.
# The import is kept small (a scheduled task pays it on every run), so only cmdlet calls and plain strings on the usual path: the first use
# of Get-Command, Join-Path or Add-Type in a session costs 20 to 50 ms each, the first read of $PSVersionTable 15 ms
# ($PSEdition is free), the first .NET method call 15 ms. "/" separates paths on Windows too. Import-Module is called
# module-qualified: the real one, whatever proxies the session defines.
$loader = $null
if ($PSEdition -eq 'Core') {
    # The loader is imported as a (binary) module and called through its two cmdlets: no .NET method call on this path.
    try {
        $loader = Microsoft.PowerShell.Core\Import-Module "$PSScriptRoot/bin/RunCloud.PowerShell.Loader.dll" -PassThru -ErrorAction Stop
    }
    catch [System.IO.FileLoadException] {
        if ($global:Error.Count -gt 0) { $global:Error.RemoveAt(0) } # expected (see below): not the caller's concern
    }
    if ($loader) {
        $assembly = Import-RunCloudModuleAssembly "$PSScriptRoot/@MainAssembly@" "$PSScriptRoot/bin"
    }
    else {
        # Another version of the loader is loaded already (RunCloud.PowerShell and RunCloud.PowerShell.Emulator of two
        # releases): its name is taken in the default context, so this module uses that one, whose Initialize every
        # release has.
        $assembly = [RunCloud.PowerShell.Loader.ModuleLoadContext]::Initialize("$PSScriptRoot/@MainAssembly@", "$PSScriptRoot/bin")
    }
    $inner = Microsoft.PowerShell.Core\Import-Module -Assembly $assembly -PassThru -ErrorAction Stop
}
else {
    $inner = Microsoft.PowerShell.Core\Import-Module -Name "$PSScriptRoot/@MainAssembly@" -PassThru -ErrorAction Stop
}

# A re-import (Import-Module -Force) gets PowerShell's cached binary module back without its cmdlets being added to this
# new script module's exports (PowerShell/PowerShell#20710): add them, so the manifest's CmdletsToExport finds them
# either way. Through the loader's cmdlet when this module imported it; otherwise in script (Windows PowerShell has no
# loader; another release's loader may not have the cmdlet).
if ($loader) {
    Export-RunCloudModuleCmdlet $inner
}
else {
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    if ($addExportedCmdlet) {
        foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
            $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
        }
    }
}
