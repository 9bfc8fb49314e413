using System.Management.Automation;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// Used by the module's psm1 only (not exported): adds the cmdlets of the binary module it imported to the psm1's
    /// own module (the caller's), which a re-import would otherwise leave out (PowerShell/PowerShell#20710).
    /// </summary>
    [Cmdlet(VerbsData.Export, "RunCloudModuleCmdlet")]
    public sealed class ExportModuleCmdletCommand : PSCmdlet
    {
        /// <summary>The binary module Import-Module -Assembly -PassThru returned.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        public PSModuleInfo? Module { get; set; }

        protected override void EndProcessing()
        {
            PSModuleInfo? outer = SessionState.Module;
            if (outer != null && Module != null) ModuleLoadContext.ExportCmdlets(outer, Module);
        }
    }
}
