# The emulator module's root, as module/RunCloud.PowerShell.psm1 is the main module's (issue 11, dependency
# isolation): RunCloud.Emulator.dll runs on the Newtonsoft.Json in this module's bin/, whatever the session (or
# RunCloud.PowerShell, in its own context) loaded.
# - PowerShell 7: bin/RunCloud.PowerShell.Loader.dll loads RunCloud.Emulator.dll into a load context of its own
#   (named RunCloud.Emulator), which resolves bin/ first.
# - Windows PowerShell 5.1: the dll is imported as usual and its EmulatorDependencyResolver resolves bin/ on
#   AppDomain.AssemblyResolve.
$importModule = Get-Command -Name Import-Module -Module Microsoft.PowerShell.Core
$mainPath = Join-Path $PSScriptRoot 'RunCloud.Emulator.dll'
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
