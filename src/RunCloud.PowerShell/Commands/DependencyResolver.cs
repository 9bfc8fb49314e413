using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Windows PowerShell half of the dependency isolation (issue 11): the module ships its third-party assemblies in
    /// bin/, not beside this dll, so the runtime does not find them by itself. On .NET Framework there are no load
    /// contexts; an AssemblyResolve handler hands out bin/'s copy when exactly that assembly (name and version) is asked
    /// for, loaded with LoadFrom so it lives beside any other version another module loaded. On PowerShell 7 the
    /// module's psm1 loads this dll into its own AssemblyLoadContext (RunCloud.PowerShell.Loader), which resolves bin/
    /// first, and this handler is not installed.
    /// </summary>
    public sealed class DependencyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object s_gate = new object();
        private static bool s_installed;

        /// <summary>bin/ beside this dll.</summary>
        internal static string DependencyDirectory =>
            Path.Combine(Path.GetDirectoryName(typeof(DependencyResolver).Assembly.Location) ?? string.Empty, "bin");

        /// <summary>PowerShell 7 (.NET, load contexts) rather than Windows PowerShell (.NET Framework) or Mono.</summary>
        internal static bool HasLoadContexts
        {
            get
            {
                string runtime = RuntimeInformation.FrameworkDescription;
                return !runtime.StartsWith(".NET Framework", StringComparison.Ordinal) && !runtime.StartsWith("Mono", StringComparison.Ordinal);
            }
        }

        public void OnImport()
        {
            if (HasLoadContexts) return;
            lock (s_gate)
            {
                if (s_installed) return;
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                s_installed = true;
            }
        }

        public void OnRemove(PSModuleInfo module)
        {
            lock (s_gate)
            {
                if (!s_installed) return;
                AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
                s_installed = false;
            }
        }

        internal static Assembly? Resolve(object? sender, ResolveEventArgs args) => Find(new AssemblyName(args.Name), DependencyDirectory);

        /// <summary>bin/'s assembly of that name when its version is the one asked for (or none was), else null.</summary>
        internal static Assembly? Find(AssemblyName wanted, string directory)
        {
            string path = Path.Combine(directory, wanted.Name + ".dll");
            if (!File.Exists(path)) return null;
            AssemblyName found = AssemblyName.GetAssemblyName(path);
            if (wanted.Version != null && found.Version != wanted.Version) return null;
            return Assembly.LoadFrom(path);
        }
    }
}
