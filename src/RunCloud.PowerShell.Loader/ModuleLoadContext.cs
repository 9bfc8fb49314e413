using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// The module's own load context. RunCloud.PowerShell.dll is loaded into it, and every assembly it (or a dependency)
    /// asks for is taken from the module's dependency folder (bin/) when it is there, before the default context is
    /// consulted. So the module always runs on the Newtonsoft.Json it was built and tested with, whatever version
    /// PowerShell itself or another module has put in the default context, and its copy never reaches theirs.
    /// Everything not in bin/ (System.*, System.Management.Automation) comes from the default context as usual,
    /// so the cmdlets and PowerShell share one engine.
    /// </summary>
    public sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private static readonly object s_gate = new object();
        private static readonly Dictionary<string, ModuleLoadContext> s_instances = new Dictionary<string, ModuleLoadContext>(StringComparer.Ordinal);

        private readonly string _dependencyDirectory;
        private readonly string _mainAssemblyPath;
        private readonly string _mainAssemblyName;

        private ModuleLoadContext(string mainAssemblyPath, string dependencyDirectory)
            : base(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: false)
        {
            _mainAssemblyPath = mainAssemblyPath;
            _mainAssemblyName = Path.GetFileNameWithoutExtension(mainAssemblyPath);
            _dependencyDirectory = dependencyDirectory;
            MainAssembly = LoadFromAssemblyPath(mainAssemblyPath);
        }

        /// <summary>RunCloud.PowerShell.dll, as loaded in this context: what the module's psm1 imports.</summary>
        public Assembly MainAssembly { get; }

        /// <summary>
        /// The one context of this process for that main assembly (a module's assemblies cannot be unloaded, and a
        /// second copy of the cmdlets would split the session state they share); a re-import gets the same assembly
        /// back. Each module that uses this loader (RunCloud.PowerShell, RunCloud.PowerShell.Emulator) gets a context
        /// of its own, named after its main assembly.
        /// </summary>
        public static Assembly Initialize(string mainAssemblyPath, string dependencyDirectory)
        {
            if (mainAssemblyPath == null) throw new ArgumentNullException(nameof(mainAssemblyPath));
            if (dependencyDirectory == null) throw new ArgumentNullException(nameof(dependencyDirectory));
            string main = Path.GetFullPath(mainAssemblyPath);
            lock (s_gate)
            {
                if (!s_instances.TryGetValue(main, out ModuleLoadContext? context))
                {
                    context = new ModuleLoadContext(main, Path.GetFullPath(dependencyDirectory));
                    s_instances.Add(main, context);
                }

                return context.MainAssembly;
            }
        }

        /// <summary>
        /// Adds the cmdlets of <paramref name="innerModule"/> (the binary module the psm1 imported) to the exports of
        /// <paramref name="outerModule"/> (the psm1's own module). A re-import (Import-Module -Force) gets PowerShell's
        /// cached binary module back without its cmdlets being added to the new script module (PowerShell/PowerShell#20710),
        /// so the manifest's CmdletsToExport would find none. Done here rather than in a psm1 loop, whose reflection calls
        /// cost about 17 ms of the import (every scheduled run pays it). Both are PSModuleInfo objects, passed untyped: this
        /// assembly does not reference PowerShell.
        /// </summary>
        /// <returns>How many cmdlets were added (0 when PowerShell no longer has the internal method).</returns>
        public static int ExportCmdlets(object outerModule, object innerModule)
        {
            if (outerModule == null) throw new ArgumentNullException(nameof(outerModule));
            if (innerModule == null) throw new ArgumentNullException(nameof(innerModule));
            MethodInfo? add = outerModule.GetType().GetMethod("AddExportedCmdlet", BindingFlags.Instance | BindingFlags.NonPublic);
            if (add == null || !(innerModule.GetType().GetProperty("ExportedCmdlets")?.GetValue(innerModule) is System.Collections.IDictionary cmdlets))
            {
                return 0;
            }

            int count = 0;
            foreach (object? cmdlet in cmdlets.Values)
            {
                add.Invoke(outerModule, new[] { cmdlet });
                count++;
            }

            return count;
        }

        /// <summary>The running .NET's own assemblies (System.Memory, System.Buffers, System.Diagnostics.DiagnosticSource, ...).</summary>
        private static readonly string s_runtimeDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location) ?? string.Empty;

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (string.Equals(assemblyName.Name, _mainAssemblyName, StringComparison.OrdinalIgnoreCase))
            {
                return MainAssembly;
            }

            // bin/ also carries the netstandard2.0 polyfills Windows PowerShell needs (System.Memory, System.Buffers, ...: the
            // database client's dependencies). On .NET they are part of the runtime: the runtime's copy is taken, so there is
            // one Span<T> and one DiagnosticSource in the process, never a polyfill beside the real thing.
            if (s_runtimeDirectory.Length > 0 && File.Exists(Path.Combine(s_runtimeDirectory, assemblyName.Name + ".dll")))
            {
                return null;
            }

            string candidate = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
            return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
        }
    }
}
