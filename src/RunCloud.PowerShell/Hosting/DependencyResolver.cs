using System.Management.Automation;

namespace RunCloud.PowerShell.Hosting
{
    /// <summary>
    /// The module's IModuleAssemblyInitializer: on Windows PowerShell, resolves the third-party assemblies in the module's
    /// bin/ (see <see cref="BinFolderResolver"/>); on PowerShell 7 the module's own load context does that instead.
    /// </summary>
    public sealed class DependencyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static BinFolderResolver? s_bin;

        /// <summary>On PowerShell 7 nothing at all (not even the path of bin/ is worked out): the import stays cheap.</summary>
        public void OnImport()
        {
            if (BinFolderResolver.HasLoadContexts) return;
            System.Threading.LazyInitializer.EnsureInitialized(ref s_bin, () => new BinFolderResolver(typeof(DependencyResolver)))!.Install();
        }

        public void OnRemove(PSModuleInfo module) => s_bin?.Remove();
    }
}
