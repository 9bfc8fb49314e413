using System.Management.Automation;
using System.Reflection;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// Used by the module's psm1 only (not exported): loads the module's main assembly into its own load context and
    /// returns it for Import-Module -Assembly. A cmdlet rather than a static method call, because in a fresh session
    /// PowerShell's first .NET method call costs about 15 ms and each further call site 2 to 3 ms (the
    /// import is kept small: a scheduled task pays it every run), while a cmdlet call is nearly free once Import-Module has run.
    /// </summary>
    [Cmdlet(VerbsData.Import, "RunCloudModuleAssembly")]
    [OutputType(typeof(Assembly))]
    public sealed class ImportModuleAssemblyCommand : PSCmdlet
    {
        /// <summary>The module's main assembly (RunCloud.PowerShell.dll or RunCloud.Emulator.dll).</summary>
        [Parameter(Mandatory = true, Position = 0)]
        public string Path { get; set; } = string.Empty;

        /// <summary>The module's bin/ folder, whose assemblies the load context prefers.</summary>
        [Parameter(Mandatory = true, Position = 1)]
        public string DependencyPath { get; set; } = string.Empty;

        protected override void EndProcessing() => WriteObject(ModuleLoadContext.Initialize(Path, DependencyPath));
    }
}
