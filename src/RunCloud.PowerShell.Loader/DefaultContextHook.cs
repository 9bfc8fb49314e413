using System;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// The PowerShell 7 half, apart so that Windows PowerShell never compiles a method that names AssemblyLoadContext
    /// (not in .NET Framework): a handler on the default context's Resolving event, installed once per loader copy, that
    /// answers a request for the engine this copy serves with the engine loaded into the module's own
    /// <see cref="ModuleLoadContext"/>. The default context asks when the cmdlets (the root module) first need the engine;
    /// it keeps the answer, so the handler runs once per process.
    /// </summary>
    internal static class DefaultContextHook
    {
        private static readonly object s_gate = new object();
        private static string s_folder = string.Empty;
        private static string s_engine = string.Empty;
        private static bool s_installed;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Install(string folder, string engineName)
        {
            lock (s_gate)
            {
                if (s_installed) return;
                s_folder = folder;
                s_engine = engineName;
                System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += Resolve;
                s_installed = true;
            }
        }

        private static Assembly? Resolve(System.Runtime.Loader.AssemblyLoadContext context, AssemblyName name) =>
            string.Equals(name.Name, s_engine, StringComparison.OrdinalIgnoreCase)
                ? ModuleLoadContext.Initialize(Path.Combine(s_folder, s_engine + ".dll"), s_folder)
                : null;
    }
}
