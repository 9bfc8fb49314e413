# The module's root (issue 11, dependency isolation). It imports RunCloud.PowerShell.dll so that the module's
# third-party assemblies, shipped in bin/, are the ones it runs on, whatever the session already loaded:
# - PowerShell 7: bin/RunCloud.PowerShell.Loader.dll (the only assembly of the module in the default load context)
#   loads RunCloud.PowerShell.dll into the module's own AssemblyLoadContext, which resolves bin/ first.
# - Windows PowerShell 5.1: no load contexts; the dll is imported as usual and its DependencyResolver (an
#   IModuleAssemblyInitializer) resolves bin/'s assemblies on AppDomain.AssemblyResolve.
$importModule = Get-Command -Name Import-Module -Module Microsoft.PowerShell.Core
$mainPath = Join-Path $PSScriptRoot 'RunCloud.PowerShell.dll'
$binPath = Join-Path $PSScriptRoot 'bin'

if ($PSVersionTable.PSEdition -eq 'Core') {
    if (-not ('RunCloud.PowerShell.Loader.ModuleLoadContext' -as [type])) {
        Add-Type -Path (Join-Path $binPath 'RunCloud.PowerShell.Loader.dll')
    }
    $assembly = [RunCloud.PowerShell.Loader.ModuleLoadContext]::Initialize($mainPath, $binPath)
    $inner = & $importModule -Assembly $assembly -PassThru -ErrorAction Stop
}
else {
    $inner = & $importModule -Name $mainPath -PassThru -ErrorAction Stop
}

# A re-import (Import-Module -Force) gets PowerShell's cached binary module back without its cmdlets being added to
# this new script module's exports (PowerShell/PowerShell#20710): add them, so the manifest's CmdletsToExport
# finds them either way.
$addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod('AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
if ($addExportedCmdlet) {
    foreach ($cmdlet in $inner.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
    }
}
