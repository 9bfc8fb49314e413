using System.Management.Automation;
using RunCloud.PowerShell.Hosting;

namespace RunCloud.Emulator.Commands
{
    /// <summary>
    /// The emulator module's IModuleAssemblyInitializer: on Windows PowerShell, resolves the Newtonsoft.Json in the
    /// module's bin/ with the same code as RunCloud.PowerShell (BinFolderResolver, linked into this assembly); on
    /// PowerShell 7 the module's own load context does that instead.
    /// </summary>
    public sealed class EmulatorDependencyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static BinFolderResolver? s_bin;

        /// <summary>On PowerShell 7 nothing at all (not even the path of bin/ is worked out): the import stays cheap.</summary>
        public void OnImport()
        {
            if (BinFolderResolver.HasLoadContexts) return;
            System.Threading.LazyInitializer.EnsureInitialized(ref s_bin, () => new BinFolderResolver(typeof(EmulatorDependencyResolver)))!.Install();
        }

        public void OnRemove(PSModuleInfo module) => s_bin?.Remove();
    }
}
