using System.Management.Automation;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// The module's IModuleAssemblyInitializer: on Windows PowerShell, resolves the third-party assemblies in the module's
    /// bin/ (see <see cref="BinFolderResolver"/>); on PowerShell 7 the module's own load context does that instead.
    /// </summary>
    public sealed class DependencyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly BinFolderResolver s_bin = new BinFolderResolver(typeof(DependencyResolver));

        public void OnImport() => s_bin.Install();

        public void OnRemove(PSModuleInfo module) => s_bin.Remove();
    }
}
