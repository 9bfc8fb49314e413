using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace RunCloud.Emulator.Commands
{
    /// <summary>
    /// Windows PowerShell half of the emulator module's dependency isolation, as RunCloud.PowerShell's
    /// DependencyResolver does it for the main module: the module ships Newtonsoft.Json in bin/, not beside this dll;
    /// on .NET Framework an AssemblyResolve handler hands out bin/'s copy when exactly that assembly (name and
    /// version) is asked for, loaded with LoadFrom so it lives beside any other version. On PowerShell 7 the module's
    /// psm1 loads this dll into its own AssemblyLoadContext (RunCloud.PowerShell.Loader) and this handler is not installed.
    /// </summary>
    public sealed class EmulatorDependencyResolver : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object s_gate = new object();
        private static bool s_installed;

        private static string DependencyDirectory =>
            Path.Combine(Path.GetDirectoryName(typeof(EmulatorDependencyResolver).Assembly.Location) ?? string.Empty, "bin");

        private static bool HasLoadContexts
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

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var wanted = new AssemblyName(args.Name);
            string path = Path.Combine(DependencyDirectory, wanted.Name + ".dll");
            if (!File.Exists(path)) return null;
            AssemblyName found = AssemblyName.GetAssemblyName(path);
            if (wanted.Version != null && found.Version != wanted.Version) return null;
            return Assembly.LoadFrom(path);
        }
    }
}
