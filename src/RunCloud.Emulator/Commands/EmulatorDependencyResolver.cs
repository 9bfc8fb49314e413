using System.Management.Automation;
using RunCloud.PowerShell.Commands;

namespace RunCloud.Emulator.Commands
{
    /// <summary>
    /// The emulator module's IModuleAssemblyInitializer: on Windows PowerShell, resolves the Newtonsoft.Json in the
    /// module's bin/ with the same code as RunCloud.PowerShell (BinFolderResolver, linked into this assembly); on
    /// PowerShell 7 the module's own load context does that instead.
    /// </summary>
    public sealed class EmulatorDependencyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly BinFolderResolver s_bin = new BinFolderResolver(typeof(EmulatorDependencyResolver));

        public void OnImport() => s_bin.Install();

        public void OnRemove(PSModuleInfo module) => s_bin.Remove();
    }
}
